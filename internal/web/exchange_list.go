package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/roster"
	"github.com/parley-talks/parley/internal/store"
)

// The lists of an exchange on its page: each side imports its lists from
// a file, sees the validation report, and chooses to import the whole file
// or only its valid rows. Between the report and the choice the server
// keeps nothing: the report's form carries the checked rows sealed with
// the data key, bound to the user and the exchange, for an hour. Every
// view and export of a list is recorded in the access log before the list
// is shown.

// MaxListFile is the largest list file the server takes.
const MaxListFile = 20 << 20

// maxReportErrors bounds the errors a report shows.
const maxReportErrors = 300

// draftTTL is how long a checked file waits for the user's choice.
const draftTTL = time.Hour

// listsView is the lists part of an exchange's page.
type listsView struct {
	Side       string // the reader's side, "" when the reader is no side's delegate
	Counts     map[string]map[parley.ListKind]int
	Imports    []store.ListImport
	Tallies    map[string]store.PairTally
	Report     *importReport
	CanRun     bool // may run the engine: a side or the mediator
	CanReadLog bool
}

// Count returns the size of party's list.
func (lv *listsView) Count(party string, list parley.ListKind) int { return lv.Counts[party][list] }

// importReport is what a checked file holds, before the user chooses.
type importReport struct {
	File, Format string
	List         parley.ListKind
	Rows         int
	Valid        int
	Invalid      int
	Errors       []roster.CellError
	More         int // errors not shown
	Ignored      []roster.Column
	Draft        string // the checked rows, sealed
}

// importDraft is what the report's form carries, sealed.
type importDraft struct {
	Exchange string          `json:"exchange"`
	Actor    string          `json:"actor"`
	List     parley.ListKind `json:"list"`
	File     string          `json:"file"`
	Format   string          `json:"format"`
	SHA256   string          `json:"sha256"`
	Rows     int             `json:"rows"`
	Persons  []parley.Person `json:"persons"`
	Invalid  []int           `json:"invalid"`
	Expires  time.Time       `json:"expires"`
}

func draftAAD(actor, exchange string) []byte {
	return []byte("parley/import-draft\x00" + actor + "\x00" + exchange)
}

// sealDraft gives the browser d, which it cannot read or change.
func (s *Server) sealDraft(d importDraft) (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		return "", err
	}
	sealed, err := s.db.SealValue(z.Bytes(), draftAAD(d.Actor, d.Exchange))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// openDraft opens what sealDraft gave a for exchange.
func (s *Server) openDraft(a parley.Actor, exchange, text string, now time.Time) (importDraft, error) {
	var d importDraft
	expired := parley.Errorf(parley.EINVALID, "The checked file is no longer at hand: check it again.")
	sealed, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil {
		return d, expired
	}
	z, err := s.db.OpenValue(sealed, draftAAD(a.AccountID, exchange))
	if err != nil {
		if errors.Is(err, store.ErrNoDataKey) {
			return d, err
		}
		return d, expired
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return d, expired
	}
	b, err := io.ReadAll(io.LimitReader(zr, 256<<20))
	if err != nil || json.Unmarshal(b, &d) != nil || d.Actor != a.AccountID || d.Exchange != exchange || now.After(d.Expires) {
		return importDraft{}, expired
	}
	return d, nil
}

// loadLists fills the lists part of an exchange's page.
func (s *Server) loadLists(ctx context.Context, p *page, xp *exchangePage) error {
	x := xp.X
	lv := &listsView{Side: parley.ListSide(p.Actor, x, xp.Space.Space), Counts: map[string]map[parley.ListKind]int{}}
	lv.CanRun = lv.Side != "" || parley.Mediates(p.Actor, xp.Space.Space)
	lv.CanReadLog = parley.MayReadAccessLog(p.Actor, x.ProcessID)
	counts, err := s.db.ListCounts(ctx, p.Actor, x.ID)
	if err != nil {
		return err
	}
	for _, c := range counts {
		if lv.Counts[c.PartyID] == nil {
			lv.Counts[c.PartyID] = map[parley.ListKind]int{}
		}
		lv.Counts[c.PartyID][c.List] += c.Count
	}
	if lv.Imports, err = s.db.ListImports(ctx, p.Actor, x.ID); err != nil {
		return err
	}
	if lv.Tallies, err = s.db.PairTallies(ctx, p.Actor, x.ID); err != nil {
		return err
	}
	xp.Lists = lv
	return nil
}

