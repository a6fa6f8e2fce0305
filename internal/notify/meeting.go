package notify

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/ical"
)

// meeting sends the invitations a meeting's event calls for: to everyone
// who may read its space, but the one who acted, each with the meeting as
// an iCalendar file their calendar program adds, updates or removes. ok
// says e was about a meeting's invitation.
func (n *Notifier) meeting(ctx context.Context, e parley.Event) (ok bool, err error) {
	var id, what string
	method := ical.Request
	switch d := e.Data.(type) {
	case *parley.MeetingScheduled:
		id, what = d.MeetingID, "invited"
	case *parley.MeetingChanged:
		id, what = d.MeetingID, "changed"
	case *parley.MeetingCancelled:
		id, what, method = d.MeetingID, "cancelled", ical.Cancel
	default:
		return false, nil
	}
	m, err := n.meetingAsReader(ctx, e, id)
	if err != nil {
		return true, err
	}
	people, err := n.DB.Readers(ctx, m.SpaceID)
	if err != nil {
		return true, err
	}
	base := strings.TrimSuffix(n.BaseURL, "/")
	host := "parley"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	link := base + "/meetings/" + m.ID
	for _, acc := range people {
		if acc.Email == "" || acc.ID == e.Actor {
			continue
		}
		first, err := n.DB.Notified(ctx, e.Seq, acc.ID, n.Now())
		if err != nil {
			return true, err
		}
		if !first {
			continue
		}
		subject, body := invitation(acc, what, m, link)
		file := ical.Calendar("", method, host, n.Now(), []ical.Event{{Meeting: m, URL: link, Description: body}})
		if err := n.Mail.SendCalendar(acc.Email, subject, body, string(method), file); err != nil {
			return true, fmt.Errorf("send to %s: %w", acc.Username, err)
		}
	}
	return true, nil
}

// meetingAsReader loads meeting id as one of the people who may read its
// space: the one who acted.
func (n *Notifier) meetingAsReader(ctx context.Context, e parley.Event, id string) (parley.Meeting, error) {
	a, err := n.DB.Actor(ctx, e.Actor, e.Scope.ProcessID)
	if err != nil {
		return parley.Meeting{}, err
	}
	return n.DB.Meeting(ctx, a, id)
}

// invitation is a meeting's invitation, change or cancellation in the
// reader's language, its time in the reader's time zone.
func invitation(acc parley.Account, what string, m parley.Meeting, link string) (subject, body string) {
	t, ok := invitations[acc.Locale]
	if !ok {
		t = invitations[parley.English]
	}
	loc, err := time.LoadLocation(acc.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	subject = "Parley: " + t[what] + " — " + m.Title
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n\n    %s\n\n", t[what], m.Title)
	fmt.Fprintf(&b, "%s: %s (%d %s)\n", t["when"], m.Start.In(loc).Format("2006-01-02 15:04 MST"), m.Duration, t["minutes"])
	if m.CallURL != "" && what != "cancelled" {
		fmt.Fprintf(&b, "%s: %s\n", t["call"], m.CallURL)
	}
	if len(m.Agenda) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", t["agenda"])
		for i, it := range m.Agenda {
			fmt.Fprintf(&b, "%d. %s\n", i+1, it.Title)
		}
	}
	fmt.Fprintf(&b, "\n%s\n%s\n", t["open"], link)
	return subject, b.String()
}

var invitations = map[parley.Lang]map[string]string{
	parley.English: {"invited": "You are invited to a meeting", "changed": "A meeting was changed", "cancelled": "A meeting was cancelled",
		"when": "When", "minutes": "minutes", "call": "Video call", "agenda": "Agenda", "open": "Open it in Parley:"},
	parley.Ukrainian: {"invited": "Вас запрошено на засідання", "changed": "Засідання змінено", "cancelled": "Засідання скасовано",
		"when": "Коли", "minutes": "хв", "call": "Відеозв’язок", "agenda": "Порядок денний", "open": "Відкрити в Parley:"},
	parley.Russian: {"invited": "Вы приглашены на заседание", "changed": "Заседание изменено", "cancelled": "Заседание отменено",
		"when": "Когда", "minutes": "мин", "call": "Видеосвязь", "agenda": "Повестка дня", "open": "Открыть в Parley:"},
	parley.Turkish: {"invited": "Bir toplantıya davetlisiniz", "changed": "Bir toplantı değiştirildi", "cancelled": "Bir toplantı iptal edildi",
		"when": "Ne zaman", "minutes": "dakika", "call": "Görüntülü görüşme", "agenda": "Gündem", "open": "Parley'de açın:"},
}

// SendCalendar sends a plain-text message with a calendar file attached:
// an invitation (method REQUEST) or its cancellation (CANCEL).
func (m Mailer) SendCalendar(to, subject, body, method string, file []byte) error {
	const boundary = "parley-invitation-boundary"
	var b strings.Builder
	b.WriteString(m.head(to, subject) + "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n")
	b.WriteString("--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n") + "\r\n")
	b.WriteString("--" + boundary + "\r\nContent-Type: text/calendar; charset=utf-8; method=" + method + "\r\n")
	b.WriteString("Content-Disposition: attachment; filename=\"invite.ics\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(file)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--" + boundary + "--\r\n")
	return m.deliver(to, b.String())
}
