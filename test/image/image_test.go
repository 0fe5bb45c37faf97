// Package image_test builds the operator's image with make image and runs
// it with a container engine (podman by default; CONTAINER_TOOL=docker
// works too) against a local control plane: a kubeconfig mounted
// read-only, the embedded Partner Center simulator, config/samples applied
// and converged. The process must run as 65532:65532 on a read-only root
// filesystem, and the image must hold nothing but the binary and the CA
// bundle. Without a container engine the test is skipped; .ci/run installs
// podman so CI runs it.
package image_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
	"github.com/cosell-operator/cosell-operator/test/internal/proc"
	"github.com/cosell-operator/cosell-operator/test/internal/render"
)

// envtest logs through controller-runtime's logger; its output is noise here.
func init() { ctrllog.SetLogger(logr.Discard()) }

const (
	waitTimeout = 2 * time.Minute
	poll        = 250 * time.Millisecond
	uid         = "65532"
)

// engine is the container tool and the arguments every `run` needs.
type engine struct {
	tool    string
	runArgs []string
}

// findEngine picks CONTAINER_TOOL (default podman), or nil when it is not
// installed.
func findEngine() *engine {
	tool := os.Getenv("CONTAINER_TOOL")
	if tool == "" {
		tool = "podman"
	}
	path, err := exec.LookPath(tool)
	if err != nil {
		return nil
	}
	e := &engine{tool: path}
	if filepath.Base(tool) == "podman" {
		// crun fails on hosts with hybrid cgroups, and podman's default
		// ulimits can exceed the host's hard limits.
		if runc, err := exec.LookPath("runc"); err == nil {
			e.runArgs = append(e.runArgs, "--runtime", runc)
		} else if _, err := os.Stat("/usr/sbin/runc"); err == nil {
			e.runArgs = append(e.runArgs, "--runtime", "/usr/sbin/runc")
		}
		e.runArgs = append(e.runArgs, "--ulimit", "nofile=1000:1000", "--ulimit", "nproc=1000:1000")
	}
	return e
}

func (e *engine) cmd(ctx context.Context, args ...string) *exec.Cmd {
	if len(args) > 0 && args[0] == "run" {
		args = append(append([]string{"run"}, e.runArgs...), args[1:]...)
	}
	return exec.CommandContext(ctx, e.tool, args...)
}

func (e *engine) output(g Gomega, ctx context.Context, args ...string) string {
	var stdout, stderr bytes.Buffer
	cmd := e.cmd(ctx, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred(), "%s %s: %s", e.tool, strings.Join(args, " "), stderr.String())
	return stdout.String()
}

// The objects of config/samples that reach Ready on their own.
var samplesReady = []client.Object{
	&v1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Name: "contoso-analytics"}},
	&v1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Name: "contoso-fieldservice"}},
	&v1.Solution{ObjectMeta: metav1.ObjectMeta{Name: "ocp-contoso-analytics"}},
	&v1.Solution{ObjectMeta: metav1.ObjectMeta{Name: "ocp-contoso-fieldservice"}},
	&v1.Solution{ObjectMeta: metav1.ObjectMeta{Name: "ocp-contoso-legacy-crm"}},
}

