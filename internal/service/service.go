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
	"errors"
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
	events, err := s.do(ctx, a, cmd, nil)
	s.metrics.commands.WithLabelValues(name, codeLabel(err)).Inc()
	if err == nil {
		s.metrics.events.Add(float64(len(events)))
		s.metrics.latency.Observe(time.Since(start).Seconds())
	}
	return events, err
}

func (s *Service) do(ctx context.Context, a parley.Actor, cmd parley.Command, sign Sign) ([]parley.Event, error) {
	if a.Anonymous() {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first.")
	}
	if err := cmd.Validate(); err != nil {
		return nil, err
	}
	return s.writer.Write(ctx, func(tx *store.Tx) ([]parley.Event, error) {
		env := parley.Env{Now: s.now(), NewID: NewID}
		evs, err := decide(tx, a, cmd, env)
		if err != nil || sign == nil {
			return evs, err
		}
		act, ok := parley.FirstSignable(evs)
		if !ok {
			return nil, parley.Errorf(parley.EINVALID, "Only formal acts are signed with a passkey.")
		}
		challenge, err := parley.ActChallenge(a.AccountID, act)
		if err != nil {
			return nil, err
		}
		sig, err := sign(challenge)
		if err != nil {
			return nil, err
		}
		act.Signing().Signature = sig
		return evs, nil
	})
}

// Sign signs a formal act: given the act's challenge (parley.ActChallenge
// of the event the act is recorded as), it returns its author's passkey
// signature over it, or an error that refuses the whole command. It runs
// inside the command's transaction and must do no I/O.
type Sign func(challenge []byte) (*parley.PasskeySignature, error)

// DoSigned executes cmd like Do and stores its author's passkey signature
// in the formal act it is recorded as. A signature made over anything
// else — another act, or this act before the state it depends on changed —
// refuses the command, and nothing is written.
func (s *Service) DoSigned(ctx context.Context, a parley.Actor, cmd parley.Command, sign Sign) ([]parley.Event, error) {
	if sign == nil {
		return nil, parley.Errorf(parley.EINVALID, "Nothing signs this act.")
	}
	start := time.Now()
	events, err := s.do(ctx, a, cmd, sign)
	s.metrics.commands.WithLabelValues(commandName(cmd), codeLabel(err)).Inc()
	if err == nil {
		s.metrics.events.Add(float64(len(events)))
		s.metrics.latency.Observe(time.Since(start).Seconds())
	}
	return events, err
}

// errPrepared rolls back a command decided only to learn its act.
var errPrepared = errors.New("service: prepared, not committed")

// Prepare decides cmd as actor a without committing it and returns the
// challenge a passkey signs to sign its formal act, with the act. The
// author signs it in the browser and gives the command again with the
// assertion (DoSigned); if anything the act depends on changes in
// between, the signature no longer matches and the command is refused.
func (s *Service) Prepare(ctx context.Context, a parley.Actor, cmd parley.Command) (parley.Signable, []byte, error) {
	if a.Anonymous() {
		return nil, nil, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first.")
	}
	if err := cmd.Validate(); err != nil {
		return nil, nil, err
	}
	var act parley.Signable
	var challenge []byte
	_, err := s.writer.Write(ctx, func(tx *store.Tx) ([]parley.Event, error) {
		env := parley.Env{Now: s.now(), NewID: NewID}
		evs, err := decide(tx, a, cmd, env)
		if err != nil {
			return nil, err
		}
		var ok bool
		if act, ok = parley.FirstSignable(evs); !ok {
			return nil, parley.Errorf(parley.EINVALID, "Only formal acts are signed with a passkey.")
		}
		if challenge, err = parley.ActChallenge(a.AccountID, act); err != nil {
			return nil, err
		}
		return nil, errPrepared
	})
	if !errors.Is(err, errPrepared) {
		return nil, nil, err
	}
	return act, challenge, nil
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
	if evs, ok, err := decideNotification(tx, a, cmd, env); ok {
		return evs, err
	}
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
