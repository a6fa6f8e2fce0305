package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/parley-talks/parley/internal/reconcile"
)

// reconcileCmd is `parley reconcile`.
type reconcileCmd struct {
	Left     string `required:"" type:"path" help:"CSV list of one side."`
	Right    string `required:"" type:"path" help:"CSV list of the other side."`
	Possible string `type:"path" help:"Write candidates below the match threshold, with reasons, to this CSV file."`
}

// Run reads both lists, writes the asserted matches to standard output and,
// if asked, the pairs for review to c.Possible. Malformed input exits with
// status 2 and names the file, line and column.
func (c *reconcileCmd) Run(e *env) error {
	left, err := readList(c.Left)
	if err != nil {
		return err
	}
	right, err := readList(c.Right)
	if err != nil {
		return err
	}
	// Progress only for runs long enough to wonder about, at most once a
	// second.
	var mu sync.Mutex
	start := time.Now()
	last := start
	opt := reconcile.Options{Progress: func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(last) >= time.Second {
			last = now
			fmt.Fprintf(e.stderr, "reconcile: %d of %d entries of %s compared (%s)\n", done, total, c.Left, now.Sub(start).Round(time.Second))
		}
	}}
	res, err := reconcile.NewMatcher(left, right, opt).Run(e.ctx)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	if err := reconcile.WriteMatches(out, left, right, res.Matches); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if c.Possible != "" {
		f, err := os.Create(c.Possible)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		err = reconcile.WritePossible(w, left, right, res.Possible)
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", c.Possible, err)
		}
	}
	if time.Since(start) >= time.Second {
		fmt.Fprintf(e.stderr, "reconcile: %d matches, %d possible, %d pairs compared in %s\n", len(res.Matches), len(res.Possible), res.Compared, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func readList(path string) ([]reconcile.Person, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	defer f.Close()
	people, err := reconcile.ReadCSV(bufio.NewReader(f), path)
	var pe *reconcile.ParseError
	if errors.As(err, &pe) {
		return nil, &exitError{code: 2, err: err}
	}
	return people, err
}
