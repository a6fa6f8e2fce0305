// Package client is a Go client of Parley's JSON API (/api/v1) and of its
// live event stream (GET /events).
//
// A client acts either with an API token, which stands for one member in
// one process:
//
//	c := client.New("https://parley.example.org", client.WithToken("pt_…"))
//	ps, err := c.Processes(ctx)
//
// or with the session of a signed-in account, as the web application does:
//
//	c := client.New("https://parley.example.org")
//	err := c.Login(ctx, "head.ua", password)
//	tok, err := c.CreateToken(ctx, "minutes robot", processID)
//
// Commands take the command types of package parley, reads return its
// types. Every error the server reports is an *Error, with the server's
// stable code; use errors.As to inspect it.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// Client talks to one Parley server. Its methods may be called
// concurrently, except Login, which should be called before the client is
// shared.
type Client struct {
	base  string // scheme://host[/prefix], without a trailing slash
	hc    *http.Client
	token string
}

// An Option configures a Client.
type Option func(*Client)

// WithToken makes the client authenticate every request with the API token
// secret (pt_…), sent as Authorization: Bearer.
func WithToken(secret string) Option {
	return func(c *Client) { c.token = secret }
}

// WithHTTPClient makes the client send its requests through hc. A client
// that streams events needs an hc without a Timeout, which would cut the
// stream; use a context instead. Login adds a cookie jar to a copy of hc
// when hc has none.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.hc = hc }
}

// New returns a client of the server at baseURL, e.g.
// "https://parley.example.org".
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: strings.TrimSuffix(baseURL, "/")}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		jar, _ := cookiejar.New(nil) // never fails without options
		c.hc = &http.Client{Jar: jar}
	}
	return c
}

// Error is an error reported by the server: its HTTP status, the stable
// code (one of parley.EINVALID, EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND,
// ECONFLICT, EINTERNAL), a sentence for a person, and for invalid input the
// offending fields.
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	pe := parley.Error{Code: e.Code, Message: e.Message, Fields: e.Fields}
	return fmt.Sprintf("parley: %d %s: %s", e.Status, e.Code, pe.Error())
}

// ErrSecondFactor is returned by Login for an account that must give the
// code of its second factor; call SecondFactor next.
var ErrSecondFactor = errors.New("parley: the account needs its second factor")

// codeOf is the code of an error response that carries none of its own.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return parley.EINVALID
	case http.StatusUnauthorized:
		return parley.EUNAUTHORIZED
	case http.StatusForbidden:
		return parley.EFORBIDDEN
	case http.StatusNotFound:
		return parley.ENOTFOUND
	case http.StatusConflict:
		return parley.ECONFLICT
	}
	return parley.EINTERNAL
}

// responseError reads the error of a failed response.
func responseError(res *http.Response) error {
	e := &Error{Status: res.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	var body struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	}
	if strings.Contains(res.Header.Get("Content-Type"), "json") && json.Unmarshal(b, &body) == nil && body.Code != "" {
		e.Code, e.Message, e.Fields = body.Code, body.Message, body.Fields
		return e
	}
	e.Code, e.Message = codeOf(res.StatusCode), http.StatusText(res.StatusCode)
	return e
}

// request sends a request to path, which may hold a query, with in as
// its JSON body unless nil.
func (c *Client) request(ctx context.Context, method, path string, in any, header http.Header) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("parley: encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, fmt.Errorf("parley: %w", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.hc.Do(req)
}

// call sends a JSON request and decodes a JSON answer into out, unless out
// is nil.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	res, err := c.request(ctx, method, path, in, nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return responseError(res)
	}
	if out == nil {
		io.Copy(io.Discard, res.Body)
		return nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("parley: decode %s %s: %w", method, path, err)
	}
	return nil
}

func get[T any](c *Client, ctx context.Context, path string) (T, error) {
	var v T
	err := c.call(ctx, http.MethodGet, path, nil, &v)
	return v, err
}

func send[T any](c *Client, ctx context.Context, method, path string, in any) (T, error) {
	var v T
	err := c.call(ctx, method, path, in, &v)
	return v, err
}

// p joins path segments, escaping each identifier.
func p(format string, ids ...string) string {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = url.PathEscape(id)
	}
	return "/api/v1" + fmt.Sprintf(format, args...)
}