func TestImageRunsAgainstALocalControlPlane(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the container image")
	}
	e := findEngine()
	if e == nil {
		t.Skip("no container engine: install podman and runc (apt-get install -y podman runc; make image does it) or set CONTAINER_TOOL=docker")
	}
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	root := testenv.RepoRoot()
	img := os.Getenv("IMG")
	if img == "" {
		img = "localhost/cosell-operator:image-test"
	}

	// make image: the one build recipe.
	begin := time.Now()
	build := exec.CommandContext(ctx, "make", "image", "IMG="+img, "CONTAINER_TOOL="+e.tool)
	build.Dir = root
	out, err := build.CombinedOutput()
	g.Expect(err).NotTo(HaveOccurred(), "make image:\n%s", out)
	t.Logf("make image: %s", time.Since(begin).Round(time.Second))

	// What the image is: labels, user, size, and its files.
	var inspect []struct {
		Size   int64
		Config struct {
			User       string
			Entrypoint []string
			Labels     map[string]string
		}
	}
	g.Expect(json.Unmarshal([]byte(e.output(g, ctx, "image", "inspect", img)), &inspect)).To(Succeed())
	g.Expect(inspect).To(HaveLen(1))
	info := inspect[0]
	t.Logf("image %s: %.1f MiB", img, float64(info.Size)/(1<<20))
	g.Expect(info.Config.User).To(Equal(uid + ":" + uid))
	g.Expect(info.Config.Entrypoint).To(Equal([]string{"/manager"}))
	for _, label := range []string{"version", "revision", "source", "created"} {
		g.Expect(info.Config.Labels).To(HaveKeyWithValue("org.opencontainers.image."+label, Not(BeEmpty())), label)
	}
	g.Expect(info.Config.Labels["org.opencontainers.image.revision"]).To(MatchRegexp(`^[0-9a-f]{40}$`))
	g.Expect(imageFiles(g, ctx, e, img)).To(ConsistOf("manager", "etc/ssl/certs/ca-certificates.crt"),
		"nothing but the binary and the CA bundle: no shell")

	// A control plane, reached from the container over the host network.
	env, err := testenv.Start()
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = env.Stop() })
	admin, err := client.New(env.Config, client.Options{Scheme: scheme.Scheme})
	g.Expect(err).NotTo(HaveOccurred())
	dir := t.TempDir()
	g.Expect(os.Chmod(dir, 0o755)).To(Succeed())
	g.Expect(render.WriteKubeconfig(filepath.Join(dir, "kubeconfig"), env.Config)).To(Succeed())

	name := fmt.Sprintf("cosell-operator-image-test-%d", os.Getpid())
	metrics, probe, sim := proc.FreeAddr(t), proc.FreeAddr(t), proc.FreeAddr(t)
	e.output(g, ctx, "run", "--detach", "--name", name, "--network", "host", "--read-only",
		"--volume", dir+":/etc/cosell-operator:ro",
		img,
		"--kubeconfig=/etc/cosell-operator/kubeconfig",
		"--metrics-bind-address="+metrics, "--metrics-secure=false", "--health-probe-bind-address="+probe, "--simulator-addr="+sim,
		"--simulator-certification-delay=1s", "--simulator-merge-delay=1s")
	t.Cleanup(func() {
		if t.Failed() {
			logs, _ := e.cmd(context.Background(), "logs", name).CombinedOutput()
			t.Logf("container log:\n%s", logs)
		}
		_ = e.cmd(context.Background(), "rm", "--force", "--time", "5", name).Run()
	})

	g.Eventually(func(g Gomega) {
		resp, err := http.Get("http://" + probe + "/readyz")
		g.Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	}, waitTimeout, poll).Should(Succeed(), "the manager in the container is ready")

	// The process: user and group 65532, a read-only root filesystem.
	pid := strings.TrimSpace(e.output(g, ctx, "inspect", "--format", "{{.State.Pid}}", name))
	status := procFile(g, pid, "status")
	g.Expect(status).To(MatchRegexp(`(?m)^Uid:\s+` + uid + `\s+` + uid + `\s+` + uid + `\s+` + uid + `$`))
	g.Expect(status).To(MatchRegexp(`(?m)^Gid:\s+` + uid + `\s+` + uid + `\s+` + uid + `\s+` + uid + `$`))
	g.Expect(rootMountOptions(g, procFile(g, pid, "mountinfo"))).To(ContainElement("ro"), "the root filesystem is mounted read-only")

	// config/samples converge.
	g.Expect(render.ApplySamples(ctx, admin, corev1.NamespaceDefault)).To(Succeed())
	g.Eventually(func(g Gomega) {
		for _, obj := range samplesReady {
			obj = obj.DeepCopyObject().(client.Object)
			g.Expect(admin.Get(ctx, client.ObjectKey{Namespace: corev1.NamespaceDefault, Name: obj.GetName()}, obj)).To(Succeed())
			var conds []metav1.Condition
			switch o := obj.(type) {
			case *v1.MarketplaceOffer:
				conds = o.Status.Conditions
			case *v1.Solution:
				conds = o.Status.Conditions
			}
			ready := meta.FindStatusCondition(conds, v1.ReadyCondition)
			g.Expect(ready).NotTo(BeNil(), obj.GetName())
			g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "%s: %s", obj.GetName(), ready.Message)
			g.Expect(ready.ObservedGeneration).To(Equal(obj.GetGeneration()))
		}
	}, waitTimeout, poll).Should(Succeed(), "config/samples converge with the operator in the image")
	t.Logf("samples Ready %s after make image started", time.Since(begin).Round(time.Second))
}

// imageFiles lists the regular files of the image's filesystem.
func imageFiles(g Gomega, ctx context.Context, e *engine, img string) []string {
	id := strings.TrimSpace(e.output(g, ctx, "create", img))
	defer func() { _ = e.cmd(context.Background(), "rm", id).Run() }()
	var stdout bytes.Buffer
	cmd := e.cmd(ctx, "export", id)
	cmd.Stdout = &stdout
	g.ExpectWithOffset(1, cmd.Run()).To(Succeed())
	var files []string
	tr := tar.NewReader(&stdout)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
		if h.Typeflag != tar.TypeDir {
			files = append(files, strings.TrimPrefix(h.Name, "/"))
		}
	}
	return files
}

func procFile(g Gomega, pid, name string) string {
	data, err := os.ReadFile(filepath.Join("/proc", pid, name))
	g.ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return string(data)
}

// rootMountOptions are the mount options of "/" in a mountinfo file.
func rootMountOptions(g Gomega, mountinfo string) []string {
	sc := bufio.NewScanner(strings.NewReader(mountinfo))
	for sc.Scan() {
		// id parent major:minor root mountpoint options ...
		f := strings.Fields(sc.Text())
		if len(f) > 5 && f[4] == "/" {
			return strings.Split(f[5], ",")
		}
	}
	g.ExpectWithOffset(1, false).To(BeTrue(), "no / in mountinfo:\n%s", mountinfo)
	return nil
}
