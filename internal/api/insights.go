package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/insights"
)

// insightRoutes let leads read the measures of care and export each chart's
// numbers; every agent reads their own coaching view, and any member of
// staff records an act of care in the kindness log.
func (s *server) insightRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/insights", roles: leads, handler: s.getInsights},
		{method: "GET", path: "/api/v1/insights/csv/{chart}", roles: leads, handler: s.insightsCSV},
		{method: "GET", path: "/api/v1/insights/coaching/{id}", roles: staff, handler: s.getCoaching},
		{method: "GET", path: "/api/v1/kindness", roles: staff, handler: s.listKindness},
		{method: "POST", path: "/api/v1/kindness", roles: staff, handler: s.recordKindness},
	}
}

// period reads ?from= and ?to=, dates on the desk's clock. Left out, to
// is now rounded up to the second, so that requests within a second share
// a cached dashboard.
func (s *server) period(q *query) kindred.Period {
	from, to := q.str("from"), q.str("to")
	p, err := insights.ParsePeriod(from, to, s.cfg.Now(), s.cfg.Location)
	if to == "" && err == nil {
		end := insights.CeilSecond(p.To)
		if from == "" {
			p.From = p.From.Add(end.Sub(p.To))
		}
		p.To = end
	}
	// In UTC, as the console's: a date is read in the desk's zone, and the
	// cache tells periods apart by zone as well as by instant.
	p.From, p.To = p.From.UTC(), p.To.UTC()
	var ke *kindred.Error
	if errors.As(err, &ke) {
		for _, f := range ke.Fields {
			q.Add(f.Field, f.Reason)
		}
	}
	return p
}

// insightsResponse is the dashboard with the latest acts of kindness.
type insightsResponse struct {
	*kindred.Dashboard
	Kindness []kindred.Kindness `json:"kindness"`
}

func (s *server) getInsights(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "from", "to")
	p := s.period(q)
	if err := q.Err(); err != nil {
		return err
	}
	d, err := s.dashboards.Dashboard(r.Context(), p)
	if err != nil {
		return s.storeFailed("Dashboard", err)
	}
	k, err := s.cfg.Insights.KindnessLog(r.Context(), p, kindred.Page{Limit: 20})
	if err != nil {
		return s.storeFailed("KindnessLog", err)
	}
	return writeJSON(w, http.StatusOK, insightsResponse{d, k})
}

func (s *server) insightsCSV(w http.ResponseWriter, r *http.Request) error {
	chart := r.PathValue("chart")
	if !slices.Contains(insights.IDs(), chart) {
		return kindred.Errorf(kindred.NotFound, "no chart %q; the charts are: %s", clip(chart), strings.Join(insights.IDs(), ", "))
	}
	q := newQuery(r, "from", "to")
	p := s.period(q)
	if err := q.Err(); err != nil {
		return err
	}
	d, err := s.dashboards.Dashboard(r.Context(), p)
	if err != nil {
		return s.storeFailed("Dashboard", err)
	}
	t, _ := insights.TableByID(d, chart)
	var b bytes.Buffer
	if err := insights.WriteCSV(&b, t); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, CSVName(chart, p, s.cfg.Location)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b.Bytes())
	return err
}

// CSVName is the file name a chart's CSV export is saved under: the first
// and the last day the period includes (its To is excluded), on the desk's
// clock, loc.
func CSVName(chart string, p kindred.Period, loc *time.Location) string {
	last := p.To.Add(-time.Millisecond)
	return fmt.Sprintf("kindred-%s-%s-to-%s.csv", chart, p.From.In(loc).Format(time.DateOnly), last.In(loc).Format(time.DateOnly))
}

func (s *server) getCoaching(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "agent")
	if err != nil {
		return err
	}
	q := newQuery(r, "from", "to")
	p := s.period(q)
	if err := q.Err(); err != nil {
		return err
	}
	if a, _ := kindred.ActorFrom(r.Context()); a.Role == kindred.RoleAgent && a.AgentID != id {
		return kindred.Errorf(kindred.Forbidden, "agents may read their own coaching view only; a lead can read anyone's")
	}
	c, err := s.cfg.Insights.Coaching(r.Context(), id, p)
	if err != nil {
		return s.storeFailed("Coaching", err)
	}
	return writeJSON(w, http.StatusOK, c)
}

func (s *server) listKindness(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "from", "to", "limit", "offset")
	p := s.period(q)
	page := q.page()
	if err := q.Err(); err != nil {
		return err
	}
	list, err := s.cfg.Insights.KindnessLog(r.Context(), p, page)
	if err != nil {
		return s.storeFailed("KindnessLog", err)
	}
	return writeList(w, r, list, page)
}

type kindnessInput struct {
	AgentID        int64  `json:"agent_id"`
	What           string `json:"what"`
	ConversationID *int64 `json:"conversation_id"`
}

func (s *server) recordKindness(w http.ResponseWriter, r *http.Request) error {
	var in kindnessInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var c checker
	k := &kindred.Kindness{AgentID: in.AgentID, What: c.text("what", in.What, true, maxShortTextLen/2), ConversationID: in.ConversationID}
	if in.AgentID <= 0 {
		c.Add("agent_id", "say who did it: the id of a colleague")
	}
	if in.ConversationID != nil && *in.ConversationID <= 0 {
		c.Add("conversation_id", "must be a positive whole number")
	}
	if err := c.Err(); err != nil {
		return err
	}
	if err := s.cfg.Insights.RecordKindness(r.Context(), k); err != nil {
		return s.storeFailed("RecordKindness", err)
	}
	return writeJSON(w, http.StatusCreated, k)
}
