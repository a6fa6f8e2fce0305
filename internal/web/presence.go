package web

import (
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/parley-talks/parley"
)

// Who is editing which clause of a memorandum, shown live. This is passing
// state, not negotiation data: it is kept in the memory of the instance the
// editors reach, never in the record, and forgotten after a minute without
// news. (With several instances, each shows the editors it serves.)

// presenceFor is how long an editor counts as editing without news; the
// page repeats its news every 20 seconds while an edit form is open.
const presenceFor = time.Minute

type editing struct {
	Name     string
	ClauseID string
	Lang     parley.Lang
	until    time.Time
}

// presenceBoard holds who edits what, by memorandum and account.
type presenceBoard struct {
	mu sync.Mutex
	m  map[string]map[string]editing
}

func (b *presenceBoard) set(memo, account string, e editing) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string]map[string]editing{}
	}
	if b.m[memo] == nil {
		b.m[memo] = map[string]editing{}
	}
	if e.ClauseID == "" {
		delete(b.m[memo], account)
		return
	}
	b.m[memo][account] = e
}

// clear forgets that account edits in memo, and reports whether it did.
func (b *presenceBoard) clear(memo, account string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[memo][account]; !ok {
		return false
	}
	delete(b.m[memo], account)
	return true
}

func (b *presenceBoard) list(memo string, now time.Time) []editing {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []editing
	for acc, e := range b.m[memo] {
		if now.After(e.until) {
			delete(b.m[memo], acc)
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// presenceChanged tells the readers of a memorandum's space that who is
// editing changed. It is published to the live streams only.
type presenceChanged struct {
	MemoID string `json:"memo_id"`
}

func (*presenceChanged) EventType() string { return "memo.presence" }

// memoEditing records that the reader started (clause set) or stopped
// (clause empty) editing a clause of the memorandum.
func (s *Server) memoEditing(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	m, items, err := s.db.Memo(ctx, a, r.PathValue("memo"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	sp, err := s.db.Space(ctx, a, m.SpaceID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !parley.Allowed(a, parley.ActDraft, sp) {
		s.apiError(w, r, parley.Errorf(parley.EFORBIDDEN, "You are not allowed to do this."))
		return
	}
	clause, lang := r.PostForm.Get("clause"), parley.Lang(r.PostForm.Get("lang"))
	if clause != "" {
		found := false
		for _, c := range items {
			found = found || c.ID == clause
		}
		if _, ok := parley.ParseLang(string(lang)); !found || !ok {
			s.apiError(w, r, &parley.Error{Code: parley.EINVALID, Message: "The input is not valid.", Fields: map[string]string{"clause": "must be a clause of this memorandum, with its language"}})
			return
		}
	}
	s.presence.set(m.ID, a.AccountID, editing{Name: a.Name, ClauseID: clause, Lang: lang, until: s.now().Add(presenceFor)})
	s.hub.Publish([]parley.Event{{At: s.now(), Actor: a.AccountID, Scope: parley.SpaceScope(sp), Data: &presenceChanged{MemoID: m.ID}}})
	w.WriteHeader(http.StatusNoContent)
}

// editSaved forgets that a stopped editing memo once their text is saved
// (evs, the recorded change, say where to tell it). The page tells it too,
// as it goes, but the page that answers the save must not find its reader
// still editing because that news is late.
func (s *Server) editSaved(a parley.Actor, memo string, evs []parley.Event) {
	if len(evs) == 0 || !s.presence.clear(memo, a.AccountID) {
		return
	}
	s.hub.Publish([]parley.Event{{At: s.now(), Actor: a.AccountID, Scope: evs[0].Scope, Data: &presenceChanged{MemoID: memo}}})
}

// memoPresence is the fragment that says who is editing what now.
func (s *Server) memoPresence(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "memo.title")
	m, items, err := s.db.Memo(r.Context(), p.Actor, r.PathValue("memo"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	numbers := map[string]string{}
	for _, c := range items {
		numbers[c.ID] = c.Number
	}
	type row struct {
		Name, Number string
		Lang         parley.Lang
	}
	var rows []row
	for _, e := range s.presence.list(m.ID, s.now()) {
		if n, ok := numbers[e.ClauseID]; ok {
			rows = append(rows, row{Name: e.Name, Number: n, Lang: e.Lang})
		}
	}
	p.Data = rows
	s.renderFragment(w, r, "memo.html", "memo-presence", p)
}
