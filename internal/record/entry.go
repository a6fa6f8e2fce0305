// Package record defines Parley's record: the append-only, hash-linked log
// of every event, whose entries are leaves of an RFC 6962 Merkle tree.
//
// # Entry format, version 1
//
// An entry's canonical bytes are the UTF-8 text
//
//	parley-entry/1\n
//	<seq>\n           decimal, from 1, no leading zeros
//	<at>\n            RFC 3339 UTC with nanoseconds, e.g. 2025-07-23T09:00:00.123456Z
//	<type>\n          event type, e.g. message.posted
//	<actor>\n         account identifier, may be empty
//	<process>\n       process identifier, may be empty
//	<space>\n         space identifier, may be empty
//	<salt>\n          32 random bytes, lower-case hex
//	<len>\n           length of data in bytes, decimal
//	<data>            the event's canonical JSON payload
//
// Identifiers never contain a newline (they are lower-case letters, digits
// and dashes), and the payload's length is given before it, so the encoding
// is unambiguous. The salt makes the hash of a confidential entry reveal
// nothing about its content to a party that sees only the hash.
//
// The leaf hash is SHA-256(0x00 || bytes), as in RFC 6962. Each entry also
// carries a chain hash, SHA-256(previous chain hash || leaf hash), with 32
// zero bytes before the first entry, so that any rewrite of the past changes
// every later chain hash.
//
// # Tree, checkpoints, tiles, proofs
//
// Entry n is leaf n-1 of an RFC 6962 Merkle tree, stored in the layout of
// golang.org/x/mod/sumdb/tlog. The server signs checkpoints of the tree
// (C2SP tlog-checkpoint, as a signed note: origin, size, base64 root) with
// its Ed25519 key; witnesses cosign them (C2SP tlog-cosignature v1, see
// cosign.go). Hash tiles have height 8 (C2SP tlog-tiles). An entry bundle
// carries the entries of one level-0 tile as one reader sees them: for each,
// 0x00, a 4-byte big-endian length and the entry's bytes if the reader may
// read it, else 0x01 and its 32-byte leaf hash (see tree.go). Verify checks
// a log from these alone.
//
// docs/record.md describes every format byte by byte, the HTTP endpoints,
// parley verify and parley witness; testdata/ holds fixtures of each format
// that the golden tests keep stable.
package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Entry is one record entry before encoding.
type Entry struct {
	Seq     int64
	At      time.Time
	Type    string
	Actor   string
	Process string
	Space   string
	Salt    [32]byte
	Data    []byte
}

const magic = "parley-entry/1\n"

// Marshal returns the canonical bytes of e.
func (e *Entry) Marshal() []byte {
	var b bytes.Buffer
	b.Grow(len(magic) + 200 + len(e.Data))
	b.WriteString(magic)
	b.WriteString(strconv.FormatInt(e.Seq, 10))
	b.WriteByte('\n')
	b.WriteString(e.At.UTC().Format(time.RFC3339Nano))
	b.WriteByte('\n')
	for _, s := range []string{e.Type, e.Actor, e.Process, e.Space} {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	b.WriteString(hex.EncodeToString(e.Salt[:]))
	b.WriteByte('\n')
	b.WriteString(strconv.Itoa(len(e.Data)))
	b.WriteByte('\n')
	b.Write(e.Data)
	return b.Bytes()
}

// IsEntry reports whether b begins as the canonical bytes of an entry do,
// as opposed to bytes the store sealed.
func IsEntry(b []byte) bool { return bytes.HasPrefix(b, []byte(magic)) }

// Unmarshal parses canonical entry bytes. It rejects any input that
// Marshal would not have produced.
func Unmarshal(b []byte) (*Entry, error) {
	if !bytes.HasPrefix(b, []byte(magic)) {
		return nil, errors.New("record: not a version 1 entry")
	}
	rest := b[len(magic):]
	var lines [8]string
	for i := range lines {
		j := bytes.IndexByte(rest, '\n')
		if j < 0 {
			return nil, errors.New("record: truncated entry")
		}
		lines[i] = string(rest[:j])
		rest = rest[j+1:]
	}
	e := &Entry{Type: lines[2], Actor: lines[3], Process: lines[4], Space: lines[5], Data: rest}
	var err error
	if e.Seq, err = strconv.ParseInt(lines[0], 10, 64); err != nil || e.Seq < 1 {
		return nil, fmt.Errorf("record: bad sequence %q", lines[0])
	}
	if e.At, err = time.Parse(time.RFC3339Nano, lines[1]); err != nil {
		return nil, fmt.Errorf("record: bad time %q", lines[1])
	}
	salt, err := hex.DecodeString(lines[6])
	if err != nil || len(salt) != 32 || strings.ToLower(lines[6]) != lines[6] {
		return nil, fmt.Errorf("record: bad salt %q", lines[6])
	}
	copy(e.Salt[:], salt)
	n, err := strconv.Atoi(lines[7])
	if err != nil || n != len(rest) {
		return nil, fmt.Errorf("record: data length %q does not match %d bytes", lines[7], len(rest))
	}
	if !bytes.Equal(e.Marshal(), b) {
		return nil, errors.New("record: entry is not in canonical form")
	}
	return e, nil
}

// Hash is a SHA-256 hash.
type Hash [32]byte

// LeafHash returns the RFC 6962 leaf hash of entry bytes b.
func LeafHash(b []byte) Hash {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(b)
	var out Hash
	h.Sum(out[:0])
	return out
}

// ChainHash returns the chain hash following prev for a leaf.
func ChainHash(prev, leaf Hash) Hash {
	var buf [64]byte
	copy(buf[:32], prev[:])
	copy(buf[32:], leaf[:])
	return sha256.Sum256(buf[:])
}