// importList takes a list file: with a file it checks it and shows the
// report; with the report's draft and the user's choice it imports.
func (s *Server) importList(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	id := r.PathValue("exchange")
	if err := r.ParseMultipartForm(1 << 20); errors.Is(err, http.ErrNotMultipart) {
		r.ParseForm() // a form that cannot be read is an empty one: the fields are then missing
	} else if err != nil {
		s.importFailed(w, r, nil, parley.Errorf(parley.EINVALID, "The file could not be read, or it is larger than %d MiB.", MaxListFile>>20), "file")
		return
	}
	f := r.Form
	if r.MultipartForm != nil {
		f = url.Values(r.MultipartForm.Value)
	}
	// Who may not import learns so before anything is read.
	if err := s.mayImport(ctx, a, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if draft := f.Get("draft"); draft != "" {
		d, err := s.openDraft(a, id, draft, time.Now())
		if err != nil {
			s.importFailed(w, r, f, err, "file")
			return
		}
		if _, err := s.svc.Do(ctx, a, d.command(id, parley.ImportMode(f.Get("mode")))); err != nil {
			s.importFailed(w, r, f, err, "file")
			return
		}
		s.sessions.Put(ctx, sessFlash, "flash.imported")
		http.Redirect(w, r, "/exchanges/"+id+"#lists", http.StatusSeeOther)
		return
	}
	list := parley.ListKind(f.Get("list"))
	if !list.Valid() {
		s.importFailed(w, r, f, fieldInvalid("list", "choose a list"), "list")
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		s.importFailed(w, r, f, fieldInvalid("file", "choose a CSV or XLSX file"), "file")
		return
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, MaxListFile+1))
	if err != nil {
		s.importFailed(w, r, f, fieldInvalid("file", fmt.Sprintf("is larger than %d MiB", MaxListFile>>20)), "file")
		return
	}
	rep, d, err := checkListFile(list, hdr.Filename, raw)
	if err != nil {
		s.importFailed(w, r, f, err, "file")
		return
	}
	d.Exchange, d.Actor, d.Expires = id, a.AccountID, time.Now().Add(draftTTL)
	if rep.Draft, err = s.sealDraft(d); err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "agreement.title")
	xp, err := s.loadExchange(ctx, p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	xp.Lists.Report = rep
	p.Data = xp
	s.render(w, r, http.StatusOK, "exchange.html", p)
}

// mayImport checks that a enters people in the lists of exchange id: only
// the delegations of its two sides do. Who may not learns so before
// anything of a file is read.
func (s *Server) mayImport(ctx context.Context, a parley.Actor, id string) error {
	x, err := s.db.Exchange(ctx, a, id)
	if err != nil {
		return err
	}
	xs, err := s.db.Space(ctx, a, x.SpaceID)
	if err != nil {
		return err
	}
	if parley.ListSide(a, x, xs) == "" {
		return parley.Errorf(parley.EFORBIDDEN, "Only the delegations of the exchange's two sides enter people in their lists.")
	}
	return nil
}

// checkListFile reads a list file named name for list: the report the
// user sees, and the draft of its import (the valid rows, the numbers of
// the others and the file's SHA-256), without its exchange, actor and
// expiry. The format comes from the name.
func checkListFile(list parley.ListKind, name string, raw []byte) (*importReport, importDraft, error) {
	format, ok := roster.FormatOf(name)
	if !ok {
		return nil, importDraft{}, fieldInvalid("file", "must be a .csv or .xlsx file")
	}
	if len(raw) > MaxListFile {
		return nil, importDraft{}, fieldInvalid("file", fmt.Sprintf("is larger than %d MiB", MaxListFile>>20))
	}
	im, err := roster.Read(bytes.NewReader(raw), format, name)
	if err != nil {
		return nil, importDraft{}, fieldInvalid("file", parley.ErrorMessage(err))
	}
	sum := sha256.Sum256(raw)
	valid := im.Valid()
	rep := &importReport{File: name, Format: string(format), List: list, Rows: len(im.Rows), Valid: len(valid), Invalid: im.Invalid(), Ignored: im.Ignored}
	errs := im.Errors()
	if len(errs) > maxReportErrors {
		rep.More, errs = len(errs)-maxReportErrors, errs[:maxReportErrors]
	}
	rep.Errors = errs
	var invalid []int
	for _, row := range im.Rows {
		if len(row.Errors) > 0 {
			invalid = append(invalid, row.Row)
		}
	}
	d := importDraft{List: list, File: name, Format: string(format), SHA256: hex.EncodeToString(sum[:]), Rows: len(im.Rows), Persons: valid, Invalid: invalid}
	return rep, d, nil
}

