package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/callstore/callstore/store"
)

// The administration commands: companies and their API keys. Each checks its flags, then that the
// database file exists, before it opens anything: a typo never creates or migrates a file.

const companyUsage = `usage: callstore company create -db F -name N
       callstore company list   -db F
       callstore company set    -db F -company ID -retention 90d|off`

const apikeyUsage = `usage: callstore apikey create -db F -company ID -name N [-permissions p1,p2] [-expires RFC3339]
       callstore apikey list   -db F -company ID
       callstore apikey revoke -db F -company ID -key KEYID
       callstore apikey rotate -db F -company ID -key KEYID`

// subcommand picks the subcommand of a command group (company, apikey, app) from args: its name and
// the arguments after it. Without one it prints usage and fails; with -h it prints usage and
// returns the name "" and no error.
func subcommand(args []string, e env, group, usage string, names ...string) (name string, rest []string, err error) {
	if len(args) > 0 && slices.Contains(names, args[0]) {
		return args[0], args[1:], nil
	}
	fmt.Fprintln(e.stderr, usage)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		return "", nil, nil
	}
	return "", nil, fmt.Errorf("%s: expected a subcommand: %s", group, strings.Join(names, ", "))
}

// required fails, naming the flag, when one of the named flags was left empty.
func required(fs *flag.FlagSet, names ...string) error {
	for _, n := range names {
		if strings.TrimSpace(fs.Lookup(n).Value.String()) == "" {
			return fmt.Errorf("-%s is required", n)
		}
	}
	return nil
}

// printJSONLines prints each value as one line of JSON: a list that reads as a table and pipes into jq.
func printJSONLines[T any](e env, vs []T) error {
	enc := json.NewEncoder(e.stdout)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}

func runCompany(ctx context.Context, args []string, e env) error {
	sub, args, err := subcommand(args, e, "company", companyUsage, "create", "list", "set")
	if sub == "" {
		return err
	}
	fs := newFlags("company "+sub, e)
	path := dbFlag(fs, e)
	var name, company, retention *string
	switch sub {
	case "create":
		name = fs.String("name", "", "company name (required)")
	case "set":
		company = fs.String("company", "", "company id (required)")
		retention = fs.String("retention", "", "keep terminal calls this long, in days (90d), or off to keep them for ever (required)")
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	var days *int64
	switch sub {
	case "create":
		if err := required(fs, "name"); err != nil {
			return err
		}
	case "set":
		if err := required(fs, "company", "retention"); err != nil {
			return err
		}
		if *retention != "off" {
			n, err := parseDays(*retention)
			if err != nil {
				return fmt.Errorf("-retention: %w", err)
			}
			days = &n
		}
	}
	if sub != "create" {
		if err := mustExist(*path); err != nil {
			return err
		}
	}
	s, closeStore, err := openStore(ctx, e, *path, cliLogger(e))
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "list":
		cs, err := s.ListCompanies(ctx)
		if err != nil {
			return err
		}
		return printJSONLines(e, cs)
	case "set":
		if err := s.SetRetention(ctx, *company, days); err != nil {
			return err
		}
		c, err := s.GetCompany(ctx, *company)
		if err != nil {
			return err
		}
		return printJSON(e, c)
	}
	c, err := s.CreateCompany(ctx, *name)
	if err != nil {
		return err
	}
	return printJSON(e, map[string]string{"id": c.ID, "name": c.Name})
}

func runAPIKey(ctx context.Context, args []string, e env) error {
	sub, args, err := subcommand(args, e, "apikey", apikeyUsage, "create", "list", "revoke", "rotate")
	if sub == "" {
		return err
	}
	fs := newFlags("apikey "+sub, e)
	path := dbFlag(fs, e)
	company := fs.String("company", "", "company id (required; callstore company list shows them)")
	var name, perms, expires, key *string
	switch sub {
	case "create":
		name = fs.String("name", "", "key name (required)")
		perms = fs.String("permissions", "", "comma-separated permissions; without it the key is unrestricted")
		expires = fs.String("expires", "", "expiry as RFC 3339 date-time (optional)")
	case "revoke", "rotate":
		key = fs.String("key", "", "the key's id (required; callstore apikey list shows them)")
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	need := map[string][]string{"create": {"company", "name"}, "list": {"company"}, "revoke": {"company", "key"}, "rotate": {"company", "key"}}
	if err := required(fs, need[sub]...); err != nil {
		return err
	}
	var in store.APIKeyInput
	if sub == "create" {
		in.Name = *name
		in.Restricted, in.Permissions = splitPermissions(*perms)
		if *expires != "" {
			t, err := time.Parse(time.RFC3339, *expires)
			if err != nil {
				return fmt.Errorf("-expires must be an RFC 3339 date-time such as 2027-01-01T00:00:00Z, not %q", *expires)
			}
			in.ExpiryDate = &t
		}
	}
	if err := mustExist(*path); err != nil {
		return err
	}
	s, closeStore, err := openStore(ctx, e, *path, cliLogger(e))
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "list":
		keys, err := s.ListCompanyAPIKeys(ctx, *company)
		if err != nil {
			return err
		}
		return printJSONLines(e, keys)
	case "revoke":
		if err := s.RevokeAPIKey(ctx, *company, *key); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "API key %s revoked: it no longer authenticates\n", *key)
		return nil
	case "rotate":
		k, err := s.RotateAPIKey(ctx, *company, *key)
		if err != nil {
			return err
		}
		return printJSON(e, k)
	}
	k, err := s.CreateAPIKey(ctx, *company, nil, in)
	if err != nil {
		return err
	}
	return printJSON(e, k)
}
