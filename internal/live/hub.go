// Package live delivers committed events to the subscribers allowed to see
// them, within one server instance and, through PostgreSQL LISTEN/NOTIFY,
// across several.
//
// A Hub has two kinds of subscribers. Streams are the clients of GET
// /events: the hub encodes each event once as a Server-Sent Events frame
// and a small pool of writer goroutines writes it to every stream allowed
// to see it, so that an idle stream holds no goroutine and no buffer, only
// its connection. Subscriptions are channels, for the server's own use
// (notifications).
//
// A Hub never waits for a subscriber: one whose buffer is full is dropped
// (its channel or connection closed) and reconnects with the last sequence
// number it saw, so a slow browser cannot hold up the writer.
package live

import (
	"sync"

	"github.com/parley-talks/parley"
	"github.com/prometheus/client_golang/prometheus"
)

// Hub fans events out to subscribers.
type Hub struct {
	mu      sync.Mutex
	subs    map[*Subscription]struct{}
	streams []*Stream
	stopped bool // CloseStreams was called
	buffer  int
	gauge   prometheus.Gauge
	dropped prometheus.Counter

	qmu     sync.Mutex
	queue   []*Stream // streams with something to write, from head on
	head    int
	writers int
}

// Subscription is one subscriber's stream. C is closed when the hub dropped
// the subscriber for being too slow, or when it unsubscribed.
type Subscription struct {
	C     <-chan parley.Event
	ch    chan parley.Event
	actor parley.Actor
	all   bool // the server's own subscriber, e.g. notifications
}

// NewHub returns a hub whose subscribers each buffer up to buffer events.
// reg, if not nil, receives the hub's metrics.
func NewHub(buffer int, reg prometheus.Registerer) *Hub {
	h := &Hub{
		subs:   make(map[*Subscription]struct{}),
		buffer: buffer,
		gauge:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "parley_sse_subscribers", Help: "Live subscribers connected to this instance."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "parley_sse_dropped_total", Help: "Subscribers dropped for falling behind.",
		}),
	}
	if reg != nil {
		reg.MustRegister(h.gauge, h.dropped)
	}
	return h
}

// Subscribe returns a stream of the events a may see, from now on.
func (h *Hub) Subscribe(a parley.Actor) *Subscription {
	ch := make(chan parley.Event, h.buffer)
	s := &Subscription{C: ch, ch: ch, actor: a}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	h.gauge.Inc()
	return s
}

// SubscribeAll returns a stream of every event, for the server's own use
// (notifications); it must never reach a user.
func (h *Hub) SubscribeAll() *Subscription {
	s := h.Subscribe(parley.Actor{})
	h.mu.Lock()
	s.all = true
	h.mu.Unlock()
	return s
}

// Unsubscribe ends s; it is safe to call after the hub dropped s.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.remove(s)
}

func (h *Hub) remove(s *Subscription) {
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
		h.gauge.Dec()
	}
}

// Publish delivers events, in order, to every subscriber that may see them.
// It never blocks: streams are written by the hub's writers.
func (h *Hub) Publish(events []parley.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.publishStreams(events)
	for s := range h.subs {
		for _, e := range events {
			if !s.all && !parley.Visible(s.actor, e.Scope) {
				continue
			}
			select {
			case s.ch <- e:
			default:
				h.remove(s)
				h.dropped.Inc()
			}
			if _, ok := h.subs[s]; !ok {
				break
			}
		}
	}
}

// publishStreams queues events for the streams; the hub's lock is held.
func (h *Hub) publishStreams(events []parley.Event) {
	if len(h.streams) == 0 {
		return
	}
	frames := make([][]byte, len(events))
	failed := make([]bool, len(events))
	frame := func(i int) ([]byte, bool) {
		if frames[i] == nil && !failed[i] {
			b, err := Frame(events[i])
			frames[i], failed[i] = b, err != nil
		}
		return frames[i], !failed[i]
	}
	var write []*Stream
	// Backwards, so that a stream taken off the list is replaced by one
	// already served.
	for i := len(h.streams) - 1; i >= 0; i-- {
		st := h.streams[i]
		w, leave, drop := st.offer(events, frame)
		if w {
			write = append(write, st)
			if len(write) == 256 {
				// The writers begin while the rest is queued.
				h.schedule(write...)
				write = write[:0]
			}
		}
		if leave {
			h.unlist(st)
		}
		if drop {
			st.shut()
			h.dropped.Inc()
		}
	}
	if len(write) > 0 {
		h.schedule(write...)
	}
}

// Len returns the number of subscribers and streams.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs) + len(h.streams)
}
