package web_test

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	atomparser "github.com/mmcdole/gofeed/atom"
	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/storetest"
	"github.com/parley-talks/parley/internal/web"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// publicSite is a server whose process has something in every kind of
// space — a caucus thread, a working group's thread, a message between the
// heads, a draft statement, an approved statement under embargo — and two
// published statements, one joint and one a party's own, with a signed
// checkpoint that covers them.
type publicSite struct {
	*storetest.World
	url     string
	key     *record.Key
	last    int64    // the checkpointer's last size
	secrets []string // words that must never reach a public page
	joint   parley.StatementInput
	own     parley.StatementInput // head A's party's own statement
}

// newPublicSite builds the site; its public pages check the record on
// every request, unless refresh says otherwise (web.Config.PublicRefresh).
func newPublicSite(tb testing.TB, refresh ...time.Duration) *publicSite {
	tb.Helper()
	ctx := context.Background()
	db := storetest.OpenSQLite(tb)
	hub := live.NewHub(64, nil)
	w := storetest.NewWorld(tb, db, hub.Publish)
	skey, _, err := note.GenerateKey(rand.Reader, "public.test/parley-record")
	if err != nil {
		tb.Fatal(err)
	}
	key, err := record.ParseKey(skey)
	if err != nil {
		tb.Fatal(err)
	}
	s := &publicSite{World: w, key: key, last: -1}
	secret := func(what string) string {
		v := "SECRET-" + what + "-" + rand.Text()[:8]
		s.secrets = append(s.secrets, v)
		return v
	}
	caucus := w.SpaceOf(parley.SpaceParty, w.PartyA.ID)
	heads := w.SpaceOf(parley.SpaceHeads, "")
	group := w.Groups[parley.GroupHumanitarian].SpaceID
	w.Must(tb, w.HeadA, parley.StartThread{SpaceID: caucus.ID, Title: secret("caucus-title"), Body: secret("caucus-body")})
	w.Must(tb, w.DelegB, parley.StartThread{SpaceID: group, Title: secret("group-title"), Body: secret("group-body")})
	w.Must(tb, w.HeadB, parley.StartThread{SpaceID: heads.ID, Title: secret("heads-title"), Body: secret("heads-body")})

	statement := func(a parley.Actor, space string, in parley.StatementInput) parley.Statement {
		tb.Helper()
		id := w.Must(tb, a, parley.DraftStatement{SpaceID: space, StatementInput: in})[0].Data.(*parley.StatementDrafted).StatementID
		st, err := db.Statement(ctx, a, id)
		if err != nil {
			tb.Fatal(err)
		}
		return st
	}
	// A draft nobody approved.
	statement(w.Mediator, w.Groups[parley.GroupPolitical].SpaceID, parley.StatementInput{
		Title: parley.Texts{parley.English: secret("draft-title")}, Texts: parley.Texts{parley.English: secret("draft-text")},
		Figures: []parley.Figure{{Label: parley.Texts{parley.English: secret("draft-figure")}, Value: 77, AsOf: "2026-06-03"}}})
	// Approved by both heads, held by its embargo.
	now := time.Now().UTC().Truncate(time.Minute)
	held := statement(w.Mediator, w.Groups[parley.GroupPolitical].SpaceID, parley.StatementInput{
		Title: parley.Texts{parley.English: secret("held-title")}, Texts: parley.Texts{parley.English: secret("held-text")},
		Figures: []parley.Figure{{Label: parley.Texts{parley.English: secret("held-figure")}, Value: 55, AsOf: "2026-06-04"}},
		Embargo: now.Add(48 * time.Hour)})
	w.Must(tb, w.HeadA, parley.ApproveStatement{StatementID: held.ID, Hash: held.Hash})
	w.Must(tb, w.HeadB, parley.ApproveStatement{StatementID: held.ID, Hash: held.Hash})

	// Published: a joint statement in four languages, due in an hour, and
	// party A's own statement in two.
	s.joint = parley.StatementInput{
		Title: parley.Texts{parley.English: "Exchange of detainees completed", parley.Ukrainian: "Обмін затриманими завершено",
			parley.Russian: "Обмен задержанными завершён", parley.Turkish: "Tutuklu değişimi tamamlandı"},
		Texts: parley.Texts{parley.English: "The parties exchanged 390 detainees for 390 in Istanbul.",
			parley.Ukrainian: "Сторони обміняли 390 затриманих на 390 у Стамбулі.",
			parley.Russian:   "Стороны обменяли 390 задержанных на 390 в Стамбуле.",
			parley.Turkish:   "Taraflar İstanbul'da 390 tutukluyu 390 tutukluyla değiştirdi."},
		Figures: []parley.Figure{
			{Label: parley.Texts{parley.English: "People exchanged", parley.Ukrainian: "Обміняно людей"}, Value: 390, AsOf: "2026-06-02"},
			{Label: parley.Texts{parley.English: "Remains transferred"}, Value: 1200, AsOf: "2026-06-01"},
		},
		Embargo: now.Add(time.Hour)}
	joint := statement(w.Mediator, w.Groups[parley.GroupPolitical].SpaceID, s.joint)
	w.Must(tb, w.HeadA, parley.ApproveStatement{StatementID: joint.ID, Hash: joint.Hash})
	w.Must(tb, w.HeadB, parley.ApproveStatement{StatementID: joint.ID, Hash: joint.Hash})
	s.own = parley.StatementInput{
		Title:   parley.Texts{parley.English: "Our count of the exchange", parley.Ukrainian: "Наш підрахунок обміну"},
		Texts:   parley.Texts{parley.English: "By our count 410 people came home.", parley.Ukrainian: "За нашим підрахунком додому повернулися 410 людей."},
		Figures: []parley.Figure{{Label: parley.Texts{parley.English: "People exchanged"}, Value: 410, AsOf: "2026-06-02"}}}
	own := statement(w.HeadA, caucus.ID, s.own)
	w.Must(tb, w.HeadA, parley.ApproveStatement{StatementID: own.ID, Hash: own.Hash})
	if n, err := w.WithClock(func() time.Time { return now.Add(2 * time.Hour) }).PublishDue(ctx); n != 2 || err != nil {
		tb.Fatalf("published %d statements (%v), want 2", n, err)
	}
	s.sign(tb)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	cfg := web.Config{Version: "test", LogKey: key, PublicRefresh: -1}
	if len(refresh) > 0 {
		cfg.PublicRefresh = refresh[0]
	}
	srv, err := web.New(cfg, db, w.Service, hub, log, reg, time.Now)
	if err != nil {
		tb.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler(reg))
	tb.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

// sign signs a checkpoint of the record as it stands.
func (s *publicSite) sign(tb testing.TB) {
	tb.Helper()
	if err := record.IntegrateOnce(context.Background(), s.DB, s.key, &s.last, time.Now); err != nil {
		tb.Fatal(err)
	}
}

// publish publishes one more joint statement at once.
func (s *publicSite) publish(tb testing.TB, title, text string) {
	tb.Helper()
	w := s.World
	evs := w.Must(tb, w.Mediator, parley.DraftStatement{SpaceID: w.Groups[parley.GroupPolitical].SpaceID,
		StatementInput: parley.StatementInput{Title: parley.Texts{parley.English: title}, Texts: parley.Texts{parley.English: text}}})
	st, err := w.DB.Statement(context.Background(), w.Mediator, evs[0].Data.(*parley.StatementDrafted).StatementID)
	if err != nil {
		tb.Fatal(err)
	}
	w.Must(tb, w.HeadA, parley.ApproveStatement{StatementID: st.ID, Hash: st.Hash})
	w.Must(tb, w.HeadB, parley.ApproveStatement{StatementID: st.ID, Hash: st.Hash})
	if n, err := w.Service.PublishDue(context.Background()); n != 1 || err != nil {
		tb.Fatalf("published %d (%v)", n, err)
	}
	s.sign(tb)
}

// published lists every word that was published: titles, texts and
// figures' labels, in every language.
func (s *publicSite) published() []string {
	var out []string
	for _, in := range []parley.StatementInput{s.joint, s.own} {
		for _, l := range parley.Langs {
			if in.Texts[l] != "" {
				out = append(out, in.Title[l], in.Texts[l])
			}
		}
		for _, f := range in.Figures {
			for _, l := range parley.Langs {
				if f.Label[l] != "" {
					out = append(out, f.Label[l])
				}
			}
		}
	}
	return out
}

type publicResponse struct {
	status int
	header http.Header
	body   string
}

// get fetches path as an anonymous reader, with headers given as name,
// value pairs.
func (s *publicSite) get(tb testing.TB, path string, headers ...string) publicResponse {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return publicResponse{resp.StatusCode, resp.Header, string(b)}
}

// raw fetches path with Accept-Encoding set to enc, undecoded.
func (s *publicSite) raw(tb testing.TB, path, enc string) publicResponse {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	req.Header.Set("Accept-Encoding", enc)
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return publicResponse{resp.StatusCode, resp.Header, string(b)}
}

func gunzip(tb testing.TB, s string) string {
	tb.Helper()
	zr, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		tb.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

var linkRE = regexp.MustCompile(`(?:href|src)="([^"]+)"`)

// TestPublicCrawl follows, as an anonymous reader, every link of this
// server reachable from the public pages — other languages, feeds,
// proofs, the record's key and checkpoint, style sheets — and checks that
// nothing said in a caucus, a working group or the heads' channel, and no
// statement not yet published, shows anywhere, while every published word
// does.
func TestPublicCrawl(t *testing.T) {
	s := newPublicSite(t)
	base, _ := url.Parse(s.url)
	queue := []string{"/public", "/public/" + s.Process.ID}
	seen := map[string]bool{}
	var all strings.Builder
	kinds := map[string]int{}
	for len(queue) > 0 && len(seen) < 500 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		r := s.get(t, path)
		if r.status != http.StatusOK {
			t.Errorf("%s: status %d", path, r.status)
			continue
		}
		for _, secret := range s.secrets {
			if strings.Contains(r.body, secret) {
				t.Errorf("%s shows %s", path, secret)
			}
		}
		all.WriteString(html.UnescapeString(r.body))
		switch {
		case strings.Contains(path, "/feed.atom"):
			kinds["atom"]++
		case strings.Contains(path, "/feed.json"):
			kinds["json"]++
		case strings.HasPrefix(path, "/log/proof/inclusion"):
			kinds["proof"]++
			s.checkProof(t, path, r.body)
		}
		var links []string
		for _, m := range linkRE.FindAllStringSubmatch(r.body, -1) {
			links = append(links, html.UnescapeString(m[1]))
		}
		// Feeds name pages and proofs by their whole address.
		links = append(links, regexp.MustCompile(regexp.QuoteMeta(s.url)+`[^"<\s]*`).FindAllString(r.body, -1)...)
		for _, l := range links {
			from, _ := url.Parse(s.url + path)
			u, err := from.Parse(l)
			if err != nil || u.Host != base.Host {
				continue
			}
			u.Fragment = ""
			next := u.RequestURI()
			if !seen[next] {
				queue = append(queue, next)
			}
		}
	}
	text := all.String()
	for _, want := range s.published() {
		if !strings.Contains(text, want) && !strings.Contains(text, jsonString(want)) {
			t.Errorf("no public page shows %q", want)
		}
	}
	for _, k := range []string{"atom", "json", "proof"} {
		if kinds[k] == 0 {
			t.Errorf("the crawl reached no %s (%d pages: %v)", k, len(seen), seen)
		}
	}
	if len(seen) < 12 {
		t.Errorf("the crawl reached only %d pages: %v", len(seen), seen)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

// checkProof checks that an inclusion proof the page links to proves its
// entry into the tree of a signed checkpoint.
func (s *publicSite) checkProof(t *testing.T, path, body string) {
	t.Helper()
	var p web.InclusionProof
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c, err := s.DB.CheckpointCovering(context.Background(), p.Seq)
	if err != nil || c.Size != p.Size {
		t.Fatalf("%s: proof in a tree of %d, not a checkpoint's (%+v, %v)", path, p.Size, c, err)
	}
	hash := func(b64 string) tlog.Hash {
		var h tlog.Hash
		b, _ := base64.StdEncoding.DecodeString(b64)
		copy(h[:], b)
		return h
	}
	var proof tlog.RecordProof
	for _, h := range p.Proof {
		proof = append(proof, hash(h))
	}
	if err := tlog.CheckRecord(proof, p.Size, c.Root, p.Seq-1, hash(p.LeafHash)); err != nil {
		t.Errorf("%s does not prove inclusion: %v", path, err)
	}
}

// TestPublicFeeds reads both feeds as a feed reader would.
func TestPublicFeeds(t *testing.T) {
	s := newPublicSite(t)
	for _, f := range []struct{ path, ctype, feedType string }{
		{"/feed.atom", "application/atom+xml", "atom"},
		{"/feed.json", "application/feed+json", "json"},
	} {
		r := s.get(t, "/public/"+s.Process.ID+f.path, "Accept-Language", "uk")
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), f.ctype) {
			t.Fatalf("%s: %d %s", f.path, r.status, r.header.Get("Content-Type"))
		}
		feed, err := gofeed.NewParser().ParseString(r.body)
		if err != nil {
			t.Fatalf("%s: %v\n%s", f.path, err, r.body)
		}
		if feed.FeedType != f.feedType || feed.Title != s.Process.Title || feed.Language != "uk" || len(feed.Items) != 2 {
			t.Fatalf("%s: %s %q %q with %d items", f.path, feed.FeedType, feed.Title, feed.Language, len(feed.Items))
		}
		// Newest first: the joint statement's embargo held it back until
		// after party A's own.
		joint, own := feed.Items[0], feed.Items[1]
		if own.Title != s.own.Title[parley.Ukrainian] || joint.Title != s.joint.Title[parley.Ukrainian] {
			t.Errorf("%s: items %q, %q", f.path, own.Title, joint.Title)
		}
		if !strings.Contains(joint.Content, s.joint.Texts[parley.Ukrainian]) || !strings.Contains(own.Content, s.own.Texts[parley.Ukrainian]) {
			t.Errorf("%s: contents %q, %q", f.path, joint.Content, own.Content)
		}
		if !strings.Contains(own.Content, "власна") || len(own.Authors) != 1 || own.Authors[0].Name != "A" || len(joint.Authors) != 2 {
			t.Errorf("%s: the party's own statement is not marked as its own: %q by %v; the joint one by %v", f.path, own.Content, own.Authors, joint.Authors)
		}
		if joint.PublishedParsed == nil || own.PublishedParsed == nil || joint.PublishedParsed.Before(*own.PublishedParsed) {
			t.Errorf("%s: published %v, %v", f.path, joint.PublishedParsed, own.PublishedParsed)
		}
		for _, it := range feed.Items {
			if !strings.Contains(it.Content, "/log/proof/inclusion?seq=") || !strings.Contains(it.Link, "/public/"+s.Process.ID) {
				t.Errorf("%s: item %q without its proof or page: %q %q", f.path, it.Title, it.Link, it.Content)
			}
		}
	}

	// The Atom entries link their proofs as related links, titled with the
	// record entry.
	r := s.get(t, "/public/"+s.Process.ID+"/feed.atom?lang=en")
	atom, err := (&atomparser.Parser{}).Parse(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	sts, err := s.DB.PublishedStatements(context.Background(), s.Process.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range atom.Entries {
		var proof *string
		for _, l := range e.Links {
			if l.Rel == "related" {
				proof = &l.Href
				if l.Title != "Entry "+itoa(sts[i].PublishedSeq)+" of the record" {
					t.Errorf("entry %d: proof titled %q", i, l.Title)
				}
			}
		}
		if proof == nil || !strings.HasPrefix(*proof, s.url+"/log/proof/inclusion?seq="+itoa(sts[i].PublishedSeq)+"&size=") {
			t.Errorf("entry %d (%s): proof %v", i, e.Title, proof)
		}
		if e.Categories[0].Term != string(sts[i].Kind) {
			t.Errorf("entry %d: category %q, want %q", i, e.Categories[0].Term, sts[i].Kind)
		}
	}

	// The JSON Feed's items carry the record entry in Parley's extension.
	r = s.get(t, "/public/"+s.Process.ID+"/feed.json")
	var jf struct {
		Items []struct {
			Parley struct {
				Kind        string `json:"kind"`
				Party       string `json:"party"`
				RecordEntry int64  `json:"record_entry"`
				Proof       string `json:"proof"`
			} `json:"_parley"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.body), &jf); err != nil {
		t.Fatal(err)
	}
	for i, it := range jf.Items {
		p := it.Parley
		if p.RecordEntry != sts[i].PublishedSeq || p.Kind != string(sts[i].Kind) || !strings.HasPrefix(p.Proof, s.url+"/log/proof/inclusion?seq="+itoa(p.RecordEntry)+"&size=") {
			t.Errorf("item %d: %+v", i, p)
		}
	}
	if jf.Items[1].Parley.Party != "A" || jf.Items[0].Parley.Party != "" {
		t.Errorf("the statements name the parties %q and %q", jf.Items[0].Parley.Party, jf.Items[1].Parley.Party)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPublicCaching checks the headers that let browsers and shared caches
// keep the public pages, and that a page changes its ETag when, and only
// when, what it shows changes.
func TestPublicCaching(t *testing.T) {
	s := newPublicSite(t)
	path := "/public/" + s.Process.ID
	for _, p := range []string{"/public", path, path + "/feed.atom", path + "/feed.json"} {
		r := s.get(t, p)
		etag := r.header.Get("ETag")
		if r.status != http.StatusOK || !regexp.MustCompile(`^"[0-9a-f]{32}(-gz)?"$`).MatchString(etag) {
			t.Fatalf("%s: %d, ETag %q", p, r.status, etag)
		}
		if got := r.header.Get("Cache-Control"); got != "public, max-age=60, stale-while-revalidate=300" {
			t.Errorf("%s: Cache-Control %q", p, got)
		}
		if got := r.header.Get("Vary"); got != "Accept-Language, Accept-Encoding" {
			t.Errorf("%s: Vary %q", p, got)
		}
		if r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no security headers", p)
		}
		again := s.get(t, p)
		if again.header.Get("ETag") != etag || again.body != r.body {
			t.Errorf("%s: a second request gives another page", p)
		}
		for _, inm := range []string{etag, `"x", ` + etag, "W/" + etag, "*"} {
			nm := s.get(t, p, "If-None-Match", inm)
			if nm.status != http.StatusNotModified || nm.body != "" || nm.header.Get("ETag") != etag || nm.header.Get("Cache-Control") == "" {
				t.Errorf("%s with If-None-Match %s: %d %q", p, inm, nm.status, nm.body)
			}
		}
		if r := s.get(t, p, "If-None-Match", `"0123"`); r.status != http.StatusOK {
			t.Errorf("%s with another ETag: %d", p, r.status)
		}
		if uk := s.get(t, p, "Accept-Language", "uk-UA,uk;q=0.9"); uk.header.Get("ETag") == etag {
			t.Errorf("%s: the Ukrainian page has the English page's ETag", p)
		}
		// Gzipped, the page has an ETag of its own; the same page plain
		// has another.
		plain, gz := s.raw(t, p, "identity"), s.raw(t, p, "gzip, br")
		if plain.header.Get("Content-Encoding") != "" || gz.header.Get("Content-Encoding") != "gzip" || plain.header.Get("ETag") == gz.header.Get("ETag") {
			t.Errorf("%s: plain %v, gzipped %v", p, plain.header, gz.header)
		}
		if unzipped := gunzip(t, gz.body); unzipped != plain.body || len(gz.body) >= len(plain.body) {
			t.Errorf("%s: the gzipped page (%d bytes) is not the page (%d bytes)", p, len(gz.body), len(plain.body))
		}
		if r := s.raw(t, p, "gzip;q=0"); r.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: gzip sent to a client that refuses it", p)
		}
	}

	first := s.get(t, path)
	// Talk in a caucus grows the record, but changes nothing public: the
	// page is the same, and so is its ETag.
	s.Must(t, s.HeadA, parley.StartThread{SpaceID: s.SpaceOf(parley.SpaceParty, s.PartyA.ID).ID, Title: "More talk", Body: "Nothing public."})
	if r := s.get(t, path, "If-None-Match", first.header.Get("ETag")); r.status != http.StatusNotModified {
		t.Errorf("after a message in a caucus: %d", r.status)
	}
	// A statement published changes the page.
	s.publish(t, "Second round on 10 June", "The parties meet again on 10 June.")
	r := s.get(t, path, "If-None-Match", first.header.Get("ETag"))
	if r.status != http.StatusOK || r.header.Get("ETag") == first.header.Get("ETag") || !strings.Contains(r.body, "Second round on 10 June") {
		t.Errorf("after a publication: %d, ETag %s", r.status, r.header.Get("ETag"))
	}
}

// TestPublicRefresh checks that with the default refresh a publication
// shows on the public page within about a second.
func TestPublicRefresh(t *testing.T) {
	s := newPublicSite(t, 0)
	path := "/public/" + s.Process.ID
	s.get(t, path)
	s.publish(t, "Third round on 20 June", "The parties meet again on 20 June.")
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(s.get(t, path).body, "Third round on 20 June") {
		if time.Now().After(deadline) {
			t.Fatal("the publication is not on the page after 3 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPublicSetsNoCookie checks that the public pages, their feeds and
// their style sheets set no cookie, even for a reader who is signed in.
func TestPublicSetsNoCookie(t *testing.T) {
	s := newPublicSite(t)
	if err := s.DB.SetPassword(context.Background(), s.HeadA.AccountID, mustHash(t)); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	signed := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := signed.PostForm(s.url+"/login", url.Values{"username": {"heada"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(s.url)
	if len(jar.Cookies(u)) == 0 {
		t.Fatal("signing in set no cookie")
	}
	path := "/public/" + s.Process.ID
	for _, c := range []*http.Client{http.DefaultClient, signed} {
		for _, p := range []string{"/public", path, path + "?lang=ru", path + "/feed.atom", path + "/feed.json", "/public/no-such-process", "/static/public.css", "/static/parley.css"} {
			resp, err := c.Get(s.url + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Values("Set-Cookie"); len(got) > 0 {
				t.Errorf("%s sets %v", p, got)
			}
		}
	}
}

// TestPublicPages reads the process's public page in every language and
// checks what it says of each statement.
func TestPublicPages(t *testing.T) {
	s := newPublicSite(t)
	path := "/public/" + s.Process.ID
	for _, l := range parley.Langs {
		for _, r := range []publicResponse{s.get(t, path+"?lang="+string(l)), s.get(t, path, "Accept-Language", string(l)+";q=0.9, de;q=0.5")} {
			if r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="`+string(l)+`">`) {
				t.Fatalf("%s: %d, not in %s:\n%.300s", l, r.status, l, r.body)
			}
			for _, bad := range []string{"<no value>", "%!", "Internal error"} {
				if strings.Contains(r.body, bad) {
					t.Errorf("%s: shows %q", l, bad)
				}
			}
			if m := rawIDRE.FindString(codeRE.ReplaceAllString(r.body, "")); m != "" {
				t.Errorf("%s: shows a message ID: %s", l, m)
			}
			page := html.UnescapeString(r.body)
			if !strings.Contains(page, `<h3 id="s-`) || !strings.Contains(page, s.joint.Title[l]) {
				t.Errorf("%s: no joint statement titled %q", l, s.joint.Title[l])
			}
			// Party A's own statement is in English and Ukrainian only: a
			// Russian or Turkish reader is told, and reads it in English.
			fallback := l == parley.Russian || l == parley.Turkish
			if fallback != strings.Contains(r.body, `<p class="lang-note">`) {
				t.Errorf("%s: the note of another language shown: %v", l, !fallback)
			}
			if !strings.Contains(page, `<span class="kind-tag unilateral">`) || !strings.Contains(page, `<span class="kind-tag joint">`) {
				t.Errorf("%s: the kinds of statements are not marked", l)
			}
			verify := regexp.MustCompile(`(?s)<pre class="note"><code>(.*?)</code></pre>`).FindStringSubmatch(page)
			if verify == nil || regexp.MustCompile(`<[^>]+>`).ReplaceAllString(verify[1], "") != "parley verify "+s.url+" --key '"+s.key.Verifier+"'" {
				t.Errorf("%s: the command to check the record is %q", l, verify)
			}
			for _, want := range []string{`<svg class="chart-svg"`, `role="img"`, `href="/log/proof/inclusion?seq=`, `href="?lang=tr"`} {
				if !strings.Contains(page, want) {
					t.Errorf("%s: no %s", l, want)
				}
			}
		}
	}
	en := html.UnescapeString(s.get(t, path+"?lang=en").body)
	for _, want := range []string{"Joint statement", "Statement of A", "its own, not agreed by the others", "1,200", ">410<",
		"People exchanged, according to A alone", "Remains transferred"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
	uk := html.UnescapeString(s.get(t, path+"?lang=uk").body)
	for _, want := range []string{"Спільна заява", "Заява сторони «A»", "її власна, не погоджена з іншими сторонами", "1\u00a0200", "Обміняно людей"} {
		if !strings.Contains(uk, want) {
			t.Errorf("the Ukrainian page lacks %q", want)
		}
	}
	if r := s.get(t, "/public/no-such-process?lang=tr"); r.status != http.StatusNotFound || !strings.Contains(r.body, `<p class="notice"`) || !strings.Contains(r.body, "/public/"+s.Process.ID) {
		t.Errorf("a process that does not exist: %d\n%.500s", r.status, r.body)
	}
	if r := s.get(t, "/public"); !strings.Contains(r.body, `href="/public/`+s.Process.ID+`?lang=en"`) {
		t.Errorf("the list lacks the process:\n%s", r.body)
	}
}

// mustHash hashes the test password.
func mustHash(t *testing.T) string {
	t.Helper()
	h, err := auth.HashPassword(password, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