// command is the import of d's rows into exchange id's list, in mode.
func (d importDraft) command(id string, mode parley.ImportMode) parley.ImportPersons {
	return parley.ImportPersons{ExchangeID: id, List: d.List, Mode: mode, File: d.File, Format: d.Format,
		SHA256: d.SHA256, Rows: d.Rows, Persons: d.Persons, Invalid: d.Invalid}
}

// fieldInvalid is the error of one bad field.
func fieldInvalid(field, msg string) error {
	var v parley.Invalid
	v.Add(field, msg)
	return v.Err()
}

// importFailed shows the exchange's page again with err next to field of
// the import form.
func (s *Server) importFailed(w http.ResponseWriter, r *http.Request, f url.Values, err error, field string) {
	code := parley.ErrorCode(err)
	if code != parley.EINVALID && code != parley.ECONFLICT {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "agreement.title")
	p.Form, p.Errors = f, fields(err)
	if len(p.Errors) == 0 || (len(p.Errors) == 1 && p.Errors[""] != "") {
		p.Errors[field] = parley.ErrorMessage(err)
	}
	p.Errors["act"] = "import"
	xp, lerr := s.loadExchange(r.Context(), p, r.PathValue("exchange"))
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	p.Data = xp
	s.render(w, r, status(code), "exchange.html", p)
}

// listPage is one side's list.
type listPage struct {
	*processView
	X       parley.Exchange
	Group   groupView
	PartyID string
	List    parley.ListKind
	Persons []parley.ListedPerson
	Names   map[string]string // category code → name
}

// readList reads party's list of exchange id, after checking the
// exchange, the side and the list, and records the access before
// returning it.
func (s *Server) readList(ctx context.Context, a parley.Actor, id, party string, list parley.ListKind, access parley.Access, format string) (parley.Exchange, []parley.ListedPerson, error) {
	x, err := s.db.Exchange(ctx, a, id)
	if err != nil {
		return x, nil, err
	}
	if !slices.Contains(x.Parties, party) || !list.Valid() {
		return x, nil, parley.Errorf(parley.ENOTFOUND, "No such list.")
	}
	ps, err := s.db.ListPersons(ctx, a, id, party, list)
	if err != nil {
		return x, nil, err
	}
	if _, err := s.svc.Do(ctx, a, parley.LogAccess{ExchangeID: id, PartyID: party, List: list, Access: access, Format: format, Count: len(ps)}); err != nil {
		return x, nil, err
	}
	return x, ps, nil
}

func (s *Server) exchangeListPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	party, list := r.PathValue("party"), parley.ListKind(r.PathValue("list"))
	x, ps, err := s.readList(ctx, a, r.PathValue("exchange"), party, list, parley.AccessView, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.page(r, "lists.title")
	v, g, _, err := s.loadGroupSpace(ctx, p, x.GroupID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lp := listPage{processView: v, X: x, Group: g, PartyID: party, List: list, Persons: ps, Names: map[string]string{}}
	for _, c := range x.Terms.Categories {
		lp.Names[c.Code] = c.Name
	}
	p.Data = lp
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "exchange-list.html", p)
}

// exchangeListExport writes a list as CSV, XLSX or HXL-tagged CSV.
func (s *Server) exchangeListExport(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	format := r.PathValue("format")
	if format != "csv" && format != "xlsx" && format != "hxl" {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such format."))
		return
	}
	party, list := r.PathValue("party"), parley.ListKind(r.PathValue("list"))
	x, ps, err := s.readList(r.Context(), a, r.PathValue("exchange"), party, list, parley.AccessExport, format)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lf, err := writeListFile(x, party, list, ps, format)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", lf.ContentType)
	w.Header().Set("Content-Disposition", lf.Disposition())
	w.Header().Set("Cache-Control", "no-store")
	w.Write(lf.Content)
}

// listFile is a list written as a file.
type listFile struct {
	Name, ContentType string
	Content           []byte
}

// Disposition is the Content-Disposition that saves f under its name.
func (f listFile) Disposition() string { return `attachment; filename="` + f.Name + `"` }

