package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-talks/parley"
)

// The form readers of the pages, fuzzed as the handlers call them: on a
// body that net/http parsed. Each reads a form back from what its
// formatter (the one that fills the form again for editing) wrote for
// what it read, and must read the same: parse, format, parse.

// readerZones are the readers' time zones the fuzzers pick from: an
// account's zone is checked when it is set, so it is not fuzzed itself.
var readerZones = func() []*time.Location {
	var out []*time.Location
	for _, name := range []string{"UTC", "Europe/Kyiv", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			panic(err)
		}
		out = append(out, loc)
	}
	return out
}()

// postForm returns a request whose form net/http read from body, or nil
// when net/http refuses the body (the handlers then answer 400).
func postForm(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r.ParseForm() != nil {
		return nil
	}
	return r
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%+v: %v", v, err)
	}
	return string(b)
}

const fuzzID = "aaaaaaaaaaaaaaaaaaaaaaaaaa"

// FuzzReadProposalForm: the proposal form — a draft's or a counter's
// terms, with a truce's times, time zone and GeoJSON area, an exchange's
// categories, a meeting's details — never panics; what it reads without
// complaint and the domain accepts comes back the same through the form
// the page fills for editing.
func FuzzReadProposalForm(f *testing.F) {
	for _, s := range []string{
		"kind=text&title=Agenda&text_en=Words&deadline=2031-05-01T10%3A00",
		"kind=truce&title=Pause&text_en=x&truce_hours=48&truce_starts=2031-03-29T03%3A30&truce_time_zone=Europe%2FKyiv&truce_purposes=wounded",
		"kind=truce&title=Pause&text_uk=x&truce_starts=2031-06-01T06%3A00&truce_ends=2031-06-03T06%3A00&truce_purpose=the+dead&truce_shapes=" +
			url.QueryEscape(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Crossing","kind":"crossing"},"geometry":{"type":"Point","coordinates":[35.2,47.5]}}]}`),
		"kind=truce&title=P&text_en=x&truce_hours=1&truce_starts=2031-06-01T06%3A00&truce_ends=2031-06-01T06%3A30",
		"kind=exchange&title=Swap&text_en=x&exchange_stages=2&category_name=wounded&category_count=12&category_name=&category_count=",
		"kind=meeting&title=Meet&text_ru=x&meeting_level=leaders&meeting_from=2031-01-02&meeting_to=2031-01-09&meeting_place=Geneva&meeting_online=on",
		"kind=truce&truce_time_zone=Local&truce_starts=2031-01-01T00%3A00&truce_hours=abc",
	} {
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, body string, zone uint8) {
		loc := readerZones[int(zone)%len(readerZones)]
		r := postForm(body)
		if r == nil {
			return
		}
		in, bad := readProposalInput(r, loc)
		if len(bad) > 0 {
			return
		}
		if (parley.DraftProposal{GroupID: fuzzID, ToParty: fuzzID, ProposalInput: in}).Validate() != nil {
			return
		}
		pr := parley.Proposal{Kind: in.Kind, Title: in.Title, Texts: in.Texts, Details: in.Details, Deadline: in.Deadline}
		again := &http.Request{PostForm: proposalFormValues(pr, loc)}
		back, bad := readProposalInput(again, loc)
		if len(bad) > 0 {
			t.Fatalf("the form filled from %+v is refused: %v", in, bad)
		}
		if a, b := jsonOf(t, in), jsonOf(t, back); a != b {
			t.Fatalf("read %s\nfrom the form filled with it, read %s", a, b)
		}
	})
}

// FuzzReadStatementForm: the statement form — titles and texts, figures
// with their numbers and dates, the embargo — never panics; what it reads
// without complaint and the domain accepts comes back the same through
// the form the page fills for editing.
func FuzzReadStatementForm(f *testing.F) {
	for _, s := range []string{
		"title_en=Joint&text_en=Words&embargo=2031-05-01T10%3A00&needs_mediator=on",
		"title_uk=T&text_uk=W&figure_lang=uk&figure_label=Released&figure_value=1.5e3&figure_as_of=2031-01-02&figure_label=&figure_value=",
		"title_en=T&text_en=W&figure_label=x&figure_value=NaN&figure_as_of=2031-01-02",
		"title_en=T&text_en=W&figure_label=x&figure_value=0x1p-2&figure_as_of=2031-01-02&embargo=2031-10-25T03%3A30",
	} {
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, body string, zone uint8) {
		loc := readerZones[int(zone)%len(readerZones)]
		r := postForm(body)
		if r == nil {
			return
		}
		in, bad := readStatement(r.PostForm, loc)
		if len(bad) > 0 || (parley.DraftStatement{SpaceID: fuzzID, StatementInput: in}).Validate() != nil {
			return
		}
		st := parley.Statement{Title: in.Title, Texts: in.Texts, Figures: in.Figures, Embargo: in.Embargo, NeedsMediator: in.NeedsMediator}
		back, bad := readStatement(statementFormValues(st, loc), loc)
		if len(bad) > 0 {
			t.Fatalf("the form filled from %+v is refused: %v", in, bad)
		}
		if a, b := jsonOf(t, in), jsonOf(t, back); a != b {
			t.Fatalf("read %s\nfrom the form filled with it, read %s", a, b)
		}
	})
}

