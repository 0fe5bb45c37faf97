package partnercenter

// QuietDeferrals is how many calls in a row of one object may end on a
// retry deferred to the caller (RetryDeferred) before the caller reports
// it. Each deferral starts the adapter's attempts again, so without a count
// a Partner Center that keeps failing (5xx, dropped connections: backoffs
// longer than the adapter holds a caller for) would never show. Whether a
// 429 is waited out in place or deferred is the adapter's choice
// (internal/partnercenter/ingestion: its pacer waits out a limit it has
// learned; noise, and a client without a pacer, defer).
const QuietDeferrals = 5
