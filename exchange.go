package parley

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// An exchange agreement is what the parties agreed about an exchange of
// prisoners: how many each side returns ("1,200 for 1,200") or all for
// all, in which categories, and in how many stages, each with its date and
// the number of each category it carries. It belongs to a working group's
// space. It is born when an exchange proposal is accepted (its ID is then
// the proposal's, as a truce's is), or the mediator records one agreed
// elsewhere. The mediator keeps its terms and plans its stages; the
// parties act on their lists of persons, later. Every number is per side:
// an exchange is symmetric by definition, parity is the point.

// Limits of an exchange's numbers.
const (
	MaxExchangeCount  = 100000 // persons in a category, a total, or a stage
	MaxExchangeStages = 100
	maxCategoryCode   = 32
)

// ExchangeCategoryTerms is one agreed category of persons: a short code
// (what lists name it by), its name, and how many each side returns in it.
// Under all for all, Count may be 0: the category has no fixed number.
type ExchangeCategoryTerms struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// DefaultExchangeCategories are the categories the form offers: those
// exchanges have used.
var DefaultExchangeCategories = []ExchangeCategoryTerms{
	{Code: "wounded", Name: "Seriously wounded and sick"},
	{Code: "young", Name: "Young"},
	{Code: "long_held", Name: "Long in captivity"},
	{Code: "civilians", Name: "Civilians"},
}

// ExchangeTerms are an exchange's terms, which the mediator may change
// while no stage is finalised.
type ExchangeTerms struct {
	Title      string                  `json:"title"`
	AllForAll  bool                    `json:"all_for_all"`
	Total      int                     `json:"total"` // per side; 0 under all for all
	Categories []ExchangeCategoryTerms `json:"categories"`
	Stages     int                     `json:"stages"` // how many stages were agreed
}

// StageCount is the number of a category a stage carries, per side.
type StageCount struct {
	Category string `json:"category"`
	Count    int    `json:"count"`
}

// ExchangeStage is one stage of an exchange.
type ExchangeStage struct {
	Number    int          `json:"number"`
	Date      string       `json:"date"` // planned, YYYY-MM-DD
	Counts    []StageCount `json:"counts"`
	Finalised bool         `json:"finalised"` // the stage took place as recorded; nothing finalises one yet
	Seq       int64        `json:"seq"`
}

// Count returns how many of category the stage carries.
func (s ExchangeStage) Count(category string) int {
	for _, c := range s.Counts {
		if c.Category == category {
			return c.Count
		}
	}
	return 0
}

// Size is how many persons per side the stage carries.
func (s ExchangeStage) Size() int {
	n := 0
	for _, c := range s.Counts {
		n += c.Count
	}
	return n
}

// Exchange is an exchange agreement.
type Exchange struct {
	ID         string          `json:"id"`
	ProcessID  string          `json:"process_id"`
	GroupID    string          `json:"group_id"`
	SpaceID    string          `json:"space_id"`
	ProposalID string          `json:"proposal_id,omitempty"` // the accepted proposal it was born of; "" if the mediator recorded it
	Parties    []string        `json:"parties"`               // the two sides
	Terms      ExchangeTerms   `json:"terms"`
	Stages     []ExchangeStage `json:"planned_stages"` // in order of their numbers
	CreatedAt  time.Time       `json:"created_at"`
	Seq        int64           `json:"seq"` // record entry of its latest event
}

// Planned returns how many of category the planned stages carry together.
func (x Exchange) Planned(category string) int {
	n := 0
	for _, s := range x.Stages {
		n += s.Count(category)
	}
	return n
}

// Stage returns the stage numbered n.
func (x Exchange) Stage(n int) (ExchangeStage, bool) {
	for _, s := range x.Stages {
		if s.Number == n {
			return s, true
		}
	}
	return ExchangeStage{}, false
}

// Finalised reports whether any stage is finalised: the terms are then
// what happened, and no longer change.
func (x Exchange) Finalised() bool {
	for _, s := range x.Stages {
		if s.Finalised {
			return true
		}
	}
	return false
}

