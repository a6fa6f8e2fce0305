package web

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
	"golang.org/x/mod/sumdb/tlog"
)

// The record over HTTP, in the C2SP tlog-tiles layout: the verifier key,
// the latest signed checkpoint (with its witnesses' cosignatures), hash
// tiles of height 8, entry bundles in which each caller gets the entries it
// may read and the leaf hash of the others, and inclusion and consistency
// proofs. Open to anyone by default, so that whoever the parties choose can
// witness the log; Config.LogPrivate limits it to signed-in accounts.

const tileHeight = 8

// logAccess answers false (having written the response) when the log is
// private and the caller is not signed in.
func (s *Server) logAccess(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.LogKey == nil {
		http.Error(w, "This server keeps no signed record.", http.StatusNotFound)
		return false
	}
	if s.cfg.LogPrivate && requestActor(r.Context()).Anonymous() {
		s.apiError(w, r, parley.Errorf(parley.EUNAUTHORIZED, "The record of this server is open to signed-in members only."))
		return false
	}
	return true
}

func (s *Server) logKey(w http.ResponseWriter, r *http.Request) {
	if !s.logAccess(w, r) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	fmt.Fprintln(w, s.cfg.LogKey.Verifier)
}

func (s *Server) logCheckpoint(w http.ResponseWriter, r *http.Request) {
	if !s.logAccess(w, r) {
		return
	}
	c, err := s.db.LatestCheckpoint(r.Context())
	if err != nil {
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			http.Error(w, "No checkpoint yet.", http.StatusNotFound)
			return
		}
		s.apiError(w, r, err)
		return
	}
	cs, err := s.db.Cosignatures(r.Context(), c.Size)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(record.WithCosignatures(c.Note, cs))
}

// logTile serves /log/tile/<L>/<N>[.p/<W>] (hashes) and
// /log/tile/entries/<N>[.p/<W>] (entry bundles).
func (s *Server) logTile(w http.ResponseWriter, r *http.Request) {
	if !s.logAccess(w, r) {
		return
	}
	rest := r.PathValue("path")
	entries := strings.HasPrefix(rest, "entries/")
	var t tlog.Tile
	var err error
	if entries {
		t, err = tlog.ParseTilePath(fmt.Sprintf("tile/%d/data/%s", tileHeight, strings.TrimPrefix(rest, "entries/")))
	} else {
		t, err = tlog.ParseTilePath(fmt.Sprintf("tile/%d/%s", tileHeight, rest))
	}
	if err != nil {
		http.Error(w, "Not a tile path.", http.StatusNotFound)
		return
	}
	size, err := s.db.LastSeq(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	// The tile must lie within the tree: tile N of level L holds W hashes
	// of level L·H from the (N·2^H)th, each over 2^(L·H) entries, so it
	// covers W·2^(L·H) entries from N·2^H·2^(L·H) (an entry bundle, W
	// entries from N·2^H). A level beyond any tree is refused before a
	// shift could overflow.
	shift := uint(tileHeight * max(t.L, 0))
	if shift+tileHeight >= 63 || t.N > size>>shift>>tileHeight {
		http.Error(w, "The tree has no such tile (yet).", http.StatusNotFound)
		return
	}
	start := t.N << tileHeight << shift
	width := int64(t.W) << shift
	if start+width > size {
		http.Error(w, "The tree has no such tile (yet).", http.StatusNotFound)
		return
	}
	if t.W == 1<<tileHeight {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=5")
	}
	if entries {
		s.entryBundle(w, r, start, start+int64(t.W))
		return
	}
	data, err := tlog.ReadTileData(t, s.db.HashReader(r.Context()))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(data)
}

// entryBundle writes entries [from, to) (zero-based) in Parley's bundle
// format: for each entry, 0x00, a 4-byte big-endian length and its canonical
// bytes when the caller may read it; otherwise 0x01 and its 32-byte leaf
// hash, which is enough to check the tree.
func (s *Server) entryBundle(w http.ResponseWriter, r *http.Request, from, to int64) {
	es, err := s.db.EntriesFor(r.Context(), requestActor(r.Context()), from+1, to+1)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if !requestActor(r.Context()).Anonymous() {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	w.Header().Set("Vary", "Cookie, Authorization")
	var buf []byte
	for _, e := range es {
		if e.Bytes != nil {
			buf = append(buf, 0)
			buf = binary.BigEndian.AppendUint32(buf, uint32(len(e.Bytes)))
			buf = append(buf, e.Bytes...)
		} else {
			buf = append(buf, 1)
			buf = append(buf, e.LeafHash[:]...)
		}
	}
	w.Write(buf)
}

// InclusionProof proves that entry Seq is in the tree of size Size.
type InclusionProof struct {
	Seq      int64    `json:"seq"`
	Size     int64    `json:"size"`
	LeafHash string   `json:"leaf_hash" doc:"base64"`
	Root     string   `json:"root" doc:"base64 tree hash of size"`
	Proof    []string `json:"proof" doc:"base64 hashes, RFC 6962 order"`
}

// ConsistencyProof proves that the tree of size From is a prefix of the
// tree of size To.
type ConsistencyProof struct {
	From     int64    `json:"from"`
	To       int64    `json:"to"`
	FromRoot string   `json:"from_root"`
	ToRoot   string   `json:"to_root"`
	Proof    []string `json:"proof"`
}

func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func b64s(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = b64(h)
	}
	return out
}

func queryInt(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, &parley.Error{Code: parley.EINVALID, Message: "The input is not valid.", Fields: map[string]string{name: "must be a whole number"}}
	}
	return n, nil
}

