package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where the browser tests expect headless Chromium (Debian's
// chromium package).
const chromiumPath = "/usr/bin/chromium"

// needChromium skips tb when Chromium is not installed, except in CI, where
// the browser tests must run.
func needChromium(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("browser tests need Chromium at %s (apt-get install chromium): %v", chromiumPath, err)
		}
		tb.Skipf("browser tests skipped: Chromium is not installed at %s (apt-get install chromium)", chromiumPath)
	}
}

// buildParleyBinary builds the real program, cmd/parley, into a temporary
// directory and returns its path.
func buildParleyBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "parley")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/parley")
	cmd.Dir = ".." // the module's root; tests run in e2e/
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/parley: %v\n%s", err, out)
	}
	return bin
}

// startDemoServer runs `parley demo` on a free port of the loopback
// interface with a fresh database, and returns the URL it prints. The
// server is interrupted, and waited for, when tb ends.
func startDemoServer(tb testing.TB, bin string) string {
	tb.Helper()
	data := tb.TempDir()
	cmd := exec.Command(bin, "--data", data, "--log-level", "warn", "demo", "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Parley is listening on "); ok {
				urls <- strings.TrimSpace(u)
			}
		}
		io.Copy(io.Discard, stdout)
		done <- cmd.Wait()
	}()
	tb.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-done:
		tb.Fatalf("parley demo ended before listening: %v\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		tb.Fatalf("parley demo did not start listening within a minute\n%s", stderr.String())
	}
	return ""
}

// lockedBuffer lets the child's stderr be written by os/exec's copier while
// a failing test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newBrowser starts a headless Chromium of its own, with a fresh profile, so
// that two browsers share no cookies, and returns the context of its first
// tab. The browser ends with tb.
func newBrowser(tb testing.TB, width, height int) context.Context {
	tb.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.Flag("disable-features", "Translate,BackForwardCache,RenderDocument"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// The helpers below act on the page through small scripts rather than
// through node ids: right after a form's answer has loaded, chromedp's copy
// of the DOM can still hold the previous page's nodes.

// fill sets the value of each form field, by id.
func fill(ctx context.Context, fields map[string]string) error {
	var b strings.Builder
	for id, v := range fields {
		fmt.Fprintf(&b, "document.getElementById(%s).value = %s;\n", jsString(id), jsString(v))
	}
	return chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](b.String()))
}

// submit sends the form matched by the CSS selector form, as its submit
// button would (without the browser's own checks, so that the server's
// complaints can be seen), and waits for the page that answers it.
func submit(ctx context.Context, form string) error {
	script := fmt.Sprintf(`(() => { const f = document.querySelector(%s); f.noValidate = true; f.requestSubmit(); })()`, jsString(form))
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[chromedp.Void](script))); err != nil {
		return fmt.Errorf("submit %s: %w", form, err)
	}
	return nil
}

// signIn signs user in through the login form; in the demo the password is
// demo-<user name with dashes>-2025.
func signIn(ctx context.Context, base, user string) error {
	password := "demo-" + strings.ReplaceAll(user, ".", "-") + "-2025"
	return signInWith(ctx, base, user, password)
}

func signInWith(ctx context.Context, base, user, password string) error {
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login")); err != nil {
		return err
	}
	if err := fill(ctx, map[string]string{"username": user, "password": password}); err != nil {
		return err
	}
	return submit(ctx, `form[action="/login"]`)
}

// clickLink clicks the first link in the page's main part whose text
// contains text, as a person would, and waits for the page it leads to.
func clickLink(ctx context.Context, text string) error {
	script := fmt.Sprintf(`(() => {
		const a = Array.from(document.querySelectorAll("main a")).find(a => a.textContent.includes(%s));
		if (!a) throw new Error("no link");
		a.click();
	})()`, jsString(text))
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[chromedp.Void](script))); err != nil {
		return fmt.Errorf("follow the link %q: %w", text, err)
	}
	return nil
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// newTab opens a tab in a browser context of its own, for one person: its
// cookies are its own.
func newTab(tb testing.TB, browser context.Context, who string) context.Context {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	tb.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("open a tab for %s: %v", who, err)
	}
	return ctx
}
