package client

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

// These tests pin the client's side of the protocol against small
// handlers; cmd/parley's TestRunDemo drives it against the real server.

// serve starts handler h and returns a client of it with opts.
func serve(t *testing.T, h http.HandlerFunc, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return New(srv.URL+"/", opts...)
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		location string
		want     error // nil, ErrSecondFactor, or an *Error with Code
		code     string
	}{
		{"signed in", http.StatusSeeOther, "/", nil, ""},
		{"second factor", http.StatusSeeOther, "/login/second-factor", ErrSecondFactor, ""},
		{"refused", http.StatusUnauthorized, "", nil, parley.EUNAUTHORIZED},
		{"locked", http.StatusTooManyRequests, "", nil, parley.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var loggedIn bool
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/login":
					if o := r.Header.Get("Origin"); o != "" {
						t.Errorf("Login sent Origin %q, which cross-origin protection judges", o)
					}
					if r.FormValue("username") != "head.ua" || r.FormValue("password") != "pw" {
						t.Errorf("form = %v", r.PostForm)
					}
					if tt.location != "" {
						http.SetCookie(w, &http.Cookie{Name: "parley_session", Value: "s1", Path: "/"})
						w.Header().Set("Location", tt.location)
					}
					w.WriteHeader(tt.status)
					w.Write([]byte("<html>the page it redirects to must not be fetched</html>"))
				case "/api/v1/me":
					if c, err := r.Cookie("parley_session"); err == nil && c.Value == "s1" {
						loggedIn = true
						w.Write([]byte(`{"account":{"username":"head.ua"},"members":[]}`))
						return
					}
					w.WriteHeader(http.StatusUnauthorized)
				default:
					t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
				}
			})
			err := c.Login(context.Background(), "head.ua", "pw")
			switch {
			case tt.code != "":
				var e *Error
				if !errors.As(err, &e) || e.Code != tt.code || e.Status != tt.status {
					t.Fatalf("Login = %v, want an *Error %d %s", err, tt.status, tt.code)
				}
				return
			case !errors.Is(err, tt.want):
				t.Fatalf("Login = %v, want %v", err, tt.want)
			}
			if tt.want == nil {
				if me, err := c.Me(context.Background()); err != nil || me.Account.Username != "head.ua" || !loggedIn {
					t.Errorf("after Login, Me = %+v, %v: the session cookie was not kept", me, err)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		want   Error
	}{
		{"API error", 400, "application/json", `{"code":"invalid","message":"The input is not valid.","fields":{"title":"is required"}}`,
			Error{Status: 400, Code: parley.EINVALID, Message: "The input is not valid.", Fields: map[string]string{"title": "is required"}}},
		{"not found", 404, "application/json; charset=utf-8", `{"code":"not_found","message":"No such space."}`,
			Error{Status: 404, Code: parley.ENOTFOUND, Message: "No such space."}},
		{"not JSON", 502, "text/html", `<html>Bad gateway</html>`,
			Error{Status: 502, Code: parley.EINTERNAL, Message: "Bad Gateway"}},
		{"JSON without a code", 409, "application/json", `{"detail":"x"}`,
			Error{Status: 409, Code: parley.ECONFLICT, Message: "Conflict"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			_, err := c.Threads(context.Background(), "s1")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want an *Error", err)
			}
			if !reflect.DeepEqual(*e, tt.want) {
				t.Errorf("error = %+v, want %+v", *e, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want.Code) {
				t.Errorf("Error() = %q lacks the code", err.Error())
			}
		})
	}
}

