package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// The JSON API: the same objects and commands as the pages, under
// /api/v1, described by the OpenAPI 3.1 document at /openapi.json. Its
// routes are listed in apiRoutes (routes.go's companion below); every
// command goes through the one write path, s.svc.Do.

// apiErr is the JSON error of the API: a stable code, a sentence, and the
// offending fields of invalid input. Its fields are apiBody's, declared
// again rather than embedded: huma writes an error through a copy of its
// exported fields (adding $schema), and an embedded unexported struct is
// not one, so the answer would be empty.
type apiErr struct {
	status  int
	Code    string            `json:"code" doc:"Stable error code: invalid, unauthorized, forbidden, not_found, conflict or internal."`
	Message string            `json:"message" doc:"A sentence for a person."`
	Fields  map[string]string `json:"fields,omitempty" doc:"For invalid input: what is wrong with each named field."`
}

func (e *apiErr) Error() string  { return e.Message }
func (e *apiErr) GetStatus() int { return e.status }

func init() {
	// huma reports malformed requests (bad JSON, missing or mistyped
	// fields) through NewError; answer them in Parley's error shape.
	huma.NewError = func(st int, msg string, errs ...error) huma.StatusError {
		e := &apiErr{status: st, Code: codeOf(st), Message: msg}
		for _, err := range errs {
			var d *huma.ErrorDetail
			if errors.As(err, &d) {
				if e.Fields == nil {
					e.Fields = map[string]string{}
				}
				e.Fields[fieldOf(d)] = d.Message
			}
		}
		if st == http.StatusUnprocessableEntity {
			e.status, e.Code = http.StatusBadRequest, parley.EINVALID
		}
		if e.Code == parley.EINVALID && msg == "validation failed" {
			e.Message = "The input is not valid."
		}
		return e
	}
}

// fieldOf names the input field of a huma validation error as the
// domain's errors do: "title", "names.en", "after". huma places a missing
// property at the object that lacks it ("body"), and names the property
// only in its message.
func fieldOf(d *huma.ErrorDetail) string {
	loc := d.Location
	if name, ok := strings.CutPrefix(d.Message, "expected required property "); ok {
		if name, ok = strings.CutSuffix(name, " to be present"); ok {
			loc += "." + name
		}
	}
	for _, p := range []string{"body.", "path.", "query.", "header."} {
		if s, ok := strings.CutPrefix(loc, p); ok {
			return s
		}
	}
	return loc
}

func codeOf(st int) string {
	for _, c := range []string{parley.EINVALID, parley.EUNAUTHORIZED, parley.EFORBIDDEN, parley.ENOTFOUND, parley.ECONFLICT} {
		if status(c) == st {
			return c
		}
	}
	return parley.EINTERNAL
}

// apiFail converts a domain error for the API; internal details are logged.
func (s *Server) apiFail(ctx context.Context, err error) error {
	code := parley.ErrorCode(err)
	if code == parley.EINTERNAL {
		s.log.ErrorContext(ctx, "internal error", "err", err)
	}
	e := &apiErr{status: status(code), Code: code, Message: parley.ErrorMessage(err)}
	var pe *parley.Error
	if errors.As(err, &pe) {
		e.Fields = pe.Fields
	}
	return e
}

func (s *Server) newAPI(mux humago.Mux) huma.API {
	cfg := huma.DefaultConfig("Parley API", s.cfg.Version)
	cfg.Info.Description = "Negotiations between parties to an armed conflict and a mediator, in standing working groups. " +
		"Authenticate with an API token (Authorization: Bearer pt_…) made on the account page or, while signed in, with POST /api/v1/tokens; a token acts as its member in one process. " +
		"Live events stream as Server-Sent Events from GET /events (id = record sequence number; resume with Last-Event-ID)."
	cfg.OpenAPIPath = "" // served by serveOpenAPI
	cfg.DocsPath = ""
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer":  {Type: "http", Scheme: "bearer", Description: "An API token from the account page."},
		"session": {Type: "apiKey", In: "cookie", Name: "parley_session", Description: "The session of a signed-in account (POST /login)."},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	api := humago.New(mux, cfg)
	serveOpenAPI(mux, api)
	return api
}

// serveOpenAPI serves the API's OpenAPI 3.1 document at /openapi.json and
// /openapi.yaml, and its 3.0 version at /openapi-3.0.json and .yaml. Each
// is made once, at its first request, when every operation is registered.
// (huma's own handlers make them at first use without a lock: concurrent
// first requests race.)
func serveOpenAPI(mux humago.Mux, api huma.API) {
	for path, doc := range map[string]struct {
		ctype string
		make  func(*huma.OpenAPI) ([]byte, error)
	}{
		"/openapi.json":     {"application/openapi+json", func(o *huma.OpenAPI) ([]byte, error) { return json.Marshal(o) }},
		"/openapi-3.0.json": {"application/openapi+json", (*huma.OpenAPI).Downgrade},
		"/openapi.yaml":     {"application/openapi+yaml", (*huma.OpenAPI).YAML},
		"/openapi-3.0.yaml": {"application/openapi+yaml", (*huma.OpenAPI).DowngradeYAML},
	} {
		made := sync.OnceValues(func() ([]byte, error) { return doc.make(api.OpenAPI()) })
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			b, err := made()
			if err != nil {
				http.Error(w, "Internal error", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", doc.ctype)
			w.Write(b)
		})
	}
}

// apiActor returns the actor of an API call, or an error when it is the
// public or must enrol a second factor first.
func (s *Server) apiActor(ctx context.Context) (parley.Actor, error) {
	a := requestActor(ctx)
	if a.Anonymous() {
		return a, s.apiFail(ctx, parley.Errorf(parley.EUNAUTHORIZED, "Sign in or send an API token."))
	}
	if acc, ok := requestAccount(ctx); ok && s.needsEnrolment(acc, a) {
		return a, s.apiFail(ctx, parley.Errorf(parley.EFORBIDDEN, "Enrol a second factor first."))
	} else if ok {
		if must, err := s.needsPasskey(ctx, acc, a); err != nil {
			return a, s.apiFail(ctx, err)
		} else if must {
			return a, s.apiFail(ctx, parley.Errorf(parley.EFORBIDDEN, "Heads of delegation on this server register a passkey first, on their account's passkeys page."))
		}
	}
	return a, nil
}

// do executes a command for the API.
func (s *Server) apiDo(ctx context.Context, cmd parley.Command) ([]parley.Event, error) {
	a, err := s.apiActor(ctx)
	if err != nil {
		return nil, err
	}
	evs, err := s.svc.Do(ctx, a, cmd)
	if err != nil {
		return nil, s.apiFail(ctx, err)
	}
	return evs, nil
}

// read runs a read for the API as its actor.
func read[T any](s *Server, ctx context.Context, f func(parley.Actor) (T, error)) (*body[T], error) {
	a, err := s.apiActor(ctx)
	if err != nil {
		return nil, err
	}
	v, err := f(a)
	if err != nil {
		return nil, s.apiFail(ctx, err)
	}
	return &body[T]{Body: v}, nil
}

type body[T any] struct{ Body T }

// Shapes of the API.
type (
	// Created answers a command that made something.
	Created struct {
		ID  string `json:"id" doc:"The new object's identifier."`
		Seq int64  `json:"seq" doc:"The record entry of the command's last event."`
	}
	// Done answers a command that changed something.
	Done struct {
		Seq int64 `json:"seq" doc:"The record entry of the command's last event."`
	}
	Me struct {
		Account parley.Account      `json:"account"`
		Members []parley.Membership `json:"members"`
	}
	ProcessDetail struct {
		Process parley.Process        `json:"process"`
		Parties []parley.Party        `json:"parties"`
		Rounds  []parley.Round        `json:"rounds"`
		Groups  []parley.WorkingGroup `json:"groups"`
		Members []parley.Member       `json:"members"`
	}
	SpaceItem struct {
		parley.Space
		Unread int `json:"unread"`
	}
	// APIToken describes an API token; Secret is only in the answer that
	// made it, the server keeps a hash.
	APIToken struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		ProcessID string    `json:"process_id"`
		CreatedAt time.Time `json:"created_at"`
		Secret    string    `json:"secret,omitempty" doc:"The token's secret (pt_…), shown only in the answer that made it."`
	}
	EventItem struct {
		Seq     int64            `json:"seq"`
		Type    string           `json:"type"`
		At      time.Time        `json:"at"`
		Actor   string           `json:"actor"`
		Process string           `json:"process,omitempty"`
		Space   string           `json:"space,omitempty"`
		Data    parley.EventData `json:"data"`
	}
)

