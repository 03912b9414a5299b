package main

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/store"
)

// TestSeedPrintsKeysFirst: each company's key is printed as soon as the company exists, so a seed
// interrupted later leaves no company whose key was never shown.
func TestSeedPrintsKeysFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"seed", "-db", path, "-calls", "2000000", "-companies", "2"}, func(string) string { return "" }, &stdout, &stderr)
	}()
	keyLine := regexp.MustCompile(`company seed-2 \(\S+\) API key: (cs_[0-9a-f]{48})`)
	var key string
	for deadline := time.Now().Add(30 * time.Second); key == ""; time.Sleep(10 * time.Millisecond) {
		if m := keyLine.FindStringSubmatch(stdout.String()); m != nil {
			key = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no key printed: %q %q", stdout.String(), stderr.String())
		}
	}
	cancel() // interrupted long before two million calls
	if err := <-done; err == nil {
		t.Fatal("an interrupted seed reported success")
	}
	d, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := store.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Authenticate(context.Background(), key); err != nil {
		t.Fatalf("the printed key does not authenticate: %v", err)
	}
}
