package web

import (
	"strings"

	"encoding/json"
	"fmt"
	"github.com/parley-talks/parley/internal/auth"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-talks/parley"
)

// sseEvent is the data of one live event.
type sseEvent struct {
	Seq     int64            `json:"seq"`
	Type    string           `json:"type"`
	At      time.Time        `json:"at"`
	Process string           `json:"process,omitempty"`
	Space   string           `json:"space,omitempty"`
	Data    parley.EventData `json:"data"`
}

// events streams the events the actor may see as Server-Sent Events. Each
// event's id is its record sequence number: a client that reconnects with
// Last-Event-ID (or ?after=) first receives what it missed, from the record,
// then live events, without gaps or repeats. With ?space= only that space's
// events are sent.
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
	sub := s.hub.Subscribe(a)
	defer s.hub.Unsubscribe(sub)

	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}

	send := func(e parley.Event) error {
		if space != "" && e.Scope.Space.ID != space {
			return nil
		}
		b, err := json.Marshal(sseEvent{Seq: e.Seq, Type: e.Type(), At: e.At, Process: e.Scope.ProcessID, Space: e.Scope.Space.ID, Data: e.Data})
		if err != nil {
			return err
		}
		rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if e.Seq == 0 {
			// A passing event (who is editing what) is not in the record:
			// it has no id, so that a reconnect resumes from the record.
			_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type(), b)
			return err
		}
		if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Type(), b); err != nil {
			return err
		}
		return nil
	}
	last := after
	if after >= 0 {
		// Catch up from the record. Subscribing first means nothing
		// committed meanwhile is lost; `last` drops what comes twice.
		for {
			evs, err := s.db.Events(r.Context(), a, last, 500)
			if err != nil {
				s.log.WarnContext(r.Context(), "sse backlog", "err", err)
				return
			}
			for _, e := range evs {
				if err := send(e); err != nil {
					return
				}
				last = e.Seq
			}
			if len(evs) < 500 {
				break
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
	ping := time.NewTicker(s.cfg.StreamPing)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.stop:
			return
		case <-ping.C:
			if !s.stillSignedIn(r) {
				return // signed out or token revoked since the stream began
			}
			rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		case e, ok := <-sub.C:
			if !ok {
				return // dropped for being slow: the client reconnects and catches up
			}
			if e.Seq != 0 && e.Seq <= last {
				continue
			}
			if err := send(e); err != nil {
				return
			}
			if e.Seq != 0 {
				last = e.Seq
			}
			if err := rc.Flush(); err != nil {
				return
			}
			if changesRights(a, e) {
				// The hub filters by the actor as it was at subscription:
				// end the stream, so that the client reconnects (with
				// Last-Event-ID) as who it is now. Otherwise a member taken
				// out of a working group would go on receiving its events.
				return
			}
		}
	}
}

// changesRights reports whether e changes what a may see: a's account
// joins a process, or one of a's members joins or leaves a working group
// or changes role.
func changesRights(a parley.Actor, e parley.Event) bool {
	mine := func(member string) bool {
		for _, m := range a.Members {
			if m.MemberID == member {
				return true
			}
		}
		return false
	}
	switch d := e.Data.(type) {
	case *parley.MemberAdded:
		return d.AccountID == a.AccountID
	case *parley.MemberJoinedGroup:
		return mine(d.MemberID)
	case *parley.MemberLeftGroup:
		return mine(d.MemberID)
	case *parley.MemberRoleChanged:
		return mine(d.MemberID)
	}
	return false
}

// StopStreams ends every live stream, so that a graceful shutdown does not
// wait for them; clients reconnect to another instance or after the restart.
func (s *Server) StopStreams() {
	s.stopOnce.Do(func() { close(s.stop) })
}

// stillSignedIn reports whether the credentials of a long-running request
// are still valid: its API token not revoked, its session not ended.
func (s *Server) stillSignedIn(r *http.Request) bool {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		secret, _ := strings.CutPrefix(h, "Bearer ")
		_, err := s.db.TokenByHash(ctx, auth.TokenHash(strings.TrimSpace(secret)))
		return err == nil
	}
	c, err := r.Cookie(s.sessions.Cookie.Name)
	if err != nil {
		return false
	}
	_, found, err := s.db.Sessions().FindCtx(ctx, c.Value)
	return err == nil && found
}
