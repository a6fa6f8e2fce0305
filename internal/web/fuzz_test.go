package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
	"golang.org/x/mod/sumdb/tlog"
)

// The server's parsers of outside input, fuzzed through its whole HTTP
// surface (middleware included) on the demo negotiation: the JSON bodies
// of the API, the pages' forms, and the record's routes (tile paths,
// proofs' numbers, cosignatures, where a stream resumes). Whatever comes
// in, the server answers with a status it means — never 5xx — and a
// request it refuses changes nothing in the record.

// fuzzAPIRoutes are the API operations whose bodies FuzzAPIBodies sends: one
// or more of each kind of subject, each with a body it accepts as a seed.
var fuzzAPIRoutes = []struct{ method, path, seed string }{
	{"POST", "/api/v1/threads/{thread}/messages", `{"body":"A message."}`},
	{"POST", "/api/v1/threads/{thread}/read", `{"seq":3}`},
	{"POST", "/api/v1/spaces/{caucus}/threads", `{"title":"A thread","body":"Its first message."}`},
	{"POST", "/api/v1/groups/{group}/proposals", `{"to_party":"x","kind":"truce","title":"Pause","texts":{"en":"x"},"details":{"truce":{"hours":24,"starts":"2031-01-01T06:00:00Z","purposes":["wounded"],"time_zone":"Europe/Kyiv","shapes":[{"name":"C","kind":"crossing","points":[[35.2,47.5]]}]}}}`},
	{"POST", "/api/v1/memos/{memo}/clauses", `{"kind":"clause","position":0,"texts":{"en":"A clause."}}`},
	{"PUT", "/api/v1/clauses/{clause}/texts/en", `{"text":"New words.","version":1}`},
	{"POST", "/api/v1/spaces/{group-space}/meetings", `{"title":"Talks","start":"2031-02-01T09:00:00Z","duration_minutes":90,"time_zone":"Europe/Istanbul","agenda":["Exchange"]}`},
	{"POST", "/api/v1/truces/{truce}/violations", `{"at":"2030-01-01T10:00:00Z","where":[35.3,47.6],"description":"Shelling."}`},
	{"POST", "/api/v1/spaces/{group-space}/statements", `{"title":{"en":"T"},"texts":{"en":"W"},"figures":[{"label":{"en":"People"},"value":12,"as_of":"2031-01-01"}],"embargo":"2031-05-01T00:00:00Z"}`},
	{"PUT", "/api/v1/processes/{process}/truce-rules", `{"region":{"west":22,"south":44,"east":41,"north":53},"max_hours":72}`},
}

// apiCodes are the codes of the API's error answers.
var apiCodes = []string{parley.EINVALID, parley.EUNAUTHORIZED, parley.EFORBIDDEN, parley.ENOTFOUND, parley.ECONFLICT}

// FuzzAPIBodies sends raw bodies to the API's commands as a member with a
// token. Every answer is a success or one of Parley's errors in its JSON
// shape with a 4xx status — never 5xx — and a refused command leaves the
// record as it was.
func FuzzAPIBodies(f *testing.F) {
	for i, r := range fuzzAPIRoutes {
		f.Add(uint8(i), []byte(r.seed))
	}
	f.Add(uint8(0), []byte(`{"body":"\u0000","extra":[1e999]}`))
	f.Add(uint8(3), []byte(`{"kind":"truce","details":{"truce":{"starts":"2031-02-30T06:00:00Z"}}}`))
	s := newFuzzSite(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := fuzzAPIRoutes[int(route)%len(fuzzAPIRoutes)]
		before := s.lastSeq(t)
		var answer struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		req, err := http.NewRequest(r.method, s.url+s.path(r.path), bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := fuzzClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch st := resp.StatusCode; {
		case st >= 200 && st < 300:
			return
		case st >= 500 || st < 400:
			t.Fatalf("%s %s %q: %d %s", r.method, r.path, body, st, b)
		}
		if err := json.Unmarshal(b, &answer); err != nil || !slices.Contains(apiCodes, answer.Code) || answer.Message == "" {
			t.Fatalf("%s %s %q: %d, not an error of the API: %s", r.method, r.path, body, resp.StatusCode, b)
		}
		if after := s.lastSeq(t); after != before {
			t.Fatalf("%s %s %q: refused (%s), yet the record grew from %d to %d", r.method, r.path, body, b, before, after)
		}
	})
}

// fuzzFormRoutes are the pages' forms FuzzPageForms posts.
var fuzzFormRoutes = []struct{ path, seed string }{
	{"/g/{group}/proposals", "kind=truce&title=Pause&text_en=x&truce_hours=48&truce_starts=2031-03-29T03%3A30&truce_time_zone=Europe%2FKyiv&truce_purposes=wounded&to_party=x"},
	{"/g/{group}/proposals", "kind=exchange&title=Swap&text_en=x&exchange_stages=2&category_name=wounded&category_count=12"},
	{"/p/{process}/meetings", "space={group-space}&title=Talks&start=2031-02-01T09%3A00&duration=90&time_zone=Europe%2FIstanbul&agenda=One%0ATwo"},
	{"/truces/{truce}/report", "at=2030-01-01T10%3A00&lon=35.3&lat=47.6&description=Shelling"},
	{"/memos/{memo}/text", "clause={clause}&lang=en&text=New+words&version=1"},
	{"/memos/{memo}/add", "place=%3A1&kind=clause&text_en=A+clause"},
	{"/p/{process}/statements", "space={group-space}&title_en=T&text_en=W&figure_lang=en&figure_label=People&figure_value=12&figure_as_of=2031-01-01"},
	{"/t/{thread}/messages", "body=A+message"},
}

