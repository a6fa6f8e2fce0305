package web

import (
	"context"
	"io/fs"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler returns the server's whole HTTP surface, with its middleware:
// metrics and logs, security headers, a limit on the size of bodies,
// cross-origin protection (CSRF),
// sessions, and the actor of each request. The public pages and the
// static files skip the sessions and the actor (see sessionless).
func (s *Server) Handler(gatherer prometheus.Gatherer) http.Handler {
	mux := http.NewServeMux()
	s.routes(mux, gatherer)
	s.apiRoutes(s.newAPI(mux))
	var h http.Handler = recordPattern(mux)
	public := h
	h = s.identify(h)
	h = streamSession(s.sessions.Load, s.sessions.Cookie.Name, h, s.sessions.LoadAndSave(h))
	h = http.NewCrossOriginProtection().Handler(h)
	h = sessionless(public, h)
	h = limitBodies(mux, h)
	h = s.securityHeaders(h)
	return s.observe(h)
}

// sessionless sends GET and HEAD requests for the public pages and the
// static files to public, which reads no session and no credentials: they
// are the same for everyone, so they set no cookie and may be cached.
// Everything else goes to next.
func sessionless(public, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			(p == "/public" || strings.HasPrefix(p, "/public/") || strings.HasPrefix(p, "/static/")) {
			public.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// router is what routes registers its routes on: the server's ServeMux,
// or a test's list of every pattern (see the authorization suite).
type router interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// streamSession sends GET /events to stream with the session loaded but
// never saved, and everything else to next. The live stream hands its
// connection over to the hub and returns: a session saved then (as
// LoadAndSave does for a response it did not see written, to push the idle
// deadline on) could land after a sign-out that happened meanwhile and
// bring the ended session back to life. The stream checks that its
// session still exists at every keep-alive, and ends when it does not.
func streamSession(load func(context.Context, string) (context.Context, error), cookie string, stream, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/events" || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		var token string
		if c, err := r.Cookie(cookie); err == nil {
			token = c.Value
		}
		ctx, err := load(r.Context(), token)
		if err != nil {
			http.Error(w, "The session could not be read.", http.StatusInternalServerError)
			return
		}
		stream.ServeHTTP(w, r.WithContext(ctx))
	})
}

// routes lists every route of the web application. The JSON API's routes
// are in apiRoutes, in api.go.
func (s *Server) routes(mux router, gatherer prometheus.Gatherer) {
	static, _ := fs.Sub(files, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(static)))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))

	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /login/second-factor", s.secondFactorForm)
	mux.HandleFunc("POST /login/second-factor", s.secondFactor)
	mux.HandleFunc("POST /login/passkey/options", s.loginPasskeyOptions)
	mux.HandleFunc("POST /login/passkey", s.loginPasskey)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /language", s.setLanguage)

	mux.HandleFunc("GET /account", s.accountPage)
	mux.HandleFunc("POST /account/profile", s.saveProfile)
	mux.HandleFunc("POST /account/password", s.changePassword)
	mux.HandleFunc("GET /account/second-factor", s.enrolForm)
	mux.HandleFunc("POST /account/second-factor", s.enrol)
	mux.HandleFunc("POST /account/tokens", s.createToken)
	mux.HandleFunc("POST /account/tokens/{token}/revoke", s.revokeToken)
	mux.HandleFunc("GET /account/passkeys", s.passkeysPage)
	mux.HandleFunc("POST /account/passkeys/options", s.passkeyOptions)
	mux.HandleFunc("POST /account/passkeys", s.addPasskey)
	mux.HandleFunc("POST /account/passkeys/{passkey}/remove", s.removePasskey)

	mux.HandleFunc("GET /admin", s.adminPage)
	mux.HandleFunc("POST /admin/accounts", s.adminCreateAccount)
	mux.HandleFunc("POST /admin/accounts/{account}/password", s.adminSetPassword)
	mux.HandleFunc("POST /admin/accounts/{account}/reset-second-factor", s.adminResetTOTP)
	mux.HandleFunc("POST /admin/processes", s.createProcess)
	mux.HandleFunc("POST /admin/passkeys", s.setPasskeyRule)

	mux.HandleFunc("GET /processes", s.processes)
	mux.HandleFunc("GET /p/{process}", s.overview)
	mux.HandleFunc("GET /p/{process}/members", s.membersPage)
	mux.HandleFunc("GET /p/{process}/settings", s.processSettings)
	mux.HandleFunc("POST /p/{process}/edit", s.editProcess)
	mux.HandleFunc("POST /p/{process}/parties", s.addParty)
	mux.HandleFunc("POST /p/{process}/members", s.addMember)
	mux.HandleFunc("POST /p/{process}/members/{member}/role", s.changeRole)
	mux.HandleFunc("POST /p/{process}/rounds", s.scheduleRound)
	mux.HandleFunc("POST /p/{process}/groups", s.createGroup)
	mux.HandleFunc("GET /g/{group}", s.groupPage)
	mux.HandleFunc("POST /g/{group}/members", s.joinGroup)
	mux.HandleFunc("POST /g/{group}/members/{member}/remove", s.leaveGroup)

	mux.HandleFunc("POST /g/{group}/authorisations", s.authorise)
	mux.HandleFunc("POST /g/{group}/authorisations/{member}/revoke", s.revokeAuthority)

	mux.HandleFunc("GET /p/{process}/proposals", s.proposalsPage)
	mux.HandleFunc("GET /awaiting", s.awaitingPage)
	mux.HandleFunc("GET /g/{group}/propose", s.newProposalForm)
	mux.HandleFunc("POST /g/{group}/proposals", s.draftProposal)
	mux.HandleFunc("GET /proposals/{proposal}", s.proposalPage)
	mux.HandleFunc("GET /proposals/{proposal}/body", s.proposalBody)
	mux.HandleFunc("GET /proposals/{proposal}/history", s.proposalHistory)
	mux.HandleFunc("GET /proposals/{proposal}/edit", s.editProposalForm)
	mux.HandleFunc("POST /proposals/{proposal}/edit", s.editProposal)
	mux.HandleFunc("GET /proposals/{proposal}/counter", s.counterForm)
	mux.HandleFunc("POST /proposals/{proposal}/counter", s.counterProposal)
	mux.HandleFunc("POST /proposals/{proposal}/{act}", s.proposalAct)

	mux.HandleFunc("GET /p/{process}/memos", s.memosPage)
	mux.HandleFunc("POST /p/{process}/memos", s.createMemo)
	mux.HandleFunc("GET /memos/{memo}", s.memoPage)
	mux.HandleFunc("GET /memos/{memo}/body", s.memoBody)
	mux.HandleFunc("GET /memos/{memo}/clause/{clause}", s.memoClause)
	mux.HandleFunc("GET /memos/{memo}/print", s.memoPrint)
	mux.HandleFunc("GET /memos/{memo}/print.pdf", s.memoPDF)
	mux.HandleFunc("POST /memos/{memo}/editing", s.memoEditing)
	mux.HandleFunc("GET /memos/{memo}/presence", s.memoPresence)
	mux.HandleFunc("POST /memos/{memo}/{act}", s.memoAct)

	mux.HandleFunc("GET /memos/compare", s.draftsCompare)
	mux.HandleFunc("GET /memos/{memo}/versions", s.memoVersionsPage)
	mux.HandleFunc("POST /memos/{memo}/versions", s.nameMemoVersion)
	mux.HandleFunc("GET /memos/{memo}/compare", s.memoCompare)

	mux.HandleFunc("GET /p/{process}/meetings", s.meetingsPage)
	mux.HandleFunc("POST /p/{process}/meetings", s.scheduleMeeting)
	mux.HandleFunc("POST /p/{process}/calendar", s.makeCalendarFeed)
	mux.HandleFunc("GET /meetings/{meeting}", s.meetingPage)
	mux.HandleFunc("GET /meetings/{meeting}/body", s.meetingBody)
	mux.HandleFunc("GET /meetings/{meeting}/invite.ics", s.meetingICS)
	mux.HandleFunc("POST /meetings/{meeting}/{act}", s.meetingAct)
	mux.HandleFunc("GET /calendar/{feed}", s.calendarFeed)

	mux.HandleFunc("GET /p/{process}/truces", s.trucesPage)
	mux.HandleFunc("POST /p/{process}/truce-rules", s.setTruceRules)
	mux.HandleFunc("GET /truces/{truce}", s.trucePage)
	mux.HandleFunc("GET /truces/{truce}/body", s.truceBody)
	mux.HandleFunc("GET /truces/{truce}/export/{file}", s.truceExport)
	mux.HandleFunc("GET /truces/{truce}/map.svg", s.mapSVG)
	mux.HandleFunc("GET /proposals/{proposal}/map.svg", s.mapSVG)
	mux.HandleFunc("POST /truces/{truce}/{act}", s.truceAct)
	mux.HandleFunc("GET /attachments/{hash}", s.attachment)

	mux.HandleFunc("GET /g/{group}/notifications", s.notificationsPage)
	mux.HandleFunc("GET /g/{group}/notifications/body", s.notificationsBody)
	mux.HandleFunc("POST /g/{group}/notifications", s.notify)
	mux.HandleFunc("POST /g/{group}/notice-period", s.setNoticePeriod)
	mux.HandleFunc("POST /notifications/{notification}/{act}", s.notificationAct)

	mux.HandleFunc("GET /g/{group}/exchanges", s.exchangesPage)
	mux.HandleFunc("POST /g/{group}/exchanges", s.createExchange)
	mux.HandleFunc("GET /exchanges/{exchange}", s.exchangePage)
	mux.HandleFunc("GET /exchanges/{exchange}/body", s.exchangeBody)
	mux.HandleFunc("POST /exchanges/{exchange}/{act}", s.exchangeAct)
	mux.HandleFunc("POST /exchanges/{exchange}/import", s.importList)
	mux.HandleFunc("GET /exchanges/{exchange}/lists/{party}/{list}", s.exchangeListPage)
	mux.HandleFunc("GET /exchanges/{exchange}/lists/{party}/{list}/export/{format}", s.exchangeListExport)
	mux.HandleFunc("POST /exchanges/{exchange}/reconcile", s.reconcileLists)
	mux.HandleFunc("GET /exchanges/{exchange}/pairs/{party}", s.exchangePairsPage)
	mux.HandleFunc("POST /pairs/{pair}/answer", s.answerPair)
	mux.HandleFunc("GET /exchanges/{exchange}/people/{party}", s.exchangePeoplePage)
	mux.HandleFunc("POST /pairs/{pair}/step", s.recordStep)
	mux.HandleFunc("POST /exchanges/{exchange}/stages/{number}/{act}", s.stageAct)
	mux.HandleFunc("GET /p/{process}/access-log", s.accessLogPage)

	mux.HandleFunc("GET /g/{group}/remains", s.remainsPage)
	mux.HandleFunc("GET /g/{group}/remains/body", s.remainsBody)
	mux.HandleFunc("POST /g/{group}/remains", s.recordRemains)
	mux.HandleFunc("POST /remains/{transfer}/acknowledge", s.acknowledgeRemains)

	mux.HandleFunc("GET /p/{process}/statements", s.statementsPage)
	mux.HandleFunc("POST /p/{process}/statements", s.draftStatement)
	mux.HandleFunc("POST /p/{process}/statement-rules", s.setStatementRules)
	mux.HandleFunc("GET /statements/{statement}", s.statementPage)
	mux.HandleFunc("POST /statements/{statement}/{act}", s.statementAct)

	mux.HandleFunc("GET /public", s.publicIndex)
	mux.HandleFunc("GET /public/{$}", publicSlash)
	mux.HandleFunc("GET /public/{process}", s.publicProcess)
	mux.HandleFunc("GET /public/{process}/feed.atom", s.publicAtom)
	mux.HandleFunc("GET /public/{process}/feed.json", s.publicJSONFeed)

	mux.HandleFunc("GET /s/{space}", s.spacePage)
	mux.HandleFunc("POST /s/{space}/threads", s.startThread)
	mux.HandleFunc("GET /t/{thread}", s.threadPage)
	mux.HandleFunc("GET /t/{thread}/messages", s.threadMessages)
	mux.HandleFunc("POST /t/{thread}/messages", s.postMessage)
	mux.HandleFunc("POST /t/{thread}/read", s.markRead)
	mux.HandleFunc("GET /m/{message}/edit", s.editMessageForm)
	mux.HandleFunc("POST /m/{message}/edit", s.editMessage)
	mux.HandleFunc("GET /m/{message}/history", s.messageHistory)

	mux.HandleFunc("GET /events", s.events)

	mux.HandleFunc("GET /record/{seq}", s.entryPage)
	mux.HandleFunc("GET /log/key", s.logKey)
	mux.HandleFunc("GET /log/checkpoint", s.logCheckpoint)
	mux.HandleFunc("GET /log/tile/{path...}", s.logTile)
	mux.HandleFunc("GET /log/proof/inclusion", s.proveInclusion)
	mux.HandleFunc("GET /log/proof/consistency", s.proveConsistency)
	mux.HandleFunc("POST /log/cosignature", s.cosign)
	mux.HandleFunc("GET /log/witnesses", s.logWitnesses)
}
