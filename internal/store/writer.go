package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
)

// Decide runs inside the writer's transaction: it loads what a command
// needs through tx and returns the events the command becomes. It must not
// write; the writer appends and applies the events it returns.
type Decide func(tx *Tx) ([]parley.Event, error)

// Writer is the single writer of a database. It batches the commands that
// arrive while a transaction is being committed into the next transaction,
// so that many concurrent commands share one durable commit (group commit).
type Writer struct {
	db       *DB
	reqs     chan *request
	publish  func([]parley.Event)
	maxBatch int
	edge     treeEdge // the tree's right edge after the last commit; only loop uses it

	mu      sync.RWMutex // guards closed against sends on reqs
	closed  bool
	stopped chan struct{}
}

type request struct {
	ctx    context.Context
	decide Decide
	events []parley.Event
	err    error
	done   chan struct{}
}

// ErrClosed is returned by Write once the writer was closed.
var ErrClosed = errors.New("store: writer closed")

// NewWriter starts the writer of db. After each commit it calls publish, if
// not nil, with the committed events in record order, from one goroutine.
func NewWriter(db *DB, publish func([]parley.Event)) *Writer {
	w := &Writer{
		db:       db,
		reqs:     make(chan *request, 1024),
		publish:  publish,
		maxBatch: 256,
		stopped:  make(chan struct{}),
	}
	go w.loop()
	return w
}

// Write runs decide in the next batch and returns the committed events, with
// their sequence numbers, or the error that kept them from being written.
func (w *Writer) Write(ctx context.Context, decide Decide) ([]parley.Event, error) {
	r := &request{ctx: ctx, decide: decide, done: make(chan struct{})}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return nil, ErrClosed
	}
	select {
	case w.reqs <- r:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return nil, ctx.Err()
	}
	// Once queued, a command is decided and committed or rejected: waiting
	// for it even when ctx ends means a caller never reports as lost a
	// command that was in fact written.
	<-r.done
	return r.events, r.err
}

// Close stops accepting commands, finishes those already queued, and
// returns when the last batch has committed.
func (w *Writer) Close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.stopped
}

func (w *Writer) loop() {
	defer close(w.stopped)
	for first := range w.reqs {
		batch := []*request{first}
	fill:
		for len(batch) < w.maxBatch {
			select {
			case r, ok := <-w.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		committed := w.commit(batch)
		for _, r := range batch {
			close(r.done)
		}
		if w.publish != nil && len(committed) > 0 {
			w.publish(committed)
		}
	}
}

// commit writes one batch in one transaction and reports each request's
// outcome in it. It returns the events that were committed.
func (w *Writer) commit(batch []*request) []parley.Event {
	ctx := context.Background()
	fail := func(err error) []parley.Event {
		for _, r := range batch {
			if r.err == nil {
				r.events, r.err = nil, err
			}
		}
		return nil
	}
	sqltx, err := w.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fail(fmt.Errorf("store: begin: %w", err))
	}
	defer sqltx.Rollback()
	tx := &Tx{ctx: ctx, tx: &writeTx{tx: sqltx, cache: w.db.stmts}, db: w.db}
	if w.db.dialect == Postgres {
		// Serialise writers across server instances: the record is one
		// sequence and each entry's chain hash depends on the one before.
		if _, err := tx.tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7245001)"); err != nil {
			return fail(fmt.Errorf("store: lock the record: %w", err))
		}
	}
	head, err := tx.head()
	if err != nil {
		return fail(err)
	}
	tx.tree = newTreeBatch(head.seq, w.edge)
	w.edge = treeEdge{size: -1} // valid again only once this batch commits
	var all []parley.Event
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		if _, err := tx.tx.ExecContext(ctx, "SAVEPOINT cmd"); err != nil {
			return fail(fmt.Errorf("store: savepoint: %w", err))
		}
		tx.ctx = r.ctx
		events, err := r.decide(tx)
		tx.ctx = ctx
		var next recordHead
		if err == nil {
			next, err = tx.append(head, events)
		}
		if err != nil {
			if _, rerr := tx.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT cmd"); rerr != nil {
				return fail(fmt.Errorf("store: rollback to savepoint: %w", rerr))
			}
			tx.tree.truncate(head.seq)
			tx.spaces = nil
			r.err = err
		} else {
			head = next
			r.events = events
			all = append(all, events...)
		}
		if _, err := tx.tx.ExecContext(ctx, "RELEASE SAVEPOINT cmd"); err != nil {
			return fail(fmt.Errorf("store: release savepoint: %w", err))
		}
	}
	if err := tx.flush(); err != nil {
		return fail(err)
	}
	if err := w.notify(ctx, sqltx, all); err != nil {
		return fail(err)
	}
	if err := sqltx.Commit(); err != nil {
		return fail(fmt.Errorf("store: commit: %w", err))
	}
	w.edge = tx.tree.edge
	return all
}

// recordHead is the last entry of the record: its sequence number and chain
// hash.
type recordHead struct {
	seq   int64
	chain record.Hash
}

func (tx *Tx) head() (recordHead, error) {
	var h recordHead
	var chain []byte
	err := tx.tx.QueryRowContext(tx.ctx, "SELECT seq, chain_hash FROM entries ORDER BY seq DESC LIMIT 1").Scan(&h.seq, &chain)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("store: read the record's head: %w", err)
	}
	copy(h.chain[:], chain)
	return h, nil
}

// append assigns sequence numbers to events, writes them to the record and
// applies them to the read tables.
func (tx *Tx) append(h recordHead, events []parley.Event) (recordHead, error) {
	for i := range events {
		e := &events[i]
		data, err := parley.MarshalEventData(e.Data)
		if err != nil {
			return h, fmt.Errorf("store: encode %s: %w", e.Type(), err)
		}
		h.seq++
		e.Seq = h.seq
		ent := record.Entry{
			Seq: e.Seq, At: e.At, Type: e.Type(), Actor: e.Actor,
			Process: e.Scope.ProcessID, Space: e.Scope.Space.ID, Data: data,
		}
		if _, err := rand.Read(ent.Salt[:]); err != nil {
			return h, err
		}
		b := ent.Marshal()
		leaf := record.LeafHash(b)
		kept, err := tx.db.keep(e.Data, b)
		if err != nil {
			return h, err
		}
		h.chain = record.ChainHash(h.chain, leaf)
		sp := e.Scope.Space
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO entries
			(seq, at, type, actor, process_id, space_id, space_kind, party_id, group_id, with_mediator, entry, leaf_hash, chain_hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			e.Seq, micros(e.At), e.Type(), e.Actor, e.Scope.ProcessID, sp.ID, string(sp.Kind), sp.PartyID, sp.GroupID, sp.WithMediator,
			kept, leaf[:], h.chain[:]); err != nil {
			return h, fmt.Errorf("store: append %s: %w", e.Type(), err)
		}
		if err := tx.storeTreeHashes(e.Seq-1, leaf); err != nil {
			return h, err
		}
		if err := apply(tx.ctx, tx.tx, *e); err != nil {
			return h, err
		}
	}
	return h, nil
}