// The content type of each export format.
const (
	csvType  = "text/csv; charset=utf-8"
	xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// writeListFile writes party's list of x as format: csv, hxl (CSV with
// HXL hashtags) or xlsx.
func writeListFile(x parley.Exchange, party string, list parley.ListKind, ps []parley.ListedPerson, format string) (listFile, error) {
	persons := make([]parley.Person, len(ps))
	for i, p := range ps {
		persons[i] = p.Person
	}
	var buf bytes.Buffer
	var err error
	ext, ctype := format, csvType
	switch format {
	case "csv":
		err = roster.WriteCSV(&buf, persons)
	case "hxl":
		err, ext = roster.WriteHXL(&buf, persons), "hxl.csv"
	case "xlsx":
		err, ctype = roster.WriteXLSX(&buf, persons), xlsxType
	default:
		return listFile{}, parley.Errorf(parley.ENOTFOUND, "No such format.")
	}
	if err != nil {
		return listFile{}, err
	}
	return listFile{Name: fmt.Sprintf("exchange-%s-%s-%s.%s", x.ID, party, list, ext), ContentType: ctype, Content: buf.Bytes()}, nil
}

// pairsPage is the review of the pairs between one side's asked list and
// the other side's held list.
type pairsPage struct {
	*processView
	X        parley.Exchange
	Group    groupView
	Asking   string
	Holding  string
	Side     string        // the reader's side, "" if none
	Review   []parley.Pair // the page's part of the pairs awaiting an answer
	Settled  []parley.Pair // the page's part of the pairs confirmed or disputed
	Unknown  []parley.ListedPerson
	Asked    map[string]parley.ListedPerson
	Held     map[string]parley.ListedPerson
	Names    map[string]string // category code → name
	CanRun   bool
	HasPairs bool

	// A list of 1,200 asks for as many pairs: the page shows the pairs of
	// one kind, or of both, pairsPerPage at a time.
	Kind        parley.PairKind // "" for both
	Open        map[string]int  // pairs awaiting an answer, by kind
	ReviewPage  pager
	SettledPage pager
}

// pairsPerPage is how many pairs of each part a page of pairs shows.
const pairsPerPage = 50

// pager is one page of a longer list.
type pager struct {
	Page, Pages, Total int
	From, To           int // the items shown, from 1
}

// paginate returns the items of page (from 1; one out of range is taken
// as the nearest) and its pager.
func paginate[T any](items []T, page, per int) ([]T, pager) {
	pg := pager{Total: len(items), Pages: max(1, (len(items)+per-1)/per)}
	pg.Page = min(max(page, 1), pg.Pages)
	lo, hi := (pg.Page-1)*per, min(pg.Page*per, len(items))
	if lo >= hi {
		return nil, pg
	}
	pg.From, pg.To = lo+1, hi
	return items[lo:hi], pg
}

// PageURL is the address of the page showing the review's page review
// and the settled pairs' page settled, of the kind shown.
func (pp *pairsPage) PageURL(kind parley.PairKind, review, settled int) string {
	return pairsURL(pp.X.ID, pp.Asking, kind, review, settled)
}

// pairsURL is the address of a page of the pairs of asking's list.
func pairsURL(exchange, asking string, kind parley.PairKind, review, settled int) string {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", string(kind))
	}
	if review > 1 {
		q.Set("page", strconv.Itoa(review))
	}
	if settled > 1 {
		q.Set("settled", strconv.Itoa(settled))
	}
	u := "/exchanges/" + exchange + "/pairs/" + asking
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// AnswerOf returns party's answer on pair p.
func (pp *pairsPage) AnswerOf(p parley.Pair, party string) *parley.PairAnswer {
	if a, ok := p.Answer(party); ok {
		return &a
	}
	return nil
}

// AnswerAct is the act name of the answer form of pair id.
func (pp *pairsPage) AnswerAct(id string) string { return "answer:" + id }

func (s *Server) exchangePairsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	s.showPairs(w, r, s.page(r, "pairs.title"), r.PathValue("exchange"), r.PathValue("party"), http.StatusOK)
}

// pairsRead is what the review of the pairs between asking's asked list
// and the other side's held list shows.
type pairsRead struct {
	X       parley.Exchange
	Holding string
	Pairs   []parley.Pair
	Unknown []string // asked people with no candidate
	Asked   []parley.ListedPerson
	Held    []parley.ListedPerson
}

