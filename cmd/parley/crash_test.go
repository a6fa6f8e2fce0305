//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/client"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/store"
)

// crashCommands is how many commands are in flight when the server is
// killed, in each round of TestCrash.
const crashCommands = 1000

// crashAuthors are the demo accounts that send the commands: three of
// each delegation, each writing in its own caucus.
var crashAuthors = []string{"head.ua", "delegate.ua", "political.ua", "head.ru", "delegate.ru", "military.ru"}

// TestCrash kills a real server with SIGKILL while 1,000 commands sent
// through the JSON API at once are in flight, restarts it on the same
// SQLite database (synchronous=FULL), and proves, round after round:
//
//   - every command answered as committed (2xx, with its record entry) is
//     in the database after the crash and served by the restarted server;
//   - no command is half applied: each message, thread or edit is in the
//     read tables if and only if its events are in the record;
//   - the record verifies as `parley verify --replay` checks it: hashes,
//     chain, tree, signed checkpoints, each consistent with the ones seen
//     in earlier rounds (a crash never takes back a signed entry), and the
//     read tables equal to a replay of the record.
//
// The server, and `parley verify` after each crash, run as a binary built
// for the test with `go build`, without the race detector even when the
// test has it: the race detector would make each round many times slower
// and test the test's clients rather than the crash. The test does
// PARLEY_CRASH_LOOPS rounds: 10 unless set, 5 with the race detector (its
// 1,000 clients are slower there, and CI runs every test with it), 2 with
// -short.
func TestCrash(t *testing.T) {
	loops := 10
	switch {
	case testing.Short():
		loops = 2
	case raceDetector:
		loops = 5
	}
	if v := os.Getenv("PARLEY_CRASH_LOOPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("PARLEY_CRASH_LOOPS=%q: want a positive number", v)
		}
		loops = n
	}
	began := time.Now()
	bin := buildParley(t)
	t.Logf("built the server in %v", time.Since(began).Round(time.Millisecond))
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "parley.db")
	state := filepath.Join(t.TempDir(), "verify-state.json")
	verify := func(when string) {
		t.Helper()
		out, err := exec.Command(bin, "--db", "sqlite:"+dbPath, "--data", dir, "verify", "--replay", "--state", state).CombinedOutput()
		if err != nil {
			t.Fatalf("%s, the record does not verify: %v\n%s", when, err, out)
		}
		mustContain(t, "verify's output", string(out), "with an unbroken hash chain", "replay: ", "read tables equal the database's")
	}
	srv := startCrashServer(t, bin, dir)
	authors := crashSetup(t, srv.url)

	cutOff := 0 // rounds in which the kill found commands in flight
	for loop := 1; loop <= loops; loop++ {
		started := time.Now()
		r := crashRound(t, srv, loop, authors)
		fired := time.Since(started)
		if r.inFlight > 0 {
			cutOff++
		}

		checked := time.Now()
		verify(fmt.Sprintf("round %d: after the crash", loop))
		size := r.checkDatabase(t, dbPath, authors)
		verified := time.Since(checked)

		restarted := time.Now()
		srv = startCrashServer(t, bin, dir)
		r.checkServed(t, srv.url, authors)
		t.Logf("round %d: killed after %d of %d answers: %d committed, %d in flight (%d of them applied, their answers lost); record %d entries; "+
			"fire+kill %v, verify %v, restart+check %v",
			loop, r.killAt, crashCommands, r.committed, r.inFlight, r.appliedUnanswered, size,
			fired.Round(time.Millisecond), verified.Round(time.Millisecond), time.Since(restarted).Round(time.Millisecond))
	}
	srv.stop(t)
	verify("after a graceful stop")
	if cutOff < (loops+1)/2 {
		t.Errorf("in only %d of %d rounds were commands in flight when the server was killed", cutOff, loops)
	}
	t.Logf("%d rounds of %d commands killed in flight, in %v", loops, crashCommands, time.Since(began).Round(time.Millisecond))
}

