// Package seal encrypts the personal fields Parley keeps about people —
// prisoners, the missing, the dead — so that they are unreadable at rest:
// AES-256-GCM under keys held apart from the database.
//
// # What it defends against, and what not
//
// A copy of the database file, a backup, a disk taken from the host, a
// dump handed to the wrong person: without the key file, none of them
// reveals a personal field. They still show what is not sealed — which
// rows exist, the numbers of an exchange, the other columns — and how
// long each sealed field is, since GCM does not hide a value's length.
//
// A host where the server runs with its key is not defended against: who
// controls the running server, or can read its memory, its environment or
// the key file, reads every field as the server does. Access there is a
// matter for the operating system, the access rules of the server, and
// its log of who saw which personal data; sealing is for the copies.
//
// # Keys and the key file
//
// A key is 32 random bytes (see [Generate]). Its ID is the first 4 bytes
// of the key's SHA-256 in hexadecimal, 8 characters: the same key always
// has the same ID, and an operator can check it with
//
//	echo KEY | base64 -d | sha256sum | cut -c1-8
//
// A [Keyring] holds keys in order; the last one is current: it seals, and
// every one of them opens. A key file is text, one key per line, in
// standard base64 with padding (44 characters), optionally followed by a
// comment after '#'; blank lines and lines holding only a comment are
// ignored. For example:
//
//	# Parley's keys for personal data, one a line; the last is current.
//	AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= # 630dcd29, created 2026-03-01 UTC
//	ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8= # 72dbb733, added 2026-09-01 UTC
//
// (These two keys are the bytes 0 to 63, an example; a real key comes from
// [Generate].) [LoadFile] refuses a file that its owner's group or others
// may read or write (on Unix), a malformed line, a key given twice, the
// all-zero key and a file with no key; its errors name the line, never
// quote it. [ParseEnv] reads the same format from an environment
// variable's value, where ';' may stand for a line break. [CreateFile]
// writes a new key file, [Keyring.AppendToFile] adds a key to one.
//
// # Rotation
//
// Keys are rotated in three steps, so that no value is ever left without
// the key that opens it:
//
//  1. Append a new key to the key file ([Keyring.AppendToFile]). It becomes
//     current: new values are sealed with it, and old ones still open.
//  2. Re-seal everything: open each value whose [Keyring.NeedsReseal]
//     reports true and seal it again (`parley keys rotate` does this over
//     the store).
//  3. Only then may the old key be removed from the file. A value sealed
//     with a removed key can no longer be opened: [Keyring.Open] fails
//     with [ErrUnknownKey] and names the missing key.
//
// With a random 96-bit nonce per value, one key should seal fewer than
// 2³² values; a server sealing a few dozen fields per person stays far
// below that, but a key should be rotated long before.
//
// # Associated data
//
// Every value is sealed for a place: the caller passes associated data
// saying where the value belongs — the table, the row's ID and the column,
// as [AAD] builds them — and must pass the same to open it. A sealed
// value copied to another row or column, whether by a bug or by someone
// with write access to the database, then fails to open instead of
// showing one person's name as another's. Associated data is not secret
// and is not stored with the value. It is mandatory: [Keyring.Seal] and
// [Keyring.Open] panic without it.
//
// # The sealed format
//
// A sealed value is bytes:
//
//	version  1 byte   1
//	key ID   4 bytes  the first 4 bytes of SHA-256(key)
//	nonce   12 bytes  random
//	ciphertext and GCM tag (16 bytes)
//
// The GCM additional data is the version and key ID followed by the
// caller's associated data, so every byte of the value is authenticated.
// As text, for a database column ([Keyring.SealString]), a sealed value
// is [TextPrefix] followed by the bytes in unpadded base64url.
//
// A [Keyring] does not change once made, and is safe for concurrent use.
package seal
