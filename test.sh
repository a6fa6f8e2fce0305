#!/usr/bin/env bash
# The test command of the README: every test, with the race detector on
# the packages that run concurrent code. PostgreSQL tests run when
# PARLEY_TEST_POSTGRES holds a URL, browser tests when Chromium is installed;
# each says so when it skips. Then each fuzz target for a while, and a
# short mixed load on a real server (docs/benchmarks.md, "Mixed load").
set -euo pipefail
cd "$(dirname "$0")"
PARLEY_LOAD= go test -race -count=1 ./...

# Every fuzz target of the module, as "package FuzzName"; a target not
# listed here fails TestFuzzTargetsInCI (ci_test.go). Go fuzzes one target
# per invocation. PARLEY_FUZZTIME is each one's time (default 7s: about
# 4 minutes for all, with the builds); a crash leaves its input under the
# package's testdata/fuzz.
fuzz_targets=(
	". FuzzParseShapes"
	". FuzzParseItemRef"
	". FuzzUnmarshalEventData"
	"client FuzzReadSSE"
	"internal/files FuzzPut"
	"internal/geo FuzzDecode"
	"internal/reconcile FuzzReadCSV"
	"internal/reconcile FuzzParseDate"
	"internal/record FuzzParseBundle"
	"internal/record FuzzUnmarshal"
	"internal/record FuzzParseCheckpoint"
	"internal/record FuzzOpenCheckpoint"
	"internal/record FuzzVerifyCosignature"
	"internal/roster FuzzReadCSV"
	"internal/roster FuzzReadXLSX"
	"internal/seal FuzzOpen"
	"internal/web FuzzReadProposalForm"
	"internal/web FuzzReadStatementForm"
	"internal/web FuzzReadMeetingStart"
	"internal/web FuzzChooseLanguage"
	"internal/web FuzzClientIP"
	"internal/web FuzzAPIBodies"
	"internal/web FuzzPageForms"
	"internal/web FuzzLogRequests"
	"internal/web FuzzClauseWriter"
)
#
# Go 1.26's fuzzing coordinator can end a run with "context deadline
# exceeded" as -fuzztime runs out, with no failing input (go.dev/issue/75804,
# fixed in Go 1.27). Such a run counts as passed; a run that fails in any
# other way, or that writes a failing input under testdata/fuzz, fails.
inputs() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }
for target in "${fuzz_targets[@]}"; do
	read -r pkg name <<<"$target"
	echo "fuzz: $name ($pkg) for ${PARLEY_FUZZTIME:-7s}"
	corpus="./$pkg/testdata/fuzz/$name"
	before=$(inputs "$corpus")
	out=$(mktemp)
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "${PARLEY_FUZZTIME:-7s}" "./$pkg" 2>&1 | tee "$out"; then
		after=$(inputs "$corpus")
		if [ "$after" = "$before" ] && grep -q '^    context deadline exceeded$' "$out" &&
			[ "$(grep -c -- '^--- FAIL' "$out")" = 1 ]; then
			echo "fuzz: $name ended on Go's fuzztime race (go.dev/issue/75804), no failing input: passed"
		else
			rm -f "$out"
			exit 1
		fi
	fi
	rm -f "$out"
done

# The mixed load (reads, writes, live streams) for PARLEY_LOAD (default
# 75s; the figures in docs/benchmarks.md are from 10m): no errors, no
# growth of memory or goroutines.
PARLEY_LOAD="${PARLEY_LOAD:-75s}" go test -run '^TestMixedLoad$' -count=1 -v -timeout 30m ./cmd/parley/
