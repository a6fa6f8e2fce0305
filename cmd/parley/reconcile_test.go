package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const smallDir = "../../internal/reconcile/testdata/small"

func TestReconcileSmall(t *testing.T) {
	var stdout, stderr bytes.Buffer
	possible := filepath.Join(t.TempDir(), "possible.csv")
	cmd := &reconcileCmd{
		Left:     filepath.Join(smallDir, "left.csv"),
		Right:    filepath.Join(smallDir, "right.csv"),
		Possible: possible,
	}
	e := &env{ctx: context.Background(), getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
	if err := cmd.Run(e); err != nil {
		t.Fatalf("Run: %v (stderr %s)", err, stderr.String())
	}
	rows, err := csv.NewReader(&stdout).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "left_id,right_id,score" {
		t.Fatalf("header %v, want left_id,right_id,score", rows[:min(1, len(rows))])
	}
	truth := readTruth(t, filepath.Join(smallDir, "truth.csv"))
	usedL, usedR := map[string]bool{}, map[string]bool{}
	tp := 0
	for _, r := range rows[1:] {
		if usedL[r[0]] || usedR[r[1]] {
			t.Fatalf("id used twice: %v", r)
		}
		usedL[r[0]], usedR[r[1]] = true, true
		if truth[r[0]+","+r[1]] {
			tp++
		}
	}
	precision := float64(tp) / float64(len(rows)-1)
	recall := float64(tp) / float64(len(truth))
	t.Logf("small via CLI: precision %.4f recall %.4f", precision, recall)
	if precision < 0.99 || recall < 0.96 {
		t.Errorf("precision %.4f recall %.4f, want at least 0.99 and 0.96", precision, recall)
	}
	f, err := os.Open(possible)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prow, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(prow) < 2 || prow[0][3] != "reasons" || !strings.Contains(prow[1][3], "family name:") {
		t.Errorf("possible file lacks pairs with reasons: %v", prow[:min(2, len(prow))])
	}
}

func TestReconcileMalformed(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("id,family_name,given_name,patronymic,birth_date\nL1,Шевченко,Олег,,1990-01-01\nL2,Бойко,Іван,,01.02.1990\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	e := &env{ctx: context.Background(), getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
	err := (&reconcileCmd{Left: filepath.Join(smallDir, "left.csv"), Right: bad}).Run(e)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("Run error = %v, want exit status 2", err)
	}
	for _, want := range []string{"bad.csv", "line 3", "column 5", "birth_date"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("wrote %q to stdout on malformed input", stdout.String())
	}
}

func readTruth(tb testing.TB, path string) map[string]bool {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	t := map[string]bool{}
	for _, r := range rows[1:] {
		t[r[0]+","+r[1]] = true
	}
	return t
}