// Login signs in with a user name and password, keeping the session in the
// client's cookie jar; later calls act as that account. It returns
// ErrSecondFactor when the account must also give a code (see
// SecondFactor), and an *Error with code unauthorized when the server
// refuses the credentials.
func (c *Client) Login(ctx context.Context, username, password string) error {
	if c.hc.Jar == nil {
		hc := *c.hc
		hc.Jar, _ = cookiejar.New(nil)
		c.hc = &hc
	}
	form := url.Values{"username": {username}, "password": {password}, "next": {"/"}}
	loc, err := c.postForm(ctx, "/login", form)
	if err != nil {
		return err
	}
	if strings.HasPrefix(loc, "/login/second-factor") {
		return ErrSecondFactor
	}
	return nil
}

// SecondFactor completes a Login that returned ErrSecondFactor with the
// current code of the account's authenticator.
func (c *Client) SecondFactor(ctx context.Context, code string) error {
	loc, err := c.postForm(ctx, "/login/second-factor", url.Values{"code": {code}})
	if err == nil && strings.HasPrefix(loc, "/login") {
		err = &Error{Status: http.StatusUnauthorized, Code: parley.EUNAUTHORIZED, Message: "No sign-in awaits a second factor."}
	}
	return err
}

// Logout ends the client's session.
func (c *Client) Logout(ctx context.Context) error {
	_, err := c.postForm(ctx, "/logout", url.Values{})
	return err
}

// postForm posts a form of the web application without following its
// redirect, and returns where it redirects to. Go's HTTP client sends no
// Origin or Sec-Fetch-Site header, which the server's cross-origin
// protection accepts as a request that did not come from a browser.
func (c *Client) postForm(ctx context.Context, path string, form url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("parley: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hc := *c.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	switch {
	case res.StatusCode == http.StatusSeeOther || res.StatusCode == http.StatusFound:
		return res.Header.Get("Location"), nil
	case res.StatusCode == http.StatusUnauthorized:
		return "", &Error{Status: res.StatusCode, Code: parley.EUNAUTHORIZED, Message: "The user name, password or code is not correct."}
	case res.StatusCode == http.StatusTooManyRequests:
		return "", &Error{Status: res.StatusCode, Code: parley.EUNAUTHORIZED, Message: "Too many attempts, or the account is locked for a while; try again later."}
	}
	return "", &Error{Status: res.StatusCode, Code: codeOf(res.StatusCode), Message: http.StatusText(res.StatusCode)}
}

// Created answers a command that made something.
type Created struct {
	ID  string `json:"id"`  // the new object's identifier
	Seq int64  `json:"seq"` // the record entry of the command's last event
}

// Done answers a command that changed something.
type Done struct {
	Seq int64 `json:"seq"` // the record entry of the command's last event
}

// Me is the caller: its account and its memberships (with an API token,
// only the token's).
type Me struct {
	Account parley.Account      `json:"account"`
	Members []parley.Membership `json:"members"`
}

// ProcessDetail is a process with its parties, rounds, groups and members.
type ProcessDetail struct {
	Process parley.Process        `json:"process"`
	Parties []parley.Party        `json:"parties"`
	Rounds  []parley.Round        `json:"rounds"`
	Groups  []parley.WorkingGroup `json:"groups"`
	Members []parley.Member       `json:"members"`
}

// Space is a space the caller may read, with its count of unread messages.
type Space struct {
	parley.Space
	Unread int `json:"unread"`
}

// NewAccount is what the operator gives to create an account.
type NewAccount struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Password    string `json:"password"`
	Locale      string `json:"locale,omitempty"`   // en, uk, ru or tr
	TimeZone    string `json:"timezone,omitempty"` // IANA name, e.g. Europe/Kyiv
	Operator    bool   `json:"operator,omitempty"`
}

// Token describes an API token. Secret is set only in the answer of
// CreateToken: the server keeps a hash and never shows the secret again.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	ProcessID string    `json:"process_id"`
	CreatedAt time.Time `json:"created_at"`
	Secret    string    `json:"secret,omitempty"`
}

// Me returns the caller's account and memberships.
func (c *Client) Me(ctx context.Context) (Me, error) { return get[Me](c, ctx, p("/me")) }

// Accounts lists the server's accounts. Only an operator may.
func (c *Client) Accounts(ctx context.Context) ([]parley.Account, error) {
	return get[[]parley.Account](c, ctx, p("/accounts"))
}

// CreateAccount creates an account. Only an operator may.
func (c *Client) CreateAccount(ctx context.Context, a NewAccount) (Created, error) {
	return send[Created](c, ctx, http.MethodPost, p("/accounts"), a)
}

// Tokens lists the signed-in account's API tokens, without their secrets.
// It needs a session (Login); an API token cannot manage tokens.
func (c *Client) Tokens(ctx context.Context) ([]Token, error) {
	return get[[]Token](c, ctx, p("/tokens"))
}