// proveInclusion answers /log/proof/inclusion?seq=N[&size=T]; without size,
// the latest checkpoint's.
func (s *Server) proveInclusion(w http.ResponseWriter, r *http.Request) {
	if !s.logAccess(w, r) {
		return
	}
	p, err := s.inclusion(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, p)
}

func (s *Server) inclusion(r *http.Request) (InclusionProof, error) {
	ctx := r.Context()
	seq, err := queryInt(r, "seq", 0)
	if err != nil {
		return InclusionProof{}, err
	}
	size, err := queryInt(r, "size", 0)
	if err != nil {
		return InclusionProof{}, err
	}
	if size == 0 {
		c, err := s.db.LatestCheckpoint(ctx)
		if err != nil {
			return InclusionProof{}, err
		}
		size = c.Size
	}
	last, err := s.db.LastSeq(ctx)
	if err != nil {
		return InclusionProof{}, err
	}
	if seq < 1 || seq > size || size > last {
		return InclusionProof{}, parley.Errorf(parley.ENOTFOUND, "No such entry in a tree of that size.")
	}
	hr := s.db.HashReader(ctx)
	proof, err := tlog.ProveRecord(size, seq-1, hr)
	if err != nil {
		return InclusionProof{}, err
	}
	leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, seq-1)})
	if err != nil {
		return InclusionProof{}, err
	}
	root, err := tlog.TreeHash(size, hr)
	if err != nil {
		return InclusionProof{}, err
	}
	return InclusionProof{Seq: seq, Size: size, LeafHash: b64(leaf[0]), Root: b64(root), Proof: b64s(proof)}, nil
}

func (s *Server) proveConsistency(w http.ResponseWriter, r *http.Request) {
	if !s.logAccess(w, r) {
		return
	}
	ctx := r.Context()
	from, err := queryInt(r, "from", 0)
	if err == nil {
		var to int64
		to, err = queryInt(r, "to", 0)
		if err == nil {
			var last int64
			last, err = s.db.LastSeq(ctx)
			if err == nil && (from < 1 || to < from || to > last) {
				err = parley.Errorf(parley.ENOTFOUND, "No such pair of tree sizes.")
			}
			if err == nil {
				hr := s.db.HashReader(ctx)
				var p tlog.TreeProof
				var fr, tr tlog.Hash
				if p, err = tlog.ProveTree(to, from, hr); err == nil {
					if fr, err = tlog.TreeHash(from, hr); err == nil {
						tr, err = tlog.TreeHash(to, hr)
					}
				}
				if err == nil {
					writeJSON(w, ConsistencyProof{From: from, To: to, FromRoot: b64(fr), ToRoot: b64(tr), Proof: b64s(p)})
					return
				}
			}
		}
	}
	s.apiError(w, r, err)
}

// cosign accepts a witness's cosignature of a checkpoint: the witness's
// verifier key and the signature line. The server checks it against its own
// checkpoint of that size before keeping it.
func (s *Server) cosign(w http.ResponseWriter, r *http.Request) {
	if !s.logAccess(w, r) {
		return
	}
	if requestActor(r.Context()).Anonymous() {
		s.apiError(w, r, parley.Errorf(parley.EUNAUTHORIZED, "Sign in or send an API token."))
		return
	}
	var in struct {
		Size      int64  `json:"size"`
		Key       string `json:"key"`
		Signature string `json:"signature"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.apiError(w, r, parley.Errorf(parley.EINVALID, "The body is not valid JSON."))
		return
	}
	c, err := s.db.CheckpointCovering(r.Context(), in.Size)
	if err != nil || c.Size != in.Size {
		s.apiError(w, r, parley.Errorf(parley.ENOTFOUND, "No checkpoint of that size."))
		return
	}
	name, err := record.VerifyCosignature(c.Note, in.Key, in.Signature)
	if err != nil {
		s.apiError(w, r, &parley.Error{Code: parley.EINVALID, Message: "The cosignature does not verify.", Fields: map[string]string{"signature": err.Error()}})
		return
	}
	if err := s.db.SaveCosignature(r.Context(), record.Cosignature{Size: c.Size, Witness: name, Signature: strings.TrimSuffix(in.Signature, "\n"), CreatedAt: time.Now().UTC()}); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// WitnessStatus is a witness's latest cosignature, as /log/witnesses lists it.
type WitnessStatus struct {
	Name string    `json:"name"`
	Size int64     `json:"size" doc:"the largest checkpoint it cosigned"`
	At   time.Time `json:"at" doc:"when the server received that cosignature"`
}

// logWitnesses lists each witness with the latest checkpoint it cosigned,
// so that anyone can see how far behind a witness is, or that it stopped.
func (s *Server) logWitnesses(w http.ResponseWriter, r *http.Request) {
	if !s.logAccess(w, r) {
		return
	}
	cs, err := s.db.Witnesses(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := make([]WitnessStatus, len(cs))
	for i, c := range cs {
		out[i] = WitnessStatus{Name: c.Witness, Size: c.Size, At: c.CreatedAt}
	}
	writeJSON(w, struct {
		Witnesses []WitnessStatus `json:"witnesses"`
	}{out})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}
