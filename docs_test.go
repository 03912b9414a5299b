package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// apiDoc is the API reference whose sh blocks form a walk-through that must keep working.
const apiDoc = "docs/api.md"

// TestDocsAPIWalkthrough runs every ```sh block of docs/api.md, in order and in one bash session
// (set -euo pipefail), against a real server on a fresh database: the callstore binary built from
// this tree, serving on a free loopback port. The doc reads its command, server and database from
// CALLSTORE, URL and DB, which this test sets. Every command must succeed, and every answer comment
// of the form `# 201 {"status":"dialing",…}` is checked: its status code must be among the ones
// that block received, in the same order, and each complete "field":value pair it shows must appear
// in the answers of that block (including answers captured into variables).
func TestDocsAPIWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("builds callstore and runs docs/api.md against it; skipped with -short")
	}
	var missing []string
	for _, tool := range []string{"bash", "curl", "openssl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("docs/api.md's walk-through needs bash, curl, openssl and python3; not found in PATH: %s", strings.Join(missing, ", "))
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI installs them: .ci/run)")
		}
		t.Skip(msg)
	}
	doc, err := os.ReadFile(apiDoc)
	if err != nil {
		t.Fatal(err)
	}
	blocks := shBlocks(string(doc))
	if len(blocks) < 10 {
		t.Fatalf("%s has %d sh blocks; the walk-through needs its blocks tagged sh", apiDoc, len(blocks))
	}
	for _, v := range []string{`CALLSTORE=${CALLSTORE:-`, `URL=${URL:-`, `DB=${DB:-`} {
		if !strings.Contains(blocks[0].text, v) {
			t.Fatalf("the first sh block of %s must define %s...} so that this test can point it at its server", apiDoc, v)
		}
	}

	dir := t.TempDir()
	bin := buildCallstore(t, dir)
	dbPath := filepath.Join(dir, "walkthrough.db")
	url, serverLog := startServer(t, bin, dbPath)

	// The session: the doc's blocks, each announced by a marker line. curl is wrapped so that the
	// status of every answer goes to codes.N and its body, even when a command captures it, to
	// answers.N for block N; the wrapper only observes: the doc's commands see curl's own output.
	session := filepath.Join(dir, "session")
	if err := os.Mkdir(session, 0o755); err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString(`set -euo pipefail
trap 'echo "@@ command failed (status $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
curl() {
  command curl -w '%{stderr}%{http_code}\n' "$@" 2>>"$DOCS_TEST_SESSION/codes.$DOCS_TEST_BLOCK" |
    tee -a "$DOCS_TEST_SESSION/answers.$DOCS_TEST_BLOCK"
  local st=("${PIPESTATUS[@]}")
  echo >>"$DOCS_TEST_SESSION/answers.$DOCS_TEST_BLOCK"
  return $((st[0] != 0 ? st[0] : st[1]))
}
`)
	for i, b := range blocks {
		fmt.Fprintf(&script, "DOCS_TEST_BLOCK=%d; printf '\\n@@ block %d\\n'\n%s\n", i, i, b.text)
	}
	script.WriteString("printf '\\n@@ end\\n'\n")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	// A small environment, so that a variable the doc uses without defining it cannot come from the
	// developer's shell (set -u then stops the session).
	cmd.Env = []string{"CALLSTORE=" + bin, "URL=" + url, "DB=" + dbPath, "DOCS_TEST_SESSION=" + session}
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "PYENV_ROOT", "PYENV_VERSION"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()

	segments := splitSegments(out.String())
	// read returns what block i's curl calls wrote to one of their files.
	read := func(kind string, i int) string {
		b, _ := os.ReadFile(filepath.Join(session, fmt.Sprintf("%s.%d", kind, i)))
		return string(b)
	}
	if runErr != nil || !strings.Contains(out.String(), "@@ end") {
		where, output := "before its first block", out.String()
		if last := len(segments) - 1; last >= 0 {
			where = fmt.Sprintf("in the block at %s:%d:\n%s", apiDoc, blocks[last].line, blocks[last].text)
			output = segments[last] + "\n--- the answers it received:\n" + read("answers", last)
		}
		t.Fatalf("the walk-through failed (%v) %s\n--- its output:\n%s\n--- server log:\n%s", runErr, where, output, serverLog.String())
	}

	if len(segments) != len(blocks) {
		t.Fatalf("the session printed %d block markers for %d blocks:\n%s", len(segments), len(blocks), out.String())
	}
	for i, b := range blocks {
		answers := read("answers", i)
		got := statusCodes(read("codes", i))
		for _, code := range got {
			if code >= 500 {
				t.Errorf("%s:%d: the server answered %d:\n%s", apiDoc, b.line, code, answers)
			}
		}
		if want := b.statuses(); !isSubsequence(want, got) {
			t.Errorf("%s:%d: the block claims the statuses %v, in that order; the server answered %v:\n%s", apiDoc, b.line, want, got, answers)
		}
		seen := compactJSON(segments[i] + "\n" + answers)
		for _, pair := range b.pairs() {
			if !strings.Contains(seen, compactJSON(pair)) {
				t.Errorf("%s:%d: the block claims %s in an answer; the answers and output were:\n%s", apiDoc, b.line, pair, seen)
			}
		}
	}
	if strings.Contains(serverLog.String(), "level=ERROR") {
		t.Errorf("the server logged an error during the walk-through:\n%s", serverLog.String())
	}
}

