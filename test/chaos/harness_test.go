package chaos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/simulator"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
	testproc "github.com/cosell-operator/cosell-operator/test/internal/proc"
	"github.com/cosell-operator/cosell-operator/test/workload"
)

// Namespace of the chaos objects and of the leader-election Lease.
const namespace = "default"

var (
	env        *testenv.Environment
	k8s        client.Client
	scheme     = runtime.NewScheme()
	operator   string // the operator binary
	kubeconfig string // kubeconfig of an administrator of env
	// kubeconfigFlag: the manager takes --kubeconfig (docs/operate.md, "Command line");
	// when a build does not, KUBECONFIG carries it instead.
	kubeconfigFlag bool
	operatorHelp   string
	workDir        string
	failed         bool
)

func TestMain(m *testing.M) {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
	// envtest and the client log through controller-runtime; the operator's
	// own logs go to files.
	ctrl.SetLogger(logr.Discard())
	os.Exit(run(m))
}

func run(m *testing.M) int {
	// Children die with the test binary, whatever ends it.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		killAll()
		if env != nil {
			_ = env.Stop()
		}
		fmt.Fprintln(os.Stderr, "chaos: interrupted by", s)
		os.Exit(2)
	}()
	defer killAll()

	var err error
	if workDir, err = os.MkdirTemp("", "cosell-chaos-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	operator = filepath.Join(workDir, "cosell-operator")
	start := time.Now()
	build := exec.Command("go", "build", "-o", operator, ".")
	if os.Getenv("CHAOS_RACE") != "" {
		build = exec.Command("go", "build", "-race", "-o", operator, ".")
	}
	build.Dir = testenv.RepoRoot()
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "chaos: building the operator:", err)
		return 1
	}
	help, _ := exec.Command(operator, "--help").CombinedOutput()
	operatorHelp = string(help)
	kubeconfigFlag = strings.Contains(operatorHelp, "-kubeconfig")
	fmt.Printf("chaos: built %s in %s (--kubeconfig flag supported: %v)\n", operator, time.Since(start).Round(time.Millisecond), kubeconfigFlag)

	start = time.Now()
	if env, err = testenv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	fmt.Printf("chaos: control plane up in %s at %s\n", time.Since(start).Round(time.Millisecond), env.Config.Host)
	cfg := *env.Config
	cfg.QPS, cfg.Burst = 200, 400
	if k8s, err = client.New(&cfg, client.Options{Scheme: scheme}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	user, err := env.AddUser(envtest.User{Name: "chaos-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos: adding the admin user:", err)
		return 1
	}
	raw, err := user.KubeConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos: kubeconfig:", err)
		return 1
	}
	kubeconfig = filepath.Join(workDir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, raw, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	code := m.Run()
	killAll()
	if code != 0 || failed || os.Getenv("CHAOS_KEEP_LOGS") != "" {
		fmt.Printf("chaos: logs kept in %s\n", workDir)
	} else {
		_ = os.RemoveAll(workDir)
	}
	return code
}

// ---- configuration ----------------------------------------------------------

// full is the size of `make chaos` (CHAOS_FULL=1); otherwise the short
// variant that `make test` runs.
func full() bool { return os.Getenv("CHAOS_FULL") != "" }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// newRand returns a random source seeded from CHAOS_SEED, or from the
// clock; the seed is printed so that a failing run can be repeated.
func newRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("CHAOS_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("random seed %d (set CHAOS_SEED to repeat)", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// ---- child processes ---------------------------------------------------------

var (
	procsMu sync.Mutex
	procs   = map[*proc]bool{}
)

// proc is a child process in a process group of its own.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// startProc starts bin with args, its output appended to logPath.
func startProc(t *testing.T, name, logPath string, extraEnv []string, bin string, args ...string) *proc {
	t.Helper()
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	fmt.Fprintf(log, "\n===== %s start %s: %s %s\n", time.Now().Format(time.RFC3339Nano), name, bin, strings.Join(args, " "))
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), extraEnv...)
	cmd.Stdout, cmd.Stderr = log, log
	// A group of its own, so that kill reaches everything it started; and
	// killed by the kernel should the test binary die first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	procsMu.Lock()
	procs[p] = true
	procsMu.Unlock()
	go func() {
		p.err = cmd.Wait()
		procsMu.Lock()
		delete(procs, p)
		procsMu.Unlock()
		close(p.done)
	}()
	t.Cleanup(p.kill)
	return p
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL to the process group and waits for the process.
func (p *proc) kill() {
	if p.exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// stop sends SIGTERM, then SIGKILL after grace.
func (p *proc) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill()
	}
}