// readPairs reads the pairs of asking's asked list of exchange id with
// the two lists they pair, and records the views of both lists before
// returning them.
func (s *Server) readPairs(ctx context.Context, a parley.Actor, id, asking string) (pairsRead, error) {
	var pr pairsRead
	x, err := s.db.Exchange(ctx, a, id)
	if err != nil {
		return pr, err
	}
	pr.X, pr.Holding = x, parley.OtherSide(x, asking)
	if pr.Holding == "" {
		return pr, parley.Errorf(parley.ENOTFOUND, "No such list.")
	}
	if pr.Pairs, pr.Unknown, err = s.db.Pairs(ctx, a, id, asking); err != nil {
		return pr, err
	}
	if pr.Asked, err = s.db.ListPersons(ctx, a, id, asking, parley.ListAsked); err != nil {
		return pr, err
	}
	if pr.Held, err = s.db.ListPersons(ctx, a, id, pr.Holding, parley.ListHeld); err != nil {
		return pr, err
	}
	for _, l := range []parley.LogAccess{
		{ExchangeID: id, PartyID: asking, List: parley.ListAsked, Access: parley.AccessView, Count: len(pr.Asked)},
		{ExchangeID: id, PartyID: pr.Holding, List: parley.ListHeld, Access: parley.AccessView, Count: len(pr.Held)},
	} {
		if _, err := s.svc.Do(ctx, a, l); err != nil {
			return pr, err
		}
	}
	return pr, nil
}

func (s *Server) showPairs(w http.ResponseWriter, r *http.Request, p *page, id, asking string, status int) {
	ctx := r.Context()
	a := p.Actor
	pr, err := s.readPairs(ctx, a, id, asking)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	x, holding, pairs, unknown, asked, held := pr.X, pr.Holding, pr.Pairs, pr.Unknown, pr.Asked, pr.Held
	v, g, sp, err := s.loadGroupSpace(ctx, p, x.GroupID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pp := &pairsPage{processView: v, X: x, Group: g, Asking: asking, Holding: holding, Side: parley.ListSide(a, x, sp.Space),
		Asked: map[string]parley.ListedPerson{}, Held: map[string]parley.ListedPerson{}, Names: map[string]string{}, HasPairs: len(pairs) > 0}
	pp.CanRun = pp.Side != "" || parley.Mediates(a, sp.Space)
	for _, c := range x.Terms.Categories {
		pp.Names[c.Code] = c.Name
	}
	for _, q := range asked {
		pp.Asked[q.ID] = q
	}
	for _, q := range held {
		pp.Held[q.ID] = q
	}
	for _, q := range pairs {
		if q.Status() == parley.PairOpen {
			pp.Review = append(pp.Review, q)
		} else {
			pp.Settled = append(pp.Settled, q)
		}
	}
	// Matches first, then the possible pairs, best first.
	slices.SortStableFunc(pp.Review, func(a, b parley.Pair) int {
		if a.Kind != b.Kind {
			if a.Kind == parley.PairMatch {
				return -1
			}
			return 1
		}
		return 0
	})
	// The page: a kind or both, a page of each part. An answer's form
	// carries them, to come back to the same page.
	pp.Open = map[string]int{}
	for _, q := range pp.Review {
		pp.Open[string(q.Kind)]++
	}
	if k := parley.PairKind(r.FormValue("kind")); k == parley.PairMatch || k == parley.PairPossible {
		pp.Kind = k
		pp.Review = slices.DeleteFunc(pp.Review, func(q parley.Pair) bool { return q.Kind != k })
		pp.Settled = slices.DeleteFunc(pp.Settled, func(q parley.Pair) bool { return q.Kind != k })
	}
	pageNumber := func(name string) int { n, _ := strconv.Atoi(r.FormValue(name)); return n }
	pp.Review, pp.ReviewPage = paginate(pp.Review, pageNumber("page"), pairsPerPage)
	pp.Settled, pp.SettledPage = paginate(pp.Settled, pageNumber("settled"), pairsPerPage)
	for _, u := range unknown {
		if q, ok := pp.Asked[u]; ok {
			pp.Unknown = append(pp.Unknown, q)
		}
	}
	p.Data = pp
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "exchange-pairs.html", p)
}

