package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	"testing"
)

// childEnv, when set to 1, makes the test binary run the program itself
// with its arguments, as main does: benchmarks start the server in a child
// process so as to measure its memory apart from their clients'.
const childEnv = "PARLEY_TEST_CHILD"

// childCollected is what a child prints once it has collected its garbage
// and returned free memory to the system, on SIGUSR1.
const childCollected = "parley-test-child: collected"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}

func childMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	usr := make(chan os.Signal, 1)
	signal.Notify(usr, syscall.SIGUSR1)
	go func() {
		for range usr {
			debug.FreeOSMemory()
			fmt.Fprintln(os.Stdout, childCollected)
		}
	}()
	if path := os.Getenv("PARLEY_TEST_CHILD_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "parley:", err)
			return 1
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		return 1
	}
	return 0
}
