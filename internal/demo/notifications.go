package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// The humanitarian group's notifications: an evacuation of wounded the
// other side acknowledged, a convoy it questioned and had answered, and a
// corridor awaiting acknowledgement, under the mediator's 24 hours'
// notice. Times are hours from the installation.

type demoNotification struct {
	by       string // the account that notifies
	terms    parley.NotificationTerms
	sentAgo  float64 // hours
	startsIn float64 // hours
	hours    float64 // the window
	steps    []demoNotificationStep
}

type demoNotificationStep struct {
	act, by string
	ago     float64 // hours
	text    string
}

var demoNotifications = []demoNotification{
	{by: "delegate.ua", sentAgo: 48, startsIn: 22, hours: 8,
		terms: parley.NotificationTerms{Kind: parley.NotifyEvacuation, TimeZone: "Europe/Kyiv",
			Route:    "From the field hospital at Kamianske along the T-0803 road to the crossing point south of Vasylivka, then to the Zaporizhzhia regional hospital.",
			Points:   []parley.Point{{35.21, 47.49}, {35.18, 47.44}, {35.13, 47.60}, {35.14, 47.84}},
			Purpose:  "Evacuation of 23 seriously wounded soldiers and civilians, with medical staff. Vehicles marked with the red cross.",
			Vehicles: 6, People: 31},
		steps: []demoNotificationStep{{act: "acknowledge", by: "delegate.ru", ago: 30}}},
	{by: "delegate.ru", sentAgo: 26, startsIn: 46, hours: 10,
		terms: parley.NotificationTerms{Kind: parley.NotifyConvoy, TimeZone: "Europe/Moscow",
			Route:    "From the checkpoint at Vasylivka to the agreed handover point on the line of contact and back.",
			Points:   []parley.Point{{35.28, 47.44}, {35.18, 47.47}},
			Purpose:  "Refrigerated trucks carrying the remains of 120 fallen for repatriation, with forensic staff.",
			Vehicles: 4, People: 12},
		steps: []demoNotificationStep{
			{act: "question", by: "delegate.ua", ago: 20, text: "Will the convoy stop at the handover point for the observer's count, and for how long?"},
			{act: "answer", by: "head.ru", ago: 16, text: "Yes: about two hours at the handover point, in the observer's presence."},
		}},
	{by: "head.ua", sentAgo: 3, startsIn: 30, hours: 12,
		terms: parley.NotificationTerms{Kind: parley.NotifyCorridor, TimeZone: "Europe/Kyiv",
			Route:    "A civilian corridor from Stepnohirsk north to Zaporizhzhia along the main road.",
			Purpose:  "Departure of civilians, mostly elderly and children, who asked to leave; buses and private cars.",
			Vehicles: 15, People: 300}},
}

// installNotifications sets the humanitarian group's notice period and
// sends its notifications, each act by the clock of its hour.
func installNotifications(ctx context.Context, db *store.DB, svc *service.Service, actors map[string]parley.Actor, groups map[string]string, now time.Time) error {
	group := groups["humanitarian"]
	if group == "" {
		return nil
	}
	do := func(hoursAgo float64, by string, cmd parley.Command) ([]parley.Event, error) {
		t := now.Add(-time.Duration(hoursAgo * float64(time.Hour)))
		a, err := db.Actor(ctx, actors[by].AccountID, "")
		if err != nil {
			return nil, err
		}
		evs, err := svc.WithClock(func() time.Time { return t }).Do(ctx, a, cmd)
		if err != nil {
			return nil, fmt.Errorf("demo: notification: %T by %s: %w", cmd, by, err)
		}
		return evs, nil
	}
	if _, err := do(24*7, "mediator", parley.SetNoticePeriod{GroupID: group, Hours: 24}); err != nil {
		return err
	}
	base := now.Truncate(time.Hour)
	for _, n := range demoNotifications {
		terms := n.terms
		terms.Starts = base.Add(time.Duration(n.startsIn * float64(time.Hour)))
		terms.Ends = terms.Starts.Add(time.Duration(n.hours * float64(time.Hour)))
		evs, err := do(n.sentAgo, n.by, parley.Notify{GroupID: group, NotificationTerms: terms})
		if err != nil {
			return err
		}
		id := evs[0].Data.(*parley.NotificationSent).NotificationID
		for _, st := range n.steps {
			var cmd parley.Command
			switch st.act {
			case "acknowledge":
				cmd = parley.AcknowledgeNotification{NotificationID: id}
			case "question":
				cmd = parley.QuestionNotification{NotificationID: id, Text: st.text}
			case "answer":
				cmd = parley.AnswerNotification{NotificationID: id, Text: st.text}
			}
			if _, err := do(st.ago, st.by, cmd); err != nil {
				return err
			}
		}
	}
	return nil
}