// buildParley builds the parley command into a temporary directory and
// returns the binary's path.
func buildParley(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH; it builds the server this test starts")
	}
	bin := filepath.Join(t.TempDir(), "parley")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// crashServer is `parley demo` running in a child process.
type crashServer struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	done   chan error // the child's exit
}

// startCrashServer runs the demo server on the database in dir and
// returns once it listens.
func startCrashServer(t *testing.T, bin, dir string) *crashServer {
	t.Helper()
	cmd := exec.Command(bin, "--log-level", "warn", "--data", dir, "--db", "sqlite:"+filepath.Join(dir, "parley.db"),
		"demo", "--addr", "127.0.0.1:0")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARLEY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	s := &crashServer{cmd: cmd, stderr: new(syncBuffer), done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "Parley is listening on "); ok {
				urls <- strings.TrimSpace(u)
			}
		}
		s.done <- cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	select {
	case s.url = <-urls:
	case err := <-s.done:
		t.Fatalf("the server ended before listening: %v\n%s", err, s.stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("the server did not listen within 60s:\n%s", s.stderr)
	}
	return s
}

// kill ends the server with SIGKILL: no handler runs, nothing is flushed,
// the commands it was deciding or committing are cut off wherever they
// were.
func (s *crashServer) kill() error { return s.cmd.Process.Signal(syscall.SIGKILL) }

// stop ends the server with SIGTERM and checks it shut down cleanly.
func (s *crashServer) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("the server's graceful stop: %v\n%s", err, s.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("the server did not stop within 30s of SIGTERM")
	}
}

// crashAuthor is one account sending commands, with an API token, which
// lasts across restarts, and the messages it may still edit.
type crashAuthor struct {
	name   string
	token  string
	caucus string
	thread string     // the thread of the current round
	pool   []crashMsg // its messages of earlier rounds, never edited
}

// crashMsg is a message in the database: its identifier and thread.
type crashMsg struct{ id, thread string }

// crashSetup signs each author in, once, and makes it an API token.
func crashSetup(t *testing.T, url string) []*crashAuthor {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []*crashAuthor
	for _, name := range crashAuthors {
		jar, _ := cookiejar.New(nil)
		c := client.New(url, client.WithHTTPClient(&http.Client{Jar: jar}))
		if err := c.Login(ctx, name, "demo-"+strings.ReplaceAll(name, ".", "-")+"-2025"); err != nil {
			t.Fatalf("login %s: %v", name, err)
		}
		process := try(c.Me(ctx)).must(t).Members[0].ProcessID
		tok := try(c.CreateToken(ctx, "crash", process)).must(t)
		out = append(out, &crashAuthor{name: name, token: tok.Secret, caucus: ownCaucus(t, ctx, c, process)})
	}
	return out
}

type crashKind int

const (
	crashPost crashKind = iota
	crashThread
	crashEdit
)

// crashCmd is one command of a round and what came of it.
type crashCmd struct {
	kind   crashKind
	author *crashAuthor
	body   string
	target crashMsg // the message edited

	err     error          // nil: answered as committed
	created client.Created // the answer: the new object (none for an edit) and its record entry
}

// crashResult is one round: its commands and their outcomes.
type crashResult struct {
	loop   int
	cmds   []*crashCmd
	killAt int // answers received when the kill was sent

	committed, inFlight, appliedUnanswered int
}

