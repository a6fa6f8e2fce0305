package web

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/live"
)

// writeTimeout bounds each write of the record's backlog to a stream.
const writeTimeout = 10 * time.Second

// events streams the events the actor may see as Server-Sent Events. Each
// event's id is its record sequence number: a client that reconnects with
// Last-Event-ID (or ?after=) first receives what it missed, from the record,
// then live events, without gaps or repeats. With ?space= only that space's
// events are sent.
//
// Once the backlog is sent, the handler hands the connection over to the
// hub (internal/live), which writes each event to every stream allowed to
// see it from a few writer goroutines, and returns: an idle stream holds
// neither a goroutine nor net/http's buffers. Where the connection cannot be
// taken over (HTTP/2), the handler stays and the hub writes through its
// response writer instead.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	a := requestActor(r.Context())
	if a.Anonymous() {
		s.apiError(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in first."))
		return
	}
	after := int64(-1)
	for _, v := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("after")} {
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.apiError(w, r, &parley.Error{Code: parley.EINVALID, Message: "The position to resume from is not valid.", Fields: map[string]string{"after": "must be a record sequence number"}})
			return
		}
		after = n
		break
	}
	space := r.URL.Query().Get("space")
	if space != "" {
		if _, err := s.db.Space(r.Context(), a, space); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	// Opening the stream first means nothing committed while the backlog
	// is read is lost; Start drops what comes twice.
	f := live.Filter{Actor: a, Space: space}
	st := s.hub.Open(f, s.cfg.StreamPing, s.credentials(r))
	var conn live.Conn
	frames := [][]byte{live.Retry}
	var fallback *responseConn
	if c, err := takeOver(w); err == nil {
		conn = live.NetConn(c.Conn)
		frames = append([][]byte{c.head}, frames...)
	} else {
		rc := http.NewResponseController(w)
		rc.SetWriteDeadline(time.Time{})
		w.WriteHeader(http.StatusOK)
		fallback = &responseConn{w: w, rc: rc, done: make(chan struct{})}
		conn = fallback
	}

	last := after
	for after >= 0 {
		evs, err := s.db.Events(r.Context(), a, last, 500)
		if err != nil {
			s.log.WarnContext(r.Context(), "sse backlog", "err", err)
			st.Close()
			conn.Close()
			fallback.finish()
			return
		}
		for _, e := range evs {
			last = e.Seq
			if !f.InSpace(e) {
				continue
			}
			b, err := live.Frame(e)
			if err != nil {
				s.log.ErrorContext(r.Context(), "sse frame", "seq", e.Seq, "err", err)
				continue
			}
			frames = append(frames, b)
		}
		if len(evs) < 500 {
			break
		}
		if err := conn.Send(frames, time.Now().Add(writeTimeout)); err != nil {
			st.Close()
			conn.Close()
			fallback.finish()
			return
		}
		frames = frames[:0]
	}
	if err := conn.Send(frames, time.Now().Add(writeTimeout)); err != nil {
		st.Close()
		conn.Close()
		fallback.finish()
		return
	}
	st.Start(conn, last)
	if fallback != nil {
		select {
		case <-fallback.done:
		case <-r.Context().Done():
		}
		st.Close()
		fallback.finish()
	}
}

// hijacked is a connection taken over from net/http, with the head of the
// response it must begin with.
type hijacked struct {
	net.Conn
	head []byte
}

// takeOver takes the connection of an HTTP/1.x request from net/http,
// whose buffers are then dropped, and returns it with the head of a 200
// response carrying w's headers. The stream's body ends with the
// connection.
func takeOver(w http.ResponseWriter) (hijacked, error) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return hijacked{}, err
	}
	h := w.Header()
	h.Set("Connection", "close")
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	h.Write(&b)
	b.WriteString("\r\n")
	return hijacked{Conn: c, head: b.Bytes()}, nil
}

// responseConn is a stream's connection through a response writer, where
// the connection cannot be taken over: the handler waits until done.
type responseConn struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	over bool // the handler is returning: the writer may not be used
}

func (c *responseConn) Send(frames [][]byte, deadline time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.over {
		return net.ErrClosed
	}
	c.rc.SetWriteDeadline(deadline)
	for _, f := range frames {
		if _, err := c.w.Write(f); err != nil {
			return err
		}
	}
	return c.rc.Flush()
}

func (c *responseConn) Close() error {
	c.once.Do(func() { close(c.done) })
	return nil
}

// finish waits for a write in progress and forbids any more, so that the
// handler may return. It does nothing on a nil c.
func (c *responseConn) finish() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.over = true
	c.mu.Unlock()
}

// StopStreams ends every live stream, so that a graceful shutdown does not
// wait for them; clients reconnect to another instance or after the restart.
func (s *Server) StopStreams() {
	s.hub.CloseStreams()
}

// credentials returns a check of whether the credentials of a long-running
// request are still valid: its API token not revoked, its session not
// ended. It keeps the credential alone, not the request.
func (s *Server) credentials(r *http.Request) func(context.Context) bool {
	if h := r.Header.Get("Authorization"); h != "" {
		secret, _ := strings.CutPrefix(h, "Bearer ")
		hash := auth.TokenHash(strings.TrimSpace(secret))
		return func(ctx context.Context) bool {
			_, err := s.db.TokenByHash(ctx, hash)
			return err == nil
		}
	}
	c, err := r.Cookie(s.sessions.Cookie.Name)
	if err != nil {
		return func(context.Context) bool { return false }
	}
	token := c.Value
	return func(ctx context.Context) bool {
		_, found, err := s.db.Sessions().FindCtx(ctx, token)
		return err == nil && found
	}
}
