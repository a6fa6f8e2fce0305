package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/client"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// These tests run the real program through run(), as main does, with a
// temporary database: the demo server on 127.0.0.1:0 driven through the Go
// client, and the operator's commands.

// syncBuffer is a bytes.Buffer safe for the program and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func noEnv(string) string { return "" }

// program is a running `parley demo`.
type program struct {
	url    string
	data   string // its data directory
	stderr *syncBuffer
}

// startDemo runs `parley demo` on a free port with a fresh database and
// returns once it listens. Cleanup stops it by cancelling its context and
// checks that it shut down gracefully: run returns nil, promptly.
func startDemo(t *testing.T) *program {
	t.Helper()
	dir := t.TempDir()
	p, stdout := startProgram(t, dir, "--log-level", "warn", "demo", "--addr", "127.0.0.1:0", "--data", dir)
	if !strings.Contains(stdout.String(), "demo-head-ua-2025") {
		t.Errorf("demo output does not list the demo accounts:\n%s", stdout.String())
	}
	return p
}

// startProgram runs parley with args until it says where it listens, and
// returns it with its standard output so far. dir is its data directory.
// Cleanup stops it by cancelling its context and checks that it shut down
// gracefully: run returns nil, promptly.
func startProgram(t *testing.T, dir string, args ...string) (*program, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr := new(syncBuffer)
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, noEnv, strings.NewReader(""), pw, stderr)
		pw.Close()
		done <- err
	}()
	urls := make(chan string, 1)
	stdout := new(syncBuffer)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			stdout.Write([]byte(line + "\n"))
			if _, u, ok := strings.Cut(line, "Parley is listening on "); ok {
				urls <- strings.TrimSpace(u)
			}
		}
		io.Copy(io.Discard, pr) // never block the program
	}()
	p := &program{data: dir, stderr: stderr}
	select {
	case p.url = <-urls:
	case err := <-done:
		cancel()
		t.Fatalf("parley %s ended before listening: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("parley %s did not listen within 60s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), stdout.String(), stderr.String())
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run after cancel = %v, want nil (graceful shutdown)", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("run did not return within 20s of cancel")
		}
		if t.Failed() {
			t.Logf("stderr of parley %s:\n%s", strings.Join(args, " "), stderr.String())
		}
	})
	return p, stdout
}

// session is a client signed in as a demo account, with the HTTP client
// it uses, for pages of the web application.
type session struct {
	*client.Client
	hc *http.Client
}

// login signs in as the demo account username.
func (p *program) login(t *testing.T, username string) session {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	c := client.New(p.url, client.WithHTTPClient(hc))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Login(ctx, username, "demo-"+strings.ReplaceAll(username, ".", "-")+"-2025"); err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return session{c, hc}
}

// lastSeq reads the size of the record from the program's database.
func (p *program) lastSeq(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(p.data, "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// outcome is the result of a call that must succeed: try(f()).must(t).
type outcome[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) outcome[T] { return outcome[T]{v, err} }

// must fails the test on the call's error and returns its value.
func (o outcome[T]) must(t *testing.T) T {
	t.Helper()
	if o.err != nil {
		t.Fatal(o.err)
	}
	return o.v
}

// wantError checks that err is a *client.Error with status and code.
func wantError(t *testing.T, what string, err error, status int, code string) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: error = %v, want a *client.Error %d %s", what, err, status, code)
		return nil
	}
	if e.Status != status || e.Code != code {
		t.Errorf("%s: got %d %s (%q), want %d %s", what, e.Status, e.Code, e.Message, status, code)
	}
	return e
}

