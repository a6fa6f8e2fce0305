package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/parley-talks/parley/internal/auth"
	"github.com/parley-talks/parley/internal/demo"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// demoCmd is `parley demo`.
type demoCmd struct {
	Addr string `name:"addr" env:"PARLEY_ADDR" default:"127.0.0.1:8080" help:"Address to listen on."`
}

func (c *demoCmd) Run(e *env, g *cli) error {
	if g.DB == "" && g.Data == "parley-data" {
		g.Data = "parley-data/demo" // keep the demo apart from a real server's data
	}
	sc, err := demo.Load()
	if err != nil {
		return err
	}
	return serve(e, g, serverOptions{addr: c.Addr, demo: true,
		ready: func(ctx context.Context, url string, db *store.DB, svc *service.Service) error {
			fresh, err := sc.Install(ctx, db, svc, auth.DefaultParams)
			if err != nil {
				return err
			}
			if fresh {
				fmt.Fprintln(e.stdout, "Loaded the demo negotiation into", g.dsn())
			} else {
				fmt.Fprintln(e.stdout, "Reusing the demo database", g.dsn(), "(delete it to start over)")
			}
			fmt.Fprintf(e.stdout, "\nOpen %s and sign in with one of these accounts (second factor waived for the demo):\n\n", url)
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ROLE\tNAME\tUSER NAME\tPASSWORD")
			for _, a := range sc.Accounts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Role, a.Name, a.Username, a.Password())
			}
			tw.Flush()
			fmt.Fprintln(e.stdout)
			return nil
		}})
}
