package notify_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/notify"
	"github.com/parley-talks/parley/internal/storetest"
)

// smtpServer is a minimal SMTP listener for tests: it accepts every
// message and keeps it.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []mail
}

type mail struct {
	to   string
	data string
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 localhost test SMTP")
	var to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 localhost")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO"):
			to = strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>")
			say("250 OK")
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.mail = append(s.mail, mail{to: to, data: b.String()})
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 OK")
		}
	}
}

func (s *smtpServer) received() []mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mail(nil), s.mail...)
}

func TestNotifications(t *testing.T) {
	smtpd := startSMTP(t)
	db := storetest.OpenSQLite(t)
	hub := live.NewHub(256, nil)
	w := storetest.NewWorld(t, db, hub.Publish)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for acc, addr := range map[string]string{w.HeadB.AccountID: "head.b@example.org", w.DelegB.AccountID: "deleg.b@example.org", w.HeadA.AccountID: "head.a@example.org"} {
		if err := db.SetEmail(ctx, acc, addr); err != nil {
			t.Fatal(err)
		}
	}
	n := &notify.Notifier{DB: db, Mail: notify.Mailer{Addr: smtpd.ln.Addr().String(), From: "parley@example.org"},
		BaseURL: "https://parley.example.org", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
	go n.Run(ctx, hub)
	time.Sleep(50 * time.Millisecond) // let Run subscribe
	id := w.Submitted(t, storetest.Truce("Short truce"))
	waitFor(t, smtpd, 2)
	got := smtpd.received()
	to := map[string]bool{}
	for _, m := range got {
		to[m.to] = true
		if !strings.Contains(m.data, "/proposals/"+id) || !strings.Contains(m.data, "Short truce") {
			t.Errorf("mail to %s lacks the proposal: %q", m.to, m.data)
		}
	}
	// B's head and B's delegate in the humanitarian group; not A's head, who acted.
	if !to["head.b@example.org"] || !to["deleg.b@example.org"] || to["head.a@example.org"] {
		t.Errorf("recipients: %v", to)
	}
	// A question goes to A; a second instance's notifier sends nothing twice.
	evs := w.Must(t, w.DelegB, parley.AskClarification{ProposalID: id, Text: "Which segments?"})
	waitFor(t, smtpd, 3)
	if last := smtpd.received()[2]; last.to != "head.a@example.org" {
		t.Errorf("question notified %s", last.to)
	}
	if err := n.Handle(ctx, evs[0]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if got := len(smtpd.received()); got != 3 {
		t.Errorf("handling an event again sent %d mails in all, want 3", got)
	}
}

func waitFor(t *testing.T, s *smtpServer, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.received()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d mails received, want %d", len(s.received()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMeetingInvitations: convening a meeting mails an invitation with a
// calendar file to everyone who may read its space, but not to whoever
// convened it nor to anyone outside the group; a cancellation follows the
// same way, as a CANCEL the calendar program understands.
func TestMeetingInvitations(t *testing.T) {
	smtpd := startSMTP(t)
	db := storetest.OpenSQLite(t)
	hub := live.NewHub(256, nil)
	w := storetest.NewWorld(t, db, hub.Publish)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for acc, addr := range map[string]string{w.HeadB.AccountID: "head.b@example.org", w.DelegB.AccountID: "deleg.b@example.org",
		w.HeadA.AccountID: "head.a@example.org", w.Mediator.AccountID: "mediator@example.org"} {
		if err := db.SetEmail(ctx, acc, addr); err != nil {
			t.Fatal(err)
		}
	}
	n := &notify.Notifier{DB: db, Mail: notify.Mailer{Addr: smtpd.ln.Addr().String(), From: "parley@example.org"},
		BaseURL: "https://parley.example.org", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now}
	go n.Run(ctx, hub)
	time.Sleep(50 * time.Millisecond)
	evs := w.Must(t, w.Mediator, parley.ScheduleMeeting{SpaceID: w.GroupSpace(parley.GroupPolitical).ID, Title: "Political group, session 3",
		Start: time.Date(2026, 6, 2, 7, 0, 0, 0, time.UTC), Duration: 40, TimeZone: "Europe/Istanbul", CallURL: "https://call.example.org/p3",
		Agenda: []string{"Opening"}})
	id := evs[0].Data.(*parley.MeetingScheduled).MeetingID
	waitFor(t, smtpd, 2)
	time.Sleep(100 * time.Millisecond)
	got := smtpd.received()
	to := map[string]bool{}
	for _, m := range got {
		to[m.to] = true
		cal := attachment(t, m.data)
		if !strings.Contains(m.data, "method=REQUEST") || !strings.Contains(cal, "UID:"+id+"@parley.example.org") ||
			!strings.Contains(cal, "DTSTART:20260602T070000Z") || !strings.Contains(m.data, "/meetings/"+id) {
			t.Errorf("invitation to %s: %s\n%s", m.to, m.data, cal)
		}
	}
	if len(got) != 2 || !to["head.a@example.org"] || !to["head.b@example.org"] {
		t.Errorf("invited %v: want both heads, not the mediator who convened it nor a delegate outside the group", to)
	}
	w.Must(t, w.Mediator, parley.CancelMeeting{MeetingID: id})
	waitFor(t, smtpd, 4)
	for _, m := range smtpd.received()[2:] {
		if cal := attachment(t, m.data); !strings.Contains(m.data, "method=CANCEL") || !strings.Contains(cal, "STATUS:CANCELLED") || !strings.Contains(cal, "SEQUENCE:1") {
			t.Errorf("cancellation to %s: %s", m.to, cal)
		}
	}
}

// attachment decodes the calendar file of a mail and checks it parses.
func attachment(t *testing.T, data string) string {
	t.Helper()
	_, rest, ok := strings.Cut(data, "Content-Transfer-Encoding: base64\r\n\r\n")
	if !ok {
		t.Fatalf("no attachment in %q", data)
	}
	enc, _, _ := strings.Cut(rest, "\r\n--")
	b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(enc, "\r\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := goical.NewDecoder(bytes.NewReader(b)).Decode(); err != nil {
		t.Fatalf("the calendar file does not parse: %v\n%s", err, b)
	}
	return string(b)
}