// pageStatus returns the status of GET path as the session's browser.
func (s session) pageStatus(t *testing.T, base, path string) int {
	t.Helper()
	hc := *s.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := hc.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// caucus describes the Russian delegation's caucus as its head sees it.
type caucus struct {
	process string
	space   string
	thread  string
	message string // a message of head.ru there
	group   string // the humanitarian group's space, shared with Ukraine's delegation
	gthread string // a thread in it
}

func findCaucus(t *testing.T, ctx context.Context, ru session) caucus {
	t.Helper()
	me := try(ru.Me(ctx)).must(t)
	if len(me.Members) != 1 {
		t.Fatalf("head.ru memberships = %+v, want one", me.Members)
	}
	var c caucus
	c.process = me.Members[0].ProcessID
	d := try(ru.Process(ctx, c.process)).must(t)
	for _, sp := range try(ru.Spaces(ctx, c.process)).must(t) {
		if sp.Kind == parley.SpaceParty && sp.PartyID == me.Members[0].PartyID {
			c.space = sp.ID
		}
	}
	for _, g := range d.Groups {
		if g.Kind == parley.GroupHumanitarian {
			c.group = g.SpaceID
		}
	}
	if c.space == "" || c.group == "" {
		t.Fatalf("head.ru sees no caucus or no humanitarian group: %+v", c)
	}
	ts := try(ru.Threads(ctx, c.space)).must(t)
	if len(ts) == 0 {
		t.Fatal("the Russian caucus has no thread")
	}
	c.thread = ts[0].ID
	for _, m := range try(ru.Messages(ctx, c.thread)).must(t) {
		if m.AuthorID == me.Account.ID {
			c.message = m.ID
		}
	}
	gts := try(ru.Threads(ctx, c.group)).must(t)
	if c.message == "" || len(gts) == 0 {
		t.Fatalf("no message of head.ru in the caucus, or no thread in the group: %+v", c)
	}
	c.gthread = gts[0].ID
	return c
}

func TestRunDemo(t *testing.T) {
	// A live stream left open: the shutdown must end it, not wait for it.
	// This cleanup runs after the one of startDemo, once run returned.
	streamEnded := make(chan struct{})
	streaming := false
	t.Cleanup(func() {
		if !streaming {
			return
		}
		select {
		case <-streamEnded:
		case <-time.After(5 * time.Second):
			t.Errorf("a live stream outlived the server")
		}
	})
	p := startDemo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	ru := p.login(t, "head.ru")
	delegate := p.login(t, "delegate.ua")
	head := p.login(t, "head.ua")
	operator := p.login(t, "operator")
	b := findCaucus(t, ctx, ru)

	tok := try(delegate.CreateToken(ctx, "caucus probe", b.process)).must(t)
	delegateToken := client.New(p.url, client.WithToken(tok.Secret))

	open := try(delegate.Stream(context.Background(), -1, "")).must(t)
	streaming = true
	go func() {
		for range open {
		}
		close(streamEnded)
	}()

	t.Run("caucus of another party", func(t *testing.T) {
		viewers := []struct {
			name string
			c    *client.Client
			web  *session // nil for a token, which has no pages to test apart
		}{
			{"delegate.ua", delegate.Client, &delegate},
			{"head.ua", head.Client, &head},
			{"delegate.ua with a token", delegateToken, nil},
		}
		for _, v := range viewers {
			t.Run(v.name, func(t *testing.T) {
				testCaucusHidden(t, ctx, p, ru, v.c, v.web, b)
			})
		}
	})
	t.Run("live stream of another party", func(t *testing.T) {
		testStreamHidden(t, ctx, ru, map[string]*client.Client{"delegate.ua": delegate.Client, "head.ua": head.Client}, b)
	})
	t.Run("live stream after leaving a group", func(t *testing.T) {
		testStreamAfterLeaving(t, ctx, ru, head, delegate.Client, b)
	})
	t.Run("errors", func(t *testing.T) { testErrors(t, ctx, p, ru, head, operator, b) })
	t.Run("tokens", func(t *testing.T) { testTokens(t, ctx, p, head, b) })
	t.Run("openapi", func(t *testing.T) { testOpenAPI(t, ctx, p) })
	t.Run("operations", func(t *testing.T) { testOperations(t, ctx, p) })
}

// testCaucusHidden proves that viewer, of party A, can neither read, list,
// receive nor write into party B's caucus, by its id or by guessing, and
// that the answers do not tell an existing hidden object from none.
func testCaucusHidden(t *testing.T, ctx context.Context, p *program, ru session, viewer *client.Client, web *session, b caucus) {
	// What head.ru sees works: the 404s below are about who asks.
	ruThreads := try(ru.Threads(ctx, b.space)).must(t)
	ruMessages := try(ru.Messages(ctx, b.thread)).must(t)

	guess := service.NewID()
	type probe struct {
		name string
		do   func(id string) error
		id   string // B's real object
	}
	probes := []probe{
		{"list threads of the space", func(id string) error { _, err := viewer.Threads(ctx, id); return err }, b.space},
		{"list messages of a thread", func(id string) error { _, err := viewer.Messages(ctx, id); return err }, b.thread},
		{"revisions of a message", func(id string) error { _, err := viewer.Revisions(ctx, id); return err }, b.message},
		{"mark a thread read", func(id string) error { return viewer.MarkRead(ctx, id, 1) }, b.thread},
		{"start a thread in the space", func(id string) error {
			_, err := viewer.StartThread(ctx, parley.StartThread{SpaceID: id, Title: "Planted", Body: "A message that must not be written."})
			return err
		}, b.space},
		{"post to a thread", func(id string) error {
			_, err := viewer.PostMessage(ctx, parley.PostMessage{ThreadID: id, Body: "A message that must not be written."})
			return err
		}, b.thread},
		{"edit a message", func(id string) error {
			_, err := viewer.EditMessage(ctx, parley.EditMessage{MessageID: id, Body: "Rewritten.", Version: 1})
			return err
		}, b.message},
		{"stream the space", func(id string) error {
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			_, err := viewer.Stream(sctx, -1, id)
			return err
		}, b.space},
	}
	before := p.lastSeq(t)
	for _, pr := range probes {
		real := pr.do(pr.id)
		e := wantError(t, pr.name+" of B", real, http.StatusNotFound, parley.ENOTFOUND)
		guessed := pr.do(guess)
		g := wantError(t, pr.name+" with a guessed id", guessed, http.StatusNotFound, parley.ENOTFOUND)
		if e != nil && g != nil && (e.Message != g.Message || len(e.Fields) != len(g.Fields)) {
			t.Errorf("%s: a hidden object answers %q, a missing one %q: the answer reveals existence", pr.name, e.Message, g.Message)
		}
	}
	if after := p.lastSeq(t); after != before {
		t.Errorf("the record grew from %d to %d entries while only refused commands were given", before, after)
	}
	if got := try(ru.Threads(ctx, b.space)).must(t); len(got) != len(ruThreads) {
		t.Errorf("head.ru sees %d threads in the caucus, had %d", len(got), len(ruThreads))
	}
	if got := try(ru.Messages(ctx, b.thread)).must(t); !reflect.DeepEqual(got, ruMessages) {
		t.Errorf("the messages of B's thread changed:\n%+v\nwere\n%+v", got, ruMessages)
	}

	me := try(viewer.Me(ctx)).must(t)
	own := false
	for _, sp := range try(viewer.Spaces(ctx, b.process)).must(t) {
		if sp.ID == b.space {
			t.Errorf("the spaces of %s include B's caucus", me.Account.Username)
		}
		own = own || sp.Kind == parley.SpaceParty && sp.PartyID == me.Members[0].PartyID
	}
	if !own {
		t.Errorf("the spaces of %s lack its own caucus", me.Account.Username)
	}

	evs := allEvents(t, ctx, viewer)
	if len(evs) == 0 {
		t.Fatal("the viewer sees no event at all")
	}
	for _, e := range evs {
		if e.Space == b.space || strings.Contains(string(e.Raw), b.thread) || strings.Contains(string(e.Raw), b.message) {
			t.Errorf("GET /api/v1/events shows an event of B's caucus: %d %s %s", e.Seq, e.Type, e.Raw)
		}
	}

	if web != nil {
		for _, path := range []string{"/s/" + b.space, "/t/" + b.thread, "/t/" + b.thread + "/messages",
			"/m/" + b.message + "/edit", "/m/" + b.message + "/history", "/s/" + guess} {
			if got := web.pageStatus(t, p.url, path); got != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, got)
			}
		}
	}
}

