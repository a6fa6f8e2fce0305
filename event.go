package parley

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is one change to negotiation data, as recorded. Events are the truth;
// every table a reader sees is a projection of them.
type Event struct {
	Seq   int64     // position in the record, from 1; set when appended
	At    time.Time // when the command was decided, UTC
	Actor string    // account that gave the command
	Scope Scope     // who may see the event
	Data  EventData
}

// Type returns the event's type name.
func (e Event) Type() string { return e.Data.EventType() }

// EventData is the payload of an event, always a pointer to one of the event
// structs of this package. Each type is versioned by its name:
// a payload whose meaning changes gets a new name (e.g. "message.posted.2"),
// and old names stay decodable forever.
type EventData interface {
	EventType() string
}

// Scope says who may see an event: the readers of a space, the members of a
// process (Space zero), or the server's operators (both zero).
type Scope struct {
	ProcessID string
	Space     Space
}

// SpaceScope returns the scope of content in space s.
func SpaceScope(s Space) Scope { return Scope{ProcessID: s.ProcessID, Space: s} }

// ProcessScope returns the scope of a change to process p as a whole.
func ProcessScope(p string) Scope { return Scope{ProcessID: p} }

var eventTypes = map[string]func() EventData{}

func register(fs ...func() EventData) {
	for _, f := range fs {
		t := f().EventType()
		if _, dup := eventTypes[t]; dup {
			panic("parley: event type registered twice: " + t)
		}
		eventTypes[t] = f
	}
}

// EventTypes returns the names of every event type, for documentation and
// exhaustiveness tests.
func EventTypes() []string {
	out := make([]string, 0, len(eventTypes))
	for t := range eventTypes {
		out = append(out, t)
	}
	return out
}

// MarshalEventData returns the canonical JSON encoding of d: struct fields in
// declaration order, map keys sorted, no insignificant space, times in UTC.
// The same value always encodes to the same bytes.
func MarshalEventData(d EventData) ([]byte, error) {
	return json.Marshal(d)
}

// UnmarshalEventData decodes the payload of an event of type typ. Unknown
// fields are rejected, so a payload that does not round-trip is caught.
func UnmarshalEventData(typ string, b []byte) (EventData, error) {
	f, ok := eventTypes[typ]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q", typ)
	}
	d := f()
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("decode %s: %w", typ, err)
	}
	return d, nil
}
