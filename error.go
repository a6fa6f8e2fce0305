package parley

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes. Each maps to one HTTP status in internal/web and to one exit
// status in cmd/parley; the set is deliberately small.
const (
	EINVALID      = "invalid"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
)

// Error is the one error type of Parley. Message is a sentence a user may
// read; Fields names the offending input fields of an EINVALID error. Details
// for operators go to the log, never into an Error.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Message)
	for i, k := range keys {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + e.Fields[k])
	}
	return b.String()
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: the code of the *Error it wraps,
// EINTERNAL for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Errors that are not
// an *Error carry internal detail, so they read as a generic sentence.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}

// Invalid collects field errors of a command or form. Its zero value is ready
// to use; Err returns nil while no field was reported.
type Invalid struct {
	fields map[string]string
}

// Add records that field is wrong, with a sentence saying why.
func (v *Invalid) Add(field, why string) {
	if v.fields == nil {
		v.fields = make(map[string]string)
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = why
	}
}

// Require reports field as missing when value is empty after trimming spaces.
func (v *Invalid) Require(field, value string) {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "is required")
	}
}

// MaxLen reports field when value has more than n characters.
func (v *Invalid) MaxLen(field, value string, n int) {
	if len([]rune(value)) > n {
		v.Add(field, "is too long")
	}
}

// Err returns an EINVALID *Error naming every reported field, or nil.
func (v *Invalid) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "The input is not valid.", Fields: v.fields}
}
