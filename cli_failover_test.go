package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/callstore/callstore/store"
)

// The failover test needs pg_auto_failover (Debian's postgresql-15-auto-failover) and starts a
// monitor and three nodes of its own: it runs when CALLSTORE_TEST_FAILOVER=1 (.ci/run sets it).
const failoverEnv = "CALLSTORE_TEST_FAILOVER"

// TestFailoverPostgres kills the primary of a 3-node synchronous PostgreSQL cluster
// (scripts/pgcluster.sh: pg_auto_failover, tuned health checks) with kill -9 while clients stream
// 500-call bulk deletes through callstore, and checks what the issue asks:
//   - every deletion callstore acknowledged (200 {"deleted": 500}) is absent on every node;
//   - no batch is partial on any node: its 500 calls are all there or all gone, whatever callstore
//     answered;
//   - an acknowledged count is always the true one (500: every call of a batch is terminal and was
//     deleted by that request alone);
//   - callstore answers again after the failover without a restart;
//   - the killed node rejoins as a standby.
//
// It prints the figures: deletes acknowledged, lost (must be 0), and the time from the kill to the
// first acknowledged delete after it.
func TestFailoverPostgres(t *testing.T) {
	if os.Getenv(failoverEnv) != "1" {
		t.Skipf("set %s=1 to run the failover test (it starts a pg_auto_failover cluster)", failoverEnv)
	}
	if testing.Short() {
		t.Skip("-short")
	}
	// The cluster's servers run as the postgres user when the test runs as root: its folder must
	// be one that user can reach (t.TempDir's parent is private to this process's user).
	dir, err := os.MkdirTemp("", "callstore-failover-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	cluster := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("scripts/pgcluster.sh", append(args[:1:1], append([]string{dir}, args[1:]...)...)...)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pgcluster.sh %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	began := time.Now()
	url := cluster("start")
	t.Cleanup(func() { cluster("stop") })
	t.Logf("cluster up in %s: %s", time.Since(began).Round(time.Second), url)

	// callstore over the cluster, as `serve -db <multi-host URL>` runs it.
	// Its errors are printed: a request that fails during the failover says why.
	base := serveDBLog(t, url, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	companyKey := failoverCompany(t, url)

	// The data: batches of 500 terminal calls, each with two messages.
	const batches, perBatch = 24, 500
	ids := make([][]string, batches)
	for b := range ids {
		var nd strings.Builder
		for i := range perBatch {
			id := fmt.Sprintf("0190a1b2-%04x-7000-8000-%012x", b, i)
			ids[b] = append(ids[b], id)
			fmt.Fprintf(&nd, `{"id":%q,"status":"completed","type":"outbound","contact":{"identifier":"+3460%07d"},"created_date":"2026-01-01T00:00:00Z","messages":[{"role":"user","content":"hola"},{"role":"assistant","content":"adiós"}]}`+"\n", id, b*perBatch+i)
		}
		code, body := httpDo(t, "POST", base+"/v1/call/import", companyKey, nd.String())
		if code != 200 || !strings.Contains(body, fmt.Sprintf(`"imported":%d`, perBatch)) {
			t.Fatalf("import of batch %d: %d %s", b, code, body)
		}
	}

	// Two clients stream the bulk deletes; the primary is killed once three are acknowledged.
	type outcome struct {
		code    int
		body    string
		at      time.Time
		err     error
		deleted int64
	}
	results := make([]outcome, batches)
	var (
		mu      sync.Mutex
		next    int
		acked   int
		killed  time.Time
		killNow = make(chan struct{})
	)
	client := &http.Client{Timeout: 90 * time.Second}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				mu.Lock()
				b := next
				next++
				mu.Unlock()
				if b >= batches {
					return
				}
				body, _ := json.Marshal(map[string][]string{"call_ids": ids[b]})
				req, _ := http.NewRequest("POST", base+"/v1/call/bulk-delete", strings.NewReader(string(body)))
				req.Header.Set("Authorization", "Bearer "+companyKey)
				req.Header.Set("Content-Type", "application/json")
				o := outcome{}
				resp, err := client.Do(req)
				if err != nil {
					o.err = err
				} else {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					o.code, o.body = resp.StatusCode, string(b)
					var d struct{ Deleted int64 }
					if o.code == 200 && json.Unmarshal(b, &d) == nil {
						o.deleted = d.Deleted
					}
				}
				o.at = time.Now()
				mu.Lock()
				results[b] = o
				if o.code == 200 {
					acked++
					if acked == 3 {
						close(killNow)
					}
				}
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	select {
	case <-killNow:
	case <-time.After(2 * time.Minute):
		t.Fatal("no three deletes acknowledged before the kill")
	}
	// The whole primary node dies (its postgres and its pg_auto_failover keeper: a keeper alone
	// would restart its postgres within seconds, and there would be no failover to test).
	line := cluster("kill-primary", "--node")
	mu.Lock()
	killed = time.Now()
	mu.Unlock()
	t.Logf("killed the primary: %s", line)
	wg.Wait()

	// The figures.
	var ack, failed int
	firstAfter := time.Duration(-1)
	for b, o := range results {
		switch {
		case o.code == 200:
			ack++
			if o.deleted != perBatch {
				t.Errorf("batch %d: acknowledged with deleted=%d, but each batch deletes %d calls", b, o.deleted, perBatch)
			}
			if o.at.After(killed) && (firstAfter < 0 || o.at.Sub(killed) < firstAfter) {
				firstAfter = o.at.Sub(killed)
			}
		default:
			failed++
			t.Logf("batch %d not acknowledged: %d %s %v", b, o.code, strings.TrimSpace(o.body), o.err)
		}
	}
	if firstAfter < 0 {
		t.Fatal("callstore acknowledged no delete after the failover")
	}

	// The dead machine comes back: its keeper finds a new primary and rejoins as a standby.
	cluster("revive")
	healed := cluster("wait-healthy", "300")
	t.Logf("cluster healthy again, the killed node back as a standby, %s s after the kill", healed)

	// Every node: acknowledged batches absent, no batch partial. A standby may replay the last
	// commits a moment after the primary acknowledged them: wait for it, up to a minute.
	lost := 0
	for _, port := range nodePorts(t) {
		deadline := time.Now().Add(time.Minute)
		for {
			present, err := presentPerBatch(port, ids)
			if err != nil {
				if time.Now().After(deadline) {
					t.Fatalf("node %d: %v", port, err)
				}
				time.Sleep(time.Second)
				continue
			}
			var problems []string
			lostHere := 0
			for b, n := range present {
				if n != 0 && n != perBatch {
					problems = append(problems, fmt.Sprintf("batch %d is partial: %d of %d calls left", b, n, perBatch))
				}
				if results[b].code == 200 && n != 0 {
					lostHere++
					problems = append(problems, fmt.Sprintf("batch %d was acknowledged but %d of its calls are back", b, n))
				}
			}
			if len(problems) == 0 {
				break
			}
			if time.Now().After(deadline) {
				lost = max(lost, lostHere)
				t.Errorf("node %d: %s", port, strings.Join(problems, "; "))
				break
			}
			time.Sleep(time.Second)
		}
	}
	fmt.Printf("failover: %d bulk deletes of %d calls acknowledged, %d not acknowledged, lost = %d; first acknowledged delete %s after the kill; cluster healthy again %s s after the kill\n",
		ack, perBatch, failed, lost, firstAfter.Round(10*time.Millisecond), healed)
}

// failoverCompany creates a company and an unrestricted key in the cluster's database.
func failoverCompany(t *testing.T, url string) string {
	t.Helper()
	s, closeStore, err := openStore(context.Background(), env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}, url, cliLogger(env{stderr: io.Discard}))
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	c, err := s.CreateCompany(context.Background(), "failover")
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.CreateAPIKey(context.Background(), c.ID, nil, store.APIKeyInput{Name: "failover"})
	if err != nil {
		t.Fatal(err)
	}
	return *k.Value
}

// nodePorts are the data nodes' ports (scripts/pgcluster.sh: PGCLUSTER_BASE_PORT + 1..3).
func nodePorts(t *testing.T) []int {
	base := 56000
	if v := os.Getenv("PGCLUSTER_BASE_PORT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		base = n
	}
	return []int{base + 1, base + 2, base + 3}
}

// presentPerBatch counts, on one node, how many calls of each batch are still stored.
func presentPerBatch(port int, ids [][]string) ([]int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	user := "postgres"
	c, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s@127.0.0.1:%d/callstore?sslmode=disable", user, port))
	if err != nil {
		return nil, err
	}
	defer c.Close(ctx)
	out := make([]int, len(ids))
	for b := range ids {
		if err := c.QueryRow(ctx, "SELECT count(*) FROM calls WHERE id = ANY($1)", ids[b]).Scan(&out[b]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