// Shapes of the lists of an exchange.
type (
	// ListImportReport is what the server read of a list file: how many
	// rows, each bad cell by row and column, the columns it left out.
	ListImportReport struct {
		File    string          `json:"file"`
		Format  string          `json:"format" enum:"csv,xlsx"`
		List    parley.ListKind `json:"list"`
		SHA256  string          `json:"sha256" doc:"Of the file as decoded, so that each side can match it with what it sent."`
		Rows    int             `json:"rows" doc:"Rows read; empty rows are not counted."`
		Valid   int             `json:"valid" doc:"Rows without an error: those an import takes."`
		Invalid int             `json:"invalid" doc:"Rows with an error."`
		Errors  []ListCellError `json:"errors" doc:"The bad cells, by row and column; at most 300."`
		More    int             `json:"more" doc:"Bad cells beyond those listed."`
		Ignored []ListColumn    `json:"ignored" doc:"Columns whose header names no field of a person; left out."`
		Seq     int64           `json:"seq,omitempty" doc:"With mode all or valid: the record entry of the import."`
	}
	// ListCellError is a bad cell of a list file.
	ListCellError struct {
		Row     int    `json:"row" doc:"As a spreadsheet shows it: the header's row is 1 when it is the first."`
		Column  string `json:"column" doc:"The column's header, as the file writes it."`
		Col     string `json:"col" doc:"The column's place: a number from 1 in CSV, a letter in XLSX."`
		Field   string `json:"field,omitempty" doc:"The field of a person the column fills."`
		Message string `json:"message" doc:"What is wrong, to be read after the column's name."`
	}
	// ListColumn is a column of a list file.
	ListColumn struct {
		Header string `json:"header"`
		Col    string `json:"col"`
	}
	// Reconciled counts what a run of the engine proposed.
	Reconciled struct {
		Seq      int64 `json:"seq" doc:"The record entry of the run."`
		Matches  int   `json:"matches" doc:"Pairs the engine asserts."`
		Possible int   `json:"possible" doc:"Pairs for the two sides to review."`
		Unknown  int   `json:"unknown" doc:"Asked people with no candidate in the other side's held list."`
		Replaced int   `json:"replaced" doc:"Unanswered pairs of earlier runs that this run replaced."`
	}
	// PairItem is a pair with where it stands and its two people.
	PairItem struct {
		parley.Pair
		Status parley.PairStatus   `json:"status" enum:"open,confirmed,disputed"`
		Asked  parley.ListedPerson `json:"asked" doc:"The person asked back."`
		Held   parley.ListedPerson `json:"held" doc:"The person held."`
	}
	// PairsReview is the review of the pairs between one side's asked
	// list and the other side's held list.
	PairsReview struct {
		AskingParty  string     `json:"asking_party"`
		HoldingParty string     `json:"holding_party"`
		Pairs        []PairItem `json:"pairs"`
		Unknown      []string   `json:"unknown" doc:"IDs of the asked people the latest run found no candidate for."`
	}
	// AccessLogLine is a line of the access log of personal data.
	AccessLogLine struct {
		Seq        int64           `json:"seq" doc:"The record entry of the access."`
		At         time.Time       `json:"at"`
		Actor      string          `json:"actor" doc:"Who: their display name."`
		GroupID    string          `json:"group_id"`
		ExchangeID string          `json:"exchange_id"`
		PartyID    string          `json:"party_id" doc:"Whose list."`
		List       parley.ListKind `json:"list"`
		Access     parley.Access   `json:"access" enum:"view,export,import"`
		Format     string          `json:"format,omitempty" doc:"Of an export or import."`
		Count      int             `json:"count" doc:"People shown, exported or imported."`
	}
)

// personal is an answer holding personal data, which no cache keeps.
type personal[T any] struct {
	CacheControl string `header:"Cache-Control"`
	Body         T
}

// listPath names a side's list.
type listPath struct {
	ID    string          `path:"id" maxLength:"64" doc:"The exchange."`
	Party string          `path:"party" maxLength:"64" doc:"The side whose list it is."`
	List  parley.ListKind `path:"list" enum:"asked,held"`
}

// exportPath names a side's list and the format to export it in. (huma
// reads no parameters of an embedded unexported struct: listPath cannot
// be embedded.)
type exportPath struct {
	ID     string          `path:"id" maxLength:"64" doc:"The exchange."`
	Party  string          `path:"party" maxLength:"64" doc:"The side whose list it is."`
	List   parley.ListKind `path:"list" enum:"asked,held"`
	Format string          `query:"format" enum:"csv,xlsx,hxl" default:"csv" doc:"csv, xlsx, or hxl (CSV with a row of HXL hashtags below the header)."`
}

// listFileOutput is an exported list: the file itself.
type listFileOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CacheControl       string `header:"Cache-Control"`
	Body               []byte
}

// importOutput answers a check (200) or an import (201).
type importOutput struct {
	Status int
	Body   ListImportReport
}

// maxListFileBase64 is the length of MaxListFile in base64; the import's
// content_base64 has it as its maxLength.
const maxListFileBase64 = (MaxListFile + 2) / 3 * 4

// apiReport is the API's form of rep, the report of d.
func apiReport(rep *importReport, d importDraft) ListImportReport {
	out := ListImportReport{File: rep.File, Format: rep.Format, List: rep.List, SHA256: d.SHA256, Rows: rep.Rows, Valid: rep.Valid,
		Invalid: rep.Invalid, More: rep.More, Errors: make([]ListCellError, len(rep.Errors)), Ignored: make([]ListColumn, len(rep.Ignored))}
	for i, e := range rep.Errors {
		out.Errors[i] = ListCellError{Row: e.Row, Column: e.Column, Col: e.Col, Field: e.Field, Message: e.Message}
	}
	for i, c := range rep.Ignored {
		out.Ignored[i] = ListColumn{Header: c.Header, Col: c.Col}
	}
	return out
}

// importRefusal is an import refused for its rows: the error, with the
// report, so that the client sees every bad row without checking again.
type importRefusal struct {
	status  int
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	Report  ListImportReport  `json:"report"`
}

func (e *importRefusal) Error() string  { return e.Message }
func (e *importRefusal) GetStatus() int { return e.status }

// importRefused converts the refusal of an import for the API, with the
// report when the refusal is the rows'.
func (s *Server) importRefused(ctx context.Context, err error, rep ListImportReport) error {
	err = s.apiFail(ctx, err)
	var e *apiErr
	if !errors.As(err, &e) || e.Code != parley.EINVALID {
		return err
	}
	return &importRefusal{status: e.status, Code: e.Code, Message: e.Message, Fields: e.Fields, Report: rep}
}

// reconciled counts the run among evs.
func reconciled(evs []parley.Event) Reconciled {
	var out Reconciled
	for _, e := range evs {
		if d, ok := e.Data.(*parley.ListsReconciled); ok {
			out.Seq, out.Unknown, out.Replaced = e.Seq, len(d.Unknown), len(d.Dropped)
			for _, p := range d.Pairs {
				if p.Kind == parley.PairMatch {
					out.Matches++
				} else {
					out.Possible++
				}
			}
		}
	}
	return out
}

// pairsReview is the API's form of the pairs of asking's list.
func pairsReview(asking string, pr pairsRead) PairsReview {
	asked, held := map[string]parley.ListedPerson{}, map[string]parley.ListedPerson{}
	for _, p := range pr.Asked {
		asked[p.ID] = p
	}
	for _, p := range pr.Held {
		held[p.ID] = p
	}
	out := PairsReview{AskingParty: asking, HoldingParty: pr.Holding, Pairs: make([]PairItem, len(pr.Pairs)), Unknown: pr.Unknown}
	if out.Unknown == nil {
		out.Unknown = []string{}
	}
	for i, p := range pr.Pairs {
		if p.Answers == nil {
			p.Answers = []parley.PairAnswer{}
		}
		out.Pairs[i] = PairItem{Pair: p, Status: p.Status(), Asked: asked[p.AskedID], Held: held[p.HeldID]}
	}
	return out
}

// apiAccessLog is the API's form of lines.
func apiAccessLog(lines []store.AccessLine) []AccessLogLine {
	out := make([]AccessLogLine, len(lines))
	for i, l := range lines {
		out[i] = AccessLogLine{Seq: l.Seq, At: l.At, Actor: l.Actor, GroupID: l.GroupID, ExchangeID: l.ExchangeID, PartyID: l.PartyID,
			List: l.List, Access: l.Access, Format: l.Format, Count: l.Count}
	}
	return out
}

func last(evs []parley.Event) int64 { return evs[len(evs)-1].Seq }

type idPath struct {
	ID string `path:"id" maxLength:"64" doc:"Identifier."`
}

