package service

import (
	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// decideNotification decides the commands about humanitarian
// notifications; ok says cmd was one.
func decideNotification(tx *store.Tx, a parley.Actor, cmd parley.Command, env parley.Env) (evs []parley.Event, ok bool, err error) {
	act := func(id string, f func(parley.NotificationSetting) ([]parley.Event, error)) ([]parley.Event, bool, error) {
		set, err := tx.NotificationSetting(id)
		if err != nil {
			return nil, true, err
		}
		evs, err := f(set)
		return evs, true, err
	}
	switch c := cmd.(type) {
	case parley.SetNoticePeriod:
		sp, err := tx.GroupSpace(c.GroupID)
		if err != nil {
			return nil, true, err
		}
		evs, err := parley.DecideSetNoticePeriod(a, sp, c, env)
		return evs, true, err
	case parley.Notify:
		set, err := tx.NoticeSetting(c.GroupID)
		if err != nil {
			return nil, true, err
		}
		evs, err := parley.DecideNotify(a, set, c, env)
		return evs, true, err
	case parley.AcknowledgeNotification:
		return act(c.NotificationID, func(set parley.NotificationSetting) ([]parley.Event, error) {
			return parley.DecideAcknowledgeNotification(a, set, env)
		})
	case parley.QuestionNotification:
		return act(c.NotificationID, func(set parley.NotificationSetting) ([]parley.Event, error) {
			return parley.DecideQuestionNotification(a, set, c, env)
		})
	case parley.AnswerNotification:
		return act(c.NotificationID, func(set parley.NotificationSetting) ([]parley.Event, error) {
			return parley.DecideAnswerNotification(a, set, c, env)
		})
	case parley.CancelNotification:
		return act(c.NotificationID, func(set parley.NotificationSetting) ([]parley.Event, error) {
			return parley.DecideCancelNotification(a, set, c, env)
		})
	}
	return nil, false, nil
}
