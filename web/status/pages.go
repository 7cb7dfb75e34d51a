package status

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aircall-helpscout/aircall-helpscout/store"
)

//go:embed templates/*.html
var templateFS embed.FS

// BaseCSS is the stylesheet of the pages: fluid, readable on a phone, light
// and dark. Exported so that other pages of serve (the Help Scout sidebar)
// look the same; put it in a <style nonce=...> allowed by CSP(nonce).
const BaseCSS = `
:root{--fg:#1d2327;--muted:#5f6b73;--bg:#fff;--card:#f6f7f8;--line:#d9dee2;--link:#0b5cad;
--logged:#2e7d32;--skipped:#8a8f94;--waiting:#1f78b4;--failed:#e08a00;--parked:#c62828}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9eb;--muted:#a3adb5;--bg:#15191c;--card:#1f2428;--line:#394147;--link:#7db7f0}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:72rem;margin:0 auto;padding:.75rem}
h1{font-size:1.35rem;margin:.2rem 0 .6rem}h2{font-size:1.15rem;margin:1.2rem 0 .4rem}h3{font-size:1rem;margin:.9rem 0 .3rem}
a{color:var(--link)}
.muted{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem;margin:.6rem 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.3rem .45rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.wrap{overflow-wrap:anywhere}
.nowrap{white-space:nowrap}
dl.kv{display:grid;grid-template-columns:minmax(7rem,max-content) 1fr;gap:.25rem .8rem;margin:.3rem 0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}
@media (max-width:36rem){dl.kv{grid-template-columns:1fr}dl.kv dd{margin-bottom:.35rem}}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;font-size:.85rem;color:#fff;background:var(--muted)}
.b-logged{background:var(--logged)}.b-skipped{background:var(--skipped)}.b-waiting{background:var(--waiting)}
.b-failed{background:var(--failed)}.b-parked{background:var(--parked)}
.ok{color:var(--logged)}.warn{color:var(--failed)}.bad{color:var(--parked)}
svg.chart{width:100%;height:auto;display:block}
svg.chart text{fill:var(--muted);font-size:13px}
svg.chart line{stroke:var(--line)}
.s-logged{fill:var(--logged);background:var(--logged)}.s-skipped{fill:var(--skipped);background:var(--skipped)}
.s-waiting{fill:var(--waiting);background:var(--waiting)}.s-failed{fill:var(--failed);background:var(--failed)}
.s-parked{fill:var(--parked);background:var(--parked)}
ul.legend{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1rem}
ul.legend span.sw{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
nav{margin:.2rem 0 .6rem}
`

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"ts":      fmtTime,
	"tsp":     fmtTimePtr,
	"itemURL": ItemPath,
	"ids":     joinIDs,
}).ParseFS(templateFS, "templates/*.html"))

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return fmtTime(*t)
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}

// human writes a duration the way a person reads a lag: 45s, 12m, 3h05m, 2d4h.
func human(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

// page is what every template gets.
type page struct {
	Title string
	Nonce string
	CSS   template.CSS
	Now   time.Time
}

func newPage(title string, now time.Time) page {
	return page{Title: title, Nonce: NewNonce(), CSS: template.CSS(BaseCSS), Now: now.UTC()}
}

type overviewPage struct {
	page
	Budgets    []BudgetUse
	BudgetNote string
	Mirrors    []MirrorState
	MirrorNote string
	Instances  []instanceView
}

type instanceView struct {
	Name           string
	CallsCursor    string
	CallsLag       string
	LagClass       string
	MessagesCursor string
	Runs           []runView
	Chart          chartView
	Attention      []attentionView
	AttentionMore  bool
}

type runView struct {
	Mode, Started, Duration, Counts, Error string
	Class                                  string
}

type attentionView struct {
	Kind                 store.Kind
	State                store.State
	ID, URL, Age, Reason string
}

func (h *handler) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := h.o.Now().UTC()
	p := overviewPage{page: newPage("aircall-helpscout status", now)}
	names := h.o.Instances
	if len(names) == 0 {
		var err error
		if names, err = h.r.KnownInstances(ctx); err != nil {
			h.fail(w, "list instances", err)
			return
		}
	}
	for _, name := range names {
		iv, err := h.instance(ctx, name, now)
		if err != nil {
			h.fail(w, "read instance "+name, err)
			return
		}
		p.Instances = append(p.Instances, iv)
	}
	if h.o.Budgets != nil {
		b, err := h.o.Budgets.BudgetUse(ctx)
		if err != nil {
			h.o.Log.Warn("status: budget use", "err", err)
			p.BudgetNote = "could not be read (see the logs)"
		}
		p.Budgets = b
	}
	if h.o.Mirrors != nil {
		m, err := h.o.Mirrors.MirrorStates(ctx)
		if err != nil {
			h.o.Log.Warn("status: mirror states", "err", err)
			p.MirrorNote = "could not be read (see the logs)"
		}
		p.Mirrors = m
	}
	h.render(w, http.StatusOK, "overview.html", p)
}

