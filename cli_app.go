package main

import (
	"context"

	"github.com/callstore/callstore/store"
)

// runApp serves `callstore app create`: a client app of the Kore.ai-style API, whose JWTs are
// signed (HS256) with the printed client_secret and carry the client_id in the claim appId.
func runApp(ctx context.Context, args []string, e env) error {
	sub, args, err := subcommand(args, e, "app", "usage: callstore app create -db F -company ID -name N [-permissions contacts.delete,...]", "create")
	if sub == "" {
		return err
	}
	fs := newFlags("app create", e)
	path := dbFlag(fs, e)
	company := fs.String("company", "", "company id (required)")
	name := fs.String("name", "", "app name (required)")
	perms := fs.String("permissions", "", "comma-separated permissions; without it the app is unrestricted")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := required(fs, "company", "name"); err != nil {
		return err
	}
	if err := mustExist(*path); err != nil {
		return err
	}
	in := store.AppInput{Name: *name}
	in.Restricted, in.Permissions = splitPermissions(*perms)
	s, closeStore, err := openStore(ctx, e, *path, cliLogger(e))
	if err != nil {
		return err
	}
	defer closeStore()
	a, err := s.CreateApp(ctx, *company, in)
	if err != nil {
		return err
	}
	return printJSON(e, map[string]any{
		"client_id": a.ClientID, "client_secret": a.ClientSecret, "company_id": a.CompanyID,
		"name": a.Name, "permissions": a.Permissions,
	})
}