// FuzzReadMeetingStart: a meeting's start and time zone from its form.
// A start that cannot be read is no time at all; a zone that cannot be
// read is named, and the start read in UTC; a start read without
// complaint comes back the same through the form's field.
func FuzzReadMeetingStart(f *testing.F) {
	f.Add("2031-05-01T10:00", "Europe/Kyiv")
	f.Add("2031-03-30T03:30", "Europe/Kyiv") // in the hour skipped for summer time
	f.Add("2031-10-26T03:30", "Europe/Kyiv") // in the hour lived twice
	f.Add("2031-05-01T10:00", "Local")
	f.Add("2031-05-01T10:00", "../../etc/passwd")
	f.Add("2031-05-01 10:00", "")
	f.Fuzz(func(t *testing.T, start, zone string) {
		r := postForm(url.Values{"start": {start}, "time_zone": {zone}}.Encode())
		at, bad := readStart(r.PostForm)
		switch bad {
		case "start":
			if !at.IsZero() {
				t.Fatalf("start %q refused, yet read as %v", start, at)
			}
			return
		case "time_zone":
			if at.Location() != time.UTC {
				t.Fatalf("zone %q refused, yet the start was read in %v", zone, at.Location())
			}
			return
		case "":
		default:
			t.Fatalf("names the field %q", bad)
		}
		shown := (&page{}).LocalInput(at, strings.TrimSpace(zone))
		back, bad := readStart(url.Values{"start": {shown}, "time_zone": {zone}})
		if bad != "" || !back.Equal(at) {
			t.Fatalf("%q in %q read as %v, shown as %q, read back as %v (%q)", start, zone, at, shown, back, bad)
		}
	})
}

// FuzzChooseLanguage: whatever a browser sends as Accept-Language or in
// the language cookie, a page is in one of the interface languages.
func FuzzChooseLanguage(f *testing.F) {
	c, err := loadCatalog()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("uk-UA,uk;q=0.9,en;q=0.5", "")
	f.Add("*;q=0.1, tr", "ru")
	f.Add("en;q=NaN, x-klingon;q=1e400", "zz")
	f.Fuzz(func(t *testing.T, accept, cookie string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Language", accept)
		r.Header.Set("Cookie", "parley_lang="+cookie)
		if l := c.choose(r, nil); !slices.Contains(parley.Langs, l) {
			t.Fatalf("chose %q", l)
		}
	})
}

// FuzzClientIP: the address the sign-in limit counts is the peer's,
// unless the peer is a trusted proxy (a load balancer); then it may be an
// address that X-Forwarded-For names, never one of a trusted proxy.
func FuzzClientIP(f *testing.F) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	s := &Server{cfg: Config{TrustedProxies: proxies}}
	trusted := func(a netip.Addr) bool {
		return slices.ContainsFunc(proxies, func(p netip.Prefix) bool { return p.Contains(a.Unmap()) })
	}
	f.Add("10.1.2.3:443", "6.6.6.6, 198.51.100.1")
	f.Add("203.0.113.9:5000", "198.51.100.1")
	f.Add("[::1]:443", "2001:db8::7, garbage")
	f.Add("[::ffff:10.0.0.1]:443", "::ffff:10.9.9.9, 10.0.0.1")
	f.Add("10.1.2.3:443", "[2001:db8::1]:80, 10.0.0.1")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		peer, err := netip.ParseAddrPort(remote)
		if err != nil {
			return // net/http gives the peer as host and port
		}
		r := httptest.NewRequest(http.MethodPost, "/login", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		got := s.clientIP(r)
		if got == peer.Addr().String() {
			return
		}
		a, err := netip.ParseAddr(got)
		switch {
		case !trusted(peer.Addr()):
			t.Fatalf("from %q, which is no proxy, counted %q", remote, got)
		case err != nil:
			t.Fatalf("%q, %q: counted %q, not an address", remote, xff, got)
		case trusted(a):
			t.Fatalf("%q, %q: counted a trusted proxy, %q", remote, xff, got)
		case !strings.Contains(xff, got):
			t.Fatalf("%q, %q: counted %q, which the header does not name", remote, xff, got)
		}
	})
}
