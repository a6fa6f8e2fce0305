package live_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/live"
	"github.com/prometheus/client_golang/prometheus"
)

// conn is a stream's connection that keeps what is written to it.
type conn struct {
	mu     sync.Mutex
	frames []string
	closed chan struct{}
	once   sync.Once
	wrote  chan struct{} // receives after each Send
	block  chan struct{} // when not nil, Send waits for it to close
	fail   error
}

func newConn() *conn {
	return &conn{closed: make(chan struct{}), wrote: make(chan struct{}, 1024)}
}

func (c *conn) Send(frames [][]byte, deadline time.Time) error {
	if c.block != nil {
		select {
		case <-c.block:
		case <-c.closed:
			return errors.New("closed")
		}
	}
	if c.fail != nil {
		return c.fail
	}
	c.mu.Lock()
	for _, f := range frames {
		c.frames = append(c.frames, string(f))
	}
	c.mu.Unlock()
	c.wrote <- struct{}{}
	return nil
}

func (c *conn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

func (c *conn) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.frames, "")
}

// waitFor waits until the connection's text contains want.
func (c *conn) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for !strings.Contains(c.text(), want) {
		select {
		case <-c.wrote:
		case <-deadline:
			t.Fatalf("never written: %q; got %q", want, c.text())
		}
	}
}

func (c *conn) waitClosed(t *testing.T) {
	t.Helper()
	select {
	case <-c.closed:
	case <-time.After(5 * time.Second):
		t.Fatalf("the connection was not closed; got %q", c.text())
	}
}

var (
	headA  = parley.Actor{AccountID: "a", Members: []parley.Membership{{MemberID: "ma", ProcessID: "p", PartyID: "A", Role: parley.RoleHead}}}
	caucus = parley.SpaceScope(parley.Space{ID: "s1", ProcessID: "p", Kind: parley.SpaceParty, PartyID: "A"})
	theirs = parley.SpaceScope(parley.Space{ID: "s3", ProcessID: "p", Kind: parley.SpaceParty, PartyID: "B"})
	heads  = parley.SpaceScope(parley.Space{ID: "s2", ProcessID: "p", Kind: parley.SpaceHeads})
)

func posted(seq int64, sc parley.Scope, body string) parley.Event {
	return parley.Event{Seq: seq, At: time.Unix(1700000000, 0).UTC(), Scope: sc, Data: &parley.MessagePosted{Body: body}}
}

func TestFrame(t *testing.T) {
	b, err := live.Frame(posted(7, caucus, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	want := "id: 7\nevent: message.posted\ndata: {\"seq\":7,\"type\":\"message.posted\",\"at\":\"2023-11-14T22:13:20Z\",\"process\":\"p\",\"space\":\"s1\",\"data\":"
	if !strings.HasPrefix(string(b), want) || !strings.HasSuffix(string(b), "}\n\n") || strings.Count(string(b), "\n") != 4 {
		t.Errorf("frame = %q, want it to begin %q", b, want)
	}
	b, _ = live.Frame(posted(0, caucus, "passing"))
	if !strings.HasPrefix(string(b), "event: message.posted\ndata: ") {
		t.Errorf("an event outside the record has an id: %q", b)
	}
}

// TestStreamHandover: events published while the handler reads the record
// are held, those it sent from the record are dropped, and the rest follow
// in order, once, then live events.
func TestStreamHandover(t *testing.T) {
	h := live.NewHub(16, nil)
	st := h.Open(live.Filter{Actor: headA}, 0, nil)
	h.Publish([]parley.Event{posted(1, caucus, "one"), posted(2, caucus, "two"), posted(3, theirs, "B's"), posted(4, caucus, "four")})
	c := newConn()
	st.Start(c, 2) // the handler sent 1 and 2 from the record
	c.waitFor(t, "four")
	h.Publish([]parley.Event{posted(4, caucus, "four again"), posted(0, heads, "passing"), posted(5, heads, "five")})
	c.waitFor(t, "five")
	got := c.text()
	for _, unwanted := range []string{"one", "two", "B's", "four again"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("the stream holds %q:\n%s", unwanted, got)
		}
	}
	if i, j := strings.Index(got, "passing"), strings.Index(got, "five"); i < 0 || i > j {
		t.Errorf("the passing event is missing or out of order:\n%s", got)
	}
	if h.Len() != 1 {
		t.Errorf("Len = %d, want 1", h.Len())
	}
	st.Close()
	c.waitClosed(t)
	if h.Len() != 0 {
		t.Errorf("Len after Close = %d", h.Len())
	}
}

func TestStreamSpace(t *testing.T) {
	h := live.NewHub(16, nil)
	st := h.Open(live.Filter{Actor: headA, Space: "s2"}, 0, nil)
	c := newConn()
	st.Start(c, -1)
	h.Publish([]parley.Event{posted(1, caucus, "caucus"), posted(2, heads, "heads")})
	c.waitFor(t, "heads")
	if strings.Contains(c.text(), "caucus") {
		t.Errorf("a stream of space s2 carried an event of s1:\n%s", c.text())
	}
	st.Close()
}

// TestStreamEndsOnRightsChange: an event that changes what the stream's
// actor may see is written, then the stream ends, even if it belongs to
// another space than the stream's.
func TestStreamEndsOnRightsChange(t *testing.T) {
	left := parley.Event{Seq: 2, Scope: parley.ProcessScope("p"), Data: &parley.MemberLeftGroup{MemberID: "ma", GroupID: "g"}}
	for _, tt := range []struct {
		name  string
		space string
		want  string // written before the end
	}{
		{"whole stream", "", "group.member_left"},
		{"stream of one space", "s1", "one"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := live.NewHub(16, nil)
			st := h.Open(live.Filter{Actor: headA, Space: tt.space}, 0, nil)
			c := newConn()
			st.Start(c, -1)
			h.Publish([]parley.Event{posted(1, caucus, "one"), left, posted(3, caucus, "after")})
			c.waitClosed(t)
			if got := c.text(); !strings.Contains(got, tt.want) || strings.Contains(got, "after") {
				t.Errorf("the stream wrote %q, want %q and nothing after the change", got, tt.want)
			}
			if h.Len() != 0 {
				t.Errorf("Len = %d, want 0", h.Len())
			}
		})
	}
	t.Run("change sent from the record already", func(t *testing.T) {
		h := live.NewHub(16, nil)
		st := h.Open(live.Filter{Actor: headA}, 0, nil)
		h.Publish([]parley.Event{left, posted(3, caucus, "after")})
		c := newConn()
		st.Start(c, 2)
		c.waitFor(t, "after")
		select {
		case <-c.closed:
			t.Error("the stream ended for a change its client had from the record")
		default:
		}
		st.Close()
	})
}

