package prometheus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

var (
	root       = filepath.Join("..", "..")
	configDir  = filepath.Join(root, "config", "prometheus")
	chartFiles = filepath.Join(root, "charts", "cosell-operator", "files")
	promql     = parser.NewParser(parser.Options{})
)

// The alerts issue 14 asks for, by what they watch.
var requiredAlerts = map[string]string{
	"CosellOffersStalled":             "objects stalled longer than an hour",
	"CosellSolutionsStalled":          "objects stalled longer than an hour",
	"CosellCertificationFailed":       "certification failures",
	"CosellPartnerCenterThrottled":    "Partner Center 429 rate",
	"CosellPartnerCenterServerErrors": "Partner Center 5xx rate",
	"CosellReconcileErrors":           "reconcile errors",
	"CosellOfferTimeToLiveSlow":       "time to live",
	"CosellOfferOutOfSync":            "an offer out of sync (issue 29 §3)",
}

// parseRules reads the groups of a PrometheusRule object and parses them
// with Prometheus's rule-file parser, which validates every expression,
// duration, label and annotation template.
func parseRules(content []byte) (*rulefmt.RuleGroups, []error) {
	var obj struct {
		APIVersion string    `yaml:"apiVersion"`
		Kind       string    `yaml:"kind"`
		Spec       yaml.Node `yaml:"spec"`
	}
	if err := yaml.Unmarshal(content, &obj); err != nil {
		return nil, []error{err}
	}
	if obj.Kind != "PrometheusRule" || obj.APIVersion != "monitoring.coreos.com/v1" {
		return nil, []error{&wrongKind{obj.APIVersion, obj.Kind}}
	}
	spec, err := yaml.Marshal(&obj.Spec)
	if err != nil {
		return nil, []error{err}
	}
	return rulefmt.Parse(spec, false, model.UTF8Validation, promql, slog.New(slog.DiscardHandler))
}

type wrongKind struct{ apiVersion, kind string }

func (w *wrongKind) Error() string {
	return "not a monitoring.coreos.com/v1 PrometheusRule: " + w.apiVersion + " " + w.kind
}

// metricNames returns the metric names that a PromQL expression selects.
func metricNames(g Gomega, expr string) []string {
	ast, err := promql.ParseExpr(expr)
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred(), "PromQL: %s", expr)
	var names []string
	parser.Inspect(ast, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			name := vs.Name
			for _, m := range vs.LabelMatchers {
				if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
					name = m.Value
				}
			}
			g.ExpectWithOffset(2, name).NotTo(BeEmpty(), "a selector without a metric name in %s", expr)
			names = append(names, name)
		}
		return nil
	})
	return names
}

// listedMetrics reads config/prometheus/metrics.txt.
func listedMetrics(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(configDir, "metrics.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	return names
}

func TestAlertRulesParseWithPrometheusAndCoverTheIssue(t *testing.T) {
	g := NewWithT(t)
	content, err := os.ReadFile(filepath.Join(configDir, "prometheusrule.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	groups, errs := parseRules(content)
	g.Expect(errs).To(BeEmpty())
	alerts := map[string]rulefmt.Rule{}
	for _, group := range groups.Groups {
		for _, r := range group.Rules {
			g.Expect(r.Alert).NotTo(BeEmpty(), "only alerts, no recording rules: %s", r.Expr)
			g.Expect(alerts).NotTo(HaveKey(r.Alert), "alert names are unique")
			alerts[r.Alert] = r
			g.Expect(r.Labels).To(HaveKey("severity"), r.Alert)
			g.Expect(r.Labels["severity"]).To(BeElementOf("critical", "warning", "info"), r.Alert)
			g.Expect(r.Annotations).To(HaveKey("summary"), r.Alert)
			g.Expect(r.Annotations).To(HaveKey("description"), r.Alert)
			g.Expect(r.For).To(BeNumerically(">", 0), "%s: a for duration, so a single scrape does not page", r.Alert)
		}
	}
	for name, why := range requiredAlerts {
		g.Expect(alerts).To(HaveKey(name), "the alert for %s", why)
	}
	// Stalled means for over an hour.
	for _, name := range []string{"CosellOffersStalled", "CosellSolutionsStalled"} {
		g.Expect(alerts[name].For).To(Equal(model.Duration(3600e9)), name)
	}
	g.Expect(alerts["CosellOfferOutOfSync"].For).To(Equal(model.Duration(30*60e9)), "out of sync for 30m")
	g.Expect(alerts["CosellOfferOutOfSync"].Expr).To(ContainSubstring("by (namespace, name)"), "says which offer")
	g.Expect(alerts["CosellPartnerCenterThrottled"].Expr).To(ContainSubstring(`code="429"`))
	g.Expect(alerts["CosellPartnerCenterServerErrors"].Expr).To(ContainSubstring(`code=~"5..`))
}

// The checks above must reject what Prometheus would reject.
func TestParseRulesRejectsBrokenRules(t *testing.T) {
	for name, rule := range map[string]string{
		"invalid PromQL":       "- alert: A\n  expr: sum(rate(x[5m])\n",
		"invalid duration":     "- alert: A\n  expr: up == 0\n  for: 1hour\n",
		"broken template":      "- alert: A\n  expr: up == 0\n  annotations:\n    summary: '{{ $value'\n",
		"unknown field":        "- alert: A\n  expr: up == 0\n  severity: warning\n",
		"alert and record":     "- alert: A\n  record: a:b\n  expr: up == 0\n",
		"invalid record label": "- record: a:b\n  expr: up\n  labels:\n    __name__: x\n",
	} {
		t.Run(name, func(t *testing.T) {
			obj := "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n    - name: g\n      rules:\n" + indent(rule, 8)
			_, errs := parseRules([]byte(obj))
			NewWithT(t).Expect(errs).NotTo(BeEmpty())
		})
	}
	_, errs := parseRules([]byte("apiVersion: v1\nkind: ConfigMap\n"))
	NewWithT(t).Expect(errs).NotTo(BeEmpty())
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad) + "\n"
}

// grafanaVariables are replaced by values of the right kind before the
// panel queries are parsed as PromQL.
var grafanaVariables = strings.NewReplacer(
	"$__rate_interval", "5m", "${__rate_interval}", "5m", "$__interval", "1m", "$job", ".*", "${job}", ".*")

// labelValues matches Grafana's label_values(selector, label) variable query.
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*\w+\)$`)

// dashboardQueries returns every PromQL query of the dashboard: panel
// targets (rows included) and template variable queries.
func dashboardQueries(g Gomega, content []byte) []string {
	var dash struct {
		Panels     []panel `json:"panels"`
		Templating struct {
			List []struct {
				Type  string          `json:"type"`
				Query json.RawMessage `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	dec := json.NewDecoder(bytes.NewReader(content))
	g.Expect(dec.Decode(&dash)).To(Succeed())
	var queries []string
	var walk func([]panel)
	walk = func(panels []panel) {
		for _, p := range panels {
			for _, t := range p.Targets {
				g.Expect(t.Expr).NotTo(BeEmpty(), "panel %q has a target without a query", p.Title)
				queries = append(queries, grafanaVariables.Replace(t.Expr))
			}
			walk(p.Panels)
		}
	}
	walk(dash.Panels)
	for _, v := range dash.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct {
			Query string `json:"query"`
		}
		g.Expect(json.Unmarshal(v.Query, &q)).To(Succeed())
		m := labelValues.FindStringSubmatch(q.Query)
		g.Expect(m).NotTo(BeNil(), "a variable query other than label_values(selector, label): %s", q.Query)
		queries = append(queries, grafanaVariables.Replace(m[1]))
	}
	return queries
}

