package web

import (
	"html/template"
	"strconv"
	"strings"
)

// A memorandum's sections and clauses are written here, in Go, as the
// template memo-clause (templates/memo.html) writes them, byte for byte.
// The template runs about 80 actions for each of a long memorandum's
// hundreds of clauses, and html/template finds every field and calls
// every function and escaper through reflection: for 500 clauses that
// was about 20 ms of a 45–58 ms page. The template stays the description
// of the markup, and writes a clause with a form unfolded (one on a page
// at most). TestMemoClausesWrittenAsTemplate holds every other clause of
// the demo's memoranda, and of one of awkward texts, to what the template
// writes, and FuzzClauseWriter does the same with any text in every
// field. A change to the markup is made in both places.

// writeClauses writes the sections and clauses of the memorandum page p,
// for the template's function "clauses", in pieces of about 32 KiB: the
// template copies each through a buffer of fmt's, which keeps buffers up
// to 64 KiB for the next, and lets a larger one go.
func writeClauses(p *page) ([]template.HTML, error) {
	mp := p.Data.(*memoPage)
	var out []template.HTML
	var b strings.Builder
	w := newClauseWriter(&b, p, mp)
	for i := range mp.Items {
		if b.Cap() == 0 {
			b.Grow(chunk + chunk/4)
		}
		if err := w.item(&mp.Items[i]); err != nil {
			return nil, err
		}
		if b.Len() >= chunk || i == len(mp.Items)-1 {
			out = append(out, template.HTML(b.String()))
			b = strings.Builder{}
		}
	}
	return out, nil
}

const chunk = 32 << 10

// clauseWriter writes the sections and clauses of one page.
type clauseWriter struct {
	b  *strings.Builder
	p  *page
	mp *memoPage
	// form is the start of every form's action, up to its act:
	// "/memos/<memo>/", and view the end of it, "?view=<view>", both
	// escaped as the template escapes them.
	form, view string
}

func newClauseWriter(b *strings.Builder, p *page, mp *memoPage) *clauseWriter {
	var x strings.Builder
	x.WriteString("/memos/")
	escapeURLAttr(&x, mp.Memo.ID, true)
	x.WriteString("/")
	form := x.String()
	x.Reset()
	x.WriteString("?view=")
	escapeURLAttr(&x, mp.View, false)
	return &clauseWriter{b: b, p: p, mp: mp, form: form, view: x.String()}
}

// item writes c: in Go, or with the template memo-clause when one of its
// forms is unfolded.
func (w *clauseWriter) item(c *clauseView) error {
	if formOpen(c) {
		return w.p.s.pages.byName["memo.html"].ExecuteTemplate(w.b, "memo-clause", pv{w.p, *c})
	}
	if c.Section {
		w.section(c)
	} else {
		w.clause(c)
	}
	return nil
}

// formOpen reports whether a form of c is unfolded: the template writes
// such a clause.
func formOpen(c *clauseView) bool {
	if c.Open != (openForm{}) {
		return true
	}
	for i := range c.Versions {
		if c.Versions[i].Editing {
			return true
		}
	}
	return false
}

func (w *clauseWriter) s(s string)    { w.b.WriteString(s) }
func (w *clauseWriter) esc(s string)  { escapeHTML(w.b, s) }
func (w *clauseWriter) t(id string)   { escapeHTML(w.b, w.p.T(id)) }
func (w *clauseWriter) html(s string) { w.b.WriteString(s) }

// action writes a form's opening tag up to its class: the act's address,
// with the page's view.
func (w *clauseWriter) action(act string) {
	w.s(`<form method="post" action="`)
	w.s(w.form)
	w.s(act)
	w.s(w.view)
	w.s(`" class="inline">`)
}

// formalAction is action for a formal act's form, which a passkey may sign
// (static/passkey.js looks for data-sign).
func (w *clauseWriter) formalAction(act string) {
	w.s(`<form method="post" action="`)
	w.s(w.form)
	w.s(act)
	w.s(w.view)
	w.s(`" class="inline" data-sign>`)
}

