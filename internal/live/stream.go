package live

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/parley-talks/parley"
)

// A Conn is where a stream's frames go: a network connection taken over
// from the HTTP server, or a response writer where that is not possible.
type Conn interface {
	// Send writes the frames, in order, before deadline.
	Send(frames [][]byte, deadline time.Time) error
	// Close ends the connection; a Send in progress fails.
	Close() error
}

// NetConn returns c as a stream's connection. The HTTP server must no
// longer use c: the hub writes to it and closes it.
func NetConn(c net.Conn) Conn { return &netConn{Conn: c} }

type netConn struct {
	net.Conn
	deadline time.Time // of writes, as last set
}

// Send writes frames with a single system call. Setting the write deadline
// costs about as much as a small write, so it is moved only once half of
// its time has passed: a write may wait between half and all of it.
func (c *netConn) Send(frames [][]byte, deadline time.Time) error {
	if time.Until(c.deadline) < writeTimeout/2 {
		c.SetWriteDeadline(deadline)
		c.deadline = deadline
	}
	if len(frames) == 1 {
		_, err := c.Write(frames[0])
		return err
	}
	bufs := net.Buffers(frames)
	_, err := bufs.WriteTo(c.Conn)
	return err
}

// gone reports whether the client has closed its end, without waiting.
func (c *netConn) gone() bool { return peerClosed(c.Conn) }

const (
	// writeTimeout bounds each write to a stream: a client that reads
	// nothing for that long is dropped and reconnects.
	writeTimeout = 10 * time.Second
	// maxWriters is how many goroutines at most write to streams at once.
	maxWriters = 32
)

type state uint8

const (
	pending state = iota // opened, its events held while the handler catches up
	active               // written by the hub's writers
	ending               // its last event queued: closed once written
	closed
)

// entry is one frame queued for a stream. A final entry ends the stream
// once written; its frame may be nil (an event outside the stream's space
// that changes its actor's rights).
type entry struct {
	seq   int64
	frame []byte
	final bool
}

// A Stream is one client's live stream of events, written by the hub.
// Handlers open it before they read the record for the client, so that
// nothing committed meanwhile is lost, then Start it on the connection.
//
// A stream costs no goroutine while idle: the hub's writers write queued
// frames, and a timer wakes it to check the client's credentials and send
// a keep-alive comment.
type Stream struct {
	hub    *Hub
	filter Filter
	ping   time.Duration
	alive  func(context.Context) bool
	idx    int // in hub.streams, under hub.mu; -1 once removed

	mu        sync.Mutex
	state     state
	conn      Conn
	queue     []entry
	last      int64 // the last record event queued or sent
	scheduled bool  // queued for a writer, or being written
	pingDue   bool
	timer     *time.Timer
}

// Open returns a stream of the events f allows, from now on. They are held
// until Start. Every ping interval the stream checks alive (the client's
// credentials) and ends when it reports false, or sends a keep-alive
// comment. After CloseStreams, the stream is closed at once.
func (h *Hub) Open(f Filter, ping time.Duration, alive func(context.Context) bool) *Stream {
	st := &Stream{hub: h, filter: f, ping: ping, alive: alive, idx: -1}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		st.state = closed
		return st
	}
	st.idx = len(h.streams)
	h.streams = append(h.streams, st)
	h.gauge.Inc()
	return st
}

// Start hands the stream to the hub's writers on c: the events held since
// Open that come after record entry last (the last one the handler sent),
// then live events. If the stream was closed meanwhile, c is closed.
func (st *Stream) Start(c Conn, last int64) {
	st.mu.Lock()
	if st.state == closed {
		st.mu.Unlock()
		c.Close()
		return
	}
	st.conn, st.last, st.state = c, last, active
	q := st.queue[:0]
	for _, en := range st.queue {
		if en.seq != 0 && en.seq <= last {
			continue // sent from the record already
		}
		q = append(q, en)
		if en.seq != 0 {
			st.last = en.seq
		}
		if en.final {
			st.state = ending
			break
		}
	}
	clear(st.queue[len(q):])
	st.queue = q
	end := st.state == ending
	write := len(q) > 0
	st.scheduled = write
	if st.ping > 0 {
		st.timer = time.AfterFunc(st.ping, st.pingNow)
	}
	st.mu.Unlock()
	if end {
		st.hub.removeStream(st)
	}
	if write {
		st.hub.schedule(st)
	}
}

// Close ends the stream and closes its connection.
func (st *Stream) Close() {
	st.hub.removeStream(st)
	st.shut()
}

// shut marks st closed and closes its connection, once.
func (st *Stream) shut() {
	st.mu.Lock()
	if st.state == closed {
		st.mu.Unlock()
		return
	}
	st.state = closed
	st.queue = nil
	if st.timer != nil {
		st.timer.Stop()
	}
	c := st.conn
	st.mu.Unlock()
	if c != nil {
		c.Close()
	}
	st.hub.gauge.Dec()
}

