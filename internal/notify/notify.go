// Package notify tells people by e-mail when something awaits them: a
// proposal put to their party, a question about their party's proposal, an
// answer, the end of a proposal; and it sends meeting invitations, changes
// and cancellations with a calendar file attached. It is optional: without
// an SMTP server configured, the in-app list of what awaits each user and
// the calendar feed are all there is.
//
// Each instance of a server may run a Notifier; the store records every
// notification sent, so each is sent once.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/smtp"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/live"
	"github.com/parley-talks/parley/internal/store"
)

// Mailer sends mail through an SMTP server.
type Mailer struct {
	Addr     string // host:port
	From     string
	User     string // with Password, PLAIN authentication (needs TLS, or localhost)
	Password string
}

// Send sends one plain-text message.
func (m Mailer) Send(to, subject, body string) error {
	msg := m.head(to, subject) + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n")
	return m.deliver(to, msg)
}

// head is the start of a message's header, up to its content type.
func (m Mailer) head(to, subject string) string {
	return "From: " + m.From + "\r\nTo: " + to + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", subject) + "\r\nMIME-Version: 1.0\r\n"
}

// deliver hands msg to the SMTP server.
func (m Mailer) deliver(to, msg string) error {
	var auth smtp.Auth
	if m.User != "" {
		host := m.Addr
		if i := strings.LastIndex(host, ":"); i >= 0 {
			host = host[:i]
		}
		auth = smtp.PlainAuth("", m.User, m.Password, host)
	}
	if strings.ContainsAny(to, "\r\n") || strings.ContainsAny(m.From, "\r\n") {
		return fmt.Errorf("notify: an address contains a line break")
	}
	return smtp.SendMail(m.Addr, auth, m.From, []string{to}, []byte(msg))
}

// Notifier turns committed events into e-mail.
type Notifier struct {
	DB      *store.DB
	Mail    Mailer
	BaseURL string
	Log     *slog.Logger
	Now     func() time.Time
}

// Run sends notifications for the events of sub until ctx ends or the hub
// drops the subscription.
func (n *Notifier) Run(ctx context.Context, hub *live.Hub) {
	sub := hub.SubscribeAll()
	defer hub.Unsubscribe(sub)
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				n.Log.WarnContext(ctx, "notify: fell behind the record; some notifications were not sent")
				sub = hub.SubscribeAll()
				continue
			}
			if err := n.Handle(ctx, e); err != nil {
				n.Log.WarnContext(ctx, "notify", "seq", e.Seq, "err", err)
			}
		}
	}
}

// Handle sends the notifications one event calls for.
func (n *Notifier) Handle(ctx context.Context, e parley.Event) error {
	// Which proposal, and who is told what about it.
	var id, what string
	toProposer := false
	switch d := e.Data.(type) {
	case *parley.ProposalSubmitted:
		id, what = d.ProposalID, "submitted"
		if d.CounterOf != "" {
			what = "countered"
		}
	case *parley.ClarificationAsked:
		id, what, toProposer = d.ProposalID, "asked", true
	case *parley.ClarificationAnswered:
		id, what = d.ProposalID, "answered"
	case *parley.ProposalAccepted:
		id, what, toProposer = d.ProposalID, "accepted", true
	case *parley.ProposalRejected:
		id, what, toProposer = d.ProposalID, "rejected", true
	case *parley.ProposalWithdrawn:
		id, what = d.ProposalID, "withdrawn"
	case *parley.ProposalExpired:
		id, what, toProposer = d.ProposalID, "expired", true
	default:
		_, err := n.meeting(ctx, e)
		return err
	}
	p, err := n.DB.ProposalByID(ctx, id)
	if err != nil {
		return err
	}
	party := p.ToParty
	if toProposer {
		party = p.FromParty
	}
	people, err := n.DB.Speakers(ctx, party, p.GroupID)
	if err != nil {
		return err
	}
	for _, acc := range people {
		if acc.Email == "" || acc.ID == e.Actor {
			continue
		}
		// Recorded before sending: a notification is sent at most once,
		// even when an instance fails half-way; the in-app list remains.
		first, err := n.DB.Notified(ctx, e.Seq, acc.ID, n.Now())
		if err != nil {
			return err
		}
		if !first {
			continue
		}
		subject, body := message(acc.Locale, what, p.Title, strings.TrimSuffix(n.BaseURL, "/")+"/proposals/"+id)
		if err := n.Mail.Send(acc.Email, subject, body); err != nil {
			return fmt.Errorf("send to %s: %w", acc.Username, err)
		}
	}
	return nil
}

// message is a notification in the reader's language.
func message(lang parley.Lang, what, title, link string) (subject, body string) {
	m, ok := messages[lang]
	if !ok {
		m = messages[parley.English]
	}
	subject = "Parley: " + m[what] + " — " + title
	body = m[what] + ":\n\n    " + title + "\n\n" + m["open"] + "\n" + link + "\n"
	return subject, body
}

var messages = map[parley.Lang]map[string]string{
	parley.English: {
		"submitted": "A proposal awaits your delegation's answer", "countered": "A counter-proposal awaits your delegation's answer",
		"asked": "A question about your delegation's proposal awaits an answer", "answered": "A question was answered; the proposal awaits your delegation's answer",
		"accepted": "Your delegation's proposal was accepted", "rejected": "Your delegation's proposal was rejected",
		"withdrawn": "A proposal to your delegation was withdrawn", "expired": "Your delegation's proposal expired unanswered",
		"open": "Open it in Parley:",
	},
	parley.Ukrainian: {
		"submitted": "Пропозиція чекає на відповідь вашої делегації", "countered": "Зустрічна пропозиція чекає на відповідь вашої делегації",
		"asked": "Запитання щодо пропозиції вашої делегації чекає на відповідь", "answered": "На запитання відповіли; пропозиція чекає на відповідь вашої делегації",
		"accepted": "Пропозицію вашої делегації прийнято", "rejected": "Пропозицію вашої делегації відхилено",
		"withdrawn": "Пропозицію, адресовану вашій делегації, відкликано", "expired": "Строк пропозиції вашої делегації минув без відповіді",
		"open": "Відкрити в Parley:",
	},
	parley.Russian: {
		"submitted": "Предложение ждёт ответа вашей делегации", "countered": "Встречное предложение ждёт ответа вашей делегации",
		"asked": "Вопрос по предложению вашей делегации ждёт ответа", "answered": "На вопрос ответили; предложение ждёт ответа вашей делегации",
		"accepted": "Предложение вашей делегации принято", "rejected": "Предложение вашей делегации отклонено",
		"withdrawn": "Предложение, адресованное вашей делегации, отозвано", "expired": "Срок предложения вашей делегации истёк без ответа",
		"open": "Открыть в Parley:",
	},
	parley.Turkish: {
		"submitted": "Bir öneri heyetinizin yanıtını bekliyor", "countered": "Bir karşı öneri heyetinizin yanıtını bekliyor",
		"asked": "Heyetinizin önerisiyle ilgili bir soru yanıt bekliyor", "answered": "Soru yanıtlandı; öneri heyetinizin yanıtını bekliyor",
		"accepted": "Heyetinizin önerisi kabul edildi", "rejected": "Heyetinizin önerisi reddedildi",
		"withdrawn": "Heyetinize yapılan bir öneri geri çekildi", "expired": "Heyetinizin önerisinin süresi yanıtsız doldu",
		"open": "Parley'de açın:",
	},
}