// Events of exchanges. An exchange born of an accepted proposal has no
// event of its own: the acceptance is its birth (see ExchangeFromProposal).
type (
	// ExchangeCreated records an exchange agreement the mediator entered.
	ExchangeCreated struct {
		ExchangeID string   `json:"exchange_id"`
		GroupID    string   `json:"group_id"`
		Parties    []string `json:"parties"`
		ExchangeTerms
	}
	// ExchangeTermsEdited records the mediator's change of the terms.
	ExchangeTermsEdited struct {
		ExchangeID string `json:"exchange_id"`
		ExchangeTerms
	}
	// StagePlanned records a new stage, numbered after the last.
	StagePlanned struct {
		ExchangeID string       `json:"exchange_id"`
		Number     int          `json:"number"`
		Date       string       `json:"date"`
		Counts     []StageCount `json:"counts"`
	}
	// StageEdited records a planned stage's new date and numbers.
	StageEdited struct {
		ExchangeID string       `json:"exchange_id"`
		Number     int          `json:"number"`
		Date       string       `json:"date"`
		Counts     []StageCount `json:"counts"`
	}
)

func (*ExchangeCreated) EventType() string     { return "exchange.created" }
func (*ExchangeTermsEdited) EventType() string { return "exchange.terms_edited" }
func (*StagePlanned) EventType() string        { return "exchange.stage_planned" }
func (*StageEdited) EventType() string         { return "exchange.stage_edited" }

func init() {
	register(
		func() EventData { return new(ExchangeCreated) },
		func() EventData { return new(ExchangeTermsEdited) },
		func() EventData { return new(StagePlanned) },
		func() EventData { return new(StageEdited) },
	)
}

// Commands of exchanges.
type (
	// CreateExchange records an exchange agreement in a working group,
	// between two of the process's negotiating parties: the mediator's.
	CreateExchange struct {
		GroupID string   `json:"group_id"`
		Parties []string `json:"parties"`
		ExchangeTerms
	}
	// EditExchangeTerms changes an exchange's terms: the mediator's, while
	// no stage is finalised.
	EditExchangeTerms struct {
		ExchangeID string `json:"exchange_id"`
		ExchangeTerms
	}
	// PlanStage adds the next stage: its date and the number of each
	// category it carries.
	PlanStage struct {
		ExchangeID string       `json:"exchange_id"`
		Date       string       `json:"date"`
		Counts     []StageCount `json:"counts"`
	}
	// EditStage changes a planned stage's date and numbers.
	EditStage struct {
		ExchangeID string       `json:"exchange_id"`
		Number     int          `json:"number"`
		Date       string       `json:"date"`
		Counts     []StageCount `json:"counts"`
	}
)

