package service_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/storetest"
)

// writerCounts are the numbers of concurrent writers each engine is measured
// with: one shows the cost of a lone command, the others how far group
// commit carries.
var writerCounts = []int{1, 16, 64, 256}

// BenchmarkDo measures commands per second through the whole write path —
// validation, policy, the aggregate load, the decision, the record append
// with its hashes, the projections and the durable commit — with many
// writers posting messages at once. See docs/benchmarks.md.
func BenchmarkDo(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		for _, n := range writerCounts {
			b.Run(fmt.Sprintf("writers=%d", n), func(b *testing.B) {
				benchDo(b, openSQLiteFull(b), n)
			})
		}
	})
	b.Run("postgres", func(b *testing.B) {
		for _, n := range writerCounts {
			b.Run(fmt.Sprintf("writers=%d", n), func(b *testing.B) {
				benchDo(b, openPostgres(b), n)
			})
		}
	})
}

// benchDo posts b.N messages through Service.Do from writers goroutines.
func benchDo(b *testing.B, db *store.DB, writers int) {
	var published atomic.Int64
	w := storetest.NewWorld(b, db, func(evs []parley.Event) { published.Add(int64(len(evs))) })
	ctx := context.Background()
	// Post into the political group's space, where two members of
	// different parties write, so the policy check is not trivial.
	space := w.Groups[parley.GroupPolitical].SpaceID
	evs := w.Must(b, w.DelegA, parley.StartThread{SpaceID: space, Title: "load", Body: "first"})
	thread := evs[0].Data.(*parley.ThreadStarted).ThreadID
	actors := []parley.Actor{w.DelegA, w.Mediator}
	before := published.Load()

	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	for g := range writers {
		wg.Go(func() {
			a := actors[g%len(actors)]
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				cmd := parley.PostMessage{ThreadID: thread, Body: fmt.Sprintf("message %d from writer %d", i, g)}
				if _, err := w.Service.Do(ctx, a, cmd); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
	b.ReportMetric(0, "ns/op") // per-op time means little with many writers
	w.Writer.Close()
	if got := published.Load() - before; got != int64(b.N) {
		b.Fatalf("published %d events, want %d", got, b.N)
	}
}

// BenchmarkInsertBaseline writes rows like the messages projection's
// straight into a SQLite table with the same settings (WAL,
// synchronous=FULL) and nothing else: no policy, no record, no hashes. One
// transaction per row is what a write path without group commit could at
// best achieve; batched rows show what the disk allows at all.
func BenchmarkInsertBaseline(b *testing.B) {
	for _, batch := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("rows-per-tx=%d", batch), func(b *testing.B) {
			db := openPlainSQLite(b)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				for j := 0; j < batch && done < b.N; j++ {
					done++
					if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, thread_id, space_id, author_id, body, posted_at, seq)
						VALUES ($1, $2, $3, $4, $5, $6, $7)`,
						service.NewID(), "thread", "space", "author", fmt.Sprintf("message %d", done), time.Now().UnixMicro(), done); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// openSQLiteFull opens a fresh Parley database on SQLite and fails b unless
// it really runs in WAL mode with synchronous=FULL: figures measured
// without durable commits would be worthless.
func openSQLiteFull(b *testing.B) *store.DB {
	b.Helper()
	db := storetest.OpenSQLite(b)
	requireDurable(b, db.SQL())
	return db
}

// openPlainSQLite opens a fresh SQLite database with the store's settings
// and one table shaped like the messages projection.
func openPlainSQLite(b *testing.B) *sql.DB {
	b.Helper()
	path := filepath.Join(b.TempDir(), "plain.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE messages (id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, space_id TEXT NOT NULL,
		author_id TEXT NOT NULL, body TEXT NOT NULL, posted_at INTEGER NOT NULL, seq INTEGER NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	requireDurable(b, db)
	return db
}

// requireDurable fails b unless db runs in WAL mode with synchronous=FULL.
func requireDurable(b *testing.B, db *sql.DB) {
	b.Helper()
	var mode string
	var sync int
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
		b.Fatal(err)
	}
	if mode != "wal" || sync != 2 { // 2 is FULL
		b.Fatalf("SQLite runs journal_mode=%s synchronous=%d, want wal and 2 (FULL)", mode, sync)
	}
}

// openPostgres opens a fresh schema on the PostgreSQL server named by
// PARLEY_TEST_POSTGRES, and skips b when there is none: benchmarks do not
// run in CI, so unlike the conformance suite they never require it.
func openPostgres(b *testing.B) *store.DB {
	b.Helper()
	if os.Getenv("PARLEY_TEST_POSTGRES") == "" {
		b.Skip("set PARLEY_TEST_POSTGRES=postgres://... to measure PostgreSQL")
	}
	return storetest.OpenPostgres(b)
}

// BenchmarkRecordAppend measures durable record appends per second through
// the whole write path: each command is a parley.StartThread, which the
// writer appends as two events (thread started, first message), each with
// its canonical entry, leaf and chain hash and tree hashes, and applies to
// the read tables, from many concurrent writers with group commit on
// SQLite with synchronous=FULL. "plain" writes the same rows — two
// entries, their tree hashes, a thread, a message and the thread's update
// per command — straight into a Parley database in transactions of 64
// commands, from one goroutine, with prepared statements as the writer's:
// no policy, no decision reads, no hashing, no savepoints. See
// docs/benchmarks.md ("Record").
func BenchmarkRecordAppend(b *testing.B) {
	for _, n := range []int{16, 64, 256} {
		b.Run(fmt.Sprintf("parley/writers=%d", n), func(b *testing.B) {
			db := openSQLiteFull(b)
			w := storetest.NewWorld(b, db, nil)
			ctx := context.Background()
			space := w.Groups[parley.GroupPolitical].SpaceID
			actors := []parley.Actor{w.DelegA, w.Mediator}
			before, err := db.LastSeq(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			var failed atomic.Pointer[error]
			var wg sync.WaitGroup
			b.ReportAllocs()
			b.ResetTimer()
			for g := range n {
				wg.Go(func() {
					a := actors[g%len(actors)]
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						cmd := parley.StartThread{SpaceID: space, Title: "load", Body: fmt.Sprintf("message %d from writer %d", i, g)}
						if _, err := w.Service.Do(ctx, a, cmd); err != nil {
							failed.CompareAndSwap(nil, &err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			if err := failed.Load(); err != nil {
				b.Fatal(*err)
			}
			after, err := db.LastSeq(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(after-before)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(0, "ns/op")
		})
	}
	b.Run("plain", func(b *testing.B) {
		db := openSQLiteFull(b)
		w := storetest.NewWorld(b, db, nil)
		ctx := context.Background()
		space, process := w.Groups[parley.GroupPolitical].SpaceID, w.Process.ID
		blob := make([]byte, 330) // about an entry's size
		hash := make([]byte, 32)
		seq, err := db.LastSeq(ctx)
		if err != nil {
			b.Fatal(err)
		}
		first := seq
		idx := int64(1) << 40              // clear of the world's tree hashes
		prepared := map[string]*sql.Stmt{} // as the writer's are
		b.ReportAllocs()
		b.ResetTimer()
		for done := 0; done < b.N; {
			tx, err := db.SQL().BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			exec := func(q string, args ...any) {
				s, ok := prepared[q]
				if !ok {
					if s, err = db.SQL().PrepareContext(ctx, q); err != nil {
						b.Fatal(err)
					}
					prepared[q] = s
				}
				if _, err := tx.StmtContext(ctx, s).ExecContext(ctx, args...); err != nil {
					b.Fatal(err)
				}
			}
			for j := 0; j < 64 && done < b.N; j++ {
				done++
				thread, msg := service.NewID(), service.NewID()
				now := time.Now().UnixMicro()
				for range 2 {
					seq++
					exec(`INSERT INTO entries (seq, at, type, actor, process_id, space_id, space_kind, party_id, group_id, with_mediator, entry, leaf_hash, chain_hash)
						VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
						seq, now, "message.posted", "actor", process, space, "group", "", "group", false, blob, hash, hash)
					for range 2 {
						exec(`INSERT INTO tree_hashes (idx, hash) VALUES ($1, $2)`, idx, hash)
						idx++
					}
				}
				exec(`INSERT INTO threads (id, space_id, process_id, title, author_id, created_at, last_at, messages, last_seq)
					VALUES ($1, $2, $3, $4, $5, $6, $6, 0, $7)`, thread, space, process, "load", "actor", now, seq)
				exec(`INSERT INTO messages (id, thread_id, space_id, author_id, body, posted_at, edited_at, version, seq)
					VALUES ($1, $2, $3, $4, $5, $6, 0, 1, $7)`, msg, thread, space, "actor", "body", now, seq)
				exec(`UPDATE threads SET messages = messages + 1, last_at = $2, last_seq = $3 WHERE id = $1`, thread, now, seq)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(seq-first)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(0, "ns/op")
	})
}