// reconcileLists runs the engine over one side's asked list and the other
// side's held list.
func (s *Server) reconcileLists(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id, asking := r.PathValue("exchange"), r.PostForm.Get("asking_party")
	if _, err := s.svc.Reconcile(r.Context(), a, id, asking); err != nil {
		if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
			p := s.page(r, "agreement.title")
			p.Errors = fields(err)
			p.Errors["act"] = "reconcile"
			p.Errors["reconcile"] = parley.ErrorMessage(err)
			s.showExchangeWithLists(w, r, p, status(code))
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/exchanges/"+id+"/pairs/"+asking, http.StatusSeeOther)
}

// answerPair records a side's answer on a pair.
func (s *Server) answerPair(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	pair, err := s.db.Pair(ctx, a, r.PathValue("pair"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cmd := parley.AnswerPair{PairID: pair.ID, Confirmed: r.PostForm.Get("answer") == "confirm", Reason: r.PostForm.Get("reason")}
	if _, err := s.svc.Do(ctx, a, cmd); err != nil {
		if code := parley.ErrorCode(err); code == parley.EINVALID || code == parley.ECONFLICT {
			p := s.page(r, "pairs.title")
			p.Form, p.Errors = r.PostForm, fields(err)
			p.Errors["act"] = "answer:" + pair.ID
			if len(p.Errors) == 1 {
				p.Errors["reason"] = parley.ErrorMessage(err)
			}
			s.showPairs(w, r, p, pair.ExchangeID, pair.AskingParty, status(code))
			return
		}
		s.fail(w, r, err)
		return
	}
	review, _ := strconv.Atoi(r.PostForm.Get("page"))
	settled, _ := strconv.Atoi(r.PostForm.Get("settled"))
	back := pairsURL(pair.ExchangeID, pair.AskingParty, parley.PairKind(r.PostForm.Get("kind")), review, settled)
	http.Redirect(w, r, back+"#pair-"+pair.ID, http.StatusSeeOther)
}

// showExchangeWithLists shows an exchange's page with its lists part.
func (s *Server) showExchangeWithLists(w http.ResponseWriter, r *http.Request, p *page, status int) {
	xp, err := s.loadExchange(r.Context(), p, r.PathValue("exchange"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = xp
	s.render(w, r, status, "exchange.html", p)
}

// accessLogLines is how many of its newest lines the access log shows.
const accessLogLines = 1000

// accessLogPage is a process's access log of personal data.
type accessLogPage struct {
	*processView
	Lines     []store.AccessLine
	Exchanges map[string]string // ID → title
}

func (s *Server) accessLogPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p := s.page(r, "access_log.title")
	id := r.PathValue("process")
	lines, err := s.db.AccessLog(ctx, a, id, accessLogLines)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.loadProcess(ctx, a, id, p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.withNav(v)
	ap := accessLogPage{processView: v, Lines: lines, Exchanges: map[string]string{}}
	for _, l := range lines {
		if _, ok := ap.Exchanges[l.ExchangeID]; ok {
			continue
		}
		// The operator reads no content of a process: it sees the
		// exchange's identifier, not its title.
		if x, err := s.db.Exchange(ctx, a, l.ExchangeID); err == nil {
			ap.Exchanges[l.ExchangeID] = x.Terms.Title
		} else {
			ap.Exchanges[l.ExchangeID] = ""
		}
	}
	p.Data = ap
	s.render(w, r, http.StatusOK, "access-log.html", p)
}

// personField is one field of a person, for the comparison of a pair.
type personField struct {
	Key         string // message ID of the field's name
	Left, Right string
}

// Compare returns the fields of a pair's two people side by side.
func (pp *pairsPage) Compare(p parley.Pair) []personField {
	a, b := pp.Asked[p.AskedID].Person, pp.Held[p.HeldID].Person
	return []personField{
		{"person.family_name", a.FamilyName, b.FamilyName},
		{"person.given_name", a.GivenName, b.GivenName},
		{"person.patronymic", a.Patronymic, b.Patronymic},
		{"person.birth_date", a.BirthDate.String(), b.BirthDate.String()},
		{"person.rank", a.Rank, b.Rank},
		{"person.service_number", a.ServiceNumber, b.ServiceNumber},
		{"person.unit", a.Unit, b.Unit},
		{"person.latin", a.Latin, b.Latin},
		{"person.ref", a.Ref, b.Ref},
	}
}

// Same reports whether two written values agree ignoring case and spaces.
func (f personField) Same() bool {
	return f.Left != "" && strings.EqualFold(strings.TrimSpace(f.Left), strings.TrimSpace(f.Right))
}