func killAll() {
	procsMu.Lock()
	list := make([]*proc, 0, len(procs))
	for p := range procs {
		list = append(list, p)
	}
	procsMu.Unlock()
	for _, p := range list {
		p.kill()
	}
}

// tail returns the last n bytes of a file, for failure messages.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		_, _ = f.Seek(st.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

// ---- the standalone simulator ----------------------------------------------------

type sim struct {
	addr string
	proc *proc
	log  string
}

// startSimulator runs `cosell-operator simulator` with a generate: seed of
// n bench solutions, a store of its own and the faults spec, and waits for
// /healthz.
func startSimulator(t *testing.T, name string, n int, faults string) *sim {
	t.Helper()
	dir := filepath.Join(workDir, name)
	if err := os.MkdirAll(filepath.Join(dir, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	seed := filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(seed, workload.Seed(n), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &sim{log: filepath.Join(dir, "simulator.log")}
	for attempt := 1; ; attempt++ {
		s.addr = testproc.FreeAddr(t)
		args := []string{"simulator", "--addr", s.addr, "--store", filepath.Join(dir, "store"), "--seed", seed,
			"--certification-delay", "0", "--merge-delay", "0"}
		if faults != "" {
			args = append(args, "--faults", faults)
		}
		s.proc = startProc(t, "simulator", s.log, nil, operator, args...)
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) && !s.proc.exited() {
			if resp, err := http.Get("http://" + s.addr + "/healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					t.Logf("simulator %s up at %s (faults %q)", name, s.url(), faults)
					t.Cleanup(func() { s.proc.stop(10 * time.Second) })
					return s
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		s.proc.kill()
		if attempt == 3 {
			t.Fatalf("the simulator did not come up:\n%s", tail(s.log, 4000))
		}
	}
}

func (s *sim) url() string { return "http://" + s.addr + "/rp/product-ingestion" }

func (s *sim) stats(t *testing.T) simulator.Stats {
	t.Helper()
	var st simulator.Stats
	var err error
	for range 20 {
		var resp *http.Response
		if resp, err = http.Get("http://" + s.addr + "/simulator/stats"); err == nil {
			err = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if err == nil {
				return st
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("reading simulator stats: %v", err)
	return st
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// ---- the operator --------------------------------------------------------------

// operatorArgs are the manager's flags for the standalone simulator;
// CHAOS_OPERATOR_ARGS adds more (space-separated).
func operatorArgs(s *sim, extra ...string) ([]string, []string) {
	args := []string{"--partner-center", s.url(), "--metrics-bind-address", "0", "--health-probe-bind-address", "0"}
	var envs []string
	if kubeconfigFlag {
		args = append(args, "--kubeconfig", kubeconfig)
	} else {
		envs = append(envs, "KUBECONFIG="+kubeconfig)
	}
	args = append(args, extra...)
	args = append(args, strings.Fields(os.Getenv("CHAOS_OPERATOR_ARGS"))...)
	return args, envs
}

func startOperator(t *testing.T, name, logPath string, s *sim, extra ...string) *proc {
	t.Helper()
	args, envs := operatorArgs(s, extra...)
	return startProc(t, name, logPath, envs, operator, args...)
}

// ---- objects ---------------------------------------------------------------------

func offerName(i int) string { return fmt.Sprintf("chaos-offer-%05d", i) }

func solutionName(i int) string { return workload.SolutionName(i) }

func actionOf(i int) v1alpha1.SolutionAction { return workload.Action(i) }

// newOffer passes certification, goes live and is co-sell ready.
func newOffer(i int) *v1alpha1.MarketplaceOffer { return workload.Offer(namespace, offerName(i), i) }

func newSolution(i int) *v1alpha1.Solution { return workload.Solution(namespace, i, offerName(i)) }

// createObjects creates n offers and n solutions, 16 at a time, and
// removes them when the test ends (the next test's operator would
// otherwise reconcile them against its own simulator).
func createObjects(t *testing.T, n int) {
	t.Helper()
	start := time.Now()
	t.Cleanup(func() { deleteObjects(t) })
	var objs []client.Object
	for i := 1; i <= n; i++ {
		objs = append(objs, newSolution(i), newOffer(i))
	}
	work := make(chan client.Object)
	errs := make(chan error, len(objs))
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for o := range work {
				var err error
				for attempt := 0; attempt < 5; attempt++ {
					if err = k8s.Create(context.Background(), o); err == nil {
						break
					}
					time.Sleep(time.Second)
				}
				if err != nil {
					errs <- fmt.Errorf("creating %T %s: %w", o, o.GetName(), err)
				}
			}
		})
	}
	for _, o := range objs {
		work <- o
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("created %d MarketplaceOffers and %d Solutions in %s", n, n, time.Since(start).Round(time.Millisecond))
}

func deleteObjects(t *testing.T) {
	ctx := context.Background()
	_ = k8s.DeleteAllOf(ctx, &v1alpha1.Solution{}, client.InNamespace(namespace))
	_ = k8s.DeleteAllOf(ctx, &v1alpha1.MarketplaceOffer{}, client.InNamespace(namespace))
	_ = k8s.Delete(ctx, &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: leaseName}})
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var offers v1alpha1.MarketplaceOfferList
		var sols v1alpha1.SolutionList
		if k8s.List(ctx, &offers, client.InNamespace(namespace)) == nil && k8s.List(ctx, &sols, client.InNamespace(namespace)) == nil {
			if len(offers.Items)+len(sols.Items) == 0 {
				return
			}
			// Nothing runs to remove finalizers now.
			for i := range offers.Items {
				if o := &offers.Items[i]; len(o.Finalizers) > 0 {
					patch := client.MergeFrom(o.DeepCopy())
					o.Finalizers = nil
					_ = k8s.Patch(ctx, o, patch)
				}
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Errorf("objects of this test are still there after 2m")
}

// ---- convergence --------------------------------------------------------------------

// progress is what a list of the objects shows.
type progress struct {
	offersDone, solutionsDone, offers, solutions int
	states                                       map[string]int // Solution states and offer phases, for display
	notDone                                      []string       // a few objects not done, with why
}

func (p progress) done() int { return p.offersDone + p.solutionsDone }
func (p progress) all() bool {
	return p.offers > 0 && p.offersDone == p.offers && p.solutionsDone == p.solutions
}

func (p progress) String() string {
	keys := make([]string, 0, len(p.states))
	for k := range p.states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, p.states[k]))
	}
	return fmt.Sprintf("offers %d/%d, solutions %d/%d done [%s]", p.offersDone, p.offers, p.solutionsDone, p.solutions, strings.Join(parts, " "))
}

func readyFor(conds []metav1.Condition, gen int64) (bool, string) {
	c := meta.FindStatusCondition(conds, v1alpha1.ReadyCondition)
	switch {
	case c == nil:
		return false, "no Ready condition"
	case c.ObservedGeneration != gen:
		return false, fmt.Sprintf("Ready of generation %d, object at %d", c.ObservedGeneration, gen)
	case c.Status != metav1.ConditionTrue:
		return false, fmt.Sprintf("Ready=%s %s: %s", c.Status, c.Reason, c.Message)
	}
	return true, ""
}

// expectedState is the end state of solution i.
func expectedState(i int) v1alpha1.SolutionState {
	switch actionOf(i) {
	case v1alpha1.ActionMigrate:
		return v1alpha1.StateMigrated
	case v1alpha1.ActionMerge:
		return v1alpha1.StateMerged
	}
	return v1alpha1.StateDiscarded
}

// offerDone: Ready for its generation, live, with a product and a live
// submission (no published API reports a live URL).
func offerDone(o *v1alpha1.MarketplaceOffer) (bool, string) {
	if ok, why := readyFor(o.Status.Conditions, o.Generation); !ok {
		return false, why
	}
	switch {
	case o.Status.Phase != v1alpha1.PhaseLive:
		return false, "phase " + string(o.Status.Phase)
	case o.Status.ProductID == "" || o.Status.LiveSubmission == nil || o.Status.LiveSubmission.ID == "":
		return false, "no productID or live submission"
	case !meta.IsStatusConditionTrue(o.Status.Conditions, v1alpha1.LiveCondition):
		return false, "Live is not True"
	}
	return true, ""
}

func solutionDone(s *v1alpha1.Solution, i int) (bool, string) {
	if ok, why := readyFor(s.Status.Conditions, s.Generation); !ok {
		return false, why
	}
	if s.Status.State != expectedState(i) {
		return false, "state " + string(s.Status.State)
	}
	return true, ""
}

func indexOf(name string) int {
	i, _ := strconv.Atoi(name[strings.LastIndexByte(name, '-')+1:])
	return i
}

// observe lists the objects (uncached) and counts those in their end state.
func observe(ctx context.Context) (progress, error) {
	p := progress{states: map[string]int{}}
	var offers v1alpha1.MarketplaceOfferList
	if err := k8s.List(ctx, &offers, client.InNamespace(namespace)); err != nil {
		return p, err
	}
	var sols v1alpha1.SolutionList
	if err := k8s.List(ctx, &sols, client.InNamespace(namespace)); err != nil {
		return p, err
	}
	p.offers, p.solutions = len(offers.Items), len(sols.Items)
	for i := range offers.Items {
		o := &offers.Items[i]
		phase := string(o.Status.Phase)
		if phase == "" {
			phase = "none"
		}
		p.states["offer:"+phase]++
		if ok, why := offerDone(o); ok {
			p.offersDone++
		} else if len(p.notDone) < 10 {
			p.notDone = append(p.notDone, "MarketplaceOffer "+o.Name+": "+why)
		}
	}
	for i := range sols.Items {
		s := &sols.Items[i]
		state := string(s.Status.State)
		if state == "" {
			state = "none"
		}
		p.states["sol:"+state]++
		if ok, why := solutionDone(s, indexOf(s.Name)); ok {
			p.solutionsDone++
		} else if len(p.notDone) < 10 {
			p.notDone = append(p.notDone, "Solution "+s.Name+": "+why)
		}
	}
	return p, nil
}

// awaitConvergence polls until every object is done, printing progress,
// and fails the test after timeout.
func awaitConvergence(t *testing.T, timeout time.Duration, logs ...string) time.Duration {
	t.Helper()
	start := time.Now()
	lastPrint := time.Time{}
	var p progress
	var err error
	for {
		p, err = observe(context.Background())
		if err == nil && p.all() {
			t.Logf("converged after %s: %s", time.Since(start).Round(time.Millisecond), p)
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			break
		}
		if time.Since(lastPrint) > 10*time.Second {
			t.Logf("  %s: %v", time.Since(start).Round(time.Second), p)
			lastPrint = time.Now()
		}
		time.Sleep(time.Second)
	}
	failed = true
	for _, l := range logs {
		t.Logf("tail of %s:\n%s", l, tail(l, 6000))
	}
	t.Fatalf("not converged after %s: %v (err %v)\n  %s", timeout, p, err, strings.Join(p.notDone, "\n  "))
	return 0
}

// ---- the invariants ---------------------------------------------------------------------

// checkEndState asserts the cross-object end state: every offer live with
// its own product; migrated solutions carry their offer's product and the
// offer names them; merged solutions are listed by their offer.
func checkEndState(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	var offers v1alpha1.MarketplaceOfferList
	var sols v1alpha1.SolutionList
	deadline := time.Now().Add(time.Minute)
	for {
		var problems []string
		if err := k8s.List(ctx, &offers, client.InNamespace(namespace)); err != nil {
			t.Fatal(err)
		}
		if err := k8s.List(ctx, &sols, client.InNamespace(namespace)); err != nil {
			t.Fatal(err)
		}
		byName := map[string]*v1alpha1.MarketplaceOffer{}
		products := map[string]string{}
		for i := range offers.Items {
			o := &offers.Items[i]
			byName[o.Name] = o
			if other, dup := products[o.Status.ProductID]; dup {
				problems = append(problems, fmt.Sprintf("offers %s and %s share product %s", other, o.Name, o.Status.ProductID))
			}
			products[o.Status.ProductID] = o.Name
		}
		for i := range sols.Items {
			s := &sols.Items[i]
			idx := indexOf(s.Name)
			o := byName[offerName(idx)]
			if o == nil {
				problems = append(problems, "no offer for "+s.Name)
				continue
			}
			switch actionOf(idx) {
			case v1alpha1.ActionMigrate:
				if s.Status.ProductID != o.Status.ProductID || o.Status.MigratedFrom != s.Spec.SolutionID {
					problems = append(problems, fmt.Sprintf("migrated %s: product %s, offer %s has product %s migratedFrom %q",
						s.Name, s.Status.ProductID, o.Name, o.Status.ProductID, o.Status.MigratedFrom))
				}
			case v1alpha1.ActionMerge:
				if s.Status.SupportRequestID == "" || !slices.Contains(o.Status.MergedSolutions, s.Spec.SolutionID) {
					problems = append(problems, fmt.Sprintf("merged %s: support request %q, offer %s lists merged %v",
						s.Name, s.Status.SupportRequestID, o.Name, o.Status.MergedSolutions))
				}
			}
		}
		if len(offers.Items) != n || len(sols.Items) != n {
			problems = append(problems, fmt.Sprintf("%d offers and %d solutions, want %d each", len(offers.Items), len(sols.Items), n))
		}
		if len(problems) == 0 {
			t.Logf("end state: %d offers live with distinct products; %d solutions migrated/merged/discarded as asked, offers list them", n, n)
			return
		}
		if time.Now().After(deadline) {
			failed = true
			if len(problems) > 10 {
				problems = append(problems[:10], fmt.Sprintf("... %d more", len(problems)-10))
			}
			t.Fatalf("end state:\n  %s", strings.Join(problems, "\n  "))
		}
		time.Sleep(time.Second)
	}
}

// figures are the per-object counts of the simulator, summarised.
type figures struct {
	name                string
	min, max, total, of int
	bad                 []string
}

func (f figures) String() string {
	s := fmt.Sprintf("%-36s min=%d max=%d total=%d over %d", f.name, f.min, f.max, f.total, f.of)
	if len(f.bad) > 0 {
		s += fmt.Sprintf("  WRONG: %v", firstN(f.bad, 5))
	}
	return s
}

func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// count summarises m over ids, each expected to be want.
func count(name string, m map[string]int, ids []string, want int) figures {
	f := figures{name: name, min: -1, of: len(ids)}
	for _, id := range ids {
		v := m[id]
		if f.min < 0 || v < f.min {
			f.min = v
		}
		f.max = max(f.max, v)
		f.total += v
		if v != want {
			f.bad = append(f.bad, fmt.Sprintf("%s=%d", id, v))
		}
	}
	return f
}

// checkOneJobPerWrite asserts that every write the operator intends made
// exactly one configure job, counted in the simulator (Stats.ConfigureJobs):
// per offer one create (none for an offer whose product a migration made),
// one draft write, one preview and one live submission. A write sent
// again after a lost answer (the fault dropafter) would count twice.
func checkOneJobPerWrite(t *testing.T, st simulator.Stats, n int) {
	t.Helper()
	var offers, created, migrated []string
	for i := 1; i <= n; i++ {
		offers = append(offers, offerName(i))
		if actionOf(i) == v1alpha1.ActionMigrate {
			migrated = append(migrated, offerName(i))
		} else {
			created = append(created, offerName(i))
		}
	}
	jobs := st.ConfigureJobs
	all := []figures{
		count("create jobs per created offer", jobs["create"], created, 1),
		count("create jobs per migrated offer", jobs["create"], migrated, 0),
		count("draft jobs per offer", jobs["draft"], offers, 1),
		count("preview jobs per offer", jobs["preview"], offers, 1),
		count("live jobs per offer", jobs["live"], offers, 1),
	}
	var b strings.Builder
	b.WriteString("configure jobs per intended write:\n")
	ok := true
	for _, f := range all {
		fmt.Fprintf(&b, "  %s\n", f)
		ok = ok && len(f.bad) == 0
	}
	t.Log(b.String())
	if !ok {
		failed = true
		t.Errorf("a write made more (or fewer) configure jobs than intended (see above)")
	}
}

// checkStats asserts and prints the simulator's invariants: one product,
// one preview and one live submission per offer, and exactly one accepted
// migration, merge request or discard per solution as its action asks.
func checkStats(t *testing.T, st simulator.Stats, n int) {
	t.Helper()
	var offers, migrate, merge, discard, sols []string
	for i := 1; i <= n; i++ {
		offers = append(offers, offerName(i))
		sols = append(sols, solutionName(i))
		switch actionOf(i) {
		case v1alpha1.ActionMigrate:
			migrate = append(migrate, solutionName(i))
		case v1alpha1.ActionMerge:
			merge = append(merge, solutionName(i))
		default:
			discard = append(discard, solutionName(i))
		}
	}
	all := []figures{
		count("products per offer", st.ProductsByOfferID, offers, 1),
		count("preview submissions per offer", st.PreviewSubmissions, offers, 1),
		count("live submissions per offer", st.LiveSubmissions, offers, 1),
		count("migrations per Migrate solution", st.Migrations, migrate, 1),
		count("merge requests per Merge solution", st.MergeRequests, merge, 1),
		count("discards per Discard solution", st.Discards, discard, 1),
		count("undo-discards per solution", st.UndoDiscards, sols, 0),
	}
	// Nothing for other offer IDs or the wrong kind of solution.
	extra := map[string]int{}
	for id, v := range st.ProductsByOfferID {
		if !strings.HasPrefix(id, "chaos-offer-") {
			extra["product "+id] = v
		}
	}
	for _, id := range append(slices.Clone(merge), discard...) {
		if st.Migrations[id] != 0 {
			extra["migration of "+id] = st.Migrations[id]
		}
	}
	for _, id := range append(slices.Clone(migrate), discard...) {
		if st.MergeRequests[id] != 0 {
			extra["merge request of "+id] = st.MergeRequests[id]
		}
	}
	for _, id := range append(slices.Clone(migrate), merge...) {
		if st.Discards[id] != 0 {
			extra["discard of "+id] = st.Discards[id]
		}
	}
	var b strings.Builder
	b.WriteString("simulator invariants:\n")
	ok := len(extra) == 0
	for _, f := range all {
		fmt.Fprintf(&b, "  %s\n", f)
		ok = ok && len(f.bad) == 0
	}
	fmt.Fprintf(&b, "  unexpected work: %v\n", extra)
	fmt.Fprintf(&b, "  requests: %d in all; %s\n", sum(st.Requests), topRequests(st.Requests, 12))
	if len(st.Faults) > 0 {
		fmt.Fprintf(&b, "  faults injected: %v (%d in all)\n", st.Faults, sum(st.Faults))
	}
	t.Log(b.String())
	if !ok {
		failed = true
		t.Errorf("simulator invariants violated (see above)")
	}
}

func topRequests(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var list []kv
	for k, v := range m {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].v > list[j].v || list[i].v == list[j].v && list[i].k < list[j].k })
	var parts []string
	for _, e := range firstN(list, n) {
		parts = append(parts, fmt.Sprintf("%q=%d", e.k, e.v))
	}
	return strings.Join(parts, ", ")
}

// ---- leader election -------------------------------------------------------------------

const leaseName = "cosell-operator.marketplace.cosell.io"

// leaseHolder reads the Lease's holder, "" when there is none.
func leaseHolder(ctx context.Context) (string, *coordinationv1.Lease) {
	l := &coordinationv1.Lease{}
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: namespace, Name: leaseName}, l); err != nil {
		return "", nil
	}
	return ptr.Deref(l.Spec.HolderIdentity, ""), l
}
