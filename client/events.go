package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// Event is a record event as the API and the live stream show it.
type Event struct {
	Seq     int64     `json:"seq"`
	Type    string    `json:"type"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor,omitempty"`   // the account that gave the command; not sent on the live stream
	Process string    `json:"process,omitempty"` // the process it belongs to, if any
	Space   string    `json:"space,omitempty"`   // the space it belongs to, if any
	// Data is the decoded payload, a pointer to one of package parley's
	// event structs, or nil for a type this client does not know.
	Data parley.EventData `json:"-"`
	// Raw is the payload as sent.
	Raw json.RawMessage `json:"data"`
}

// UnmarshalJSON decodes an event and its payload by its type.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = Event(p)
	if d, err := parley.UnmarshalEventData(e.Type, e.Raw); err == nil {
		e.Data = d
	}
	return nil
}

// Stream subscribes to the live events the caller may see, from GET
// /events. With after >= 0 the server first sends the events after that
// record entry, then live ones, without gaps or repeats; with after < 0
// only new events. With space != "" only that space's events are sent.
//
// The channel is closed when ctx ends or the server ends the stream (for
// instance when it shuts down, or drops a subscriber that fell behind);
// resume then with the Seq of the last event received. An error is
// returned when the server refuses the stream.
func (c *Client) Stream(ctx context.Context, after int64, space string) (<-chan Event, error) {
	q := url.Values{}
	if after >= 0 {
		q.Set("after", strconv.FormatInt(after, 10))
	}
	if space != "" {
		q.Set("space", space)
	}
	path := "/events"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	res, err := c.request(ctx, http.MethodGet, path, nil, http.Header{"Accept": {"text/event-stream"}})
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		defer res.Body.Close()
		return nil, responseError(res)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		res.Body.Close()
		return nil, fmt.Errorf("parley: GET %s answered %q, not an event stream", path, ct)
	}
	out := make(chan Event)
	go func() {
		defer close(out)
		defer res.Body.Close()
		readSSE(ctx, bufio.NewReader(res.Body), out)
	}()
	return out, nil
}

// readSSE parses a text/event-stream (the WHATWG format: id, event, data
// fields, comments, and a blank line that dispatches) and sends each
// event whose data decodes.
func readSSE(ctx context.Context, r *bufio.Reader, out chan<- Event) {
	var id, typ string
	var data strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			if data.Len() > 0 {
				var e Event
				if json.Unmarshal([]byte(data.String()), &e) == nil {
					if n, err := strconv.ParseInt(id, 10, 64); err == nil && e.Seq == 0 {
						e.Seq = n
					}
					if e.Type == "" {
						e.Type = typ
					}
					select {
					case out <- e:
					case <-ctx.Done():
						return
					}
				}
			}
			typ = ""
			data.Reset()
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue // a comment: the server's keep-alive
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			id = value
		case "event":
			typ = value
		case "data":
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(value)
		}
	}
}
