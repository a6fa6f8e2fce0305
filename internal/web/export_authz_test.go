package web

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

// patterns records the patterns of the routes registered on it.
type patterns []string

func (p *patterns) Handle(pattern string, _ http.Handler) { *p = append(*p, pattern) }
func (p *patterns) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	*p = append(*p, pattern)
}
func (p *patterns) ServeHTTP(http.ResponseWriter, *http.Request) {}

// Routes returns the pattern of every route of the server, "METHOD /path",
// registered as Handler registers them: routes.go's, then the JSON API's
// (apiRoutes) with the OpenAPI documents huma adds.
func (s *Server) Routes() []string {
	var p patterns
	s.routes(&p, prometheus.NewRegistry())
	s.apiRoutes(s.newAPI(&p))
	return p
}

// BodyLimit returns the largest body the route of pattern reads.
func BodyLimit(pattern string) int64 { return bodyLimit(pattern) }
