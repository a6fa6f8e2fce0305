package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/files"
	"github.com/parley-talks/parley/internal/record"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
	"github.com/parley-talks/parley/internal/web"
	"golang.org/x/mod/sumdb/note"
)

// The authorization suite calls every route of the server — the pages of
// routes.go and the operations of apiRoutes, as the server registers them —
// as every role, on objects of every space of the demo negotiation, and
// compares what it gets with authzTable, the policy of policy.go written
// out route by route. A route without an entry fails the suite, naming it:
// a new route must say who may use it.
//
// Every answer is also searched for the canaries planted in each space (a
// thread, a message, a draft proposal): a role that may not read a space
// must find none of its canaries anywhere, in pages, JSON, exports,
// feeds, the record or the live stream.
//
// Writes are made only as roles the policy refuses: each must be refused
// and leave the record as it was. What the policy allows is left to the
// handlers' own tests, so that the demo stays the same for every request.

// outcome is what a request comes to, as the policy sees it.
type outcome int

const (
	ok        outcome = iota // served, or refused for reasons other than who asks (bad input, state)
	signIn                   // sign in first: 401, or a page's redirect to /login
	forbidden                // 403: the reader may see the object but not do this
	hidden                   // 404: the object's existence is not disclosed
)

func (o outcome) String() string { return [...]string{"ok", "login", "forbidden", "hidden"}[o] }

// role is one person the suite acts as.
type role struct {
	name  string
	actor parley.Actor
	c     *http.Client
}

func (r *role) anonymous() bool { return r.actor.Anonymous() }

// target is an object a route is called on: its identifier, the space it
// lives in (zero for the objects of a process's structure or of the
// server), and the values of the route's other parameters that go with it.
type target struct {
	id      string
	space   parley.Space
	where   string // the space's name in the suite: party:ua, heads, group:military…
	process string
	with    map[string]string
	viewAs  *role // whose view the answer is, when not the caller's (a calendar feed)
	author  string
}

// group is the working group the target belongs to: its space's, or, for
// a draft proposal in a caucus, the group it is for.
func (t target) group() string {
	if g := t.with["group"]; g != "" {
		return g
	}
	return t.space.GroupID
}

// access says what the policy expects of a role on a target.
type access func(a parley.Actor, t target) outcome

// rule is the expected policy of a route, for the targets of one kind.
type rule struct {
	kind  string            // what fills the route's main parameter; "" for none
	acc   access            // what the policy expects
	with  map[string]string // fixed values of other parameters (e.g. act) and of the query
	query string            // query string, with {id} for the target's identifier
	form  url.Values        // form fields over the common ones
	// noBrowser: the route answers 503 where it may serve, as the tests
	// have no browser to print with.
	noBrowser bool
	needs     string // a value the target must have, or it is not one
}

// Accesses, from policy.go.
var (
	anyone access = func(parley.Actor, target) outcome { return ok }
	never  access = func(parley.Actor, target) outcome { return hidden }
	// pending: the second factor's page is for those who gave their
	// password and not yet their code, none of the suite's roles.
	pending  access = func(parley.Actor, target) outcome { return signIn }
	signedIn access = func(a parley.Actor, _ target) outcome { return signed(a, ok) }
	operator access = func(a parley.Actor, _ target) outcome {
		if a.Operator {
			return signed(a, ok)
		}
		return signed(a, forbidden)
	}
)

func signed(a parley.Actor, o outcome) outcome {
	if a.Anonymous() {
		return signIn
	}
	return o
}

// inProcess is parley.AllowedProcess for act on the target's process;
// those who may not see the process do not learn of it.
func inProcess(act parley.ProcessAction, party string) access {
	return func(a parley.Actor, t target) outcome {
		switch {
		case a.Anonymous():
			return signIn
		case !parley.AllowedProcess(a, parley.ViewProcess, t.process, ""):
			return hidden
		case !parley.AllowedProcess(a, act, t.process, t.with[party]):
			return forbidden
		}
		return ok
	}
}

// inSpace is parley.Allowed for act on the target's space, or, if may is
// given, may among the readers.
func inSpace(act parley.Action, may ...func(parley.Actor, target) bool) access {
	return func(a parley.Actor, t target) outcome {
		switch {
		case a.Anonymous():
			return signIn
		case !parley.Allowed(a, parley.ActRead, t.space):
			return hidden
		case len(may) > 0 && !may[0](a, t), len(may) == 0 && !parley.Allowed(a, act, t.space):
			return forbidden
		}
		return ok
	}
}

// ofGroup is may on a working group, whose existence is part of the
// structure of its process, seen by all its members and the operator.
func ofGroup(may func(parley.Actor, target) bool) access {
	return func(a parley.Actor, t target) outcome {
		switch {
		case a.Anonymous():
			return signIn
		case !parley.AllowedProcess(a, parley.ViewProcess, t.process, ""):
			return hidden
		case !may(a, t):
			return forbidden
		}
		return ok
	}
}

var (
	reads  = inSpace(parley.ActRead)
	posts  = inSpace(parley.ActPost)
	drafts = inSpace(parley.ActDraft)
	// formal acts: heads, and the delegates their head authorised in a
	// working group.
	formal = inSpace(parley.ActFormal, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return parley.Allowed(a, parley.ActFormal, t.space) || slices.Contains(m.Authorised, t.group())
	})
	// mediates: the mediator where it may write.
	mediates = inSpace(parley.ActDraft, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return m.Role == parley.RoleMediator && parley.Allowed(a, parley.ActDraft, t.space)
	})
	// formalOrMediator: a party's formal act, or the mediator's.
	formalOrMediator = inSpace(parley.ActFormal, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return m.Role == parley.RoleMediator || parley.Allowed(a, parley.ActFormal, t.space) || slices.Contains(m.Authorised, t.group())
	})
	// finds: the mediator or an observer records a finding.
	finds = inSpace(parley.ActRead, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return m.Role == parley.RoleMediator || m.Role == parley.RoleObserver
	})
	// approves: a statement is approved by heads, and by the mediator.
	approves = inSpace(parley.ActFormal, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return m.Role == parley.RoleHead || m.Role == parley.RoleMediator
	})
	// authors: one's own message.
	authors = inSpace(parley.ActPost, func(a parley.Actor, t target) bool {
		return parley.Allowed(a, parley.ActPost, t.space) && a.AccountID == t.author
	})
	// headOf: the head of the member's party (authorisations).
	headOf = ofGroup(func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return m.Role == parley.RoleHead && m.PartyID == t.with["member_party"]
	})
	// listSide: a side's delegation in an exchange's working group: the
	// demo's exchanges are between its two negotiating parties.
	listSide = inSpace(parley.ActDraft, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return (m.Role == parley.RoleHead || m.Role == parley.RoleDelegate) && parley.Allowed(a, parley.ActDraft, t.space)
	})
	// notifies: a side's head or delegate who may write in the working
	// group sends a notification.
	notifies = inSpace(parley.ActPost, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return (m.Role == parley.RoleHead || m.Role == parley.RoleDelegate) && parley.Allowed(a, parley.ActPost, t.space)
	})
	// notifiedSide and notifyingSide: the side a notification went to
	// acknowledges and questions it; the side that sent it answers and
	// cancels.
	notifiedSide  = noticeSide("to_party")
	notifyingSide = noticeSide("from_party")
	// reconciles: a side's delegation, or the mediator.
	reconciles = inSpace(parley.ActDraft, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return (m.Role == parley.RoleHead || m.Role == parley.RoleDelegate || m.Role == parley.RoleMediator) && parley.Allowed(a, parley.ActDraft, t.space)
	})
	// observes: the group's observer (interviews).
	observes = inSpace(parley.ActRead, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return m.Role == parley.RoleObserver
	})
	// headsOf: the heads of delegation (exceptions to a stage's parity).
	headsOf = inSpace(parley.ActRead, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return m.Role == parley.RoleHead
	})
	// recordsRemains: a side's delegation in the group, or the mediator;
	// which side a delegation records for is checked with the input.
	recordsRemains = inSpace(parley.ActDraft, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return (m.Role == parley.RoleHead || m.Role == parley.RoleDelegate || m.Role == parley.RoleMediator) && parley.Allowed(a, parley.ActDraft, t.space)
	})
	// acknowledgesRemains: the receiving side's delegation in the group.
	acknowledgesRemains = inSpace(parley.ActDraft, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return (m.Role == parley.RoleHead || m.Role == parley.RoleDelegate) && m.PartyID == t.with["receiving"] && parley.Allowed(a, parley.ActDraft, t.space)
	})
	// readsAccessLog: the operator and the process's heads.
	readsAccessLog access = func(a parley.Actor, t target) outcome {
		switch {
		case a.Anonymous():
			return signIn
		case parley.MayReadAccessLog(a, t.process):
			return ok
		case !parley.AllowedProcess(a, parley.ViewProcess, t.process, ""):
			return hidden
		}
		return forbidden
	}
	// proposes: a member of a party who may read the working group's
	// space, where the proposal is addressed.
	// The operator, in no party, has no caucus to draft in.
	proposes access = func(a parley.Actor, t target) outcome {
		m, member := a.In(t.process)
		switch {
		case a.Anonymous():
			return signIn
		case !member:
			return hidden
		case (m.Role != parley.RoleHead && m.Role != parley.RoleDelegate) || !parley.Allowed(a, parley.ActRead, t.space):
			return forbidden
		}
		return ok
	}
)

