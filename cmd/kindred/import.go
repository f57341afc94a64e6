package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/kindred-desk/kindred"
	"github.com/kindred-desk/kindred/internal/config"
	"github.com/kindred-desk/kindred/internal/importer"
	"github.com/kindred-desk/kindred/internal/store"
)

// rejectsShown is how many rejected records are printed to stderr when
// --rejects does not keep them in a file.
const rejectsShown = 20

// runImport brings another desk's history into the database: see package
// importer. Stopped (Ctrl-C) or failed halfway, the same command run again
// carries on where it stopped.
func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := config.NewFlagSet("import", &cfg, stderr)
	fs.DB()
	fs.Region()
	var (
		o         importer.Options
		users     string
		rejects   string
		quiet     bool
		asJSON    bool
		cpuprof   string
		batchSize int
	)
	fs.StringVar(&o.Format, "format", "", "the export's format: "+strings.Join(importer.Formats, ", ")+" (required)")
	fs.StringVar(&o.Source, "source", "", "name of the system the export's ids belong to (default: the format); give each Zendesk account or Chatwoot install its own")
	fs.StringVar(&users, "users", "", "zendesk: a users export (JSON), for requesters' and authors' names, emails, phones and roles")
	fs.StringVar(&rejects, "rejects", "", "write each rejected record (where, field, reason) to this file as JSON lines; default: the first 20 to stderr")
	fs.IntVar(&batchSize, "batch", 5000, "messages written in one transaction")
	fs.BoolVar(&quiet, "quiet", false, "no progress bar (there is none either when stderr is not a terminal)")
	fs.BoolVar(&asJSON, "json", false, "print the summary as one JSON line")
	fs.StringVar(&cpuprof, "cpuprofile", "", "write a CPU profile of the import to this file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kindred import --format FORMAT [flags] FILE   (FILE - reads stdin)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("give one file to import (or - for stdin)")
	}
	if o.Format == "" {
		return fmt.Errorf("--format: give one of %s", strings.Join(importer.Formats, ", "))
	}
	o.Region, o.BatchSize = cfg.Region, batchSize

	var (
		in   io.Reader = stdin
		size int64     = -1
	)
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		in = f
	}
	if users != "" {
		f, err := os.Open(users)
		if err != nil {
			return fmt.Errorf("--users: %w", err)
		}
		defer f.Close()
		o.Users = f
	}

	var rejectOut *os.File
	shown := 0
	var rejectErr error
	if rejects != "" {
		f, err := os.OpenFile(rejects, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("--rejects: %w", err)
		}
		defer f.Close()
		rejectOut = f
	}
	enc := json.NewEncoder(rejectOut)
	var bar *progressbar.ProgressBar
	var barMu sync.Mutex
	o.Reject = func(r importer.Rejection) {
		if rejectOut != nil {
			if err := enc.Encode(r); err != nil && rejectErr == nil {
				rejectErr = err
			}
			return
		}
		if shown < rejectsShown {
			barMu.Lock()
			if bar != nil {
				bar.Clear()
			}
			fmt.Fprintf(stderr, "rejected %s\n", r)
			barMu.Unlock()
		}
		shown++
	}

	if !quiet && isTerminal(stderr) {
		// The total is not known until the end: a spinner until the first
		// batch, then the estimate below.
		bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("msg"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionSetRenderBlankState(true),
		)
		o.Progress = func(p importer.Progress) {
			barMu.Lock()
			defer barMu.Unlock()
			done := p.Imported + p.Already
			if size > 0 && p.Offset > 0 {
				// The bar's length is the messages read so far, scaled by
				// the share of the file they came from.
				bar.ChangeMax64(max(done, int64(float64(done)*float64(size)/float64(p.Offset))))
			}
			bar.Set64(done)
		}
	}

	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	stopProfile, err := startCPUProfile(cpuprof)
	if err != nil {
		return err
	}
	start := time.Now()
	actx := kindred.WithActor(ctx, systemActor("import"))
	sum, err := importer.Run(actx, db, in, o)
	stopProfile()
	elapsed := time.Since(start)
	if bar != nil {
		barMu.Lock()
		if err == nil {
			bar.ChangeMax64(sum.Imported + sum.Already)
			bar.Finish()
		} else {
			bar.Exit()
		}
		fmt.Fprintln(stderr)
		barMu.Unlock()
	}
	if rejectErr != nil {
		return fmt.Errorf("--rejects: %w", rejectErr)
	}
	if shown > rejectsShown {
		fmt.Fprintf(stderr, "… and %d more rejected; --rejects FILE keeps them all\n", shown-rejectsShown)
	}
	if asJSON {
		out := struct {
			importer.Summary
			Seconds float64 `json:"seconds"`
			PerSec  float64 `json:"per_second"`
			Done    bool    `json:"done"`
		}{sum, elapsed.Seconds(), float64(sum.Read) / elapsed.Seconds(), err == nil}
		if jerr := json.NewEncoder(stdout).Encode(out); jerr != nil && err == nil {
			err = jerr
		}
	} else {
		fmt.Fprintf(stdout, "read %d messages in %s (%.0f a second): %d imported, %d already there, %d rejected, %d skipped; %d conversations and %d customers added\n",
			sum.Read, elapsed.Round(10*time.Millisecond), float64(sum.Read)/elapsed.Seconds(),
			sum.Imported, sum.Already, sum.Rejected, sum.Skipped, sum.Conversations, sum.Customers)
	}
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("stopped; what was imported is kept: run the same command again to carry on")
		}
		return fmt.Errorf("%w; what was imported before is kept: fix it and run the same command again to carry on", err)
	}
	return nil
}

// isTerminal reports whether w is a terminal, where a progress bar belongs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startCPUProfile writes a CPU profile to path until stop is called; with
// no path it does nothing. It is how the import's figures were tuned.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
