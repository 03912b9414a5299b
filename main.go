// Command callstore stores the call records of voice-agent and contact-center platforms for many
// companies in embedded SQLite and serves them over HTTP. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/callstore/callstore/db"
	"github.com/callstore/callstore/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "callstore:", errorText(err))
		stop()
		os.Exit(exitCode(err))
	}
}

// The exit codes of callstore (docs/operations.md): 0 when the command did what it was asked.
const (
	exitError       = 1 // anything else that went wrong: bad flags, a missing file, a failed write
	exitSchemaNewer = 2 // the database's schema is newer than this binary's: nothing was opened
	exitProblems    = 3 // check (or restore, checking its backup) found problems in a database
)

// exitCode maps an error of run to the exit code a script can act on: the one table of them.
func exitCode(err error) int {
	var newer *db.SchemaTooNewError
	var problems *problemsFound
	switch {
	case errors.As(err, &newer):
		return exitSchemaNewer
	case errors.As(err, &problems):
		return exitProblems
	}
	return exitError
}

// errorText is err as a person reads it: the domain's errors print as "code: message", and a
// person wants the message.
func errorText(err error) string {
	text := err.Error()
	var se *store.Error
	if errors.As(err, &se) {
		text = strings.Replace(text, se.Error(), se.Message, 1)
	}
	return text
}

// env is how commands read the environment (injected so tests need not touch the process's).
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, e env) error
}

// commands lists every subcommand; "callstore -h" prints them.
func commands() []command {
	return []command{
		{"serve", "run the HTTP API", runServe},
		{"company", "manage companies (company create -db F -name N | company list -db F | company set -db F -company ID -retention 90d)", runCompany},
		{"apikey", "manage API keys (apikey create|list|revoke|rotate -db F -company ID ...)", runAPIKey},
		{"app", "manage Kore.ai-style client apps (app create -db F -company ID -name N [-permissions ...])", runApp},
		{"seed", "fill a database with synthetic calls (seed -db F -calls N [-companies 1] [-messages-per-call 20] ...)", runSeed},
		{"purge", "delete a company's terminal calls older than a period, in batches (purge -db F -company ID -older-than 90d [-dry-run])", runPurge},
		{"export", "write a company's calls as NDJSON, as POST /v1/call/import reads them (export -db F -company ID [-o FILE] [-status S ...])", runExport},
		{"bench", "load-test a running server (bench -url U -key K -scenario S [-duration 15s] [-concurrency 8])", runBench},
		{"copy", "copy a whole SQLite database into an empty PostgreSQL one, and verify it (copy -from F -to postgres://…)", runCopy},
		{"migrate", "apply pending schema migrations to a database file or PostgreSQL URL (migrate -db F [-dry-run])", runMigrate},
		{"check", "check a database file's integrity and foreign keys (check -db F)", runCheck},
		{"backup", "copy a database, while a server writes it, into a new file (backup -db F -into G)", runBackup},
		{"restore", "replace a stopped server's database with a backup (restore -from G -db F [-force])", runRestore},
		{"compact", "backup under its older name: the copy has the current page size (compact -db F -into G)", runCompact},
		{"version", "print the version of callstore and of the schema it carries (also --version)", runVersion},
	}
}

// run is the whole program behind main, with its inputs and outputs passed in.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return fmt.Errorf("no command given")
		}
		return nil
	}
	if args[0] == "--version" || args[0] == "-version" {
		return runVersion(ctx, args[1:], e)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], e)
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: callstore <command> [flags]   (callstore <command> -h for its flags)")
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}