type panel struct {
	Title   string `json:"title"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

// TestEveryMetricIsListed checks that the rules and the dashboard use only
// the metrics of metrics.txt, which the end-to-end test finds on the
// operator's /metrics, and that the list names nothing they do not use.
func TestEveryMetricIsListed(t *testing.T) {
	g := NewWithT(t)
	used := map[string][]string{} // metric name -> where
	rules, err := os.ReadFile(filepath.Join(configDir, "prometheusrule.yaml"))
	g.Expect(err).NotTo(HaveOccurred())
	groups, errs := parseRules(rules)
	g.Expect(errs).To(BeEmpty())
	for _, group := range groups.Groups {
		for _, r := range group.Rules {
			for _, name := range metricNames(g, r.Expr) {
				used[name] = append(used[name], "alert "+r.Alert)
			}
		}
	}
	dashboard, err := os.ReadFile(filepath.Join(configDir, "dashboard.json"))
	g.Expect(err).NotTo(HaveOccurred())
	queries := dashboardQueries(g, dashboard)
	g.Expect(len(queries)).To(BeNumerically(">=", 10), "the dashboard's queries")
	for _, q := range queries {
		for _, name := range metricNames(g, q) {
			used[name] = append(used[name], "dashboard: "+q)
		}
	}
	listed := listedMetrics(t)
	for name, where := range used {
		g.Expect(listed).To(ContainElement(name), "%s, used by %v, is missing from config/prometheus/metrics.txt", name, where)
	}
	for _, name := range listed {
		g.Expect(used).To(HaveKey(name), "config/prometheus/metrics.txt lists %s, which no rule or panel uses", name)
	}
}

// The name check must catch a metric that is not listed.
func TestMetricNamesFindsEverySelector(t *testing.T) {
	g := NewWithT(t)
	g.Expect(metricNames(g, `sum(rate(a_total{x="1"}[5m])) / on() group_left b or {__name__="c"} > bool scalar(d)`)).
		To(ConsistOf("a_total", "b", "c", "d"))
	g.Expect(dashboardQueries(g, []byte(`{"panels":[{"title":"row","panels":[{"title":"p","targets":[{"expr":"rate(x_total{job=~\"$job\"}[$__rate_interval])"}]}]}],
		"templating":{"list":[{"type":"query","query":{"query":"label_values(y{a=\"b\"}, job)"}}]}}`))).
		To(Equal([]string{`rate(x_total{job=~".*"}[5m])`, `y{a="b"}`}))
}

// The chart's copies (make manifests) are the files of config/prometheus.
func TestChartCopiesMatchConfig(t *testing.T) {
	for _, f := range []string{"prometheusrule.yaml", "dashboard.json"} {
		want, err := os.ReadFile(filepath.Join(configDir, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(chartFiles, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("charts/cosell-operator/files/%s differs from config/prometheus/%s: run make manifests", f, f)
		}
	}
}
