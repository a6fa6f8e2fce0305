package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
)

// FuzzClauseWriter holds the Go that writes a memorandum's clauses to the
// template memo-clause, byte for byte, with any text in every field the
// two write — identifiers, numbers, the view, languages, statuses,
// names, titles, texts — and each of the clause's parts there or not:
// what the demo's memoranda never show (identifiers that need escaping
// in an address, a link to a proposal, an alternative adopted or
// accepted by all, a version out of date in a section).
// TestMemoClausesWrittenAsTemplate does the same on real memoranda.
func FuzzClauseWriter(f *testing.F) {
	for i, s := range []string{
		"",
		"plain",
		`He said "stop" & she said 'go' + 2 > 1 < 3; <b>not</b> &amp;`,
		`<script>alert("x")</script>`,
		"\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202ereversed\u202c \u200f",
		"[square] (round) {curly} [[double]]",
		"https://example.org/a?b=1&c=%3C2%3E#frag %zz %4",
		"a/b?c=d&e#f g+h;i:j@k!l$m*n,o=p[q]r'(s)~_-.",
		"nul\x00byte, invalid \xff\xfe utf-8",
		"line one\nline two",
	} {
		f.Add(s, "1.2", s, "side", int64(i*1000+7), uint32(i)*0x9e3779b9)
		f.Add("c-"+s, s, "text", s, int64(-i), ^uint32(i)*0x85ebca6b)
		f.Add(s, s, s, s, int64(i), ^uint32(0)>>(i%4))
	}
	s := newBareServer(f)
	t := s.pages.byName["memo.html"]
	f.Fuzz(func(tt *testing.T, id, number, text, view string, seq int64, flags uint32) {
		bit := func(i int) bool { return flags&(1<<i) != 0 }
		lang := parley.Langs[flags>>28%4]
		p := &page{s: s, Lang: lang}
		mp := &memoPage{Memo: parley.Memorandum{ID: "m" + id}, View: view, Shown: []parley.Lang{parley.English, parley.Lang(text)}}
		mp.Cols = len(mp.Shown)
		p.Data = mp
		vs := newClauseViews(mp, p)
		party := parley.Party{Names: parley.Names{lang: text}}
		c := clauseView{ID: id, Number: number, Section: bit(0), Status: parley.ClauseStatus(text), StatusLabel: text,
			Tabled: bit(1), Version: int(seq), Agree: bit(2), Initial: bit(3)}
		if bit(4) {
			c.AgreedBy, c.InitBy = text, number
		}
		if bit(5) {
			c.Acts = []clauseAct{{Seq: seq, Title: text}, {Seq: seq + 1, Title: id}}
		}
		if bit(6) {
			c.Links = []parley.ClauseLink{{ProposalID: id, Title: text}, {ThreadID: text, Title: number}}
		}
		if bit(7) {
			c.LinkForm = vs.formLink(id, label{"link", text, text})
			c.TableForm = vs.formLink(id, label{"table", number, number})
		}
		for i, l := range mp.Shown {
			v := versionView{Lang: l, Name: text, Text: text, Stale: bit(8 + i), Confirm: bit(10 + i), SignOff: bit(12 + i)}
			if bit(14 + i) {
				v.Text = ""
			}
			v.HTML = formatText(v.Text)
			if bit(16) {
				v.SignedBy = number
			}
			if bit(17) {
				v.Edit = vs.formLink(id, label{"edit." + string(l), text, text})
			}
			if bit(18) {
				v.Alts = []altLine{{Lang: l, HTML: formatText(text), Mark: number}, {Lang: parley.Lang(id), LangName: text, HTML: template.HTML(text)}}
			}
			c.Versions = append(c.Versions, v)
		}
		if bit(19) {
			for i, kind := range []parley.BracketKind{parley.BracketContentious, parley.BracketKind(text)} {
				a := altView{ID: id, Letter: altLetter(i), Kind: kind, TabledBy: text, Accepted: bit(20 + i),
					Stances: []partyStance{{Party: party, Stance: parley.StanceAccepts}, {Party: party}, {Party: party, Stance: parley.Stance(text)}},
					Can:     map[string]bool{"accepts": bit(22), "reserves": bit(23), "rejects": bit(22), "awaiting": bit(24), "adopt": bit(25 + i), "withdraw": bit(27)}}
				c.Alts = append(c.Alts, a)
			}
		}
		mp.Items = []clauseView{c}

		var byGo, byTemplate strings.Builder
		if err := newClauseWriter(&byGo, p, mp).item(&c); err != nil {
			tt.Fatal(err)
		}
		if err := t.ExecuteTemplate(&byTemplate, "memo-clause", pv{p, c}); err != nil {
			tt.Fatal(err)
		}
		if g, w := byGo.String(), byTemplate.String(); g != w {
			i := 0
			for i < len(g) && i < len(w) && g[i] == w[i] {
				i++
			}
			from := max(i-100, 0)
			tt.Errorf("Go and the template part at byte %d:\nGo:       %q\ntemplate: %q", i, g[from:min(i+100, len(g))], w[from:min(i+100, len(w))])
		}
	})
}

// newBareServer is a server with its messages and templates only.
func newBareServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{}
	var err error
	if s.i18n, err = loadCatalog(); err != nil {
		tb.Fatal(err)
	}
	if s.pages, err = loadPages(); err != nil {
		tb.Fatal(err)
	}
	return s
}

// TestPlaceLabels: the places a new clause may go are labelled, in every
// language, as the message translated with each place's number.
func TestPlaceLabels(t *testing.T) {
	s := newBareServer(t)
	items := []parley.Clause{
		{ID: "s1", Kind: parley.KindSection, Number: "1"},
		{ID: "c1", ParentID: "s1", Kind: parley.KindClause, Number: "1.1"},
		{ID: "c2", ParentID: "s1", Kind: parley.KindClause, Number: `1.2 <"&'+>`, Position: 1},
		{ID: "c3", Kind: parley.KindClause, Number: "{{.Number}} $1 \\ %s", Position: 1},
	}
	for _, l := range parley.Langs {
		p := &page{s: s, Lang: l}
		want := []string{p.T("memo.place_start"), p.T("memo.place_section_start", "Number", "1")}
		for _, n := range []string{"1.1", `1.2 <"&'+>`, "1", "{{.Number}} $1 \\ %s"} {
			want = append(want, s.i18n.translate(l, "memo.place_after", "Number", n))
		}
		got := places(items, p)
		if len(got) != len(want) {
			t.Fatalf("%s: %d places, want %d", l, len(got), len(want))
		}
		for i := range got {
			if got[i].Label != want[i] {
				t.Errorf("%s: place %d is %q, want %q", l, i, got[i].Label, want[i])
			}
		}
	}
}