// CreateToken makes an API token named name that acts as the signed-in
// account's member in process. The returned Token holds the secret, which
// is shown only this once. It needs a session (Login).
func (c *Client) CreateToken(ctx context.Context, name, process string) (Token, error) {
	return send[Token](c, ctx, http.MethodPost, p("/tokens"), map[string]string{"name": name, "process_id": process})
}

// RevokeToken revokes one of the signed-in account's API tokens. It needs a
// session (Login).
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodDelete, p("/tokens/%s", id), nil, nil)
}

// Processes lists the processes the caller may see.
func (c *Client) Processes(ctx context.Context) ([]parley.Process, error) {
	return get[[]parley.Process](c, ctx, p("/processes"))
}

// Process returns a process with its parties, rounds, groups and members.
func (c *Client) Process(ctx context.Context, id string) (ProcessDetail, error) {
	return get[ProcessDetail](c, ctx, p("/processes/%s", id))
}

// CreateProcess opens a process. Only an operator may.
func (c *Client) CreateProcess(ctx context.Context, cmd parley.CreateProcess) (Created, error) {
	if cmd.Languages == nil {
		cmd.Languages = []parley.Lang{}
	}
	return send[Created](c, ctx, http.MethodPost, p("/processes"), cmd)
}

// EditProcess edits process cmd.ProcessID; cmd.Version is the version the
// caller read, and a conflict is reported when it changed since.
func (c *Client) EditProcess(ctx context.Context, cmd parley.EditProcess) (Done, error) {
	in := struct {
		Title       string        `json:"title"`
		Description string        `json:"description"`
		Languages   []parley.Lang `json:"languages"`
		Version     int           `json:"version"`
	}{cmd.Title, cmd.Description, cmd.Languages, cmd.Version}
	if in.Languages == nil {
		in.Languages = []parley.Lang{}
	}
	return send[Done](c, ctx, http.MethodPut, p("/processes/%s", cmd.ProcessID), in)
}

type namesBody struct {
	Names parley.Names `json:"names"`
}

func names(n parley.Names) parley.Names {
	if n == nil {
		return parley.Names{}
	}
	return n
}

// AddParty adds a party, the mediator or an observer organisation to
// process cmd.ProcessID.
func (c *Client) AddParty(ctx context.Context, cmd parley.AddParty) (Created, error) {
	in := struct {
		Kind  parley.PartyKind `json:"kind"`
		Names parley.Names     `json:"names"`
	}{cmd.Kind, names(cmd.Names)}
	return send[Created](c, ctx, http.MethodPost, p("/processes/%s/parties", cmd.ProcessID), in)
}

// RenameParty renames party cmd.PartyID.
func (c *Client) RenameParty(ctx context.Context, cmd parley.RenameParty) (Done, error) {
	return send[Done](c, ctx, http.MethodPut, p("/parties/%s", cmd.PartyID), namesBody{names(cmd.Names)})
}

// AddMember makes account cmd.AccountID a member of party cmd.PartyID in
// process cmd.ProcessID.
func (c *Client) AddMember(ctx context.Context, cmd parley.AddMember) (Created, error) {
	in := struct {
		AccountID string      `json:"account_id"`
		PartyID   string      `json:"party_id"`
		Role      parley.Role `json:"role"`
	}{cmd.AccountID, cmd.PartyID, cmd.Role}
	return send[Created](c, ctx, http.MethodPost, p("/processes/%s/members", cmd.ProcessID), in)
}

// ChangeRole gives member cmd.MemberID another role in their party.
func (c *Client) ChangeRole(ctx context.Context, cmd parley.ChangeRole) (Done, error) {
	in := struct {
		Role parley.Role `json:"role"`
	}{cmd.Role}
	return send[Done](c, ctx, http.MethodPut, p("/members/%s/role", cmd.MemberID), in)
}

type roundBody struct {
	Title    string `json:"title"`
	Location string `json:"location,omitempty"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on,omitempty"`
}

// ScheduleRound schedules an in-person round of process cmd.ProcessID.
func (c *Client) ScheduleRound(ctx context.Context, cmd parley.ScheduleRound) (Created, error) {
	return send[Created](c, ctx, http.MethodPost, p("/processes/%s/rounds", cmd.ProcessID),
		roundBody{cmd.Title, cmd.Location, cmd.StartsOn, cmd.EndsOn})
}

