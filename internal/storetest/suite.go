package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/store"
)

// Run runs the conformance suite on databases opened by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		test func(*testing.T, Open)
	}{
		{"SchemaNewerIsRefused", testSchemaNewer},
		{"VisibilityMatchesPolicy", testVisibility},
		{"EventsVisibilityMatchesPolicy", testEventVisibility},
		{"FailedCommandWritesNothing", testAtomic},
		{"ConcurrentWritersGaplessChain", testConcurrent},
		{"DiscussionEditsAndUnread", testDiscussion},
		{"AccountsSessionsTokens", testAccounts},
		{"ProposalLifecycle", testProposalLifecycle},
		{"ProposalDeadline", testProposalDeadline},
		{"MemoLifecycle", testMemoLifecycle},
		{"MemoVersions", testMemoVersions},
		{"MeetingLifecycle", testMeetingLifecycle},
		{"TruceLifeCycle", testTruceLifeCycle},
		{"RemainsLedger", testRemainsLedger},
		{"NotificationLifecycle", testNotificationLifecycle},
		{"ExchangeLifecycle", testExchangeLifecycle},
		{"ExchangeLists", testExchangeLists},
		{"ExchangeReconcile", testExchangeReconcile},
		{"StageLifecycle", testStageLifecycle},
		{"StatementRelease", testStatementRelease},
		{"StatementRules", testStatementRules},
		{"PublicReads", testPublicReads},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, open) })
	}
}

