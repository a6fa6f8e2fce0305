package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/parley-talks/parley"
)

// notificationAPI registers the operations of humanitarian notifications.
// Each write checks who may do it before the command's input is
// validated, so that a refusal is the policy's.
func (s *Server) notificationAPI(api huma.API) {
	op := func(id, method, path, summary string) huma.Operation {
		o := huma.Operation{OperationID: id, Method: method, Path: "/api/v1" + path, Summary: summary, Tags: []string{"notifications"}}
		if method == http.MethodPost {
			o.DefaultStatus = http.StatusCreated
		}
		return o
	}
	// do checks may as the caller, then executes cmd.
	do := func(ctx context.Context, may func(parley.Actor) error, cmd parley.Command) ([]parley.Event, error) {
		a, err := s.apiActor(ctx)
		if err != nil {
			return nil, err
		}
		if err := may(a); err != nil {
			return nil, s.apiFail(ctx, err)
		}
		return s.apiDo(ctx, cmd)
	}
	done := func(evs []parley.Event, err error) (*body[Done], error) {
		if err != nil {
			return nil, err
		}
		return &body[Done]{Body: Done{Seq: last(evs)}}, nil
	}
	onNotification := func(ctx context.Context, id, act string) func(parley.Actor) error {
		return func(a parley.Actor) error {
			_, err := s.mayActOnNotification(ctx, a, id, act)
			return err
		}
	}
	type textBody struct {
		ID   string `path:"id" maxLength:"64"`
		Body struct {
			Text string `json:"text" maxLength:"20000"`
		}
	}

	huma.Register(api, op("list-notifications", http.MethodGet, "/groups/{id}/notifications",
		"Humanitarian notifications of a working group whose space I may read, by their start; status is as recorded (done: see ends)"),
		func(ctx context.Context, in *idPath) (*body[[]parley.Notification], error) {
			return read(s, ctx, func(a parley.Actor) ([]parley.Notification, error) {
				if _, _, err := s.noticeGroup(ctx, a, in.ID); err != nil {
					return nil, err
				}
				return s.db.Notifications(ctx, a, in.ID)
			})
		})
	huma.Register(api, op("get-notification", http.MethodGet, "/notifications/{id}",
		"A humanitarian notification with its questions and answers"),
		func(ctx context.Context, in *idPath) (*body[parley.Notification], error) {
			return read(s, ctx, func(a parley.Actor) (parley.Notification, error) { return s.db.Notification(ctx, a, in.ID) })
		})
	huma.Register(api, op("notify", http.MethodPost, "/groups/{id}/notifications",
		"Notify the other side of an evacuation, a convoy or a corridor: route, optional points (longitude, latitude), window in a time zone, purpose or cargo; "+
			"the start must allow the group's notice period, unless short_notice is set with a reason (a side's head or delegate in the group)"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				ToParty string `json:"to_party,omitempty" doc:"The side notified; may be left out where there is only one other."`
				parley.NotificationTerms
				ShortNotice       bool   `json:"short_notice,omitempty" doc:"An emergency sent with less notice than the group requires."`
				ShortNoticeReason string `json:"short_notice_reason,omitempty" doc:"Why it cannot wait; required with short_notice."`
			}
		}) (*body[Created], error) {
			cmd := parley.Notify{GroupID: in.ID, ToParty: in.Body.ToParty, NotificationTerms: in.Body.NotificationTerms,
				ShortNotice: in.Body.ShortNotice, ShortNoticeReason: in.Body.ShortNoticeReason}
			evs, err := do(ctx, func(a parley.Actor) error { return s.mayNotify(ctx, a, in.ID, false) }, cmd)
			if err != nil {
				return nil, err
			}
			return &body[Created]{Body: Created{ID: evs[0].Data.(*parley.NotificationSent).NotificationID, Seq: last(evs)}}, nil
		})
	huma.Register(api, op("set-notice-period", http.MethodPut, "/groups/{id}/notice-period",
		"Set how many hours before its start a notification must be sent in the working group, 0 to 720 (mediator)"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Hours int `json:"hours"`
			}
		}) (*body[Done], error) {
			return done(do(ctx, func(a parley.Actor) error { return s.mayNotify(ctx, a, in.ID, true) },
				parley.SetNoticePeriod{GroupID: in.ID, Hours: in.Body.Hours}))
		})
	huma.Register(api, op("acknowledge-notification", http.MethodPost, "/notifications/{id}/acknowledge",
		"The side notified acknowledges the notification, once"),
		func(ctx context.Context, in *idPath) (*body[Done], error) {
			return done(do(ctx, onNotification(ctx, in.ID, parley.NotificationAcknowledge), parley.AcknowledgeNotification{NotificationID: in.ID}))
		})
	huma.Register(api, op("question-notification", http.MethodPost, "/notifications/{id}/question",
		"The side notified questions the notification, one open question at a time"),
		func(ctx context.Context, in *textBody) (*body[Done], error) {
			return done(do(ctx, onNotification(ctx, in.ID, parley.NotificationQuestion), parley.QuestionNotification{NotificationID: in.ID, Text: in.Body.Text}))
		})
	huma.Register(api, op("answer-notification", http.MethodPost, "/notifications/{id}/answer",
		"The notifying side answers the open question"),
		func(ctx context.Context, in *textBody) (*body[Done], error) {
			return done(do(ctx, onNotification(ctx, in.ID, parley.NotificationAnswer), parley.AnswerNotification{NotificationID: in.ID, Text: in.Body.Text}))
		})
	huma.Register(api, op("cancel-notification", http.MethodPost, "/notifications/{id}/cancel",
		"The notifying side cancels the notification before its start"),
		func(ctx context.Context, in *struct {
			ID   string `path:"id" maxLength:"64"`
			Body struct {
				Reason string `json:"reason,omitempty" maxLength:"20000"`
			}
		}) (*body[Done], error) {
			return done(do(ctx, onNotification(ctx, in.ID, parley.NotificationCancel), parley.CancelNotification{NotificationID: in.ID, Reason: in.Body.Reason}))
		})
}
