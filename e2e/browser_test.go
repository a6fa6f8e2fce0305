package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestLiveMessageBetweenParties starts the real program with the demo and
// two independent browsers: the head of the Ukrainian delegation in one,
// a Russian delegate of the humanitarian working group in the other. The
// delegate finds the group's thread through the interface; the head posts
// in it through the form; the delegate's page shows the message without
// being reloaded (live events and htmx).
func TestLiveMessageBetweenParties(t *testing.T) {
	needChromium(t)
	base := startDemoServer(t, buildParleyBinary(t))
	ua := newBrowser(t, 1280, 900)
	ru := newBrowser(t, 1280, 900)

	step := func(who string, ctx context.Context, what string, f func(context.Context) error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := f(ctx); err != nil {
			t.Fatalf("%s: %s: %v", who, what, err)
		}
	}
	step("head.ua", ua, "sign in", func(ctx context.Context) error { return signIn(ctx, base, "head.ua") })
	step("delegate.ru", ru, "sign in", func(ctx context.Context) error { return signIn(ctx, base, "delegate.ru") })

	// The delegate, whose interface is in Russian, goes from the overview
	// to the humanitarian group, its discussion, and the thread.
	step("delegate.ru", ru, "open the humanitarian group from the overview", func(ctx context.Context) error {
		return clickLink(ctx, "Гуманитарная")
	})
	step("delegate.ru", ru, "open the group's discussion", func(ctx context.Context) error {
		return clickLink(ctx, "Перейти к обсуждению группы")
	})
	step("delegate.ru", ru, "open the thread", func(ctx context.Context) error {
		return clickLink(ctx, "Exchange: lists for the next stage")
	})
	threadURL, err := chromedp.Run(ru, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(threadURL, "/t/") {
		t.Fatalf("delegate.ru is on %s, not on a thread", threadURL)
	}
	// A mark in the page's memory: it survives only if the page is not
	// reloaded.
	if err := chromedp.Do(ru, chromedp.Evaluate[chromedp.Void](`window.parleyNotReloaded = true`)); err != nil {
		t.Fatal(err)
	}

	text := fmt.Sprintf("Our lists for the second stage are ready: 390 names (%d).", time.Now().UnixNano())
	shown := fmt.Sprintf(`document.querySelector("#messages") !== null && document.querySelector("#messages").innerText.includes(%s)`, jsString(text))
	if already, err := chromedp.Run(ru, chromedp.Evaluate[bool](shown)); err != nil || already {
		t.Fatalf("the message is shown before it was sent (%v)", err)
	}

	step("head.ua", ua, "open the thread", func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.Navigate(threadURL))
	})
	step("head.ua", ua, "post the message", func(ctx context.Context) error {
		if err := fill(ctx, map[string]string{"m-body": text}); err != nil {
			return err
		}
		return submit(ctx, `form.reply`)
	})
	posted, err := chromedp.Run(ua, chromedp.Evaluate[bool](shown))
	if err != nil || !posted {
		t.Fatalf("head.ua's own page does not show the message after posting it (%v)", err)
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(ru, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](shown, chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		body, _ := chromedp.Run(ru, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("delegate.ru did not see the message within 10 s: %v\n%s", err, body)
	}
	t.Logf("delegate.ru saw the message %v after it was posted", time.Since(start).Round(time.Millisecond))
	if kept, err := chromedp.Run(ru, chromedp.Evaluate[bool](`window.parleyNotReloaded === true`)); err != nil || !kept {
		t.Errorf("delegate.ru's page was reloaded to show the message (%v)", err)
	}
	author, err := chromedp.Run(ru, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#messages .message")).pop().querySelector(".message-head strong").textContent`))
	if err != nil || author != "Oleksandr Hrytsenko" {
		t.Errorf("the last message's author is %q (%v), want Oleksandr Hrytsenko", author, err)
	}
}
