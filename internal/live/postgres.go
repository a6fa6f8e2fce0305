package live

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/parley-talks/parley"
)

// Channel is the PostgreSQL notification channel on which the store's
// writer announces, inside each committing transaction, that the record grew.
const Channel = "parley_record"

// Fetch returns up to limit record events after seq, whatever their scope;
// the hub filters them per subscriber.
type Fetch func(ctx context.Context, after int64, limit int) ([]parley.Event, error)

// ListenPostgres relays record growth announced on Channel to hub, from
// record entry after on, until ctx ends. It reads the new events back from
// the database in record order, so every instance publishes the same
// sequence without gaps however the notifications interleave; it also polls
// every poll interval, so a notification lost with a connection costs only
// latency.
func ListenPostgres(ctx context.Context, dsn string, after int64, fetch Fetch, hub *Hub, poll time.Duration, log *slog.Logger) {
	last := after
	catchUp := func() {
		for {
			evs, err := fetch(ctx, last, 1000)
			if err != nil {
				if ctx.Err() == nil {
					log.WarnContext(ctx, "live: read new events", "err", err)
				}
				return
			}
			if len(evs) == 0 {
				return
			}
			hub.Publish(evs)
			last = evs[len(evs)-1].Seq
		}
	}
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+Channel)
		}
		if err != nil {
			if ctx.Err() == nil {
				log.WarnContext(ctx, "live: listen on PostgreSQL", "err", err)
			}
			if conn != nil {
				conn.Close(context.Background())
			}
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
			continue
		}
		catchUp()
		for ctx.Err() == nil {
			wctx, cancel := context.WithTimeout(ctx, poll)
			_, err := conn.WaitForNotification(wctx)
			cancel()
			if err != nil && wctx.Err() == nil {
				break // the connection failed: reconnect
			}
			catchUp()
		}
		conn.Close(context.Background())
	}
}
