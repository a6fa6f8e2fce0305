package parley

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs checks that every package of the module has exactly one
// package doc comment, as the house style asks.
func TestPackageDocs(t *testing.T) {
	dirs := map[string]bool{}
	filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = true
		}
		return nil
	})
	if len(dirs) < 5 {
		t.Fatalf("found only %d package directories", len(dirs))
	}
	for dir := range dirs {
		fset := token.NewFileSet()
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		var docs []string
		for _, fname := range files {
			if strings.HasSuffix(fname, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, fname, nil, parser.ParseComments|parser.PackageClauseOnly)
			if err != nil {
				t.Fatal(err)
			}
			if f.Doc != nil {
				docs = append(docs, filepath.Base(fname))
			}
		}
		switch {
		case len(docs) == 0:
			t.Errorf("package in %s has no package doc comment", dir)
		case len(docs) > 1:
			t.Errorf("package in %s has %d package doc comments: %v", dir, len(docs), docs)
		}
	}
}
