// Package argocd runs the Argo CD health checks of
// config/argocd/resource_customizations the way Argo CD runs its own
// (util/lua in Argo CD's repository): the object as the global table obj,
// the script returning a table {status, message}, a one-second deadline.
// Its test runs every health_test.yaml case of that folder; other tests
// (the controllers') call Health to read an object as Argo CD would.
package argocd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Dir is config/argocd/resource_customizations under root, the
// repository's folder.
func Dir(root string) string {
	return filepath.Join(root, "config", "argocd", "resource_customizations")
}

// Status is Argo CD's health status: what a health.lua returns.
type Status struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// The status codes Argo CD accepts from a health script; any other reads
// as Unknown.
var validStatus = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

// ScriptPath is where Argo CD looks for the health check of gvk:
// <group>/<kind>/health.lua.
func ScriptPath(dir string, gvk schema.GroupVersionKind) string {
	return filepath.Join(dir, gvk.Group, gvk.Kind, "health.lua")
}

// Health runs the health check of obj's kind, found under dir, on obj. The
// object must carry its apiVersion and kind.
func Health(dir string, obj *unstructured.Unstructured) (Status, error) {
	gvk := obj.GroupVersionKind()
	if gvk.Kind == "" {
		return Status{}, fmt.Errorf("object %s has no kind: set apiVersion and kind", obj.GetName())
	}
	script, err := os.ReadFile(ScriptPath(dir, gvk))
	if err != nil {
		return Status{}, err
	}
	return Run(string(script), obj.Object)
}

// Run runs a health script on an object in unstructured form.
func Run(script string, obj map[string]any) (Status, error) {
	L := lua.NewState()
	defer L.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		return Status{}, err
	}
	ret, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return Status{}, fmt.Errorf("the health script returned %s, not a table", L.Get(-1).Type())
	}
	st := Status{Status: lua.LVAsString(ret.RawGetString("status")), Message: lua.LVAsString(ret.RawGetString("message"))}
	if !validStatus[st.Status] {
		return Status{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
	}
	return st, nil
}

// FromObject converts a typed object to the unstructured form Health
// takes; gvk fills apiVersion and kind, which typed objects read from a
// client often lack.
func FromObject(obj runtime.Object, gvk schema.GroupVersionKind) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(gvk)
	return u, nil
}

// toLua converts a value of an unstructured object as Argo CD's
// decodeValue does: numbers of every Go width become Lua numbers.
func toLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := L.CreateTable(0, len(v))
		for k, e := range v {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	case []any:
		t := L.CreateTable(len(v), 0)
		for _, e := range v {
			t.Append(toLua(L, e))
		}
		return t
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case int:
		return lua.LNumber(v)
	case int32:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	}
	return lua.LNil
}
