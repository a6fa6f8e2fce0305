package live

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/parley-talks/parley"
)

// Retry is the first frame of every stream: it asks the browser to
// reconnect after two seconds when the stream ends.
var Retry = []byte("retry: 2000\n\n")

// ping is the comment that keeps an idle stream open through proxies.
var ping = []byte(": ping\n\n")

// wireEvent is the data of one event on the stream.
type wireEvent struct {
	Seq     int64            `json:"seq"`
	Type    string           `json:"type"`
	At      time.Time        `json:"at"`
	Process string           `json:"process,omitempty"`
	Space   string           `json:"space,omitempty"`
	Data    parley.EventData `json:"data"`
}

// Frame encodes e as one Server-Sent Events frame. A record event's id is
// its sequence number, so that a browser reconnects with Last-Event-ID
// where it left off; a passing event (sequence 0: who is editing what) has
// no id, so that a reconnect resumes from the record as always.
func Frame(e parley.Event) ([]byte, error) {
	data, err := json.Marshal(wireEvent{Seq: e.Seq, Type: e.Type(), At: e.At, Process: e.Scope.ProcessID, Space: e.Scope.Space.ID, Data: e.Data})
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(data)+len(e.Type())+40)
	if e.Seq != 0 {
		b = append(b, "id: "...)
		b = strconv.AppendInt(b, e.Seq, 10)
		b = append(b, '\n')
	}
	b = append(b, "event: "...)
	b = append(b, e.Type()...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...), nil
}

// Filter is what one stream carries: the events its actor may see, of one
// space only when Space is set.
type Filter struct {
	Actor parley.Actor
	Space string
}

// Allows reports whether the stream carries e.
func (f Filter) Allows(e parley.Event) bool {
	return parley.Visible(f.Actor, e.Scope) && f.InSpace(e)
}

// InSpace reports whether e belongs to the stream's space, if it has one.
// Events read from the record for the actor are visible already.
func (f Filter) InSpace(e parley.Event) bool {
	return f.Space == "" || e.Scope.Space.ID == f.Space
}

// ChangesRights reports whether e changes what a may see: a's account
// joins a process, or one of a's members joins or leaves a working group
// or changes role. A stream filters by its actor as it was when the stream
// began, so it ends after such an event, and the client reconnects (with
// Last-Event-ID) as who it is now; otherwise a member taken out of a
// working group would go on receiving its events.
func ChangesRights(a parley.Actor, e parley.Event) bool {
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
