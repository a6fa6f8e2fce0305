package parley

import (
	"strings"
	"time"
)

// Thread is a discussion in one space.
type Thread struct {
	ID        string    `json:"id"`
	SpaceID   string    `json:"space_id"`
	ProcessID string    `json:"process_id"`
	Title     string    `json:"title"`
	AuthorID  string    `json:"author_id"` // account
	Author    string    `json:"author"`    // display name, joined for reading
	CreatedAt time.Time `json:"created_at"`
	LastAt    time.Time `json:"last_at"`
	Messages  int       `json:"messages"`
	Unread    int       `json:"unread"` // for the reader the thread was loaded for
}

// Message is one contribution to a thread: plain text, shown with safe links
// and line breaks. Edits keep every earlier text.
type Message struct {
	ID       string    `json:"id"`
	ThreadID string    `json:"thread_id"`
	SpaceID  string    `json:"space_id"`
	AuthorID string    `json:"author_id"`
	Author   string    `json:"author"`
	Body     string    `json:"body"`
	PostedAt time.Time `json:"posted_at"`
	EditedAt time.Time `json:"edited_at"` // zero when never edited
	Version  int       `json:"version"`   // 1 when posted, +1 per edit
	Seq      int64     `json:"seq"`       // record entry of the latest version
}

// MessageRevision is an earlier text of an edited message.
type MessageRevision struct {
	Version  int       `json:"version"`
	Body     string    `json:"body"`
	EditedAt time.Time `json:"edited_at"`
}

// Events of the discussion.
type (
	// ThreadStarted opens a thread in a space.
	ThreadStarted struct {
		ThreadID string `json:"thread_id"`
		SpaceID  string `json:"space_id"`
		Title    string `json:"title"`
	}
	// MessagePosted adds a message to a thread.
	MessagePosted struct {
		MessageID string `json:"message_id"`
		ThreadID  string `json:"thread_id"`
		Body      string `json:"body"`
	}
	// MessageEdited replaces the text of a message, keeping the old one.
	MessageEdited struct {
		MessageID string `json:"message_id"`
		ThreadID  string `json:"thread_id"`
		Body      string `json:"body"`
		Version   int    `json:"version"`
	}
)

func (*ThreadStarted) EventType() string { return "thread.started" }
func (*MessagePosted) EventType() string { return "message.posted" }
func (*MessageEdited) EventType() string { return "message.edited" }

func init() {
	register(
		func() EventData { return new(ThreadStarted) },
		func() EventData { return new(MessagePosted) },
		func() EventData { return new(MessageEdited) },
	)
}

// Commands of the discussion.
type (
	// StartThread opens a thread in a space with its first message.
	StartThread struct {
		SpaceID string `json:"space_id"`
		Title   string `json:"title"`
		Body    string `json:"body"`
	}
	// PostMessage adds a message to a thread.
	PostMessage struct {
		ThreadID string `json:"thread_id"`
		Body     string `json:"body"`
	}
	// EditMessage changes the text of one's own message; Version is the
	// version the editor read.
	EditMessage struct {
		MessageID string `json:"message_id"`
		Body      string `json:"body"`
		Version   int    `json:"version"`
	}
)

const maxMessage = 10000

func validateBody(v *Invalid, body string) {
	v.Require("body", body)
	v.MaxLen("body", body, maxMessage)
}

// Validate implements Command.
func (c StartThread) Validate() error {
	var v Invalid
	v.requireID("space_id", c.SpaceID)
	v.Require("title", c.Title)
	v.MaxLen("title", c.Title, maxTitle)
	validateBody(&v, c.Body)
	return v.Err()
}

// Validate implements Command.
func (c PostMessage) Validate() error {
	var v Invalid
	v.requireID("thread_id", c.ThreadID)
	validateBody(&v, c.Body)
	return v.Err()
}

// Validate implements Command.
func (c EditMessage) Validate() error {
	var v Invalid
	v.requireID("message_id", c.MessageID)
	validateBody(&v, c.Body)
	if c.Version < 1 {
		v.Add("version", "must name the version being edited")
	}
	return v.Err()
}

// normalizeBody keeps the author's line breaks but not trailing space, and
// unifies line endings so the same text is always the same bytes.
func normalizeBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(s)
}

// DecideStartThread opens a thread in s.
func DecideStartThread(a Actor, s Space, c StartThread, env Env) ([]Event, error) {
	if !Allowed(a, ActPost, s) {
		return nil, forbidden()
	}
	sc := SpaceScope(s)
	tid := env.NewID()
	return events(a, env,
		ev(sc, &ThreadStarted{ThreadID: tid, SpaceID: s.ID, Title: strings.TrimSpace(c.Title)}),
		ev(sc, &MessagePosted{MessageID: env.NewID(), ThreadID: tid, Body: normalizeBody(c.Body)}),
	), nil
}

// DecidePostMessage adds a message to t, which lives in s.
func DecidePostMessage(a Actor, s Space, t Thread, c PostMessage, env Env) ([]Event, error) {
	if !Allowed(a, ActPost, s) {
		return nil, forbidden()
	}
	return events(a, env, ev(SpaceScope(s), &MessagePosted{MessageID: env.NewID(), ThreadID: t.ID, Body: normalizeBody(c.Body)})), nil
}

// DecideEditMessage changes the text of m, which lives in s. Only its author
// may, while they may still post there.
func DecideEditMessage(a Actor, s Space, m Message, c EditMessage, env Env) ([]Event, error) {
	if !Allowed(a, ActPost, s) || m.AuthorID != a.AccountID {
		return nil, Errorf(EFORBIDDEN, "Only the author may edit a message.")
	}
	if c.Version != m.Version {
		return nil, Errorf(ECONFLICT, "The message was edited since you opened it; reload and try again.")
	}
	body := normalizeBody(c.Body)
	if body == m.Body {
		var v Invalid
		v.Add("body", "is unchanged")
		return nil, v.Err()
	}
	return events(a, env, ev(SpaceScope(s), &MessageEdited{MessageID: m.ID, ThreadID: m.ThreadID, Body: body, Version: m.Version + 1})), nil
}
