package ingestion

import (
	"errors"
	"testing"
	"time"

	pc "github.com/cosell-operator/cosell-operator/internal/partnercenter"

	"github.com/cosell-operator/cosell-operator/internal/partnercenter/wire"
)

// FuzzDecodeAnswers feeds arbitrary bytes through every answer decoder and
// mapper the client uses: none may panic, and every failure must be a
// classified error.
func FuzzDecodeAnswers(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `[]`, `null`, `{"id":`,
		`{"$schema":"https://schema.mp.microsoft.com/schema/product/2022-03-01-preview3","id":"product/p1","identity":{"externalId":"o"},"type":"softwareAsAService","lifecycleState":"published","liveSubmission":"submission/p1/s1","coSellStatus":"coSellReady"}`,
		`{"jobId":"j","jobStatus":"completed","jobResult":"failed","errors":[{"code":"inProgressSubmissionExists","message":"m","details":[{"code":"c"}]}]}`,
		`{"jobId":"j","jobStatus":"running"}`,
		`{"id":"submission/p1/s1","status":"completed","result":"failed","created":"2025-01-01T00:00:00Z","certificationReport":{"items":[{"code":"x","message":"y"}]}}`,
		`{"value":[{"id":"submission/p1/s1","status":"inProgress"}],"@nextLink":"x"}`,
		`{"root":"product/p1","resources":[{"$schema":"https://schema.mp.microsoft.com/schema/plan/2022-03-01-preview3","id":"plan/p1/a","identity":{"externalId":"a"}},{"$schema":"https://schema.mp.microsoft.com/schema/price-and-availability-plan/2022-03-01-preview3","plan":"plan/p1/a","pricing":{"model":"flatRate","price":"1"}},{"$schema":"https://schema.mp.microsoft.com/schema/reseller/2022-03-01-preview3","resellerChannelState":"someResellers"}]}`,
		`{"solutionId":"s","state":"migrated","product":"product/p1","billOfMaterials":[{"type":"t","url":"u"}]}`,
		`{"error":{"code":"badRequest","message":"m","details":[{"code":"a","resource":"b","message":"c"}]}}`,
		`{"id":42,"identity":[],"resources":{"a":1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(err error) {
			if err != nil {
				var pcErr *pc.Error
				if !errors.As(err, &pcErr) || pcErr.Class == "" {
					t.Fatalf("unclassified error %T: %v", err, err)
				}
			}
		}
		var p wire.Product
		if err := decodeInto("GetProduct", 200, data, &p); err == nil {
			_, err = toProduct("GetProduct", &p)
			check(err)
		} else {
			check(err)
		}
		var st wire.ConfigureStatus
		if err := decodeInto("GetJob", 200, data, &st); err == nil {
			if checkJob("GetJob", &st) == nil {
				_ = toJob(&st)
				if st.JobResult == wire.JobFailed {
					_ = jobFailedError("GetJob", &st)
				}
			}
		}
		var list wire.List[wire.Submission]
		if err := decodeInto("ListSubmissions", 200, data, &list); err == nil {
			for i := range list.Value {
				_, err := toSubmission("ListSubmissions", "p1", &list.Value[i])
				check(err)
			}
		}
		var tree wire.ResourceTree
		if err := decodeInto("GetDraft", 200, data, &tree); err == nil {
			_, err = draftFromTree("GetDraft", "p1", &tree)
			check(err)
		}
		var sol wire.LegacySolution
		if err := decodeInto("GetSolution", 200, data, &sol); err == nil {
			_, err = toSolution("GetSolution", &sol)
			check(err)
		}
		for _, status := range []int{400, 404, 409, 429, 503} {
			_ = responseError("GetProduct", status, nil, data, time.Now())
		}
	})
}