// allEvents pages through GET /api/v1/events.
func allEvents(t *testing.T, ctx context.Context, c *client.Client) []client.Event {
	t.Helper()
	var out []client.Event
	after := int64(0)
	for {
		evs := try(c.Events(ctx, after, 1000)).must(t)
		if len(evs) == 0 {
			return out
		}
		out = append(out, evs...)
		after = evs[len(evs)-1].Seq
	}
}

// testStreamHidden has head.ru post in B's caucus and then in a group space
// shared with party A while A's members listen: the shared event arrives,
// and B's, committed before it, never does. Events arrive in record order,
// so waiting for the later one is enough.
func testStreamHidden(t *testing.T, ctx context.Context, ru session, viewers map[string]*client.Client, b caucus) {
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	live := map[string]<-chan client.Event{}
	for name, v := range viewers {
		live[name] = try(v.Stream(sctx, -1, "")).must(t)
	}
	ruLive := try(ru.Stream(sctx, -1, "")).must(t)

	secret := try(ru.PostMessage(ctx, parley.PostMessage{ThreadID: b.thread, Body: "Caucus only: our fallback position."})).must(t)
	shared := try(ru.PostMessage(ctx, parley.PostMessage{ThreadID: b.gthread, Body: "For the working group."})).must(t)

	got := func(name string, ch <-chan client.Event, want int64) []client.Event {
		t.Helper()
		var seen []client.Event
		for {
			select {
			case e, ok := <-ch:
				if !ok {
					t.Fatalf("%s: stream ended before event %d", name, want)
				}
				seen = append(seen, e)
				if e.Seq == want {
					return seen
				}
			case <-sctx.Done():
				t.Fatalf("%s: event %d not received; got %+v", name, want, seen)
			}
		}
	}
	// head.ru receives both: the stream works, and the caucus event exists.
	ruSeen := got("head.ru", ruLive, shared.Seq)
	if ruSeen[0].Seq != secret.Seq || ruSeen[0].Space != b.space {
		t.Errorf("head.ru's stream begins with %+v, want its caucus message %d", ruSeen[0], secret.Seq)
	}
	for name, ch := range live {
		seen := got(name, ch, shared.Seq)
		for _, e := range seen {
			if e.Seq == secret.Seq || e.Space == b.space {
				t.Errorf("%s received B's caucus event %d over SSE: %+v", name, e.Seq, e)
			}
		}
		last := seen[len(seen)-1]
		if last.Space != b.group || last.Type != "message.posted" {
			t.Errorf("%s: the shared event arrived as %+v, want message.posted in space %s", name, last, b.group)
		}
		if m, ok := last.Data.(*parley.MessagePosted); !ok || m.MessageID != shared.ID {
			t.Errorf("%s: the shared event's data = %#v, want the message %s", name, last.Data, shared.ID)
		}
	}

	viewer := viewers["delegate.ua"]
	// Resuming from the record replays what the viewer may see, and only that.
	replay := try(viewer.Stream(sctx, 0, "")).must(t)
	for _, e := range got("delegate.ua replay", replay, shared.Seq) {
		if e.Space == b.space {
			t.Errorf("the replay to delegate.ua holds B's caucus event %d", e.Seq)
		}
	}
	// A stream narrowed to the shared space holds only it.
	narrow := try(viewer.Stream(sctx, secret.Seq-1, b.group)).must(t)
	for _, e := range got("delegate.ua ?space=", narrow, shared.Seq) {
		if e.Space != b.group {
			t.Errorf("the stream of space %s sent event %d of space %q", b.group, e.Seq, e.Space)
		}
	}
}

