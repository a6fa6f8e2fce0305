package web

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-talks/parley"
)

// catalogue reads locales/<lang>.json as it is on disk: a message is a
// string, or a map of plural forms to strings.
func catalogue(t *testing.T, lang parley.Lang) map[string]any {
	t.Helper()
	data, err := fs.ReadFile(files, "locales/"+string(lang)+".json")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return c
}

// pluralForms are the CLDR plural categories each language needs for
// whole numbers and fractions.
var pluralForms = map[parley.Lang][]string{
	parley.English:   {"one", "other"},
	parley.Ukrainian: {"few", "many", "one", "other"},
	parley.Russian:   {"few", "many", "one", "other"},
	parley.Turkish:   {"one", "other"},
}

func TestCataloguesHaveTheKeysOfEnglish(t *testing.T) {
	en := catalogue(t, parley.English)
	for _, l := range parley.Langs {
		c := catalogue(t, l)
		for k := range en {
			if _, ok := c[k]; !ok {
				t.Errorf("%s.json lacks %q", l, k)
			}
		}
		for k := range c {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json has %q, which en.json does not", l, k)
			}
		}
	}
}

func TestPluralForms(t *testing.T) {
	en := catalogue(t, parley.English)
	for _, l := range parley.Langs {
		c := catalogue(t, l)
		for k, v := range c {
			_, plural := en[k].(map[string]any)
			forms, isMap := v.(map[string]any)
			switch {
			case plural && !isMap:
				t.Errorf("%s: %q is a plural message in English but a plain string here", l, k)
			case !plural && isMap:
				t.Errorf("%s: %q has plural forms but English has one string", l, k)
			case isMap:
				got := slices.Sorted(maps.Keys(forms))
				if !slices.Equal(got, pluralForms[l]) {
					t.Errorf("%s: %q has the forms %v, want %v", l, k, got, pluralForms[l])
				}
			}
		}
	}
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// texts returns every string of a message: itself, or each plural form.
func texts(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case map[string]any:
		var out []string
		for _, f := range slices.Sorted(maps.Keys(v)) {
			if s, ok := v[f].(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func TestPlaceholdersKept(t *testing.T) {
	en := catalogue(t, parley.English)
	for _, l := range parley.Langs {
		c := catalogue(t, l)
		for k, ev := range en {
			want := map[string]bool{}
			for _, s := range texts(ev) {
				for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
					want[m[1]] = true
				}
			}
			for _, s := range texts(c[k]) {
				for p := range want {
					if !strings.Contains(s, "{{."+p+"}}") {
						t.Errorf("%s: %q lacks {{.%s}}: %q", l, k, p, s)
					}
				}
				for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
					if !want[m[1]] {
						t.Errorf("%s: %q has {{.%s}}, which English does not give it: %q", l, k, m[1], s)
					}
				}
			}
		}
	}
}

// dynamicKeys lists, for each prefix a template joins with a value, the
// values it may be joined with. A template that builds a message ID from a
// prefix not listed here fails TestEveryMessageIDExists.
func dynamicKeys() map[string][]string {
	var langs, months, acts []string
	for _, l := range parley.Langs {
		langs = append(langs, string(l))
	}
	for m := 1; m <= 12; m++ {
		months = append(months, strconv.Itoa(100 + m)[1:])
	}
	for _, e := range []string{"drafted", "draft_edited", "submitted", "acknowledged", "clarification_asked",
		"clarification_answered", "countered", "accepted", "rejected", "withdrawn", "expired", "commented"} {
		acts = append(acts, "proposal."+e)
	}
	for a := range parley.FormalActs {
		if !slices.Contains(acts, a) {
			acts = append(acts, a)
		}
	}
	return map[string][]string{
		"lang.":        langs,
		"month.":       months,
		"error.":       vals(parley.EINVALID, parley.EUNAUTHORIZED, parley.EFORBIDDEN, parley.ENOTFOUND, parley.ECONFLICT, parley.EINTERNAL),
		"role.":        vals(parley.RoleHead, parley.RoleDelegate, parley.RoleMediator, parley.RoleObserver, "operator"),
		"party.":       vals(parley.PartyNegotiating, parley.PartyMediator, parley.PartyObserver),
		"group.":       vals(parley.GroupPolitical, parley.GroupMilitary, parley.GroupHumanitarian, parley.GroupOther),
		"space.about_": vals(parley.SpaceParty, parley.SpaceHeads, parley.SpaceGroup, parley.SpacePublic),
		"kind.": vals(parley.ProposalTruce, parley.ProposalExchange, parley.ProposalMeeting, parley.ProposalText,
			parley.ProposalProcedural, parley.ProposalOther),
		"status.": vals(parley.StatusDraft, parley.StatusSubmitted, parley.StatusConsidering, parley.StatusClarification,
			parley.StatusCountered, parley.StatusAccepted, parley.StatusRejected, parley.StatusWithdrawn, parley.StatusExpired),
		"proposal.closed_":  vals(parley.StatusCountered, parley.StatusAccepted, parley.StatusRejected, parley.StatusWithdrawn, parley.StatusExpired),
		"act.":              acts,
		"memo.kind_":        vals(parley.BracketWording, parley.BracketContentious, parley.BracketInstructions, parley.BracketTradeOff),
		"memo.stance_":      vals(parley.StanceAccepts, parley.StanceReserves, parley.StanceRejects, parley.StanceAwaiting),
		"memo.take_":        vals(parley.StanceAccepts, parley.StanceReserves, parley.StanceRejects, parley.StanceAwaiting),
		"memo.status_":      vals(parley.ClauseStatusBracketed, parley.ClauseStatusAgreed, parley.ClauseStatusInitialled),
		"statement.status_": {parley.StatementStatusDraft, parley.StatementStatusApproved, parley.StatementStatusPublished},
		"truce.status_":     vals(parley.TruceAccepted, parley.TruceNotified, parley.TruceActive, parley.TruceEnded),
		"truce.cause_":      {parley.EndWindowOver, parley.EndNeverActive, parley.EndedEarly},
		"violation.status_": append([]string{"reported"}, append(append([]string{}, parley.ViolationAnswers...), parley.ViolationFindings...)...),
		"map.":              {parley.ShapeSegment, parley.ShapeZone, parley.ShapeCrossing},
		"truce.purpose_":    vals(parley.PurposeWounded, parley.PurposeDead, parley.PurposePassage, parley.PurposeOther),
		"meeting.status_":   vals(parley.MeetingStatusScheduled, parley.MeetingStatusLive, parley.MeetingStatusEnded, parley.MeetingStatusCancelled),
		"step.": vals(parley.StepConfirmed, parley.StepInterviewed, parley.StepDeclined, parley.StepFit, parley.StepAssigned,
			parley.StepHandedOver, parley.StepReceived, parley.StepHeldBack),
	}
}

func vals[S ~string](vs ...S) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

var (
	// .T "key", $.T "key", $p.T "key", .P.T "key"
	templateKeyRE = regexp.MustCompile(`\bT "([^"]+)"`)
	// .T (print "prefix" value)
	templatePrefixRE = regexp.MustCompile(`\bT \(print "([^"]+)"`)
)

func TestEveryMessageIDExists(t *testing.T) {
	en := catalogue(t, parley.English)
	has := func(where, id string) {
		t.Helper()
		if _, ok := en[id]; !ok {
			t.Errorf("%s uses %q, which en.json lacks", where, id)
		}
	}
	dyn := dynamicKeys()
	err := fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, path)
		if err != nil {
			return err
		}
		for _, m := range templateKeyRE.FindAllStringSubmatch(string(b), -1) {
			has(path, m[1])
		}
		for _, m := range templatePrefixRE.FindAllStringSubmatch(string(b), -1) {
			values, ok := dyn[m[1]]
			if !ok {
				t.Errorf("%s builds message IDs from the prefix %q: list its values in dynamicKeys", path, m[1])
			}
			for _, v := range values {
				has(path+" (dynamic)", m[1]+v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Message IDs in the Go code: every string literal in the name space
	// of a message (flash.*, login.*, page titles…).
	spaces := map[string]bool{}
	for k := range en {
		if !strings.HasPrefix(k, "text:") {
			spaces[strings.SplitN(k, ".", 2)[0]] = true
		}
	}
	idRE := regexp.MustCompile(`^[a-z_]+(\.[a-z_0-9]+)+$`)
	goFiles, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	found := 0
	for _, name := range goFiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !idRE.MatchString(s) || !spaces[strings.SplitN(s, ".", 2)[0]] {
				return true
			}
			for _, ext := range []string{".html", ".json", ".js", ".css"} {
				if strings.HasSuffix(s, ext) {
					return true
				}
			}
			found++
			if values, ok := dyn[s]; ok { // a prefix the code completes, as a template's (print "prefix" value) does
				for _, v := range values {
					has(fset.Position(lit.Pos()).String()+" (dynamic)", s+v)
				}
				return true
			}
			has(fset.Position(lit.Pos()).String(), s)
			return true
		})
	}
	if found < 20 {
		t.Errorf("found only %d message IDs in the Go code: is the search still right?", found)
	}
}

func TestTranslationsAreNotEnglish(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	sample := []struct {
		id   string
		args []any
	}{
		{"login.submit", nil},
		{"nav.overview", nil},
		{"overview.parties", nil},
		{"overview.rounds", nil},
		{"role.head", nil},
		{"role.delegate", nil},
		{"space.group", []any{"Name", "X"}},
		{"space.party", []any{"Name", "X"}},
		{"thread.send", nil},
		{"group.members_count", []any{"Count", 3}},
		{"space.unread", []any{"Count", 5}},
		{"month.05", nil},
		{"error.not_found", nil},
	}
	for _, l := range parley.Langs {
		if l == parley.English {
			continue
		}
		for _, s := range sample {
			en, got := c.translate(parley.English, s.id, s.args...), c.translate(l, s.id, s.args...)
			if got == en || got == s.id {
				t.Errorf("%s: %s is %q, the same as in English", l, s.id, got)
			}
		}
		if got := c.translateText(l, "is required"); got == "is required" {
			t.Errorf("%s: the complaint %q is not translated", l, got)
		}
	}
}

func TestPluralChoice(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang  parley.Lang
		count int
		want  string
	}{
		{parley.English, 1, "1 member"},
		{parley.English, 3, "3 members"},
		{parley.Ukrainian, 1, "1 учасник"},
		{parley.Ukrainian, 3, "3 учасники"},
		{parley.Ukrainian, 5, "5 учасників"},
		{parley.Ukrainian, 11, "11 учасників"},
		{parley.Ukrainian, 21, "21 учасник"},
		{parley.Russian, 1, "1 участник"},
		{parley.Russian, 4, "4 участника"},
		{parley.Russian, 12, "12 участников"},
		{parley.Russian, 22, "22 участника"},
		{parley.Turkish, 1, "1 üye"},
		{parley.Turkish, 7, "7 üye"},
	}
	for _, tt := range tests {
		if got := c.translate(tt.lang, "group.members_count", "Count", tt.count); got != tt.want {
			t.Errorf("%s, %d: got %q, want %q", tt.lang, tt.count, got, tt.want)
		}
	}
}
