package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// Remains is a transfer of remains of the story, on a day before the
// installation, and its acknowledgement by the receiving side if it came.
type Remains struct {
	Group        string `json:"group"`
	By           string `json:"by"`
	DaysAgo      int    `json:"days_ago"`
	Crossing     string `json:"crossing"`
	From         string `json:"from"` // party keys
	To           string `json:"to"`
	Bodies       int    `json:"bodies"`
	Identified   int    `json:"identified"`
	Partial      int    `json:"partially_identified"`
	Unidentified int    `json:"unidentified"`
	Note         string `json:"note"`
	Ack          *struct {
		By       string `json:"by"`
		Received int    `json:"received"`
		Note     string `json:"note"`
	} `json:"acknowledgement"`
}

// installRemains records the ledger of remains: each transfer, then its
// acknowledgement.
func installRemains(ctx context.Context, db *store.DB, svc *service.Service, actors map[string]parley.Actor, groups, parties map[string]string,
	rs []Remains, now time.Time) error {
	cache := map[string]parley.Actor{}
	do := func(by string, cmd parley.Command) ([]parley.Event, error) {
		a, ok := cache[by]
		if !ok {
			var err error
			if a, err = db.Actor(ctx, actors[by].AccountID, ""); err != nil {
				return nil, err
			}
			cache[by] = a
		}
		evs, err := svc.Do(ctx, a, cmd)
		if err != nil {
			return nil, fmt.Errorf("demo: %T by %s: %w", cmd, by, err)
		}
		return evs, nil
	}
	for _, r := range rs {
		evs, err := do(r.By, parley.RecordRemains{GroupID: groups[r.Group], Date: now.AddDate(0, 0, -r.DaysAgo).Format(time.DateOnly),
			Crossing: r.Crossing, FromParty: parties[r.From], ToParty: parties[r.To], Bodies: r.Bodies,
			RemainsIdentification: parley.RemainsIdentification{Identified: r.Identified, Partial: r.Partial, Unidentified: r.Unidentified},
			Note:                  r.Note})
		if err != nil {
			return err
		}
		if r.Ack == nil {
			continue
		}
		id := evs[0].Data.(*parley.RemainsRecorded).TransferID
		if _, err := do(r.Ack.By, parley.AcknowledgeRemains{TransferID: id, Received: r.Ack.Received, Note: r.Ack.Note}); err != nil {
			return err
		}
	}
	return nil
}
