package simulator

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Buckets of the bbolt store. Every record is JSON; keys are plain strings.
var (
	bucketProducts    = []byte("products")    // productID -> productRec
	bucketOffers      = []byte("offers")      // offerID (externalId) -> productID: the index FindProduct needs
	bucketDrafts      = []byte("drafts")      // productID -> draftRec
	bucketSubmissions = []byte("submissions") // productID "/" zero-padded submissionID -> submissionRec
	bucketJobs        = []byte("jobs")        // jobID -> jobRec
	bucketPartners    = []byte("partners")    // partnerID -> partnerRec
	bucketSolutions   = []byte("solutions")   // partnerID "/" solutionID -> solutionRec
	bucketCounters    = []byte("counters")    // stats counter name -> decimal count
	bucketMeta        = []byte("meta")        // sequences
)

var allBuckets = [][]byte{bucketProducts, bucketOffers, bucketDrafts, bucketSubmissions,
	bucketJobs, bucketPartners, bucketSolutions, bucketCounters, bucketMeta, bucketCoSell, bucketSubAPI}

// openStore opens (or creates) the bbolt file in dir. A lock timeout makes a
// second simulator on the same folder fail fast with a clear error instead of
// hanging.
func openStore(dir string) (*bolt.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("simulator store: %w", err)
	}
	path := filepath.Join(dir, "simulator.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("simulator store %s is in use by another process", path)
		}
		return nil, fmt.Errorf("simulator store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("simulator store %s: %w", path, err)
	}
	return db, nil
}

// stage buffers the writes of one request over a bbolt transaction, so that a
// request that ends in a conflict can drop its effects and record only its
// failed job, and so that a read-only request can find out whether settling
// time-derived progress would write anything before it takes the write lock.
type stage struct {
	tx     *bolt.Tx
	writes map[string][]byte // bucket "\x00" key -> value; nil value = delete
	order  []string
}

func newStage(tx *bolt.Tx) *stage { return &stage{tx: tx, writes: map[string][]byte{}} }

func stageKey(bucket []byte, key string) string { return string(bucket) + "\x00" + key }

func (st *stage) get(bucket []byte, key string) []byte {
	if v, ok := st.writes[stageKey(bucket, key)]; ok {
		return v
	}
	return st.tx.Bucket(bucket).Get([]byte(key))
}

func (st *stage) set(bucket []byte, key string, value []byte) {
	k := stageKey(bucket, key)
	if _, ok := st.writes[k]; !ok {
		st.order = append(st.order, k)
	}
	st.writes[k] = value
}

func (st *stage) del(bucket []byte, key string) { st.set(bucket, key, nil) }

// getJSON decodes the record at key into v and reports whether it exists.
func (st *stage) getJSON(bucket []byte, key string, v any) (bool, error) {
	raw := st.get(bucket, key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("store: corrupt record %s/%s: %w", bucket, key, err)
	}
	return true, nil
}

func (st *stage) putJSON(bucket []byte, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s/%s: %w", bucket, key, err)
	}
	st.set(bucket, key, raw)
	return nil
}

// dirty reports whether the stage holds writes.
func (st *stage) dirty() bool { return len(st.order) > 0 }

// flush applies the buffered writes to the (writable) transaction.
func (st *stage) flush() error {
	for _, k := range st.order {
		bucket, key, _ := bytes.Cut([]byte(k), []byte{0})
		b := st.tx.Bucket(bucket)
		v := st.writes[k]
		var err error
		if v == nil {
			err = b.Delete(key)
		} else {
			err = b.Put(key, v)
		}
		if err != nil {
			return fmt.Errorf("store: write %s/%s: %w", bucket, key, err)
		}
	}
	return nil
}

// incr adds one to a stats counter.
func (st *stage) incr(name string) {
	n, _ := strconv.Atoi(string(st.get(bucketCounters, name)))
	st.set(bucketCounters, name, []byte(strconv.Itoa(n+1)))
}

// next returns the next value of a named sequence, starting after base.
func (st *stage) next(name string, base uint64) string {
	n, err := strconv.ParseUint(string(st.get(bucketMeta, name)), 10, 64)
	if err != nil || n < base {
		n = base
	}
	n++
	v := strconv.FormatUint(n, 10)
	st.set(bucketMeta, name, []byte(v))
	return v
}

// prefixKeys lists the committed keys of a bucket that start with prefix,
// in key order. Writes buffered in the stage are not listed.
func (st *stage) prefixKeys(bucket []byte, prefix string) []string {
	var keys []string
	c := st.tx.Bucket(bucket).Cursor()
	p := []byte(prefix)
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		keys = append(keys, string(k))
	}
	return keys
}

// newGUID returns a random GUID-like identifier, as Partner Center uses for
// products and jobs.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// submissionKey orders a product's submissions by number in the store.
func submissionKey(productID, submissionID string) string {
	n, _ := strconv.ParseUint(submissionID, 10, 64)
	return fmt.Sprintf("%s/%020d", productID, n)
}