// FuzzPageForms posts raw form bodies to the pages' main forms as a
// signed-in member: a proposal's terms (a truce's times, time zone and
// area, an exchange's numbers), a meeting's time, duration and zone, a
// violation's time and place, a memorandum's clause edits, a statement's
// figures. Every answer is a redirect (done), the page again with its
// complaints, or a refusal — never 5xx — and only a redirect changed the
// record.
func FuzzPageForms(f *testing.F) {
	for i, r := range fuzzFormRoutes {
		f.Add(uint8(i), r.seed)
	}
	f.Add(uint8(4), "clause={clause}&lang=xx&text=%00&version=-1")
	f.Add(uint8(5), "place=zz%3A99999999999999999999&kind=section")
	f.Add(uint8(2), "space={group-space}&start=2031-02-01T09%3A00&time_zone=..%2F..%2Fetc%2Fpasswd&duration=1e9")
	s := newFuzzSite(f)
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		r := fuzzFormRoutes[int(route)%len(fuzzFormRoutes)]
		before := s.lastSeq(t)
		req, err := http.NewRequest(http.MethodPost, s.url+s.path(r.path), strings.NewReader(s.path(body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := s.browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch st := resp.StatusCode; st {
		case http.StatusSeeOther:
			return
		case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("POST %s %q: %d %.300s", r.path, body, st, b)
		}
		if after := s.lastSeq(t); after != before {
			t.Fatalf("POST %s %q: refused (%d), yet the record grew from %d to %d", r.path, body, resp.StatusCode, before, after)
		}
	})
}

// FuzzLogRequests sends what the record's routes read from outside: a
// tile path, the numbers of a proof, a witness's cosignature, where a
// live stream resumes. Tiles and proofs are served or not found, malformed
// numbers are refused as invalid — never 5xx — and after a cosignature is
// kept, the checkpoint the server serves still opens with the log's key.
// In a cosignature's body, {size} and {cosignature} stand for the latest
// checkpoint's size and a witness's valid line for it.
func FuzzLogRequests(f *testing.F) {
	f.Add(uint8(0), "0/000.p/5")
	f.Add(uint8(0), "entries/000.p/5")
	f.Add(uint8(0), "8/000")
	f.Add(uint8(0), "7/x001/000")
	f.Add(uint8(1), "seq=3&size=5")
	f.Add(uint8(1), "seq=-1&size=99999999999999999999")
	f.Add(uint8(2), "from=1&to=5")
	f.Add(uint8(3), `{"size":{size},"key":"`+witnessVkey(f)+`","signature":"{cosignature}"}`)
	f.Add(uint8(3), `{"size":{size},"key":"`+witnessVkey(f)+`","signature":"{cosignature}\n"}`)
	f.Add(uint8(4), "12")
	f.Add(uint8(4), "-5")
	s := newFuzzSite(f)
	wkey, err := os.ReadFile("../record/testdata/witness.key")
	if err != nil {
		f.Fatal(err)
	}
	witness, err := record.ParseWitnessKey(string(wkey))
	if err != nil {
		f.Fatal(err)
	}
	note := s.checkpoint(f)
	_, tree, err := record.OpenCheckpoint(note, s.vkey)
	if err != nil {
		f.Fatal(err)
	}
	text, _ := record.NoteText(note)
	line := witness.Cosign(text, time.Now())
	f.Fuzz(func(t *testing.T, kind uint8, in string) {
		var method, path, body string
		var want []int
		switch kind % 5 {
		case 0:
			method, path, want = "GET", "/log/tile/"+in, []int{200, 404}
		case 1:
			method, path, want = "GET", "/log/proof/inclusion?"+in, []int{200, 400, 404}
		case 2:
			method, path, want = "GET", "/log/proof/consistency?"+in, []int{200, 400, 404}
		case 3:
			method, path, want = "POST", "/log/cosignature", []int{204, 400, 404}
			body = strings.NewReplacer("{size}", strconv.FormatInt(tree.N, 10), "{cosignature}", line).Replace(in)
		case 4:
			method, path, want = "GET", "/events?after="+url.QueryEscape(in), []int{200, 400}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, method, s.url+path, strings.NewReader(body))
		if err != nil {
			return // not a URL a client could send
		}
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := fuzzClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b []byte
		if kind%5 != 4 { // a stream does not end; its status is enough
			b, _ = io.ReadAll(resp.Body)
		}
		resp.Body.Close()
		if !slices.Contains(want, resp.StatusCode) {
			t.Fatalf("%s %s %q: %d %.300s", method, path, body, resp.StatusCode, b)
		}
		switch {
		case kind%5 == 0 && resp.StatusCode == 200 && !strings.HasPrefix(in, "entries/") && len(b)%tlog.HashSize != 0:
			t.Fatalf("tile %s: %d bytes, not hashes", in, len(b))
		case kind%5 == 3 && resp.StatusCode == 204:
			if _, _, err := record.OpenCheckpoint(s.checkpoint(t), s.vkey); err != nil {
				t.Fatalf("after the cosignature %q was kept, the checkpoint no longer opens: %v", body, err)
			}
		}
	})
}