func TestRequests(t *testing.T) {
	type seen struct{ method, path, auth, body string }
	var got seen
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b := new(strings.Builder)
		bufio.NewReader(r.Body).WriteTo(b)
		got = seen{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), b.String()}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet:
			w.Write([]byte(`[]`))
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/read"):
			w.WriteHeader(http.StatusCreated)
		default:
			w.Write([]byte(`{"id":"x1","seq":7}`))
		}
	}, WithToken("pt_secret"))
	ctx := context.Background()
	tests := []struct {
		name string
		do   func() error
		want seen
	}{
		{"start thread", func() error {
			_, err := c.StartThread(ctx, parley.StartThread{SpaceID: "s1", Title: "T", Body: "B"})
			return err
		}, seen{"POST", "/api/v1/spaces/s1/threads", "Bearer pt_secret", `{"title":"T","body":"B"}`}},
		{"edit message", func() error {
			_, err := c.EditMessage(ctx, parley.EditMessage{MessageID: "m1", Body: "B2", Version: 3})
			return err
		}, seen{"PUT", "/api/v1/messages/m1", "Bearer pt_secret", `{"body":"B2","version":3}`}},
		{"leave group", func() error {
			_, err := c.LeaveGroup(ctx, parley.LeaveGroup{GroupID: "g1", MemberID: "m2"})
			return err
		}, seen{"DELETE", "/api/v1/groups/g1/members/m2", "Bearer pt_secret", ``}},
		{"events", func() error { _, err := c.Events(ctx, 5, 10); return err },
			seen{"GET", "/api/v1/events?after=5&limit=10", "Bearer pt_secret", ``}},
		{"mark read", func() error { return c.MarkRead(ctx, "t1", 9) },
			seen{"POST", "/api/v1/threads/t1/read", "Bearer pt_secret", `{"seq":9}`}},
		{"an identifier is escaped", func() error { _, err := c.Messages(ctx, "a/b"); return err },
			seen{"GET", "/api/v1/threads/a%2Fb/messages", "Bearer pt_secret", ``}},
		{"create process without languages", func() error {
			_, err := c.CreateProcess(ctx, parley.CreateProcess{Title: "P"})
			return err
		}, seen{"POST", "/api/v1/processes", "Bearer pt_secret", `{"title":"P","description":"","languages":[]}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("request = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestReadSSE(t *testing.T) {
	stream := "retry: 2000\n\n" +
		": ping\n\n" +
		"id: 7\nevent: message.posted\ndata: {\"seq\":7,\"type\":\"message.posted\",\"at\":\"2025-05-16T09:00:00Z\",\"space\":\"s1\",\"data\":{\"message_id\":\"m1\",\"thread_id\":\"t1\",\"body\":\"hi\"}}\n\n" +
		"id: 8\r\nevent: future.thing\r\ndata: {\"type\":\"future.thing\",\r\ndata: \"data\":{\"x\":1}}\r\n\r\n" +
		"id: 9\nevent: broken\ndata: {not json\n\n" +
		"id: 10\ndata: {\"seq\":10,\"type\":\"thread.started\",\"data\":{\"thread_id\":\"t2\",\"space_id\":\"s1\",\"title\":\"T\"}}\n\n" +
		"data: {\"seq\":11,\"type\":\"thread.started\",\"data\":{}}" // cut off: never dispatched
	out := make(chan Event, 10)
	readSSE(context.Background(), bufio.NewReader(strings.NewReader(stream)), out)
	close(out)
	var got []Event
	for e := range out {
		got = append(got, e)
	}
	if len(got) != 3 {
		t.Fatalf("got %d events, want 3: %+v", len(got), got)
	}
	want := &parley.MessagePosted{MessageID: "m1", ThreadID: "t1", Body: "hi"}
	if got[0].Seq != 7 || got[0].Space != "s1" || !reflect.DeepEqual(got[0].Data, want) ||
		!got[0].At.Equal(time.Date(2025, 5, 16, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("event 0 = %+v, want seq 7 in s1 with %+v", got[0], want)
	}
	if got[1].Seq != 8 || got[1].Type != "future.thing" || got[1].Data != nil || string(got[1].Raw) != `{"x":1}` {
		t.Errorf("event 1 = %+v, want seq 8 from the id line, unknown type kept raw, data lines joined", got[1])
	}
	if ts, ok := got[2].Data.(*parley.ThreadStarted); got[2].Seq != 10 || !ok || ts.ThreadID != "t2" {
		t.Errorf("event 2 = %+v, want thread.started 10", got[2])
	}
}

func TestStreamRefused(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("space") != "s9" || r.URL.Query().Get("after") != "0" {
			t.Errorf("query = %v", r.URL.Query())
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"code":"not_found","message":"No such space."}`))
	})
	_, err := c.Stream(context.Background(), 0, "s9")
	var e *Error
	if !errors.As(err, &e) || e.Code != parley.ENOTFOUND {
		t.Errorf("Stream = %v, want not_found", err)
	}
}

func TestStreamEndsWithContext(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte("id: 1\ndata: {\"seq\":1,\"type\":\"x\",\"data\":{}}\n\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := c.Stream(ctx, -1, "")
	if err != nil {
		t.Fatal(err)
	}
	if e := <-ch; e.Seq != 1 {
		t.Errorf("first event = %+v", e)
	}
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			t.Errorf("an event after cancel")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the channel was not closed after cancel")
	}
}

func FuzzReadSSE(f *testing.F) {
	f.Add("id: 1\nevent: x\ndata: {\"seq\":1}\n\n")
	f.Add(": c\r\ndata: {\r\ndata: }\r\n\r\n")
	f.Add("data\n\ndata:\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		out := make(chan Event, len(s)+1)
		readSSE(context.Background(), bufio.NewReader(strings.NewReader(s)), out)
	})
}
