package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/offerdraft"
	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"
	"github.com/cosell-operator/cosell-operator/internal/partnercenter/ingestion"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
)

const sample = "../../config/samples/marketplace_v1alpha1_marketplaceoffer_analytics.yaml"

// startSimulator runs the simulator in process with a short certification.
func startSimulator(t *testing.T) (*simulator.Simulator, *ingestion.Client) {
	t.Helper()
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := simulator.New(simulator.Options{Addr: "127.0.0.1:0", CertificationDelay: 50 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { cancel(); _ = sim.Close() })
	g.Expect(sim.Start(ctx)).To(Succeed())
	c, err := ingestion.New(ingestion.Options{BaseURL: sim.URL(), JobPollInterval: 10 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())
	return sim, c
}

// planJSON runs Main on the files (and flags, such as "--previous", x)
// and returns the exit status and the plan.
func planJSON(t *testing.T, url string, files ...string) (int, Result) {
	t.Helper()
	args := []string{"--partner-center", url, "--output", "json"}
	for i := 0; i < len(files); i++ {
		if strings.HasPrefix(files[i], "--") { // a flag and its value
			args = append(args, files[i], files[i+1])
			i++
			continue
		}
		args = append(args, "-f", files[i])
	}
	var out, errOut bytes.Buffer
	code := Command(context.Background(), args, &out, &errOut)
	var res Result
	if code != ExitError {
		NewWithT(t).Expect(json.Unmarshal(out.Bytes(), &res)).To(Succeed(), out.String())
	}
	NewWithT(t).Expect(code).NotTo(Equal(ExitError), errOut.String())
	return code, res
}

func actions(o Object) []string {
	var out []string
	for _, a := range o.Actions {
		out = append(out, a.Action)
	}
	return out
}

// noWrites checks that the simulator saw no request but reads.
func noWrites(g Gomega, sim *simulator.Simulator) {
	reqs := sim.Stats().Requests
	g.Expect(reqs).NotTo(BeEmpty())
	for k := range reqs {
		g.Expect(k).To(HavePrefix("GET "), "plan made a write: %v", reqs)
	}
}

func TestPlanNewOfferThenConvergedThenOneFieldChanged(t *testing.T) {
	g := NewWithT(t)
	sim, c := startSimulator(t)
	code, res := planJSON(t, sim.URL(), sample)
	g.Expect(code).To(Equal(ExitChanges))
	g.Expect(res.APIVersion).To(Equal(SchemaVersion))
	g.Expect(res.Objects).To(HaveLen(1))
	acts := actions(res.Objects[0])
	g.Expect(acts[0]).To(Equal(ActionCreateProduct))
	g.Expect(acts).To(ContainElement(ActionWriteDraft))
	g.Expect(acts[len(acts)-2:]).To(Equal([]string{ActionSubmitPreview, ActionGoLive}))
	g.Expect(res.Objects[0].Actions).To(ContainElement(HaveField("Change", offerdraft.Change{Field: "listing.title", New: "Contoso Analytics"})))
	noWrites(g, sim)

	offers, _, err := ReadManifests([]string{sample}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	converge(t, c, offers[0])
	code, res = planJSON(t, sim.URL(), sample)
	g.Expect(code).To(Equal(ExitNoChanges), "%+v", res)
	g.Expect(res.Objects[0].Actions).To(BeEmpty())

	// One field changed: the plan names exactly it; writing the new spec
	// makes exactly one draft configure job (through the adapter, as the
	// controllers' ConfigureDraft does).
	changed := strings.Replace(readFile(t, sample), "price: \"499.00\"", "price: \"599.00\"", 1)
	file := t.TempDir() + "/offer.yaml"
	writeFile(t, file, changed)
	before := sim.Stats().Requests
	code, res = planJSON(t, sim.URL(), file)
	g.Expect(code).To(Equal(ExitChanges))
	var writes []offerdraft.Change
	for _, a := range res.Objects[0].Actions {
		if a.Action == ActionWriteDraft {
			writes = append(writes, a.Change)
		}
	}
	g.Expect(writes).To(Equal([]offerdraft.Change{{Field: "plans[standard].price", Old: "499.00", New: "599.00"}}))
	g.Expect(actions(res.Objects[0])).To(Equal([]string{ActionWriteDraft, ActionWriteCoSell, ActionSubmitPreview, ActionGoLive}))
	after := sim.Stats().Requests
	for k, n := range after {
		if !strings.HasPrefix(k, "GET ") {
			g.Expect(n).To(Equal(before[k]), "plan made a write: %s", k)
		}
	}

	offers, _, err = ReadManifests([]string{file}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	jobsBefore := sim.Stats().ConfigureJobs["draft"]["contoso-analytics"]
	await(t, c, func() (*pc.Job, error) {
		return c.ConfigureDraft(context.Background(), res.Objects[0].ProductID, "SoftwareAsAService", offerdraft.FromSpec(&offers[0].Spec))
	})
	g.Expect(sim.Stats().ConfigureJobs["draft"]["contoso-analytics"]).To(Equal(jobsBefore + 1))
	_, res = planJSON(t, sim.URL(), file)
	g.Expect(actions(res.Objects[0])).To(Equal([]string{ActionSubmitPreview, ActionGoLive}))
}

// converge takes offer where the operator would: product, draft, preview, live.
func converge(t *testing.T, c *ingestion.Client, offer *v1.MarketplaceOffer) {
	t.Helper()
	g := NewWithT(t)
	ctx := context.Background()
	job := await(t, c, func() (*pc.Job, error) {
		return c.CreateProduct(ctx, pc.ProductSpec{OfferID: offer.Spec.OfferID, OfferType: string(offer.Spec.OfferType), Name: offer.Spec.Listing.Title})
	})
	detail, err := c.GetJobDetail(ctx, job)
	g.Expect(err).NotTo(HaveOccurred())
	id := detail.ProductID()
	await(t, c, func() (*pc.Job, error) {
		return c.ConfigureDraft(ctx, id, string(offer.Spec.OfferType), offerdraft.FromSpec(&offer.Spec))
	})
	await(t, c, func() (*pc.Job, error) { return c.SubmitPreview(ctx, id) })
	var previewID string
	subs, err := c.ListSubmissions(ctx, id)
	g.Expect(err).NotTo(HaveOccurred())
	for _, s := range subs {
		if s.Target == pc.TargetPreview {
			previewID = s.ID
		}
	}
	await(t, c, func() (*pc.Job, error) { return c.GoLive(ctx, id, previewID) })
}

func await(t *testing.T, c *ingestion.Client, start func() (*pc.Job, error)) string {
	t.Helper()
	g := NewWithT(t)
	job, err := start()
	g.Expect(err).NotTo(HaveOccurred())
	if job.ID == "" {
		return ""
	}
	g.Eventually(func(g Gomega) {
		got, err := c.GetJob(context.Background(), job.ID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got.Succeeded()).To(BeTrue(), "%+v", got)
	}).WithTimeout(10 * time.Second).WithPolling(10 * time.Millisecond).Should(Succeed())
	return job.ID
}

func TestPlanNamesWhatTheAPIServerRefuses(t *testing.T) {
	g := NewWithT(t)
	sim, _ := startSimulator(t)
	text := strings.Replace(readFile(t, sample), "pricing: FlatRate", "pricing: Free", 1)
	file := t.TempDir() + "/offer.yaml"
	writeFile(t, file, text)
	code, res := planJSON(t, sim.URL(), file)
	g.Expect(code).To(Equal(ExitChanges))
	g.Expect(actions(res.Objects[0])).To(Equal([]string{ActionRejected}))
	g.Expect(res.Objects[0].Actions[0].Message).To(ContainSubstring("spec.plans"))
	g.Expect(sim.Stats().Requests).To(BeEmpty(), "a refused object is not looked up")
}

func TestPlanPreviousNamesTheOffersDeleted(t *testing.T) {
	g := NewWithT(t)
	sim, c := startSimulator(t)
	offers, _, err := ReadManifests([]string{sample}, nil)
	g.Expect(err).NotTo(HaveOccurred())
	converge(t, c, offers[0])
	before := sim.Stats().Requests
	empty := t.TempDir() + "/empty.yaml"
	writeFile(t, empty, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
	code, res := planJSON(t, sim.URL(), empty, "--previous", sample)
	g.Expect(code).To(Equal(ExitNoChanges), "deletionPolicy Orphan leaves the offer")
	g.Expect(res.Objects).To(HaveLen(1))
	g.Expect(res.Objects[0].Deleted).To(BeTrue())
	g.Expect(res.Objects[0].Notes).To(ContainElement(ContainSubstring("deletionPolicy Orphan")))

	deleting := strings.Replace(readFile(t, sample), "target: Live", "target: Live\n  deletionPolicy: Delete", 1)
	prev := t.TempDir() + "/offer.yaml"
	writeFile(t, prev, deleting)
	code, res = planJSON(t, sim.URL(), empty, "--previous", prev)
	g.Expect(code).To(Equal(ExitChanges))
	g.Expect(actions(res.Objects[0])).To(Equal([]string{ActionStopSale}))
	for k, n := range sim.Stats().Requests {
		if !strings.HasPrefix(k, "GET ") {
			g.Expect(n).To(Equal(before[k]), "plan made a write: %s", k)
		}
	}
}
