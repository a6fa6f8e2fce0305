package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/parley-talks/parley/internal/record"
)

// TestLogTilesPastTheFirst: entry bundle N and hash tile N hold entries
// from N·256, as C2SP tlog-tiles has them, and a tile past the tree's end
// is not found.
func TestLogTilesPastTheFirst(t *testing.T) {
	s := newFuzzSite(t)
	for s.lastSeq(t) <= 300 {
		if st := s.send(t, nil, s.token, "POST", s.path("/api/v1/threads/{thread}/messages"), "application/json", `{"body":"Filling the record."}`, nil); st != http.StatusCreated {
			t.Fatalf("posting: %d", st)
		}
	}
	size := s.lastSeq(t)
	n := (size - 1) / 256 // the last bundle, partial or full
	suffix := ""
	if w := size - n*256; w < 256 {
		suffix = fmt.Sprintf(".p/%d", w)
	}
	get := func(path string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+s.token) // so that head.ua's own entries are readable
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	st, bundle := get(fmt.Sprintf("/log/tile/entries/%03d%s", n, suffix))
	if st != http.StatusOK {
		t.Fatalf("bundle %d: %d %s", n, st, bundle)
	}
	es, err := record.ParseBundle(bundle)
	if err != nil {
		t.Fatal(err)
	}
	st, tile := get(fmt.Sprintf("/log/tile/0/%03d%s", n, suffix))
	if st != http.StatusOK || len(tile) != 32*len(es) {
		t.Fatalf("hash tile %d: %d, %d bytes for %d entries", n, st, len(tile), len(es))
	}
	readable := 0
	for i, e := range es {
		if !bytes.Equal(tile[32*i:32*i+32], e.LeafHash[:]) {
			t.Errorf("entry %d of bundle %d: its leaf hash is not the tile's", i, n)
		}
		if e.Hidden() {
			continue
		}
		readable++
		ent, err := record.Unmarshal(e.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if want := n*256 + int64(i) + 1; ent.Seq != want {
			t.Errorf("entry %d of bundle %d is entry %d, want %d", i, n, ent.Seq, want)
		}
	}
	if readable == 0 {
		t.Error("every entry of the bundle is hidden")
	}
	for _, path := range []string{fmt.Sprintf("/log/tile/entries/%03d", n+1), fmt.Sprintf("/log/tile/0/%03d", n+1), "/log/tile/7/x001/000", "/log/tile/8/000"} {
		if st, b := get(path); st != http.StatusNotFound {
			t.Errorf("%s: %d %.100s", path, st, b)
		}
	}
}
