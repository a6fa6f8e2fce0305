//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/client"
)

// BenchmarkLiveFanOut measures the live stream at scale: a `parley demo`
// server runs in a child process, and this process holds n idle
// subscribers of GET /events on raw TCP connections (n is 10,000, or
// PARLEY_BENCH_SUBSCRIBERS). It reports the server's memory per idle
// subscriber, read from the child's own metrics after a forced garbage
// collection (heap and goroutine stacks in use) and from its resident set
// size, and, for each iteration, one message posted through the API and the
// time from the event's timestamp (taken by the service as it decides,
// before the commit) to its arrival at each subscriber.
func BenchmarkLiveFanOut(b *testing.B) {
	n := 10000
	if v := os.Getenv("PARLEY_BENCH_SUBSCRIBERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("PARLEY_BENCH_SUBSCRIBERS=%q: want a positive number", v)
		}
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Max < uint64(n)+200 {
		b.Skipf("%d subscribers need more open files than the limit of %d (ulimit -n)", n, lim.Max)
	}
	dir := b.TempDir()
	srv := startChild(b, "--log-level", "warn", "demo", "--addr", "127.0.0.1:0", "--data", dir)
	ctx := context.Background()

	head := client.New(srv.url)
	if err := head.Login(ctx, "head.ua", "demo-head-ua-2025"); err != nil {
		b.Fatal(err)
	}
	me, err := head.Me(ctx)
	if err != nil {
		b.Fatal(err)
	}
	process := me.Members[0].ProcessID
	tok, err := head.CreateToken(ctx, "fan-out", process)
	if err != nil {
		b.Fatal(err)
	}
	var caucus string
	spaces, err := head.Spaces(ctx, process)
	if err != nil {
		b.Fatal(err)
	}
	for _, sp := range spaces {
		if sp.Kind == parley.SpaceParty && sp.PartyID == me.Members[0].PartyID {
			caucus = sp.ID
		}
	}
	thread, err := head.StartThread(ctx, parley.StartThread{SpaceID: caucus, Title: "Fan-out", Body: "Benchmark."})
	if err != nil {
		b.Fatal(err)
	}

	before := srv.memory(b)
	arrivals := make(chan time.Duration, n)
	subs := dialStreams(b, srv.url, tok.Secret, n, arrivals)
	defer subs.close()
	for deadline := time.Now().Add(time.Minute); srv.metric(b, "parley_sse_subscribers") < float64(n); {
		if time.Now().After(deadline) {
			b.Fatalf("the server counts %v subscribers, want %d", srv.metric(b, "parley_sse_subscribers"), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	after := srv.memory(b)

	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		if _, err := head.PostMessage(ctx, parley.PostMessage{ThreadID: thread.ID, Body: "Message " + strconv.Itoa(i)}); err != nil {
			b.Fatal(err)
		}
		timeout := time.After(30 * time.Second)
		for got := 0; got < n; got++ {
			select {
			case d := <-arrivals:
				lat = append(lat, d)
			case <-timeout:
				b.Fatalf("iteration %d: %d of %d subscribers received the message within 30s", i, got, n)
			}
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(float64(lat[0])/float64(time.Millisecond), "min-ms")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1])/float64(time.Millisecond), "max-ms")
	b.ReportMetric(float64(after.heapStack-before.heapStack)/1024/float64(n), "KiB/subscriber")
	b.ReportMetric(float64(after.rss-before.rss)/1024/float64(n), "RSS-KiB/subscriber")
	b.ReportMetric(float64(n), "subscribers")
}

// child is the program running in a child process.
type child struct {
	url   string
	pid   int
	lines chan string // its standard output after the URL
}

// startChild runs the test binary as parley with args (see TestMain) and
// returns once it listens; cleanup ends it with SIGTERM.
func startChild(b testing.TB, args ...string) *child {
	b.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &child{pid: cmd.Process.Pid, lines: make(chan string, 16)}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "Parley is listening on "); ok {
				urls <- strings.TrimSpace(u)
			} else if sc.Text() == childCollected {
				c.lines <- sc.Text()
			}
		}
		close(c.lines)
	}()
	b.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	select {
	case c.url = <-urls:
	case <-time.After(60 * time.Second):
		b.Fatalf("the child did not listen within 60s:\n%s", stderr.String())
	}
	return c
}

type memory struct{ heapStack, rss int64 }

// memory makes the child collect its garbage, then reads its heap and
// stacks in use from its metrics and its resident set size from /proc.
func (c *child) memory(b testing.TB) memory {
	b.Helper()
	p, _ := os.FindProcess(c.pid)
	if err := p.Signal(syscall.SIGUSR1); err != nil {
		b.Fatal(err)
	}
	select {
	case <-c.lines:
	case <-time.After(30 * time.Second):
		b.Fatal("the child did not collect its garbage within 30s")
	}
	m := memory{heapStack: int64(c.metric(b, "go_memstats_heap_inuse_bytes") + c.metric(b, "go_memstats_stack_inuse_bytes"))}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(c.pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	if f := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status); f != nil {
		kb, _ := strconv.ParseInt(string(f[1]), 10, 64)
		m.rss = kb * 1024
	}
	return m
}