// signField writes what the template sign-field writes in a formal act's
// form: for a reader with a passkey, the box that signs the act with it.
func (w *clauseWriter) signField() {
	if !w.p.CanSign {
		return
	}
	w.s(`<label class="check sign-check"><input type="checkbox" name="sign" value="1" checked> `)
	w.t("passkey.sign_act")
	w.s(`</label><input type="hidden" name="passkey_assertion" value=""><p class="field-error" role="alert" data-passkey-error data-failed="`)
	w.t("passkey.js_failed")
	w.s(`" data-cancelled="`)
	w.t("passkey.js_cancelled")
	w.s(`" hidden></p>`)
}

// hidden writes a hidden field whose value is escaped.
func (w *clauseWriter) hidden(name, value string) {
	w.s(`<input type="hidden" name="`)
	w.s(name)
	w.s(`" value="`)
	w.esc(value)
	w.s(`">`)
}

func (w *clauseWriter) section(c *clauseView) {
	w.s("\n<section class=\"memo-section\" id=\"c-")
	w.esc(c.ID)
	w.s("\" role=\"listitem\" hx-target=\"this\" hx-swap=\"outerHTML\">\n<h2><span class=\"num\">")
	w.esc(c.Number)
	w.s(".</span>\n")
	for i := range c.Versions {
		v := &c.Versions[i]
		if i > 0 {
			w.s(` <span class="sep">/</span> `)
		}
		w.s(`<span lang="`)
		w.esc(string(v.Lang))
		w.s(`">`)
		if v.Text != "" {
			w.esc(v.Text)
		} else {
			w.s(`<em class="empty">`)
			w.t("memo.no_text")
			w.s(`</em>`)
		}
		w.s(`</span>`)
		if v.Stale {
			w.s(` <span class="stale-tag">`)
			w.t("memo.out_of_date")
			w.s(`</span>`)
		}
	}
	w.s("</h2>\n")
	w.versions(c)
	w.s("\n</section>\n")
}

func (w *clauseWriter) clause(c *clauseView) {
	w.s("\n<article class=\"clause clause-")
	w.esc(string(c.Status))
	w.s(`" id="c-`)
	w.esc(c.ID)
	w.s(`" role="listitem" aria-labelledby="n-`)
	w.esc(c.ID)
	w.s("\" hx-target=\"this\" hx-swap=\"outerHTML\">\n<header class=\"clause-head\">\n<span class=\"num\" id=\"n-")
	w.esc(c.ID)
	w.s(`">`)
	w.esc(c.Number)
	w.s("</span>\n<span class=\"status status-")
	w.esc(string(c.Status))
	w.s(`">`)
	w.esc(c.StatusLabel)
	w.s(`</span>`)
	if c.AgreedBy != "" {
		w.s("\n<span class=\"meta\">")
		w.t("memo.agreed_by")
		w.s(" ")
		w.esc(c.AgreedBy)
		w.s("</span>")
	}
	if c.InitBy != "" {
		w.s("\n<span class=\"meta\">· ")
		w.t("memo.initialled_by")
		w.s(" ")
		w.esc(c.InitBy)
		w.s("</span>")
	}
	for _, a := range c.Acts {
		seq := strconv.FormatInt(a.Seq, 10)
		w.s("\n<a class=\"meta record\" href=\"/record/")
		escapeURLAttr(w.b, seq, true)
		w.s(`" title="`)
		w.esc(a.Title)
		w.s(`">#`)
		w.esc(seq)
		w.s(`</a>`)
	}
	w.s("\n</header>")
	if len(c.Links) > 0 {
		w.s("\n<p class=\"meta links\">")
		w.t("memo.shaped_by")
		w.s(" ")
		for i, l := range c.Links {
			if i > 0 {
				w.s(" · ")
			}
			if l.ProposalID != "" {
				w.s(`<a href="/proposals/`)
				escapeURLAttr(w.b, l.ProposalID, true)
			} else {
				w.s(`<a href="/t/`)
				escapeURLAttr(w.b, l.ThreadID, true)
			}
			w.s(`">`)
			w.esc(l.Title)
			w.s(`</a>`)
		}
		w.s(`</p>`)
	}
	w.s("\n")
	w.versions(c)
	if len(c.Alts) > 0 {
		w.s("\n<ul class=\"alts\">\n")
		for i := range c.Alts {
			w.alt(c, &c.Alts[i])
		}
		w.s("\n</ul>")
	}
	w.s("\n<div class=\"act-row\">")
	if c.Agree {
		w.s("\n")
		w.action("agree")
		w.hidden("clause", c.ID)
		w.s(`<button type="submit" class="primary">`)
		w.t("memo.agree")
		w.s(`</button></form>`)
	}
	if c.Initial {
		w.s("\n")
		w.formalAction("initial")
		w.hidden("clause", c.ID)
		w.signField()
		w.s(`<button type="submit" class="primary">`)
		w.t("memo.initial_clause")
		w.s(`</button></form>`)
	}
	if c.LinkForm != nil {
		w.s("\n")
		c.LinkForm.write(w.b)
	}
	if c.TableForm != nil {
		w.s("\n")
		c.TableForm.write(w.b)
	}
	w.s("\n</div>\n</article>\n")
}

