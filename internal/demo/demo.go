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
	Rounds         []parley.ScheduleRound `json:"rounds"`
	Authorisations []struct {
		By     string `json:"by"`
		Member string `json:"member"`
		Group  string `json:"group"`
	} `json:"authorisations"`
	Proposals  []Proposal  `json:"proposals"`
	Memoranda  []Memo      `json:"memoranda"`
	Meetings   []Meeting   `json:"meetings"`
	Statements []Statement `json:"statements"`
	Remains    []Remains   `json:"remains"`
	Threads    []struct {
		Space    string `json:"space"` // heads, group:<key>, party:<key>
		Title    string `json:"title"`
		Messages []struct {
			By   string `json:"by"`
			Text string `json:"text"`
		} `json:"messages"`
	} `json:"threads"`

	signer *signer // the demo's software security key, made when a step is signed
}

// Proposal is a proposal of the story with the acts that followed it,
// laid out over the past weeks; times are relative to the installation.
type Proposal struct {
	Group          string              `json:"group"`
	By             string              `json:"by"`
	To             string              `json:"to"` // party key
	Kind           parley.ProposalKind `json:"kind"`
	Title          string              `json:"title"`
	Texts          parley.Texts        `json:"texts"`
	Details        parley.Details      `json:"details"`
	DraftedDaysAgo int                 `json:"drafted_days_ago"`
	DeadlineDays   int                 `json:"deadline_days"`   // from now; 0: none
	StartsInDays   int                 `json:"starts_in_days"`  // a truce's start
	StartsInHours  int                 `json:"starts_in_hours"` // a truce's start, when it is hours away (or ago)
	WindowInDays   []int               `json:"window_in_days"`  // a meeting's window
	Steps          []Step              `json:"steps"`
}

// Step is an act on a demo proposal.
type Step struct {
	Act          string         `json:"act"` // submit, acknowledge, ask, answer, counter, accept, reject, withdraw, comment, stage
	By           string         `json:"by"`
	DaysAgo      int            `json:"days_ago"`
	Text         string         `json:"text"`
	Title        string         `json:"title"` // of a counter-proposal
	Texts        parley.Texts   `json:"texts"`
	Details      parley.Details `json:"details"`
	StartsInDays int            `json:"starts_in_days"`
	// Of an accepted truce: a violation's time after the truce's start, its
	// place, and an answer (acknowledged, disputed, verification).
	AfterStartHours float64   `json:"after_start_hours"`
	Where           []float64 `json:"where"`
	Answer          string    `json:"answer"`
	// Signed: the act is signed with its author's passkey (the demo's
	// software security key).
	Signed bool `json:"signed"`
	// Of an accepted exchange: a stage the mediator plans, its date in
	// days from the installation, and the number of each category.
	DateInDays int                 `json:"date_in_days"`
	Counts     []parley.StageCount `json:"counts"`
}

// Memo is a memorandum of the story: its clauses, tabled by its author
// unless a clause says otherwise, then the acts that followed, laid out
// over the past days.
type Memo struct {
	Key       string          `json:"key"`
	Space     string          `json:"space"` // party:<key>, group:<key>
	By        string          `json:"by"`
	DaysAgo   int             `json:"days_ago"`
	Title     string          `json:"title"`
	Mode      parley.MemoMode `json:"mode"`
	Languages []parley.Lang   `json:"languages"`
	Clauses   []struct {
		Key    string            `json:"key"`
		Parent string            `json:"parent"` // a section's key
		Kind   parley.ClauseKind `json:"kind"`
		By     string            `json:"by"`
		Texts  parley.Texts      `json:"texts"`
	} `json:"clauses"`
	Steps []MemoStep `json:"steps"`
}

