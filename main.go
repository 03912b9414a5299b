// Command callstore stores the call records of voice-agent and contact-center platforms for many
// companies in embedded SQLite and serves them over HTTP. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "callstore:", err)
		os.Exit(1)
	}
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
		{"company", "manage companies (company create -db F -name N)", runCompany},
		{"apikey", "manage API keys (apikey create -db F -company ID -name N [-permissions ...] [-expires T])", runAPIKey},
		{"app", "manage Kore.ai-style client apps (app create -db F -company ID -name N [-permissions ...])", runApp},
		{"seed", "fill a database with synthetic calls (seed -db F -calls N [-companies 1] [-messages-per-call 20] ...)", runSeed},
		{"bench", "load-test a running server (bench -url U -key K -scenario S [-duration 15s] [-concurrency 8])", runBench},
		{"migrate", "apply pending schema migrations to a database file", runMigrate},
		{"compact", "copy a database file into a new one with the current page size (compact -db F -into G)", runCompact},
		{"version", "print the version of callstore and of the schema it carries", runVersion},
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