// stanceActs are the stances a party may take on an alternative, in the
// order of their buttons.
var stanceActs = [...]string{"accepts", "reserves", "rejects", "awaiting"}

func (w *clauseWriter) alt(c *clauseView, a *altView) {
	p := w.p
	w.s("<li class=\"alt\">\n  <p><strong>")
	w.esc(p.T("memo.alternative", "Letter", a.Letter))
	w.s(`</strong> <span class="tag kind-`)
	w.esc(string(a.Kind))
	w.s(`">`)
	w.t("memo.kind_" + string(a.Kind))
	w.s("</span>\n  <span class=\"meta\">")
	w.t("memo.tabled_by")
	w.s(" ")
	w.esc(a.TabledBy)
	w.s("</span></p>\n  <ul class=\"stances\">")
	for _, st := range a.Stances {
		w.s(`<li class="stance stance-`)
		if st.Stance != "" {
			w.esc(string(st.Stance))
		} else {
			w.s("none")
		}
		w.s(`">`)
		w.esc(st.Party.Names.In(p.Lang))
		w.s(": ")
		if st.Stance != "" {
			w.t("memo.stance_" + string(st.Stance))
		} else {
			w.t("memo.stance_none")
		}
		w.s("</li>")
	}
	w.s("</ul>\n  <div class=\"act-row\">\n  ")
	for _, st := range stanceActs {
		if a.Can[st] {
			w.action("stance")
			w.hidden("clause", c.ID)
			w.hidden("alternative", a.ID)
			w.s(`<input type="hidden" name="stance" value="`)
			w.s(st)
			w.s(`"><button type="submit">`)
			w.t("memo.take_" + st)
			w.s(`</button></form>`)
		}
	}
	w.s("\n  ")
	if a.Can["adopt"] {
		w.action("adopt")
		w.hidden("clause", c.ID)
		w.hidden("alternative", a.ID)
		w.s(`<button type="submit" class="primary">`)
		w.t("memo.adopt")
		w.s("</button></form>\n  ")
	} else if a.Accepted {
		w.s(`<span class="meta">`)
		w.t("memo.all_accept")
		w.s(`</span>`)
	}
	w.s("\n  ")
	if a.Can["withdraw"] {
		w.action("withdraw")
		w.hidden("clause", c.ID)
		w.hidden("alternative", a.ID)
		w.s(`<button type="submit" class="link danger">`)
		w.t("memo.withdraw")
		w.s(`</button></form>`)
	}
	w.s("\n  </div>\n</li>")
}