// crashRound opens a thread for each author, then sends crashCommands
// commands at once and kills the server once killAt of them are answered,
// killAt chosen at random between 5% and 65%: answers come a group commit
// at a time, and the client reads them later than the server sends them,
// so a later kill may find every command answered.
func crashRound(t *testing.T, srv *crashServer, loop int, authors []*crashAuthor) *crashResult {
	t.Helper()
	url := srv.url
	ctx := context.Background()
	tr := &http.Transport{MaxIdleConnsPerHost: crashCommands, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	clients := map[*crashAuthor]*client.Client{}
	for _, a := range authors {
		clients[a] = client.New(url, client.WithToken(a.token), client.WithHTTPClient(hc))
		a.thread = try(clients[a].StartThread(ctx, parley.StartThread{SpaceID: a.caucus, Title: fmt.Sprintf("round %d", loop),
			Body: fmt.Sprintf("round %d opened by %s", loop, a.name)})).must(t).ID
	}
	r := &crashResult{loop: loop, killAt: crashCommands/20 + rand.IntN(crashCommands*6/10)}
	for i := range crashCommands {
		a := authors[i%len(authors)]
		c := &crashCmd{author: a, body: fmt.Sprintf("loop %d post %d", loop, i)}
		switch {
		case i%10 == 0:
			c.kind, c.body = crashThread, fmt.Sprintf("loop %d thread %d", loop, i)
		case i%10 == 1 && len(a.pool) > 0:
			c.kind, c.body, c.target = crashEdit, fmt.Sprintf("loop %d edit %d", loop, i), a.pool[0]
			a.pool = a.pool[1:]
		}
		r.cmds = append(r.cmds, c)
	}

	start := make(chan struct{})
	killed := make(chan error, 1)
	var answered atomic.Int64
	var wg sync.WaitGroup
	for _, c := range r.cmds {
		wg.Go(func() {
			<-start
			cl := clients[c.author]
			switch c.kind {
			case crashPost:
				c.created, c.err = cl.PostMessage(ctx, parley.PostMessage{ThreadID: c.author.thread, Body: c.body})
			case crashThread:
				c.created, c.err = cl.StartThread(ctx, parley.StartThread{SpaceID: c.author.caucus, Title: c.body, Body: c.body})
			case crashEdit:
				var d client.Done
				d, c.err = cl.EditMessage(ctx, parley.EditMessage{MessageID: c.target.id, Body: c.body, Version: 1})
				c.created = client.Created{ID: c.target.id, Seq: d.Seq}
			}
			if answered.Add(1) == int64(r.killAt) {
				killed <- srv.kill()
			}
		})
	}
	close(start)
	select {
	case err := <-killed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatalf("round %d: %d of %d commands answered in a minute", loop, answered.Load(), crashCommands)
	}
	<-srv.done
	wg.Wait()
	for _, c := range r.cmds {
		var ce *client.Error
		switch {
		case c.err == nil:
			r.committed++
		case errors.As(c.err, &ce) && ce.Status < 500:
			t.Errorf("round %d: the server refused %q of %s: %v", loop, c.body, c.author.name, c.err)
		default: // no answer, or the server failed: committed or not, but whole
			r.inFlight++
		}
	}
	return r
}

// checkDatabase checks the database after the crash: every command
// answered as committed is there, each with its record entry; every other
// one is there whole or not at all; and the record's messages, threads and
// edits of the round are exactly those in the read tables. It keeps the
// round's messages for the next rounds' edits and returns the record's size.
func (r *crashResult) checkDatabase(t *testing.T, path string, authors []*crashAuthor) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := db.SQL()
	prefix := fmt.Sprintf("loop %d ", r.loop)
	type row struct {
		id, thread string
		version    int
	}
	messages, threads := map[string]row{}, map[string]string{} // by body, by title
	inRecord, inTables := map[string]int{}, map[string]int{}
	rows, err := q.Query(`SELECT id, thread_id, body, version FROM messages WHERE body LIKE $1`, prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var m row
		var body string
		if err := rows.Scan(&m.id, &m.thread, &body, &m.version); err != nil {
			t.Fatal(err)
		}
		messages[body] = m
		typ := "message.posted"
		if strings.Contains(body, " edit ") {
			typ = "message.edited"
		}
		inTables[typ+" "+body]++
	}
	rows.Close()
	rows, err = q.Query(`SELECT id, title FROM threads WHERE title LIKE $1`, prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, title string
		if err := rows.Scan(&id, &title); err != nil {
			t.Fatal(err)
		}
		threads[title] = id
		inTables["thread.started "+title]++
	}
	rows.Close()

	for _, c := range r.cmds {
		if c.err == nil {
			var typ, entry string
			if err := q.QueryRow(`SELECT type, CAST(entry AS TEXT) FROM entries WHERE seq = $1`, c.created.Seq).Scan(&typ, &entry); err != nil {
				t.Errorf("round %d: %q was answered as committed at entry %d, which is not in the record after the crash: %v", r.loop, c.body, c.created.Seq, err)
				continue
			}
			want := map[crashKind]string{crashPost: "message.posted", crashThread: "message.posted", crashEdit: "message.edited"}[c.kind]
			if typ != want || !strings.Contains(entry, c.created.ID) {
				t.Errorf("round %d: %q was answered as committed at entry %d, which is a %s of another object", r.loop, c.body, c.created.Seq, typ)
			}
		}
		m, applied := messages[c.body]
		switch c.kind {
		case crashPost:
			applied = applied && m.thread == c.author.thread && m.version == 1 && (c.err != nil || m.id == c.created.ID)
		case crashThread: // the thread and its first message
			applied = applied && threads[c.body] != "" && m.thread == threads[c.body] && (c.err != nil || m.thread == c.created.ID)
		case crashEdit:
			applied = applied && m.id == c.target.id && m.version == 2
		}
		switch {
		case c.err == nil && !applied:
			t.Errorf("round %d: %q of %s was answered as committed (entry %d) but is not in the tables after the crash as answered: %+v",
				r.loop, c.body, c.author.name, c.created.Seq, m)
		case c.err != nil && applied:
			r.appliedUnanswered++
		}
		if applied && c.kind == crashPost {
			c.author.pool = append(c.author.pool, crashMsg{id: m.id, thread: m.thread})
		}
	}

	// The round's messages, threads and edits in the record, and in the
	// tables: the same, one for one.
	rows, err = q.Query(`SELECT entry FROM entries WHERE type IN ('thread.started', 'message.posted', 'message.edited') AND CAST(entry AS TEXT) LIKE $1`, "%"+prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		ent, err := record.Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		var d struct{ Body, Title string }
		if err := json.Unmarshal(ent.Data, &d); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{d.Body, d.Title} {
			if strings.HasPrefix(s, prefix) {
				inRecord[ent.Type+" "+s]++
			}
		}
	}
	rows.Close()
	for k, n := range inRecord {
		if inTables[k] != n {
			t.Errorf("round %d: the record holds %d %s, the tables %d", r.loop, n, k, inTables[k])
		}
	}
	for k, n := range inTables {
		if inRecord[k] != n {
			t.Errorf("round %d: the tables hold %d %s, the record %d", r.loop, n, k, inRecord[k])
		}
	}
	size, err := db.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return size
}

