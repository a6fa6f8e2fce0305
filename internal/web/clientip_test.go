package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestClientIP: behind a trusted load balancer the client is the nearest
// untrusted hop of X-Forwarded-For; from anyone else the header is ignored,
// so a client cannot choose its own address to escape the sign-in limit.
func TestClientIP(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}}
	for _, c := range []struct {
		remote, xff, want string
	}{
		{"203.0.113.9:5000", "", "203.0.113.9"},
		{"203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},        // not from a trusted proxy: the header is ignored
		{"10.1.2.3:443", "198.51.100.1", "198.51.100.1"},           // the balancer names the client
		{"10.1.2.3:443", "6.6.6.6, 198.51.100.1", "198.51.100.1"},  // a hop the client wrote itself is not believed
		{"10.1.2.3:443", "198.51.100.1, 10.9.9.9", "198.51.100.1"}, // through two balancers
		{"10.1.2.3:443", "garbage, 10.9.9.9", "10.1.2.3"},          // a malformed hop: trust nothing before it
		{"10.1.2.3:443", "", "10.1.2.3"},                           // no header: the balancer itself
		{"[::1]:443", "2001:db8::7", "2001:db8::7"},
	} {
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := s.clientIP(r); got != c.want {
			t.Errorf("%s via %q: %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
	// Without trusted proxies the header is never read.
	plain := &Server{}
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "10.1.2.3:443"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	if got := plain.clientIP(r); got != "10.1.2.3" {
		t.Errorf("no trusted proxies: %s", got)
	}
}
