package bench

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Stats summarises the requests of one operation (or of all of them).
type Stats struct {
	Op       string  `json:"op"`
	Requests int64   `json:"requests"`
	RPS      float64 `json:"requests_per_second"`
	P50      Millis  `json:"p50_ms"`
	P90      Millis  `json:"p90_ms"`
	P99      Millis  `json:"p99_ms"`
	Max      Millis  `json:"max_ms"`
	Non2xx   int64   `json:"non_2xx"`
	Failed   int64   `json:"failed"` // requests that got no answer at all (connection errors)
}

// Millis is a duration that encodes to JSON as a number of milliseconds.
type Millis time.Duration

// MarshalJSON writes the duration in milliseconds, to the microsecond.
func (m Millis) MarshalJSON() ([]byte, error) {
	ms := math.Round(float64(time.Duration(m).Microseconds())) / 1000
	return strconv.AppendFloat(nil, ms, 'f', -1, 64), nil
}

// String shows the duration in milliseconds with two decimals, so columns compare at a glance.
func (m Millis) String() string {
	return strconv.FormatFloat(float64(time.Duration(m).Microseconds())/1000, 'f', 2, 64) + "ms"
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted latencies by the nearest-rank
// method: the smallest value with at least p% of the values at or below it. Empty input gives 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Summarize computes the stats of one operation from its latencies (in any order; sorted in
// place) over the elapsed time of the run.
func Summarize(op string, latencies []time.Duration, non2xx, failed int64, elapsed time.Duration) Stats {
	slices.Sort(latencies)
	s := Stats{Op: op, Requests: int64(len(latencies)) + failed, Non2xx: non2xx, Failed: failed}
	if elapsed > 0 {
		s.RPS = float64(s.Requests) / elapsed.Seconds()
	}
	if n := len(latencies); n > 0 {
		s.P50 = Millis(Percentile(latencies, 50))
		s.P90 = Millis(Percentile(latencies, 90))
		s.P99 = Millis(Percentile(latencies, 99))
		s.Max = Millis(latencies[n-1])
	}
	return s
}
