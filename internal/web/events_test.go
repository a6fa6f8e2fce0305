package web_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
	"github.com/parley-talks/parley/internal/web"
	"github.com/prometheus/client_golang/prometheus"
)

// TestStreamTransports runs the live stream over HTTP/1.1, where the hub
// takes the connection over from net/http, and over HTTP/2, where it
// cannot and writes through the handler's response writer: either way the
// stream has the same headers, resumes from the record, carries live
// events, ends when its token is revoked, and ends on shutdown.
func TestStreamTransports(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		name := "HTTP/1.1"
		if h2 {
			name = "HTTP/2"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.OpenSQLite(t)
			hub := live.NewHub(64, nil)
			w := storetest.NewWorld(t, db, hub.Publish)
			reg := prometheus.NewRegistry()
			srv, err := web.New(web.Config{Version: "test", StreamPing: 50 * time.Millisecond}, db, w.Service, hub,
				slog.New(slog.NewTextHandler(io.Discard, nil)), reg, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewUnstartedServer(srv.Handler(reg))
			if h2 {
				ts.EnableHTTP2 = true
				ts.StartTLS()
			} else {
				ts.Start()
			}
			t.Cleanup(ts.Close)
			secret, hash, err := auth.NewToken()
			if err != nil {
				t.Fatal(err)
			}
			tok := store.Token{ID: service.NewID(), AccountID: w.HeadA.AccountID, Name: "stream", CreatedAt: time.Now()}
			if err := db.CreateToken(ctx, tok, hash); err != nil {
				t.Fatal(err)
			}
			open := func(lastEventID string) (*http.Response, <-chan string) {
				t.Helper()
				req, _ := http.NewRequest("GET", ts.URL+"/events", nil)
				req.Header.Set("Authorization", "Bearer "+secret)
				if lastEventID != "" {
					req.Header.Set("Last-Event-ID", lastEventID)
				}
				res, err := ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { res.Body.Close() })
				lines := make(chan string, 100)
				go func() {
					defer close(lines)
					sc := bufio.NewScanner(res.Body)
					for sc.Scan() {
						lines <- sc.Text()
					}
				}()
				return res, lines
			}
			expect := func(lines <-chan string, want string) {
				t.Helper()
				timeout := time.After(5 * time.Second)
				for {
					select {
					case l, ok := <-lines:
						if !ok {
							t.Fatalf("the stream ended before %q", want)
						}
						if l == want {
							return
						}
					case <-timeout:
						t.Fatalf("%q did not come", want)
					}
				}
			}
			ends := func(lines <-chan string, why string) {
				t.Helper()
				timeout := time.After(5 * time.Second)
				for {
					select {
					case _, ok := <-lines:
						if !ok {
							return
						}
					case <-timeout:
						t.Fatalf("the stream went on after %s", why)
					}
				}
			}

			before, _ := db.LastSeq(ctx)
			caucus := w.SpaceOf(parley.SpaceParty, w.PartyA.ID)
			evs := w.Must(t, w.HeadA, parley.StartThread{SpaceID: caucus.ID, Title: "Lines", Body: "Our lines."})
			res, lines := open(strconv.FormatInt(before, 10))
			if got := res.ProtoMajor; got != map[bool]int{false: 1, true: 2}[h2] {
				t.Errorf("protocol HTTP/%d", got)
			}
			for k, v := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no", "X-Frame-Options": "DENY"} {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			expect(lines, "retry: 2000")
			expect(lines, "id: "+strconv.FormatInt(evs[0].Seq, 10)) // from the record
			expect(lines, "id: "+strconv.FormatInt(evs[1].Seq, 10))
			more := w.Must(t, w.HeadA, parley.PostMessage{ThreadID: evs[0].Data.(*parley.ThreadStarted).ThreadID, Body: "And more."})
			expect(lines, "id: "+strconv.FormatInt(more[0].Seq, 10)) // live
			expect(lines, ": ping")
			if err := db.DeleteToken(ctx, w.HeadA.AccountID, tok.ID); err != nil {
				t.Fatal(err)
			}
			ends(lines, "its token was revoked")

			if err := db.CreateToken(ctx, tok, hash); err != nil {
				t.Fatal(err)
			}
			_, lines = open("")
			expect(lines, "retry: 2000")
			head, _ := http.NewRequest("HEAD", ts.URL+"/events", nil)
			head.Header.Set("Authorization", "Bearer "+secret)
			if res, err := ts.Client().Do(head); err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
				t.Errorf("HEAD /events: %v %v", res, err)
			} else if b, _ := io.ReadAll(res.Body); len(b) != 0 {
				t.Errorf("HEAD /events has a body: %q", b)
			}
			srv.StopStreams()
			ends(lines, "StopStreams")
		})
	}
}
