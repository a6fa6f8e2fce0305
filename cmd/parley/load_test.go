//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/client"
)

// TestMixedLoad runs `parley demo` (SQLite) in a child process and loads
// it over loopback for PARLEY_LOAD (a duration, e.g. 10m; the test skips
// without it) with a fixed mix:
//
//   - readers (PARLEY_LOAD_READERS, 8), each sending 10 requests a second
//     on a fixed schedule, in turn a page (with a session) and an API read
//     (with a token);
//   - writers (PARLEY_LOAD_WRITERS, 4), each posting 10 messages a second
//     through the JSON API to a thread of its own in head.ua's caucus;
//   - subscribers (PARLEY_LOAD_SUBSCRIBERS, 50) of GET /events, as head.ua,
//     who must each receive every message the writers posted, in order.
//
// Every 5 seconds (more often in a run shorter than 200 s) it reads the server's heap in use and goroutines from
// its /metrics, and its resident set from /proc. It fails on any error —
// a non-2xx answer, a failed request, a stream that ended, a message a
// subscriber missed or received out of order — and if the server grew:
// the lowest sample of the last window against the lowest of the first
// window after the warm-up (each window a minute, or a quarter of a short
// run; the warm-up a minute, or a fifth of a short run). The floor is
// compared, not the mean, because requests in flight, the hub's writers
// and garbage not yet collected come and go between samples, while a leak
// raises the floor. The limits: heap 25 % + 8 MiB more, resident set 25 %
// + 48 MiB (SQLite's page cache of up to 32 MiB fills as the database
// grows, outside Go's heap), goroutines 25 % + 20.
//
// It prints requests per second and latencies per kind, and the samples.
// The figures in docs/benchmarks.md ("Mixed load") come from a 10-minute
// run; test.sh runs a short one.
func TestMixedLoad(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("PARLEY_LOAD"))
	if err != nil || d <= 0 {
		t.Skip("set PARLEY_LOAD to a duration (e.g. 10m) to run the mixed load")
	}
	readers, writers, subscribers := envInt(t, "PARLEY_LOAD_READERS", 8), envInt(t, "PARLEY_LOAD_WRITERS", 4), envInt(t, "PARLEY_LOAD_SUBSCRIBERS", 50)
	const readRate, writeRate = 10, 10 // per reader and per writer, each second

	srv := startChild(t, "--log-level", "warn", "demo", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}

	// head.ua: a token for the API and the streams, a session for pages.
	head := client.New(srv.url, client.WithHTTPClient(hc))
	if err := head.Login(ctx, "head.ua", "demo-head-ua-2025"); err != nil {
		t.Fatal(err)
	}
	me, err := head.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	process := me.Members[0].ProcessID
	tok, err := head.CreateToken(ctx, "load", process)
	if err != nil {
		t.Fatal(err)
	}
	api := client.New(srv.url, client.WithHTTPClient(hc), client.WithToken(tok.Secret))
	// Streams last the whole run: their client has no timeout.
	streams := client.New(srv.url, client.WithHTTPClient(&http.Client{Transport: &http.Transport{}}), client.WithToken(tok.Secret))
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Transport: hc.Transport, Jar: jar, Timeout: 30 * time.Second}
	if res, err := browser.PostForm(srv.url+"/login", url.Values{"username": {"head.ua"}, "password": {"demo-head-ua-2025"}, "next": {"/"}}); err != nil {
		t.Fatal(err)
	} else {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	spaces, err := api.Spaces(ctx, process)
	if err != nil {
		t.Fatal(err)
	}
	var caucus string
	for _, sp := range spaces {
		if sp.Kind == parley.SpaceParty && sp.PartyID == me.Members[0].PartyID {
			caucus = sp.ID
		}
	}
	threads := make([]string, writers)
	for i := range threads {
		th, err := api.StartThread(ctx, parley.StartThread{SpaceID: caucus, Title: fmt.Sprintf("Load %d", i+1), Body: "Mixed load."})
		if err != nil {
			t.Fatal(err)
		}
		threads[i] = th.ID
	}

	pages := []string{"/processes", "/p/" + process, "/s/" + caucus, "/p/" + process + "/proposals", "/p/" + process + "/meetings",
		"/p/" + process + "/truces", "/p/" + process + "/statements", "/p/" + process + "/memos"}
	var lastWritten atomic.Int64
	apiReads := []func() string{
		func() string { return "/api/v1/me" },
		func() string { return "/api/v1/processes/" + process + "/spaces" },
		func() string { return "/api/v1/spaces/" + caucus + "/threads" },
		func() string { return "/api/v1/processes/" + process + "/proposals" },
		func() string { return "/api/v1/processes/" + process + "/truces" },
		func() string { return fmt.Sprintf("/api/v1/events?after=%d&limit=50", max(0, lastWritten.Load()-50)) },
	}

	st := newLoadStats()
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup

	// Subscribers first, on the live stream only, so that each must see
	// every message posted from now on.
	subs := make([]*loadSubscriber, subscribers)
	for i := range subs {
		s, err := openLoadSubscriber(ctx, streams, st)
		if err != nil {
			t.Fatalf("subscriber %d: %v", i, err)
		}
		subs[i] = s
	}
	for deadline := time.Now().Add(time.Minute); srv.metric(t, "parley_sse_subscribers") < float64(subscribers); {
		if time.Now().After(deadline) {
			t.Fatalf("the server counts %v subscribers, want %d", srv.metric(t, "parley_sse_subscribers"), subscribers)
		}
		time.Sleep(100 * time.Millisecond)
	}

	var written sync.Map // seq → true, every message the writers posted
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			paced(ctx, end, writeRate, i, func() {
				n++
				t0 := time.Now()
				c, err := api.PostMessage(ctx, parley.PostMessage{ThreadID: threads[i], Body: fmt.Sprintf("Message %d of writer %d.", n, i+1)})
				st.record("write", time.Since(t0), err)
				if err == nil {
					written.Store(c.Seq, true)
					for old := lastWritten.Load(); c.Seq > old && !lastWritten.CompareAndSwap(old, c.Seq); old = lastWritten.Load() {
					}
				}
			})
		}()
	}
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := i
			paced(ctx, end, readRate, i, func() {
				n++
				if n%2 == 0 {
					path := pages[(n/2)%len(pages)]
					t0 := time.Now()
					err := get(browser, srv.url+path, "text/html")
					st.record("page", time.Since(t0), err)
				} else {
					path := apiReads[(n/2)%len(apiReads)]()
					t0 := time.Now()
					err := getWithToken(hc, srv.url+path, tok.Secret)
					st.record("api-read", time.Since(t0), err)
				}
			})
		}()
	}

	// Samples of the server's memory and goroutines.
	var samples []loadSample
	tick := time.NewTicker(min(5*time.Second, d/40))
	defer tick.Stop()
	for now := range tick.C {
		samples = append(samples, srv.sample(t, now.Sub(start)))
		if now.After(end) {
			break
		}
	}
	wg.Wait()

	// Every message must reach every subscriber.
	var want []int64
	written.Range(func(k, _ any) bool { want = append(want, k.(int64)); return true })
	slices.Sort(want)
	missed := 0
	deadline := time.Now().Add(15 * time.Second)
	for _, s := range subs {
		for _, seq := range want {
			for !s.has(seq) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if !s.has(seq) {
				missed++
			}
		}
	}
	cancel()
	for _, s := range subs {
		s.wait()
	}
	elapsed := d.Seconds()

	// The report.
	t.Logf("mixed load for %v: %d readers (%d/s each), %d writers (%d/s each), %d subscribers; load average at the end: %s",
		d, readers, readRate, writers, writeRate, subscribers, loadAverage())
	t.Logf("%-10s %9s %8s %8s %8s %8s %7s", "kind", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors")
	for _, k := range []string{"page", "api-read", "write", "delivery"} {
		l := st.lat[k]
		n, p50, p99, mx := l.summary()
		t.Logf("%-10s %9d %8.1f %8.2f %8.2f %8.1f %7d", k, n, float64(n)/elapsed, p50, p99, mx, st.errors[k].Load())
	}
	t.Logf("messages posted: %d; deliveries: %d (want %d); missed: %d; out of order: %d; streams ended: %d",
		len(want), st.lat["delivery"].count(), len(want)*subscribers, missed, st.errors["order"].Load(), st.errors["stream"].Load())
	t.Logf("%8s %12s %12s %10s", "at", "heap MiB", "RSS MiB", "goroutines")
	for _, s := range samples {
		t.Logf("%8s %12.1f %12.1f %10.0f", s.at.Round(time.Second), s.heap/(1<<20), s.rss/(1<<20), s.goroutines)
	}
	for _, msg := range st.firstErrors() {
		t.Error(msg)
	}
	if missed > 0 {
		t.Errorf("%d deliveries missed", missed)
	}
	if n := st.errors["order"].Load(); n > 0 {
		t.Errorf("%d deliveries out of order", n)
	}
	if n := st.errors["stream"].Load(); n > 0 {
		t.Errorf("%d streams ended", n)
	}
	checkGrowth(t, samples, d)
}

