package simulator

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	. "github.com/onsi/gomega"
)

// BenchmarkPublishOffer takes offers from nothing to live over HTTP, eight
// at a time, as the operator's offer workers would: the cost per offer
// bounds the scale benchmark.
func BenchmarkPublishOffer(b *testing.B) {
	a := newAPI(b, Options{StoreDir: b.TempDir()}, nil)
	var n atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			w := *a
			w.g = NewWithT(b)
			for range work {
				i := n.Add(1)
				pid, _ := w.createOffer(fmt.Sprintf("bench-offer-%06d", i))
				w.publish(pid)
			}
		})
	}
	for i := range b.N {
		work <- i
	}
	close(work)
	wg.Wait()
}
