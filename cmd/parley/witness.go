package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-talks/parley/internal/record"
	"golang.org/x/mod/sumdb/tlog"
)

// witnessCmd is `parley witness`: a party's own witness, which cosigns each
// checkpoint of a server after checking that it extends the last one it
// cosigned, so that a server showing two histories is caught.
type witnessCmd struct {
	Watch  witnessWatchCmd  `cmd:"" default:"withargs" help:"Poll the server's checkpoint, check it against the log's key (--log-key VKEY, else trusted on first use) and cosign it; what 'parley witness' does."`
	Keygen witnessKeygenCmd `cmd:"" help:"Write a new witness key and print its verifier key."`
}

type witnessWatchCmd struct {
	URL      string        `name:"url" env:"PARLEY_URL" required:"" placeholder:"URL" help:"The server's URL."`
	KeyFile  string        `name:"key-file" env:"PARLEY_WITNESS_KEY_FILE" required:"" placeholder:"PATH" help:"The witness's private key (from 'parley witness keygen')."`
	Token    string        `name:"token" env:"PARLEY_TOKEN" placeholder:"TOKEN" help:"API token of the witness's account; the server accepts cosignatures only from signed-in accounts."`
	State    string        `name:"state" placeholder:"FILE" help:"File of the last checkpoint the witness cosigned (default: beside the key file)."`
	Interval time.Duration `name:"interval" default:"10s" help:"How often to poll the server."`
	Once     bool          `name:"once" help:"Check and cosign once, then exit; exit non-zero on any failure."`
}

// The log's verifier key is the global --log-key flag: `parley witness
// --log-key VKEY`. (A signing key given there is reduced to its verifier.)

// witnessState is what a witness keeps between polls.
type witnessState struct {
	Origin   string      `json:"origin"`
	LogKey   string      `json:"log_key"`
	KeySince time.Time   `json:"key_trusted_since"`
	Accepted record.Seen `json:"accepted"` // the last checkpoint cosigned
}

type witnessKeygenCmd struct {
	Name    string `name:"name" required:"" help:"The witness's name, e.g. party-a-witness.example.org (no spaces or '+')."`
	KeyFile string `name:"key-file" default:"witness.key" placeholder:"PATH" help:"Where to write the private key (mode 0600); an existing file is never overwritten."`
}

