// Package insights holds the pure parts of kindred's measures of care: the
// statistics that turn the store's sums into a correlation with its
// confidence interval, the tables every chart's numbers are shown and
// exported in (CSV), and the charts themselves, drawn server-side as SVG
// with github.com/wcharczuk/go-chart.
//
// The numbers are computed in SQL by the store (internal/store/insights.go);
// nothing here touches a database or HTTP. Start with Tables, which lists
// every chart of the dashboard.
package insights
