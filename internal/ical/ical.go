// Package ical writes meetings as iCalendar (RFC 5545): an invitation to one
// meeting, or a feed of many, that any calendar program can read.
package ical

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-talks/parley"
)

// Method says what a calendar object is for (RFC 5546).
type Method string

// Methods.
const (
	Publish Method = "PUBLISH" // a feed: events to show
	Request Method = "REQUEST" // an invitation to add or update an event
	Cancel  Method = "CANCEL"  // an invitation withdrawn
)

// Event is one meeting as a calendar shows it.
type Event struct {
	Meeting     parley.Meeting
	URL         string // the meeting's page on the server
	Description string // agenda and call link, written by the caller in the reader's language
	Organiser   string // display name
}

// Calendar writes events as one VCALENDAR. host names the server in the
// events' UIDs, which stay the same across updates so that calendars
// replace the event rather than add another. stamp is DTSTAMP.
func Calendar(name string, method Method, host string, stamp time.Time, events []Event) []byte {
	var w writer
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", "-//Parley//Parley negotiation server//EN")
	w.line("CALSCALE", "GREGORIAN")
	w.line("METHOD", string(method))
	if name != "" {
		w.line("X-WR-CALNAME", text(name))
	}
	for _, e := range events {
		m := e.Meeting
		w.line("BEGIN", "VEVENT")
		w.line("UID", m.ID+"@"+host)
		w.line("DTSTAMP", utc(stamp))
		w.line("DTSTART", utc(m.Start))
		w.line("DTEND", utc(m.End()))
		w.line("SEQUENCE", strconv.Itoa(m.Sequence))
		w.line("SUMMARY", text(m.Title))
		if e.Description != "" {
			w.line("DESCRIPTION", text(e.Description))
		}
		if m.CallURL != "" {
			w.line("LOCATION", text(m.CallURL))
		}
		if e.URL != "" {
			w.line("URL", e.URL)
		}
		if e.Organiser != "" {
			w.line("ORGANIZER;CN="+param(e.Organiser), "mailto:noreply@"+host)
		}
		switch {
		case m.Status == parley.MeetingStatusCancelled || method == Cancel:
			w.line("STATUS", "CANCELLED")
		default:
			w.line("STATUS", "CONFIRMED")
		}
		w.line("END", "VEVENT")
	}
	w.line("END", "VCALENDAR")
	return []byte(w.String())
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// text escapes a TEXT value (RFC 5545 3.3.11).
func text(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// param quotes a parameter value; double quotes cannot appear in one.
func param(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return `"` + s + `"`
}

// writer folds content lines at 75 octets, never inside a UTF-8 sequence,
// and ends each with CRLF.
type writer struct{ strings.Builder }

func (w *writer) line(name, value string) {
	s := name + ":" + value
	n := 0
	for len(s) > 0 {
		limit := 75
		if n > 0 {
			limit = 74 // the leading space of a continuation counts
		}
		cut := len(s)
		if cut > limit {
			cut = limit
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
		}
		if n > 0 {
			w.WriteByte(' ')
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n")
		s = s[cut:]
		n++
	}
}
