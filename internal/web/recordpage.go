package web

import (
	"net/http"
	"strconv"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
)

// entryPage shows one record entry: its number, what it is when the reader
// may see it, the checkpoint that first included it, its witnesses, and
// the inclusion proof in that checkpoint's tree.
type entryPage struct {
	Seq        int64
	Entry      *record.Entry // nil when hidden from the reader
	Checkpoint *record.Checkpoint
	Witnesses  []record.Cosignature
	Proof      *InclusionProof
	VerifyKey  string
}

func (s *Server) entryPage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	last, lerr := s.db.LastSeq(ctx)
	if err != nil || lerr != nil || seq < 1 || seq > last {
		s.fail(w, r, parley.Errorf(parley.ENOTFOUND, "No such entry in the record."))
		return
	}
	p := s.page(r, "record.title")
	ep := entryPage{Seq: seq}
	if s.cfg.LogKey != nil {
		ep.VerifyKey = s.cfg.LogKey.Verifier
	}
	es, err := s.db.EntriesFor(ctx, a, seq, seq+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(es) == 1 && es[0].Bytes != nil {
		if ep.Entry, err = record.Unmarshal(es[0].Bytes); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if c, err := s.db.CheckpointCovering(ctx, seq); err == nil {
		ep.Checkpoint = &c
		if ep.Witnesses, err = s.db.Cosignatures(ctx, c.Size); err != nil {
			s.fail(w, r, err)
			return
		}
		q := r.URL.Query()
		q.Set("seq", strconv.FormatInt(seq, 10))
		q.Set("size", strconv.FormatInt(c.Size, 10))
		r.URL.RawQuery = q.Encode()
		proof, err := s.inclusion(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ep.Proof = &proof
	}
	p.Data = ep
	s.render(w, r, http.StatusOK, "record.html", p)
}
