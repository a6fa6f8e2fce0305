package web

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/prometheus/client_golang/prometheus"
)

// Session keys.
const (
	sessAccount = "account" // signed in, second factor done
	sessPending = "pending" // password checked, second factor awaited
	sessFlash   = "flash"
)

type ctxKey int

const (
	actorKey ctxKey = iota
	accountKey
	patternKey
)

// requestActor returns who makes the request; the zero Actor is the public.
func requestActor(ctx context.Context) parley.Actor {
	a, _ := ctx.Value(actorKey).(parley.Actor)
	return a
}

// requestAccount returns the signed-in account, if any.
func requestAccount(ctx context.Context) (parley.Account, bool) {
	a, ok := ctx.Value(accountKey).(parley.Account)
	return a, ok
}

// identify resolves the actor of a request: an API token in the
// Authorization header, or the session of a signed-in account.
func (s *Server) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var accountID, process string
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				s.apiError(w, r, parley.Errorf(parley.EUNAUTHORIZED, "The Authorization header must be a Bearer token."))
				return
			}
			tok, err := s.db.TokenByHash(ctx, auth.TokenHash(strings.TrimSpace(secret)))
			if err != nil {
				s.apiError(w, r, parley.Errorf(parley.EUNAUTHORIZED, "The API token is not valid."))
				return
			}
			accountID, process = tok.AccountID, tok.ProcessID
		} else {
			accountID = s.sessions.GetString(ctx, sessAccount)
		}
		if accountID != "" {
			acc, err := s.db.Account(ctx, accountID)
			if err != nil {
				s.sessions.Remove(ctx, sessAccount)
				next.ServeHTTP(w, r)
				return
			}
			a, err := s.db.Actor(ctx, accountID, process)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if process != "" && len(a.Members) == 0 {
				s.apiError(w, r, parley.Errorf(parley.EUNAUTHORIZED, "The API token's member no longer exists."))
				return
			}
			ctx = context.WithValue(ctx, actorKey, a)
			ctx = context.WithValue(ctx, accountKey, acc)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ContentSecurityPolicy is the policy of every response: scripts, style
// sheets and fetches from the server alone, no inline script or style
// (styles set through the CSSOM, as Leaflet does, are allowed); images
// also as data: URIs, which the map's drawing tools use for their icons.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaders sets a strict Content-Security-Policy and its companions.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	hsts := strings.HasPrefix(s.cfg.BaseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to the live stream, which answers 200 on it
// itself.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && w.status == 0 {
		w.status = http.StatusOK
	}
	return c, rw, err
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_http_request_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"route"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.latency)
	}
	return m
}

// observe logs each request and counts it by its route pattern, never by
// its path (paths hold identifiers).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		pattern := new(string)
		r = r.WithContext(context.WithValue(r.Context(), patternKey, pattern))
		defer func() {
			if v := recover(); v != nil {
				s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if sw.status == 0 {
					http.Error(sw, "Internal error", http.StatusInternalServerError)
				}
			}
			route := *pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
			if route != "GET /events" {
				s.metrics.latency.WithLabelValues(route).Observe(d.Seconds())
			}
			level := slog.LevelDebug
			if sw.status >= 500 {
				level = slog.LevelError
			}
			s.log.Log(r.Context(), level, "request", "method", r.Method, "route", route, "status", sw.status, "duration", d)
		}()
		next.ServeHTTP(sw, r)
	})
}

// recordPattern wraps the mux: the mux sets the matched pattern on the
// request it is given, which observe, outside, does not see.
func recordPattern(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if p, ok := r.Context().Value(patternKey).(*string); ok {
			*p = r.Pattern
		}
	})
}

// MaxBody is the largest request body the server reads, but for the routes
// of bodyLimits.
const MaxBody = 1 << 20

// bodyLimits are the routes that take more than MaxBody: a report of a
// violation, with its attached files; an exchange list's file.
var bodyLimits = map[string]int64{
	"POST /truces/{truce}/{act}": parley.MaxAttachments*parley.MaxAttachmentSize + MaxBody,
	// A list file, or the checked rows of one coming back sealed.
	"POST /exchanges/{exchange}/import": MaxListFile + MaxBody,
	// The same file in base64, inside the API's JSON.
	"POST /api/v1/exchanges/{id}/imports": maxListFileBase64 + MaxBody,
}

// bodyLimit returns the largest body the route of pattern reads.
func bodyLimit(pattern string) int64 {
	if n, ok := bodyLimits[pattern]; ok {
		return n
	}
	return MaxBody
}

// limitBodies caps the body of every request at its route's limit: a body
// that says it is larger is refused with 413 before anything reads it, and
// one that turns out larger fails the handler's read.
func limitBodies(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			_, pattern := mux.Handler(r)
			n := bodyLimit(pattern)
			if r.ContentLength > n {
				w.Header().Set("Connection", "close")
				http.Error(w, "The request is too large.", http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}
