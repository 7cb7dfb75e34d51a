package status

import (
	"fmt"
	"strings"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

// chartStates are the chart's series, bottom to top, with their labels.
var chartStates = []struct {
	State store.State
	Label string
}{
	{store.StateLogged, string(store.StateLogged)},
	{store.StateSkipped, string(store.StateSkipped)},
	{store.StateWaiting, string(store.StateWaiting)},
	{store.StateFailed, string(store.StateFailed)},
	{store.StateParked, string(store.StateParked)},
}

// Chart geometry in SVG user units; the SVG scales to the page width.
const (
	chartW, chartH     = 960.0, 220.0
	chartLeft, chartTB = 36.0, 22.0 // room for the y labels; top and bottom margins
)

// chartView is the items-per-hour chart, computed here so the template only
// places numbers (html/template escapes them like any other value).
type chartView struct {
	W, H, PlotTop, PlotBottom, PlotRight float64
	Bars                                 []barView
	XLabels                              []labelView
	YMax                                 int
	YMaxY                                float64
	Legend                               []legendView
	Total                                int
	Summary                              string // text alternative for screen readers
}

type barView struct {
	Title string
	Segs  []segView
}

type segView struct {
	Class      string
	X, Y, W, H float64
}

type labelView struct {
	X, Y float64
	Text string
}

type legendView struct {
	Class, Label string
	N            int
}

func buildChart(buckets []store.HourBucket) chartView {
	c := chartView{W: chartW, H: chartH, PlotTop: chartTB, PlotBottom: chartH - chartTB, PlotRight: chartW}
	totals := map[store.State]int{}
	for _, b := range buckets {
		n := 0
		for _, s := range chartStates {
			n += b.ByState[s.State]
			totals[s.State] += b.ByState[s.State]
		}
		c.YMax = max(c.YMax, n)
		c.Total += n
	}
	var parts []string
	for _, s := range chartStates {
		c.Legend = append(c.Legend, legendView{Class: "s-" + string(s.State), Label: s.Label, N: totals[s.State]})
		if totals[s.State] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", totals[s.State], s.Label))
		}
	}
	c.Summary = fmt.Sprintf("Items per hour over the last %d hours: %d in all", len(buckets), c.Total)
	if len(parts) > 0 {
		c.Summary += " (" + strings.Join(parts, ", ") + ")"
	}
	if len(buckets) == 0 {
		return c
	}
	plotH := c.PlotBottom - c.PlotTop
	slot := (chartW - chartLeft) / float64(len(buckets))
	scale := 0.0
	if c.YMax > 0 {
		scale = plotH / float64(c.YMax)
	}
	c.YMaxY = c.PlotTop + 4
	for i, b := range buckets {
		x := chartLeft + float64(i)*slot
		bar := barView{}
		var title []string
		y := c.PlotBottom
		for _, s := range chartStates {
			n := b.ByState[s.State]
			if n == 0 {
				continue
			}
			h := float64(n) * scale
			y -= h
			bar.Segs = append(bar.Segs, segView{Class: "s-" + string(s.State), X: round1(x + 1), Y: round1(y), W: round1(slot - 2), H: round1(h)})
			title = append(title, fmt.Sprintf("%d %s", n, s.Label))
		}
		if len(title) == 0 {
			title = []string{"nothing"}
		}
		bar.Title = b.Start.UTC().Format("Jan 2 15:00") + " UTC: " + strings.Join(title, ", ")
		c.Bars = append(c.Bars, bar)
		if b.Start.UTC().Hour()%6 == 0 && x+slot < chartW-30 { // a label needs room on the right
			c.XLabels = append(c.XLabels, labelView{X: round1(x), Y: chartH - 4, Text: b.Start.UTC().Format("15:00")})
		}
	}
	return c
}

func round1(v float64) float64 { return float64(int(v*10+0.5)) / 10 }
