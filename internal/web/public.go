package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-talks/parley"
)

// The public pages: what each process made public, for anyone, without
// signing in. They show a process's title and description, its parties'
// and working groups' names, and its published statements with their
// figures — nothing else, since they read only through the store's Public*
// functions and PublishedStatements. Handler serves them without a session
// or an actor (see sessionless), and each rendered page is kept in memory
// until the record grows, so that a request for a page already rendered
// costs no template, and at most one query a second.

// publicCacheControl lets a browser or a shared cache keep a public page
// for a minute without asking again, and show it five minutes more while
// it asks.
const publicCacheControl = "public, max-age=60, stale-while-revalidate=300"

// publicCacheSize bounds the rendered pages kept: the key holds the host a
// request named when no base URL is configured, which a client chooses.
const publicCacheSize = 1024

// publicCache keeps rendered public pages by path, language and base URL,
// and the record's last entry, which tells whether they are current.
type publicCache struct {
	mu   sync.RWMutex
	docs map[string]*publicDoc

	stampMu sync.Mutex
	stamp   int64     // the record's last entry
	stampAt time.Time // when it was read
}

// publicDoc is a rendered public page or feed.
type publicDoc struct {
	stamp  int64 // the record's last entry when it was rendered
	status int
	body   []byte
	gz     []byte // body, gzipped; nil if that is no shorter
	etag   string // a hash of body
	ctype  string
}

func (c *publicCache) get(key string, stamp int64) *publicDoc {
	c.mu.RLock()
	d := c.docs[key]
	c.mu.RUnlock()
	if d == nil || d.stamp != stamp {
		return nil
	}
	return d
}

func (c *publicCache) put(key string, d *publicDoc) {
	c.mu.Lock()
	if c.docs == nil || len(c.docs) >= publicCacheSize {
		c.docs = map[string]*publicDoc{}
	}
	c.docs[key] = d
	c.mu.Unlock()
}

// publicRequest is what a public page depends on besides the database.
type publicRequest struct {
	lang parley.Lang
	base string // the server's address, for links in feeds and the verify command
}

// publicLang picks the reader's language: ?lang=, then Accept-Language.
// No cookie is read, so a shared cache needs to vary on Accept-Language
// alone.
func (s *Server) publicLang(r *http.Request) parley.Lang {
	if l, ok := parley.ParseLang(r.URL.Query().Get("lang")); ok {
		return l
	}
	_, i, _ := s.i18n.matcher.Match(parseAcceptLanguage(r.Header.Get("Accept-Language"))...)
	return parley.Langs[i]
}

// baseURL is the server's address: the configured one, else as the reader
// reached it.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// publicBuild renders a public document. complete is false when the
// document lacks something that will come without a new record entry (a
// proof awaiting the next checkpoint), so that it is not kept.
type publicBuild func(ctx context.Context, pr publicRequest) (body []byte, ctype string, complete bool, err error)

// servePublic answers a public request from the cache, or renders it with
// build and keeps it. The record's last entry is the cache's clock: any
// change a public page could show is an entry. A page that does not exist
// is the list of processes with a notice, kept as well, so that asking for
// made-up pages costs no more than asking for real ones.
func (s *Server) servePublic(w http.ResponseWriter, r *http.Request, build publicBuild) {
	ctx := r.Context()
	pr := publicRequest{lang: s.publicLang(r), base: s.baseURL(r)}
	stamp, err := s.publicStamp(ctx)
	if err != nil {
		s.publicError(w, r, err)
		return
	}
	key := r.URL.Path + "\x00" + string(pr.lang) + "\x00" + pr.base
	d := s.public.get(key, stamp)
	if d == nil {
		body, ctype, complete, err := build(ctx, pr)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			s.publicMissing(w, r, pr, stamp)
			return
		}
		if err != nil {
			s.publicError(w, r, err)
			return
		}
		d = newPublicDoc(stamp, http.StatusOK, body, ctype)
		if complete {
			s.public.put(key, d)
		}
	}
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	h := w.Header()
	h.Set("ETag", d.tag(gz))
	h.Set("Cache-Control", publicCacheControl)
	h.Set("Vary", "Accept-Language, Accept-Encoding")
	if etagMatches(r.Header.Get("If-None-Match"), d.tag(gz)) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	d.write(w, gz)
}