// checkServed asks the restarted server, as each author, for the messages
// of every thread the round's committed commands wrote to, and checks each
// is served as it was answered.
func (r *crashResult) checkServed(t *testing.T, url string, authors []*crashAuthor) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	type key struct {
		a      *crashAuthor
		thread string
	}
	want := map[key][]*crashCmd{}
	for _, c := range r.cmds {
		if c.err != nil {
			continue
		}
		k := key{c.author, c.author.thread}
		switch c.kind {
		case crashThread:
			k.thread = c.created.ID
		case crashEdit:
			k.thread = c.target.thread
		}
		want[k] = append(want[k], c)
	}
	clients := map[*crashAuthor]*client.Client{}
	for _, a := range authors {
		clients[a] = client.New(url, client.WithToken(a.token))
	}
	for k, cmds := range want {
		msgs, err := clients[k.a].Messages(ctx, k.thread)
		if err != nil {
			t.Fatalf("round %d: after the restart, the messages of thread %s: %v", r.loop, k.thread, err)
		}
		served := map[string]string{}
		for _, m := range msgs {
			served[m.Body] = m.ID
		}
		for _, c := range cmds {
			id, ok := served[c.body]
			switch {
			case !ok:
				t.Errorf("round %d: %q, answered as committed, is not served after the restart", r.loop, c.body)
			case c.kind != crashThread && id != c.created.ID:
				t.Errorf("round %d: %q is served as message %s, answered as %s", r.loop, c.body, id, c.created.ID)
			}
		}
	}
}