func (s *Server) apiRoutes(api huma.API) {
	s.notificationAPI(api)
	s.repatriationAPI(api)
	tag := func(op huma.Operation, t string) huma.Operation { op.Tags = []string{t}; return op }
	get := func(id, path, summary, t string) huma.Operation {
		return tag(huma.Operation{OperationID: id, Method: http.MethodGet, Path: "/api/v1" + path, Summary: summary}, t)
	}
	post := func(id, path, summary, t string) huma.Operation {
		return tag(huma.Operation{OperationID: id, Method: http.MethodPost, Path: "/api/v1" + path, Summary: summary, DefaultStatus: http.StatusCreated}, t)
	}
	put := func(id, path, summary, t string) huma.Operation {
		return tag(huma.Operation{OperationID: id, Method: http.MethodPut, Path: "/api/v1" + path, Summary: summary}, t)
	}
	del := func(id, path, summary, t string) huma.Operation {
		return tag(huma.Operation{OperationID: id, Method: http.MethodDelete, Path: "/api/v1" + path, Summary: summary}, t)
	}

	huma.Register(api, get("me", "/me", "Who I am: my account and memberships", "account"),
		func(ctx context.Context, _ *struct{}) (*body[Me], error) {
			return read(s, ctx, func(a parley.Actor) (Me, error) {
				acc, _ := requestAccount(ctx)
				return Me{Account: acc, Members: a.Members}, nil
			})
		})

	// Accounts (operator only).
	huma.Register(api, get("list-accounts", "/accounts", "List accounts (operator)", "accounts"),
		func(ctx context.Context, _ *struct{}) (*body[[]parley.Account], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Account, error) {
				if !a.Operator {
					return nil, parley.Errorf(parley.EFORBIDDEN, "Only the server's operator may do this.")
				}
				return s.db.Accounts(ctx)
			})
		})
	huma.Register(api, post("create-account", "/accounts", "Create an account (operator)", "accounts"),
		func(ctx context.Context, in *struct {
			Body struct {
				Username    string `json:"username" maxLength:"40"`
				DisplayName string `json:"display_name" maxLength:"100"`
				Password    string `json:"password" maxLength:"1000"`
				Locale      string `json:"locale,omitempty" enum:"en,uk,ru,tr"`
				TimeZone    string `json:"timezone,omitempty"`
				Operator    bool   `json:"operator,omitempty"`
			}
		}) (*body[Created], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			if !a.Operator {
				return nil, s.apiFail(ctx, parley.Errorf(parley.EFORBIDDEN, "Only the server's operator may do this."))
			}
			b := in.Body
			acc, hash, err := auth.NewAccount{Username: b.Username, DisplayName: b.DisplayName, Password: b.Password,
				Locale: parley.Lang(b.Locale), TimeZone: b.TimeZone, Operator: b.Operator}.Prepare(service.NewID(), s.now(), s.cfg.PasswordParams)
			if err == nil {
				err = s.db.CreateAccount(ctx, acc, hash)
			}
			if err != nil {
				return nil, s.apiFail(ctx, err)
			}
			return &body[Created]{Body: Created{ID: acc.ID}}, nil
		})

	// API tokens of the signed-in account. Managing them needs the session
	// of a signed-in account: a token cannot mint or revoke tokens, so a
	// leaked one cannot make itself successors.
	session := func(op huma.Operation) huma.Operation {
		op.Security = []map[string][]string{{"session": {}}}
		op.Middlewares = huma.Middlewares{func(hc huma.Context, next func(huma.Context)) {
			if hc.Header("Authorization") != "" {
				huma.WriteErr(api, hc, http.StatusForbidden, "API tokens are managed by a signed-in account, not with a token.")
				return
			}
			next(hc)
		}}
		return op
	}
	apiToken := func(t store.Token) APIToken {
		return APIToken{ID: t.ID, Name: t.Name, ProcessID: t.ProcessID, CreatedAt: t.CreatedAt}
	}
	huma.Register(api, session(get("list-tokens", "/tokens", "My API tokens, without their secrets (session only)", "account")),
		func(ctx context.Context, _ *struct{}) (*body[[]APIToken], error) {
			return read(s, ctx, func(a parley.Actor) ([]APIToken, error) {
				toks, err := s.db.Tokens(ctx, a.AccountID)
				out := make([]APIToken, 0, len(toks))
				for _, t := range toks {
					out = append(out, apiToken(t))
				}
				return out, err
			})
		})
	huma.Register(api, session(post("create-token", "/tokens", "Make an API token acting as my member in one process (session only)", "account")),
		func(ctx context.Context, in *struct {
			Body struct {
				Name      string `json:"name" maxLength:"100"`
				ProcessID string `json:"process_id" maxLength:"64" doc:"The process whose member the token acts as."`
			}
		}) (*body[APIToken], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			name := strings.TrimSpace(in.Body.Name)
			var v parley.Invalid
			v.Require("name", name)
			if _, member := a.In(in.Body.ProcessID); !member {
				v.Add("process_id", "must be a process you are a member of")
			}
			if err := v.Err(); err != nil {
				return nil, s.apiFail(ctx, err)
			}
			secret, hash, err := auth.NewToken()
			t := store.Token{ID: service.NewID(), AccountID: a.AccountID, ProcessID: in.Body.ProcessID, Name: name, CreatedAt: s.now()}
			if err == nil {
				err = s.db.CreateToken(ctx, t, hash)
			}
			if err != nil {
				return nil, s.apiFail(ctx, err)
			}
			out := apiToken(t)
			out.Secret = secret
			return &body[APIToken]{Body: out}, nil
		})
	huma.Register(api, session(del("revoke-token", "/tokens/{id}", "Revoke one of my API tokens (session only)", "account")),
		func(ctx context.Context, in *idPath) (*struct{}, error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			if err := s.db.DeleteToken(ctx, a.AccountID, in.ID); err != nil {
				return nil, s.apiFail(ctx, err)
			}
			return nil, nil
		})

	// Processes and their structure.
	huma.Register(api, get("list-processes", "/processes", "List the processes I may see", "processes"),
		func(ctx context.Context, _ *struct{}) (*body[[]parley.Process], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Process, error) { return s.db.Processes(ctx, a) })
		})
	huma.Register(api, post("create-process", "/processes", "Open a process (operator)", "processes"),
		func(ctx context.Context, in *struct{ Body parley.CreateProcess }) (*body[Created], error) {
			evs, err := s.apiDo(ctx, in.Body)
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.ProcessCreated).ProcessID, Seq: last(evs)}}, nil
		})
	huma.Register(api, get("get-process", "/processes/{id}", "A process with its parties, rounds, groups and members", "processes"),
		func(ctx context.Context, in *idPath) (*body[ProcessDetail], error) {
			return read(s, ctx, func(a parley.Actor) (ProcessDetail, error) {
				var d ProcessDetail
				var err error
				if d.Process, err = s.db.Process(ctx, a, in.ID); err != nil {
					return d, err
				}
				if d.Parties, err = s.db.Parties(ctx, a, in.ID); err != nil {
					return d, err
				}
				if d.Rounds, err = s.db.Rounds(ctx, a, in.ID); err != nil {
					return d, err
				}
				if d.Groups, err = s.db.Groups(ctx, a, in.ID); err != nil {
					return d, err
				}
				d.Members, err = s.db.Members(ctx, a, in.ID)
				return d, err
			})
		})
	huma.Register(api, put("edit-process", "/processes/{id}", "Edit a process (operator); version is the one you read", "processes"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Title       string        `json:"title"`
				Description string        `json:"description,omitempty"`
				Languages   []parley.Lang `json:"languages"`
				Version     int           `json:"version"`
			}
		}) (*body[Done], error) {
			b := in.Body
			evs, err := s.apiDo(ctx, parley.EditProcess{ProcessID: in.ID, Title: b.Title, Description: b.Description, Languages: b.Languages, Version: b.Version})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	type namesBody struct {
		Names parley.Names `json:"names" doc:"Display name by language (en, uk, ru, tr)."`
	}
	huma.Register(api, post("add-party", "/processes/{id}/parties", "Add a party, the mediator or an observer organisation (operator)", "processes"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Kind  parley.PartyKind `json:"kind" enum:"party,mediator,observer"`
				Names parley.Names     `json:"names"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.AddParty{ProcessID: in.ID, Kind: in.Body.Kind, Names: in.Body.Names})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.PartyAdded).PartyID, Seq: last(evs)}}, nil
		})
	huma.Register(api, put("rename-party", "/parties/{id}", "Rename a party (operator)", "processes"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body namesBody
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.RenameParty{PartyID: in.ID, Names: in.Body.Names})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, post("add-member", "/processes/{id}/members", "Make an account a member of a party (operator)", "processes"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				AccountID string      `json:"account_id"`
				PartyID   string      `json:"party_id"`
				Role      parley.Role `json:"role" enum:"head,delegate,mediator,observer"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.AddMember{ProcessID: in.ID, AccountID: in.Body.AccountID, PartyID: in.Body.PartyID, Role: in.Body.Role})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.MemberAdded).MemberID, Seq: last(evs)}}, nil
		})
	huma.Register(api, put("change-role", "/members/{id}/role", "Give a member another role in their party (operator)", "processes"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Role parley.Role `json:"role" enum:"head,delegate,mediator,observer"`
			}
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.ChangeRole{MemberID: in.ID, Role: in.Body.Role})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	type roundBody struct {
		Title    string `json:"title"`
		Location string `json:"location,omitempty"`
		StartsOn string `json:"starts_on" doc:"YYYY-MM-DD"`
		EndsOn   string `json:"ends_on,omitempty" doc:"YYYY-MM-DD; the start when empty"`
	}
	huma.Register(api, post("schedule-round", "/processes/{id}/rounds", "Schedule an in-person round (mediator, operator)", "processes"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body roundBody
		}) (*body[Created], error) {
			b := in.Body
			evs, err := s.apiDo(ctx, parley.ScheduleRound{ProcessID: in.ID, Title: b.Title, Location: b.Location, StartsOn: b.StartsOn, EndsOn: b.EndsOn})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.RoundScheduled).RoundID, Seq: last(evs)}}, nil
		})
	huma.Register(api, put("edit-round", "/rounds/{id}", "Edit a round (mediator, operator)", "processes"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body roundBody
		}) (*body[Done], error) {
			b := in.Body
			evs, err := s.apiDo(ctx, parley.EditRound{RoundID: in.ID, Title: b.Title, Location: b.Location, StartsOn: b.StartsOn, EndsOn: b.EndsOn})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, post("create-group", "/processes/{id}/groups", "Open a working group (mediator, operator)", "groups"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Kind  parley.GroupKind `json:"kind" enum:"political,military,humanitarian,other"`
				Names parley.Names     `json:"names"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.CreateGroup{ProcessID: in.ID, Kind: in.Body.Kind, Names: in.Body.Names})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.GroupCreated).GroupID, Seq: last(evs)}}, nil
		})
	huma.Register(api, put("rename-group", "/groups/{id}", "Rename a working group (mediator, operator)", "groups"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body namesBody
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.RenameGroup{GroupID: in.ID, Names: in.Body.Names})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, post("join-group", "/groups/{id}/members", "Put a member into a working group", "groups"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				MemberID string `json:"member_id"`
			}
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.JoinGroup{GroupID: in.ID, MemberID: in.Body.MemberID})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, del("leave-group", "/groups/{id}/members/{member}", "Take a member out of a working group", "groups"),
		func(ctx context.Context, in *struct {
			ID     string `path:"id" maxLength:"64"`
			Member string `path:"member" maxLength:"64"`
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.LeaveGroup{GroupID: in.ID, MemberID: in.Member})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})

	// Spaces and discussion.
	huma.Register(api, get("list-spaces", "/processes/{id}/spaces", "The spaces of a process I may read, with unread counts", "discussion"),
		func(ctx context.Context, in *idPath) (*body[[]SpaceItem], error) {
			return read(s, ctx, func(a parley.Actor) ([]SpaceItem, error) {
				sps, err := s.db.Spaces(ctx, a, in.ID)
				if err != nil {
					return nil, err
				}
				unread, err := s.db.Unread(ctx, a, in.ID)
				if err != nil {
					return nil, err
				}
				out := []SpaceItem{}
				for _, sp := range sps {
					out = append(out, SpaceItem{Space: sp, Unread: unread[sp.ID]})
				}
				return out, nil
			})
		})
	huma.Register(api, get("list-threads", "/spaces/{id}/threads", "The threads of a space", "discussion"),
		func(ctx context.Context, in *idPath) (*body[[]parley.Thread], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Thread, error) {
				if _, err := s.db.Space(ctx, a, in.ID); err != nil {
					return nil, err
				}
				ts, err := s.db.Threads(ctx, a, in.ID)
				if ts == nil {
					ts = []parley.Thread{}
				}
				return ts, err
			})
		})
	huma.Register(api, post("start-thread", "/spaces/{id}/threads", "Start a thread with its first message", "discussion"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Title string `json:"title"`
				Body  string `json:"body"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.StartThread{SpaceID: in.ID, Title: in.Body.Title, Body: in.Body.Body})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.ThreadStarted).ThreadID, Seq: last(evs)}}, nil
		})
	huma.Register(api, get("list-messages", "/threads/{id}/messages", "The messages of a thread", "discussion"),
		func(ctx context.Context, in *idPath) (*body[[]parley.Message], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Message, error) {
				if _, err := s.db.Thread(ctx, a, in.ID); err != nil {
					return nil, err
				}
				return s.db.Messages(ctx, a, in.ID)
			})
		})
	huma.Register(api, post("post-message", "/threads/{id}/messages", "Post a message", "discussion"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Body string `json:"body"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.PostMessage{ThreadID: in.ID, Body: in.Body.Body})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.MessagePosted).MessageID, Seq: last(evs)}}, nil
		})
	huma.Register(api, put("edit-message", "/messages/{id}", "Edit my message; version is the one I read", "discussion"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Body    string `json:"body"`
				Version int    `json:"version"`
			}
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.EditMessage{MessageID: in.ID, Body: in.Body.Body, Version: in.Body.Version})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, get("message-revisions", "/messages/{id}/revisions", "Earlier texts of an edited message", "discussion"),
		func(ctx context.Context, in *idPath) (*body[[]parley.MessageRevision], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.MessageRevision, error) { return s.db.Revisions(ctx, a, in.ID) })
		})
	huma.Register(api, post("mark-read", "/threads/{id}/read", "Mark a thread read up to a record entry", "discussion"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Seq int64 `json:"seq" minimum:"0"`
			}
		}) (*struct{}, error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			if err := s.db.MarkRead(ctx, a, in.ID, in.Body.Seq); err != nil {
				return nil, s.apiFail(ctx, err)
			}
			return nil, nil
		})
	huma.Register(api, get("list-events", "/events", "Record events I may see, after a sequence number", "events"),
		func(ctx context.Context, in *struct {
			After int64 `query:"after" minimum:"0" doc:"Return events after this record entry."`
			Limit int   `query:"limit" minimum:"1" maximum:"1000" default:"100"`
		}) (*body[[]EventItem], error) {
			return read(s, ctx, func(a parley.Actor) ([]EventItem, error) {
				evs, err := s.db.Events(ctx, a, in.After, in.Limit)
				out := make([]EventItem, 0, len(evs))
				for _, e := range evs {
					out = append(out, EventItem{Seq: e.Seq, Type: e.Type(), At: e.At, Actor: e.Actor, Process: e.Scope.ProcessID, Space: e.Scope.Space.ID, Data: e.Data})
				}
				return out, err
			})
		})

	// Proposals and the authority to perform formal acts.
	type proposalDetail struct {
		Proposal  parley.Proposal   `json:"proposal"`
		Questions []parley.Question `json:"questions"`
		Comments  []parley.Comment  `json:"comments"`
		Timeline  []store.Act       `json:"timeline" doc:"Every event of the proposal the caller may see, with its record entry."`
		Chain     []parley.Proposal `json:"chain" doc:"The chain of offers this proposal belongs to, oldest first."`
	}
	nonNil := func(ps []parley.Proposal) []parley.Proposal {
		if ps == nil {
			return []parley.Proposal{}
		}
		return ps
	}
	huma.Register(api, get("list-proposals", "/processes/{id}/proposals", "Proposals of a process I may see; open=true lists those awaiting an answer, longest waiting first", "proposals"),
		func(ctx context.Context, in *struct {
			ID    string `path:"id" maxLength:"64"`
			Group string `query:"group" maxLength:"64" doc:"Only this working group's."`
			Open  bool   `query:"open"`
		}) (*body[[]parley.Proposal], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Proposal, error) {
				if _, err := s.db.Process(ctx, a, in.ID); err != nil {
					return nil, err
				}
				ps, err := s.db.Proposals(ctx, a, store.ProposalFilter{Process: in.ID, Group: in.Group, Open: in.Open})
				return nonNil(ps), err
			})
		})
	huma.Register(api, post("draft-proposal", "/groups/{id}/proposals", "Draft a proposal in my party's caucus, addressed to another party", "proposals"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				ToParty string `json:"to_party"`
				parley.ProposalInput
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.DraftProposal{GroupID: in.ID, ToParty: in.Body.ToParty, ProposalInput: in.Body.ProposalInput})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.ProposalDrafted).ProposalID, Seq: last(evs)}}, nil
		})
	huma.Register(api, get("get-proposal", "/proposals/{id}", "A proposal with its questions, comments, timeline and chain of offers", "proposals"),
		func(ctx context.Context, in *idPath) (*body[proposalDetail], error) {
			return read(s, ctx, func(a parley.Actor) (proposalDetail, error) {
				var d proposalDetail
				var err error
				if d.Proposal, err = s.db.Proposal(ctx, a, in.ID); err != nil {
					return d, err
				}
				if d.Questions, err = s.db.Questions(ctx, a, in.ID); err != nil {
					return d, err
				}
				if d.Comments, err = s.db.Comments(ctx, a, in.ID); err != nil {
					return d, err
				}
				if d.Timeline, err = s.db.Timeline(ctx, a, in.ID); err != nil {
					return d, err
				}
				d.Chain, err = s.db.Chain(ctx, a, in.ID)
				return d, err
			})
		})
	huma.Register(api, put("edit-draft", "/proposals/{id}", "Edit a draft; version is the one you read", "proposals"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				ToParty string `json:"to_party"`
				Version int    `json:"version"`
				parley.ProposalInput
			}
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.EditDraft{ProposalID: in.ID, ToParty: in.Body.ToParty, Version: in.Body.Version, ProposalInput: in.Body.ProposalInput})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	type textBody struct {
		Text string `json:"text"`
	}
	type reasonBody struct {
		Reason string `json:"reason,omitempty"`
	}
	huma.Register(api, post("submit-proposal", "/proposals/{id}/submit", "Submit a draft to the other party (formal act)", "proposals"),
		func(ctx context.Context, in *idPath) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.SubmitProposal{ProposalID: in.ID})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, post("acknowledge-proposal", "/proposals/{id}/acknowledge", "Say the proposal is under consideration", "proposals"),
		func(ctx context.Context, in *idPath) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.AcknowledgeProposal{ProposalID: in.ID})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, post("ask-clarification", "/proposals/{id}/questions", "Ask the proposer a question", "proposals"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body textBody
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.AskClarification{ProposalID: in.ID, Text: in.Body.Text})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.ClarificationAsked).QuestionID, Seq: last(evs)}}, nil
		})
	huma.Register(api, post("answer-clarification", "/proposals/{id}/questions/{question}/answer", "Answer a question about my party's proposal", "proposals"),
		func(ctx context.Context, in *struct {
			ID       string `path:"id" maxLength:"64"`
			Question string `path:"question" maxLength:"64"`
			Body     textBody
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.AnswerClarification{ProposalID: in.ID, QuestionID: in.Question, Text: in.Body.Text})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, post("counter-proposal", "/proposals/{id}/counter", "Answer a proposal with a new one (formal act)", "proposals"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body parley.ProposalInput
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.CounterProposal{ProposalID: in.ID, ProposalInput: in.Body})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[1].Data.(*parley.ProposalSubmitted).ProposalID, Seq: last(evs)}}, nil
		})
	huma.Register(api, post("accept-proposal", "/proposals/{id}/accept", "Accept a proposal (formal act)", "proposals"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body reasonBody
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.AcceptProposal{ProposalID: in.ID, Reason: in.Body.Reason})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, post("reject-proposal", "/proposals/{id}/reject", "Reject a proposal, with reasons (formal act)", "proposals"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Reason string `json:"reason"`
			}
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.RejectProposal{ProposalID: in.ID, Reason: in.Body.Reason})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, post("withdraw-proposal", "/proposals/{id}/withdraw", "Withdraw my party's proposal (formal act)", "proposals"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body reasonBody
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.WithdrawProposal{ProposalID: in.ID, Reason: in.Body.Reason})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, post("comment-proposal", "/proposals/{id}/comments", "Comment on a proposal (discussion; binds nobody)", "proposals"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body textBody
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.CommentProposal{ProposalID: in.ID, Text: in.Body.Text})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.ProposalCommented).CommentID, Seq: last(evs)}}, nil
		})
	huma.Register(api, post("authorise-delegate", "/groups/{id}/authorisations", "Let a delegate of my party perform its formal acts in this working group (head only)", "proposals"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				MemberID string `json:"member_id"`
			}
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.AuthoriseDelegate{GroupID: in.ID, MemberID: in.Body.MemberID})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, del("revoke-authorisation", "/groups/{id}/authorisations/{member}", "End a delegate's authority to act in this working group (head only)", "proposals"),
		func(ctx context.Context, in *struct {
			ID     string `path:"id" maxLength:"64"`
			Member string `path:"member" maxLength:"64"`
		}) (*body[Done], error) {
			evs, err := s.apiDo(ctx, parley.RevokeAuthorisation{GroupID: in.ID, MemberID: in.Member})
			if err != nil {
				return nil, err
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, get("awaiting", "/awaiting", "Open proposals awaiting my party's answer", "proposals"),
		func(ctx context.Context, _ *struct{}) (*body[[]parley.Proposal], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Proposal, error) {
				items, err := s.awaiting(ctx, a, parley.English)
				out := []parley.Proposal{}
				for _, it := range items {
					out = append(out, it.P.Proposal)
				}
				return out, err
			})
		})

	// Memoranda: texts negotiated clause by clause.
	done := func(evs []parley.Event, err error) (*body[Done], error) {
		if err != nil {
			return nil, err
		}
		return &body[Done]{Body: Done{Seq: last(evs)}}, nil
	}
	huma.Register(api, get("list-memos", "/processes/{id}/memos", "Memoranda of a process I may read", "memoranda"),
		func(ctx context.Context, in *idPath) (*body[[]parley.Memorandum], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Memorandum, error) {
				if _, err := s.db.Process(ctx, a, in.ID); err != nil {
					return nil, err
				}
				ms, err := s.db.Memos(ctx, a, in.ID)
				if ms == nil {
					ms = []parley.Memorandum{}
				}
				return ms, err
			})
		})
	huma.Register(api, post("create-memo", "/processes/{id}/memos", "Open a memorandum in a working group's space (or a party's caucus, for its own draft)", "memoranda"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body parley.CreateMemo
		}) (*body[Created], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			if sp, err := s.db.Space(ctx, a, in.Body.SpaceID); err == nil && sp.ProcessID != in.ID {
				return nil, s.apiFail(ctx, parley.Errorf(parley.ENOTFOUND, "No such space."))
			}
			evs, err := s.apiDo(ctx, in.Body)
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.MemoCreated).MemoID, Seq: last(evs)}}, nil
		})
	huma.Register(api, get("get-memo", "/memos/{id}", "A memorandum with its sections and clauses in document order: texts, out-of-date languages, sign-offs, agreements, initials, alternatives and stances", "memoranda"),
		func(ctx context.Context, in *idPath) (*body[memoDetail], error) {
			return read(s, ctx, func(a parley.Actor) (memoDetail, error) {
				m, cs, err := s.db.Memo(ctx, a, in.ID)
				if cs == nil {
					cs = []parley.Clause{}
				}
				return memoDetail{Memo: m, Clauses: cs}, err
			})
		})
	huma.Register(api, post("add-clause", "/memos/{id}/clauses", "Table a section or a clause at a position among its siblings (0 = first)", "memoranda"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				ParentID string            `json:"parent_id,omitempty" doc:"A section, or empty at the top level."`
				Kind     parley.ClauseKind `json:"kind" enum:"section,clause"`
				Position int               `json:"position" minimum:"0"`
				Texts    parley.Texts      `json:"texts"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.AddClause{MemoID: in.ID, ParentID: in.Body.ParentID, Kind: in.Body.Kind, Position: in.Body.Position, Texts: in.Body.Texts})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.ClauseAdded).ClauseID, Seq: last(evs)}}, nil
		})
	type clauseLang = struct {
		ID   string `path:"id" maxLength:"64" doc:"The clause."`
		Lang string `path:"lang" maxLength:"8" doc:"The language version: en, uk, ru or tr."`
	}
	huma.Register(api, put("change-clause-text", "/clauses/{id}/texts/{lang}", "Change one language version; version is the clause's version you read (409 conflict if it changed since)", "memoranda"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64" doc:"The clause."`
			Lang string `path:"lang" maxLength:"8" doc:"The language version: en, uk, ru or tr."`
			Body struct {
				Text    string `json:"text"`
				Version int    `json:"version"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.ChangeClauseText{ClauseID: in.ID, Lang: parley.Lang(in.Lang), Text: in.Body.Text, Version: in.Body.Version}))
		})
	huma.Register(api, post("confirm-translation", "/clauses/{id}/texts/{lang}/confirm", "Confirm that an out-of-date language version still says what the changed one says", "memoranda"),
		func(ctx context.Context, in *clauseLang) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.ConfirmTranslation{ClauseID: in.ID, Lang: parley.Lang(in.Lang)}))
		})
	huma.Register(api, post("sign-off-language", "/clauses/{id}/texts/{lang}/sign-off", "My party signs off one language version", "memoranda"),
		func(ctx context.Context, in *clauseLang) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.SignOffLanguage{ClauseID: in.ID, Lang: parley.Lang(in.Lang)}))
		})
	huma.Register(api, post("table-alternative", "/clauses/{id}/alternatives", "Bracket a clause with an alternative", "memoranda"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Kind  parley.BracketKind `json:"kind" enum:"wording,contentious,instructions,trade_off"`
				Texts parley.Texts       `json:"texts"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.TableAlternative{ClauseID: in.ID, Kind: in.Body.Kind, Texts: in.Body.Texts})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.AlternativeTabled).AlternativeID, Seq: last(evs)}}, nil
		})
	huma.Register(api, post("take-stance", "/alternatives/{id}/stance", "My party's stance on an alternative", "memoranda"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Stance parley.Stance `json:"stance" enum:"accepts,reserves,rejects,awaiting"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.TakeStance{AlternativeID: in.ID, Stance: in.Body.Stance}))
		})
	huma.Register(api, post("withdraw-alternative", "/alternatives/{id}/withdraw", "Withdraw an alternative my party tabled", "memoranda"),
		func(ctx context.Context, in *idPath) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.WithdrawAlternative{AlternativeID: in.ID}))
		})
	huma.Register(api, post("adopt-alternative", "/alternatives/{id}/adopt", "Resolve the bracket with an alternative every party accepts (formal act)", "memoranda"),
		func(ctx context.Context, in *idPath) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.AdoptAlternative{AlternativeID: in.ID}))
		})
	huma.Register(api, post("agree-clause", "/clauses/{id}/agree", "My party agrees to a clause ad referendum (formal act)", "memoranda"),
		func(ctx context.Context, in *idPath) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.AgreeClause{ClauseID: in.ID}))
		})
	huma.Register(api, post("initial-clause", "/clauses/{id}/initial", "The head of delegation initials an agreed clause", "memoranda"),
		func(ctx context.Context, in *idPath) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.InitialClause{ClauseID: in.ID}))
		})
	huma.Register(api, post("initial-memo", "/memos/{id}/initial", "The head of delegation initials the whole memorandum; refused (409) while anything is in brackets or out of date", "memoranda"),
		func(ctx context.Context, in *idPath) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.InitialMemo{MemoID: in.ID}))
		})
	huma.Register(api, get("list-memo-versions", "/memos/{id}/versions", "The named versions of a memorandum (without their texts)", "memoranda"),
		func(ctx context.Context, in *idPath) (*body[[]parley.MemoVersion], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.MemoVersion, error) {
				if _, _, err := s.db.Memo(ctx, a, in.ID); err != nil {
					return nil, err
				}
				vs, err := s.db.MemoVersions(ctx, a, in.ID)
				if vs == nil {
					vs = []parley.MemoVersion{}
				}
				return vs, err
			})
		})
	huma.Register(api, get("get-memo-version", "/memo-versions/{id}", "A named version: the memorandum's clauses as they stood", "memoranda"),
		func(ctx context.Context, in *idPath) (*body[parley.MemoVersion], error) {
			return read(s, ctx, func(a parley.Actor) (parley.MemoVersion, error) { return s.db.MemoVersion(ctx, a, in.ID) })
		})
	huma.Register(api, post("name-memo-version", "/memos/{id}/versions", "Name the current text as a version; in a single negotiating text, the mediator issues the next draft", "memoranda"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Name string `json:"name,omitempty" maxLength:"200"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.NameVersion{MemoID: in.ID, Name: in.Body.Name}))
		})
	huma.Register(api, post("link-clause", "/clauses/{id}/links", "Link a clause to the proposal or the discussion (one of them) that shaped it; it must live in the memorandum's space", "memoranda"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				ProposalID string `json:"proposal_id,omitempty" maxLength:"64"`
				ThreadID   string `json:"thread_id,omitempty" maxLength:"64"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.LinkClause{ClauseID: in.ID, ProposalID: in.Body.ProposalID, ThreadID: in.Body.ThreadID}))
		})
	huma.Register(api, post("share-memo", "/memos/{id}/share", "Share a party's own draft with a working group: a copy goes to its space (formal act)", "memoranda"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				SpaceID string `json:"space_id" maxLength:"64" doc:"The working group's space."`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.ShareMemo{MemoID: in.ID, SpaceID: in.Body.SpaceID})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.MemoCreated).MemoID, Seq: last(evs)}}, nil
		})
	huma.Register(api, put("set-prevailing", "/memos/{id}/prevailing", "The mediator records which language prevails, or none", "memoranda"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Lang parley.Lang `json:"lang,omitempty" doc:"en, uk, ru or tr; empty: all versions equally authentic"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.SetPrevailing{MemoID: in.ID, Lang: in.Body.Lang}))
		})

	huma.Register(api, get("list-meetings", "/processes/{id}/meetings", "Meetings of a process I may read, in the order they begin (without agenda, attendance, notes or minutes)", "meetings"),
		func(ctx context.Context, in *idPath) (*body[[]parley.Meeting], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Meeting, error) {
				if _, err := s.db.Process(ctx, a, in.ID); err != nil {
					return nil, err
				}
				return s.db.Meetings(ctx, a, in.ID, "")
			})
		})
	type invitation struct {
		Title    string    `json:"title" maxLength:"200"`
		Start    time.Time `json:"start" doc:"When it begins (RFC 3339)."`
		Duration int       `json:"duration_minutes" minimum:"5" maximum:"1440"`
		TimeZone string    `json:"time_zone" doc:"The organiser's IANA time zone, e.g. Europe/Istanbul."`
		CallURL  string    `json:"call_url,omitempty" doc:"An https:// link to the video call the parties use."`
	}
	huma.Register(api, post("schedule-meeting", "/spaces/{id}/meetings", "Convene a meeting in a working group's space or the heads' channel (mediator, heads), with its first agenda items and its discussion thread", "meetings"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Title    string    `json:"title" maxLength:"200"`
				Start    time.Time `json:"start" doc:"When it begins (RFC 3339)."`
				Duration int       `json:"duration_minutes" minimum:"5" maximum:"1440"`
				TimeZone string    `json:"time_zone" doc:"The organiser's IANA time zone, e.g. Europe/Istanbul."`
				CallURL  string    `json:"call_url,omitempty" doc:"An https:// link to the video call the parties use."`
				Agenda   []string  `json:"agenda,omitempty" maxItems:"50" doc:"Titles of the first agenda items."`
			}
		}) (*body[Created], error) {
			b := in.Body
			evs, err := s.apiDo(ctx, parley.ScheduleMeeting{SpaceID: in.ID, Title: b.Title, Start: b.Start, Duration: b.Duration, TimeZone: b.TimeZone, CallURL: b.CallURL, Agenda: b.Agenda})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.MeetingScheduled).MeetingID, Seq: last(evs)}}, nil
		})
	huma.Register(api, get("get-meeting", "/meetings/{id}", "A meeting with its agenda (and where each linked proposal or clause stands), attendance, notes, minutes, approvals and follow-up actions", "meetings"),
		func(ctx context.Context, in *idPath) (*body[parley.Meeting], error) {
			return read(s, ctx, func(a parley.Actor) (parley.Meeting, error) { return s.db.Meeting(ctx, a, in.ID) })
		})
	huma.Register(api, put("change-meeting", "/meetings/{id}", "Change the invitation of a meeting that has not ended", "meetings"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body invitation
		}) (*body[Done], error) {
			b := in.Body
			return done(s.apiDo(ctx, parley.ChangeMeeting{MeetingID: in.ID, Title: b.Title, Start: b.Start, Duration: b.Duration, TimeZone: b.TimeZone, CallURL: b.CallURL}))
		})
	huma.Register(api, post("cancel-meeting", "/meetings/{id}/cancel", "Call off a meeting that has not begun", "meetings"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Reason string `json:"reason,omitempty" maxLength:"200"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.CancelMeeting{MeetingID: in.ID, Reason: in.Body.Reason}))
		})
	huma.Register(api, post("add-agenda-item", "/meetings/{id}/agenda", "Add an agenda item, optionally about a proposal, clause or discussion of the meeting's space", "meetings"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Title string `json:"title" maxLength:"200"`
				Ref   string `json:"ref,omitempty" doc:"proposal:ID, clause:ID or thread:ID"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.AddAgendaItem{MeetingID: in.ID, Title: in.Body.Title, Ref: in.Body.Ref})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.AgendaItemAdded).ItemID, Seq: last(evs)}}, nil
		})
	type meetingItem struct {
		ID   string `path:"id" maxLength:"64"`
		Item string `path:"item" maxLength:"64"`
	}
	huma.Register(api, del("remove-agenda-item", "/meetings/{id}/agenda/{item}", "Take an item off the agenda (not the current one, nor one with notes)", "meetings"),
		func(ctx context.Context, in *meetingItem) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.RemoveAgendaItem{MeetingID: in.ID, ItemID: in.Item}))
		})
	huma.Register(api, put("take-agenda-item", "/meetings/{id}/agenda/{item}/current", "Move a live meeting to an agenda item", "meetings"),
		func(ctx context.Context, in *meetingItem) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.TakeAgendaItem{MeetingID: in.ID, ItemID: in.Item}))
		})
	for _, x := range []struct {
		id, path, summary string
		cmd               func(string) parley.Command
	}{
		{"start-meeting", "start", "Open the meeting, at its first agenda item", func(id string) parley.Command { return parley.StartMeeting{MeetingID: id} }},
		{"end-meeting", "end", "Close a live meeting; everyone present leaves", func(id string) parley.Command { return parley.EndMeeting{MeetingID: id} }},
		{"join-meeting", "join", "Record that I attend", func(id string) parley.Command { return parley.JoinMeeting{MeetingID: id} }},
		{"leave-meeting", "leave", "Record that I left", func(id string) parley.Command { return parley.LeaveMeeting{MeetingID: id} }},
	} {
		huma.Register(api, post(x.id, "/meetings/{id}/"+x.path, x.summary, "meetings"),
			func(ctx context.Context, in *idPath) (*body[Done], error) { return done(s.apiDo(ctx, x.cmd(in.ID))) })
	}
	huma.Register(api, post("take-note", "/meetings/{id}/notes", "Take a note in a live meeting, under an agenda item or the current one", "meetings"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				ItemID string `json:"item_id,omitempty" maxLength:"64"`
				Body   string `json:"body" maxLength:"10000"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.TakeNote{MeetingID: in.ID, ItemID: in.Body.ItemID, Body: in.Body.Body})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.MeetingNoteTaken).NoteID, Seq: last(evs)}}, nil
		})
	huma.Register(api, put("draft-minutes", "/meetings/{id}/minutes", "Set the text of the minutes; version is the one you read (0 for the first draft; 409 if it changed since). Every approval given so far is void.", "meetings"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Text    string `json:"text" maxLength:"100000"`
				Version int    `json:"version" minimum:"0"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.DraftMinutes{MeetingID: in.ID, Text: in.Body.Text, Version: in.Body.Version}))
		})
	huma.Register(api, post("assign-action", "/meetings/{id}/actions", "Add a follow-up action to the minutes, for a party or (party_id empty) the mediator; every approval given so far is void", "meetings"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Text    string `json:"text" maxLength:"2000"`
				PartyID string `json:"party_id,omitempty" maxLength:"64"`
				Due     string `json:"due,omitempty" doc:"YYYY-MM-DD"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.AssignAction{MeetingID: in.ID, Text: in.Body.Text, PartyID: in.Body.PartyID, Due: in.Body.Due})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.ActionAssigned).ActionID, Seq: last(evs)}}, nil
		})
	huma.Register(api, post("complete-action", "/meetings/{id}/actions/{action}/done", "Mark a follow-up action done (its party, or the mediator)", "meetings"),
		func(ctx context.Context, in *struct {
			ID     string `path:"id" maxLength:"64"`
			Action string `path:"action" maxLength:"64"`
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.CompleteAction{MeetingID: in.ID, ActionID: in.Action}))
		})
	huma.Register(api, post("approve-minutes", "/meetings/{id}/approve", "My party approves the minutes whose hash I read (formal act); 409 if they changed since", "meetings"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Hash string `json:"hash" minLength:"64" maxLength:"64" doc:"minutes.hash of the meeting as read"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.ApproveMinutes{MeetingID: in.ID, Hash: in.Body.Hash}))
		})

	huma.Register(api, get("list-truces", "/processes/{id}/truces", "Truces of a process I may read (accepted truce proposals and their life cycle), latest start first", "truces"),
		func(ctx context.Context, in *idPath) (*body[[]parley.Truce], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Truce, error) {
				if _, err := s.db.Process(ctx, a, in.ID); err != nil {
					return nil, err
				}
				return s.db.Truces(ctx, a, in.ID)
			})
		})
	huma.Register(api, get("get-truce-rules", "/processes/{id}/truce-rules", "A process's limits on truces: the region every place lies in, the longest window", "truces"),
		func(ctx context.Context, in *idPath) (*body[parley.TruceRules], error) {
			return read(s, ctx, func(a parley.Actor) (parley.TruceRules, error) { return s.db.TruceRules(ctx, a, in.ID) })
		})
	huma.Register(api, put("set-truce-rules", "/processes/{id}/truce-rules", "Set a process's limits on truces (mediator, operator)", "truces"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body parley.TruceRules
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.SetTruceRules{ProcessID: in.ID, TruceRules: in.Body}))
		})
	type truceDetail struct {
		Truce      parley.Truce       `json:"truce"`
		Violations []parley.Violation `json:"violations"`
	}
	huma.Register(api, get("get-truce", "/truces/{id}", "A truce with its terms (area on the map included), notifications, status and the violations reported with their answers and findings", "truces"),
		func(ctx context.Context, in *idPath) (*body[truceDetail], error) {
			return read(s, ctx, func(a parley.Actor) (truceDetail, error) {
				t, err := s.db.Truce(ctx, a, in.ID)
				if err != nil {
					return truceDetail{}, err
				}
				vs, err := s.db.Violations(ctx, a, in.ID)
				return truceDetail{Truce: t, Violations: vs}, err
			})
		})
	huma.Register(api, post("confirm-notified", "/truces/{id}/notify", "My party confirms that its chain of command was told of the truce (formal act)", "truces"),
		func(ctx context.Context, in *idPath) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.ConfirmNotified{TruceID: in.ID}))
		})
	huma.Register(api, post("end-truce", "/truces/{id}/end", "End a truce early, with the reason (a party's formal act, or the mediator's)", "truces"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Reason string `json:"reason" maxLength:"20000"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.EndTruce{TruceID: in.ID, Reason: in.Body.Reason}))
		})
	huma.Register(api, post("report-violation", "/truces/{id}/violations", "Report a violation: when, where (a point [longitude, latitude] within 10 km of the truce's area) and what. Files are attached through the web form.", "truces"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				At          time.Time    `json:"at"`
				Where       parley.Point `json:"where" doc:"[longitude, latitude]"`
				Description string       `json:"description" maxLength:"20000"`
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.ReportViolation{TruceID: in.ID, At: in.Body.At, Where: in.Body.Where, Description: in.Body.Description})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.ViolationReported).ViolationID, Seq: last(evs)}}, nil
		})
	huma.Register(api, post("answer-violation", "/violations/{id}/answer", "The other side answers a report: acknowledged, disputed (with reasons) or verification", "truces"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Answer string `json:"answer" enum:"acknowledged,disputed,verification"`
				Text   string `json:"text,omitempty" maxLength:"20000"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.AnswerViolation{ViolationID: in.ID, Answer: in.Body.Answer, Text: in.Body.Text}))
		})
	huma.Register(api, post("record-finding", "/violations/{id}/finding", "The mediator or an observer records a finding: confirmed, not_confirmed or inconclusive", "truces"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Finding string `json:"finding" enum:"confirmed,not_confirmed,inconclusive"`
				Text    string `json:"text" maxLength:"20000"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.RecordFinding{ViolationID: in.ID, Finding: in.Body.Finding, Text: in.Body.Text}))
		})

	huma.Register(api, get("list-exchanges", "/groups/{id}/exchanges", "Exchange agreements of a working group whose space I may read, oldest first, with their terms and planned stages", "exchanges"),
		func(ctx context.Context, in *idPath) (*body[[]parley.Exchange], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Exchange, error) {
				g, err := s.db.Group(ctx, a, in.ID)
				if err != nil {
					return nil, err
				}
				if _, err := s.db.Space(ctx, a, g.SpaceID); err != nil {
					return nil, parley.Errorf(parley.ENOTFOUND, "No such working group.")
				}
				return s.db.Exchanges(ctx, a, in.ID)
			})
		})
	huma.Register(api, post("create-exchange", "/groups/{id}/exchanges", "Record an exchange agreement between two negotiating parties: a total per side or all for all, categories, the number of stages (mediator)", "exchanges"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Parties []string `json:"parties" minItems:"2" maxItems:"2" doc:"The two parties to the exchange."`
				parley.ExchangeTerms
			}
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.CreateExchange{GroupID: in.ID, Parties: in.Body.Parties, ExchangeTerms: in.Body.ExchangeTerms})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.ExchangeCreated).ExchangeID, Seq: last(evs)}}, nil
		})
	huma.Register(api, get("get-exchange", "/exchanges/{id}", "An exchange agreement: its parties, terms (categories with their numbers per side) and planned stages", "exchanges"),
		func(ctx context.Context, in *idPath) (*body[parley.Exchange], error) {
			return read(s, ctx, func(a parley.Actor) (parley.Exchange, error) { return s.db.Exchange(ctx, a, in.ID) })
		})
	huma.Register(api, put("edit-exchange-terms", "/exchanges/{id}/terms", "Change an exchange's terms while no stage is finalised; the planned stages must still fit them (mediator)", "exchanges"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body parley.ExchangeTerms
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.EditExchangeTerms{ExchangeID: in.ID, ExchangeTerms: in.Body}))
		})
	huma.Register(api, post("plan-stage", "/exchanges/{id}/stages", "Plan the next stage: its date (YYYY-MM-DD) and the number of each category it carries, per side (mediator)", "exchanges"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Date   string              `json:"date" maxLength:"10"`
				Counts []parley.StageCount `json:"counts" maxItems:"50"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.PlanStage{ExchangeID: in.ID, Date: in.Body.Date, Counts: in.Body.Counts}))
		})
	huma.Register(api, put("edit-stage", "/exchanges/{id}/stages/{number}", "Change a planned stage's date and numbers while it is not finalised (mediator)", "exchanges"),
		func(ctx context.Context, in *struct {
			ID     string `path:"id" maxLength:"64"`
			Number int    `path:"number" minimum:"1" maximum:"100"`
			Body   struct {
				Date   string              `json:"date" maxLength:"10"`
				Counts []parley.StageCount `json:"counts" maxItems:"50"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.EditStage{ExchangeID: in.ID, Number: in.Number, Date: in.Body.Date, Counts: in.Body.Counts}))
		})

	// The lists of an exchange. Every answer that holds personal data is
	// recorded in the access log before it is given, as on the pages.
	huma.Register(api, get("get-list", "/exchanges/{id}/lists/{party}/{list}", "A side's list of people asked back or held, in the order imported; the view is recorded in the access log first", "exchanges"),
		func(ctx context.Context, in *listPath) (*personal[[]parley.ListedPerson], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			_, ps, err := s.readList(ctx, a, in.ID, in.Party, in.List, parley.AccessView, "")
			if err != nil {
				return nil, s.apiFail(ctx, err)
			}
			return &personal[[]parley.ListedPerson]{CacheControl: "no-store", Body: ps}, nil
		})
	// A file is no JSON: the export answers with the file's own bytes and
	// content type, as the page does, so that a client saves it as it
	// comes (curl -o) instead of decoding base64 out of a JSON string.
	exportOp := get("export-list", "/exchanges/{id}/lists/{party}/{list}/export", "A side's list as a file: CSV, XLSX or CSV with HXL hashtags; the export is recorded in the access log first", "exchanges")
	exportOp.Responses = map[string]*huma.Response{"200": {Description: "The list as a file, named in Content-Disposition.", Content: map[string]*huma.MediaType{
		"text/csv": {Schema: &huma.Schema{Type: huma.TypeString}},
		xlsxType:   {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}},
	}}}
	huma.Register(api, exportOp,
		func(ctx context.Context, in *exportPath) (*listFileOutput, error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			x, ps, err := s.readList(ctx, a, in.ID, in.Party, in.List, parley.AccessExport, in.Format)
			if err != nil {
				return nil, s.apiFail(ctx, err)
			}
			f, err := writeListFile(x, in.Party, in.List, ps, in.Format)
			if err != nil {
				return nil, s.apiFail(ctx, err)
			}
			return &listFileOutput{ContentType: f.ContentType, ContentDisposition: f.Disposition(), CacheControl: "no-store", Body: f.Content}, nil
		})
	importOp := post("import-list", "/exchanges/{id}/imports", "Check a list file (mode check: the report, nothing written), or import it: whole (mode all, refused with the report if a row is bad) or only its valid rows (mode valid); my side's delegation", "exchanges")
	importOp.MaxBodyBytes = maxListFileBase64 + MaxBody
	importOp.BodyReadTimeout = DefaultTimeouts().Read // a large file takes longer than huma's default
	importOp.Responses = map[string]*huma.Response{"200": {Description: "Mode check: the report; nothing was written.", Content: map[string]*huma.MediaType{
		"application/json": {Schema: api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[ListImportReport](), true, "ListImportReport")},
	}}}
	huma.Register(api, importOp,
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				List          parley.ListKind `json:"list" enum:"asked,held" doc:"My side's list: the people it asks back, or those it holds and offers."`
				Mode          string          `json:"mode" enum:"check,all,valid" doc:"check: report only; all: import only if every row is valid; valid: import the valid rows and leave the others out."`
				FileName      string          `json:"file_name" maxLength:"200" doc:"The file's name; its extension, .csv or .xlsx, says its format."`
				ContentBase64 string          `json:"content_base64" maxLength:"27962028" doc:"The file in base64 (standard alphabet, padded), at most 20 MiB decoded."`
			}
		}) (*importOutput, error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			// Who may not import learns so before anything is read.
			if err := s.mayImport(ctx, a, in.ID); err != nil {
				return nil, s.apiFail(ctx, err)
			}
			raw, err := base64.StdEncoding.DecodeString(in.Body.ContentBase64)
			if err != nil {
				return nil, s.apiFail(ctx, fieldInvalid("content_base64", "is not base64"))
			}
			rep, d, err := checkListFile(in.Body.List, in.Body.FileName, raw)
			if err != nil {
				return nil, s.apiFail(ctx, err)
			}
			out := apiReport(rep, d)
			if in.Body.Mode == "check" {
				return &importOutput{Status: http.StatusOK, Body: out}, nil
			}
			evs, err := s.svc.Do(ctx, a, d.command(in.ID, parley.ImportMode(in.Body.Mode)))
			if err != nil {
				return nil, s.importRefused(ctx, err, out)
			}
			out.Seq = evs[0].Seq
			return &importOutput{Status: http.StatusCreated, Body: out}, nil
		})
	huma.Register(api, post("reconcile-lists", "/exchanges/{id}/reconcile", "Run the reconciliation engine over one side's asked list and the other side's held list; pairs already answered stay (a side's delegation, the mediator)", "exchanges"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				AskingParty string `json:"asking_party" maxLength:"64" doc:"The side whose asked list is matched against the other side's held list."`
			}
		}) (*body[Reconciled], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			evs, err := s.svc.Reconcile(ctx, a, in.ID, in.Body.AskingParty)
			if err != nil {
				return nil, s.apiFail(ctx, err)
			}
			return &body[Reconciled]{Body: reconciled(evs)}, nil
		})
	huma.Register(api, get("list-pairs", "/exchanges/{id}/pairs/{party}", "The pairs between a side's asked list and the other side's held list, best first, with the engine's reasons, the sides' answers and both people; and the asked people with no candidate. The views of both lists are recorded in the access log first", "exchanges"),
		func(ctx context.Context, in *struct {
			ID    string `path:"id" maxLength:"64"`
			Party string `path:"party" maxLength:"64" doc:"The asking side."`
		}) (*personal[PairsReview], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			pr, err := s.readPairs(ctx, a, in.ID, in.Party)
			if err != nil {
				return nil, s.apiFail(ctx, err)
			}
			return &personal[PairsReview]{CacheControl: "no-store", Body: pairsReview(in.Party, pr)}, nil
		})
	huma.Register(api, post("answer-pair", "/pairs/{id}/answer", "My side confirms a pair as one person, or rejects it with the reason (a side's delegation)", "exchanges"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Confirmed bool   `json:"confirmed" doc:"true: the two are one person; false: they are not (say why)."`
				Reason    string `json:"reason,omitempty" maxLength:"1000" doc:"Required to reject."`
			}
		}) (*body[Done], error) {
			a, err := s.apiActor(ctx)
			if err != nil {
				return nil, err
			}
			// Who may not read the pair learns nothing of the input's faults.
			if _, err := s.db.Pair(ctx, a, in.ID); err != nil {
				return nil, s.apiFail(ctx, err)
			}
			evs, err := s.svc.Do(ctx, a, parley.AnswerPair{PairID: in.ID, Confirmed: in.Body.Confirmed, Reason: in.Body.Reason})
			if err != nil {
				return nil, s.apiFail(ctx, err)
			}
			return &body[Done]{Body: Done{Seq: last(evs)}}, nil
		})
	huma.Register(api, get("access-log", "/processes/{id}/access-log", "Who viewed, exported or imported personal data of the process's exchange lists, newest first (the operator and the heads of delegation)", "exchanges"),
		func(ctx context.Context, in *struct {
			ID    string `path:"id" maxLength:"64"`
			Limit int    `query:"limit" minimum:"1" maximum:"1000" default:"1000" doc:"How many of the newest lines."`
		}) (*body[[]AccessLogLine], error) {
			return read(s, ctx, func(a parley.Actor) ([]AccessLogLine, error) {
				lines, err := s.db.AccessLog(ctx, a, in.ID, in.Limit)
				return apiAccessLog(lines), err
			})
		})

	s.remainsAPI(api)

	huma.Register(api, get("list-statements", "/processes/{id}/statements", "Statements of a process drafted where I may read, newest first, with their approvals", "statements"),
		func(ctx context.Context, in *idPath) (*body[[]parley.Statement], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Statement, error) {
				if _, err := s.db.Process(ctx, a, in.ID); err != nil {
					return nil, err
				}
				return s.db.Statements(ctx, a, in.ID)
			})
		})
	huma.Register(api, post("draft-statement", "/spaces/{id}/statements", "Draft a statement: joint in a working group's space or the heads' channel, my party's own in its caucus", "statements"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body parley.StatementInput
		}) (*body[Created], error) {
			evs, err := s.apiDo(ctx, parley.DraftStatement{SpaceID: in.ID, StatementInput: in.Body})
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.StatementDrafted).StatementID, Seq: last(evs)}}, nil
		})
	huma.Register(api, get("get-statement", "/statements/{id}", "A statement with its approvals; hash is what an approval binds", "statements"),
		func(ctx context.Context, in *idPath) (*body[parley.Statement], error) {
			return read(s, ctx, func(a parley.Actor) (parley.Statement, error) { return s.db.Statement(ctx, a, in.ID) })
		})
	huma.Register(api, put("edit-statement", "/statements/{id}", "Change a statement not yet published; version is the one you read. Every approval given is void.", "statements"),
		func(ctx context.Context, in *struct {
			ID      string `path:"id" maxLength:"64"`
			Version int    `query:"version" minimum:"1" required:"true"`
			Body    parley.StatementInput
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.EditStatement{StatementID: in.ID, Version: in.Version, StatementInput: in.Body}))
		})
	huma.Register(api, post("approve-statement", "/statements/{id}/approve", "My party's head approves the statement whose hash was read (formal act); 409 if it changed since", "statements"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Hash string `json:"hash" minLength:"64" maxLength:"64"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.ApproveStatement{StatementID: in.ID, Hash: in.Body.Hash}))
		})

	huma.Register(api, put("set-statement-rules", "/processes/{id}/statement-rules", "Whether joint statements of the process need the mediator's approval (mediator, operator)", "statements"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				NeedsMediator bool `json:"needs_mediator"`
			}
		}) (*body[Done], error) {
			return done(s.apiDo(ctx, parley.SetStatementRules{ProcessID: in.ID, NeedsMediator: in.Body.NeedsMediator}))
		})
}
