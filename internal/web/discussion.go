package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-talks/parley"
)

func asError(err error, e **parley.Error) bool { return errors.As(err, e) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

type spacePage struct {
	*processView
	Space   spaceView
	Threads []parley.Thread
	CanPost bool
}

// loadSpace reads space id with its process, for a page about it.
func (s *Server) loadSpace(r *http.Request, p *page, id string) (*spacePage, error) {
	ctx := r.Context()
	sp, err := s.db.Space(ctx, p.Actor, id)
	if err != nil {
		return nil, err
	}
	v, err := s.loadProcess(ctx, p.Actor, sp.ProcessID, p.Lang)
	if err != nil {
		return nil, err
	}
	out := &spacePage{processView: v, CanPost: parley.Allowed(p.Actor, parley.ActPost, sp)}
	for _, x := range v.Spaces {
		if x.ID == sp.ID {
			out.Space = x
		}
	}
	p.withNav(v)
	return out, nil
}

func (s *Server) spacePage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "space.title")
	s.showSpace(w, r, p, http.StatusOK)
}

func (s *Server) showSpace(w http.ResponseWriter, r *http.Request, p *page, status int) {
	sp, err := s.loadSpace(r, p, r.PathValue("space"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if sp.Threads, err = s.db.Threads(r.Context(), p.Actor, sp.Space.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = sp
	s.render(w, r, status, "space.html", p)
}

func (s *Server) startThread(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	cmd := parley.StartThread{SpaceID: r.PathValue("space"), Title: r.PostForm.Get("title"), Body: r.PostForm.Get("body")}
	evs, err := s.svc.Do(r.Context(), requestActor(r.Context()), cmd)
	if err != nil {
		if parley.ErrorCode(err) == parley.EINVALID {
			p := s.page(r, "space.title")
			p.Form, p.Errors = r.PostForm, fields(err)
			s.showSpace(w, r, p, http.StatusBadRequest)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/t/"+evs[0].Data.(*parley.ThreadStarted).ThreadID, http.StatusSeeOther)
}

func fields(err error) map[string]string {
	var e *parley.Error
	if errors.As(err, &e) {
		if len(e.Fields) > 0 {
			return e.Fields
		}
		return map[string]string{"": e.Message}
	}
	return nil
}

type threadPage struct {
	*spacePage
	Thread   parley.Thread
	Messages []parley.Message
	LastSeq  int64
}

func (s *Server) loadThread(r *http.Request, p *page) (*threadPage, error) {
	ctx := r.Context()
	t, err := s.db.Thread(ctx, p.Actor, r.PathValue("thread"))
	if err != nil {
		return nil, err
	}
	ms, err := s.db.Messages(ctx, p.Actor, t.ID)
	if err != nil {
		return nil, err
	}
	var last int64
	for _, m := range ms {
		last = max(last, m.Seq)
	}
	// Opening a thread reads it, before the unread counts of the
	// navigation are taken.
	if last > 0 {
		if err := s.db.MarkRead(ctx, p.Actor, t.ID, last); err != nil {
			return nil, err
		}
	}
	sp, err := s.loadSpace(r, p, t.SpaceID)
	if err != nil {
		return nil, err
	}
	return &threadPage{spacePage: sp, Thread: t, Messages: ms, LastSeq: last}, nil
}

func (s *Server) threadPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "thread.title")
	s.showThread(w, r, p, http.StatusOK)
}

func (s *Server) showThread(w http.ResponseWriter, r *http.Request, p *page, status int) {
	tp, err := s.loadThread(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = tp
	s.render(w, r, status, "thread.html", p)
}

// threadMessages is the list of a thread's messages alone, which the page
// fetches again when the live stream says the thread changed.
func (s *Server) threadMessages(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "thread.title")
	tp, err := s.loadThread(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = tp
	s.renderFragment(w, r, "thread.html", "messages", p)
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("thread")
	_, err := s.svc.Do(r.Context(), requestActor(r.Context()), parley.PostMessage{ThreadID: id, Body: r.PostForm.Get("body")})
	if err != nil {
		if parley.ErrorCode(err) == parley.EINVALID {
			p := s.page(r, "thread.title")
			p.Form, p.Errors = r.PostForm, fields(err)
			s.showThread(w, r, p, http.StatusBadRequest)
			return
		}
		s.fail(w, r, err)
		return
	}
	next := "/t/" + id + "#end"
	if ret := r.PostForm.Get("return"); strings.HasPrefix(ret, "/meetings/") && !strings.ContainsAny(ret, "\\\r\n") {
		// Posted from a meeting's page: back to it.
		next = ret
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) markRead(w http.ResponseWriter, r *http.Request) {
	a, ok := s.member(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	seq, err := strconv.ParseInt(r.PostForm.Get("seq"), 10, 64)
	if err != nil || seq < 0 {
		s.fail(w, r, parley.Errorf(parley.EINVALID, "The form could not be read."))
		return
	}
	if err := s.db.MarkRead(r.Context(), a, r.PathValue("thread"), seq); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type messagePage struct {
	*spacePage
	Message   parley.Message
	Revisions []parley.MessageRevision
}

func (s *Server) loadMessage(r *http.Request, p *page) (*messagePage, error) {
	m, err := s.db.Message(r.Context(), p.Actor, r.PathValue("message"))
	if err != nil {
		return nil, err
	}
	sp, err := s.loadSpace(r, p, m.SpaceID)
	if err != nil {
		return nil, err
	}
	return &messagePage{spacePage: sp, Message: m}, nil
}

func (s *Server) editMessageForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "message.edit")
	mp, err := s.loadMessage(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = mp
	s.render(w, r, http.StatusOK, "message-edit.html", p)
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	cmd := parley.EditMessage{MessageID: r.PathValue("message"), Body: r.PostForm.Get("body"), Version: atoi(r.PostForm.Get("version"))}
	_, err := s.svc.Do(r.Context(), requestActor(r.Context()), cmd)
	if err != nil {
		code := parley.ErrorCode(err)
		if code == parley.EINVALID || code == parley.ECONFLICT {
			p := s.page(r, "message.edit")
			mp, lerr := s.loadMessage(r, p)
			if lerr != nil {
				s.fail(w, r, lerr)
				return
			}
			p.Form, p.Errors, p.Data = r.PostForm, fields(err), mp
			s.render(w, r, status(code), "message-edit.html", p)
			return
		}
		s.fail(w, r, err)
		return
	}
	m, err := s.db.Message(r.Context(), requestActor(r.Context()), cmd.MessageID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/t/"+m.ThreadID+"#m-"+m.ID, http.StatusSeeOther)
}

func (s *Server) messageHistory(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.member(w, r); !ok {
		return
	}
	p := s.page(r, "message.history")
	mp, err := s.loadMessage(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if mp.Revisions, err = s.db.Revisions(r.Context(), p.Actor, mp.Message.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = mp
	s.render(w, r, http.StatusOK, "message-history.html", p)
}