// publicStamp returns the record's last entry, read from the database at
// most once per Config.PublicRefresh: under load the public pages then cost
// no query at all, and show a publication that much later.
func (s *Server) publicStamp(ctx context.Context) (int64, error) {
	every := s.cfg.PublicRefresh
	if every == 0 {
		every = time.Second
	}
	if every < 0 {
		return s.db.PublicStamp(ctx)
	}
	c := &s.public
	c.stampMu.Lock()
	defer c.stampMu.Unlock()
	if !c.stampAt.IsZero() && time.Since(c.stampAt) < every {
		return c.stamp, nil
	}
	n, err := s.db.PublicStamp(ctx)
	if err != nil {
		return 0, err
	}
	c.stamp, c.stampAt = n, time.Now()
	return n, nil
}

// newPublicDoc makes a document of body, and its gzip encoding: the page
// is compressed once, when it is rendered, never per request.
func newPublicDoc(stamp int64, status int, body []byte, ctype string) *publicDoc {
	sum := sha256.Sum256(body)
	d := &publicDoc{stamp: stamp, status: status, body: body, ctype: ctype, etag: hex.EncodeToString(sum[:16])}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body)
	if zw.Close() == nil && buf.Len() < len(body) {
		d.gz = buf.Bytes()
	}
	return d
}

// tag is the document's strong ETag, which differs between its encodings.
func (d *publicDoc) tag(gz bool) string {
	if gz && d.gz != nil {
		return `"` + d.etag + `-gz"`
	}
	return `"` + d.etag + `"`
}

// write sends the document, gzipped if gz and that is shorter.
func (d *publicDoc) write(w http.ResponseWriter, gz bool) {
	h := w.Header()
	h.Set("Content-Type", d.ctype)
	body := d.body
	if gz && d.gz != nil {
		body = d.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(d.status)
	w.Write(body)
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		if name != "gzip" && name != "x-gzip" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				q, _ = strconv.ParseFloat(v, 64)
			}
		}
		return q > 0
	}
	return false
}

// publicMissing answers 404 with the list of processes and a notice. It is
// not for shared caches to keep: the process may be opened soon.
func (s *Server) publicMissing(w http.ResponseWriter, r *http.Request, pr publicRequest, stamp int64) {
	key := "\x00missing\x00" + string(pr.lang) + "\x00" + pr.base
	d := s.public.get(key, stamp)
	if d == nil {
		body, ctype, _, err := s.renderPublicIndex(r.Context(), r, pr, true)
		if err != nil {
			s.publicError(w, r, err)
			return
		}
		d = newPublicDoc(stamp, http.StatusNotFound, body, ctype)
		s.public.put(key, d)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Accept-Language, Accept-Encoding")
	d.write(w, acceptsGzip(r.Header.Get("Accept-Encoding")))
}

// etagMatches reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 has for If-None-Match).
func etagMatches(header, etag string) bool {
	for part := range strings.SplitSeq(header, ",") {
		p := strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if p == "*" || p == etag {
			return true
		}
	}
	return false
}

// publicError answers a public request that failed: logged, and answered
// with 500, never with its detail.
func (s *Server) publicError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "public page", "path", r.URL.Path, "err", err)
	http.Error(w, "Internal error", http.StatusInternalServerError)
}

// publicFrame is what the public layout shows around every page.
type publicFrame struct {
	PageTitle string
	LangLinks []langLink
	Feeds     *feedLinks
}

// langLink is a link to the same page in another language, named in that
// language.
type langLink struct {
	Code    parley.Lang
	Name    string
	Current bool
}