// MemoStep is an act on a demo memorandum.
type MemoStep struct {
	Act     string             `json:"act"` // table, stance, agree, change, confirm, version, share
	By      string             `json:"by"`
	DaysAgo int                `json:"days_ago"`
	Clause  string             `json:"clause"` // key
	Alt     string             `json:"alt"`    // key of an alternative, tabled or answered
	Kind    parley.BracketKind `json:"kind"`
	Texts   parley.Texts       `json:"texts"`
	Stance  parley.Stance      `json:"stance"`
	Lang    parley.Lang        `json:"lang"`
	Text    string             `json:"text"`
	Name    string             `json:"name"`
	Space   string             `json:"space"` // where a draft is shared: group:<key>
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
	for _, au := range s.Authorisations {
		if _, err := do(au.By, parley.AuthoriseDelegate{GroupID: groups[au.Group], MemberID: members[au.Member]}); err != nil {
			return false, err
		}
	}
	now := time.Now().UTC()
	for _, p := range s.Proposals {
		if err := s.installProposal(ctx, db, svc, actors, groups, parties, p, now); err != nil {
			return false, err
		}
	}
	if s.signer != nil {
		if err := s.signer.done(ctx, db); err != nil {
			return false, err
		}
		s.signer = nil
	}
	if err := installLists(ctx, db, svc, actors, groups, parties); err != nil {
		return false, err
	}
	for _, m := range s.Memoranda {
		if err := installMemo(ctx, db, svc, actors, spaces, m, now); err != nil {
			return false, err
		}
	}
	for _, m := range s.Meetings {
		if err := installMeeting(ctx, db, svc, actors, spaces, parties, m, now); err != nil {
			return false, err
		}
	}
	for _, st := range s.Statements {
		if err := installStatement(ctx, db, svc, actors, spaces, st, now); err != nil {
			return false, err
		}
	}
	if err := installRemains(ctx, db, svc, actors, groups, parties, s.Remains, now); err != nil {
		return false, err
	}
	if err := installNotifications(ctx, db, svc, actors, groups, now); err != nil {
		return false, err
	}
	return true, nil
}

// installMemo opens m, tables its clauses and performs its steps, each by
// the clock of its day.
func installMemo(ctx context.Context, db *store.DB, svc *service.Service, actors map[string]parley.Actor, spaces map[string]string,
	m Memo, now time.Time) error {
	n := 0
	at := func(daysAgo int) *service.Service {
		n++
		t := now.Add(-time.Duration(daysAgo)*24*time.Hour + time.Duration(n)*time.Minute)
		return svc.WithClock(func() time.Time { return t })
	}
	do := func(clock *service.Service, by string, cmd parley.Command) ([]parley.Event, error) {
		a, err := db.Actor(ctx, actors[by].AccountID, "")
		if err != nil {
			return nil, err
		}
		evs, err := clock.Do(ctx, a, cmd)
		if err != nil {
			return nil, fmt.Errorf("demo: memorandum %q: %T by %s: %w", m.Title, cmd, by, err)
		}
		return evs, nil
	}
	space, ok := spaces[m.Space]
	if !ok {
		return fmt.Errorf("demo: memorandum %q: unknown space %q", m.Title, m.Space)
	}
	evs, err := do(at(m.DaysAgo), m.By, parley.CreateMemo{SpaceID: space, Title: m.Title, Mode: m.Mode, Languages: m.Languages})
	if err != nil {
		return err
	}
	memo := evs[0].Data.(*parley.MemoCreated).MemoID
	clauses, alts := map[string]string{}, map[string]string{}
	siblings := map[string]int{}
	for _, c := range m.Clauses {
		by := c.By
		if by == "" {
			by = m.By
		}
		evs, err := do(at(m.DaysAgo), by, parley.AddClause{MemoID: memo, ParentID: clauses[c.Parent], Kind: c.Kind,
			Position: siblings[c.Parent], Texts: c.Texts})
		if err != nil {
			return err
		}
		siblings[c.Parent]++
		clauses[c.Key] = evs[0].Data.(*parley.ClauseAdded).ClauseID
	}
	// version returns the current version of a clause, for an edit.
	version := func(by, clause string) (int, error) {
		a, err := db.Actor(ctx, actors[by].AccountID, "")
		if err != nil {
			return 0, err
		}
		_, items, err := db.Memo(ctx, a, memo)
		if err != nil {
			return 0, err
		}
		for _, it := range items {
			if it.ID == clause {
				return it.Version, nil
			}
		}
		return 0, fmt.Errorf("demo: memorandum %q: no clause %s", m.Title, clause)
	}
	for _, st := range m.Steps {
		var cmd parley.Command
		switch st.Act {
		case "table":
			cmd = parley.TableAlternative{ClauseID: clauses[st.Clause], Kind: st.Kind, Texts: st.Texts}
		case "stance":
			cmd = parley.TakeStance{AlternativeID: alts[st.Alt], Stance: st.Stance}
		case "agree":
			cmd = parley.AgreeClause{ClauseID: clauses[st.Clause]}
		case "change":
			v, err := version(st.By, clauses[st.Clause])
			if err != nil {
				return err
			}
			cmd = parley.ChangeClauseText{ClauseID: clauses[st.Clause], Lang: st.Lang, Text: st.Text, Version: v}
		case "confirm":
			cmd = parley.ConfirmTranslation{ClauseID: clauses[st.Clause], Lang: st.Lang}
		case "version":
			cmd = parley.NameVersion{MemoID: memo, Name: st.Name}
		case "share":
			cmd = parley.ShareMemo{MemoID: memo, SpaceID: spaces[st.Space]}
		default:
			return fmt.Errorf("demo: memorandum %q: unknown act %q", m.Title, st.Act)
		}
		evs, err := do(at(st.DaysAgo), st.By, cmd)
		if err != nil {
			return err
		}
		if t, ok := evs[0].Data.(*parley.AlternativeTabled); ok {
			alts[st.Alt] = t.AlternativeID
		}
	}
	return nil
}

