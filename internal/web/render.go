package web

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// pages holds every page template, each parsed with the layout and the
// partials it may use, and a few buffers pages are rendered into: a long
// page (a memorandum of hundreds of clauses is megabytes) would otherwise
// grow a new one, by doubling, for every request. (A sync.Pool would
// drop them at every garbage collection, and a long page makes one.)
type pages struct {
	byName  map[string]*template.Template
	buffers chan *bytes.Buffer
}

var funcs = template.FuncMap{
	"text":  formatText,
	"names": func(n parley.Names, l parley.Lang) string { return n.In(l) },
	"dict":  func(p *page, v any) pv { return pv{p, v} },
	"list":  func(v ...string) []string { return v },
	"add":   func(a, b int) int { return a + b },
	// clauses writes a memorandum page's sections and clauses, in Go
	// (memo_clause.go): a long memorandum has hundreds.
	"clauses": writeClauses,
}

func loadPages() (*pages, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}, buffers: make(chan *bytes.Buffer, 8)}
	for _, path := range names {
		name := strings.TrimPrefix(path, "templates/")
		if name == "layout.html" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials/*.html", path)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// page is what every template receives.
type page struct {
	s        *Server
	req      *http.Request
	tcache   map[string]string // messages translated for this page
	TitleKey string
	Lang     parley.Lang
	Langs    []parley.Lang
	Actor    parley.Actor
	Account  *parley.Account
	Loc      *time.Location
	Demo     bool
	Flash    string
	Path     string
	Errors   map[string]string // field → complaint, for a form sent back
	Form     url.Values        // what the user sent, for a form sent back
	Data     any
	Nav      *nav  // the process being looked at, for the side navigation
	Seq      int64 // the record's last entry when the page was made: live updates start after it
	Version  string
	// Map loads static/map.js and its style sheet: the page has a map
	// (class "map") or a countdown (time data-countdown). The script loads
	// Leaflet itself, and only for a map.
	Map bool
	// CanSign says the reader has a passkey this server can use, so the
	// page's formal acts offer to sign with it; Signed holds the acts on
	// what the page shows that were signed, by record index.
	CanSign bool
	Signed  map[int64]store.SignedAct
}

// SignedList is the page's signed acts in record order.
func (p *page) SignedList() []store.SignedAct {
	out := make([]store.SignedAct, 0, len(p.Signed))
	for _, a := range p.Signed {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b store.SignedAct) int { return cmp.Compare(a.Seq, b.Seq) })
	return out
}

// nav is the side navigation of a process.
type nav struct {
	Process parley.Process
	Groups  []parley.WorkingGroup
	Spaces  []spaceView
	Member  *parley.Membership
}

// page starts the data of a page for r.
func (s *Server) page(r *http.Request, titleKey string) *page {
	p := &page{s: s, req: r, TitleKey: titleKey, Langs: parley.Langs, Actor: requestActor(r.Context()),
		Demo: s.cfg.Demo, Path: r.URL.Path, Loc: time.UTC, Version: s.cfg.Version}
	if acc, ok := requestAccount(r.Context()); ok {
		p.Account = &acc
		if loc, err := time.LoadLocation(acc.TimeZone); err == nil {
			p.Loc = loc
		}
	}
	p.Lang = s.i18n.choose(r, p.Account)
	// A live update of part of a page, set off by the very act that left
	// the flash, can reach the server before the page the act redirects
	// to: the flash waits for that page.
	if r.Header.Get("HX-Request") == "" {
		p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	}
	p.Seq, _ = s.db.LastSeq(r.Context())
	return p
}

// T translates a message of the interface.
//
// A page asks for the same messages many times (a long memorandum asks for
// each button's label once per clause), so it keeps what it translated.
func (p *page) T(id string, args ...any) string {
	key := id
	if len(args) > 0 {
		key = id + "\x00" + fmt.Sprint(args...)
	}
	if s, ok := p.tcache[key]; ok {
		return s
	}
	s := p.s.i18n.translate(p.Lang, id, args...)
	if p.tcache == nil {
		p.tcache = map[string]string{}
	}
	p.tcache[key] = s
	return s
}

// Text translates a sentence of the domain, such as an error message.
func (p *page) Text(sentence string) string { return p.s.i18n.translateText(p.Lang, sentence) }

// Err returns the translated complaint about a form field, or "".
func (p *page) Err(field string) string { return p.Text(p.Errors[field]) }

// Value returns what the user sent in a form field.
func (p *page) Value(field string) string { return p.Form.Get(field) }

// Time shows t in the reader's time zone.
func (p *page) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.Loc).Format("2006-01-02 15:04 MST")
}

// ISO is t for a machine: the datetime attribute of <time>.
func (p *page) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// BaseURL is the server's public address as the reader reached it.
func (p *page) BaseURL() string {
	if p.s.cfg.BaseURL != "" {
		return p.s.cfg.BaseURL
	}
	scheme := "http"
	if p.req.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + p.req.Host
}

// AwaitingCount is the number of open proposals awaiting the reader's
// party in the working groups the reader answers for.
func (p *page) AwaitingCount() int {
	if p.Actor.Anonymous() {
		return 0
	}
	items, err := p.s.awaiting(p.req.Context(), p.Actor, p.Lang)
	if err != nil {
		p.s.log.WarnContext(p.req.Context(), "awaiting count", "err", err)
	}
	return len(items)
}

// AuthorisedIn returns the working groups in which member m may act.
func (p *page) AuthorisedIn(m parley.Member) map[string]bool {
	out := map[string]bool{}
	for _, g := range m.Authorised {
		out[g] = true
	}
	return out
}

// Now is the server's time, for waiting times and deadlines.
func (p *page) Now() time.Time { return p.s.now() }

// FormalActs are the event types that are formal acts of a party.
func (p *page) FormalActs() map[string]bool { return parley.FormalActs }

// Operator reports whether the reader operates the server.
func (p *page) Operator() bool { return p.Account != nil && p.Account.Operator }

// render writes a page. A template error is logged and answered with 500,
// never with half a page: the page is rendered into a buffer first.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t := s.pages.byName[name]
	if t == nil {
		s.log.ErrorContext(r.Context(), "no such template", "name", name)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	buf := s.pages.buffer()
	defer s.pages.done(buf)
	if err := t.ExecuteTemplate(buf, "layout", p); err != nil {
		s.log.ErrorContext(r.Context(), "render", "template", name, "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// buffer returns an empty buffer to render a page into.
func (ps *pages) buffer() *bytes.Buffer {
	select {
	case b := <-ps.buffers:
		return b
	default:
		return new(bytes.Buffer)
	}
}

// done takes back a buffer that was written out.
func (ps *pages) done(b *bytes.Buffer) {
	if b.Cap() > 16<<20 { // an outlier: let it go
		return
	}
	b.Reset()
	select {
	case ps.buffers <- b:
	default:
	}
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"']+[^\s<>"'.,;:!?)\]]`)

// formatText shows plain text safely: every character escaped, line breaks
// kept, and http(s) links made clickable (opening without a referrer).
func formatText(s string) template.HTML {
	if !strings.Contains(s, "://") { // no link: most texts
		return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(s), "\n", "<br>\n"))
	}
	var b strings.Builder
	last := 0
	for _, m := range linkRE.FindAllStringIndex(s, -1) {
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		u := s[m[0]:m[1]]
		if _, err := url.Parse(u); err == nil {
			esc := template.HTMLEscapeString(u)
			b.WriteString(`<a href="` + esc + `" rel="noopener noreferrer nofollow" target="_blank">` + esc + `</a>`)
		} else {
			b.WriteString(template.HTMLEscapeString(u))
		}
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(strings.ReplaceAll(b.String(), "\n", "<br>\n"))
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// renderFragment writes one named template of a page alone, for htmx.
func (s *Server) renderFragment(w http.ResponseWriter, r *http.Request, name, fragment string, p *page) {
	t := s.pages.byName[name]
	buf := s.pages.buffer()
	defer s.pages.done(buf)
	if t == nil || t.Lookup(fragment) == nil {
		s.log.ErrorContext(r.Context(), "no such fragment", "template", name, "fragment", fragment)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(buf, fragment, p); err != nil {
		s.log.ErrorContext(r.Context(), "render", "template", name, "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// pv passes a page and a value to a partial template.
type pv struct {
	P *page
	V any
}

// CanManage reports whether the reader may change the process in view:
// "process" (parties, members), "rounds" or "groups".
func (p *page) CanManage(what string) bool {
	if p.Nav == nil {
		return false
	}
	act := map[string]parley.ProcessAction{"process": parley.ManageProcess, "rounds": parley.ManageRounds, "groups": parley.ManageGroups}[what]
	return parley.AllowedProcess(p.Actor, act, p.Nav.Process.ID, "")
}

// Accounts lists every account, for the operator's forms; others get none.
func (p *page) Accounts() []parley.Account {
	if !p.Operator() {
		return nil
	}
	accs, err := p.s.db.Accounts(p.req.Context())
	if err != nil {
		p.s.log.ErrorContext(p.req.Context(), "list accounts", "err", err)
	}
	return accs
}
