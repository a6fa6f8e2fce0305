package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/client"
	"github.com/parley-talks/parley/internal/storetest"
)

// TestInstances runs two whole servers, as `parley serve` wires them, on
// one PostgreSQL database: a message posted through instance A reaches a
// live stream on instance B, and a client that was away resumes with
// Last-Event-ID on either instance and receives exactly the events it
// missed, in record order, none twice.
func TestInstances(t *testing.T) {
	dsn := storetest.FreshPostgres(t)
	shared := t.TempDir()
	key := filepath.Join(shared, "record.key") // every instance signs with one key
	dirA, dirB := t.TempDir(), t.TempDir()
	a, _ := startProgram(t, dirA, "--log-level", "warn", "--db", dsn, "--data", dirA, "--log-key-file", key,
		"demo", "--addr", "127.0.0.1:0")
	b, _ := startProgram(t, dirB, "--log-level", "warn", "--db", dsn, "--data", dirB, "--log-key-file", key,
		"serve", "--addr", "127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// head.ua writes through A; delegate.ua, of the same delegation,
	// reads with an API token; head.ru writes in its own caucus, which
	// delegate.ua must never receive.
	head := a.login(t, "head.ua")
	ru := a.login(t, "head.ru")
	process := try(head.Me(ctx)).must(t).Members[0].ProcessID
	delegate := a.login(t, "delegate.ua")
	secret := try(delegate.CreateToken(ctx, "instances", process)).must(t).Secret
	thread := try(head.StartThread(ctx, parley.StartThread{SpaceID: ownCaucus(t, ctx, head.Client, process),
		Title: "Across instances", Body: "Opening the thread."})).must(t).ID
	ruThread := try(ru.StartThread(ctx, parley.StartThread{SpaceID: ownCaucus(t, ctx, ru.Client, process),
		Title: "Ours alone", Body: "Not for the other side."})).must(t).ID

	onB := openStream(t, ctx, b.url, secret, "")
	first := try(head.PostMessage(ctx, parley.PostMessage{ThreadID: thread, Body: "Posted through A."})).must(t)
	seen := onB.until(t, first.Seq, 10*time.Second)
	if e := seen[len(seen)-1]; e.Type != "message.posted" || !strings.Contains(e.Data, first.ID) {
		t.Fatalf("B's stream delivered %+v, want the message %s", e, first.ID)
	}
	onB.close()

	// While the client is away: three messages it may see, and one of the
	// other party's it may not.
	var posted []client.Created
	for i, body := range []string{"Second, while away.", "", "Third, while away.", "Fourth, while away."} {
		if i == 1 {
			try(ru.PostMessage(ctx, parley.PostMessage{ThreadID: ruThread, Body: "A caucus message."})).must(t)
			continue
		}
		posted = append(posted, try(head.PostMessage(ctx, parley.PostMessage{ThreadID: thread, Body: body})).must(t))
	}
	last := posted[len(posted)-1].Seq
	// What delegate.ua missed, by the record: the three messages, and
	// anything else it may see that the server did meanwhile.
	var want []int64
	reader := client.New(a.url, client.WithToken(secret))
	for _, e := range try(reader.Events(ctx, first.Seq, 1000)).must(t) {
		if e.Seq <= last {
			want = append(want, e.Seq)
		}
	}
	for _, p := range posted {
		if !strings.Contains(fmt.Sprint(want), strconv.FormatInt(p.Seq, 10)) {
			t.Fatalf("the record shows delegate.ua %v after %d, without the message %d posted while away", want, first.Seq, p.Seq)
		}
	}

	for _, in := range []struct {
		name string
		url  string
	}{{"instance B", b.url}, {"instance A", a.url}} {
		t.Run("resume on "+in.name, func(t *testing.T) {
			s := openStream(t, ctx, in.url, secret, strconv.FormatInt(first.Seq, 10))
			defer s.close()
			got := s.until(t, last, 10*time.Second)
			var seqs []int64
			for _, e := range got {
				seqs = append(seqs, e.Seq)
			}
			if fmt.Sprint(seqs) != fmt.Sprint(want) {
				t.Errorf("resumed from %d, received %v, want %v", first.Seq, seqs, want)
			}
			byID := map[int64]string{}
			for _, e := range got {
				byID[e.Seq] = e.Data
			}
			for _, p := range posted {
				if !strings.Contains(byID[p.Seq], p.ID) {
					t.Errorf("event %d is not the message %s: %s", p.Seq, p.ID, byID[p.Seq])
				}
			}
			// A repeat would arrive right behind; only new events may.
			prev := last
			for _, e := range s.quiet(500 * time.Millisecond) {
				if e.Seq <= prev {
					t.Errorf("after %d the stream sent event %d again or out of order", prev, e.Seq)
				}
				prev = e.Seq
			}
		})
	}
}

// sseEvent is one event of a live stream as it came over the wire.
type sseEvent struct {
	Seq  int64
	Type string
	Data string
}

// rawStream reads GET /events as a browser's EventSource would: with a
// bearer token and, to resume, the Last-Event-ID header.
type rawStream struct {
	events chan sseEvent
	cancel context.CancelFunc
}

func openStream(t *testing.T, ctx context.Context, base, token, lastEventID string) *rawStream {
	t.Helper()
	sctx, cancel := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(sctx, "GET", base+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		res.Body.Close()
		cancel()
		t.Fatalf("GET %s/events: %d %s", base, res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &rawStream{events: make(chan sseEvent, 64), cancel: cancel}
	go func() {
		defer close(s.events)
		defer res.Body.Close()
		var e sseEvent
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			field, value, _ := strings.Cut(sc.Text(), ": ")
			switch field {
			case "id":
				e.Seq, _ = strconv.ParseInt(value, 10, 64)
			case "event":
				e.Type = value
			case "data":
				e.Data = value
			case "":
				if e.Data != "" {
					var check struct{ Seq int64 }
					if json.Unmarshal([]byte(e.Data), &check) != nil || check.Seq != e.Seq {
						e.Type = "malformed: " + e.Type
					}
					s.events <- e
				}
				e = sseEvent{}
			}
		}
	}()
	return s
}

// until returns the events received up to and including the one numbered
// seq, failing t if it does not come within d.
func (s *rawStream) until(t *testing.T, seq int64, d time.Duration) []sseEvent {
	t.Helper()
	var got []sseEvent
	timeout := time.After(d)
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				t.Fatalf("the stream ended before event %d; got %+v", seq, got)
			}
			got = append(got, e)
			if e.Seq >= seq {
				return got
			}
		case <-timeout:
			t.Fatalf("event %d did not come within %v; got %+v", seq, d, got)
		}
	}
}

// quiet returns whatever else arrives within d.
func (s *rawStream) quiet(d time.Duration) []sseEvent {
	var got []sseEvent
	timeout := time.After(d)
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				return got
			}
			got = append(got, e)
		case <-timeout:
			return got
		}
	}
}

// close disconnects, as a client that goes away.
func (s *rawStream) close() {
	s.cancel()
	for range s.events {
	}
}
