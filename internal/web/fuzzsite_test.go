package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/web"
)

// fuzzClient sends the fuzzers' requests: a request that hangs fails its
// input, which the fuzzer then keeps, rather than stalling the run.
var fuzzClient = &http.Client{Timeout: 20 * time.Second}

// fuzzSite is the demo on an httptest server that signs its record, with
// head.ua signed in twice: with an API token and with a browser session.
type fuzzSite struct {
	url string
	db  interface {
		LastSeq(context.Context) (int64, error)
	}
	token   string
	browser *http.Client
	vkey    string
	ids     map[string]string // what the routes' {placeholders} stand for
}

func newFuzzSite(tb testing.TB) *fuzzSite {
	tb.Helper()
	d := newDemoBackend(tb)
	skey, err := os.ReadFile("../record/testdata/log.key")
	if err != nil {
		tb.Fatal(err)
	}
	key, err := record.ParseKey(string(skey))
	if err != nil {
		tb.Fatal(err)
	}
	var last int64
	if err := record.IntegrateOnce(context.Background(), d.db, key, &last, time.Now); err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := web.New(web.Config{Demo: true, Version: "test", PasswordParams: d.params, LogKey: key}, d.db, d.svc, d.hub, log, d.reg, time.Now)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler(d.reg))
	tb.Cleanup(func() {
		srv.StopStreams()
		ts.Close()
	})
	s := &fuzzSite{url: ts.URL, db: d.db, vkey: key.Verifier, ids: map[string]string{}}
	jar, _ := cookiejar.New(nil)
	s.browser = &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := s.browser.PostForm(s.url+"/login", url.Values{"username": {"head.ua"}, "password": {"demo-head-ua-2025"}, "next": {"/"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign in: %v %v", resp, err)
	}
	resp.Body.Close()

	var me struct {
		Members []parley.Member `json:"members"`
	}
	s.getJSON(tb, s.browser, "", "/api/v1/me", &me)
	process := me.Members[0].ProcessID
	var tok struct {
		Secret string `json:"secret"`
	}
	body, _ := json.Marshal(map[string]string{"name": "fuzz", "process_id": process})
	if st := s.send(tb, s.browser, "", http.MethodPost, "/api/v1/tokens", "application/json", string(body), &tok); st != http.StatusCreated {
		tb.Fatalf("making a token: %d", st)
	}
	s.token = tok.Secret
	s.ids["process"] = process
	var spaces []parley.Space
	s.getJSON(tb, nil, s.token, "/api/v1/processes/"+process+"/spaces", &spaces)
	for _, sp := range spaces {
		switch {
		case sp.Kind == parley.SpaceParty && sp.PartyID == me.Members[0].PartyID:
			s.ids["caucus"] = sp.ID
		case sp.Kind == parley.SpaceGroup && s.ids["group"] == "":
			s.ids["group"], s.ids["group-space"] = sp.GroupID, sp.ID
		}
	}
	var threads []parley.Thread
	s.getJSON(tb, nil, s.token, "/api/v1/spaces/"+s.ids["caucus"]+"/threads", &threads)
	s.ids["thread"] = threads[0].ID
	var memos []parley.Memorandum
	s.getJSON(tb, nil, s.token, "/api/v1/processes/"+process+"/memos", &memos)
	s.ids["memo"] = memos[0].ID
	var memo struct {
		Clauses []parley.Clause `json:"clauses"`
	}
	s.getJSON(tb, nil, s.token, "/api/v1/memos/"+memos[0].ID, &memo)
	s.ids["clause"] = memo.Clauses[len(memo.Clauses)-1].ID
	var truces []parley.Truce
	s.getJSON(tb, nil, s.token, "/api/v1/processes/"+process+"/truces", &truces)
	s.ids["truce"] = truces[0].ID
	for k, v := range s.ids {
		if v == "" {
			tb.Fatalf("the demo has no %s", k)
		}
	}
	return s
}

// path puts the site's identifiers into a route's {placeholders}.
func (s *fuzzSite) path(route string) string {
	for k, v := range s.ids {
		route = strings.ReplaceAll(route, "{"+k+"}", v)
	}
	return route
}

// send makes one request, with a token or with a browser's cookies, and
// decodes a JSON answer into out (when out is not nil); it returns the
// status.
func (s *fuzzSite) send(tb testing.TB, c *http.Client, token, method, path, ctype, body string, out any) int {
	tb.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if c == nil {
		c = fuzzClient
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			tb.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

func (s *fuzzSite) getJSON(tb testing.TB, c *http.Client, token, path string, out any) {
	tb.Helper()
	if st := s.send(tb, c, token, http.MethodGet, path, "", "", out); st != http.StatusOK {
		tb.Fatalf("GET %s: %d", path, st)
	}
}

func (s *fuzzSite) lastSeq(tb testing.TB) int64 {
	tb.Helper()
	n, err := s.db.LastSeq(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func witnessVkey(tb testing.TB) string {
	b, err := os.ReadFile("../record/testdata/witness.vkey")
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func (s *fuzzSite) checkpoint(tb testing.TB) []byte {
	tb.Helper()
	resp, err := http.Get(s.url + "/log/checkpoint")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		tb.Fatalf("/log/checkpoint: %d %s", resp.StatusCode, b)
	}
	return b
}
