package web_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
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

// BenchmarkLiveGroup measures a working group at work: its 30 members each
// hold a live stream (GET /events with an API token, over HTTP/1.1 on
// loopback), and each iteration the mediator posts one message to the
// group through the service. The latency of each delivery runs from the
// moment the writer hands the committed event to the hub, right after the
// commit, to the moment the member's client has read its data line.
func BenchmarkLiveGroup(b *testing.B) {
	const members = 30
	ctx := context.Background()
	db := storetest.OpenSQLite(b)
	hub := live.NewHub(256, nil)
	var committed atomic.Int64
	w := storetest.NewWorld(b, db, func(evs []parley.Event) {
		committed.Store(time.Now().UnixNano())
		hub.Publish(evs)
	})
	evs := w.Must(b, w.Mediator, parley.CreateGroup{ProcessID: w.Process.ID, Kind: parley.GroupHumanitarian,
		Names: parley.Names{parley.English: "Exchanges of prisoners"}})
	group, space := evs[0].Data.(*parley.GroupCreated).GroupID, evs[1].Data.(*parley.SpaceOpened).SpaceID
	tokens := make([]string, members)
	for i := range members {
		acc := parley.Account{ID: service.NewID(), Username: "member" + strconv.Itoa(i), DisplayName: "Member " + strconv.Itoa(i),
			Locale: parley.English, TimeZone: "UTC", CreatedAt: time.Now()}
		if err := db.CreateAccount(ctx, acc, "x"); err != nil {
			b.Fatal(err)
		}
		party := []parley.Party{w.PartyA, w.PartyB}[i%2]
		m := w.Must(b, w.Operator, parley.AddMember{ProcessID: w.Process.ID, AccountID: acc.ID, PartyID: party.ID, Role: parley.RoleDelegate})
		w.Must(b, w.Mediator, parley.JoinGroup{GroupID: group, MemberID: m[0].Data.(*parley.MemberAdded).MemberID})
		secret, hash, err := auth.NewToken()
		if err != nil {
			b.Fatal(err)
		}
		if err := db.CreateToken(ctx, store.Token{ID: service.NewID(), AccountID: acc.ID, ProcessID: w.Process.ID, Name: "bench", CreatedAt: time.Now()}, hash); err != nil {
			b.Fatal(err)
		}
		tokens[i] = secret
	}
	thread := w.Must(b, w.Mediator, parley.StartThread{SpaceID: space, Title: "Lists", Body: "Lists of names."})[0].Data.(*parley.ThreadStarted).ThreadID

	reg := prometheus.NewRegistry()
	srv, err := web.New(web.Config{Version: "bench"}, db, w.Service, hub, slog.New(slog.NewTextHandler(io.Discard, nil)), reg, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler(reg))
	b.Cleanup(func() {
		srv.StopStreams()
		ts.Close()
	})
	arrivals := make(chan time.Time, members)
	for _, tok := range tokens {
		c, err := dialStream(ts.Listener.Addr().String(), tok, arrivals)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
	}
	for hub.Len() < members {
		time.Sleep(time.Millisecond)
	}

	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		w.Must(b, w.Mediator, parley.PostMessage{ThreadID: thread, Body: "Message " + strconv.Itoa(i)})
		timeout := time.After(10 * time.Second)
		var at []time.Time
		for len(at) < members {
			select {
			case t := <-arrivals:
				at = append(at, t)
			case <-timeout:
				b.Fatalf("iteration %d: %d of %d members received the message within 10s", i, len(at), members)
			}
		}
		c := time.Unix(0, committed.Load())
		for _, t := range at {
			lat = append(lat, t.Sub(c))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1])/float64(time.Millisecond), "max-ms")
}

// dialStream opens GET /events on a raw connection with token and reads
// it in a goroutine that sends the time each message.posted event's data
// line was read.
func dialStream(addr, token string, arrivals chan<- time.Time) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if err := req.Write(c); err != nil {
		c.Close()
		return nil, err
	}
	res, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		c.Close()
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		c.Close()
		return nil, fmt.Errorf("GET /events: %s", res.Status)
	}
	go func() {
		body := bufio.NewReader(res.Body)
		var typ []byte
		for {
			line, err := body.ReadSlice('\n')
			if err != nil {
				return
			}
			now := time.Now()
			if t, ok := bytes.CutPrefix(line, []byte("event: ")); ok {
				typ = append(typ[:0], bytes.TrimSpace(t)...)
			} else if bytes.HasPrefix(line, []byte("data: ")) && string(typ) == "message.posted" {
				arrivals <- now
			}
		}
	}()
	return c, nil
}