// versions writes c's versions, as the template memo-versions does for a
// clause whose edit form is folded.
func (w *clauseWriter) versions(c *clauseView) {
	w.s(`<div class="versions cols-`)
	w.s(strconv.Itoa(w.mp.Cols))
	w.s(`">`)
	for i := range c.Versions {
		v := &c.Versions[i]
		w.s("\n<div class=\"version\" lang=\"")
		w.esc(string(v.Lang))
		w.s("\">\n<p class=\"lang-tag\">")
		w.esc(v.Name)
		if v.Stale {
			w.s(` <span class="stale-tag">`)
			w.t("memo.out_of_date")
			w.s(`</span>`)
		}
		w.s("</p>")
		if !c.Section {
			w.s("\n<p class=\"clause-text\">")
			switch {
			case v.HTML == "":
				w.s(`<em class="empty">`)
				w.t("memo.no_text")
				w.s(`</em>`)
			case c.Tabled:
				w.s(`<span class="bracket">[</span>`)
				w.html(string(v.HTML))
				w.s(`<span class="bracket">]</span>`)
			default:
				w.html(string(v.HTML))
			}
			w.s("</p>")
			for _, a := range v.Alts {
				w.s("\n<p class=\"alt-text\" lang=\"")
				w.esc(string(a.Lang))
				w.s(`"><span class="bracket">/ [</span>`)
				w.html(string(a.HTML))
				w.s(`<span class="bracket">]</span>`)
				if a.LangName != "" {
					w.s(` <span class="tag">`)
					w.esc(a.LangName)
					w.s(`</span>`)
				}
				w.s(` <span class="alt-mark">`)
				w.esc(a.Mark)
				w.s(`</span></p>`)
			}
		}
		if v.Confirm {
			w.s("\n")
			w.action("confirm")
			w.hidden("clause", c.ID)
			w.hidden("lang", string(v.Lang))
			w.s(`<button type="submit">`)
			w.t("memo.confirm")
			w.s(`</button></form>`)
		}
		if v.SignedBy != "" {
			w.s("\n<p class=\"meta\">")
			w.t("memo.signed_off_by")
			w.s(" ")
			w.esc(v.SignedBy)
			w.s("</p>")
		}
		if v.SignOff {
			w.s("\n")
			w.action("signoff")
			w.hidden("clause", c.ID)
			w.hidden("lang", string(v.Lang))
			w.s(`<button type="submit" class="link">`)
			w.t("memo.sign_off")
			w.s(`</button></form>`)
		}
		if v.Edit != nil {
			w.s("\n")
			v.Edit.write(w.b)
		}
		w.s("\n</div>")
	}
	w.s("\n</div>\n")
}

// escapeHTML writes s escaped as html/template escapes a string in text
// and in a quoted attribute: its table of seven characters, and nothing
// else (template.HTMLEscapeString leaves "+" alone, html/template does
// not).
func escapeHTML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// escapeURLAttr writes s as html/template writes it in a quoted URL
// attribute: in the path (norm) its reserved characters are kept and
// valid escapes left alone; in the query every character but the
// unreserved is percent-encoded. What comes out is then escaped for the
// attribute.
func escapeURLAttr(b *strings.Builder, s string, norm bool) {
	var u strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			continue
		case strings.IndexByte("!#$&*+,/:;=?@[]", c) >= 0:
			if norm {
				continue
			}
		case c == '%':
			if norm && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]) {
				continue
			}
		}
		u.WriteString(s[written:i])
		u.WriteByte('%')
		u.WriteByte("0123456789abcdef"[c>>4])
		u.WriteByte("0123456789abcdef"[c&15])
		written = i + 1
	}
	if written == 0 {
		escapeHTML(b, s)
		return
	}
	u.WriteString(s[written:])
	escapeHTML(b, u.String())
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
