package controllers_test

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	lua "github.com/yuin/gopher-lua"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/cosell-operator/cosell-operator/api/v1alpha1"
	"github.com/cosell-operator/cosell-operator/internal/testenv"
)

// argoHealth runs config/argocd/health.lua the way Argo CD does: the
// object as the global table obj, the script returning {status, message}.
func argoHealth(g Gomega, obj runtime.Object) (string, string) {
	script, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "argocd", "health.lua"))
	g.Expect(err).NotTo(HaveOccurred())
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	g.Expect(err).NotTo(HaveOccurred())

	L := lua.NewState(lua.Options{SkipOpenLibs: false})
	defer L.Close()
	L.SetGlobal("obj", toLua(L, u))
	fn, err := L.LoadString(string(script))
	g.Expect(err).NotTo(HaveOccurred())
	L.Push(fn)
	g.Expect(L.PCall(0, 1, nil)).To(Succeed())
	ret, ok := L.Get(-1).(*lua.LTable)
	g.Expect(ok).To(BeTrue(), "the health script returns a table")
	return ret.RawGetString("status").String(), lua.LVAsString(ret.RawGetString("message"))
}

func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := L.NewTable()
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case []any:
		t := L.NewTable()
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case nil:
		return lua.LNil
	}
	return lua.LNil
}

func TestArgoHealthBeforeTheOperatorReports(t *testing.T) {
	g := NewWithT(t)
	offer := &v1alpha1.MarketplaceOffer{ObjectMeta: metav1.ObjectMeta{Generation: 1}}
	status, msg := argoHealth(g, offer)
	g.Expect(status).To(Equal("Progressing"))
	g.Expect(msg).To(Equal("waiting for the operator to report status"))
}
