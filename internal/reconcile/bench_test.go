package reconcile

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// peakHeap samples the heap while f runs and returns the highest HeapInuse
// seen, in MiB: -benchmem counts allocations, not what is held at once.
func peakHeap(f func()) float64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	return float64(peak.Load()) / (1 << 20)
}

// BenchmarkMatch100k reconciles two synthetic lists of 100,000 people each,
// 60,000 of them shared, from reading prepared Person values to the
// assignment.
func BenchmarkMatch100k(b *testing.B) {
	left, right := genLists(2026, 100_000, 60_000)
	runtime.GC()
	var res *Result
	var peak float64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			var err error
			res, err = NewMatcher(left, right, Options{}).Run(context.Background())
			if err != nil {
				b.Fatal(err)
			}
		}))
	}
	var tp int
	for _, p := range res.Matches {
		if p.Left < 60_000 && p.Left == p.Right {
			tp++
		}
	}
	b.ReportMetric(peak, "peak-heap-MiB")
	b.ReportMetric(float64(res.Compared), "pairs-compared")
	b.ReportMetric(float64(tp)/float64(max(len(res.Matches), 1)), "precision")
	b.ReportMetric(float64(tp)/60_000, "recall")
}

// BenchmarkCompare scores candidate pairs of the kind blocking produces on one
// goroutine. Each comparison weighs four fields.
func BenchmarkCompare(b *testing.B) {
	left, right := genLists(7, 20_000, 12_000)
	m := NewMatcher(left, right, Options{Workers: 1})
	idx := m.index()
	type pair struct{ l, r int32 }
	var pairs []pair
	var keys []uint64
	for i := range m.l {
		keys = m.queryKeys(keys[:0], &m.l[i])
		for _, k := range keys {
			for p := lowerBound(idx, k); p < len(idx) && idx[p].key == k; p++ {
				pairs = append(pairs, pair{int32(i), idx[p].idx})
			}
		}
	}
	b.ResetTimer()
	n := 0
	var sink float64
	for b.Loop() {
		p := pairs[n%len(pairs)]
		s, _, _, _ := m.compare(&m.l[p.l], &m.r[p.r], nil)
		sink += s
		n++
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(n)/sec, "comparisons/s")
	b.ReportMetric(4*float64(n)/sec, "field-comparisons/s")
	_ = sink
}
