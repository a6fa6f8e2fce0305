//go:build unix

package web_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the test process has used, in user and kernel
// mode: on a machine shared with other work it shows what a request
// costs better than the time it takes.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