func (h *handler) instance(ctx context.Context, name string, now time.Time) (instanceView, error) {
	iv := instanceView{Name: name, CallsCursor: "none yet (no pass has advanced it)", MessagesCursor: "none yet"}
	if c, ok, err := h.r.Cursor(ctx, name, store.StreamCalls); err != nil {
		return iv, err
	} else if ok {
		t := time.Unix(c, 0).UTC()
		lag := now.Sub(t)
		iv.CallsCursor, iv.CallsLag = fmtTime(t), human(lag)
		switch {
		case lag < time.Hour:
			iv.LagClass = "ok"
		case lag < 6*time.Hour:
			iv.LagClass = "warn"
		default:
			iv.LagClass = "bad"
		}
	}
	if c, ok, err := h.r.Cursor(ctx, name, store.StreamMessages); err != nil {
		return iv, err
	} else if ok {
		iv.MessagesCursor = fmt.Sprintf("webhook event #%d", c)
	}
	runs, err := h.r.Runs(ctx, name, overviewRuns)
	if err != nil {
		return iv, err
	}
	for _, run := range runs {
		iv.Runs = append(iv.Runs, viewRun(run, now))
	}
	// The current hour and the 47 before it.
	end := now.Truncate(time.Hour).Add(time.Hour)
	buckets, err := h.r.ItemsPerHour(ctx, name, end.Add(-chartHours*time.Hour), end)
	if err != nil {
		return iv, err
	}
	iv.Chart = buildChart(buckets)
	items, err := h.r.Attention(ctx, name, overviewAttention)
	if err != nil {
		return iv, err
	}
	for _, it := range items {
		iv.Attention = append(iv.Attention, attentionView{Kind: it.Kind, ID: it.SourceID,
			URL: ItemPath(it.Instance, it.Kind, it.SourceID), State: it.State,
			Age: human(now.Sub(it.OccurredAt)), Reason: attentionReason(it)})
	}
	// Attention returns at most overviewAttention of each state.
	per := map[store.State]int{}
	for _, it := range items {
		per[it.State]++
	}
	iv.AttentionMore = slices.ContainsFunc([]int{per[store.StateParked], per[store.StateFailed], per[store.StateWaiting]},
		func(n int) bool { return n >= overviewAttention })
	return iv, nil
}

func viewRun(r store.Run, now time.Time) runView {
	v := runView{Mode: r.Mode, Started: fmtTime(r.StartedAt), Error: r.Error, Class: "ok"}
	switch {
	case !r.FinishedAt.IsZero():
		v.Duration = human(r.FinishedAt.Sub(r.StartedAt))
	case now.Sub(r.StartedAt) < time.Hour:
		v.Duration, v.Class = "running ("+human(now.Sub(r.StartedAt))+")", "warn"
	default:
		v.Duration, v.Class = "did not finish (the process stopped?)", "warn"
	}
	if r.Error != "" {
		v.Class = "bad"
	}
	keys := make([]store.Outcome, 0, len(r.Counts))
	for k := range r.Counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, r.Counts[k]))
	}
	v.Counts = strings.Join(parts, ", ")
	if v.Counts == "" {
		v.Counts = "nothing"
	}
	return v
}

