// Package parley is the vocabulary of Parley, a server on which the parties
// to an armed conflict and a mediator negotiate online in standing working
// groups.
//
// This package holds the domain types (processes, parties, working groups,
// spaces, discussions), the commands users give, the events those commands
// become, the policy that decides who may do what, and the pure decision
// functions that turn a command and the current state into events. It does no
// I/O and reads no clock: time and identifiers are passed in through [Env].
//
// Every change to negotiation data follows one path, implemented by
// internal/service: a [Command] is validated, the policy is checked, the
// affected state is loaded inside one transaction, a decide function returns
// [Event] values, and those events are appended to the record and applied to
// the read tables in the same transaction before they are published.
package parley

import (
	"strings"
	"time"
)

// Lang is a working language of a process, as a BCP 47 tag.
type Lang string

// The languages the user interface speaks.
const (
	English   Lang = "en"
	Ukrainian Lang = "uk"
	Russian   Lang = "ru"
	Turkish   Lang = "tr"
)

// Langs lists the user interface languages in the order they are offered.
var Langs = []Lang{English, Ukrainian, Russian, Turkish}

// ParseLang returns the interface language named by s, and false when s is
// none of them.
func ParseLang(s string) (Lang, bool) {
	for _, l := range Langs {
		if string(l) == s {
			return l, true
		}
	}
	return "", false
}

// Names holds a display name in each working language.
type Names map[Lang]string

// In returns the name in lang, falling back to English and then to any name.
func (n Names) In(lang Lang) string {
	if s := n[lang]; s != "" {
		return s
	}
	if s := n[English]; s != "" {
		return s
	}
	for _, l := range Langs {
		if s := n[l]; s != "" {
			return s
		}
	}
	return ""
}

// Env is what a decision is given besides state and command: the current
// time and a source of fresh identifiers. Keeping both outside the decide
// functions keeps them pure and their tests deterministic.
type Env struct {
	Now   time.Time
	NewID func() string
}

// validID reports whether s looks like an identifier Parley issued: opaque,
// short, and made of lower-case letters, digits and dashes.
func validID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// requireID reports field as invalid unless it holds an identifier.
func (v *Invalid) requireID(field, id string) {
	if strings.TrimSpace(id) == "" {
		v.Add(field, "is required")
	} else if !validID(id) {
		v.Add(field, "is not a valid identifier")
	}
}
