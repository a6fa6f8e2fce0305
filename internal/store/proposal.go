package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// applyProposal projects the events of proposals and of the authority to
// perform formal acts.
func applyProposal(ctx context.Context, tx queryer, e parley.Event) error {
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("store: apply %s: %w", e.Type(), err)
		}
		return nil
	}
	at := micros(e.At)
	// act records the event in the proposal's timeline and advances its
	// version; every proposal event calls it once.
	act := func(id, text string) error {
		if err := exec(`INSERT INTO proposal_acts (proposal_id, seq, type, actor, at, text) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, e.Seq, e.Type(), e.Actor, at, text); err != nil {
			return err
		}
		return exec(`UPDATE proposals SET version = version + 1, seq = $2 WHERE id = $1`, id, e.Seq)
	}
	closeAs := func(id string, status parley.ProposalStatus, reason string) error {
		if err := exec(`UPDATE proposals SET status = $2, reason = $3, closed_at = $4, awaiting = '', since = 0 WHERE id = $1`,
			id, string(status), reason, at); err != nil {
			return err
		}
		return act(id, reason)
	}
	switch d := e.Data.(type) {
	case *parley.ProposalDrafted:
		texts, details := mustJSON(d.Texts), mustJSON(d.Details)
		if err := exec(`INSERT INTO proposals (id, process_id, group_id, space_id, from_party, to_party, kind, title, texts, details,
			deadline, status, counter_of, countered_by, awaiting, since, open_questions, reason, created_at, submitted_at, closed_at, version, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', '', '', '', 0, 0, '', $12, 0, 0, 0, $13)`,
			d.ProposalID, d.ProcessID, d.GroupID, e.Scope.Space.ID, d.FromParty, d.ToParty, string(d.Kind), d.Title, texts, details,
			micros(d.Deadline), at, e.Seq); err != nil {
			return err
		}
		return act(d.ProposalID, "")
	case *parley.ProposalDraftEdited:
		if err := exec(`UPDATE proposals SET to_party = $2, kind = $3, title = $4, texts = $5, details = $6, deadline = $7 WHERE id = $1`,
			d.ProposalID, d.ToParty, string(d.Kind), d.Title, mustJSON(d.Texts), mustJSON(d.Details), micros(d.Deadline)); err != nil {
			return err
		}
		return act(d.ProposalID, "")
	case *parley.ProposalSubmitted:
		// A draft moves to the group's space; a counter-proposal arrives
		// there directly.
		if err := exec(`INSERT INTO proposals (id, process_id, group_id, space_id, from_party, to_party, kind, title, texts, details,
			deadline, status, counter_of, countered_by, awaiting, since, open_questions, reason, created_at, submitted_at, closed_at, version, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'submitted', $12, '', $6, $13, 0, '', $13, $13, 0, 0, $14)
			ON CONFLICT (id) DO UPDATE SET space_id = excluded.space_id, to_party = excluded.to_party, kind = excluded.kind,
			title = excluded.title, texts = excluded.texts, details = excluded.details, deadline = excluded.deadline,
			status = 'submitted', awaiting = excluded.to_party, since = excluded.since, submitted_at = excluded.submitted_at`,
			d.ProposalID, d.ProcessID, d.GroupID, d.SpaceID, d.FromParty, d.ToParty, string(d.Kind), d.Title, mustJSON(d.Texts),
			mustJSON(d.Details), micros(d.Deadline), d.CounterOf, at, e.Seq); err != nil {
			return err
		}
		return act(d.ProposalID, "")
	case *parley.ProposalAcknowledged:
		if err := exec(`UPDATE proposals SET status = 'under_consideration' WHERE id = $1`, d.ProposalID); err != nil {
			return err
		}
		return act(d.ProposalID, "")
	case *parley.ClarificationAsked:
		if err := exec(`INSERT INTO questions (id, proposal_id, asked_by, text, asked_at, answer, answered_by, answered_at, seq)
			VALUES ($1, $2, $3, $4, $5, '', '', 0, $6)`, d.QuestionID, d.ProposalID, e.Actor, d.Text, at, e.Seq); err != nil {
			return err
		}
		// The move passes to the proposer, since now unless it already had it.
		if err := exec(`UPDATE proposals SET open_questions = open_questions + 1,
			since = CASE WHEN status = 'clarification' THEN since ELSE $2 END,
			status = 'clarification', awaiting = from_party WHERE id = $1`, d.ProposalID, at); err != nil {
			return err
		}
		return act(d.ProposalID, d.Text)
	case *parley.ClarificationAnswered:
		if err := exec(`UPDATE questions SET answer = $2, answered_by = $3, answered_at = $4 WHERE id = $1`, d.QuestionID, d.Text, e.Actor, at); err != nil {
			return err
		}
		// The last answer gives the move back to the party addressed.
		if err := exec(`UPDATE proposals SET
			status = CASE WHEN open_questions = 1 THEN 'under_consideration' ELSE status END,
			awaiting = CASE WHEN open_questions = 1 THEN to_party ELSE awaiting END,
			since = CASE WHEN open_questions = 1 THEN $2 ELSE since END,
			open_questions = open_questions - 1 WHERE id = $1`, d.ProposalID, at); err != nil {
			return err
		}
		return act(d.ProposalID, d.Text)
	case *parley.ProposalCountered:
		if err := exec(`UPDATE proposals SET countered_by = $2 WHERE id = $1`, d.ProposalID, d.CounterID); err != nil {
			return err
		}
		return closeAs(d.ProposalID, parley.StatusCountered, "")
	case *parley.ProposalAccepted:
		return closeAs(d.ProposalID, parley.StatusAccepted, d.Reason)
	case *parley.ProposalRejected:
		return closeAs(d.ProposalID, parley.StatusRejected, d.Reason)
	case *parley.ProposalWithdrawn:
		return closeAs(d.ProposalID, parley.StatusWithdrawn, d.Reason)
	case *parley.ProposalExpired:
		return closeAs(d.ProposalID, parley.StatusExpired, "")
	case *parley.ProposalCommented:
		if err := exec(`INSERT INTO proposal_comments (id, proposal_id, space_id, author_id, text, at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			d.CommentID, d.ProposalID, e.Scope.Space.ID, e.Actor, d.Text, at, e.Seq); err != nil {
			return err
		}
		return exec(`UPDATE proposals SET seq = $2 WHERE id = $1`, d.ProposalID, e.Seq)
	case *parley.DelegateAuthorised:
		return exec(`INSERT INTO authorisations (group_id, member_id) VALUES ($1, $2)`, d.GroupID, d.MemberID)
	case *parley.AuthorisationRevoked:
		return exec(`DELETE FROM authorisations WHERE group_id = $1 AND member_id = $2`, d.GroupID, d.MemberID)
	}
	return fmt.Errorf("store: no projection for event %s", e.Type())
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("store: encode " + err.Error()) // texts and details always encode
	}
	return string(b)
}

const proposalCols = `p.id, p.process_id, p.group_id, p.space_id, p.from_party, p.to_party, p.kind, p.title, p.texts, p.details,
	p.deadline, p.status, p.counter_of, p.countered_by, p.awaiting, p.since, p.open_questions, p.reason,
	p.created_at, p.submitted_at, p.closed_at, p.version, p.seq`

func scanProposal(r scanner) (parley.Proposal, error) {
	var p parley.Proposal
	var kind, texts, details, status string
	var deadline, since, created, submitted, closed int64
	err := r.Scan(&p.ID, &p.ProcessID, &p.GroupID, &p.SpaceID, &p.FromParty, &p.ToParty, &kind, &p.Title, &texts, &details,
		&deadline, &status, &p.CounterOf, &p.CounteredBy, &p.Awaiting, &since, &p.OpenQuestions, &p.Reason,
		&created, &submitted, &closed, &p.Version, &p.Seq)
	if err != nil {
		return p, err
	}
	p.Kind, p.Status = parley.ProposalKind(kind), parley.ProposalStatus(status)
	p.Deadline, p.Since, p.CreatedAt, p.SubmittedAt, p.ClosedAt = fromMicros(deadline), fromMicros(since), fromMicros(created), fromMicros(submitted), fromMicros(closed)
	if err := json.Unmarshal([]byte(texts), &p.Texts); err != nil {
		return p, err
	}
	return p, json.Unmarshal([]byte(details), &p.Details)
}

// Proposal loads a proposal for a decision.
func (tx *Tx) Proposal(id string) (parley.Proposal, error) {
	p, err := scanProposal(tx.tx.QueryRowContext(tx.ctx, `SELECT `+proposalCols+` FROM proposals p WHERE p.id = $1`, id))
	return p, one(err, "proposal")
}

// ProposalSetting loads working group g's space and the caucus of every
// party of its process.
func (tx *Tx) ProposalSetting(g string) (parley.ProposalSetting, error) {
	var set parley.ProposalSetting
	var err error
	if set.Group, err = tx.Group(g); err != nil {
		return set, err
	}
	if set.GroupSpace, err = tx.Space(set.Group.SpaceID); err != nil {
		return set, err
	}
	rows, err := tx.tx.QueryContext(tx.ctx, spaceSelect+` WHERE s.process_id = $1 AND s.kind = 'party'`, set.Group.ProcessID)
	if err != nil {
		return set, fmt.Errorf("store: read caucuses: %w", err)
	}
	spaces, err := collect(rows, scanSpace)
	if err != nil {
		return set, err
	}
	set.Caucus = map[string]parley.Space{}
	for _, s := range spaces {
		set.Caucus[s.PartyID] = s
	}
	set.Rules, err = tx.TruceRules(set.Group.ProcessID)
	return set, err
}

// Question loads a question for a decision.
func (tx *Tx) Question(id string) (parley.Question, error) {
	q, err := scanQuestion(tx.tx.QueryRowContext(tx.ctx, questionSelect+` WHERE q.id = $1`, id))
	return q, one(err, "question")
}

const questionSelect = `SELECT q.id, q.proposal_id, q.asked_by, COALESCE(a.display_name, ''), q.text, q.asked_at,
	q.answer, q.answered_by, COALESCE(b.display_name, ''), q.answered_at, q.seq
	FROM questions q LEFT JOIN accounts a ON a.id = q.asked_by LEFT JOIN accounts b ON b.id = q.answered_by`

func scanQuestion(r scanner) (parley.Question, error) {
	var q parley.Question
	var asked, answered int64
	err := r.Scan(&q.ID, &q.ProposalID, &q.AskedBy, &q.Asker, &q.Text, &asked, &q.Answer, &q.AnsweredBy, &q.Answerer, &answered, &q.Seq)
	q.AskedAt, q.AnsweredAt = fromMicros(asked), fromMicros(answered)
	return q, err
}

// DueProposals returns the open proposals whose deadline is at or before
// now: the server expires them.
func (db *DB) DueProposals(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM proposals WHERE status IN ('submitted', 'under_consideration', 'clarification')
		AND deadline > 0 AND deadline <= $1 ORDER BY deadline, id`, micros(now))
	if err != nil {
		return nil, fmt.Errorf("store: due proposals: %w", err)
	}
	return collect(rows, func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}

// NextDeadline returns the earliest deadline of an open proposal, or the
// zero time when none has one.
func (db *DB) NextDeadline(ctx context.Context) (time.Time, error) {
	var us int64
	err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MIN(deadline), 0) FROM proposals
		WHERE status IN ('submitted', 'under_consideration', 'clarification') AND deadline > 0`).Scan(&us)
	return fromMicros(us), err
}

// ProposalFilter selects proposals.
type ProposalFilter struct {
	Process string
	Group   string // "" for every group of the process
	Open    bool   // only open ones, longest waiting first
	ID      string
	Chain   string // the proposals of the chain of counters containing this one
}

// Proposals returns the proposals a may see that f selects: drafts of a's
// own party, and everything submitted in the working groups a may read.
func (db *DB) Proposals(ctx context.Context, a parley.Actor, f ProposalFilter) ([]parley.Proposal, error) {
	q := args{}
	where := "1 = 1"
	if f.Process != "" {
		where += " AND p.process_id = " + q.add(f.Process)
	}
	if f.Group != "" {
		where += " AND p.group_id = " + q.add(f.Group)
	}
	if f.ID != "" {
		where += " AND p.id = " + q.add(f.ID)
	}
	order := "p.created_at DESC, p.id"
	if f.Open {
		where += " AND p.status IN ('submitted', 'under_consideration', 'clarification')"
		order = "p.since, p.id"
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+proposalCols+` FROM proposals p JOIN spaces s ON s.id = p.space_id
		WHERE `+where+` AND `+canRead(spaceCols, a, &q)+` ORDER BY `+order, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list proposals: %w", err)
	}
	return collect(rows, scanProposal)
}

// Proposal returns proposal id if a may see it.
func (db *DB) Proposal(ctx context.Context, a parley.Actor, id string) (parley.Proposal, error) {
	ps, err := db.Proposals(ctx, a, ProposalFilter{ID: id})
	if err != nil {
		return parley.Proposal{}, err
	}
	if len(ps) == 0 {
		return parley.Proposal{}, notFound("proposal")
	}
	return ps[0], nil
}

// Chain returns the chain of offers that proposal id belongs to, oldest
// first: the proposals it counters and those that counter it.
func (db *DB) Chain(ctx context.Context, a parley.Actor, id string) ([]parley.Proposal, error) {
	p, err := db.Proposal(ctx, a, id)
	if err != nil {
		return nil, err
	}
	for p.CounterOf != "" {
		prev, err := db.Proposal(ctx, a, p.CounterOf)
		if err != nil {
			break
		}
		p = prev
	}
	chain := []parley.Proposal{p}
	for len(chain) < 1000 && p.CounteredBy != "" {
		next, err := db.Proposal(ctx, a, p.CounteredBy)
		if err != nil {
			break
		}
		chain = append(chain, next)
		p = next
	}
	return chain, nil
}

// Questions returns the questions about proposal id, oldest first.
func (db *DB) Questions(ctx context.Context, a parley.Actor, id string) ([]parley.Question, error) {
	if _, err := db.Proposal(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := db.sql.QueryContext(ctx, questionSelect+` WHERE q.proposal_id = $1 ORDER BY q.asked_at, q.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: list questions: %w", err)
	}
	return collect(rows, scanQuestion)
}

