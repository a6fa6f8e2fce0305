package web

import (
	"html/template"
	"strings"
	"sync/atomic"
)

// UseChromium makes the PDF of a memorandum use the browser at path, for a
// test; it returns the function that puts the default back.
func UseChromium(path string) (restore func()) {
	old := chromium
	chromium = path
	return func() { chromium = old }
}

// CompareClauses makes s write the sections and clauses of every
// memorandum page twice, in Go as it serves them and with the template
// memo-clause, and call differ with each that the two write differently.
// compared reports how many were compared.
func (s *Server) CompareClauses(differ func(clause, byGo, byTemplate string)) (compared func() int) {
	var n atomic.Int64
	t := s.pages.byName["memo.html"]
	t.Funcs(template.FuncMap{"clauses": func(p *page) ([]template.HTML, error) {
		mp := p.Data.(*memoPage)
		for i := range mp.Items {
			c := &mp.Items[i]
			if formOpen(c) { // the template writes it either way
				continue
			}
			// Both for a reader who can sign formal acts with a passkey
			// and for one who cannot.
			canSign := p.CanSign
			for _, sign := range []bool{canSign, !canSign} {
				p.CanSign = sign
				var byGo, byTemplate strings.Builder
				if err := newClauseWriter(&byGo, p, mp).item(c); err != nil {
					return nil, err
				}
				if err := t.ExecuteTemplate(&byTemplate, "memo-clause", pv{p, *c}); err != nil {
					return nil, err
				}
				n.Add(1)
				if byGo.String() != byTemplate.String() {
					differ(c.ID, byGo.String(), byTemplate.String())
				}
			}
			p.CanSign = canSign
		}
		return writeClauses(p)
	}})
	return func() int { return int(n.Load()) }
}
