package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// World is a small process with two parties, a mediator and an observer,
// three working groups, and one actor per kind of member.
type World struct {
	DB       *store.DB
	Writer   *store.Writer
	Service  *service.Service
	Process  parley.Process
	PartyA   parley.Party
	PartyB   parley.Party
	Groups   map[parley.GroupKind]parley.WorkingGroup
	Spaces   []parley.Space
	Operator parley.Actor
	Mediator parley.Actor
	HeadA    parley.Actor
	DelegA   parley.Actor // in the political and humanitarian groups
	HeadB    parley.Actor
	DelegB   parley.Actor // in the humanitarian group
	Observer parley.Actor // in the humanitarian group
	Outsider parley.Actor // an account that is a member of nothing
}

// Actors returns every actor of w by a short name.
func (w *World) Actors() map[string]parley.Actor {
	return map[string]parley.Actor{
		"operator": w.Operator, "mediator": w.Mediator, "headA": w.HeadA, "delegA": w.DelegA,
		"headB": w.HeadB, "delegB": w.DelegB, "observer": w.Observer, "outsider": w.Outsider, "public": {},
	}
}

// Must executes cmd as a and fails tb on error.
func (w *World) Must(tb testing.TB, a parley.Actor, cmd parley.Command) []parley.Event {
	tb.Helper()
	evs, err := w.Service.Do(context.Background(), a, cmd)
	if err != nil {
		tb.Fatalf("%T: %v", cmd, err)
	}
	return evs
}

// Reload refreshes every actor's memberships from the database.
func (w *World) Reload(tb testing.TB) {
	tb.Helper()
	for _, a := range []*parley.Actor{&w.Operator, &w.Mediator, &w.HeadA, &w.DelegA, &w.HeadB, &w.DelegB, &w.Observer, &w.Outsider} {
		x, err := w.DB.Actor(context.Background(), a.AccountID, "")
		if err != nil {
			tb.Fatal(err)
		}
		*a = x
	}
}