// attentionReason says in a few words why an item needs a look.
func attentionReason(it store.Item) string {
	switch {
	case it.Outcome == store.OutcomeRetryRequested:
		return "retry requested; last error: " + it.LastError
	case it.State == store.StateWaiting && it.Outcome == store.OutcomeInProgress:
		return "call not finished in Aircall yet"
	case it.State == store.StateWaiting && it.Outcome == store.OutcomeWaitingEnrichment:
		return "waiting for transcript/AI"
	case it.LastError != "":
		return fmt.Sprintf("%d attempt(s): %s", it.Attempts, it.LastError)
	}
	return string(it.Outcome)
}

type itemPage struct {
	page
	X Explanation
}

func (h *handler) item(w http.ResponseWriter, r *http.Request) {
	instance, kind, id := r.PathValue("instance"), store.Kind(r.PathValue("kind")), r.PathValue("id")
	now := h.o.Now().UTC()
	if kind != store.KindCall && kind != store.KindMessage {
		h.notFound(w, now, "There is no item kind "+string(kind)+": items are calls or messages.")
		return
	}
	st, ok, err := h.r.ItemStory(r.Context(), instance, kind, id)
	if err != nil {
		h.fail(w, "read item", err)
		return
	}
	var x Explanation
	if ok {
		x = Explain(st)
	} else if c, found, err := h.cardOnly(r.Context(), instance, kind, id); err != nil {
		h.fail(w, "read insight card", err)
		return
	} else if found {
		x = ExplainCard(c)
	} else {
		h.notFound(w, now, fmt.Sprintf("No %s %s in instance %s in the database.", kind, id, instance))
		return
	}
	h.render(w, http.StatusOK, "item.html", itemPage{page: newPage(string(kind)+" "+id+" · aircall-helpscout", now), X: x})
}

// CardReader reads a call's insight card record; *store.Store implements
// it. Optional: with it, the item page of a call that rang and got a card
// but that no pass has read yet shows the card instead of "not found", as
// explain does.
type CardReader interface {
	GetCard(ctx context.Context, callID int64) (store.Card, bool, error)
}

// cardOnly finds the card of a call the ledger does not hold yet, in the
// page's instance.
func (h *handler) cardOnly(ctx context.Context, instance string, kind store.Kind, id string) (store.Card, bool, error) {
	cr, ok := h.r.(CardReader)
	if !ok || kind != store.KindCall {
		return store.Card{}, false, nil
	}
	callID, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return store.Card{}, false, nil
	}
	c, found, err := cr.GetCard(ctx, callID)
	if err != nil || !found || c.Instance != instance {
		return store.Card{}, false, err
	}
	return c, true, nil
}

type messagePage struct {
	page
	Message string
}

func (h *handler) notFound(w http.ResponseWriter, now time.Time, msg string) {
	h.render(w, http.StatusNotFound, "message.html", messagePage{page: newPage("Not found · aircall-helpscout", now), Message: msg})
}

// fail answers 500 without the error's text, which may name paths of the
// host; the log has it.
func (h *handler) fail(w http.ResponseWriter, what string, err error) {
	h.o.Log.Error("status page: "+what, "err", err)
	h.render(w, http.StatusInternalServerError, "message.html",
		messagePage{page: newPage("Error · aircall-helpscout", h.o.Now()), Message: "The database could not be read: see the service's logs."})
}

// render executes into a buffer first, so that a template error becomes a
// clean 500 instead of half a page.
func (h *handler) render(w http.ResponseWriter, code int, name string, data interface{ nonce() string }) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		h.o.Log.Error("status page: render "+name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	setHeaders(w, data.nonce())
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func (p page) nonce() string { return p.Nonce }
