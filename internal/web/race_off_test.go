//go:build !race

package web_test

// raceDetector reports whether the tests run with the race detector, which
// makes each request many times slower.
const raceDetector = false