// noticeSide is the policy of a notification's acts for the side in the
// target's parameter party.
func noticeSide(party string) access {
	return inSpace(parley.ActPost, func(a parley.Actor, t target) bool {
		m, _ := a.In(t.process)
		return m.PartyID == t.with[party] && parley.Allowed(a, parley.ActPost, t.space)
	})
}

func one(kind string, acc access) []rule { return []rule{{kind: kind, acc: acc}} }

// acts returns a rule for each act of a route's {act} parameter.
func acts(kind string, acc access, names ...string) []rule {
	var out []rule
	for _, n := range names {
		out = append(out, rule{kind: kind, acc: acc, with: map[string]string{"act": n}})
	}
	return out
}

func join(rs ...[]rule) []rule { return slices.Concat(rs...) }

// withForm gives rs the form fields f.
func withForm(f url.Values, rs []rule) []rule {
	for i := range rs {
		rs[i].form = f
	}
	return rs
}

// remainsForm is what the form of a transfer of remains sends, over the
// common fields.
var remainsForm = url.Values{"date": {"2025-07-01"}, "crossing": {"Authz crossing"}, "bodies": {"2"}, "unidentified": {"2"}}

// authzTable is the expected policy of every route.
var authzTable = map[string][]rule{
	// Operations and the public: anyone.
	"GET /static/":                {{kind: "", acc: anyone, with: map[string]string{"": "parley.css"}}},
	"GET /healthz":                one("", anyone),
	"GET /readyz":                 one("", anyone),
	"GET /metrics":                one("", anyone),
	"GET /{$}":                    one("", signedIn),
	"GET /login":                  one("", anyone),
	"POST /login":                 one("", anyone),
	"GET /login/second-factor":    one("", pending),
	"POST /login/second-factor":   one("", anyone),
	"POST /login/passkey/options": one("", anyone),
	"POST /login/passkey":         one("", anyone),
	"POST /logout":                one("", anyone),
	"POST /language":              one("", anyone),

	"GET /account":                        one("", signedIn),
	"POST /account/profile":               one("", signedIn),
	"POST /account/password":              one("", signedIn),
	"GET /account/second-factor":          one("", signedIn),
	"POST /account/second-factor":         one("", signedIn),
	"POST /account/tokens":                one("", signedIn),
	"POST /account/tokens/{token}/revoke": one("token", signedIn),
	"GET /account/passkeys":               one("", signedIn),
	"POST /account/passkeys/options":      one("", signedIn),
	"POST /account/passkeys":              one("", signedIn),
	// A passkey is removed only from one's own account: any other
	// identifier is not found.
	"POST /account/passkeys/{passkey}/remove": one("token", signedIn),

	"GET /admin":           one("", operator),
	"POST /admin/accounts": one("", operator),
	"POST /admin/accounts/{account}/password":            one("account", operator),
	"POST /admin/accounts/{account}/reset-second-factor": one("account", operator),
	"POST /admin/processes":                              one("", operator),
	"POST /admin/passkeys":                               one("", operator),

	"GET /processes":                                 one("", signedIn),
	"GET /p/{process}":                               one("process", inProcess(parley.ViewProcess, "")),
	"GET /p/{process}/members":                       one("process", inProcess(parley.ViewProcess, "")),
	"GET /p/{process}/settings":                      one("process", inProcess(parley.ViewProcess, "")),
	"POST /p/{process}/edit":                         one("process", inProcess(parley.ManageProcess, "")),
	"POST /p/{process}/parties":                      one("process", inProcess(parley.ManageProcess, "")),
	"POST /p/{process}/members":                      one("process", inProcess(parley.ManageProcess, "")),
	"POST /p/{process}/members/{member}/role":        one("process", inProcess(parley.ManageProcess, "")),
	"POST /p/{process}/rounds":                       one("process", inProcess(parley.ManageRounds, "")),
	"POST /p/{process}/groups":                       one("process", inProcess(parley.ManageGroups, "")),
	"GET /g/{group}":                                 one("group", inProcess(parley.ViewProcess, "")),
	"POST /g/{group}/members":                        one("group", inProcess(parley.AssignGroups, "member_party")),
	"POST /g/{group}/members/{member}/remove":        one("group", inProcess(parley.AssignGroups, "member_party")),
	"POST /g/{group}/authorisations":                 one("group", headOf),
	"POST /g/{group}/authorisations/{member}/revoke": one("group", headOf),

	"GET /p/{process}/proposals":         one("process", inProcess(parley.ViewProcess, "")),
	"GET /awaiting":                      one("", signedIn),
	"GET /g/{group}/propose":             one("group", inProcess(parley.ViewProcess, "")),
	"POST /g/{group}/proposals":          one("group", proposes),
	"GET /proposals/{proposal}":          one("proposal", reads),
	"GET /proposals/{proposal}/body":     one("proposal", reads),
	"GET /proposals/{proposal}/history":  one("proposal", reads),
	"GET /proposals/{proposal}/edit":     one("proposal", reads),
	"POST /proposals/{proposal}/edit":    one("proposal", drafts),
	"GET /proposals/{proposal}/counter":  one("proposal", reads),
	"POST /proposals/{proposal}/counter": one("proposal", formal),
	"GET /proposals/{proposal}/map.svg":  one("truce-proposal", reads),
	"POST /proposals/{proposal}/{act}": join(
		acts("proposal", formal, "submit", "accept", "reject", "withdraw"),
		acts("proposal", posts, "acknowledge", "ask", "comment"),
		[]rule{{kind: "proposal", acc: posts, with: map[string]string{"act": "answer"}, needs: "question"}}),

	"GET /p/{process}/memos":            one("process", inProcess(parley.ViewProcess, "")),
	"POST /p/{process}/memos":           one("space", drafts),
	"GET /memos/{memo}":                 one("memo", reads),
	"GET /memos/{memo}/body":            one("memo", reads),
	"GET /memos/{memo}/clause/{clause}": one("memo", reads),
	"GET /memos/{memo}/print":           one("memo", reads),
	"GET /memos/{memo}/print.pdf":       {{kind: "memo", acc: reads, noBrowser: true}},
	"POST /memos/{memo}/editing":        one("memo", drafts),
	"GET /memos/{memo}/presence":        one("memo", reads),
	"GET /memos/compare":                {{kind: "memo", acc: reads, query: "left={id}&right={id}"}},
	"GET /memos/{memo}/versions":        one("memo", reads),
	"POST /memos/{memo}/versions":       one("memo", drafts),
	"GET /memos/{memo}/compare":         one("memo", reads),
	"POST /memos/{memo}/{act}": join(
		acts("memo", drafts, "add", "table", "text", "confirm", "link", "withdraw", "stance", "signoff"),
		acts("memo", formal, "agree", "adopt", "initial", "initial-memo", "share"),
		acts("memo", mediates, "prevailing")),

	"GET /p/{process}/meetings":          one("process", inProcess(parley.ViewProcess, "")),
	"POST /p/{process}/meetings":         one("space", drafts),
	"POST /p/{process}/calendar":         one("process", signedIn),
	"GET /meetings/{meeting}":            one("meeting", reads),
	"GET /meetings/{meeting}/body":       one("meeting", reads),
	"GET /meetings/{meeting}/invite.ics": one("meeting", reads),
	"POST /meetings/{meeting}/{act}": join(
		acts("meeting", reads, "join", "leave"),
		acts("meeting", posts, "note", "done"),
		acts("meeting", drafts, "cancel", "change", "agenda", "remove-item", "take", "start", "end", "minutes", "action"),
		acts("meeting", formal, "approve")),
	"GET /calendar/{feed}": {{kind: "feed", acc: anyone}, {kind: "", acc: never, with: map[string]string{"feed": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics"}}},

	"GET /p/{process}/truces":       one("process", inProcess(parley.ViewProcess, "")),
	"POST /p/{process}/truce-rules": one("process", inProcess(parley.ManageRounds, "")),
	"GET /truces/{truce}":           one("truce", reads),
	"GET /truces/{truce}/body":      one("truce", reads),
	"GET /truces/{truce}/export/{file}": join(
		[]rule{{kind: "truce", acc: reads, with: map[string]string{"file": "area.geojson"}}},
		[]rule{{kind: "truce", acc: reads, with: map[string]string{"file": "violations.geojson"}}},
		[]rule{{kind: "truce", acc: reads, with: map[string]string{"file": "violations.csv"}}}),
	"GET /truces/{truce}/map.svg": one("truce", reads),
	"POST /truces/{truce}/{act}": join(
		acts("truce", formal, "notify"),
		acts("truce", formalOrMediator, "end"),
		acts("truce", posts, "report", "answer"),
		acts("truce", finds, "finding")),
	"GET /attachments/{hash}": one("attachment", reads),

	"GET /g/{group}/notifications":      one("group", reads),
	"GET /g/{group}/notifications/body": one("group", reads),
	"POST /g/{group}/notifications":     one("group", notifies),
	"POST /g/{group}/notice-period":     one("group", mediates),
	"POST /notifications/{notification}/{act}": join(
		acts("notification", notifiedSide, "acknowledge", "question"),
		acts("notification", notifyingSide, "answer", "cancel")),

	"GET /g/{group}/exchanges":         one("group", reads),
	"POST /g/{group}/exchanges":        one("group", mediates),
	"GET /exchanges/{exchange}":        one("exchange", reads),
	"GET /exchanges/{exchange}/body":   one("exchange", reads),
	"POST /exchanges/{exchange}/{act}": acts("exchange", mediates, "terms", "plan", "stage"),
	// A list file is imported by a side's delegation; without a file the
	// import is refused as invalid, after the check of who may.
	"POST /exchanges/{exchange}/import":                              one("exchange", listSide),
	"GET /exchanges/{exchange}/lists/{party}/{list}":                 {{kind: "exchange-side", acc: reads, with: map[string]string{"list": "held"}}},
	"GET /exchanges/{exchange}/lists/{party}/{list}/export/{format}": {{kind: "exchange-side", acc: reads, with: map[string]string{"list": "asked", "format": "hxl"}}},
	"POST /exchanges/{exchange}/reconcile":                           {{kind: "exchange-side", acc: reconciles}},
	"GET /exchanges/{exchange}/pairs/{party}":                        {{kind: "exchange-side", acc: reads}},
	"GET /exchanges/{exchange}/people/{party}":                       {{kind: "exchange-side", acc: reads}},
	"POST /pairs/{pair}/step":                                        {{kind: "pair", acc: observes, form: url.Values{"act": {"interview"}, "yes": {"yes"}}}},
	"POST /exchanges/{exchange}/stages/{number}/{act}": join(
		[]rule{{kind: "exchange", acc: mediates, with: map[string]string{"number": "1", "act": "finalise"}}},
		[]rule{{kind: "exchange", acc: headsOf, with: map[string]string{"number": "1", "act": "exception"}}}),
	"POST /pairs/{pair}/answer":   {{kind: "pair", acc: listSide, form: url.Values{"answer": {"reject"}}}},
	"GET /p/{process}/access-log": one("process", readsAccessLog),

	"GET /g/{group}/remains":               one("group", reads),
	"GET /g/{group}/remains/body":          one("group", reads),
	"POST /g/{group}/remains":              withForm(remainsForm, one("group", recordsRemains)),
	"POST /remains/{transfer}/acknowledge": one("remains", acknowledgesRemains),

	"GET /p/{process}/statements":        one("process", inProcess(parley.ViewProcess, "")),
	"POST /p/{process}/statements":       one("space", drafts),
	"POST /p/{process}/statement-rules":  one("process", inProcess(parley.ManageRounds, "")),
	"GET /statements/{statement}":        one("statement", reads),
	"POST /statements/{statement}/{act}": join(acts("statement", drafts, "edit"), acts("statement", approves, "approve")),

	"GET /public":                     one("", anyone),
	"GET /public/{$}":                 one("", anyone),
	"GET /public/{process}":           one("process", anyone),
	"GET /public/{process}/feed.atom": one("process", anyone),
	"GET /public/{process}/feed.json": one("process", anyone),

	"GET /s/{space}":            one("space", reads),
	"POST /s/{space}/threads":   one("space", posts),
	"GET /t/{thread}":           one("thread", reads),
	"GET /t/{thread}/messages":  one("thread", reads),
	"POST /t/{thread}/messages": one("thread", posts),
	"POST /t/{thread}/read":     one("thread", reads),
	"GET /m/{message}/edit":     one("message", reads),
	"POST /m/{message}/edit":    one("message", authors),
	"GET /m/{message}/history":  one("message", reads),

	"GET /events": {{kind: "", acc: signedIn}, {kind: "space", acc: reads, query: "space={id}"}},

	"GET /record/{seq}":          one("entry", signedIn),
	"GET /log/key":               one("", anyone),
	"GET /log/checkpoint":        one("", anyone),
	"GET /log/tile/{path...}":    {{kind: "tile", acc: anyone}},
	"GET /log/proof/inclusion":   {{kind: "", acc: anyone, query: "seq=1&size=2"}},
	"GET /log/proof/consistency": {{kind: "", acc: anyone, query: "from=1&to=2"}},
	"POST /log/cosignature":      one("", anyone),
	"GET /log/witnesses":         one("", anyone),

	"GET /openapi.json":     one("", anyone),
	"GET /openapi-3.0.json": one("", anyone),
	"GET /openapi.yaml":     one("", anyone),
	"GET /openapi-3.0.yaml": one("", anyone),
	"GET /schemas/{schema}": {{kind: "", acc: anyone, with: map[string]string{"schema": "Created.json"}}},

	// The JSON API.
	"GET /api/v1/me":                              one("", signedIn),
	"GET /api/v1/accounts":                        one("", operator),
	"POST /api/v1/accounts":                       one("", operator),
	"GET /api/v1/tokens":                          one("", signedIn),
	"POST /api/v1/tokens":                         one("", signedIn),
	"DELETE /api/v1/tokens/{id}":                  one("token", signedIn),
	"GET /api/v1/processes":                       one("", signedIn),
	"POST /api/v1/processes":                      one("", operator),
	"GET /api/v1/processes/{id}":                  one("process", inProcess(parley.ViewProcess, "")),
	"PUT /api/v1/processes/{id}":                  one("process", inProcess(parley.ManageProcess, "")),
	"POST /api/v1/processes/{id}/parties":         one("process", inProcess(parley.ManageProcess, "")),
	"PUT /api/v1/parties/{id}":                    one("party", inProcess(parley.ManageProcess, "")),
	"POST /api/v1/processes/{id}/members":         one("process", inProcess(parley.ManageProcess, "")),
	"PUT /api/v1/members/{id}/role":               one("member", inProcess(parley.ManageProcess, "")),
	"POST /api/v1/processes/{id}/rounds":          one("process", inProcess(parley.ManageRounds, "")),
	"PUT /api/v1/rounds/{id}":                     one("round", inProcess(parley.ManageRounds, "")),
	"POST /api/v1/processes/{id}/groups":          one("process", inProcess(parley.ManageGroups, "")),
	"PUT /api/v1/groups/{id}":                     one("group", inProcess(parley.ManageGroups, "")),
	"POST /api/v1/groups/{id}/members":            one("group", inProcess(parley.AssignGroups, "member_party")),
	"DELETE /api/v1/groups/{id}/members/{member}": one("group", inProcess(parley.AssignGroups, "member_party")),
	"GET /api/v1/processes/{id}/spaces":           one("process", inProcess(parley.ViewProcess, "")),
	"GET /api/v1/spaces/{id}/threads":             one("space", reads),
	"POST /api/v1/spaces/{id}/threads":            one("space", posts),
	"GET /api/v1/threads/{id}/messages":           one("thread", reads),
	"POST /api/v1/threads/{id}/messages":          one("thread", posts),
	"PUT /api/v1/messages/{id}":                   one("message", authors),
	"GET /api/v1/messages/{id}/revisions":         one("message", reads),
	"POST /api/v1/threads/{id}/read":              one("thread", reads),
	"GET /api/v1/events":                          {{kind: "", acc: signedIn, query: "after=0"}},

	"GET /api/v1/processes/{id}/proposals":                    one("process", inProcess(parley.ViewProcess, "")),
	"POST /api/v1/groups/{id}/proposals":                      one("group", proposes),
	"GET /api/v1/proposals/{id}":                              one("proposal", reads),
	"PUT /api/v1/proposals/{id}":                              one("proposal", drafts),
	"POST /api/v1/proposals/{id}/submit":                      one("proposal", formal),
	"POST /api/v1/proposals/{id}/acknowledge":                 one("proposal", posts),
	"POST /api/v1/proposals/{id}/questions":                   one("proposal", posts),
	"POST /api/v1/proposals/{id}/questions/{question}/answer": {{kind: "proposal", acc: posts, needs: "question"}},
	"POST /api/v1/proposals/{id}/counter":                     one("proposal", formal),
	"POST /api/v1/proposals/{id}/accept":                      one("proposal", formal),
	"POST /api/v1/proposals/{id}/reject":                      one("proposal", formal),
	"POST /api/v1/proposals/{id}/withdraw":                    one("proposal", formal),
	"POST /api/v1/proposals/{id}/comments":                    one("proposal", posts),
	"POST /api/v1/groups/{id}/authorisations":                 one("group", headOf),
	"DELETE /api/v1/groups/{id}/authorisations/{member}":      one("group", headOf),
	"GET /api/v1/awaiting":                                    one("", signedIn),

	"GET /api/v1/processes/{id}/memos":                one("process", inProcess(parley.ViewProcess, "")),
	"POST /api/v1/processes/{id}/memos":               one("space", drafts),
	"GET /api/v1/memos/{id}":                          one("memo", reads),
	"POST /api/v1/memos/{id}/clauses":                 one("memo", drafts),
	"PUT /api/v1/clauses/{id}/texts/{lang}":           one("clause", drafts),
	"POST /api/v1/clauses/{id}/texts/{lang}/confirm":  one("clause", drafts),
	"POST /api/v1/clauses/{id}/texts/{lang}/sign-off": one("clause", drafts),
	"POST /api/v1/clauses/{id}/alternatives":          one("clause", drafts),
	"POST /api/v1/alternatives/{id}/stance":           one("alternative", drafts),
	"POST /api/v1/alternatives/{id}/withdraw":         one("alternative", drafts),
	"POST /api/v1/alternatives/{id}/adopt":            one("alternative", formal),
	"POST /api/v1/clauses/{id}/agree":                 one("clause", formal),
	"POST /api/v1/clauses/{id}/initial":               one("clause", formal),
	"POST /api/v1/memos/{id}/initial":                 one("memo", formal),
	"GET /api/v1/memos/{id}/versions":                 one("memo", reads),
	"GET /api/v1/memo-versions/{id}":                  one("memo-version", reads),
	"POST /api/v1/memos/{id}/versions":                one("memo", drafts),
	"POST /api/v1/clauses/{id}/links":                 one("clause", drafts),
	"POST /api/v1/memos/{id}/share":                   one("memo", formal),
	"PUT /api/v1/memos/{id}/prevailing":               one("memo", mediates),

	"GET /api/v1/processes/{id}/meetings":              one("process", inProcess(parley.ViewProcess, "")),
	"POST /api/v1/spaces/{id}/meetings":                one("space", drafts),
	"GET /api/v1/meetings/{id}":                        one("meeting", reads),
	"PUT /api/v1/meetings/{id}":                        one("meeting", drafts),
	"POST /api/v1/meetings/{id}/cancel":                one("meeting", drafts),
	"POST /api/v1/meetings/{id}/agenda":                one("meeting", drafts),
	"DELETE /api/v1/meetings/{id}/agenda/{item}":       one("meeting", drafts),
	"PUT /api/v1/meetings/{id}/agenda/{item}/current":  one("meeting", drafts),
	"POST /api/v1/meetings/{id}/start":                 one("meeting", drafts),
	"POST /api/v1/meetings/{id}/end":                   one("meeting", drafts),
	"POST /api/v1/meetings/{id}/join":                  one("meeting", reads),
	"POST /api/v1/meetings/{id}/leave":                 one("meeting", reads),
	"POST /api/v1/meetings/{id}/notes":                 one("meeting", posts),
	"PUT /api/v1/meetings/{id}/minutes":                one("meeting", drafts),
	"POST /api/v1/meetings/{id}/actions":               one("meeting", drafts),
	"POST /api/v1/meetings/{id}/actions/{action}/done": one("meeting", posts),
	"POST /api/v1/meetings/{id}/approve":               one("meeting", formal),

	"GET /api/v1/groups/{id}/notifications":       one("group", reads),
	"POST /api/v1/groups/{id}/notifications":      one("group", notifies),
	"PUT /api/v1/groups/{id}/notice-period":       one("group", mediates),
	"GET /api/v1/notifications/{id}":              one("notification", reads),
	"POST /api/v1/notifications/{id}/acknowledge": one("notification", notifiedSide),
	"POST /api/v1/notifications/{id}/question":    one("notification", notifiedSide),
	"POST /api/v1/notifications/{id}/answer":      one("notification", notifyingSide),
	"POST /api/v1/notifications/{id}/cancel":      one("notification", notifyingSide),

	"GET /api/v1/groups/{id}/remains":       one("group", reads),
	"POST /api/v1/groups/{id}/remains":      one("group", recordsRemains),
	"POST /api/v1/remains/{id}/acknowledge": one("remains", acknowledgesRemains),

	"GET /api/v1/groups/{id}/exchanges":                     one("group", reads),
	"POST /api/v1/groups/{id}/exchanges":                    one("group", mediates),
	"GET /api/v1/exchanges/{id}/people/{party}":             {{kind: "exchange-side", acc: reads}},
	"POST /api/v1/pairs/{id}/steps":                         one("pair", observes),
	"GET /api/v1/exchanges/{id}/progress":                   one("exchange", reads),
	"POST /api/v1/exchanges/{id}/stages/{number}/exception": {{kind: "exchange", acc: headsOf, with: map[string]string{"number": "1"}}},
	"POST /api/v1/exchanges/{id}/stages/{number}/finalise":  {{kind: "exchange", acc: mediates, with: map[string]string{"number": "1"}}},
	"GET /api/v1/exchanges/{id}":                            one("exchange", reads),
	"PUT /api/v1/exchanges/{id}/terms":                      one("exchange", mediates),
	"POST /api/v1/exchanges/{id}/stages":                    one("exchange", mediates),
	"PUT /api/v1/exchanges/{id}/stages/{number}":            {{kind: "exchange", acc: mediates, with: map[string]string{"number": "1"}}},
	// The lists: the API's import is refused by the policy before its
	// file is read; the harness's file is no list in any case.
	"GET /api/v1/exchanges/{id}/lists/{party}/{list}":        {{kind: "exchange-side", acc: reads, with: map[string]string{"list": "held"}}},
	"GET /api/v1/exchanges/{id}/lists/{party}/{list}/export": {{kind: "exchange-side", acc: reads, with: map[string]string{"list": "asked"}, query: "format=xlsx"}},
	"POST /api/v1/exchanges/{id}/imports":                    one("exchange", listSide),
	"POST /api/v1/exchanges/{id}/reconcile":                  one("exchange", reconciles),
	"GET /api/v1/exchanges/{id}/pairs/{party}":               {{kind: "exchange-side", acc: reads}},
	"POST /api/v1/pairs/{id}/answer":                         one("pair", listSide),
	"GET /api/v1/processes/{id}/access-log":                  one("process", readsAccessLog),

	"GET /api/v1/processes/{id}/truces":      one("process", inProcess(parley.ViewProcess, "")),
	"GET /api/v1/processes/{id}/truce-rules": one("process", inProcess(parley.ViewProcess, "")),
	"PUT /api/v1/processes/{id}/truce-rules": one("process", inProcess(parley.ManageRounds, "")),
	"GET /api/v1/truces/{id}":                one("truce", reads),
	"POST /api/v1/truces/{id}/notify":        one("truce", formal),
	"POST /api/v1/truces/{id}/end":           one("truce", formalOrMediator),
	"POST /api/v1/truces/{id}/violations":    one("truce", posts),
	"POST /api/v1/violations/{id}/answer":    one("violation", posts),
	"POST /api/v1/violations/{id}/finding":   one("violation", finds),

	"GET /api/v1/processes/{id}/statements":      one("process", inProcess(parley.ViewProcess, "")),
	"POST /api/v1/spaces/{id}/statements":        one("space", drafts),
	"GET /api/v1/statements/{id}":                one("statement", reads),
	"PUT /api/v1/statements/{id}":                one("statement", drafts),
	"POST /api/v1/statements/{id}/approve":       one("statement", approves),
	"PUT /api/v1/processes/{id}/statement-rules": one("process", inProcess(parley.ManageRounds, "")),
}

// The people of the demo the suite acts as, with the anonymous public.
var authzRoles = []string{"anonymous", "operator", "head.ua", "delegate.ua", "political.ua", "head.ru", "delegate.ru", "mediator", "observer"}

// authzSite is the demo negotiation served with a signed record and
// attachments, with a canary planted in every space.
type authzSite struct {
	url     string
	db      *store.DB
	svc     *service.Service
	srv     *web.Server
	roles   []*role
	byName  map[string]*role
	spaces  map[string]parley.Space // by name: party:ua, party:ru, heads, group:political…, public
	canary  map[string]string       // by space name
	targets map[string][]target     // by kind
	openapi map[string]any
	base    int64 // the record's length once set up
}

func canaryOf(space string) string { return "canary-" + strings.ReplaceAll(space, ":", "-") + "-x7q" }

func newAuthzSite(t *testing.T) *authzSite {
	t.Helper()
	ctx := context.Background()
	d := newDemoBackend(t)
	skey, _, err := note.GenerateKey(rand.Reader, "authz.test/parley-record")
	if err != nil {
		t.Fatal(err)
	}
	key, err := record.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := web.New(web.Config{Demo: true, Version: "test", PasswordParams: d.params, LogKey: key, Files: dir}, d.db, d.svc, d.hub, log, d.reg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler(d.reg))
	t.Cleanup(func() {
		srv.StopStreams()
		ts.Close()
	})
	s := &authzSite{url: ts.URL, db: d.db, svc: d.svc, srv: srv, byName: map[string]*role{}, spaces: map[string]parley.Space{},
		canary: map[string]string{}, targets: map[string][]target{}}

	for _, name := range authzRoles {
		r := &role{name: name}
		jar, _ := cookiejar.New(nil)
		r.c = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if name != "anonymous" {
			acc, _, err := d.db.AccountByUsername(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if r.actor, err = d.db.Actor(ctx, acc.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		s.roles = append(s.roles, r)
		s.byName[name] = r
	}
	process := s.byName["mediator"].actor.Members[0].ProcessID
	partyKey := map[string]string{}
	for _, n := range []string{"ua", "ru"} {
		m, _ := s.byName["head."+n].actor.In(process)
		partyKey[m.PartyID] = n
	}
	groupKey := map[string]string{}
	rows := s.query(t, `SELECT id, kind FROM working_groups`)
	for _, r := range rows {
		groupKey[r[0]] = r[1]
	}
	nameOf := map[string]string{} // space id → name
	for _, r := range s.query(t, `SELECT id, process_id, kind, party_id, group_id, with_mediator FROM spaces`) {
		sp := parley.Space{ID: r[0], ProcessID: r[1], Kind: parley.SpaceKind(r[2]), PartyID: r[3], GroupID: r[4], WithMediator: r[5] == "1" || r[5] == "true"}
		name := string(sp.Kind)
		switch sp.Kind {
		case parley.SpaceParty:
			name += ":" + partyKey[sp.PartyID]
		case parley.SpaceGroup:
			name += ":" + groupKey[sp.GroupID]
		}
		s.spaces[name], nameOf[sp.ID] = sp, name
	}

	// The canaries: a thread with a message in every space but the
	// public one, and a draft proposal in each caucus.
	planter := map[string]string{"party:ua": "head.ua", "party:ru": "head.ru", "heads": "head.ua"}
	for name, sp := range s.spaces {
		if sp.Kind == parley.SpacePublic {
			continue
		}
		who := planter[name]
		if who == "" {
			who = "mediator"
		}
		c := canaryOf(name)
		s.canary[name] = c
		s.do(t, who, parley.StartThread{SpaceID: sp.ID, Title: "Thread " + c, Body: "Message " + c})
	}
	humanitarian := s.spaces["group:humanitarian"].GroupID
	for _, x := range []struct{ by, to string }{{"head.ua", "ru"}, {"head.ru", "ua"}} {
		var to string
		for id, k := range partyKey {
			if k == x.to {
				to = id
			}
		}
		c := canaryOf("party:" + strings.TrimPrefix(x.by, "head."))
		s.do(t, x.by, parley.DraftProposal{GroupID: humanitarian, ToParty: to, ProposalInput: parley.ProposalInput{
			Kind: parley.ProposalProcedural, Title: "Draft " + c, Texts: parley.Texts{parley.English: "Draft text " + c}}})
	}

	// A file attached to a report of a violation.
	hash, size, ctype, err := files.Store{Dir: dir}.Put(strings.NewReader("Photograph of the crossing."), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.SQL().ExecContext(ctx, `INSERT INTO violation_attachments (violation_id, position, hash, name, type, size)
		SELECT id, 0, $1, 'crossing.txt', $2, $3 FROM violations LIMIT 1`, hash, ctype, size); err != nil {
		t.Fatal(err)
	}
	// head.ua's calendar feed and API token.
	feed := "authzfeedsecret0123456789abcdefgh"
	if err := d.db.SetCalendarFeed(ctx, s.byName["head.ua"].actor.AccountID, feed, time.Now()); err != nil {
		t.Fatal(err)
	}
	token := store.Token{ID: "authztoken0000000000000000", AccountID: s.byName["head.ua"].actor.AccountID, ProcessID: process, Name: "authz", CreatedAt: time.Now()}
	if err := d.db.CreateToken(ctx, token, []byte("authz-token-hash")); err != nil {
		t.Fatal(err)
	}

	// The targets of every kind.
	memberOf := func(user string) (string, string) {
		m, _ := s.byName[user].actor.In(process)
		return m.MemberID, m.PartyID
	}
	delegate, delegateParty := memberOf("delegate.ua")
	headUA, _ := memberOf("head.ua")
	var partyRU string
	for id, k := range partyKey {
		if k == "ru" {
			partyRU = id
		}
	}
	common := map[string]string{"member": delegate, "member_party": delegateParty, "to_party": partyRU, "lang": "en",
		"account": s.byName["observer"].actor.AccountID}
	add := func(kind, id, spaceID string, with map[string]string) {
		tg := target{id: id, process: process, with: map[string]string{}}
		for k, v := range common {
			tg.with[k] = v
		}
		for k, v := range with {
			tg.with[k] = v
		}
		if spaceID != "" {
			tg.space, tg.where = s.spaces[nameOf[spaceID]], nameOf[spaceID]
		}
		s.targets[kind] = append(s.targets[kind], tg)
	}
	add("process", process, "", nil)
	for _, name := range sortedKeys(s.spaces) {
		add("space", s.spaces[name].ID, s.spaces[name].ID, nil)
	}
	for _, r := range s.query(t, `SELECT g.id, s.id FROM working_groups g JOIN spaces s ON s.group_id = g.id`) {
		add("group", r[0], r[1], nil)
	}
	// One object of each kind in each space where there is one.
	perSpace := func(kind, q string, with ...string) {
		for _, r := range s.query(t, q) {
			w := map[string]string{}
			for i, k := range with {
				w[k] = r[2+i]
			}
			add(kind, r[0], r[1], w)
		}
	}
	perSpace("thread", `SELECT MIN(id), space_id FROM threads WHERE title LIKE 'Thread canary-%' GROUP BY space_id`)
	for _, r := range s.query(t, `SELECT MIN(m.id), m.space_id, m.author_id FROM messages m JOIN threads t ON t.id = m.thread_id
		WHERE t.title LIKE 'Thread canary-%' GROUP BY m.space_id`) {
		add("message", r[0], r[1], nil)
		ts := s.targets["message"]
		ts[len(ts)-1].author = r[2]
	}
	perSpace("proposal", `WITH f AS (SELECT MIN(id) AS id FROM proposals GROUP BY space_id)
		SELECT p.id, p.space_id, COALESCE((SELECT MIN(q.id) FROM questions q WHERE q.proposal_id = p.id), 'none'), p.group_id
		FROM f JOIN proposals p ON p.id = f.id`, "question", "group")
	perSpace("truce-proposal", `SELECT MIN(id), space_id FROM proposals WHERE kind = 'truce' GROUP BY space_id`)
	perSpace("memo", `SELECT MIN(m.id), m.space_id, COALESCE((SELECT MIN(c.id) FROM clauses c WHERE c.memo_id = MIN(m.id)), 'none')
		FROM memos m GROUP BY m.space_id`, "clause")
	perSpace("clause", `SELECT MIN(c.id), m.space_id FROM clauses c JOIN memos m ON m.id = c.memo_id GROUP BY m.space_id`)
	perSpace("alternative", `SELECT MIN(a.id), m.space_id FROM alternatives a JOIN clauses c ON c.id = a.clause_id JOIN memos m ON m.id = c.memo_id GROUP BY m.space_id`)
	perSpace("memo-version", `SELECT MIN(v.id), m.space_id FROM memo_versions v JOIN memos m ON m.id = v.memo_id GROUP BY m.space_id`)
	perSpace("meeting", `SELECT MIN(m.id), m.space_id, COALESCE((SELECT MIN(i.id) FROM agenda_items i WHERE i.meeting_id = MIN(m.id)), 'none'),
		COALESCE((SELECT MIN(a.id) FROM meeting_actions a WHERE a.meeting_id = MIN(m.id)), 'none') FROM meetings m GROUP BY m.space_id`, "item", "action")
	perSpace("truce", `SELECT MIN(t.id), t.space_id, COALESCE((SELECT MIN(v.id) FROM violations v WHERE v.truce_id = MIN(t.id)), 'none') FROM truces t GROUP BY t.space_id`, "violation")
	perSpace("violation", `SELECT MIN(id), space_id FROM violations GROUP BY space_id`)
	perSpace("notification", `SELECT n.id, n.space_id, n.to_party, n.from_party FROM humanitarian_notifications n
		WHERE n.id = (SELECT MIN(m.id) FROM humanitarian_notifications m WHERE m.space_id = n.space_id)`, "to_party", "from_party")
	perSpace("exchange", `SELECT MIN(id), space_id FROM exchanges GROUP BY space_id`)
	perSpace("exchange-side", `SELECT MIN(id), space_id, MIN(substr(parties, 1, instr(parties, ',') - 1)) FROM exchanges GROUP BY space_id`, "party")
	perSpace("pair", `SELECT MIN(p.id), x.space_id FROM exchange_pairs p JOIN exchanges x ON x.id = p.exchange_id GROUP BY x.space_id`)
	// A transfer of remains that awaits its receiving side.
	perSpace("remains", `SELECT t.id, t.space_id, t.to_party FROM remains_transfers t
		WHERE t.id IN (SELECT MIN(id) FROM remains_transfers WHERE ack_seq = 0 GROUP BY space_id)`, "receiving")
	perSpace("statement", `SELECT MIN(id), space_id FROM statements GROUP BY space_id`)
	perSpace("attachment", `SELECT x.hash, v.space_id FROM violation_attachments x JOIN violations v ON v.id = x.violation_id`)
	perSpace("entry", `SELECT CAST(MAX(seq) AS TEXT), space_id FROM entries WHERE space_id <> '' GROUP BY space_id`)
	add("entry", s.query(t, `SELECT CAST(MAX(seq) AS TEXT) FROM entries WHERE space_id = '' AND process_id <> ''`)[0][0], "", nil)
	if seq := s.query(t, `SELECT CAST(MAX(seq) AS TEXT) FROM entries WHERE process_id = ''`)[0][0]; seq != "" {
		add("entry", seq, "", nil)
	}
	add("party", s.query(t, `SELECT MIN(id) FROM parties`)[0][0], "", nil)
	add("round", s.query(t, `SELECT MIN(id) FROM rounds`)[0][0], "", nil)
	add("member", headUA, "", nil)
	add("account", s.byName["head.ua"].actor.AccountID, "", nil)
	add("token", token.ID, "", nil)
	add("feed", feed+".ics", "", nil)
	s.targets["feed"][0].viewAs = s.byName["head.ua"]
	if err := record.IntegrateOnce(ctx, d.db, key, new(int64), time.Now); err != nil {
		t.Fatal(err)
	}
	last, err := d.db.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tile := "000"
	if last < 256 {
		tile += fmt.Sprintf(".p/%d", last)
	}
	add("tile", "0/"+tile, "", map[string]string{"path": "0/" + tile})
	add("tile", "entries/"+tile, "", map[string]string{"path": "entries/" + tile})

	for _, r := range s.roles {
		if r.anonymous() {
			continue
		}
		resp, err := r.c.PostForm(s.url+"/login", url.Values{"username": {r.name}, "password": {demoPassword(r.name)}, "next": {"/"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("sign in as %s: %d %s", r.name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, err := http.Get(s.url + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&s.openapi); err != nil {
		t.Fatal(err)
	}
	if s.base, err = d.db.LastSeq(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// query returns the rows of q as strings.
func (s *authzSite) query(t *testing.T, q string, args ...any) [][]string {
	t.Helper()
	rows, err := s.db.SQL().QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		if err := rows.Scan(vals...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch x := (*v.(*any)).(type) {
			case []byte:
				row[i] = string(x)
			case nil:
			default:
				row[i] = fmt.Sprint(x)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// do gives a command as one of the demo's people, through the service.
func (s *authzSite) do(t *testing.T, who string, cmd parley.Command) {
	t.Helper()
	if _, err := s.svc.Do(context.Background(), s.byName[who].actor, cmd); err != nil {
		t.Fatalf("%s: %T: %v", who, cmd, err)
	}
}

var paramRE = regexp.MustCompile(`\{([a-z_$]*)(\.\.\.)?\}`)

// call is one request of the suite.
type call struct {
	route string
	rule  rule
	tg    target
	who   *role
	want  outcome
}

func (c call) String() string {
	s := c.route
	if a := c.rule.with["act"]; a != "" {
		s += " (" + a + ")"
	} else if f := c.rule.with["file"]; f != "" {
		s += " (" + f + ")"
	}
	s += " as " + c.who.name
	if c.tg.where != "" {
		s += " on " + c.tg.where
	} else if c.rule.kind != "" {
		s += " on " + c.rule.kind + " " + c.tg.id
	}
	return s
}

// path fills the route's pattern for the call.
func (s *authzSite) path(c call) (method, path string, err error) {
	method, pattern, _ := strings.Cut(c.route, " ")
	first := true
	var bad error
	path = paramRE.ReplaceAllStringFunc(pattern, func(m string) string {
		name := paramRE.FindStringSubmatch(m)[1]
		defer func() { first = false }()
		if name == "$" {
			return ""
		}
		if v, ok := c.rule.with[name]; ok {
			return v
		}
		if v, ok := c.tg.with[name]; ok {
			return v
		}
		if name == "process" || name == "id" && strings.HasPrefix(pattern, "/api/v1/processes/") {
			return c.tg.process
		}
		if first && c.rule.kind != "" {
			return c.tg.id
		}
		bad = fmt.Errorf("no value for {%s}", name)
		return m
	})
	if strings.HasSuffix(path, "/") && c.rule.with[""] != "" {
		path += c.rule.with[""]
	}
	if c.rule.query != "" {
		path += "?" + strings.ReplaceAll(c.rule.query, "{id}", c.tg.id)
	}
	return method, path, bad
}

// form is what a page's form sends: plausible values for every field a
// form of the application has, so that a refusal is the policy's and not
// the input's.
func (s *authzSite) form(c call) url.Values {
	soon := time.Now().Add(72 * time.Hour)
	f := url.Values{
		"title": {"Authz title"}, "body": {"Authz body"}, "text": {"Authz text"}, "text_en": {"Authz text"},
		"description": {"Authz description"}, "reason": {"Authz reason"}, "name": {"Authz name"},
		"display_name": {"Authz Name"}, "username": {"authz.user"}, "password": {"authz-password-2025"},
		"current": {"wrong-password-2025"}, "new": {"authz-password-2026"}, "code": {"000000"},
		"version": {"1"}, "kind": {"procedural"}, "lang": {"en"}, "languages": {"en"}, "mode": {"joint"},
		"role": {"delegate"}, "start": {soon.Format("2006-01-02T15:04")}, "duration": {"60"},
		"time_zone": {"UTC"}, "timezone": {"UTC"}, "locale": {"en"}, "agenda": {"Authz item"},
		"answer": {"acknowledged"}, "finding": {"confirmed"}, "stance": {"accept"}, "place": {":0"},
		"at": {time.Now().Add(-time.Hour).Format("2006-01-02T15:04")}, "lon": {"30.5"}, "lat": {"50.4"},
		"starts_on": {soon.Format("2006-01-02")}, "ends_on": {soon.Add(48 * time.Hour).Format("2006-01-02")},
		"location": {"Istanbul"}, "max_hours": {"72"}, "next": {"/"}, "party": {c.tg.with["to_party"]},
		"to_party": {c.tg.with["to_party"]}, "member": {c.tg.with["member"]}, "needs_mediator": {"on"},
		"clause": {c.tg.with["clause"]}, "question": {c.tg.with["question"]}, "violation": {c.tg.with["violation"]},
		"item": {c.tg.with["item"]}, "action": {c.tg.with["action"]}, "space": {c.tg.space.ID}, "process": {c.tg.process}, "account": {c.tg.with["account"]}, "seq": {"1"},
		"party_a": {c.tg.with["member_party"]}, "party_b": {c.tg.with["to_party"]}, "asking_party": {c.tg.with["party"]},
	}
	for k, v := range c.rule.form {
		f[k] = v
	}
	return f
}

// jsonBody is a body for an API operation, made from its schema in the
// OpenAPI document: every property with a plausible value.
func (s *authzSite) jsonBody(c call, method, pattern string) ([]byte, error) {
	paths, _ := s.openapi["paths"].(map[string]any)
	op, _ := dig(paths, pattern, strings.ToLower(method)).(map[string]any)
	schema := dig(op, "requestBody", "content", "application/json", "schema")
	if schema == nil {
		return nil, nil
	}
	return json.Marshal(s.value(c, "", schema, 0))
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func (s *authzSite) value(c call, name string, schema any, depth int) any {
	sc, _ := schema.(map[string]any)
	if ref, ok := sc["$ref"].(string); ok {
		sc, _ = dig(s.openapi, "components", "schemas", strings.TrimPrefix(ref, "#/components/schemas/")).(map[string]any)
	}
	if depth > 6 || sc == nil {
		return nil
	}
	if e, ok := sc["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	typ := sc["type"]
	if ts, ok := typ.([]any); ok && len(ts) > 0 {
		typ = ts[0]
	}
	switch typ {
	case "object":
		props, _ := sc["properties"].(map[string]any)
		if len(props) == 0 {
			return map[string]any{"en": "Authz text"}
		}
		out := map[string]any{}
		for k, p := range props {
			if k == "$schema" {
				continue
			}
			out[k] = s.value(c, k, p, depth+1)
		}
		return out
	case "array":
		n := 1
		if m, ok := sc["minItems"].(float64); ok && m > 1 {
			n = int(m)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = s.value(c, name, sc["items"], depth+1)
		}
		return out
	case "integer", "number":
		if m, ok := sc["minimum"].(float64); ok && m > 1 {
			return m
		}
		return 1
	case "boolean":
		return false
	case "string":
		switch {
		case sc["format"] == "date-time":
			return time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
		case name == "space_id":
			return c.tg.space.ID
		case name == "process_id":
			return c.tg.process
		case name == "member_id":
			return c.tg.with["member"]
		case name == "to_party" || name == "party_id":
			return c.tg.with["to_party"]
		case name == "lang" || name == "locale":
			return "en"
		case name == "timezone" || name == "time_zone":
			return "UTC"
		case name == "password":
			return "authz-password-2025"
		case name == "languages" || name == "figure_lang":
			return "en"
		case name == "due" || name == "as_of" || strings.HasSuffix(name, "_on"):
			return time.Now().Add(72 * time.Hour).Format("2006-01-02")
		case name == "account_id":
			return c.tg.with["account"]
		case strings.HasSuffix(name, "_id") || name == "ref":
			return "none"
		}
		if m, ok := sc["minLength"].(float64); ok && m > 11 {
			return strings.Repeat("a", int(m))
		}
		return "Authz text"
	}
	return nil
}

// result is what came of a call.
type result struct {
	status int
	got    outcome
	body   string
	err    error
}

func (s *authzSite) send(c call) result {
	method, path, err := s.path(c)
	if err != nil {
		return result{err: err}
	}
	var body io.Reader
	ctype := ""
	if method != http.MethodGet {
		pattern := strings.SplitN(c.route, " ", 2)[1]
		if strings.HasPrefix(pattern, "/api/v1/") {
			b, err := s.jsonBody(c, method, pattern)
			if err != nil {
				return result{err: err}
			}
			if b != nil {
				body, ctype = bytes.NewReader(b), "application/json"
			}
		} else {
			body, ctype = strings.NewReader(s.form(c).Encode()), "application/x-www-form-urlencoded"
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream := strings.HasPrefix(path, "/events")
	if stream {
		ctx, cancel = context.WithTimeout(context.Background(), 400*time.Millisecond)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, body)
	if err != nil {
		return result{err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.who.c.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil && !(stream && errors.Is(err, context.DeadlineExceeded)) {
		return result{err: err}
	}
	r := result{status: resp.StatusCode, body: string(b)}
	switch {
	case resp.StatusCode == http.StatusUnauthorized,
		resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"):
		r.got = signIn
	case resp.StatusCode == http.StatusForbidden:
		r.got = forbidden
	case resp.StatusCode == http.StatusNotFound:
		r.got = hidden
	}
	return r
}

// leaks returns the canaries of the spaces viewer may not read found in body.
func (s *authzSite) leaks(viewer *role, body string) []string {
	var out []string
	for name, c := range s.canary {
		if strings.Contains(body, c) && !parley.Allowed(viewer.actor, parley.ActRead, s.spaces[name]) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// calls returns every call of the suite, or the routes without a rule.
func (s *authzSite) calls(routes []string) (calls []call, missing []string) {
	for _, route := range routes {
		rules, ok := authzTable[route]
		if !ok {
			missing = append(missing, route)
			continue
		}
		for _, ru := range rules {
			tgs := []target{{with: map[string]string{}}}
			if ru.kind != "" {
				tgs = s.targets[ru.kind]
			}
			for _, tg := range tgs {
				if ru.needs != "" && tg.with[ru.needs] == "none" {
					continue
				}
				for _, who := range s.roles {
					calls = append(calls, call{route: route, rule: ru, tg: tg, who: who, want: ru.acc(who.actor, tg)})
				}
			}
		}
	}
	return calls, missing
}

// TestAuthorization is the authorization suite (see the top of this file).
func TestAuthorization(t *testing.T) {
	s := newAuthzSite(t)
	routes := s.srv.Routes()
	calls, missing := s.calls(routes)
	if raceDetector {
		// A tenth of the calls, spread over every route, role and space,
		// is what the race detector needs to see.
		var some []call
		for i, c := range calls {
			if i%10 == 0 {
				some = append(some, c)
			}
		}
		calls = some
	}
	for _, r := range missing {
		t.Errorf("route %q has no expected policy: add it to authzTable in authz_test.go", r)
	}
	known := map[string]bool{}
	for _, r := range routes {
		known[r] = true
	}
	for r := range authzTable {
		if !known[r] {
			t.Errorf("authzTable has %q, which is no route of the server", r)
		}
	}
	for kind, tgs := range s.targets {
		if len(tgs) == 0 {
			t.Errorf("the demo has no %s to call routes on", kind)
		}
	}

	var (
		mu       sync.Mutex
		failures []string
		served   = map[string]bool{}
		counted  = struct{ reads, writes, skipped, early int }{}
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	check := func(c call, r result) {
		switch {
		case r.err != nil:
			fail("%s: %v", c, r.err)
		case r.status == http.StatusServiceUnavailable && c.rule.noBrowser && c.want == ok:
		case r.status >= 500:
			fail("%s: status %d", c, r.status)
		case r.got == ok && c.want != ok && !strings.HasPrefix(c.route, "GET ") && (r.status == http.StatusBadRequest || r.status == http.StatusConflict):
			// Refused before the policy was asked: the input is checked
			// first, which says nothing of the object. The record is
			// checked below.
			mu.Lock()
			counted.early++
			mu.Unlock()
		case r.got != c.want:
			fail("%s: %s (status %d), want %s%s", c, r.got, r.status, c.want, snippet(r))
		}
		viewer := c.who
		if c.tg.viewAs != nil {
			viewer = c.tg.viewAs
		}
		if l := s.leaks(viewer, r.body); len(l) > 0 {
			fail("%s: LEAK: the answer shows what is in %s", c, strings.Join(l, ", "))
		}
		if r.got == ok {
			mu.Lock()
			served[c.route] = true
			mu.Unlock()
		}
	}

	// Reads, in parallel.
	var reads, writes []call
	for _, c := range calls {
		if strings.HasPrefix(c.route, "GET ") {
			reads = append(reads, c)
		} else {
			writes = append(writes, c)
		}
	}
	work := make(chan call)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				check(c, s.send(c))
			}
		}()
	}
	for _, c := range reads {
		work <- c
	}
	close(work)
	wg.Wait()
	counted.reads = len(reads)

	// Writes, one at a time, only as roles the policy refuses: each is
	// refused and the record stays as it was. Reading an exchange's list
	// records the access first, so the reads grew the record.
	ctx := context.Background()
	if n, err := s.db.LastSeq(ctx); err == nil {
		s.base = n
	}
	for _, c := range writes {
		if c.want == ok {
			counted.skipped++
			continue
		}
		counted.writes++
		check(c, s.send(c))
		if n, err := s.db.LastSeq(ctx); err != nil || n != s.base {
			fail("%s: WRITE: the record grew from %d to %d entries (%v)", c, s.base, n, err)
			s.base = n
		}
	}
	for _, r := range routes {
		if strings.HasPrefix(r, "GET ") && !served[r] && authzTable[r] != nil && !neverServed(r) && !raceDetector {
			t.Errorf("%s: no role was served at all; is the route's target right?", r)
		}
	}
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
	spaces := map[string]bool{}
	for _, c := range calls {
		spaces[c.tg.where] = true
	}
	t.Logf("%d routes × %d roles × %d spaces (and the objects of processes and the server): %d reads, %d refused writes (%d refused for their input before the policy), %d allowed writes left to the handlers' tests",
		len(routes), len(s.roles), len(spaces)-1, counted.reads, counted.writes, counted.early, counted.skipped)
}

// snippet is the start of a refusal's or a bad request's body, to say why.
func snippet(r result) string {
	if r.status != http.StatusBadRequest && r.status != http.StatusConflict {
		return ""
	}
	b := r.body
	if i := strings.Index(b, `"message"`); i >= 0 {
		b = b[i:]
	} else if i := strings.Index(b, `class="error`); i >= 0 {
		b = b[i:]
	}
	if len(b) > 200 {
		b = b[:200]
	}
	return ": " + strings.Join(strings.Fields(b), " ")
}

// neverServed reports whether the policy serves route to none of the
// suite's roles (the second factor's page, for one).
func neverServed(route string) bool {
	for _, ru := range authzTable[route] {
		if ru.acc(parley.Actor{}, target{}) == ok || ru.acc(parley.Actor{AccountID: "x", Operator: true}, target{}) == ok {
			return false
		}
	}
	return true
}
