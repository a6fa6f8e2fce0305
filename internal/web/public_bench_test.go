package web_test

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPublicOverview measures a process's public page as the public
// would load it: concurrent clients over real HTTP on loopback, with
// keep-alive connections, asking for the page in English, in full (200),
// gzipped (as browsers ask for it), or revalidating with its ETag (304).
// The server is configured as by default and runs in this process, sharing
// the machine's cores with the clients.
//
// The "clients=N" cases are closed loops: N clients each send a request as
// soon as the last one is answered, which gives the most requests per
// second the machine serves, at the latency of a saturated machine. The
// "rate=R" case sends R requests a second on a fixed schedule, whatever
// the answers, and times each request from when it was due, so that a
// server falling behind shows in the latency (no coordinated omission):
// the latency the public sees at that load.
//
// Each case reports requests per second and the percentiles of the
// latency of single requests.
func BenchmarkPublicOverview(b *testing.B) {
	s := newPublicSite(b, 0) // the default refresh: the record is asked at most once a second
	url := s.url + "/public/" + s.Process.ID + "?lang=en"
	first := s.raw(b, "/public/"+s.Process.ID+"?lang=en", "identity")
	if first.status != http.StatusOK {
		b.Fatalf("status %d", first.status)
	}
	etag := first.header.Get("ETag")
	for _, bc := range []struct {
		name    string
		clients int
		rate    int // requests a second, or 0 for a closed loop
		gzip    bool
		etag    string
		status  int
	}{
		{"200/rate=5000", 64, 5000, false, "", http.StatusOK},
		{"200/clients=16", 16, 0, false, "", http.StatusOK},
		{"200/clients=64", 64, 0, false, "", http.StatusOK},
		{"200-gzip/clients=64", 64, 0, true, "", http.StatusOK},
		{"304/clients=64", 64, 0, false, etag, http.StatusNotModified},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tr := &http.Transport{MaxIdleConnsPerHost: bc.clients, MaxConnsPerHost: bc.clients, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			// get sends one request and checks its answer.
			get := func(req *http.Request) bool {
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return false
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				gzipped := resp.Header.Get("Content-Encoding") == "gzip"
				if resp.StatusCode != bc.status || gzipped != bc.gzip || (bc.status == http.StatusOK && !bc.gzip && n != int64(len(first.body))) {
					b.Errorf("status %d, gzip %v, %d bytes", resp.StatusCode, gzipped, n)
					return false
				}
				return true
			}
			newRequest := func() *http.Request {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				if bc.etag != "" {
					req.Header.Set("If-None-Match", bc.etag)
				}
				if bc.gzip {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				return req
			}
			var mu sync.Mutex
			var lat []time.Duration
			keep := func(mine []time.Duration) {
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}
			b.ResetTimer()
			start := time.Now()
			if bc.rate > 0 {
				// Request i is due at start + i/rate; whichever client is
				// free sends it.
				var next atomic.Int64
				var wg sync.WaitGroup
				for range bc.clients {
					wg.Go(func() {
						req := newRequest()
						var mine []time.Duration
						defer func() { keep(mine) }()
						for {
							i := next.Add(1) - 1
							if i >= int64(b.N) {
								return
							}
							due := start.Add(time.Duration(i) * time.Second / time.Duration(bc.rate))
							time.Sleep(time.Until(due))
							if !get(req) {
								return
							}
							mine = append(mine, time.Since(due))
						}
					})
				}
				wg.Wait()
			} else {
				b.SetParallelism((bc.clients + 1) / 2) // of GOMAXPROCS: 2 here
				b.RunParallel(func(pb *testing.PB) {
					req := newRequest()
					var mine []time.Duration
					defer func() { keep(mine) }()
					for pb.Next() {
						t0 := time.Now()
						if !get(req) {
							return
						}
						mine = append(mine, time.Since(t0))
					}
				})
			}
			elapsed := time.Since(start)
			b.StopTimer()
			if len(lat) == 0 {
				return
			}
			slices.Sort(lat)
			ms := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
			b.ReportMetric(ms(1), "max-ms")
		})
	}
}
