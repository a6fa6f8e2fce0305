package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// Meeting is a meeting of the demo, placed in time relative to when the
// demo is installed, with what happened in it.
type Meeting struct {
	Space    string `json:"space"` // heads, group:<key>
	By       string `json:"by"`
	Title    string `json:"title"`
	StartsIn int    `json:"starts_in_minutes"` // negative: it began in the past
	Duration int    `json:"duration_minutes"`
	TimeZone string `json:"time_zone"`
	CallURL  string `json:"call_url"`
	Agenda   []struct {
		Title    string `json:"title"`
		Proposal string `json:"proposal"` // title of a proposal of the space
	} `json:"agenda"`
	Steps []MeetingStep `json:"steps"`
}

// MeetingStep is one act in a demo meeting, At minutes after its start.
type MeetingStep struct {
	Act   string `json:"act"` // start, join, leave, note, take, end, minutes, action, approve
	By    string `json:"by"`
	At    int    `json:"at"`
	Item  int    `json:"item"` // agenda item, from 1; 0 for the current one
	Text  string `json:"text"`
	Party string `json:"party"` // of an action: a party key, or "" for the mediator
	Due   int    `json:"due_days"`
}

// installMeeting convenes m a day before it starts and plays its steps.
func installMeeting(ctx context.Context, db *store.DB, svc *service.Service, actors map[string]parley.Actor, spaces, parties map[string]string,
	m Meeting, now time.Time) error {
	start := now.Add(time.Duration(m.StartsIn) * time.Minute).Truncate(time.Minute)
	do := func(at time.Time, by string, cmd parley.Command) ([]parley.Event, error) {
		a, err := db.Actor(ctx, actors[by].AccountID, "")
		if err != nil {
			return nil, err
		}
		if at.After(now) {
			at = now
		}
		evs, err := svc.WithClock(func() time.Time { return at }).Do(ctx, a, cmd)
		if err != nil {
			return nil, fmt.Errorf("demo: meeting %q: %T by %s: %w", m.Title, cmd, by, err)
		}
		return evs, nil
	}
	space, ok := spaces[m.Space]
	if !ok {
		return fmt.Errorf("demo: meeting %q: unknown space %q", m.Title, m.Space)
	}
	evs, err := do(start.Add(-24*time.Hour), m.By, parley.ScheduleMeeting{SpaceID: space, Title: m.Title, Start: start,
		Duration: m.Duration, TimeZone: m.TimeZone, CallURL: m.CallURL})
	if err != nil {
		return err
	}
	id := evs[0].Data.(*parley.MeetingScheduled).MeetingID
	var items []string
	for _, it := range m.Agenda {
		ref := ""
		if it.Proposal != "" {
			a, _ := db.Actor(ctx, actors[m.By].AccountID, "")
			ps, err := db.Proposals(ctx, a, store.ProposalFilter{Process: a.Members[0].ProcessID})
			if err != nil {
				return err
			}
			for _, p := range ps {
				if p.Title == it.Proposal && p.SpaceID == space {
					ref = "proposal:" + p.ID
				}
			}
			if ref == "" {
				return fmt.Errorf("demo: meeting %q: no proposal %q in its space", m.Title, it.Proposal)
			}
		}
		evs, err := do(start.Add(-23*time.Hour), m.By, parley.AddAgendaItem{MeetingID: id, Title: it.Title, Ref: ref})
		if err != nil {
			return err
		}
		items = append(items, evs[0].Data.(*parley.AgendaItemAdded).ItemID)
	}
	item := func(n int) string {
		if n < 1 || n > len(items) {
			return ""
		}
		return items[n-1]
	}
	var version int
	for _, st := range m.Steps {
		at := start.Add(time.Duration(st.At) * time.Minute)
		var cmd parley.Command
		switch st.Act {
		case "start":
			cmd = parley.StartMeeting{MeetingID: id}
		case "join":
			cmd = parley.JoinMeeting{MeetingID: id}
		case "leave":
			cmd = parley.LeaveMeeting{MeetingID: id}
		case "note":
			cmd = parley.TakeNote{MeetingID: id, ItemID: item(st.Item), Body: st.Text}
		case "take":
			cmd = parley.TakeAgendaItem{MeetingID: id, ItemID: item(st.Item)}
		case "end":
			cmd = parley.EndMeeting{MeetingID: id}
		case "minutes":
			cmd = parley.DraftMinutes{MeetingID: id, Text: st.Text, Version: version}
			version++
		case "action":
			due := ""
			if st.Due != 0 {
				due = start.AddDate(0, 0, st.Due).Format(time.DateOnly)
			}
			cmd = parley.AssignAction{MeetingID: id, Text: st.Text, PartyID: parties[st.Party], Due: due}
		case "approve":
			a, _ := db.Actor(ctx, actors[st.By].AccountID, "")
			cur, err := db.Meeting(ctx, a, id)
			if err != nil {
				return err
			}
			cmd = parley.ApproveMinutes{MeetingID: id, Hash: cur.Minutes.Hash}
		default:
			return fmt.Errorf("demo: meeting %q: unknown step %q", m.Title, st.Act)
		}
		if _, err := do(at, st.By, cmd); err != nil {
			return err
		}
	}
	return nil
}