// testStreamAfterLeaving takes delegate.ua out of the humanitarian group
// while its stream is open: the events of the group posted afterwards must
// not reach it, on that stream or after it reconnects from where it was.
func testStreamAfterLeaving(t *testing.T, ctx context.Context, ru, head session, viewer *client.Client, b caucus) {
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	me := try(viewer.Me(ctx)).must(t)
	member := me.Members[0].MemberID
	d := try(head.Process(ctx, b.process)).must(t)
	var group string
	for _, g := range d.Groups {
		if g.SpaceID == b.group {
			group = g.ID
		}
	}
	stream := try(viewer.Stream(sctx, -1, "")).must(t)

	left := try(head.LeaveGroup(ctx, parley.LeaveGroup{GroupID: group, MemberID: member})).must(t)
	t.Cleanup(func() {
		if _, err := head.JoinGroup(context.Background(), parley.JoinGroup{GroupID: group, MemberID: member}); err != nil {
			t.Errorf("put delegate.ua back into the group: %v", err)
		}
	})
	hidden := try(ru.PostMessage(ctx, parley.PostMessage{ThreadID: b.gthread, Body: "After delegate.ua left."})).must(t)
	marker := try(head.StartThread(ctx, parley.StartThread{SpaceID: ownCaucus(t, ctx, head.Client, b.process), Title: "Marker", Body: "Seen by the delegation."})).must(t)

	// Read until the marker, reconnecting from the last event seen when
	// the server ends the stream, as a browser's EventSource does.
	var lastSeq int64 = -1
	sawLeft := false
	for {
		select {
		case e, ok := <-stream:
			if !ok {
				if lastSeq < 0 {
					t.Fatal("the stream ended before any event")
				}
				stream = try(viewer.Stream(sctx, lastSeq, "")).must(t)
				continue
			}
			lastSeq = e.Seq
			sawLeft = sawLeft || e.Seq == left.Seq
			if e.Seq == hidden.Seq || e.Space == b.group {
				t.Errorf("delegate.ua received event %d of the group it left: %+v", e.Seq, e)
			}
			if e.Seq == marker.Seq {
				if !sawLeft {
					t.Errorf("delegate.ua never received its own leaving (%d)", left.Seq)
				}
				return
			}
		case <-sctx.Done():
			t.Fatalf("the marker %d never arrived; last event %d", marker.Seq, lastSeq)
		}
	}
}

