package reconcile

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// Memo is what a reconciler keeps in memory about each object, by name:
// the deferred-retry count (reconcile.go) and the resync schedule
// (offer/drift.go). Nothing in it needs to survive a restart; an entry
// goes when its object is gone (Reconcile deletes it, or the kind's
// Forget, on not found). A plain map under a mutex: it holds one small entry per
// object, and sync.Map's nodes cost more memory than the entries.
type Memo[V any] struct {
	mu sync.Mutex
	m  map[types.NamespacedName]V
}

func (m *Memo[V]) Load(key types.NamespacedName) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[key]
	return v, ok
}

func (m *Memo[V]) Store(key types.NamespacedName, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[types.NamespacedName]V{}
	}
	m.m[key] = v
}

// update stores f of the entry (the zero value when there is none) and
// returns it.
func (m *Memo[V]) update(key types.NamespacedName, f func(V) V) V {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[types.NamespacedName]V{}
	}
	v := f(m.m[key])
	m.m[key] = v
	return v
}

func (m *Memo[V]) Delete(key types.NamespacedName) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
}

func (m *Memo[V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
