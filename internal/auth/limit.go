package auth

import (
	"sync"
	"time"
)

// Limiter allows a number of attempts per key within a sliding window, e.g.
// sign-in attempts per client address. It forgets keys whose window passed.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	hits   map[string][]time.Time
}

// NewLimiter allows max attempts per key within window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, hits: make(map[string][]time.Time)}
}

// Allow records an attempt for key at now and reports whether it is within
// the limit.
func (l *Limiter) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.hits) > 10000 {
		l.sweep(now)
	}
	h := l.hits[key]
	i := 0
	for i < len(h) && now.Sub(h[i]) >= l.window {
		i++
	}
	h = h[i:]
	if len(h) >= l.max {
		l.hits[key] = h
		return false
	}
	l.hits[key] = append(h, now)
	return true
}

func (l *Limiter) sweep(now time.Time) {
	for k, h := range l.hits {
		if len(h) == 0 || now.Sub(h[len(h)-1]) >= l.window {
			delete(l.hits, k)
		}
	}
}
