package docs_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
)

func TestSplitCommands(t *testing.T) {
	g := NewWithT(t)
	body := `export KUBECONFIG=$PWD/.local/kubeconfig
alias kubectl=$PWD/bin/k8s/kubectl      # or your own kubectl

# a comment line
kubectl patch offer x --type merge -p '{"spec":{
  "a":"b # not a comment"}}'
kubectl patch solution y --type merge \
  -p '{}'
kubectl apply -f - <<'YAML'
kind: Thing   # not a comment of the shell
YAML
kubectl get cosell -w   # Ctrl-C once it's settled
`
	cmds, err := splitCommands(body)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cmds).To(HaveLen(6))
	g.Expect(cmds[0].text).To(Equal("export KUBECONFIG=$PWD/.local/kubeconfig"))
	g.Expect(setsState(cmds[0].text)).To(BeTrue())
	g.Expect(setsState(cmds[2].text)).To(BeFalse())
	g.Expect(cmds[2].text).To(HavePrefix("kubectl patch offer x"))
	g.Expect(cmds[2].text).To(HaveSuffix(`not a comment"}}'`))
	g.Expect(cmds[3].text).To(HaveSuffix("-p '{}'"))
	g.Expect(cmds[4].heredoc).To(Equal("kind: Thing   # not a comment of the shell\n"))
	g.Expect(cmds[4].text).To(HaveSuffix("\nYAML"))
	g.Expect(isWatch(cmds[5].text)).To(BeTrue())
	g.Expect(isWatch(cmds[3].text)).To(BeFalse())
	g.Expect(withoutWatch(cmds[5].text)).To(Equal("kubectl get cosell "))

	_, err = splitCommands("kubectl apply -f - <<EOF\nkind: x\n")
	g.Expect(err).To(MatchError(ContainSubstring("no EOF line")))
	_, err = splitCommands("echo 'open\n")
	g.Expect(err).To(MatchError(ContainSubstring("does not end")))
}

func TestMatchOutput(t *testing.T) {
	g := NewWithT(t)
	table := `NAME                   TYPE     PHASE   CO-SELL   READY
marketplaceoffer/a     SaaS     Live              True
`
	got := `NAME                                 TYPE   PHASE   CO-SELL   READY   AGE
marketplaceoffer.example.io/a        SaaS   Live              True    1m
marketplaceoffer.example.io/b        SaaS   Draft             False   1m
`
	g.Expect(matchOutput(table, got)).To(Succeed())
	g.Expect(matchOutput(table, `NAME                 TYPE   PHASE   CO-SELL    READY
marketplaceoffer/a   SaaS   Live    NotReady   True
`)).To(MatchError(ContainSubstring("marketplaceoffer/a CO-SELL")))
	g.Expect(matchOutput(table, "NAME   TYPE\n")).To(MatchError(ContainSubstring("no row marketplaceoffer/a")))

	g.Expect(matchOutput("failed ... no privacy\npolicy ... 30 characters", "x failed: the listing has no privacy policy; it has 30 characters")).To(Succeed())
	g.Expect(matchOutput("30 characters ... failed", "failed: 30 characters")).To(MatchError(ContainSubstring(`"failed"`)))
}

func TestMarkers(t *testing.T) {
	dir := t.TempDir()
	read := func(text string) ([]block, error) {
		if err := os.WriteFile(filepath.Join(dir, "x.md"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return readBlocks(dir, "x.md")
	}
	g := NewWithT(t)
	blocks, err := read("<!-- docs-test: demo begins -->\n```sh\nmake run\n```\n<!-- docs-test: output -->\n\n```text\nok\n```\n<!-- docs-test: demo ends -->\n<!-- docs-test: skip: a fragment -->\n```yaml\nkind: X\n```\n```yaml\na: b\n```\n")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(blocks).To(HaveLen(4))
	g.Expect(blocks[0].demo).To(BeTrue())
	g.Expect(blocks[1].marker).To(Equal(markOutput))
	g.Expect(blocks[2].demo).To(BeFalse())
	g.Expect(blocks[2].marker).To(Equal(markSkip))
	g.Expect(blocks[3].marker).To(BeEmpty())

	_, err = read("<!-- docs-test: skipp: typo -->\n```yaml\n```\n")
	g.Expect(err).To(MatchError(ContainSubstring("unknown marker")))
	_, err = read("<!-- docs-test: skip: -->\n```yaml\n```\n")
	g.Expect(err).To(MatchError(ContainSubstring("unknown marker")))
	_, err = read("<!-- docs-test: output -->\nprose\n```text\n```\n")
	g.Expect(err).To(MatchError(ContainSubstring("must be followed by a fenced block")))
	_, err = read("<!-- docs-test: demo begins -->\n")
	g.Expect(err).To(MatchError(ContainSubstring("without")))

	ms, errs := manifestsOf([]block{
		{file: "x.md", lang: "yaml", body: "apiVersion: v1\nkind: ConfigMap\n"},
		{file: "x.md", lang: "sh", body: "kubectl apply -f - <<'YAML'\napiVersion: v1\nkind: Secret\nYAML\n"},
		{file: "x.md", lang: "yaml", marker: markSkip, body: "nonsense: ["},
		{file: "x.md", lang: "yaml", marker: markSeed, body: "partners: [{}]\n"},
	})
	g.Expect(ms).To(HaveLen(2))
	g.Expect(ms[1].body).To(ContainSubstring("kind: Secret"))
	g.Expect(errs).To(HaveLen(1), "the seed is refused")
	_, err = objects(manifest{where: "x", body: "a: b\n"})
	g.Expect(err).To(MatchError(ContainSubstring("not a Kubernetes object")))
}