// Comments returns the comments on proposal id that a may read, oldest
// first.
func (db *DB) Comments(ctx context.Context, a parley.Actor, id string) ([]parley.Comment, error) {
	q := args{id}
	rows, err := db.sql.QueryContext(ctx, `SELECT c.id, c.proposal_id, c.author_id, COALESCE(a.display_name, ''), c.text, c.at, c.seq
		FROM proposal_comments c LEFT JOIN accounts a ON a.id = c.author_id JOIN spaces s ON s.id = c.space_id
		WHERE c.proposal_id = $1 AND `+canRead(spaceCols, a, &q)+` ORDER BY c.at, c.id`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: list comments: %w", err)
	}
	return collect(rows, func(r scanner) (parley.Comment, error) {
		var c parley.Comment
		var at int64
		err := r.Scan(&c.ID, &c.ProposalID, &c.AuthorID, &c.Author, &c.Text, &at, &c.Seq)
		c.At = fromMicros(at)
		return c, err
	})
}

// Act is one event in a proposal's timeline.
type Act struct {
	Seq   int64     `json:"seq"`
	Type  string    `json:"type"`
	Actor string    `json:"actor"` // display name
	At    time.Time `json:"at"`
	Text  string    `json:"text,omitempty"`
}

// Timeline returns the events of proposal id that a may see, in record
// order. Events of the draft stay with the drafting party.
func (db *DB) Timeline(ctx context.Context, a parley.Actor, id string) ([]Act, error) {
	if _, err := db.Proposal(ctx, a, id); err != nil {
		return nil, err
	}
	q := args{id}
	rows, err := db.sql.QueryContext(ctx, `SELECT t.seq, t.type, COALESCE(ac.display_name, t.actor), t.at, t.text
		FROM proposal_acts t JOIN entries e ON e.seq = t.seq LEFT JOIN accounts ac ON ac.id = t.actor
		WHERE t.proposal_id = $1 AND `+canSeeEntry(a, &q)+` ORDER BY t.seq`, q...)
	if err != nil {
		return nil, fmt.Errorf("store: proposal timeline: %w", err)
	}
	return collect(rows, func(r scanner) (Act, error) {
		var x Act
		var at int64
		err := r.Scan(&x.Seq, &x.Type, &x.Actor, &at, &x.Text)
		x.At = fromMicros(at)
		return x, err
	})
}

// ProposalByID loads a proposal whatever the caller may see: for the
// server's own work (notifications), never to answer a user.
func (db *DB) ProposalByID(ctx context.Context, id string) (parley.Proposal, error) {
	p, err := scanProposal(db.sql.QueryRowContext(ctx, `SELECT `+proposalCols+` FROM proposals p WHERE p.id = $1`, id))
	return p, one(err, "proposal")
}

// Speakers returns the accounts who answer for party in working group g:
// its head of delegation and its delegates in the group.
func (db *DB) Speakers(ctx context.Context, party, g string) ([]parley.Account, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+prefixed("a.", accountCols)+` FROM accounts a JOIN members m ON m.account_id = a.id
		WHERE m.party_id = $1 AND (m.role = 'head' OR (m.role = 'delegate' AND EXISTS
			(SELECT 1 FROM group_members gm WHERE gm.member_id = m.id AND gm.group_id = $2)))
		ORDER BY a.username`, party, g)
	if err != nil {
		return nil, fmt.Errorf("store: speakers of a party: %w", err)
	}
	return collect(rows, func(r scanner) (parley.Account, error) { return scanAccount(r) })
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}
