package storetest

import "testing"

func TestSQLite(t *testing.T) { Run(t, OpenSQLite) }

func TestPostgres(t *testing.T) { Run(t, OpenPostgres) }