// installProposal drafts p and performs its steps, each by the clock of
// its day.
func (s *Scenario) installProposal(ctx context.Context, db *store.DB, svc *service.Service, actors map[string]parley.Actor,
	groups, parties map[string]string, p Proposal, now time.Time) error {
	at := func(daysAgo, n int) *service.Service {
		t := now.Add(-time.Duration(daysAgo)*24*time.Hour + time.Duration(n)*time.Minute)
		return svc.WithClock(func() time.Time { return t })
	}
	do := func(clock *service.Service, by string, cmd parley.Command) ([]parley.Event, error) {
		a, err := db.Actor(ctx, actors[by].AccountID, "")
		if err != nil {
			return nil, err
		}
		evs, err := clock.Do(ctx, a, cmd)
		if err != nil {
			return nil, fmt.Errorf("demo: proposal %q: %T by %s: %w", p.Title, cmd, by, err)
		}
		return evs, nil
	}
	in := parley.ProposalInput{Kind: p.Kind, Title: p.Title, Texts: p.Texts, Details: withDates(p.Details, p.StartsInDays, p.WindowInDays, now)}
	if p.StartsInHours != 0 && in.Details.Truce != nil {
		t := *in.Details.Truce
		t.Starts = now.Add(time.Duration(p.StartsInHours) * time.Hour).Truncate(time.Hour)
		in.Details.Truce = &t
	}
	if p.DeadlineDays > 0 {
		in.Deadline = now.Add(time.Duration(p.DeadlineDays) * 24 * time.Hour).Truncate(time.Hour)
	}
	evs, err := do(at(p.DraftedDaysAgo, 0), p.By, parley.DraftProposal{GroupID: groups[p.Group], ToParty: parties[p.To], ProposalInput: in})
	if err != nil {
		return err
	}
	id := evs[0].Data.(*parley.ProposalDrafted).ProposalID
	var question, violation string
	for i, st := range p.Steps {
		var cmd parley.Command
		clock := at(st.DaysAgo, i+1)
		afterStart := func(h float64) *service.Service {
			t := in.Details.Truce.Starts.Add(time.Duration(h * float64(time.Hour)))
			return svc.WithClock(func() time.Time { return t })
		}
		switch st.Act {
		case "notify":
			cmd = parley.ConfirmNotified{TruceID: id}
		case "activate":
			// The server's own loop, at the truce's start.
			if _, err := afterStart(0).TimeTruces(ctx); err != nil {
				return fmt.Errorf("demo: proposal %q: activate: %w", p.Title, err)
			}
			continue
		case "violation":
			if len(st.Where) != 2 {
				return fmt.Errorf("demo: proposal %q: a violation needs where", p.Title)
			}
			cmd = parley.ReportViolation{TruceID: id, At: in.Details.Truce.Starts.Add(time.Duration(st.AfterStartHours * float64(time.Hour))),
				Where: parley.Point{st.Where[0], st.Where[1]}, Description: st.Text}
			clock = afterStart(st.AfterStartHours + 0.5)
		case "respond":
			cmd = parley.AnswerViolation{ViolationID: violation, Answer: st.Answer, Text: st.Text}
			clock = afterStart(st.AfterStartHours)
		case "stage":
			cmd = parley.PlanStage{ExchangeID: id, Date: now.AddDate(0, 0, st.DateInDays).Format(time.DateOnly), Counts: st.Counts}
		case "submit":
			cmd = parley.SubmitProposal{ProposalID: id}
		case "acknowledge":
			cmd = parley.AcknowledgeProposal{ProposalID: id}
		case "ask":
			cmd = parley.AskClarification{ProposalID: id, Text: st.Text}
		case "answer":
			cmd = parley.AnswerClarification{ProposalID: id, QuestionID: question, Text: st.Text}
		case "counter":
			cmd = parley.CounterProposal{ProposalID: id, ProposalInput: parley.ProposalInput{Kind: p.Kind, Title: st.Title, Texts: st.Texts,
				Details: withDates(st.Details, st.StartsInDays, nil, now)}}
		case "accept":
			cmd = parley.AcceptProposal{ProposalID: id, Reason: st.Text}
		case "reject":
			cmd = parley.RejectProposal{ProposalID: id, Reason: st.Text}
		case "withdraw":
			cmd = parley.WithdrawProposal{ProposalID: id, Reason: st.Text}
		case "comment":
			cmd = parley.CommentProposal{ProposalID: id, Text: st.Text}
		default:
			return fmt.Errorf("demo: proposal %q: unknown act %q", p.Title, st.Act)
		}
		var evs []parley.Event
		var err error
		if st.Signed {
			evs, err = s.signed(ctx, db, clock, actors[st.By], cmd)
		} else {
			evs, err = do(clock, st.By, cmd)
		}
		if err != nil {
			return err
		}
		switch d := evs[0].Data.(type) {
		case *parley.ClarificationAsked:
			question = d.QuestionID
		case *parley.ViolationReported:
			violation = d.ViolationID
		}
	}
	return nil
}