// offer queues the events of one publication that st carries; frame
// encodes the i-th, once for all streams. It reports whether st must be
// handed to a writer, and whether it leaves the hub's list: because it
// ends after these events, or because it fell behind and must be dropped.
// The hub's lock is held.
func (st *Stream) offer(events []parley.Event, frame func(int) ([]byte, bool)) (write, leave, drop bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.state != pending && st.state != active {
		return false, true, false
	}
	a := st.filter.Actor
	for i, e := range events {
		if !parley.Visible(a, e.Scope) {
			continue
		}
		final := ChangesRights(a, e)
		in := st.filter.InSpace(e)
		if !in && !final {
			continue
		}
		if st.state == active && e.Seq != 0 && e.Seq <= st.last {
			continue
		}
		var b []byte
		if in {
			var ok bool
			if b, ok = frame(i); !ok {
				continue
			}
		}
		if len(st.queue) >= st.hub.buffer {
			return false, true, true
		}
		st.queue = append(st.queue, entry{seq: e.Seq, frame: b, final: final})
		if st.state == pending {
			continue // Start drops what the handler sent from the record
		}
		if e.Seq != 0 {
			st.last = e.Seq
		}
		if final {
			st.state = ending
			leave = true
			break
		}
	}
	if st.state != pending && len(st.queue) > 0 && !st.scheduled {
		st.scheduled = true
		write = true
	}
	return write, leave, false
}

// pingNow runs on st's timer: it asks a writer to check the credentials
// and send a keep-alive comment.
func (st *Stream) pingNow() {
	st.mu.Lock()
	if st.state == closed {
		st.mu.Unlock()
		return
	}
	st.pingDue = true
	write := !st.scheduled
	st.scheduled = true
	st.mu.Unlock()
	if write {
		st.hub.schedule(st)
	}
}

// flush writes what is queued for st, gathering the frames in scratch,
// and returns scratch for the next; only one writer at a time holds a
// stream (its scheduled flag).
func (st *Stream) flush(scratch [][]byte) [][]byte {
	frames := scratch[:0]
	defer clear(frames) // hold no frame in the scratch
	st.mu.Lock()
	if st.state == closed {
		st.mu.Unlock()
		return frames
	}
	pingDue, c := st.pingDue, st.conn
	st.pingDue = false
	end := false
	for _, en := range st.queue {
		if en.frame != nil {
			frames = append(frames, en.frame)
		}
		end = end || en.final
	}
	if cap(st.queue) <= 4 {
		// An idle stream keeps a small queue rather than allocate one
		// for every event.
		clear(st.queue)
		st.queue = st.queue[:0]
	} else {
		st.queue = nil
	}
	st.mu.Unlock()

	if pingDue {
		if !st.stillWanted(c) {
			st.Close()
			return frames
		}
		frames = append(frames, ping)
	}
	if len(frames) > 0 {
		if err := c.Send(frames, time.Now().Add(writeTimeout)); err != nil {
			st.Close() // the client reconnects and catches up
			return frames
		}
	}
	if end {
		st.Close()
		return frames
	}
	st.mu.Lock()
	if st.state == closed {
		st.mu.Unlock()
		return frames
	}
	if pingDue {
		st.timer.Reset(st.ping)
	}
	again := len(st.queue) > 0 || st.pingDue
	st.scheduled = again
	st.mu.Unlock()
	if again {
		st.hub.schedule(st)
	}
	return frames
}

// stillWanted reports whether the client is still there and still signed
// in.
func (st *Stream) stillWanted(c Conn) bool {
	if g, ok := c.(interface{ gone() bool }); ok && g.gone() {
		return false
	}
	if st.alive == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	return st.alive(ctx)
}

// schedule hands streams to the writers, starting writers as needed; a
// writer ends when nothing is left to write, so an idle hub has none.
func (h *Hub) schedule(streams ...*Stream) {
	h.qmu.Lock()
	h.queue = append(h.queue, streams...)
	start := min(maxWriters-h.writers, len(h.queue)-h.head)
	h.writers += start
	h.qmu.Unlock()
	for range start {
		go h.write()
	}
}

func (h *Hub) write() {
	var scratch [][]byte
	for {
		h.qmu.Lock()
		if h.head == len(h.queue) {
			clear(h.queue)
			h.queue, h.head = h.queue[:0], 0
			h.writers--
			h.qmu.Unlock()
			return
		}
		st := h.queue[h.head]
		h.head++
		h.qmu.Unlock()
		scratch = st.flush(scratch)
	}
}

// removeStream takes st off the list of streams that receive events.
func (h *Hub) removeStream(st *Stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.unlist(st)
}

// unlist takes st off the list; the hub's lock is held.
func (h *Hub) unlist(st *Stream) {
	if st.idx < 0 {
		return
	}
	last := h.streams[len(h.streams)-1]
	h.streams[st.idx] = last
	last.idx = st.idx
	h.streams[len(h.streams)-1] = nil
	h.streams = h.streams[:len(h.streams)-1]
	st.idx = -1
}

// CloseStreams ends every stream, and every stream opened afterwards, so
// that a server shutting down does not wait for them; clients reconnect to
// another instance or after the restart. Subscriptions (Subscribe) go on.
func (h *Hub) CloseStreams() {
	h.mu.Lock()
	all := h.streams
	h.streams = nil
	h.stopped = true
	for _, st := range all {
		st.idx = -1
	}
	h.mu.Unlock()
	for _, st := range all {
		st.shut()
	}
}