type feedLinks struct{ Atom, JSON string }

func (s *Server) publicFrame(lang parley.Lang, title string) publicFrame {
	f := publicFrame{PageTitle: title}
	for _, l := range parley.Langs {
		f.LangLinks = append(f.LangLinks, langLink{Code: l, Name: s.i18n.translate(l, "lang."+string(l)), Current: l == lang})
	}
	return f
}

// publicPage starts the data of a public page: a page without an account,
// a session or a flash, in UTC, that a cache may keep for every reader of
// its language.
func (s *Server) publicPage(r *http.Request, lang parley.Lang, data any) *page {
	return &page{s: s, req: r, Lang: lang, Langs: parley.Langs, Loc: time.UTC, Path: r.URL.Path, Version: s.cfg.Version, Data: data}
}

// renderPublic executes a public page's template in the public layout.
func (s *Server) renderPublic(name string, p *page) ([]byte, error) {
	t := s.pages.byName[name]
	if t == nil {
		return nil, parley.Errorf(parley.EINTERNAL, "No such template.")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "public-layout", p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// publicIndexView is the list of processes.
type publicIndexView struct {
	publicFrame
	Processes []parley.Process
	Missing   bool // the page asked for does not exist
}

func (s *Server) publicIndex(w http.ResponseWriter, r *http.Request) {
	s.servePublic(w, r, func(ctx context.Context, pr publicRequest) ([]byte, string, bool, error) {
		return s.renderPublicIndex(ctx, r, pr, false)
	})
}

func (s *Server) renderPublicIndex(ctx context.Context, r *http.Request, pr publicRequest, missing bool) ([]byte, string, bool, error) {
	ps, err := s.db.PublicProcesses(ctx)
	if err != nil {
		return nil, "", false, err
	}
	v := publicIndexView{publicFrame: s.publicFrame(pr.lang, ""), Processes: ps, Missing: missing}
	body, err := s.renderPublic("public.html", s.publicPage(r, pr.lang, v))
	return body, "text/html; charset=utf-8", true, err
}

// publicSlash sends /public/ to /public, keeping the language asked for.
func publicSlash(w http.ResponseWriter, r *http.Request) {
	to := "/public"
	if r.URL.RawQuery != "" {
		to += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, to, http.StatusMovedPermanently)
}

func (s *Server) publicProcess(w http.ResponseWriter, r *http.Request) {
	s.servePublic(w, r, func(ctx context.Context, pr publicRequest) ([]byte, string, bool, error) {
		v, err := s.publicProcessData(ctx, r.PathValue("process"), pr)
		if err != nil {
			return nil, "", false, err
		}
		body, err := s.renderPublic("public-process.html", s.publicPage(r, pr.lang, v))
		return body, "text/html; charset=utf-8", v.complete, err
	})
}

// publicProcessView is a process's public page.
type publicProcessView struct {
	publicFrame
	Process parley.Process
	Parties []parley.Party
	Groups  []parley.WorkingGroup
	Items   []publicItem
	Charts  []chart
	// Record says the server keeps a signed record open to the public,
	// which `parley verify VerifyURL --key VerifyKey` checks.
	Record               bool
	VerifyURL, VerifyKey string
	complete             bool
}

// publicItem is a published statement as the public page shows it.
type publicItem struct {
	ID          string
	Joint       bool
	Party       string // a unilateral statement's party, in the reader's language
	Lang        parley.Lang
	Title, Text string
	Fallback    bool // not published in the reader's language
	Others      []publicText
	Figures     []figureView
	PublishedAt time.Time
	Seq         int64
	Hash        string
	Proof       string // the inclusion proof's path, or "" until a checkpoint covers it
}

// publicText is a statement's title and text in one language.
type publicText struct {
	Lang        parley.Lang
	Name        string // the language's own name
	Title, Text string
}

// figureView is a figure in the reader's language.
type figureView struct {
	Label string
	Value string
	AsOf  string
}

// textIn returns t in lang, else in English, else in the first language
// it has, and the language it is in.
func textIn(t parley.Texts, lang parley.Lang) (string, parley.Lang) {
	if s := t[lang]; strings.TrimSpace(s) != "" {
		return s, lang
	}
	if s := t[parley.English]; strings.TrimSpace(s) != "" {
		return s, parley.English
	}
	for _, l := range parley.Langs {
		if s := t[l]; strings.TrimSpace(s) != "" {
			return s, l
		}
	}
	return "", lang
}

// publicProcessData reads what a process made public and arranges it for
// the page and the feeds.
func (s *Server) publicProcessData(ctx context.Context, id string, pr publicRequest) (publicProcessView, error) {
	var v publicProcessView
	var err error
	if v.Process, err = s.db.PublicProcess(ctx, id); err != nil {
		return v, err
	}
	if v.Parties, err = s.db.PublicParties(ctx, id); err != nil {
		return v, err
	}
	if v.Groups, err = s.db.PublicGroups(ctx, id); err != nil {
		return v, err
	}
	sts, err := s.db.PublishedStatements(ctx, id)
	if err != nil {
		return v, err
	}
	v.publicFrame = s.publicFrame(pr.lang, v.Process.Title)
	v.Feeds = &feedLinks{Atom: "/public/" + id + "/feed.atom", JSON: "/public/" + id + "/feed.json"}
	v.Record = s.cfg.LogKey != nil && !s.cfg.LogPrivate
	if v.Record {
		v.VerifyURL, v.VerifyKey = pr.base, s.cfg.LogKey.Verifier
	}
	v.complete = true
	names := map[string]string{}
	for _, p := range v.Parties {
		names[p.ID] = p.Names.In(pr.lang)
	}
	for _, st := range sts {
		it := publicItem{ID: st.ID, Joint: st.Kind != parley.UnilateralStatement, Party: names[st.PartyID],
			PublishedAt: st.PublishedAt, Seq: st.PublishedSeq, Hash: st.Hash}
		it.Text, it.Lang = textIn(st.Texts, pr.lang)
		it.Title = st.Title[it.Lang]
		it.Fallback = it.Lang != pr.lang
		for _, l := range parley.Langs {
			if l != it.Lang && strings.TrimSpace(st.Texts[l]) != "" {
				it.Others = append(it.Others, publicText{Lang: l, Name: s.i18n.translate(l, "lang."+string(l)), Title: st.Title[l], Text: st.Texts[l]})
			}
		}
		for _, f := range st.Figures {
			label, _ := textIn(f.Label, pr.lang)
			it.Figures = append(it.Figures, figureView{Label: label, Value: formatNumber(f.Value, pr.lang), AsOf: f.AsOf})
		}
		if v.Record {
			c, err := s.db.CheckpointCovering(ctx, st.PublishedSeq)
			switch {
			case err == nil:
				it.Proof = "/log/proof/inclusion?seq=" + strconv.FormatInt(st.PublishedSeq, 10) + "&size=" + strconv.FormatInt(c.Size, 10)
			case parley.ErrorCode(err) == parley.ENOTFOUND:
				v.complete = false // the next checkpoint will cover it
			default:
				return v, err
			}
		}
		v.Items = append(v.Items, it)
	}
	v.Charts = figureCharts(sts, pr.lang, names, func(id string, args ...any) string { return s.i18n.translate(pr.lang, id, args...) })
	return v, nil
}

// formatNumber writes v as a reader of lang expects: digits grouped by
// thousands, and a decimal comma in all but English.
func formatNumber(v float64, lang parley.Lang) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "−", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	group, point := ",", "."
	switch lang {
	case parley.Ukrainian, parley.Russian:
		group, point = "\u00a0", ","
	case parley.Turkish:
		group, point = ".", ","
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString(point + frac)
	}
	return b.String()
}