// NewWorld builds the world on db, with a writer that publishes to publish.
func NewWorld(tb testing.TB, db *store.DB, publish func([]parley.Event)) *World {
	tb.Helper()
	ctx := context.Background()
	w := &World{DB: db, Writer: store.NewWriter(db, publish), Groups: map[parley.GroupKind]parley.WorkingGroup{}}
	tb.Cleanup(w.Writer.Close)
	w.Service = service.New(db, w.Writer, time.Now, nil)

	account := func(name string, operator bool) parley.Actor {
		acc := parley.Account{ID: service.NewID(), Username: name, DisplayName: name, Locale: parley.English,
			TimeZone: "UTC", Operator: operator, CreatedAt: time.Now()}
		if err := db.CreateAccount(ctx, acc, "x"); err != nil {
			tb.Fatal(err)
		}
		return parley.Actor{AccountID: acc.ID, Name: name, Operator: operator}
	}
	w.Operator = account("operator", true)
	w.Mediator, w.HeadA, w.DelegA = account("mediator", false), account("heada", false), account("delega", false)
	w.HeadB, w.DelegB, w.Observer = account("headb", false), account("delegb", false), account("observer", false)
	w.Outsider = account("outsider", false)

	evs := w.Must(tb, w.Operator, parley.CreateProcess{Title: "Talks", Languages: []parley.Lang{parley.English, parley.Ukrainian, parley.Russian, parley.Turkish}})
	pid := evs[0].Data.(*parley.ProcessCreated).ProcessID
	party := func(kind parley.PartyKind, name string) parley.Party {
		evs := w.Must(tb, w.Operator, parley.AddParty{ProcessID: pid, Kind: kind, Names: parley.Names{parley.English: name}})
		d := evs[0].Data.(*parley.PartyAdded)
		return parley.Party{ID: d.PartyID, ProcessID: pid, Kind: kind, Names: d.Names}
	}
	w.PartyA, w.PartyB = party(parley.PartyNegotiating, "A"), party(parley.PartyNegotiating, "B")
	med, obs := party(parley.PartyMediator, "Mediator"), party(parley.PartyObserver, "Observer")
	member := func(a parley.Actor, p parley.Party, r parley.Role) string {
		evs := w.Must(tb, w.Operator, parley.AddMember{ProcessID: pid, AccountID: a.AccountID, PartyID: p.ID, Role: r})
		return evs[0].Data.(*parley.MemberAdded).MemberID
	}
	member(w.Mediator, med, parley.RoleMediator)
	w.Reload(tb)
	member(w.HeadA, w.PartyA, parley.RoleHead)
	mDelegA := member(w.DelegA, w.PartyA, parley.RoleDelegate)
	member(w.HeadB, w.PartyB, parley.RoleHead)
	mDelegB := member(w.DelegB, w.PartyB, parley.RoleDelegate)
	mObs := member(w.Observer, obs, parley.RoleObserver)
	for _, k := range []parley.GroupKind{parley.GroupPolitical, parley.GroupMilitary, parley.GroupHumanitarian} {
		evs := w.Must(tb, w.Mediator, parley.CreateGroup{ProcessID: pid, Kind: k, Names: parley.Names{parley.English: string(k)}})
		d := evs[0].Data.(*parley.GroupCreated)
		w.Groups[k] = parley.WorkingGroup{ID: d.GroupID, ProcessID: pid, Kind: k, Names: d.Names, SpaceID: evs[1].Data.(*parley.SpaceOpened).SpaceID}
	}
	w.Must(tb, w.Mediator, parley.JoinGroup{GroupID: w.Groups[parley.GroupPolitical].ID, MemberID: mDelegA})
	w.Must(tb, w.Mediator, parley.JoinGroup{GroupID: w.Groups[parley.GroupHumanitarian].ID, MemberID: mDelegA})
	w.Must(tb, w.Mediator, parley.JoinGroup{GroupID: w.Groups[parley.GroupHumanitarian].ID, MemberID: mDelegB})
	w.Must(tb, w.Mediator, parley.JoinGroup{GroupID: w.Groups[parley.GroupHumanitarian].ID, MemberID: mObs})
	w.Reload(tb)
	var err error
	if w.Process, err = db.Process(ctx, w.Operator, pid); err != nil {
		tb.Fatal(err)
	}
	if w.Spaces, err = allSpaces(ctx, db, pid); err != nil {
		tb.Fatal(err)
	}
	return w
}

// allSpaces lists every space of a process, regardless of visibility, for
// tests that compare the SQL filter with the policy.
func allSpaces(ctx context.Context, db *store.DB, process string) ([]parley.Space, error) {
	rows, err := db.SQL().QueryContext(ctx, `SELECT id, process_id, kind, party_id, group_id, with_mediator FROM spaces WHERE process_id = $1`, process)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []parley.Space
	for rows.Next() {
		var s parley.Space
		var kind string
		if err := rows.Scan(&s.ID, &s.ProcessID, &kind, &s.PartyID, &s.GroupID, &s.WithMediator); err != nil {
			return nil, err
		}
		s.Kind = parley.SpaceKind(kind)
		out = append(out, s)
	}
	return out, rows.Err()
}

// SpaceOf returns the first space of w of kind k (and party, for caucuses).
func (w *World) SpaceOf(k parley.SpaceKind, party string) parley.Space {
	for _, s := range w.Spaces {
		if s.Kind == k && (party == "" || s.PartyID == party) {
			return s
		}
	}
	return parley.Space{}
}

// WithClock returns a service on w's writer whose clock is now.
func (w *World) WithClock(now func() time.Time) *service.Service {
	return service.New(w.DB, w.Writer, now, nil)
}

// NewWriterWorld returns w with a fresh writer and service on the same
// database, as after a restart of the server.
func NewWriterWorld(tb testing.TB, w *World) *World {
	tb.Helper()
	x := *w
	x.Writer = store.NewWriter(w.DB, nil)
	tb.Cleanup(x.Writer.Close)
	x.Service = service.New(w.DB, x.Writer, time.Now, nil)
	return &x
}