// metric reads one unlabelled metric from the child's /metrics.
func (c *child) metric(b testing.TB, name string) float64 {
	b.Helper()
	res, err := http.Get(c.url + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatal(err)
			}
			return f
		}
	}
	b.Fatalf("/metrics lacks %s", name)
	return 0
}

// subscribers are n live streams on raw sockets, read by one epoll loop
// per processor rather than a goroutine each, so that this process takes
// as little of the machine it shares with the server as it can.
type subscribers struct {
	fds   []int
	polls []int
	stop  chan struct{}
	done  sync.WaitGroup
}

// dialStreams opens n live streams to base with token. For every
// message.posted event, arrivals receives the time from the event's
// timestamp to the moment the read that brought it returned.
func dialStreams(b *testing.B, base, token string, n int, arrivals chan<- time.Duration) *subscribers {
	b.Helper()
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	addr, err := net.ResolveTCPAddr("tcp", u.Host)
	if err != nil {
		b.Fatal(err)
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "GET /events HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n", u.Host, token)
	s := &subscribers{fds: make([]int, n), stop: make(chan struct{})}
	for range runtime.GOMAXPROCS(0) {
		ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			b.Fatal(err)
		}
		s.polls = append(s.polls, ep)
	}
	errs := make(chan error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 64 {
		wg.Go(func() {
			for i := range next {
				fd, err := openRawStream(addr, req.Bytes())
				if err != nil {
					errs <- fmt.Errorf("subscriber %d: %w", i, err)
					continue
				}
				s.fds[i] = fd
				ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
				if err := syscall.EpollCtl(s.polls[i%len(s.polls)], syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		s.close()
		b.Fatal(err)
	}
	for _, ep := range s.polls {
		s.done.Go(func() { s.read(ep, arrivals) })
	}
	return s
}

// posted is what precedes an event's time in the data of a message.posted
// event, on the stream before and after its encoding moved to package live.
var posted = []byte(`"type":"message.posted","at":"`)

func (s *subscribers) read(ep int, arrivals chan<- time.Duration) {
	events := make([]syscall.EpollEvent, 256)
	buf := make([]byte, 64<<10)
	partial := map[int32][]byte{} // the unfinished last line of a read
	for {
		select {
		case <-s.stop:
			return
		default:
		}
		n, err := syscall.EpollWait(ep, events, 100)
		if err != nil {
			continue // EINTR
		}
		for _, ev := range events[:n] {
			m, err := syscall.Read(int(ev.Fd), buf)
			if m <= 0 || err != nil {
				if err != syscall.EAGAIN {
					syscall.EpollCtl(ep, syscall.EPOLL_CTL_DEL, int(ev.Fd), nil)
				}
				continue
			}
			now := time.Now()
			data := buf[:m]
			if p := partial[ev.Fd]; p != nil {
				data = append(p, data...)
				delete(partial, ev.Fd)
			}
			if i := bytes.LastIndexByte(data, '\n'); i < len(data)-1 {
				partial[ev.Fd] = bytes.Clone(data[i+1:])
				data = data[:i+1]
			}
			for {
				_, rest, ok := bytes.Cut(data, posted)
				if !ok {
					break
				}
				at, rest, _ := bytes.Cut(rest, []byte(`"`))
				t, err := time.Parse(time.RFC3339Nano, string(at))
				if err != nil {
					panic(fmt.Sprintf("no time in %q", data))
				}
				arrivals <- now.Sub(t)
				data = rest
			}
		}
	}
}

func (s *subscribers) close() {
	close(s.stop)
	s.done.Wait()
	for _, fd := range s.fds {
		if fd > 0 {
			syscall.Close(fd)
		}
	}
	for _, ep := range s.polls {
		syscall.Close(ep)
	}
}

// openRawStream connects, sends req and reads the response's head and its
// retry line, then leaves the socket non-blocking for the epoll loop.
func openRawStream(addr *net.TCPAddr, req []byte) (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	sa := &syscall.SockaddrInet4{Port: addr.Port}
	copy(sa.Addr[:], addr.IP.To4())
	fail := func(err error) (int, error) {
		syscall.Close(fd)
		return 0, err
	}
	// Signals (the profiler's) interrupt these blocking calls: retry.
	for err := syscall.Connect(fd, sa); err != nil && err != syscall.EISCONN; err = syscall.Connect(fd, sa) {
		if err != syscall.EINTR && err != syscall.EALREADY {
			return fail(err)
		}
		time.Sleep(time.Millisecond)
	}
	for len(req) > 0 {
		n, err := syscall.Write(fd, req)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fail(err)
		}
		req = req[n:]
	}
	tv := syscall.NsecToTimeval(int64(30 * time.Second))
	syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	var head []byte
	buf := make([]byte, 4096)
	for !bytes.Contains(head, []byte("retry: 2000\n\n")) {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fail(err)
		}
		if n == 0 {
			return fail(fmt.Errorf("the server closed the stream: %q", head))
		}
		head = append(head, buf[:n]...)
	}
	if !bytes.HasPrefix(head, []byte("HTTP/1.1 200 ")) {
		return fail(fmt.Errorf("GET /events: %q", head))
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		return fail(err)
	}
	return fd, nil
}