// checkGrowth compares the lowest sample of the last window with the
// lowest of the first window after the warm-up.
func checkGrowth(t *testing.T, samples []loadSample, d time.Duration) {
	t.Helper()
	warm, window := min(time.Minute, d/5), min(time.Minute, d/4)
	var first, last []loadSample
	for _, s := range samples {
		if s.at >= warm && s.at < warm+window {
			first = append(first, s)
		}
		if s.at > d-window {
			last = append(last, s)
		}
	}
	if len(first) == 0 || len(last) == 0 {
		t.Errorf("too few samples (%d) to compare", len(samples))
		return
	}
	for _, c := range []struct {
		name       string
		of         func(loadSample) float64
		frac, plus float64
		unit       string
	}{
		{"heap in use", func(s loadSample) float64 { return s.heap / (1 << 20) }, 0.25, 8, "MiB"},
		{"resident set", func(s loadSample) float64 { return s.rss / (1 << 20) }, 0.25, 48, "MiB"},
		{"goroutines", func(s loadSample) float64 { return s.goroutines }, 0.25, 20, ""},
	} {
		a, b := lowest(first, c.of), lowest(last, c.of)
		limit := a*(1+c.frac) + c.plus
		t.Logf("%s, lowest: %.1f%s after the warm-up, %.1f%s at the end (limit %.1f%s)", c.name, a, c.unit, b, c.unit, limit, c.unit)
		if b > limit {
			t.Errorf("%s grew from %.1f%s to %.1f%s, beyond %.1f%s", c.name, a, c.unit, b, c.unit, limit, c.unit)
		}
	}
}

