package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

// Truce returns a valid truce proposal input.
func Truce(title string) parley.ProposalInput {
	return parley.ProposalInput{Kind: parley.ProposalTruce, Title: title,
		Texts: parley.Texts{parley.English: "A pause of 48 hours along the line of contact."},
		Details: parley.Details{Truce: &parley.TruceDetails{Hours: 48, Starts: time.Now().UTC().Add(7 * 24 * time.Hour).Truncate(time.Hour),
			Purpose: "evacuate the wounded", Area: "segments 3 and 4"}}}
}

// GroupSpace returns the space of working group k.
func (w *World) GroupSpace(k parley.GroupKind) parley.Space {
	for _, s := range w.Spaces {
		if s.Kind == parley.SpaceGroup && s.GroupID == w.Groups[k].ID {
			return s
		}
	}
	return parley.Space{}
}

// Submitted drafts and submits a truce proposal from A to B in the
// humanitarian group, by A's head, and returns its identifier.
func (w *World) Submitted(tb testing.TB, in parley.ProposalInput) string {
	tb.Helper()
	evs := w.Must(tb, w.HeadA, parley.DraftProposal{GroupID: w.Groups[parley.GroupHumanitarian].ID, ToParty: w.PartyB.ID, ProposalInput: in})
	id := evs[0].Data.(*parley.ProposalDrafted).ProposalID
	w.Must(tb, w.HeadA, parley.SubmitProposal{ProposalID: id})
	return id
}

func proposalOf(tb testing.TB, w *World, a parley.Actor, id string) parley.Proposal {
	tb.Helper()
	p, err := w.DB.Proposal(context.Background(), a, id)
	if err != nil {
		tb.Fatalf("proposal %s as %s: %v", id, a.Name, err)
	}
	return p
}
