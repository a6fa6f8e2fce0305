package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// Statement is a public statement of the demo: drafted DaysAgo, approved
// by the heads in Approve, released at its embargo (hours after drafting)
// when every approval is given.
type Statement struct {
	Space        string       `json:"space"` // heads, group:<key>, party:<key>
	By           string       `json:"by"`
	DaysAgo      int          `json:"days_ago"`
	Title        parley.Texts `json:"title"`
	Texts        parley.Texts `json:"texts"`
	Figures      []demoFigure `json:"figures"`
	EmbargoHours int          `json:"embargo_hours"`
	Approve      []string     `json:"approve"`
}

type demoFigure struct {
	Label   parley.Texts `json:"label"`
	Value   float64      `json:"value"`
	DaysAgo int          `json:"days_ago"`
}

// installStatement drafts st, has it approved, and lets the server's loop
// publish it at its embargo, if that has come.
func installStatement(ctx context.Context, db *store.DB, svc *service.Service, actors map[string]parley.Actor, spaces map[string]string,
	st Statement, now time.Time) error {
	drafted := now.Add(-time.Duration(st.DaysAgo) * 24 * time.Hour)
	at := func(t time.Time) *service.Service { return svc.WithClock(func() time.Time { return t }) }
	do := func(clock *service.Service, by string, cmd parley.Command) ([]parley.Event, error) {
		a, err := db.Actor(ctx, actors[by].AccountID, "")
		if err != nil {
			return nil, err
		}
		evs, err := clock.Do(ctx, a, cmd)
		if err != nil {
			return nil, fmt.Errorf("demo: statement %q: %T by %s: %w", st.Title[parley.English], cmd, by, err)
		}
		return evs, nil
	}
	space, ok := spaces[st.Space]
	if !ok {
		return fmt.Errorf("demo: statement %q: unknown space %q", st.Title[parley.English], st.Space)
	}
	in := parley.StatementInput{Title: st.Title, Texts: st.Texts}
	for _, f := range st.Figures {
		in.Figures = append(in.Figures, parley.Figure{Label: f.Label, Value: f.Value, AsOf: now.AddDate(0, 0, -f.DaysAgo).Format(time.DateOnly)})
	}
	if st.EmbargoHours > 0 {
		in.Embargo = drafted.Add(time.Duration(st.EmbargoHours) * time.Hour)
	}
	evs, err := do(at(drafted), st.By, parley.DraftStatement{SpaceID: space, StatementInput: in})
	if err != nil {
		return err
	}
	d := evs[0].Data.(*parley.StatementDrafted)
	for i, by := range st.Approve {
		if _, err := do(at(drafted.Add(time.Duration(i+1)*time.Hour)), by, parley.ApproveStatement{StatementID: d.StatementID, Hash: d.Hash}); err != nil {
			return err
		}
	}
	release := drafted.Add(time.Duration(len(st.Approve)+1) * time.Hour)
	if in.Embargo.After(release) {
		release = in.Embargo
	}
	if release.After(now) {
		return nil
	}
	_, err = at(release).PublishDue(ctx)
	return err
}
