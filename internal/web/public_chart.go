package web

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// Charts of the published figures, drawn on the server as SVG: no script,
// a title and a description for screen readers, labelled axes, each value
// written next to its point, and the same values as a table.

// chart is one figure's values over time, laid out in the SVG's
// coordinates (a viewBox of W × H).
type chart struct {
	ID                     string
	Title                  string
	W, H                   int
	Left, Right, Top, Base float64 // the plot area
	TickEnd                float64 // where the date axis's ticks end
	Middle, ValueAxisX     float64 // where the axes' names are, the value axis's turned
	Line                   string  // the polyline's points
	Points                 []chartPoint
	YTicks, XTicks         []chartTick
	From, To               string // the first and last dates
	Latest, LatestDate     string
}

// chartPoint is one value of a figure, at the date it refers to.
type chartPoint struct {
	X, Y        float64
	Date, Value string
	Label       bool // the value is written above the point
}

// chartTick is a labelled position on an axis.
type chartTick struct {
	Pos   float64
	Label string
}

// series is one figure's values, gathered from every statement.
type series struct {
	label  parley.Texts       // from the latest statement that gave it
	party  string             // the party whose own statements gave it, or "" for joint ones
	values map[string]float64 // by date; a later statement's value wins
}

// figureKey tells which figures are the same across statements: their
// English label, else their label in the first language they have. A
// party's own figures are a series of their own, never mixed with the
// figures the parties agreed.
func figureKey(st parley.Statement, label parley.Texts) string {
	t, l := textIn(label, parley.English)
	k := string(l) + ":" + strings.ToLower(strings.Join(strings.Fields(t), " "))
	if st.Kind == parley.UnilateralStatement {
		k = st.PartyID + "/" + k
	}
	return k
}

// figureCharts gathers the figures of the published statements (newest
// first) into one chart per figure, in the order they first appeared.
// A party's own figures are titled as its own; party names the parties in
// lang, and t translates.
func figureCharts(sts []parley.Statement, lang parley.Lang, party map[string]string, t func(string, ...any) string) []chart {
	byKey := map[string]*series{}
	var all []*series
	for i := len(sts) - 1; i >= 0; i-- {
		for _, f := range sts[i].Figures {
			if _, err := time.Parse(time.DateOnly, f.AsOf); err != nil {
				continue
			}
			k := figureKey(sts[i], f.Label)
			sr := byKey[k]
			if sr == nil {
				sr = &series{values: map[string]float64{}}
				if sts[i].Kind == parley.UnilateralStatement {
					sr.party = sts[i].PartyID
				}
				byKey[k] = sr
				all = append(all, sr)
			}
			sr.label = f.Label
			sr.values[f.AsOf] = f.Value
		}
	}
	// What the parties agreed comes first, then each party's own.
	own := func(sr *series) int {
		if sr.party != "" {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(all, func(a, b *series) int { return own(a) - own(b) })
	var out []chart
	for i, sr := range all {
		title, _ := textIn(sr.label, lang)
		if sr.party != "" {
			title = t("public.according_to", "Figure", title, "Party", party[sr.party])
		}
		out = append(out, layoutChart("figure-"+strconv.Itoa(i+1), title, sr.values, lang))
	}
	return out
}

// The chart's size and margins, in the SVG's units.
const (
	chartW, chartH                = 640, 250
	chartLeft, chartRight         = 72, 20
	chartTop, chartBottom         = 24, 52
	chartPad                      = 18 // between the axis and the first and last points
	chartTickGap                  = 86 // the least distance between two date labels
	chartValueGap                 = 44 // and between two values written above points
	chartMaxValueLabels           = 24
	chartMaxYTicks                = 8
	chartDaySeconds       float64 = 24 * 3600
)

func layoutChart(id, title string, values map[string]float64, lang parley.Lang) chart {
	c := chart{ID: id, Title: title, W: chartW, H: chartH,
		Left: chartLeft, Right: chartW - chartRight, Top: chartTop, Base: chartH - chartBottom}
	c.TickEnd, c.Middle, c.ValueAxisX = c.Base+5, (c.Left+c.Right)/2, -(c.Top+c.Base)/2
	dates := make([]string, 0, len(values))
	for d := range values {
		dates = append(dates, d)
	}
	slices.Sort(dates)
	first, _ := time.Parse(time.DateOnly, dates[0])
	last, _ := time.Parse(time.DateOnly, dates[len(dates)-1])
	span := last.Sub(first).Seconds() / chartDaySeconds

	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	lo, hi, step := niceScale(lo, hi)
	decimals := max(0, -int(math.Floor(math.Log10(step))))
	for t := lo; t <= hi+step/2 && len(c.YTicks) < chartMaxYTicks+1; t += step {
		c.YTicks = append(c.YTicks, chartTick{Pos: round1(c.Base - (t-lo)/(hi-lo)*(c.Base-c.Top)), Label: formatNumber(roundTo(t, decimals), lang)})
	}

	var line []string
	for _, d := range dates {
		at, _ := time.Parse(time.DateOnly, d)
		x := (c.Left + c.Right) / 2
		if span > 0 {
			x = c.Left + chartPad + at.Sub(first).Seconds()/chartDaySeconds/span*(c.Right-c.Left-2*chartPad)
		}
		p := chartPoint{X: round1(x), Y: round1(c.Base - (values[d]-lo)/(hi-lo)*(c.Base-c.Top)), Date: d, Value: formatNumber(values[d], lang)}
		line = append(line, strconv.FormatFloat(p.X, 'f', 1, 64)+","+strconv.FormatFloat(p.Y, 'f', 1, 64))
		c.Points = append(c.Points, p)
	}
	// Dates and values are written where they fit, the first and the
	// last always; too many values are left to the table.
	labelled := -1
	for i, p := range c.Points {
		end := i == len(c.Points)-1
		switch n := len(c.XTicks); {
		case n == 0 || p.X-c.XTicks[n-1].Pos >= chartTickGap:
			c.XTicks = append(c.XTicks, chartTick{Pos: p.X, Label: p.Date})
		case end && n > 1:
			c.XTicks[n-1] = chartTick{Pos: p.X, Label: p.Date}
		}
		if len(c.Points) > chartMaxValueLabels && !end {
			continue
		}
		switch {
		case labelled < 0 || p.X-c.Points[labelled].X >= chartValueGap:
			c.Points[i].Label, labelled = true, i
		case end:
			c.Points[labelled].Label = false
			c.Points[i].Label, labelled = true, i
		}
	}
	c.Line = strings.Join(line, " ")
	c.From, c.To = dates[0], dates[len(dates)-1]
	c.Latest, c.LatestDate = c.Points[len(c.Points)-1].Value, c.To
	return c
}

// niceScale returns the value axis: from lo (zero for figures that are
// never negative) to hi, in steps of 1, 2 or 5 times a power of ten.
func niceScale(lo, hi float64) (float64, float64, float64) {
	if lo >= 0 {
		lo = 0
	}
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	return math.Floor(lo/step) * step, math.Ceil(hi/step) * step, step
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func roundTo(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}
