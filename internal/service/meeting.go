package service

import (
	"fmt"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// decideMeeting decides the commands about meetings.
func decideMeeting(tx *store.Tx, a parley.Actor, cmd parley.Command, env parley.Env) ([]parley.Event, error) {
	if c, ok := cmd.(parley.ScheduleMeeting); ok {
		s, err := visibleSpace(tx, a, c.SpaceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideScheduleMeeting(a, s, c, env)
	}
	id, ok := meetingOf(cmd)
	if !ok {
		return decideTruce(tx, a, cmd, env)
	}
	set, err := tx.MeetingSetting(id)
	if err != nil {
		return nil, err
	}
	switch c := cmd.(type) {
	case parley.ChangeMeeting:
		return parley.DecideChangeMeeting(a, set, c, env)
	case parley.CancelMeeting:
		return parley.DecideCancelMeeting(a, set, c, env)
	case parley.AddAgendaItem:
		if ref, _ := parley.ParseItemRef(c.Ref); ref.Kind != "" && parley.Allowed(a, parley.ActRead, set.Space) {
			// What an agenda item links to must live beside the meeting,
			// so that no reader sees a title they may not read.
			space, err := tx.SpaceOfRef(ref)
			if err != nil || space != set.Space.ID {
				var v parley.Invalid
				v.Add("ref", "must be a proposal, clause or discussion of the meeting's space")
				return nil, v.Err()
			}
		}
		return parley.DecideAddAgendaItem(a, set, c, env)
	case parley.RemoveAgendaItem:
		return parley.DecideRemoveAgendaItem(a, set, c, env)
	case parley.StartMeeting:
		return parley.DecideStartMeeting(a, set, env)
	case parley.TakeAgendaItem:
		return parley.DecideTakeAgendaItem(a, set, c, env)
	case parley.EndMeeting:
		return parley.DecideEndMeeting(a, set, env)
	case parley.JoinMeeting:
		return parley.DecideJoinMeeting(a, set, env)
	case parley.LeaveMeeting:
		return parley.DecideLeaveMeeting(a, set, env)
	case parley.TakeNote:
		return parley.DecideTakeNote(a, set, c, env)
	case parley.DraftMinutes:
		return parley.DecideDraftMinutes(a, set, c, env)
	case parley.AssignAction:
		return parley.DecideAssignAction(a, set, c, env)
	case parley.CompleteAction:
		return parley.DecideCompleteAction(a, set, c, env)
	case parley.ApproveMinutes:
		return parley.DecideApproveMinutes(a, set, c, env)
	}
	return nil, fmt.Errorf("service: no decision for %T", cmd)
}

// meetingOf returns the meeting a command is about.
func meetingOf(cmd parley.Command) (string, bool) {
	switch c := cmd.(type) {
	case parley.ChangeMeeting:
		return c.MeetingID, true
	case parley.CancelMeeting:
		return c.MeetingID, true
	case parley.AddAgendaItem:
		return c.MeetingID, true
	case parley.RemoveAgendaItem:
		return c.MeetingID, true
	case parley.StartMeeting:
		return c.MeetingID, true
	case parley.TakeAgendaItem:
		return c.MeetingID, true
	case parley.EndMeeting:
		return c.MeetingID, true
	case parley.JoinMeeting:
		return c.MeetingID, true
	case parley.LeaveMeeting:
		return c.MeetingID, true
	case parley.TakeNote:
		return c.MeetingID, true
	case parley.DraftMinutes:
		return c.MeetingID, true
	case parley.AssignAction:
		return c.MeetingID, true
	case parley.CompleteAction:
		return c.MeetingID, true
	case parley.ApproveMinutes:
		return c.MeetingID, true
	}
	return "", false
}
