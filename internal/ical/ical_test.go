package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/parley-talks/parley"
)

func meeting() parley.Meeting {
	return parley.Meeting{ID: "m1", Title: "Гуманітарна група, засідання 3; обмін, списки", Start: time.Date(2026, 6, 2, 7, 0, 0, 0, time.UTC),
		Duration: 40, TimeZone: "Europe/Istanbul", CallURL: "https://call.example.org/hum-3?pin=1,2", Sequence: 2, Status: parley.MeetingStatusScheduled}
}

// TestCalendarParses checks the output with a parser this project did not
// write (github.com/emersion/go-ical), and that what it reads back is what
// was meant: escaped text, UTC times, folded long lines.
func TestCalendarParses(t *testing.T) {
	long := strings.Repeat("Порядок денний: списки для обміну, етапи, репатріація. ", 6)
	cancelled := meeting()
	cancelled.ID, cancelled.Status = "m2", parley.MeetingStatusCancelled
	b := Calendar("Parley — Ковальчук", Publish, "parley.example.org", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), []Event{
		{Meeting: meeting(), URL: "https://parley.example.org/meetings/m1", Description: "1. Lists\n2. " + long, Organiser: `Mediator "Türkiye"`},
		{Meeting: cancelled},
	})
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d has %d octets", i+1, len(line))
		}
	}
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, b)
	}
	events := cal.Events()
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	e := events[0]
	get := func(name string) string {
		t.Helper()
		v, err := e.Props.Text(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	if got := get(goical.PropSummary); got != meeting().Title {
		t.Errorf("summary %q", got)
	}
	if got := get(goical.PropDescription); got != "1. Lists\n2. "+long {
		t.Errorf("description %q", got)
	}
	if got := get(goical.PropLocation); got != meeting().CallURL {
		t.Errorf("location %q", got)
	}
	if uid := get(goical.PropUID); uid != "m1@parley.example.org" {
		t.Errorf("uid %q", uid)
	}
	start, err := e.DateTimeStart(time.UTC)
	if err != nil || !start.Equal(meeting().Start) {
		t.Errorf("start %v %v", start, err)
	}
	end, err := e.DateTimeEnd(time.UTC)
	if err != nil || !end.Equal(meeting().Start.Add(40*time.Minute)) {
		t.Errorf("end %v %v", end, err)
	}
	if seq := e.Props.Get(goical.PropSequence); seq == nil || seq.Value != "2" {
		t.Errorf("sequence %+v", seq)
	}
	if st := events[1].Props.Get(goical.PropStatus); st == nil || st.Value != "CANCELLED" {
		t.Errorf("cancelled status %+v", st)
	}
	if m := cal.Props.Get(goical.PropMethod); m == nil || m.Value != "PUBLISH" {
		t.Errorf("method %+v", m)
	}
	if org := e.Props.Get(goical.PropOrganizer); org == nil || org.Params.Get(goical.ParamCommonName) != "Mediator Türkiye" {
		t.Errorf("organiser %+v", org)
	}
}