func testSchemaNewer(t *testing.T, open Open) {
	db := open(t)
	ctx := context.Background()
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)`); err != nil {
		t.Fatal(err)
	}
	err := db.CheckSchema(ctx)
	if err == nil {
		t.Fatal("CheckSchema accepted a schema newer than the code")
	}
	if !bytes.Contains([]byte(err.Error()), []byte("newer")) {
		t.Errorf("CheckSchema error = %q, want it to say the schema is newer", err)
	}
}

// testVisibility checks, for every actor and every space, that the SQL
// filter of the store agrees with parley.Allowed.
func testVisibility(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	for name, a := range w.Actors() {
		for _, s := range w.Spaces {
			want := parley.Allowed(a, parley.ActRead, s)
			_, err := w.DB.Space(ctx, a, s.ID)
			if got := err == nil; got != want {
				t.Errorf("%s reading %s space %s: store says %v (err %v), policy says %v", name, s.Kind, s.ID, got, err, want)
			}
			if err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
				t.Errorf("%s reading %s space: error code %q, want not_found", name, s.Kind, parley.ErrorCode(err))
			}
		}
		listed, err := w.DB.Spaces(ctx, a, w.Process.ID)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, s := range w.Spaces {
			if parley.Allowed(a, parley.ActRead, s) {
				want = append(want, s.ID)
			}
		}
		var got []string
		for _, s := range listed {
			got = append(got, s.ID)
		}
		sort.Strings(got)
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: Spaces = %v, want %v", name, got, want)
		}
	}
	// Sanity: the policy is not trivially open or closed.
	if parley.Allowed(w.HeadA, parley.ActRead, w.SpaceOf(parley.SpaceParty, w.PartyB.ID)) {
		t.Error("head of A reads B's caucus")
	}
	if !parley.Allowed(w.DelegA, parley.ActRead, w.SpaceOf(parley.SpaceParty, w.PartyA.ID)) {
		t.Error("delegate of A cannot read A's caucus")
	}
}

// testEventVisibility posts one thread in every space and checks that each
// actor's Events are exactly those parley.Visible allows.
func testEventVisibility(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	poster := map[parley.SpaceKind]parley.Actor{parley.SpaceHeads: w.HeadA, parley.SpaceGroup: w.Mediator}
	for _, s := range w.Spaces {
		var a parley.Actor
		switch {
		case s.Kind == parley.SpacePublic:
			continue
		case s.Kind == parley.SpaceParty && s.PartyID == w.PartyA.ID:
			a = w.DelegA
		case s.Kind == parley.SpaceParty:
			a = w.DelegB
		default:
			a = poster[s.Kind]
		}
		w.Must(t, a, parley.StartThread{SpaceID: s.ID, Title: "t", Body: "secret of " + s.ID})
	}
	all, err := w.DB.Events(ctx, w.Operator, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	// The operator sees structure, never content.
	for _, e := range all {
		if e.Scope.Space.ID != "" && e.Scope.Space.Kind != parley.SpacePublic {
			t.Errorf("operator sees %s in a %s space", e.Type(), e.Scope.Space.Kind)
		}
	}
	everything := allEvents(t, w.DB)
	for name, a := range w.Actors() {
		got, err := w.DB.Events(ctx, a, 0, 100000)
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, e := range everything {
			if parley.Visible(a, e.Scope) {
				want = append(want, e.Seq)
			}
		}
		var gotSeq []int64
		for _, e := range got {
			gotSeq = append(gotSeq, e.Seq)
		}
		if fmt.Sprint(gotSeq) != fmt.Sprint(want) {
			t.Errorf("%s: Events = %v, want %v", name, gotSeq, want)
		}
	}
}

// allEvents reads the whole record, as a system actor that is a member of
// nothing but sees everything would; only tests need it.
func allEvents(t *testing.T, db *store.DB) []parley.Event {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT seq, space_id, space_kind, party_id, group_id, with_mediator, process_id FROM entries ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []parley.Event
	for rows.Next() {
		var e parley.Event
		var kind string
		sp := &e.Scope.Space
		if err := rows.Scan(&e.Seq, &sp.ID, &kind, &sp.PartyID, &sp.GroupID, &sp.WithMediator, &e.Scope.ProcessID); err != nil {
			t.Fatal(err)
		}
		sp.Kind = parley.SpaceKind(kind)
		if sp.ID != "" {
			sp.ProcessID = e.Scope.ProcessID
		} else {
			*sp = parley.Space{}
		}
		out = append(out, e)
	}
	return out
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// testAtomic checks that a command whose second event cannot be applied
// leaves neither its first event nor its projection, and does not disturb
// the commands batched with it.
func testAtomic(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	group := w.Groups[parley.GroupPolitical]
	space := w.SpaceOf(parley.SpaceGroup, "")
	for _, s := range w.Spaces {
		if s.GroupID == group.ID {
			space = s
		}
	}
	before, threadsBefore := count(t, w.DB, "entries"), count(t, w.DB, "threads")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.Writer.Write(ctx, func(tx *store.Tx) ([]parley.Event, error) {
				sc := parley.SpaceScope(space)
				id := fmt.Sprintf("thread-%d", i)
				evs := []parley.Event{{At: time.Now(), Actor: w.HeadA.AccountID, Scope: sc, Data: &parley.ThreadStarted{ThreadID: id, SpaceID: space.ID, Title: "x"}}}
				if i%2 == 1 {
					// The same thread twice: the second insert must fail.
					evs = append(evs, evs[0])
				}
				return evs, nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i%2 == 1) {
			t.Errorf("command %d: err = %v", i, err)
		}
	}
	if got := count(t, w.DB, "entries") - before; got != 10 {
		t.Errorf("entries added = %d, want 10", got)
	}
	if got := count(t, w.DB, "threads") - threadsBefore; got != 10 {
		t.Errorf("threads added = %d, want 10", got)
	}
	verifyChain(t, w.DB)

	// A command refused by its decision writes nothing either.
	_, err := w.Service.Do(ctx, w.HeadA, parley.PostMessage{ThreadID: "no-such-thread", Body: "hello"})
	if parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("post to unknown thread: %v, want not_found", err)
	}
	if got := count(t, w.DB, "entries") - before; got != 10 {
		t.Errorf("entries after refused command = %d, want 10", got)
	}
}

// verifyChain recomputes every leaf and chain hash of the record.
func verifyChain(t *testing.T, db *store.DB) {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT seq, entry, leaf_hash, chain_hash FROM entries ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var prev record.Hash
	var want int64 = 1
	for rows.Next() {
		var seq int64
		var b, leaf, chain []byte
		if err := rows.Scan(&seq, &b, &leaf, &chain); err != nil {
			t.Fatal(err)
		}
		if seq != want {
			t.Fatalf("record has seq %d where %d was expected", seq, want)
		}
		want++
		ent, err := record.Unmarshal(b)
		if err != nil {
			t.Fatalf("entry %d: %v", seq, err)
		}
		if ent.Seq != seq {
			t.Fatalf("entry %d says seq %d", seq, ent.Seq)
		}
		l := record.LeafHash(b)
		if !bytes.Equal(l[:], leaf) {
			t.Fatalf("entry %d: leaf hash mismatch", seq)
		}
		prev = record.ChainHash(prev, l)
		if !bytes.Equal(prev[:], chain) {
			t.Fatalf("entry %d: chain hash mismatch", seq)
		}
	}
}

func testConcurrent(t *testing.T, open Open) {
	var mu sync.Mutex
	var published []int64
	w := NewWorld(t, open(t), func(evs []parley.Event) {
		mu.Lock()
		for _, e := range evs {
			published = append(published, e.Seq)
		}
		mu.Unlock()
	})
	ctx := context.Background()
	sp := w.SpaceOf(parley.SpaceParty, w.PartyA.ID)
	evs := w.Must(t, w.HeadA, parley.StartThread{SpaceID: sp.ID, Title: "load", Body: "first"})
	thread := evs[0].Data.(*parley.ThreadStarted).ThreadID
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				a := w.HeadA
				if j%2 == 1 {
					a = w.DelegA
				}
				if _, err := w.Service.Do(ctx, a, parley.PostMessage{ThreadID: thread, Body: fmt.Sprintf("m %d %d", i, j)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	w.Writer.Close()
	ms, err := w.DB.Messages(ctx, w.HeadA, thread)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != writers*each+1 {
		t.Errorf("messages = %d, want %d", len(ms), writers*each+1)
	}
	verifyChain(t, w.DB)
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(published); i++ {
		if published[i] != published[i-1]+1 {
			t.Fatalf("published out of order: %d after %d", published[i], published[i-1])
		}
	}
	last, _ := w.DB.LastSeq(ctx)
	if len(published) == 0 || published[len(published)-1] != last {
		t.Errorf("last published = %v, last seq = %d", published[len(published)-1:], last)
	}
}

func testDiscussion(t *testing.T, open Open) {
	w := NewWorld(t, open(t), nil)
	ctx := context.Background()
	sp := w.SpaceOf(parley.SpaceHeads, "")
	evs := w.Must(t, w.HeadA, parley.StartThread{SpaceID: sp.ID, Title: "Before the plenary", Body: "Shall we talk at 9?"})
	thread := evs[0].Data.(*parley.ThreadStarted).ThreadID
	msg := evs[1].Data.(*parley.MessagePosted).MessageID

	threads, err := w.DB.Threads(ctx, w.HeadB, sp.ID)
	if err != nil || len(threads) != 1 {
		t.Fatalf("threads = %v, %v", threads, err)
	}
	if threads[0].Unread != 1 {
		t.Errorf("B's unread = %d, want 1", threads[0].Unread)
	}
	if err := w.DB.MarkRead(ctx, w.HeadB, thread, evs[1].Seq); err != nil {
		t.Fatal(err)
	}
	threads, _ = w.DB.Threads(ctx, w.HeadB, sp.ID)
	if threads[0].Unread != 0 {
		t.Errorf("B's unread after reading = %d, want 0", threads[0].Unread)
	}
	// A read marker never moves back.
	if err := w.DB.MarkRead(ctx, w.HeadB, thread, 1); err != nil {
		t.Fatal(err)
	}
	threads, _ = w.DB.Threads(ctx, w.HeadB, sp.ID)
	if threads[0].Unread != 0 {
		t.Errorf("unread after an older marker = %d, want 0", threads[0].Unread)
	}
	// Only the author edits, against the version they read.
	if _, err := w.Service.Do(ctx, w.HeadB, parley.EditMessage{MessageID: msg, Body: "forged", Version: 1}); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Errorf("edit by another: %v, want forbidden", err)
	}
	w.Must(t, w.HeadA, parley.EditMessage{MessageID: msg, Body: "Shall we talk at 10?", Version: 1})
	if _, err := w.Service.Do(ctx, w.HeadA, parley.EditMessage{MessageID: msg, Body: "at 11", Version: 1}); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("stale edit: %v, want conflict", err)
	}
	m, err := w.DB.Message(ctx, w.HeadB, msg)
	if err != nil || m.Body != "Shall we talk at 10?" || m.Version != 2 || m.EditedAt.IsZero() {
		t.Errorf("message after edit = %+v, %v", m, err)
	}
	revs, err := w.DB.Revisions(ctx, w.HeadB, msg)
	if err != nil || len(revs) != 1 || revs[0].Body != "Shall we talk at 9?" {
		t.Errorf("revisions = %+v, %v", revs, err)
	}
	// The mediator is in the heads' channel of this process; a delegate is not.
	if _, err := w.DB.Messages(ctx, w.Mediator, thread); err != nil {
		t.Error(err)
	}
	if ms, _ := w.DB.Messages(ctx, w.DelegA, thread); len(ms) != 0 {
		t.Errorf("a delegate reads the heads' channel: %d messages", len(ms))
	}
	if _, err := w.DB.Message(ctx, w.DelegA, msg); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("delegate reading heads' message: %v, want not found", err)
	}
}

func testAccounts(t *testing.T, open Open) {
	db := open(t)
	ctx := context.Background()
	acc := parley.Account{ID: "acc1", Username: "olena", DisplayName: "Olena", Locale: parley.Ukrainian, TimeZone: "Europe/Kyiv", CreatedAt: time.Now()}
	if err := db.CreateAccount(ctx, acc, "hash1"); err != nil {
		t.Fatal(err)
	}
	acc2 := acc
	acc2.ID = "acc2"
	if err := db.CreateAccount(ctx, acc2, "hash2"); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Errorf("duplicate user name: %v, want conflict", err)
	}
	got, cred, err := db.AccountByUsername(ctx, "olena")
	if err != nil || got.ID != "acc1" || cred.PasswordHash != "hash1" || got.Locale != parley.Ukrainian {
		t.Fatalf("AccountByUsername = %+v, %+v, %v", got, cred, err)
	}
	if _, _, err := db.AccountByUsername(ctx, "nobody"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("unknown user: %v", err)
	}
	until := time.Now().Add(time.Hour)
	for i := 0; i < 3; i++ {
		if err := db.LoginFailed(ctx, "acc1", 3, until); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Account(ctx, "acc1")
		if locked := got.LockedUntil.After(time.Now()); locked != (i == 2) {
			t.Errorf("after %d failures locked = %v", i+1, locked)
		}
	}
	if err := db.LoginSucceeded(ctx, "acc1"); err != nil {
		t.Fatal(err)
	}
	if got, _ = db.Account(ctx, "acc1"); got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
		t.Errorf("after success: %+v", got)
	}
	if err := db.SetPassword(ctx, "missing", "x"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("SetPassword on a missing account: %v", err)
	}

	s := db.Sessions()
	if err := s.CommitCtx(ctx, "tok", []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitCtx(ctx, "tok", []byte("data2"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b, ok, err := s.FindCtx(ctx, "tok"); err != nil || !ok || string(b) != "data2" {
		t.Errorf("Find = %q %v %v", b, ok, err)
	}
	if err := s.CommitCtx(ctx, "old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.FindCtx(ctx, "old"); ok {
		t.Error("an expired session was found")
	}
	if err := s.DeleteCtx(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.FindCtx(ctx, "tok"); ok {
		t.Error("a deleted session was found")
	}

	tok := store.Token{ID: "t1", AccountID: "acc1", ProcessID: "p1", Name: "bot", CreatedAt: time.Now()}
	if err := db.CreateToken(ctx, tok, []byte("h1")); err != nil {
		t.Fatal(err)
	}
	if got, err := db.TokenByHash(ctx, []byte("h1")); err != nil || got.AccountID != "acc1" || got.ProcessID != "p1" {
		t.Errorf("TokenByHash = %+v, %v", got, err)
	}
	if err := db.DeleteToken(ctx, "acc2", "t1"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("deleting another's token: %v", err)
	}
	if err := db.DeleteToken(ctx, "acc1", "t1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TokenByHash(ctx, []byte("h1")); !errors.Is(err, err) || parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Errorf("revoked token still found: %v", err)
	}
}
