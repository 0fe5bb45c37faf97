// The floor: what a plain client-go loop needs for the same creates and
// the minimal status writes.

package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

type floorResult struct {
	n          int
	seconds    float64
	createSecs float64
	writes     int
	cpu        machineCPU // CPU time from the start of the creates to the last write
}

// floorRun creates the same objects and does the floor's status writes
// (floorWrites) with a client that has no client-side rate limit (the API
// server's priority and fairness only) and as many workers as the operator
// has, pipelined behind the creates as the operator's work is.
func floorRun(ctx context.Context, cfg *config, n int) (*floorResult, error) {
	env, restCfg, err := startPlane()
	if err != nil {
		return nil, err
	}
	defer stopPlane(env)
	creator, err := adminClient(restCfg, 5000, 10000)
	if err != nil {
		return nil, err
	}
	writer, err := adminClient(restCfg, -1, 0)
	if err != nil {
		return nil, err
	}
	res := &floorResult{n: n}
	created := make(chan client.Object, 4*n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start, cpuStart := time.Now(), readMachineCPU(0, 0)
	for range cfg.offerConc + cfg.solConc {
		wg.Go(func() {
			for obj := range created {
				if err := floorWrites(ctx, writer, obj); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("status of %s: %w", obj.GetName(), err)
					}
					mu.Unlock()
				}
			}
		})
	}
	err = createAll(ctx, creator, n, cfg.createWorkers, created)
	res.createSecs = time.Since(start).Seconds()
	close(created)
	wg.Wait()
	res.seconds = time.Since(start).Seconds()
	res.cpu = readMachineCPU(0, 0).since(cpuStart)
	if err != nil {
		return nil, err
	}
	if firstErr != nil {
		return nil, firstErr
	}
	o, s := minStatusWrites(n)
	res.writes = o + s
	logf("floor N=%d: %.1fs (creates %.1fs, %d status writes)", n, res.seconds, res.createSecs, res.writes)
	return res, nil
}
