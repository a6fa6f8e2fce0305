package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/parley-talks/parley"
)

// status maps an error code to its HTTP status. This is the only place
// where the mapping is made.
func status(code string) int {
	switch code {
	case parley.EINVALID:
		return http.StatusBadRequest
	case parley.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case parley.EFORBIDDEN:
		return http.StatusForbidden
	case parley.ENOTFOUND:
		return http.StatusNotFound
	case parley.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// apiBody is the JSON form of an error.
type apiBody struct {
	Code    string            `json:"code" doc:"Stable error code: invalid, unauthorized, forbidden, not_found, conflict or internal."`
	Message string            `json:"message" doc:"A sentence for a person."`
	Fields  map[string]string `json:"fields,omitempty" doc:"For invalid input: what is wrong with each named field."`
}

// apiError writes err as JSON. Internal details are logged, never sent.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	code := parley.ErrorCode(err)
	if code == parley.EINTERNAL {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := apiBody{Code: code, Message: parley.ErrorMessage(err)}
	var e *parley.Error
	if errors.As(err, &e) {
		body.Fields = e.Fields
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status(code))
	json.NewEncoder(w).Encode(body)
}

// fail answers a page request with an error page, or sends an unsigned
// visitor to the login page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := parley.ErrorCode(err)
	if code == parley.EUNAUTHORIZED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if code == parley.EINTERNAL {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p := s.page(r, "error.title")
	p.Data = errorPage{Code: code, Status: status(code), Message: parley.ErrorMessage(err)}
	s.render(w, r, status(code), "error.html", p)
}

type errorPage struct {
	Code    string
	Status  int
	Message string
}
