package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/parley-talks/parley/internal/seal"
	"github.com/parley-talks/parley/internal/store"
)

// dataKeyFile is the file of the data key, which seals personal data at
// rest.
func (c *cli) dataKeyFile() string {
	if c.DataKeyFile != "" {
		return c.DataKeyFile
	}
	return filepath.Join(c.Data, "data.key")
}

// dataKey returns the data key: from --data-key (PARLEY_DATA_KEY) if given,
// else from the key file, which is created with a new key when create is
// true and it does not exist. Without either it returns nil: the database
// then refuses to write or read personal data, saying why.
func (c *cli) dataKey(create bool) (ring *seal.Keyring, created bool, err error) {
	if strings.TrimSpace(c.DataKey) != "" {
		ring, err = seal.ParseEnv(c.DataKey)
		if err != nil {
			return nil, false, fmt.Errorf("--data-key: %w", err)
		}
		return ring, false, nil
	}
	path := c.dataKeyFile()
	ring, err = seal.LoadFile(path)
	switch {
	case err == nil:
		return ring, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, err
	case !create:
		return nil, false, nil
	}
	k, err := seal.Generate()
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	ring, err = seal.CreateFile(path, k)
	if err != nil {
		return nil, false, err
	}
	return ring, true, nil
}

// keysCmd is `parley keys`: the data key, which seals personal data at
// rest.
type keysCmd struct {
	Rotate keysRotateCmd `cmd:"" help:"Add a new data key, make it current, and seal all personal data anew with it. Stop the servers first."`
	List   keysListCmd   `cmd:"" help:"List the data keys by their IDs; the last is current."`
}

type keysListCmd struct{}

func (keysListCmd) Run(e *env, g *cli) error {
	ring, _, err := g.dataKey(false)
	if err != nil {
		return err
	}
	if ring == nil {
		return &exitError{code: 2, err: fmt.Errorf("no data key: %s does not exist and --data-key is not given", g.dataKeyFile())}
	}
	ids := ring.IDs()
	for i, id := range ids {
		if i == len(ids)-1 {
			fmt.Fprintf(e.stdout, "%s current\n", id)
		} else {
			fmt.Fprintln(e.stdout, id)
		}
	}
	return nil
}

type keysRotateCmd struct{}

// Run appends a new key to the key file, then reseals. If resealing is
// interrupted, running it again finishes it: the new key is current, and
// what the old keys sealed is still opened by them.
func (keysRotateCmd) Run(e *env, g *cli) error {
	if strings.TrimSpace(g.DataKey) != "" {
		return &exitError{code: 2, err: errors.New("the data key is given by --data-key (PARLEY_DATA_KEY): add a new key at the end of that value yourself, then run parley keys rotate with it to seal everything anew — or keep the keys in a file (--data-key-file)")}
	}
	path := g.dataKeyFile()
	ring, err := seal.LoadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &exitError{code: 2, err: fmt.Errorf("no data key file at %s (give --data-key-file or --data)", path)}
		}
		return err
	}
	db, err := openDB(e.ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	k, err := seal.Generate()
	if err != nil {
		return err
	}
	next, err := ring.AppendToFile(path, k)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added data key %s to %s; it is now current\n", next.Current(), path)
	return reseal(e, db, next)
}

// reseal seals anew with ring's current key what older keys sealed.
func reseal(e *env, db *store.DB, ring *seal.Keyring) error {
	db.SetSealer(ring)
	st, err := db.Reseal(e.ctx, func(done int) { fmt.Fprintf(e.stderr, "\rsealed values seen: %d", done) })
	if st.Sealed > 0 {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return fmt.Errorf("%w (run parley keys rotate again to finish; the keys already in the file open what is not yet sealed anew)", err)
	}
	fmt.Fprintf(e.stdout, "sealed anew: %d of %d sealed values; the older keys may be removed from the file once no backup you keep was made before now\n", st.Resealed, st.Sealed)
	return nil
}
