package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parley-talks/parley"
)

// apply updates the read tables for one event. It is the only code that
// writes them, used live by the writer and by replay, so the tables are
// always a function of the record.
func apply(ctx context.Context, tx queryer, e parley.Event) error {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	if s, ok := e.Data.(parley.Signable); ok && s.Signing().Signature != nil {
		if err := applySignature(ctx, tx, e, s); err != nil {
			return err
		}
	}
	at := micros(e.At)
	switch d := e.Data.(type) {
	case *parley.ProcessCreated:
		return exec(`INSERT INTO processes (id, title, description, languages, created_at, version) VALUES ($1, $2, $3, $4, $5, 1)`,
			d.ProcessID, d.Title, d.Description, joinLangs(d.Languages), at)
	case *parley.ProcessEdited:
		return exec(`UPDATE processes SET title = $2, description = $3, languages = $4, version = $5 WHERE id = $1`,
			d.ProcessID, d.Title, d.Description, joinLangs(d.Languages), d.Version)
	case *parley.PartyAdded:
		return exec(`INSERT INTO parties (id, process_id, kind, names, position)
			VALUES ($1, $2, $3, $4, (SELECT COUNT(*) FROM parties WHERE process_id = $2))`,
			d.PartyID, d.ProcessID, string(d.Kind), namesJSON(d.Names))
	case *parley.PartyRenamed:
		return exec(`UPDATE parties SET names = $2 WHERE id = $1`, d.PartyID, namesJSON(d.Names))
	case *parley.MemberAdded:
		return exec(`INSERT INTO members (id, process_id, account_id, party_id, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			d.MemberID, d.ProcessID, d.AccountID, d.PartyID, string(d.Role), at)
	case *parley.MemberRoleChanged:
		return exec(`UPDATE members SET role = $2 WHERE id = $1`, d.MemberID, string(d.Role))
	case *parley.RoundScheduled:
		return exec(`INSERT INTO rounds (id, process_id, title, location, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5, $6)`,
			d.RoundID, d.ProcessID, d.Title, d.Location, d.StartsOn, d.EndsOn)
	case *parley.RoundEdited:
		return exec(`UPDATE rounds SET title = $2, location = $3, starts_on = $4, ends_on = $5 WHERE id = $1`,
			d.RoundID, d.Title, d.Location, d.StartsOn, d.EndsOn)
	case *parley.GroupCreated:
		return exec(`INSERT INTO working_groups (id, process_id, kind, names, position)
			VALUES ($1, $2, $3, $4, (SELECT COUNT(*) FROM working_groups WHERE process_id = $2))`,
			d.GroupID, d.ProcessID, string(d.Kind), namesJSON(d.Names))
	case *parley.GroupRenamed:
		return exec(`UPDATE working_groups SET names = $2 WHERE id = $1`, d.GroupID, namesJSON(d.Names))
	case *parley.MemberJoinedGroup:
		return exec(`INSERT INTO group_members (group_id, member_id) VALUES ($1, $2)`, d.GroupID, d.MemberID)
	case *parley.MemberLeftGroup:
		return exec(`DELETE FROM group_members WHERE group_id = $1 AND member_id = $2`, d.GroupID, d.MemberID)
	case *parley.SpaceOpened:
		return exec(`INSERT INTO spaces (id, process_id, kind, party_id, group_id, with_mediator) VALUES ($1, $2, $3, $4, $5, $6)`,
			d.SpaceID, d.ProcessID, string(d.Kind), d.PartyID, d.GroupID, d.WithMediator)
	case *parley.ThreadStarted:
		return exec(`INSERT INTO threads (id, space_id, process_id, title, author_id, created_at, last_at, messages, last_seq)
			VALUES ($1, $2, $3, $4, $5, $6, $6, 0, $7)`,
			d.ThreadID, d.SpaceID, e.Scope.ProcessID, d.Title, e.Actor, at, e.Seq)
	case *parley.MessagePosted:
		if err := exec(`INSERT INTO messages (id, thread_id, space_id, author_id, body, posted_at, edited_at, version, seq)
			VALUES ($1, $2, $3, $4, $5, $6, 0, 1, $7)`,
			d.MessageID, d.ThreadID, e.Scope.Space.ID, e.Actor, d.Body, at, e.Seq); err != nil {
			return err
		}
		return exec(`UPDATE threads SET messages = messages + 1, last_at = $2, last_seq = $3 WHERE id = $1`, d.ThreadID, at, e.Seq)
	case *parley.MessageEdited:
		if err := exec(`INSERT INTO message_revisions (message_id, version, body, edited_at)
			SELECT id, version, body, CASE WHEN edited_at = 0 THEN posted_at ELSE edited_at END FROM messages WHERE id = $1`, d.MessageID); err != nil {
			return err
		}
		return exec(`UPDATE messages SET body = $2, version = $3, edited_at = $4, seq = $5 WHERE id = $1`,
			d.MessageID, d.Body, d.Version, at, e.Seq)
	}
	if ok, err := applyMemo(ctx, tx, e); ok {
		return err
	}
	if ok, err := applyMeeting(ctx, tx, e); ok {
		return err
	}
	if ok, err := applyTruce(ctx, tx, e); ok {
		return err
	}
	if ok, err := applyStatement(ctx, tx, e); ok {
		return err
	}
	if ok, err := applyRemains(ctx, tx, e); ok {
		return err
	}
	if ok, err := applyNotification(ctx, tx, e); ok {
		return err
	}
	if ok, err := applyExchange(ctx, tx, e); ok {
		return err
	}
	if ok, err := applyExchangeList(ctx, tx, e); ok {
		return err
	}
	if ok, err := applyRepatriation(ctx, tx, e); ok {
		return err
	}
	if err := applyProposal(ctx, tx, e); err != nil {
		return err
	}
	if d, ok := e.Data.(*parley.ProposalAccepted); ok {
		// An accepted truce proposal is a truce from now on, an accepted
		// exchange proposal an exchange agreement.
		if err := truceBorn(ctx, tx, e, d); err != nil {
			return err
		}
		return exchangeBorn(ctx, tx, e, d)
	}
	return nil
}

func joinLangs(ls []parley.Lang) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = string(l)
	}
	return strings.Join(s, ",")
}

func splitLangs(s string) []parley.Lang {
	var out []parley.Lang
	for _, x := range strings.Split(s, ",") {
		if x != "" {
			out = append(out, parley.Lang(x))
		}
	}
	return out
}

func namesJSON(n parley.Names) string {
	b, _ := json.Marshal(n) // a map of strings always encodes
	return string(b)
}

func parseNames(s string) parley.Names {
	var n parley.Names
	_ = json.Unmarshal([]byte(s), &n) // written by namesJSON only
	return n
}
