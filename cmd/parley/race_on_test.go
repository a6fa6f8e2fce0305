//go:build race

package main

// raceDetector reports whether the tests run with the race detector, which
// makes each request many times slower.
const raceDetector = true
