// Package service is the one write path of Parley.
//
// Every change to negotiation data is a [parley.Command] given to
// [Service.Do], which validates it, and then, inside the store's writer
// transaction, loads the state the command concerns, asks the pure decide
// function of the root package for the events (the policy is checked there),
// and has the store append them to the record and apply them to the read
// tables. Committed events are published to live subscribers by the store's
// writer after the commit. Nothing else writes negotiation data.
package service

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Service executes commands.
type Service struct {
	db      *store.DB
	writer  *store.Writer
	now     func() time.Time
	metrics *metrics
}

// New returns a service writing to db through w. now is the clock; reg, if
// not nil, receives the service's metrics.
func New(db *store.DB, w *store.Writer, now func() time.Time, reg prometheus.Registerer) *Service {
	return &Service{db: db, writer: w, now: now, metrics: newMetrics(reg)}
}

type metrics struct {
	commands *prometheus.CounterVec
	events   prometheus.Counter
	latency  prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_commands_total", Help: "Commands executed, by command and outcome code.",
		}, []string{"command", "code"}),
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_events_total", Help: "Events appended to the record.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "parley_command_seconds", Help: "Time from a command's arrival to its commit.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.commands, m.events, m.latency)
	}
	return m
}

// NewID returns a fresh opaque identifier: 16 random bytes in lower-case
// base32, so identifiers reveal neither order nor count.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("service: no randomness: " + err.Error())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// Do executes cmd as actor a and returns the events it was recorded as.
// Either all of them were committed, or none and the error says why.
func (s *Service) Do(ctx context.Context, a parley.Actor, cmd parley.Command) ([]parley.Event, error) {
	start := time.Now()
	name := commandName(cmd)
	events, err := s.do(ctx, a, cmd)
	s.metrics.commands.WithLabelValues(name, codeLabel(err)).Inc()
	if err == nil {
		s.metrics.events.Add(float64(len(events)))
		s.metrics.latency.Observe(time.Since(start).Seconds())
	}
	return events, err
}

func (s *Service) do(ctx context.Context, a parley.Actor, cmd parley.Command) ([]parley.Event, error) {
	if a.Anonymous() {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first.")
	}
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	return s.writer.Write(ctx, func(tx *store.Tx) ([]parley.Event, error) {
		env := parley.Env{Now: s.now(), NewID: NewID}
		return decide(tx, a, cmd, env)
	})
}

func commandName(cmd parley.Command) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", cmd), "parley.")
}

func codeLabel(err error) string {
	if err == nil {
		return "ok"
	}
	return parley.ErrorCode(err)
}

// decide loads what cmd concerns and asks the root package's decide
// function for its events. A new command is one case here and one decide
// function in the root package.
func decide(tx *store.Tx, a parley.Actor, cmd parley.Command, env parley.Env) ([]parley.Event, error) {
	switch c := cmd.(type) {
	case parley.CreateProcess:
		return parley.DecideCreateProcess(a, c, env)
	case parley.EditProcess:
		p, err := tx.Process(c.ProcessID)
		if err != nil {
			return nil, err
		}
		return parley.DecideEditProcess(a, p, c, env)
	case parley.AddParty:
		p, err := tx.Process(c.ProcessID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAddParty(a, p, c, env)
	case parley.RenameParty:
		p, err := tx.Party(c.PartyID)
		if err != nil {
			return nil, err
		}
		return parley.DecideRenameParty(a, p, c, env)
	case parley.AddMember:
		party, err := tx.Party(c.PartyID)
		if err != nil {
			return nil, err
		}
		ms, err := tx.Members(party.ProcessID)
		if err != nil {
			return nil, err
		}
		if _, err := tx.Account(c.AccountID); err != nil {
			return nil, err
		}
		return parley.DecideAddMember(a, party, ms, c, env)
	case parley.ChangeRole:
		m, err := tx.Member(c.MemberID)
		if err != nil {
			return nil, err
		}
		party, err := tx.Party(m.PartyID)
		if err != nil {
			return nil, err
		}
		ms, err := tx.Members(m.ProcessID)
		if err != nil {
			return nil, err
		}
		return parley.DecideChangeRole(a, party, ms, m, c, env)
	case parley.ScheduleRound:
		p, err := tx.Process(c.ProcessID)
		if err != nil {
			return nil, err
		}
		return parley.DecideScheduleRound(a, p, c, env)
	case parley.EditRound:
		r, err := tx.Round(c.RoundID)
		if err != nil {
			return nil, err
		}
		return parley.DecideEditRound(a, r, c, env)
	case parley.CreateGroup:
		p, err := tx.Process(c.ProcessID)
		if err != nil {
			return nil, err
		}
		return parley.DecideCreateGroup(a, p, c, env)
	case parley.RenameGroup:
		g, err := tx.Group(c.GroupID)
		if err != nil {
			return nil, err
		}
		return parley.DecideRenameGroup(a, g, c, env)
	case parley.JoinGroup:
		g, m, err := groupAndMember(tx, c.GroupID, c.MemberID)
		if err != nil {
			return nil, err
		}
		return parley.DecideJoinGroup(a, g, m, env)
	case parley.LeaveGroup:
		g, m, err := groupAndMember(tx, c.GroupID, c.MemberID)
		if err != nil {
			return nil, err
		}
		return parley.DecideLeaveGroup(a, g, m, env)
	case parley.StartThread:
		sp, err := visibleSpace(tx, a, c.SpaceID)
		if err != nil {
			return nil, err
		}
		return parley.DecideStartThread(a, sp, c, env)
	case parley.PostMessage:
		t, err := tx.Thread(c.ThreadID)
		if err != nil {
			return nil, err
		}
		sp, err := visibleSpace(tx, a, t.SpaceID)
		if err != nil {
			return nil, notFoundAs(err, "thread")
		}
		return parley.DecidePostMessage(a, sp, t, c, env)
	case parley.EditMessage:
		m, err := tx.Message(c.MessageID)
		if err != nil {
			return nil, err
		}
		sp, err := visibleSpace(tx, a, m.SpaceID)
		if err != nil {
			return nil, notFoundAs(err, "message")
		}
		return parley.DecideEditMessage(a, sp, m, c, env)
	}
	return decideProposal(tx, a, cmd, env)
}

// visibleSpace loads a space, and answers "not found" for a space a may not
// read: whether another party's caucus exists is none of a's business.
func visibleSpace(tx *store.Tx, a parley.Actor, id string) (parley.Space, error) {
	sp, err := tx.Space(id)
	if err != nil {
		return sp, err
	}
	if !parley.Allowed(a, parley.ActRead, sp) {
		return parley.Space{}, parley.Errorf(parley.ENOTFOUND, "No such space.")
	}
	return sp, nil
}

func notFoundAs(err error, what string) error {
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return parley.Errorf(parley.ENOTFOUND, "No such %s.", what)
	}
	return err
}

func groupAndMember(tx *store.Tx, group, member string) (parley.WorkingGroup, parley.Member, error) {
	g, err := tx.Group(group)
	if err != nil {
		return g, parley.Member{}, err
	}
	m, err := tx.Member(member)
	return g, m, err
}

// WithClock returns the service reading time from now instead: the demo
// uses it to lay out a history over past weeks, and tests to move time.
func (s *Service) WithClock(now func() time.Time) *Service {
	x := *s
	x.now = now
	return &x
}
