#!/usr/bin/env bash
# The test command of the README: every test, with the race detector on
# the packages that run concurrent code. PostgreSQL tests run when
# PARLEY_TEST_POSTGRES holds a URL, browser tests when Chromium is installed;
# each says so when it skips.
set -euo pipefail
cd "$(dirname "$0")"
go test -race -count=1 ./...
