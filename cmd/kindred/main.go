// Command kindred runs the kindred care desk and its tools.
//
// main only parses arguments and wires packages together; the rules live in
// the packages it calls.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// The desk's --time-zone loads on a machine without a zone database
	// (a slim container): the binary carries its own, about 450 KB.
	_ "time/tzdata"
)

// command is one subcommand: it parses its own flags from args.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"serve":   {"run the desk: API and web console", runServe},
	"migrate": {"apply database migrations and exit", runMigrate},
	"backup":  {"copy a live SQLite database consistently", runBackup},
	"token":   {"manage API tokens (token create --role R --name N | token revoke ID)", runToken},
	"agent":   {"give a person a link to set their password (agent reset-link EMAIL)", runAgent},
	"analyze": {"analyse messages with the compassion engine (stdin to JSON)", runAnalyze},
	"eval":    {"evaluate the engine on labelled data (empathy|sentiment|politeness)", runEval},
	"train":   {"train the engine's embedded models (empathy|politeness)", runTrain},
	"demo":    {"fill a database with a few months of demo data", runDemo},
	"import":  {"bring in another desk's history: Zendesk, Chatwoot, CSV or JSON Lines", runImport},
	"smsgw":   {"run a local SMS gateway simulator, for trying kindred without a real gateway", runSMSGateway},
	"bench":   {"measure a desk under load: posts per second and latencies, as one JSON line", runBench},
	"mailgw":  {"run a local mailbox that prints the mail kindred sends, for trying email without a mail server", runMailSink},
	"wagw":    {"run a local WhatsApp Cloud API simulator, for trying kindred's WhatsApp without Meta", runWhatsAppGateway},
}

var order = []string{"serve", "migrate", "backup", "token", "agent", "analyze", "eval", "train", "demo", "import", "smsgw", "mailgw", "wagw", "bench"}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal starts a graceful shutdown; a second one, with the
	// default handling restored, ends the process at once.
	context.AfterFunc(ctx, stop)
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "kindred: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(ctx, args[1:], stdin, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "kindred %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kindred <command> [flags]")
	fmt.Fprintln(w)
	for _, name := range order {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'kindred <command> -h' for a command's flags.")
}
