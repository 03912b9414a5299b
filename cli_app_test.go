package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestAppCreate(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "t.db")
	getenv := func(string) string { return "" }
	runOut := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(ctx, args, getenv, &out, &errb)
		return out.String(), err
	}
	out, err := runOut("company", "create", "-db", dbPath, "-name", "acme")
	if err != nil {
		t.Fatal(err)
	}
	var company struct{ ID string }
	if err := json.Unmarshal([]byte(out), &company); err != nil || company.ID == "" {
		t.Fatalf("company create printed %q (%v)", out, err)
	}

	t.Run("OK", func(t *testing.T) {
		out, err := runOut("app", "create", "-db", dbPath, "-company", company.ID, "-name", "agentassist", "-permissions", "contacts.delete, contacts.view")
		if err != nil {
			t.Fatal(err)
		}
		var app map[string]any
		if err := json.Unmarshal([]byte(out), &app); err != nil {
			t.Fatalf("printed %q: %v", out, err)
		}
		perms, _ := app["permissions"].([]any)
		if app["client_id"] == "" || !strings.HasPrefix(app["client_secret"].(string), "cs_app_") || app["company_id"] != company.ID ||
			app["name"] != "agentassist" || len(perms) != 2 || len(app) != 5 {
			t.Fatalf("app = %s", out)
		}
	})
	t.Run("OKUnrestricted", func(t *testing.T) {
		out, err := runOut("app", "create", "-db", dbPath, "-company", company.ID, "-name", "all")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, `"permissions": null`) {
			t.Fatalf("app = %s", out)
		}
	})
	t.Run("Err", func(t *testing.T) {
		for _, args := range [][]string{
			{"app"},
			{"app", "create", "-db", dbPath, "-company", "nope", "-name", "x"},
			{"app", "create", "-db", dbPath, "-company", company.ID, "-name", ""},
			{"app", "create", "-db", dbPath, "-company", company.ID, "-name", "x", "-permissions", "contacts.nuke"},
			{"serve", "-db", dbPath, "-token-ttl", "0s"},
		} {
			if _, err := runOut(args...); err == nil {
				t.Fatalf("%v: no error", args)
			}
		}
	})
}
