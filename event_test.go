package parley

import (
	"bytes"
	"testing"
)

// FuzzUnmarshalEventData: an event's payload, as a verifier reads it from
// a record entry and a client from the live stream, is decoded only into
// what encodes and decodes again to the same bytes.
func FuzzUnmarshalEventData(f *testing.F) {
	for typ := range eventTypes {
		f.Add(typ, []byte(`{}`))
	}
	f.Add("message.posted", []byte(`{"message_id":"m1","thread_id":"t1","body":"Hello","at":"2031-01-01T00:00:00Z"}`))
	f.Add("proposal.drafted", []byte(`{"proposal_id":"p","details":{"truce":{"hours":24,"starts":"2031-01-01T06:00:00+02:00","shapes":[{"name":"x","kind":"crossing","points":[[35.2,47.5]]}]}}}`))
	f.Add("message.posted", []byte(`{"body":"\ud800"}`))
	f.Fuzz(func(t *testing.T, typ string, b []byte) {
		d, err := UnmarshalEventData(typ, b)
		if err != nil {
			if d != nil {
				t.Fatalf("refused with %v, yet decoded %+v", err, d)
			}
			return
		}
		once, err := MarshalEventData(d)
		if err != nil {
			t.Fatalf("decoded %s into %+v, which does not encode: %v", b, d, err)
		}
		again, err := UnmarshalEventData(typ, once)
		if err != nil {
			t.Fatalf("%s does not decode again: %v", once, err)
		}
		twice, err := MarshalEventData(again)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("%s encodes as %s, then as %s (%v)", b, once, twice, err)
		}
	})
}
