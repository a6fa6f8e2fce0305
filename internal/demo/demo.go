// Package demo loads the demo negotiation of `parley demo`: a process
// modelled on the Istanbul talks of 2025, with fictional people. The
// scenario is scenario.json; later capabilities add their part of the
// story to it. Everything is loaded through the one write path, as users
// would have done it.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

//go:embed scenario.json
var scenarioJSON []byte

// Scenario is the demo's story.
type Scenario struct {
	Process struct {
		Title       string        `json:"title"`
		Description string        `json:"description"`
		Languages   []parley.Lang `json:"languages"`
	} `json:"process"`
	Parties []struct {
		Key   string           `json:"key"`
		Kind  parley.PartyKind `json:"kind"`
		Names parley.Names     `json:"names"`
	} `json:"parties"`
	Accounts []Account `json:"accounts"`
	Groups   []struct {
		Key   string           `json:"key"`
		Kind  parley.GroupKind `json:"kind"`
		Names parley.Names     `json:"names"`
	} `json:"groups"`
	Rounds  []parley.ScheduleRound `json:"rounds"`
	Threads []struct {
		Space    string `json:"space"` // heads, group:<key>, party:<key>
		Title    string `json:"title"`
		Messages []struct {
			By   string `json:"by"`
			Text string `json:"text"`
		} `json:"messages"`
	} `json:"threads"`
}

// Account is a demo account and its place in the process.
type Account struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Role     string      `json:"role"` // operator, or a member role
	Party    string      `json:"party"`
	Locale   parley.Lang `json:"locale"`
	TimeZone string      `json:"timezone"`
	Groups   []string    `json:"groups"`
}

// Password returns the demo password of an account. Demo passwords are
// printed and public: the demo is for trying Parley, never for real talks.
func (a Account) Password() string {
	return "demo-" + strings.ReplaceAll(a.Username, ".", "-") + "-2025"
}

// Load reads the embedded scenario.
func Load() (*Scenario, error) {
	var s Scenario
	if err := json.Unmarshal(scenarioJSON, &s); err != nil {
		return nil, fmt.Errorf("demo: scenario: %w", err)
	}
	return &s, nil
}

// Install fills an empty database with the scenario. A database that
// already has accounts is left as it is (the demo keeps what its users did
// in it), and Install reports false.
func (s *Scenario) Install(ctx context.Context, db *store.DB, svc *service.Service, params auth.Params) (bool, error) {
	accs, err := db.Accounts(ctx)
	if err != nil {
		return false, err
	}
	if len(accs) > 0 {
		return false, nil
	}
	actors := map[string]parley.Actor{}
	for _, a := range s.Accounts {
		acc, hash, err := auth.NewAccount{Username: a.Username, DisplayName: a.Name, Password: a.Password(), Locale: a.Locale,
			TimeZone: a.TimeZone, Operator: a.Role == "operator", WaiveTOTP: true}.Prepare(service.NewID(), time.Now(), params)
		if err != nil {
			return false, fmt.Errorf("demo: account %s: %w", a.Username, err)
		}
		if err := db.CreateAccount(ctx, acc, hash); err != nil {
			return false, err
		}
		actors[a.Username] = parley.Actor{AccountID: acc.ID, Name: acc.DisplayName, Operator: acc.Operator}
	}
	do := func(by string, cmd parley.Command) ([]parley.Event, error) {
		a, err := db.Actor(ctx, actors[by].AccountID, "")
		if err != nil {
			return nil, err
		}
		evs, err := svc.Do(ctx, a, cmd)
		if err != nil {
			return nil, fmt.Errorf("demo: %T by %s: %w", cmd, by, err)
		}
		return evs, nil
	}
	evs, err := do("operator", parley.CreateProcess{Title: s.Process.Title, Description: s.Process.Description, Languages: s.Process.Languages})
	if err != nil {
		return false, err
	}
	pid := evs[0].Data.(*parley.ProcessCreated).ProcessID
	spaces := map[string]string{"heads": evs[2].Data.(*parley.SpaceOpened).SpaceID, "public": evs[1].Data.(*parley.SpaceOpened).SpaceID}
	parties := map[string]string{}
	for _, p := range s.Parties {
		evs, err := do("operator", parley.AddParty{ProcessID: pid, Kind: p.Kind, Names: p.Names})
		if err != nil {
			return false, err
		}
		parties[p.Key] = evs[0].Data.(*parley.PartyAdded).PartyID
		if len(evs) > 1 {
			spaces["party:"+p.Key] = evs[1].Data.(*parley.SpaceOpened).SpaceID
		}
	}
	members := map[string]string{}
	for _, a := range s.Accounts {
		if a.Role == "operator" {
			continue
		}
		evs, err := do("operator", parley.AddMember{ProcessID: pid, AccountID: actors[a.Username].AccountID, PartyID: parties[a.Party], Role: parley.Role(a.Role)})
		if err != nil {
			return false, err
		}
		members[a.Username] = evs[0].Data.(*parley.MemberAdded).MemberID
	}
	groups := map[string]string{}
	for _, g := range s.Groups {
		evs, err := do("mediator", parley.CreateGroup{ProcessID: pid, Kind: g.Kind, Names: g.Names})
		if err != nil {
			return false, err
		}
		groups[g.Key] = evs[0].Data.(*parley.GroupCreated).GroupID
		spaces["group:"+g.Key] = evs[1].Data.(*parley.SpaceOpened).SpaceID
	}
	for _, a := range s.Accounts {
		for _, g := range a.Groups {
			if _, err := do("mediator", parley.JoinGroup{GroupID: groups[g], MemberID: members[a.Username]}); err != nil {
				return false, err
			}
		}
	}
	for _, r := range s.Rounds {
		r.ProcessID = pid
		if _, err := do("mediator", r); err != nil {
			return false, err
		}
	}
	for _, t := range s.Threads {
		space, ok := spaces[t.Space]
		if !ok || len(t.Messages) == 0 {
			return false, fmt.Errorf("demo: thread %q: unknown space %q or no messages", t.Title, t.Space)
		}
		evs, err := do(t.Messages[0].By, parley.StartThread{SpaceID: space, Title: t.Title, Body: t.Messages[0].Text})
		if err != nil {
			return false, err
		}
		thread := evs[0].Data.(*parley.ThreadStarted).ThreadID
		for _, m := range t.Messages[1:] {
			if _, err := do(m.By, parley.PostMessage{ThreadID: thread, Body: m.Text}); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}
