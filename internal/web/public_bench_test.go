package web_test

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkPublicOverview measures a process's public page as the public
// would load it: concurrent clients over real HTTP on loopback, each with
// keep-alive connections, asking for the page in English, in full (200)
// or gzipped (as browsers ask for it), or revalidating with its ETag
// (304), the server configured as by default. The server is in this process and shares its cores with the
// clients. It reports requests per second and
// the latency percentiles of single requests.
func BenchmarkPublicOverview(b *testing.B) {
	s := newPublicSite(b, 0) // the default refresh: the record is asked at most once a second
	url := s.url + "/public/" + s.Process.ID + "?lang=en"
	first := s.get(b, "/public/"+s.Process.ID+"?lang=en")
	if first.status != http.StatusOK {
		b.Fatalf("status %d", first.status)
	}
	etag := first.header.Get("ETag")
	for _, bc := range []struct {
		name    string
		clients int
		gzip    bool
		etag    string
		status  int
	}{
		{"200/clients=16", 16, false, "", http.StatusOK},
		{"200/clients=64", 64, false, "", http.StatusOK},
		{"200-gzip/clients=64", 64, true, "", http.StatusOK},
		{"304/clients=64", 64, false, etag, http.StatusNotModified},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tr := &http.Transport{MaxIdleConnsPerHost: bc.clients, MaxConnsPerHost: bc.clients, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism((bc.clients + 1) / 2) // of GOMAXPROCS: 2 here
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				if bc.etag != "" {
					req.Header.Set("If-None-Match", bc.etag)
				}
				if bc.gzip {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				for pb.Next() {
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					gzipped := resp.Header.Get("Content-Encoding") == "gzip"
					if resp.StatusCode != bc.status || gzipped != bc.gzip || (bc.status == http.StatusOK && !bc.gzip && n != int64(len(first.body))) {
						b.Errorf("status %d, %d bytes", resp.StatusCode, n)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
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
			b.Logf("%s: %d requests in %v; the page is %s bytes", bc.name, len(lat), elapsed.Round(time.Millisecond), strconv.Itoa(len(first.body)))
		})
	}
}
