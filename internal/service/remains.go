package service

import (
	"fmt"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/store"
)

// decideRemains decides the commands about transfers of remains.
func decideRemains(tx *store.Tx, a parley.Actor, cmd parley.Command, env parley.Env) ([]parley.Event, error) {
	switch c := cmd.(type) {
	case parley.RecordRemains:
		set, err := tx.GroupRemainsSetting(c.GroupID)
		if err != nil {
			return nil, err
		}
		return parley.DecideRecordRemains(a, set, c, env)
	case parley.AcknowledgeRemains:
		set, err := tx.RemainsSetting(c.TransferID)
		if err != nil {
			return nil, err
		}
		return parley.DecideAcknowledgeRemains(a, set, c, env)
	}
	return nil, fmt.Errorf("service: no decision for %T", cmd)
}