// shBlock is one ```sh block of a Markdown file and the line its code starts at.
type shBlock struct {
	text string
	line int
}

var (
	statusComment = regexp.MustCompile(`(?m)^\s*#\s*([1-5][0-9][0-9])\b`)
	// answerPair is a "field":value pair shown whole in an answer comment: a string without an
	// ellipsis, a number, true, false or null.
	answerPair = regexp.MustCompile(`"[A-Za-z_]+":\s*(?:"[^"…]*"|-?[0-9]+(?:\.[0-9]+)?|true|false|null)`)
	httpStatus = regexp.MustCompile(`(?m)^([0-9]{3})$`)
)

// statuses are the status codes the block's answer comments claim, in order.
func (b shBlock) statuses() []int {
	var codes []int
	for _, m := range statusComment.FindAllStringSubmatch(b.text, -1) {
		n, _ := strconv.Atoi(m[1])
		codes = append(codes, n)
	}
	return codes
}

// pairs are the whole "field":value pairs the block's comments show.
func (b shBlock) pairs() []string {
	var pairs []string
	for _, line := range strings.Split(b.text, "\n") {
		if c := strings.TrimSpace(line); strings.HasPrefix(c, "#") {
			pairs = append(pairs, answerPair.FindAllString(c, -1)...)
		}
	}
	return pairs
}

// shBlocks returns the ```sh blocks of a Markdown document, in order.
func shBlocks(doc string) []shBlock {
	var blocks []shBlock
	var cur *strings.Builder
	start := 0
	sc := bufio.NewScanner(strings.NewReader(doc))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```sh":
			cur, start = &strings.Builder{}, n+1
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, shBlock{text: cur.String(), line: start})
			cur = nil
		case cur != nil:
			cur.WriteString(line)
			cur.WriteByte('\n')
		}
	}
	return blocks
}

// splitSegments cuts the session's output at its block markers: segment i is block i's output.
func splitSegments(out string) []string {
	parts := regexp.MustCompile(`(?m)^@@ block [0-9]+\n`).Split(out, -1)
	return parts[1:] // what came before the first marker belongs to no block
}

func statusCodes(s string) []int {
	var codes []int
	for _, m := range httpStatus.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(m[1])
		codes = append(codes, n)
	}
	return codes
}

func isSubsequence(want, got []int) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && want[i] == g {
			i++
		}
	}
	return i == len(want)
}

// compactJSON removes the blank after a colon, so that indented output (the CLI's) and compact
// output (the server's) read alike.
func compactJSON(s string) string {
	return regexp.MustCompile(`":\s+`).ReplaceAllString(s, `":`)
}

// buildCallstore builds the binary of this tree into dir.
func buildCallstore(t *testing.T, dir string) string {
	t.Helper()
	gotool, err := exec.LookPath("go")
	if err != nil {
		gotool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(dir, "callstore")
	cmd := exec.Command(gotool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServer runs `callstore serve` on a free loopback port and a fresh database file, and
// returns its URL and its log (stdout and stderr); it is stopped with SIGINT when the test ends.
func startServer(t *testing.T, bin, dbPath string) (url string, log *syncBuffer) {
	t.Helper()
	log = &syncBuffer{}
	cmd := exec.Command(bin, "serve", "-db", dbPath, "-addr", "127.0.0.1:0")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:[0-9]+)`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if m := listening.FindStringSubmatch(log.String()); m != nil {
			return m[1], log
		}
		select {
		case <-exited:
			t.Fatalf("callstore serve exited (%v): %s", waitErr, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("callstore serve did not start: %s", log.String())
		}
	}
}
