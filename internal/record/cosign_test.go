package record_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parley-talks/parley/internal/record"
)

// FuzzVerifyCosignature: what POST /log/cosignature is sent — a witness's
// verifier key and a signature line — is accepted only when the line is
// the canonical cosignature line of that key over the checkpoint (one
// line, no stray whitespace), so that the checkpoint the server serves
// with it still opens for every reader; a refused one names no witness.
func FuzzVerifyCosignature(f *testing.F) {
	msg := fixture(f, "checkpoint-5.txt")
	vkey := strings.TrimSpace(string(fixture(f, "witness.vkey")))
	logKey := strings.TrimSpace(string(fixture(f, "log.vkey")))
	cosigned := strings.Split(strings.TrimSpace(string(fixture(f, "checkpoint-5-cosigned.txt"))), "\n")
	line := cosigned[len(cosigned)-1]
	f.Add(vkey, line)
	f.Add(vkey, line+"\n")
	f.Add(vkey, "— witness.test.example AAAA")
	f.Add("a b+00000000+BAAA", "— a b AAAA")
	f.Fuzz(func(t *testing.T, vkey, line string) {
		name, err := record.VerifyCosignature(msg, vkey, line)
		if err != nil {
			if name != "" {
				t.Fatalf("refused with %v, yet named %q", err, name)
			}
			return
		}
		if !strings.HasPrefix(vkey, name+"+") && !strings.HasPrefix(strings.TrimSpace(vkey), name+"+") {
			t.Fatalf("named %q, not the key's name in %q", name, vkey)
		}
		kept := strings.TrimSuffix(line, "\n")
		if strings.ContainsAny(kept, "\n\r\t") {
			t.Fatalf("accepted a signature line over several lines: %q", line)
		}
		served := record.WithCosignatures(msg, []record.Cosignature{{Signature: kept}})
		if _, _, err := record.OpenCheckpoint(served, logKey); err != nil {
			t.Fatalf("with the accepted line %q the checkpoint no longer opens: %v", kept, err)
		}
		if again, err := record.VerifyCosignature(served, vkey, kept); err != nil || again != name {
			t.Fatalf("the kept line does not verify again: %q %v", again, err)
		}
		if !bytes.HasPrefix(served, msg) {
			t.Fatal("the served checkpoint lost its signed note")
		}
	})
}