// testErrors checks the shapes of the API's errors.
func testErrors(t *testing.T, ctx context.Context, p *program, ru, head, operator session, b caucus) {
	anon := client.New(p.url)
	bad := client.New(p.url, client.WithToken("pt_not-a-token"))

	// A message to edit twice.
	created := try(ru.StartThread(ctx, parley.StartThread{SpaceID: b.space, Title: "Draft", Body: "first"})).must(t)
	msgs := try(ru.Messages(ctx, created.ID)).must(t)
	try(ru.EditMessage(ctx, parley.EditMessage{MessageID: msgs[0].ID, Body: "second", Version: 1})).must(t)
	procV := try(operator.Process(ctx, b.process)).must(t).Process

	tests := []struct {
		name   string
		do     func() error
		status int
		code   string
		field  string // a field the error must name
	}{
		{"no credentials", func() error { _, err := anon.Me(ctx); return err }, 401, parley.EUNAUTHORIZED, ""},
		{"no credentials on the stream", func() error { _, err := anon.Stream(ctx, -1, ""); return err }, 401, parley.EUNAUTHORIZED, ""},
		{"invalid token", func() error { _, err := bad.Processes(ctx); return err }, 401, parley.EUNAUTHORIZED, ""},
		{"missing title", func() error {
			_, err := ru.StartThread(ctx, parley.StartThread{SpaceID: b.space, Body: "no title"})
			return err
		}, 400, parley.EINVALID, "title"},
		{"bad id", func() error {
			_, err := ru.StartThread(ctx, parley.StartThread{SpaceID: "Not_An_Id", Title: "t", Body: "b"})
			return err
		}, 400, parley.EINVALID, "space_id"},
		{"id too long", func() error { _, err := ru.Threads(ctx, strings.Repeat("a", 65)); return err }, 400, parley.EINVALID, "id"},
		{"bad date", func() error {
			_, err := operator.ScheduleRound(ctx, parley.ScheduleRound{ProcessID: b.process, Title: "R", StartsOn: "tomorrow"})
			return err
		}, 400, parley.EINVALID, "starts_on"},
		{"bad enum", func() error {
			_, err := operator.AddParty(ctx, parley.AddParty{ProcessID: b.process, Kind: "spectator", Names: parley.Names{"en": "X"}})
			return err
		}, 400, parley.EINVALID, "kind"},
		{"unknown process", func() error { _, err := head.Process(ctx, service.NewID()); return err }, 404, parley.ENOTFOUND, ""},
		{"unknown thread", func() error { _, err := head.Messages(ctx, service.NewID()); return err }, 404, parley.ENOTFOUND, ""},
		{"unknown round", func() error {
			_, err := operator.EditRound(ctx, parley.EditRound{RoundID: service.NewID(), Title: "R", StartsOn: "2025-01-01"})
			return err
		}, 404, parley.ENOTFOUND, ""},
		{"create an account as a head", func() error {
			_, err := head.CreateAccount(ctx, client.NewAccount{Username: "intruder", DisplayName: "I", Password: "long enough password"})
			return err
		}, 403, parley.EFORBIDDEN, ""},
		{"list accounts as a head", func() error { _, err := head.Accounts(ctx); return err }, 403, parley.EFORBIDDEN, ""},
		{"open a process as a head", func() error {
			_, err := head.CreateProcess(ctx, parley.CreateProcess{Title: "Side deal", Languages: []parley.Lang{"en"}})
			return err
		}, 403, parley.EFORBIDDEN, ""},
		{"stale message version", func() error {
			_, err := ru.EditMessage(ctx, parley.EditMessage{MessageID: msgs[0].ID, Body: "third", Version: 1})
			return err
		}, 409, parley.ECONFLICT, ""},
		{"stale process version", func() error {
			_, err := operator.EditProcess(ctx, parley.EditProcess{ProcessID: b.process, Title: procV.Title, Languages: procV.Languages, Version: procV.Version + 5})
			return err
		}, 409, parley.ECONFLICT, ""},
		{"someone else's message", func() error {
			_, err := head.EditMessage(ctx, parley.EditMessage{MessageID: firstMessageIn(t, ctx, ru, b.gthread), Body: "mine now", Version: 1})
			return err
		}, 403, parley.EFORBIDDEN, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantError(t, tt.name, tt.do(), tt.status, tt.code)
			if e == nil {
				return
			}
			if e.Message == "" {
				t.Errorf("the error has no message")
			}
			if tt.field != "" {
				if _, ok := e.Fields[tt.field]; !ok {
					t.Errorf("fields = %v, want one named %q", e.Fields, tt.field)
				}
			}
		})
	}

	// Malformed requests, as the client cannot send them.
	raw := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		code   string
		field  string
	}{
		{"malformed JSON", "POST", "/api/v1/spaces/" + b.space + "/threads", `{"title": "x", "body":`, 400, parley.EINVALID, ""},
		{"wrong type", "POST", "/api/v1/spaces/" + b.space + "/threads", `{"title": 7, "body": "b"}`, 400, parley.EINVALID, "title"},
		{"missing field", "POST", "/api/v1/spaces/" + b.space + "/threads", `{"body": "b"}`, 400, parley.EINVALID, "title"},
		{"unknown field", "POST", "/api/v1/spaces/" + b.space + "/threads", `{"title": "t", "body": "b", "space": "x"}`, 400, parley.EINVALID, "space"},
		{"negative after", "GET", "/api/v1/events?after=-1", "", 400, parley.EINVALID, "after"},
		{"bad position on the stream", "GET", "/events?after=x", "", 400, parley.EINVALID, "after"},
	}
	for _, tt := range raw {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, tt.method, p.url+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			res, err := ru.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Code    string            `json:"code"`
				Message string            `json:"message"`
				Fields  map[string]string `json:"fields"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatalf("the error is not JSON: %v", err)
			}
			if res.StatusCode != tt.status || body.Code != tt.code || body.Message == "" {
				t.Errorf("got %d %+v, want %d %s with a message", res.StatusCode, body, tt.status, tt.code)
			}
			if _, ok := body.Fields[tt.field]; tt.field != "" && !ok {
				t.Errorf("fields = %v, want one named %q", body.Fields, tt.field)
			}
		})
	}
}

func firstMessageIn(t *testing.T, ctx context.Context, c session, thread string) string {
	t.Helper()
	ms := try(c.Messages(ctx, thread)).must(t)
	if len(ms) == 0 {
		t.Fatal("no messages in", thread)
	}
	return ms[0].ID
}

// testTokens makes, uses and revokes an API token of head.ua.
func testTokens(t *testing.T, ctx context.Context, p *program, head session, b caucus) {
	me := try(head.Me(ctx)).must(t)
	tok := try(head.CreateToken(ctx, "minutes robot", me.Members[0].ProcessID)).must(t)
	if !strings.HasPrefix(tok.Secret, "pt_") || tok.ID == "" || tok.ProcessID != me.Members[0].ProcessID {
		t.Fatalf("CreateToken = %+v", tok)
	}
	bot := client.New(p.url, client.WithToken(tok.Secret))
	botMe := try(bot.Me(ctx)).must(t)
	if botMe.Account.ID != me.Account.ID || len(botMe.Members) != 1 || botMe.Members[0].ProcessID != b.process {
		t.Errorf("the token acts as %+v, want head.ua's member in %s", botMe, b.process)
	}
	ps := try(bot.Processes(ctx)).must(t)
	if len(ps) != 1 || ps[0].ID != b.process {
		t.Errorf("the token sees processes %+v, want only %s", ps, b.process)
	}
	created := try(bot.StartThread(ctx, parley.StartThread{SpaceID: ownCaucus(t, ctx, bot, b.process), Title: "From the robot", Body: "Minutes attached."})).must(t)
	if ms := try(head.Messages(ctx, created.ID)).must(t); len(ms) != 1 || ms[0].AuthorID != me.Account.ID {
		t.Errorf("the robot's thread holds %+v, want one message by head.ua", ms)
	}

	_, err := bot.CreateToken(ctx, "successor", b.process)
	wantError(t, "a token making a token", err, 403, parley.EFORBIDDEN)
	_, err = head.CreateToken(ctx, "elsewhere", service.NewID())
	if e := wantError(t, "a token for a process one is not in", err, 400, parley.EINVALID); e != nil && e.Fields["process_id"] == "" {
		t.Errorf("fields = %v, want process_id", e.Fields)
	}

	list := try(head.Tokens(ctx)).must(t)
	found := false
	for _, x := range list {
		found = found || x.ID == tok.ID
		if x.Secret != "" {
			t.Errorf("the token list shows a secret")
		}
	}
	if !found {
		t.Errorf("the token list %+v lacks %s", list, tok.ID)
	}
	if err := head.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Me(ctx)
	wantError(t, "a revoked token", err, 401, parley.EUNAUTHORIZED)
	_, err = bot.Stream(ctx, -1, "")
	wantError(t, "a revoked token on the stream", err, 401, parley.EUNAUTHORIZED)
	err = head.RevokeToken(ctx, tok.ID)
	wantError(t, "revoking twice", err, 404, parley.ENOTFOUND)
}

func ownCaucus(t *testing.T, ctx context.Context, c *client.Client, process string) string {
	t.Helper()
	me := try(c.Me(ctx)).must(t)
	for _, sp := range try(c.Spaces(ctx, process)).must(t) {
		if sp.Kind == parley.SpaceParty && sp.PartyID == me.Members[0].PartyID {
			return sp.ID
		}
	}
	t.Fatal("no caucus of one's own")
	return ""
}

// testOpenAPI checks that /openapi.json is an OpenAPI 3.1 document listing
// every path of the API.
func testOpenAPI(t *testing.T, ctx context.Context, p *program) {
	req, _ := http.NewRequestWithContext(ctx, "GET", p.url+"/openapi.json", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			SecuritySchemes map[string]any `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatalf("GET /openapi.json: %d, not JSON: %v", res.StatusCode, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1", doc.OpenAPI)
	}
	want := map[string][]string{
		"/api/v1/me":                                         {"get"},
		"/api/v1/accounts":                                   {"get", "post"},
		"/api/v1/tokens":                                     {"get", "post"},
		"/api/v1/tokens/{id}":                                {"delete"},
		"/api/v1/processes":                                  {"get", "post"},
		"/api/v1/processes/{id}":                             {"get", "put"},
		"/api/v1/processes/{id}/parties":                     {"post"},
		"/api/v1/parties/{id}":                               {"put"},
		"/api/v1/processes/{id}/members":                     {"post"},
		"/api/v1/members/{id}/role":                          {"put"},
		"/api/v1/processes/{id}/rounds":                      {"post"},
		"/api/v1/rounds/{id}":                                {"put"},
		"/api/v1/processes/{id}/groups":                      {"post"},
		"/api/v1/groups/{id}":                                {"put"},
		"/api/v1/groups/{id}/members":                        {"post"},
		"/api/v1/groups/{id}/members/{member}":               {"delete"},
		"/api/v1/processes/{id}/spaces":                      {"get"},
		"/api/v1/spaces/{id}/threads":                        {"get", "post"},
		"/api/v1/threads/{id}/messages":                      {"get", "post"},
		"/api/v1/messages/{id}":                              {"put"},
		"/api/v1/messages/{id}/revisions":                    {"get"},
		"/api/v1/threads/{id}/read":                          {"post"},
		"/api/v1/events":                                     {"get"},
		"/api/v1/processes/{id}/proposals":                   {"get"},
		"/api/v1/groups/{id}/proposals":                      {"post"},
		"/api/v1/proposals/{id}":                             {"get", "put"},
		"/api/v1/proposals/{id}/submit":                      {"post"},
		"/api/v1/proposals/{id}/acknowledge":                 {"post"},
		"/api/v1/proposals/{id}/questions":                   {"post"},
		"/api/v1/proposals/{id}/questions/{question}/answer": {"post"},
		"/api/v1/proposals/{id}/counter":                     {"post"},
		"/api/v1/proposals/{id}/accept":                      {"post"},
		"/api/v1/proposals/{id}/reject":                      {"post"},
		"/api/v1/proposals/{id}/withdraw":                    {"post"},
		"/api/v1/proposals/{id}/comments":                    {"post"},
		"/api/v1/groups/{id}/authorisations":                 {"post"},
		"/api/v1/groups/{id}/authorisations/{member}":        {"delete"},
		"/api/v1/awaiting":                                   {"get"},
		"/api/v1/processes/{id}/memos":                       {"get", "post"},
		"/api/v1/memos/{id}":                                 {"get"},
		"/api/v1/memos/{id}/clauses":                         {"post"},
		"/api/v1/memos/{id}/initial":                         {"post"},
		"/api/v1/memos/{id}/prevailing":                      {"put"},
		"/api/v1/processes/{id}/meetings":                    {"get"},
		"/api/v1/spaces/{id}/meetings":                       {"post"},
		"/api/v1/meetings/{id}":                              {"get", "put"},
		"/api/v1/meetings/{id}/cancel":                       {"post"},
		"/api/v1/meetings/{id}/agenda":                       {"post"},
		"/api/v1/meetings/{id}/agenda/{item}":                {"delete"},
		"/api/v1/meetings/{id}/agenda/{item}/current":        {"put"},
		"/api/v1/meetings/{id}/start":                        {"post"},
		"/api/v1/meetings/{id}/end":                          {"post"},
		"/api/v1/meetings/{id}/join":                         {"post"},
		"/api/v1/meetings/{id}/leave":                        {"post"},
		"/api/v1/meetings/{id}/notes":                        {"post"},
		"/api/v1/meetings/{id}/minutes":                      {"put"},
		"/api/v1/meetings/{id}/actions":                      {"post"},
		"/api/v1/meetings/{id}/actions/{action}/done":        {"post"},
		"/api/v1/meetings/{id}/approve":                      {"post"},
		"/api/v1/processes/{id}/truces":                      {"get"},
		"/api/v1/processes/{id}/truce-rules":                 {"get", "put"},
		"/api/v1/truces/{id}":                                {"get"},
		"/api/v1/truces/{id}/notify":                         {"post"},
		"/api/v1/truces/{id}/end":                            {"post"},
		"/api/v1/truces/{id}/violations":                     {"post"},
		"/api/v1/violations/{id}/answer":                     {"post"},
		"/api/v1/violations/{id}/finding":                    {"post"},
		"/api/v1/groups/{id}/remains":                        {"get", "post"},
		"/api/v1/remains/{id}/acknowledge":                   {"post"},
		"/api/v1/groups/{id}/notifications":                  {"get", "post"},
		"/api/v1/groups/{id}/notice-period":                  {"put"},
		"/api/v1/notifications/{id}":                         {"get"},
		"/api/v1/notifications/{id}/acknowledge":             {"post"},
		"/api/v1/notifications/{id}/question":                {"post"},
		"/api/v1/notifications/{id}/answer":                  {"post"},
		"/api/v1/notifications/{id}/cancel":                  {"post"},
		"/api/v1/groups/{id}/exchanges":                      {"get", "post"},
		"/api/v1/exchanges/{id}":                             {"get"},
		"/api/v1/exchanges/{id}/terms":                       {"put"},
		"/api/v1/exchanges/{id}/stages":                      {"post"},
		"/api/v1/exchanges/{id}/stages/{number}":             {"put"},
		"/api/v1/exchanges/{id}/lists/{party}/{list}":        {"get"},
		"/api/v1/exchanges/{id}/lists/{party}/{list}/export": {"get"},
		"/api/v1/exchanges/{id}/imports":                     {"post"},
		"/api/v1/exchanges/{id}/reconcile":                   {"post"},
		"/api/v1/exchanges/{id}/pairs/{party}":               {"get"},
		"/api/v1/exchanges/{id}/people/{party}":              {"get"},
		"/api/v1/pairs/{id}/steps":                           {"post"},
		"/api/v1/exchanges/{id}/progress":                    {"get"},
		"/api/v1/exchanges/{id}/stages/{number}/exception":   {"post"},
		"/api/v1/exchanges/{id}/stages/{number}/finalise":    {"post"},
		"/api/v1/pairs/{id}/answer":                          {"post"},
		"/api/v1/processes/{id}/access-log":                  {"get"},
		"/api/v1/processes/{id}/statements":                  {"get"},
		"/api/v1/spaces/{id}/statements":                     {"post"},
		"/api/v1/statements/{id}":                            {"get", "put"},
		"/api/v1/statements/{id}/approve":                    {"post"},
		"/api/v1/processes/{id}/statement-rules":             {"put"},
		"/api/v1/clauses/{id}/links":                         {"post"},
		"/api/v1/memos/{id}/share":                           {"post"},
		"/api/v1/memos/{id}/versions":                        {"get", "post"},
		"/api/v1/memo-versions/{id}":                         {"get"},
		"/api/v1/clauses/{id}/texts/{lang}":                  {"put"},
		"/api/v1/clauses/{id}/texts/{lang}/confirm":          {"post"},
		"/api/v1/clauses/{id}/texts/{lang}/sign-off":         {"post"},
		"/api/v1/clauses/{id}/alternatives":                  {"post"},
		"/api/v1/clauses/{id}/agree":                         {"post"},
		"/api/v1/clauses/{id}/initial":                       {"post"},
		"/api/v1/alternatives/{id}/stance":                   {"post"},
		"/api/v1/alternatives/{id}/withdraw":                 {"post"},
		"/api/v1/alternatives/{id}/adopt":                    {"post"},
	}
	for path, methods := range want {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("the OpenAPI document lacks %s %s", strings.ToUpper(m), path)
			}
		}
	}
	for path := range doc.Paths {
		if _, ok := want[path]; !ok {
			t.Errorf("the OpenAPI document lists %s, which this test does not know", path)
		}
	}
	if doc.Components.SecuritySchemes["bearer"] == nil {
		t.Errorf("the OpenAPI document has no bearer security scheme")
	}
}