// signed runs a step signed with its author's demo passkey.
func (s *Scenario) signed(ctx context.Context, db *store.DB, svc *service.Service, by parley.Actor, cmd parley.Command) ([]parley.Event, error) {
	if s.signer == nil {
		g, err := newSigner()
		if err != nil {
			return nil, err
		}
		s.signer = g
	}
	a, err := db.Actor(ctx, by.AccountID, "")
	if err != nil {
		return nil, err
	}
	evs, err := s.signer.do(ctx, db, svc, a, cmd)
	if err != nil {
		return nil, fmt.Errorf("demo: signed %T by %s: %w", cmd, by.Name, err)
	}
	return evs, nil
}

// withDates sets a truce's start and a meeting's window relative to now.
func withDates(d parley.Details, startsInDays int, window []int, now time.Time) parley.Details {
	day := func(n int) time.Time { return now.Add(time.Duration(n) * 24 * time.Hour).Truncate(24 * time.Hour) }
	if d.Truce != nil && startsInDays > 0 {
		t := *d.Truce
		t.Starts = day(startsInDays).Add(4 * time.Hour)
		d.Truce = &t
	}
	if d.Meeting != nil && len(window) == 2 {
		m := *d.Meeting
		m.From, m.To = day(window[0]).Format(time.DateOnly), day(window[1]).Format(time.DateOnly)
		d.Meeting = &m
	}
	return d
}