// validCode reports whether s is a category code: 1 to 32 lower-case
// letters, digits, '_' or '-', starting with a letter.
func validCode(s string) bool {
	if s == "" || len(s) > maxCategoryCode || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func validCount(n int) bool { return n >= 0 && n <= MaxExchangeCount }

// validate checks terms on their own; the field names are the JSON
// paths of the command ("categories.1.count").
func (t ExchangeTerms) validate(v *Invalid) {
	v.Require("title", t.Title)
	v.MaxLen("title", t.Title, maxTitle)
	if len(t.Categories) == 0 {
		v.Add("categories", "name at least one category")
	}
	if len(t.Categories) > 50 {
		v.Add("categories", "at most 50 categories")
	}
	seen := map[string]bool{}
	sum := 0
	for i, c := range t.Categories {
		f := "categories." + strconv.Itoa(i) + "."
		code := strings.TrimSpace(c.Code)
		switch {
		case !validCode(code):
			v.Add(f+"code", "must be 1 to 32 lower-case letters, digits, _ or -, starting with a letter")
		case seen[code]:
			v.Add(f+"code", "is used by another category")
		}
		seen[code] = true
		v.Require(f+"name", c.Name)
		v.MaxLen(f+"name", c.Name, maxTitle)
		switch {
		case !validCount(c.Count):
			v.Add(f+"count", fmt.Sprintf("must be between 0 and %d", MaxExchangeCount))
		case c.Count == 0 && !t.AllForAll:
			v.Add(f+"count", "must be at least 1, unless the exchange is all for all")
		}
		sum += c.Count
	}
	switch {
	case t.AllForAll && t.Total != 0:
		v.Add("total", "an exchange of all for all has no total")
	case t.AllForAll:
	case t.Total < 1 || t.Total > MaxExchangeCount:
		v.Add("total", fmt.Sprintf("must be between 1 and %d", MaxExchangeCount))
	case sum != t.Total && len(t.Categories) > 0:
		v.Add("total", fmt.Sprintf("must equal the sum of the categories (%d)", sum))
	}
	if t.Stages < 1 || t.Stages > MaxExchangeStages {
		v.Add("stages", fmt.Sprintf("must be between 1 and %d", MaxExchangeStages))
	}
}

// normal returns the terms as recorded: trimmed.
func (t ExchangeTerms) normal() ExchangeTerms {
	t.Title = strings.TrimSpace(t.Title)
	cs := make([]ExchangeCategoryTerms, len(t.Categories))
	for i, c := range t.Categories {
		cs[i] = ExchangeCategoryTerms{Code: strings.TrimSpace(c.Code), Name: strings.TrimSpace(c.Name), Count: c.Count}
	}
	t.Categories = cs
	return t
}

// validateStage checks a stage's date and numbers on their own.
func validateStage(v *Invalid, date string, counts []StageCount) {
	if !validDate(strings.TrimSpace(date)) {
		v.Add("date", "must be a date as YYYY-MM-DD")
	}
	seen := map[string]bool{}
	total := 0
	for _, c := range counts {
		f := "counts." + c.Category
		switch {
		case !validCode(c.Category):
			v.Add("counts", "names a category that is not a code")
		case seen[c.Category]:
			v.Add(f, "is given twice")
		case !validCount(c.Count):
			v.Add(f, fmt.Sprintf("must be between 0 and %d", MaxExchangeCount))
		}
		seen[c.Category] = true
		if validCount(c.Count) {
			total += c.Count
		}
	}
	if total == 0 {
		v.Add("counts", "a stage carries at least one person")
	} else if total > MaxExchangeCount {
		v.Add("counts", fmt.Sprintf("a stage carries at most %d persons", MaxExchangeCount))
	}
}

// Validate implements Command.
func (c CreateExchange) Validate() error {
	var v Invalid
	v.requireID("group_id", c.GroupID)
	switch {
	case len(c.Parties) != 2:
		v.Add("parties", "name the two parties to the exchange")
	case c.Parties[0] == c.Parties[1]:
		v.Add("parties", "an exchange is between two different parties")
	default:
		for _, p := range c.Parties {
			if !validID(p) {
				v.Add("parties", "is not a valid identifier")
			}
		}
	}
	c.ExchangeTerms.validate(&v)
	return v.Err()
}

// Validate implements Command.
func (c EditExchangeTerms) Validate() error {
	var v Invalid
	v.requireID("exchange_id", c.ExchangeID)
	c.ExchangeTerms.validate(&v)
	return v.Err()
}

// Validate implements Command.
func (c PlanStage) Validate() error {
	var v Invalid
	v.requireID("exchange_id", c.ExchangeID)
	validateStage(&v, c.Date, c.Counts)
	return v.Err()
}

// Validate implements Command.
func (c EditStage) Validate() error {
	var v Invalid
	v.requireID("exchange_id", c.ExchangeID)
	if c.Number < 1 || c.Number > MaxExchangeStages {
		v.Add("number", fmt.Sprintf("must be between 1 and %d", MaxExchangeStages))
	}
	validateStage(&v, c.Date, c.Counts)
	return v.Err()
}

// ExchangeSetting is what deciding about an exchange needs besides the
// exchange: its space and the process's negotiating parties.
type ExchangeSetting struct {
	Exchange Exchange
	Space    Space
	Parties  []string
}

func exchangeConflict(msg string) error { return Errorf(ECONFLICT, "%s", msg) }

// mayRecordExchange checks that a may act on exchanges in s: read first
// (who may not does not learn that it exists), then the mediator's part.
func mayRecordExchange(a Actor, s Space, what string) error {
	if !Allowed(a, ActRead, s) {
		return Errorf(ENOTFOUND, "No such %s.", what)
	}
	if s.Kind != SpaceGroup {
		var v Invalid
		v.Add("group_id", "an exchange belongs to a working group")
		return v.Err()
	}
	if !Mediates(a, s) {
		return Errorf(EFORBIDDEN, "The mediator keeps an exchange's terms and plans its stages.")
	}
	return nil
}

// checkAgainstStages refuses terms that the planned stages would break:
// a category a stage carries that is gone, a category the stages carry
// more of than the terms allow, fewer stages than are planned.
func checkAgainstStages(v *Invalid, t ExchangeTerms, stages []ExchangeStage) {
	x := Exchange{Terms: t, Stages: stages}
	index := map[string]int{}
	for i, c := range t.Categories {
		index[c.Code] = i
	}
	for _, s := range stages {
		for _, c := range s.Counts {
			if _, ok := index[c.Category]; !ok && c.Count > 0 {
				v.Add("categories", fmt.Sprintf("stage %d carries category %s: keep it, or change the stage first", s.Number, c.Category))
			}
		}
	}
	if !t.AllForAll {
		for i, c := range t.Categories {
			if n := x.Planned(c.Code); n > c.Count {
				v.Add("categories."+strconv.Itoa(i)+".count", fmt.Sprintf("the planned stages already carry %d", n))
			}
		}
	}
	if t.Stages < len(stages) {
		v.Add("stages", fmt.Sprintf("%d stages are planned already", len(stages)))
	}
}

// checkStage checks a stage's numbers against the terms and the other
// stages: every category known, no category's count exceeded unless the
// exchange is all for all.
func checkStage(x Exchange, number int, counts []StageCount) error {
	var v Invalid
	known := map[string]ExchangeCategoryTerms{}
	for _, c := range x.Terms.Categories {
		known[c.Code] = c
	}
	for _, c := range counts {
		cat, ok := known[c.Category]
		if !ok {
			v.Add("counts."+c.Category, "is not a category of this exchange")
			continue
		}
		if x.Terms.AllForAll {
			continue
		}
		others := 0
		for _, s := range x.Stages {
			if s.Number != number {
				others += s.Count(c.Category)
			}
		}
		if others+c.Count > cat.Count {
			v.Add("counts."+c.Category, fmt.Sprintf("the stages would carry %d of %s, more than the %d agreed", others+c.Count, cat.Name, cat.Count))
		}
	}
	return v.Err()
}

// normalCounts returns the counts as recorded: in the order of the terms'
// categories, without zeros.
func normalCounts(t ExchangeTerms, counts []StageCount) []StageCount {
	by := map[string]int{}
	for _, c := range counts {
		by[c.Category] = c.Count
	}
	out := []StageCount{}
	for _, c := range t.Categories {
		if n := by[c.Code]; n > 0 {
			out = append(out, StageCount{Category: c.Code, Count: n})
		}
	}
	return out
}

// DecideCreateExchange records an exchange agreement in the working
// group's space s, between two of the process's negotiating parties.
func DecideCreateExchange(a Actor, s Space, parties []string, c CreateExchange, env Env) ([]Event, error) {
	if err := mayRecordExchange(a, s, "working group"); err != nil {
		return nil, err
	}
	for _, p := range c.Parties {
		if !contains(parties, p) {
			var v Invalid
			v.Add("parties", "must be negotiating parties of the process")
			return nil, v.Err()
		}
	}
	return events(a, env, ev(SpaceScope(s), &ExchangeCreated{ExchangeID: env.NewID(), GroupID: s.GroupID,
		Parties: append([]string(nil), c.Parties...), ExchangeTerms: c.ExchangeTerms.normal()})), nil
}

// DecideEditExchangeTerms changes an exchange's terms, while no stage is
// finalised and as long as the planned stages still fit them.
func DecideEditExchangeTerms(a Actor, set ExchangeSetting, c EditExchangeTerms, env Env) ([]Event, error) {
	if err := mayRecordExchange(a, set.Space, "exchange"); err != nil {
		return nil, err
	}
	if set.Exchange.Finalised() {
		return nil, exchangeConflict("A stage is finalised: the terms are what happened, and no longer change.")
	}
	t := c.ExchangeTerms.normal()
	var v Invalid
	checkAgainstStages(&v, t, set.Exchange.Stages)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(set.Space), &ExchangeTermsEdited{ExchangeID: set.Exchange.ID, ExchangeTerms: t})), nil
}