// The operator's commands, each through run() on a temporary database.

func runParley(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	err := run(ctx, args, noEnv, strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String() + stderr.String(), err
}

func TestRunVersion(t *testing.T) {
	out, err := runParley(t, "", "version")
	if err != nil || !strings.HasPrefix(out, "parley ") {
		t.Errorf("parley version = %q, %v; want \"parley <version>\"", out, err)
	}
}

func TestRunMigrate(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "x", "parley.db")
	out, err := runParley(t, "", "--db", db, "migrate")
	if err != nil || !strings.Contains(out, "schema version") {
		t.Fatalf("parley migrate = %q, %v", out, err)
	}
	again, err := runParley(t, "", "--db", db, "migrate")
	if err != nil || again != out {
		t.Errorf("a second migrate = %q, %v; want %q again", again, err, out)
	}
}

func TestRunUser(t *testing.T) {
	dir := t.TempDir()
	data := []string{"--data", dir}
	out, err := runParley(t, "", append(data, "user", "add", "mira.ops", "--name", "Mira Ops", "--password", "a long first password", "--operator")...)
	if err != nil || !strings.Contains(out, "added mira.ops") {
		t.Fatalf("user add = %q, %v", out, err)
	}
	// The password may come on standard input.
	if out, err := runParley(t, "a long stdin password\n", append(data, "user", "add", "ivan", "--name", "Ivan P")...); err != nil {
		t.Fatalf("user add with the password on stdin = %q, %v", out, err)
	}
	if _, err := runParley(t, "", append(data, "user", "add", "ivan", "--name", "Again", "--password", "another long password")...); err == nil {
		t.Errorf("adding a user name twice succeeded")
	}
	if _, err := runParley(t, "", append(data, "user", "add", "shorty", "--name", "S", "--password", "short")...); err == nil {
		t.Errorf("a short password was accepted")
	}

	out, err = runParley(t, "", append(data, "user", "list")...)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(out, "Mira Ops") || !strings.Contains(out, "Ivan P") {
		t.Errorf("user list =\n%s\nwant a header and two accounts", out)
	}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); f[0] == "mira.ops" && !strings.Contains(l, "true") {
			t.Errorf("mira.ops is not listed as operator: %q", l)
		}
	}

	if out, err := runParley(t, "", append(data, "user", "set-password", "ivan", "--password", "the second password")...); err != nil {
		t.Fatalf("user set-password = %q, %v", out, err)
	}
	if _, err := runParley(t, "", append(data, "user", "set-password", "nobody", "--password", "the second password")...); err == nil {
		t.Errorf("set-password of an unknown user succeeded")
	}

	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	acc, cred, err := db.AccountByUsername(ctx, "ivan")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.CheckPassword(cred.PasswordHash, "the second password"); !ok {
		t.Errorf("the new password of ivan does not check")
	}
	if ok, _ := auth.CheckPassword(cred.PasswordHash, "a long stdin password"); ok {
		t.Errorf("the old password of ivan still checks")
	}

	if err := db.SetTOTP(ctx, acc.ID, "JBSWY3DPEHPK3PXP", true); err != nil {
		t.Fatal(err)
	}
	if out, err := runParley(t, "", append(data, "user", "reset-2fa", "ivan")...); err != nil {
		t.Fatalf("user reset-2fa = %q, %v", out, err)
	}
	acc, cred, err = db.AccountByUsername(ctx, "ivan")
	if err != nil {
		t.Fatal(err)
	}
	if acc.TOTPEnabled || cred.TOTPSecret != "" {
		t.Errorf("after reset-2fa: enabled=%v secret=%q, want neither", acc.TOTPEnabled, cred.TOTPSecret)
	}
}

func TestRunBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"--frobnicate", "version"}},
		{"unknown command", []string{"frobnicate"}},
		{"no command", nil},
		{"bad log level", []string{"--log-level", "loud", "version"}},
		{"missing argument", []string{"user", "add"}},
		{"missing required flag", []string{"user", "add", "x", "--password", "a long enough password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runParley(t, "", tt.args...)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Errorf("run(%q) = %v, want exit status 2", tt.args, err)
			}
		})
	}
	if out, err := runParley(t, "", "--help"); err != nil || !strings.Contains(out, "serve") {
		t.Errorf("--help = %q, %v; want usage and no error", out, err)
	}
}

func TestRunServeFailsFast(t *testing.T) {
	tests := []struct {
		name string
		db   string
		want string
	}{
		{"unwritable SQLite path", "sqlite:/proc/nope/x.db", "database directory"},
		{"unreachable PostgreSQL", "postgres://nobody@127.0.0.1:1/x", "cannot reach the postgres database"},
		{"unknown database kind", "mysql://x", "want sqlite:PATH or a postgres:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			out, err := runParley(t, "", "--db", tt.db, "serve", "--addr", "127.0.0.1:0")
			if err == nil {
				t.Fatalf("serve with %s succeeded", tt.db)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("serve with %s: %v; want it to say %q", tt.db, err, tt.want)
			}
			if strings.Contains(out, "listening") {
				t.Errorf("serve with %s claimed to listen: %q", tt.db, out)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("serve with %s took %v to fail", tt.db, d)
			}
		})
	}
}

// testOperations checks the health, readiness and metrics endpoints, after
// the demo's commands and this test's streams ran through the server.
func testOperations(t *testing.T, ctx context.Context, p *program) {
	get := func(path string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, "GET", p.url+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 200 || !strings.Contains(body, "ready") {
		t.Errorf("/readyz: %d %q", code, body)
	}
	code, body := get("/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`parley_commands_total{code="ok",command="PostMessage"}`,
		`parley_commands_total{code="not_found"`,
		"parley_events_total",
		"parley_command_seconds_bucket",
		`parley_http_requests_total{route="GET /api/v1/me"`,
		"parley_sse_subscribers",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Routes are counted by pattern, never by path: no identifier leaks
	// into the metrics.
	if m := regexp.MustCompile(`route="[^"]*[a-z2-7]{26}`).FindString(body); m != "" {
		t.Errorf("metrics count a route by its path: %s", m)
	}
	if !strings.Contains(body, `route="GET /api/v1/spaces/{id}/threads"`) {
		t.Error("metrics lack the pattern of a route the test used")
	}
}