func (c *witnessKeygenCmd) Run(e *env) error {
	skey, vkey, err := record.GenerateWitnessKey(c.Name)
	if err != nil {
		return err
	}
	if dir := filepath.Dir(c.KeyFile); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(c.KeyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write the witness key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Wrote the witness's private key to %s; keep it secret.\n", c.KeyFile)
	fmt.Fprintln(e.stdout, vkey)
	return nil
}

// witness is one running witness.
type witness struct {
	src   *httpLog
	key   *record.WitnessKey
	path  string // state file
	state witnessState
	log   *slog.Logger
	now   func() time.Time
}

func (c *witnessWatchCmd) Run(e *env, g *cli) error {
	b, err := os.ReadFile(c.KeyFile)
	if err != nil {
		return fmt.Errorf("read the witness key: %w", err)
	}
	wk, err := record.ParseWitnessKey(string(b))
	if err != nil {
		return err
	}
	src, err := newHTTPLog(c.URL, c.Token)
	if err != nil {
		return err
	}
	given := strings.TrimSpace(g.LogKey)
	if strings.HasPrefix(given, "PRIVATE+KEY+") {
		k, err := record.ParseKey(given)
		if err != nil {
			return err
		}
		given = k.Verifier
	}
	w := &witness{src: src, key: wk, log: g.logger(e.stderr), now: time.Now}
	ctx := e.ctx
	origin := keyName(given)
	if origin == "" {
		k, err := src.key(ctx)
		if err != nil {
			return err
		}
		origin = keyName(k)
	}
	w.path = c.State
	if w.path == "" {
		w.path = filepath.Join(filepath.Dir(c.KeyFile), filepath.Base(stateFile("", "witness", origin)))
	}
	if _, err := loadJSON(w.path, &w.state); err != nil {
		return err
	}
	vs := verifyState{Key: w.state.LogKey, KeySince: w.state.KeySince}
	vkey, err := trustKey(ctx, e, given, &vs, w.path, src.key)
	if err != nil {
		return err
	}
	w.state.LogKey, w.state.KeySince = vkey, vs.KeySince
	if w.state.Origin == "" {
		w.state.Origin = keyName(vkey)
	}

	if c.Once {
		msg, err := w.step(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, msg)
		return nil
	}
	w.log.Info("witness started", "url", c.URL, "witness", wk.Name(), "log", w.state.Origin, "interval", c.Interval)
	t := time.NewTicker(c.Interval)
	defer t.Stop()
	for {
		msg, err := w.step(ctx)
		var ie *record.InconsistencyError
		switch {
		case errors.As(err, &ie):
			w.log.ErrorContext(ctx, "REFUSED TO COSIGN: the server shows a checkpoint inconsistent with one this witness cosigned", "err", err)
		case err != nil && ctx.Err() == nil:
			w.log.ErrorContext(ctx, "witness", "err", err)
		case err == nil:
			w.log.InfoContext(ctx, msg)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// step fetches the server's checkpoint, checks it and, if it extends the
// last checkpoint cosigned, cosigns it and sends the cosignature back.
func (w *witness) step(ctx context.Context) (string, error) {
	msg, err := w.src.Checkpoint(ctx)
	if err != nil {
		if errors.Is(err, record.ErrNoCheckpoint) {
			return "the server has no checkpoint yet", nil
		}
		return "", err
	}
	_, t, err := record.OpenCheckpoint(msg, w.state.LogKey)
	if err != nil {
		return "", fmt.Errorf("the server's checkpoint is not signed by the log's key %s: %w", w.state.LogKey, err)
	}
	prev := w.state.Accepted
	if prev.Size > 0 {
		var proof tlog.TreeProof
		if t.N > prev.Size {
			if proof, err = w.src.consistency(ctx, prev.Size, t.N); err != nil {
				return "", fmt.Errorf("fetch the proof that checkpoint %d extends checkpoint %d: %w", t.N, prev.Size, err)
			}
		}
		if err := record.CheckConsistencyProof(t, prev, proof); err != nil {
			return "", err
		}
	}
	if t.N == prev.Size && w.cosigned(msg) {
		return fmt.Sprintf("checkpoint %d is unchanged and already cosigned", t.N), nil
	}
	// Remember the checkpoint before sending the cosignature: from now on
	// this witness holds the server to it.
	w.state.Accepted = record.SeenOf(t, w.now())
	if err := saveJSON(w.path, w.state); err != nil {
		return "", err
	}
	body, err := record.NoteText(msg)
	if err != nil {
		return "", err
	}
	sig := w.key.Cosign(body, w.now())
	req, _ := json.Marshal(map[string]any{"size": t.N, "key": w.key.Verifier(), "signature": sig})
	if _, err := w.src.do(ctx, "POST", "/log/cosignature", bytes.NewReader(req)); err != nil {
		return "", fmt.Errorf("send the cosignature of checkpoint %d: %w", t.N, err)
	}
	return fmt.Sprintf("cosigned checkpoint %d (consistent with checkpoint %d cosigned before)", t.N, prev.Size), nil
}

// cosigned reports whether the checkpoint note carries this witness's
// valid cosignature.
func (w *witness) cosigned(msg []byte) bool {
	for _, line := range strings.Split(string(msg), "\n") {
		if strings.HasPrefix(line, "— "+w.key.Name()+" ") {
			if _, err := record.VerifyCosignature(msg, w.key.Verifier(), line); err == nil {
				return true
			}
		}
	}
	return false
}