func lowest(ss []loadSample, of func(loadSample) float64) float64 {
	low := math.Inf(1)
	for _, s := range ss {
		low = min(low, of(s))
	}
	return low
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a number", name, v)
	}
	return n
}

// paced calls f rate times a second until end, on a fixed schedule
// (offset by i so that the goroutines do not all fire at once); a call
// that runs late is not made up for.
func paced(ctx context.Context, end time.Time, rate, i int, f func()) {
	every := time.Second / time.Duration(rate)
	next := time.Now().Add(every * time.Duration(i%rate) / time.Duration(rate))
	for next.Before(end) && ctx.Err() == nil {
		time.Sleep(time.Until(next))
		f()
		next = next.Add(every)
		if now := time.Now(); next.Before(now) {
			next = now
		}
	}
}

func get(c *http.Client, u, want string) error {
	res, err := c.Get(u)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), want) {
		return fmt.Errorf("GET %s: %d %s", u, res.StatusCode, res.Header.Get("Content-Type"))
	}
	return nil
}

func getWithToken(c *http.Client, u, token string) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", u, res.StatusCode)
	}
	return nil
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

// loadStats are the latencies and errors of each kind of request.
type loadStats struct {
	lat    map[string]*latencies
	errors map[string]*atomic.Int64
	mu     sync.Mutex
	first  []string
}

func newLoadStats() *loadStats {
	s := &loadStats{lat: map[string]*latencies{}, errors: map[string]*atomic.Int64{}}
	for _, k := range []string{"page", "api-read", "write", "delivery", "order", "stream"} {
		s.lat[k], s.errors[k] = &latencies{}, &atomic.Int64{}
	}
	return s
}

func (s *loadStats) record(kind string, d time.Duration, err error) {
	if err != nil {
		s.fail(kind, err.Error())
		return
	}
	s.lat[kind].add(d)
}

// fail counts an error and keeps the first few messages.
func (s *loadStats) fail(kind, msg string) {
	s.errors[kind].Add(1)
	s.mu.Lock()
	if len(s.first) < 10 {
		s.first = append(s.first, kind+": "+msg)
	}
	s.mu.Unlock()
}

func (s *loadStats) firstErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.first)
}

type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// summary returns the count and the p50, p99 and maximum in milliseconds.
func (l *latencies) summary() (int, float64, float64, float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0, math.NaN(), math.NaN(), math.NaN()
	}
	slices.Sort(l.d)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return len(l.d), ms(l.d[len(l.d)/2]), ms(l.d[int(0.99*float64(len(l.d)-1))]), ms(l.d[len(l.d)-1])
}

// loadSubscriber is one live stream, keeping the sequence numbers of the
// messages it received and timing each from the event's time.
type loadSubscriber struct {
	mu   sync.Mutex
	seen map[int64]bool
	done chan struct{}
}

func openLoadSubscriber(ctx context.Context, api *client.Client, st *loadStats) (*loadSubscriber, error) {
	events, err := api.Stream(ctx, -1, "")
	if err != nil {
		return nil, err
	}
	s := &loadSubscriber{seen: map[int64]bool{}, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		var last int64
		for e := range events {
			if e.Seq == 0 {
				continue // passing state (presence), not from the record
			}
			if e.Seq <= last {
				st.fail("order", fmt.Sprintf("event %d after %d", e.Seq, last))
			}
			last = e.Seq
			if e.Type != "message.posted" {
				continue
			}
			st.lat["delivery"].add(time.Since(e.At))
			s.mu.Lock()
			s.seen[e.Seq] = true
			s.mu.Unlock()
		}
		if ctx.Err() == nil {
			st.fail("stream", fmt.Sprintf("a stream ended after event %d", last))
		}
	}()
	return s, nil
}

func (s *loadSubscriber) has(seq int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[seq]
}

func (s *loadSubscriber) wait() {
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
}

// loadSample is the server's memory and goroutines at one moment.
type loadSample struct {
	at                    time.Duration
	heap, rss, goroutines float64
}

var vmRSS = regexp.MustCompile(`VmRSS:\s+(\d+) kB`)

func (c *child) sample(t testing.TB, at time.Duration) loadSample {
	s := loadSample{at: at, heap: c.metric(t, "go_memstats_heap_inuse_bytes"), goroutines: c.metric(t, "go_goroutines")}
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(c.pid) + "/status"); err == nil {
		if m := vmRSS.FindSubmatch(b); m != nil {
			kb, _ := strconv.ParseFloat(string(m[1]), 64)
			s.rss = kb * 1024
		}
	}
	return s
}