// TestStreamDropsSlow: a client that does not read is dropped once its
// queue is full; the others go on.
func TestStreamDropsSlow(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := live.NewHub(4, reg)
	slow, fast := newConn(), newConn()
	slow.block = make(chan struct{})
	h.Open(live.Filter{Actor: headA}, 0, nil).Start(slow, -1)
	h.Open(live.Filter{Actor: headA}, 0, nil).Start(fast, -1)
	for i := int64(1); i <= 10; i++ {
		h.Publish([]parley.Event{posted(i, caucus, "n")})
		fast.waitFor(t, "id: "+strconv.FormatInt(i, 10)+"\n")
	}
	slow.waitClosed(t)
	if h.Len() != 1 {
		t.Errorf("Len = %d, want 1", h.Len())
	}
	if n := metric(t, reg, "parley_sse_dropped_total"); n != 1 {
		t.Errorf("dropped = %v, want 1", n)
	}
	if n := metric(t, reg, "parley_sse_subscribers"); n != 1 {
		t.Errorf("subscribers = %v, want 1", n)
	}
}

func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			if m.Counter != nil {
				return m.Counter.GetValue()
			}
			return m.Gauge.GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func TestStreamWriteFails(t *testing.T) {
	h := live.NewHub(4, nil)
	c := newConn()
	c.fail = errors.New("broken pipe")
	h.Open(live.Filter{Actor: headA}, 0, nil).Start(c, -1)
	h.Publish([]parley.Event{posted(1, caucus, "n")})
	c.waitClosed(t)
	for h.Len() != 0 {
		time.Sleep(time.Millisecond)
	}
}

// TestStreamPing: an idle stream is kept alive with comments while its
// credentials hold, and ends when they no longer do.
func TestStreamPing(t *testing.T) {
	h := live.NewHub(4, nil)
	var signedIn atomic.Bool
	signedIn.Store(true)
	var checks atomic.Int32
	c := newConn()
	h.Open(live.Filter{Actor: headA}, 10*time.Millisecond, func(ctx context.Context) bool {
		checks.Add(1)
		return signedIn.Load()
	}).Start(c, -1)
	c.waitFor(t, ": ping\n\n: ping\n\n")
	signedIn.Store(false)
	c.waitClosed(t)
	if checks.Load() < 3 {
		t.Errorf("credentials checked %d times, want one per ping", checks.Load())
	}
}

// TestCloseStreams: a shutdown ends every stream, those still catching
// up and those opened afterwards too; subscriptions go on.
func TestCloseStreams(t *testing.T) {
	h := live.NewHub(4, nil)
	running, catching := newConn(), newConn()
	h.Open(live.Filter{Actor: headA}, 0, nil).Start(running, -1)
	pending := h.Open(live.Filter{Actor: headA}, 0, nil)
	sub := h.Subscribe(headA)
	h.CloseStreams()
	running.waitClosed(t)
	pending.Start(catching, 0)
	catching.waitClosed(t)
	late := newConn()
	h.Open(live.Filter{Actor: headA}, 0, nil).Start(late, -1)
	late.waitClosed(t)
	h.Publish([]parley.Event{posted(1, caucus, "n")})
	if e := <-sub.C; e.Seq != 1 {
		t.Errorf("the subscription got %d", e.Seq)
	}
	if h.Len() != 1 {
		t.Errorf("Len = %d, want the subscription alone", h.Len())
	}
}

// TestNetConnDeparture: on a real connection, a client that goes away is
// noticed at the next ping without asking after its credentials.
func TestNetConnDeparture(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	h := live.NewHub(4, nil)
	var checks atomic.Int32
	h.Open(live.Filter{Actor: headA}, 20*time.Millisecond, func(context.Context) bool {
		checks.Add(1)
		return true
	}).Start(live.NetConn(server), -1)
	h.Publish([]parley.Event{posted(1, caucus, "n")})
	r := bufio.NewReader(client)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == ": ping\n" {
			break
		}
	}
	client.Close()
	n := checks.Load()
	for deadline := time.Now().Add(5 * time.Second); h.Len() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the stream outlived its client")
		}
	}
	if got := checks.Load(); runtime.GOOS == "linux" && got > n+1 {
		t.Errorf("credentials checked %d times after the client left", got-n)
	}
}