// EditRound edits round cmd.RoundID.
func (c *Client) EditRound(ctx context.Context, cmd parley.EditRound) (Done, error) {
	return send[Done](c, ctx, http.MethodPut, p("/rounds/%s", cmd.RoundID),
		roundBody{cmd.Title, cmd.Location, cmd.StartsOn, cmd.EndsOn})
}

// CreateGroup opens a working group of process cmd.ProcessID.
func (c *Client) CreateGroup(ctx context.Context, cmd parley.CreateGroup) (Created, error) {
	in := struct {
		Kind  parley.GroupKind `json:"kind"`
		Names parley.Names     `json:"names"`
	}{cmd.Kind, names(cmd.Names)}
	return send[Created](c, ctx, http.MethodPost, p("/processes/%s/groups", cmd.ProcessID), in)
}

// RenameGroup renames working group cmd.GroupID.
func (c *Client) RenameGroup(ctx context.Context, cmd parley.RenameGroup) (Done, error) {
	return send[Done](c, ctx, http.MethodPut, p("/groups/%s", cmd.GroupID), namesBody{names(cmd.Names)})
}

// JoinGroup puts member cmd.MemberID into working group cmd.GroupID.
func (c *Client) JoinGroup(ctx context.Context, cmd parley.JoinGroup) (Done, error) {
	in := struct {
		MemberID string `json:"member_id"`
	}{cmd.MemberID}
	return send[Done](c, ctx, http.MethodPost, p("/groups/%s/members", cmd.GroupID), in)
}

// LeaveGroup takes member cmd.MemberID out of working group cmd.GroupID.
func (c *Client) LeaveGroup(ctx context.Context, cmd parley.LeaveGroup) (Done, error) {
	return send[Done](c, ctx, http.MethodDelete, p("/groups/%s/members/%s", cmd.GroupID, cmd.MemberID), nil)
}

// Spaces lists the spaces of process the caller may read.
func (c *Client) Spaces(ctx context.Context, process string) ([]Space, error) {
	return get[[]Space](c, ctx, p("/processes/%s/spaces", process))
}

// Threads lists the threads of space.
func (c *Client) Threads(ctx context.Context, space string) ([]parley.Thread, error) {
	return get[[]parley.Thread](c, ctx, p("/spaces/%s/threads", space))
}

// StartThread starts a thread in space cmd.SpaceID with its first message.
func (c *Client) StartThread(ctx context.Context, cmd parley.StartThread) (Created, error) {
	in := struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}{cmd.Title, cmd.Body}
	return send[Created](c, ctx, http.MethodPost, p("/spaces/%s/threads", cmd.SpaceID), in)
}

// Messages lists the messages of thread.
func (c *Client) Messages(ctx context.Context, thread string) ([]parley.Message, error) {
	return get[[]parley.Message](c, ctx, p("/threads/%s/messages", thread))
}

// PostMessage posts a message to thread cmd.ThreadID.
func (c *Client) PostMessage(ctx context.Context, cmd parley.PostMessage) (Created, error) {
	in := struct {
		Body string `json:"body"`
	}{cmd.Body}
	return send[Created](c, ctx, http.MethodPost, p("/threads/%s/messages", cmd.ThreadID), in)
}

// EditMessage edits the caller's message cmd.MessageID; cmd.Version is the
// version the caller read, and a conflict is reported when it changed.
func (c *Client) EditMessage(ctx context.Context, cmd parley.EditMessage) (Done, error) {
	in := struct {
		Body    string `json:"body"`
		Version int    `json:"version"`
	}{cmd.Body, cmd.Version}
	return send[Done](c, ctx, http.MethodPut, p("/messages/%s", cmd.MessageID), in)
}

// Revisions lists the earlier texts of an edited message.
func (c *Client) Revisions(ctx context.Context, message string) ([]parley.MessageRevision, error) {
	return get[[]parley.MessageRevision](c, ctx, p("/messages/%s/revisions", message))
}

// MarkRead marks thread read up to record entry seq.
func (c *Client) MarkRead(ctx context.Context, thread string, seq int64) error {
	in := struct {
		Seq int64 `json:"seq"`
	}{seq}
	return c.call(ctx, http.MethodPost, p("/threads/%s/read", thread), in, nil)
}

// Events returns up to limit record events the caller may see, after
// record entry after; a limit of 0 asks for the server's default.
func (c *Client) Events(ctx context.Context, after int64, limit int) ([]Event, error) {
	q := url.Values{"after": {fmt.Sprint(after)}}
	if limit > 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	return get[[]Event](c, ctx, p("/events")+"?"+q.Encode())
}