// DecidePlanStage adds the next stage of an exchange, up to the number
// agreed.
func DecidePlanStage(a Actor, set ExchangeSetting, c PlanStage, env Env) ([]Event, error) {
	if err := mayRecordExchange(a, set.Space, "exchange"); err != nil {
		return nil, err
	}
	x := set.Exchange
	if len(x.Stages) >= x.Terms.Stages {
		return nil, exchangeConflict(fmt.Sprintf("All %d agreed stages are planned; change the terms to add one.", x.Terms.Stages))
	}
	n := len(x.Stages) + 1
	if err := checkStage(x, n, c.Counts); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(set.Space), &StagePlanned{ExchangeID: x.ID, Number: n, Date: strings.TrimSpace(c.Date),
		Counts: normalCounts(x.Terms, c.Counts)})), nil
}

// DecideEditStage changes a planned stage that is not finalised.
func DecideEditStage(a Actor, set ExchangeSetting, c EditStage, env Env) ([]Event, error) {
	if err := mayRecordExchange(a, set.Space, "exchange"); err != nil {
		return nil, err
	}
	x := set.Exchange
	st, ok := x.Stage(c.Number)
	if !ok {
		return nil, Errorf(ENOTFOUND, "No such stage.")
	}
	if st.Finalised {
		return nil, exchangeConflict("The stage is finalised.")
	}
	if err := checkStage(x, c.Number, c.Counts); err != nil {
		return nil, err
	}
	return events(a, env, ev(SpaceScope(set.Space), &StageEdited{ExchangeID: x.ID, Number: c.Number, Date: strings.TrimSpace(c.Date),
		Counts: normalCounts(x.Terms, c.Counts)})), nil
}

// ExchangeFromProposal returns the terms of an accepted exchange
// proposal: its title, its categories with codes made from their names,
// their sum as the total, and its number of stages.
func ExchangeFromProposal(title string, d ExchangeDetails) ExchangeTerms {
	t := ExchangeTerms{Title: strings.TrimSpace(title), Stages: d.Stages}
	seen := map[string]bool{}
	for i, c := range d.Categories {
		code := categoryCode(c.Name)
		if code == "" || seen[code] {
			code = "c" + strconv.Itoa(i+1)
		}
		seen[code] = true
		t.Categories = append(t.Categories, ExchangeCategoryTerms{Code: code, Name: strings.TrimSpace(c.Name), Count: c.Count})
		t.Total += c.Count
	}
	return t
}

// categoryCode makes a code of a category's name: its Latin letters and
// digits, words joined by '_', at most 32 characters; "" when that leaves
// nothing that starts with a letter.
func categoryCode(name string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
		default:
			gap = true
		}
	}
	s := b.String()
	if len(s) > maxCategoryCode {
		s = strings.TrimRight(s[:maxCategoryCode], "_")
	}
	if !validCode(s) {
		return ""
	}
	return s
}
