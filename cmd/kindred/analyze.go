package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/kindred-desk/kindred/compassion"
)

// analyzeUsage documents `kindred analyze`: what it reads, what it writes,
// and when it fails.
const analyzeUsage = `usage: kindred analyze [--reply] [--name NAME] [--accommodations LIST] < message
       kindred analyze --jsonl [--max-line BYTES] < exchanges.jsonl

Reads stdin and prints the compassion engine's report as JSON.

Without --jsonl, stdin is either one JSON object
  {"id": ..., "customer_message": "...", "reply": "...", "customer_name": "...", "accommodations": ["plain_language"]}
or plain text. Plain text is read as a customer's message (distress, emotions,
urgency, circumstances); with --reply it is read as an agent's reply, scored
for compassion. The report is printed indented.

With --jsonl, each line of stdin is one such JSON object (id a string or a
number, echoed back as given; either message may be missing). One report is
written per line, in input order, as soon as it and the lines before it are
done; lines are analysed on all cores. Blank lines are skipped. A line that
is not a valid object gives {"id": ..., "error": "..."} (the id when it can be
read) and the rest go on; the command then exits with status 1 after the
last line, so that scripts notice.

The engine reads at most 256 KB of each message; a report of a longer one
says "truncated": true.
`

// analyzeLine is one exchange to analyse, as the CLI reads it.
type analyzeLine struct {
	ID json.RawMessage `json:"id"`
	compassion.Input
}

// errorLine is what --jsonl writes for a line it cannot analyse.
type errorLine struct {
	ID    json.RawMessage `json:"id"`
	Error string          `json:"error"`
}

const (
	defaultMaxLine = 16 << 20 // bytes: a few MB of text, with room to spare
)

func runAnalyze(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, analyzeUsage)
		fs.PrintDefaults()
	}
	jsonl := fs.Bool("jsonl", false, "read one JSON object per line and write one report per line")
	asReply := fs.Bool("reply", false, "read plain text as an agent's reply rather than a customer's message")
	name := fs.String("name", "", "the customer's name, for plain text read with --reply")
	accommodations := fs.String("accommodations", "", "the customer's accommodations, comma-separated (plain_language, low_vision…)")
	maxLine := fs.Int("max-line", defaultMaxLine, "longest input (a line with --jsonl) in bytes")
	cpuprof := fs.String("cpuprofile", "", "write a CPU profile of the analysis to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stop, err := startCPUProfile(*cpuprof)
	if err != nil {
		return err
	}
	defer stop()
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: the input is read from stdin", fs.Arg(0))
	}
	if *jsonl {
		if p, ok := streamGCPercent(os.Getenv("GOGC")); ok {
			// The engine's tables (about 8 MB, all kept to the end) are
			// loaded with the collector off: a collection while they load
			// frees nothing, and one fewer is 3% of the command's
			// instructions over 6,595 lines.
			old := debug.SetGCPercent(-1)
			compassion.Preload()
			debug.SetGCPercent(p)
			defer debug.SetGCPercent(old)
		}
		return analyzeLines(ctx, stdin, stdout, *maxLine, runtime.GOMAXPROCS(0))
	}

	data, err := io.ReadAll(io.LimitReader(stdin, int64(*maxLine)+1))
	if err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if len(data) > *maxLine {
		return fmt.Errorf("input is longer than --max-line %d bytes", *maxLine)
	}
	var line analyzeLine
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		if err := decodeLine(trimmed, &line); err != nil {
			return err
		}
	} else {
		if *asReply {
			line.Reply = string(data)
			line.CustomerName = *name
		} else {
			line.CustomerMessage = string(data)
		}
		if *accommodations != "" {
			line.Accommodations = strings.Split(*accommodations, ",")
		}
	}
	r := compassion.Analyze(line.Input)
	r.ID = line.ID
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// streamGCPercent is the garbage collector's target for a JSONL stream, and
// whether to set it: not when the environment sets GOGC. Most of the live
// heap is the engine's read-only tables (about 8 MB), so at the default of
// 100 a collection came every 8 MB or so of reports. Fewer collections cost
// memory, and on a virtual machine each new page of heap is a page fault of
// several microseconds: at 400, 2 collections but 14,300 page faults over
// the 52,760-line corpus; at 200, 5 collections (about 20 ms more of
// collector) and 8,200 page faults (about 40 ms less), and 20 MB less
// resident memory.
func streamGCPercent(gogc string) (int, bool) {
	if gogc != "" {
		return 0, false
	}
	return 200, true
}

// decodeLine reads one exchange. It accepts only a JSON object, with an id
// that is a string, a number or null.
func decodeLine(data []byte, line *analyzeLine) error {
	// Nearly every line has the plain shape that decodeLineFast reads at a
	// fraction of json.Unmarshal's cost; whatever it does not fully
	// understand goes to json.Unmarshal, whose results and errors it
	// matches.
	if decodeLineFast(data, line) {
		return nil
	}
	return decodeLineStd(data, line)
}

// decodeLineStd is decodeLine with json.Unmarshal alone: the reference
// that decodeLineFast matches, and the path for every line it refuses.
func decodeLineStd(data []byte, line *analyzeLine) error {
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return errors.New("a line should be one JSON object")
	}
	if err := json.Unmarshal(data, line); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("not valid JSON: %v", err)
		case errors.As(err, &typ):
			return fmt.Errorf("field %q should be %s, not a JSON %s", typ.Field, typ.Type, typ.Value)
		}
		return err
	}
	if len(line.ID) > 0 && string(line.ID) != "null" && validID(line.ID) == nil {
		return errors.New("id should be a string or a number")
	}
	return nil
}

// recoverID returns the id of a line that could not be decoded whole, or
// nil: from the JSON when it parses, else from the first "id" key followed
// by a string or a number, as in {"id": 7, "reply": "broken…
func recoverID(data []byte) json.RawMessage {
	var x struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(data, &x) == nil {
		return validID(x.ID)
	}
	i := bytes.Index(data, []byte(`"id"`))
	if i < 0 {
		return nil
	}
	rest := bytes.TrimLeft(data[i+4:], " \t")
	if len(rest) == 0 || rest[0] != ':' {
		return nil
	}
	rest = bytes.TrimLeft(rest[1:], " \t")
	end := 0
	switch {
	case len(rest) > 0 && rest[0] == '"':
		for end = 1; end < len(rest) && rest[end] != '"'; end++ {
			if rest[end] == '\\' {
				end++
			}
		}
		end++
	default:
		for end < len(rest) && strings.IndexByte("-+.eE0123456789", rest[end]) >= 0 {
			end++
		}
	}
	if end > len(rest) {
		return nil
	}
	return validID(rest[:end])
}

// validID returns id when it is a JSON string or number, else nil.
func validID(id json.RawMessage) json.RawMessage {
	var v any
	if len(id) == 0 || json.Unmarshal(id, &v) != nil {
		return nil
	}
	switch v.(type) {
	case string, float64:
		return id
	}
	return nil
}

// job is one line of input, numbered in input order.
type job struct {
	seq  int
	line []byte
	err  error // set when the line could not be read whole
}

// result is the output of a batch of lines.
type result struct {
	seq    int // the batch's, in input order
	out    []byte
	lines  int
	failed int
}

// analyzeLines streams JSONL: a reader hands numbered batches of lines to
// workers, and the writer puts their reports back in input order. A batch
// goes as soon as it holds compassion.MaxBatch lines, or when reading the
// next line may wait for input, so that a reader at the other end of a pipe
// sees each report before it sends the next line. At most 2×workers
// batches are in flight at once, so memory stays bounded however long the
// input.
func analyzeLines(ctx context.Context, stdin io.Reader, stdout io.Writer, maxLine, workers int) error {
	if workers <= 1 {
		return analyzeInOrder(ctx, stdin, stdout, maxLine)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan []job, workers)
	results := make(chan result, workers)
	slots := make(chan struct{}, 2*workers) // in-flight batches
	// Output lines are recycled: the writer hands each back once written,
	// and a worker writes its next report into one. Reports are a few KB
	// each, and fresh ones were half of all the memory the command
	// allocated, a cost paid again in garbage collection.
	free := make(chan []byte, 3*workers)

	var readErr error
	go func() {
		defer close(jobs)
		var batch []job
		seq := 0
		send := func() bool {
			if len(batch) == 0 {
				return true
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- batch:
			case <-ctx.Done():
				return false
			}
			batch, seq = nil, seq+1
			return true
		}
		in := beforeRead{stdin, func() error {
			if !send() {
				return ctx.Err()
			}
			return nil
		}}
		readErr = readLines(ctx, in, maxLine, false, func(j job) bool {
			j.seq = seq
			batch = append(batch, j)
			return len(batch) < compassion.MaxBatch || send()
		})
		send() // what was read before an error is analysed too
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lb := new(lineBatch)
			for batch := range jobs {
				var buf []byte
				select {
				case buf = <-free:
				default:
					buf = make([]byte, 0, 32<<10) // room for nearly any batch's reports
				}
				r := result{seq: batch[0].seq, out: buf[:0], lines: len(batch)}
				for _, j := range batch {
					var bad bool
					if r.out, bad = lb.take(j, r.out); bad {
						r.failed++
					}
				}
				r.out = lb.analyze(r.out)
				results <- r
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	w := bufio.NewWriterSize(stdout, 64<<10)
	pending := map[int]result{}
	next, failed, total := 0, 0, 0
	var writeErr error
	for r := range results {
		pending[r.seq] = r
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			total += p.lines
			failed += p.failed
			if writeErr == nil {
				if _, err := w.Write(p.out); err != nil {
					writeErr = err
					cancel() // stop reading: nobody is listening
				}
			}
			if cap(p.out) <= maxRecycled {
				select {
				case free <- p.out[:0]:
				default:
				}
			}
			<-slots
		}
		// Flush whenever the workers have nothing more ready, so that a
		// reader at the other end of a pipe sees reports as they come.
		if len(results) == 0 && writeErr == nil {
			if err := w.Flush(); err != nil {
				writeErr = err
				cancel()
			}
		}
	}
	if writeErr == nil {
		writeErr = w.Flush()
	}
	switch {
	case writeErr != nil:
		return fmt.Errorf("write: %w", writeErr)
	case readErr != nil:
		return fmt.Errorf("read stdin after %d lines: %w", total, readErr)
	case failed > 0:
		return fmt.Errorf("%d of %d lines could not be analysed (see their \"error\")", failed, total)
	}
	return ctx.Err()
}

// analyzeInOrder is analyzeLines on one core: each line is read, analysed
// and written by one goroutine, with no hand-offs between a reader, workers
// and a writer (on one core they only took turns, three switches and a
// write system call a line). Lines are analysed a batch at a time (see
// compassion.AppendJSONLines), and their reports appended one after another
// to one buffer, written out whenever it holds flushAt bytes, and whenever
// reading the next line may wait for input: the batch is analysed then,
// however short, so that a reader at the other end of a pipe sees each
// report before it sends the next line. Writing the buffer itself, rather
// than copying each report into a bufio.Writer, saves a copy of every byte
// of output, and the cache misses of a second 64 KB buffer.
func analyzeInOrder(ctx context.Context, stdin io.Reader, stdout io.Writer, maxLine int) error {
	rb := &reportBuffer{w: stdout, buf: make([]byte, 0, flushAt+8<<10)}
	batch := new(lineBatch)
	in := beforeRead{stdin, func() error {
		rb.buf = batch.analyze(rb.buf)
		return rb.flush()
	}}
	failed, total := 0, 0
	readErr := readLines(ctx, in, maxLine, true, func(j job) bool {
		total++
		var bad bool
		if rb.buf, bad = batch.take(j, rb.buf); bad {
			failed++
		}
		if len(rb.buf) >= flushAt {
			if rb.flush() != nil {
				return false
			}
			if cap(rb.buf) > maxRecycled {
				rb.buf = nil // a huge report's buffer is left to the garbage collector
			}
		}
		return true
	})
	rb.buf = batch.analyze(rb.buf)
	writeErr := rb.flush()
	switch {
	case writeErr != nil:
		return fmt.Errorf("write: %w", writeErr)
	case readErr != nil:
		return fmt.Errorf("read stdin after %d lines: %w", total, readErr)
	case failed > 0:
		return fmt.Errorf("%d of %d lines could not be analysed (see their \"error\")", failed, total)
	}
	return ctx.Err()
}

// flushAt is how many bytes of reports analyzeInOrder collects before it
// writes them: a few reports, small enough to stay in the cache.
const flushAt = 16 << 10

// reportBuffer holds whole reports not yet written to w. The first write
// error is kept in err, and every later flush returns it.
type reportBuffer struct {
	w   io.Writer
	buf []byte
	err error
}

func (b *reportBuffer) flush() error {
	if b.err == nil && len(b.buf) > 0 {
		_, b.err = b.w.Write(b.buf)
	}
	b.buf = b.buf[:0]
	return b.err
}

// lineBatch is the lines read and not yet analysed, at most
// compassion.MaxBatch.
type lineBatch struct {
	ids []json.RawMessage
	ins []compassion.Input
	// Each id in a buffer of its own: a decoded id shares the line's
	// bytes, which the next line overwrites.
	idBuf [compassion.MaxBatch][]byte
	// line is where take decodes a line: decodeLine's pointer sends it
	// to the heap, and a new one each line was garbage.
	line analyzeLine
}

// add adds a decoded line and reports whether the batch is full.
func (b *lineBatch) add(l analyzeLine) bool {
	if l.ID != nil {
		n := len(b.ins)
		b.idBuf[n] = append(b.idBuf[n][:0], l.ID...)
		l.ID = b.idBuf[n]
	}
	b.ids, b.ins = append(b.ids, l.ID), append(b.ins, l.Input)
	return len(b.ins) == compassion.MaxBatch
}

// analyze appends the batch's reports to dst and empties it.
func (b *lineBatch) analyze(dst []byte) []byte {
	if len(b.ins) == 0 {
		return dst
	}
	dst = compassion.AppendJSONLines(dst, b.ids, b.ins)
	clear(b.ins) // the texts are not kept to the next batch
	b.ids, b.ins = b.ids[:0], b.ins[:0]
	return dst
}

// beforeRead calls before ahead of each read of r, that is, whenever the
// reader above it has used up what it had and may wait for more: there the
// lines read so far are handed on, so that a reader at the other end of a
// pipe sees their reports. An error from before ends the reading.
type beforeRead struct {
	r      io.Reader
	before func() error
}

func (b beforeRead) Read(p []byte) (int, error) {
	if err := b.before(); err != nil {
		return 0, err
	}
	return b.r.Read(p)
}

// readLines calls send with each non-blank line of r, numbered from 0, until
// r ends, send returns false, or ctx is done. A line longer than maxLine is
// skipped to its end and sent with an error. Each line is sent in a buffer
// of its own, or, with reuse, in one buffer that is valid only until send
// returns.
func readLines(ctx context.Context, r io.Reader, maxLine int, reuse bool, send func(job) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	seq := 0
	var long, line []byte
	tooLong := false
	for {
		if ctx.Err() != nil {
			return nil
		}
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !tooLong {
				if len(long)+len(chunk) > maxLine {
					tooLong, long = true, long[:0]
				} else {
					long = append(long, chunk...)
				}
			}
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		j := job{seq: seq}
		switch {
		case tooLong:
			j.err = fmt.Errorf("line is longer than --max-line %d bytes", maxLine)
		case len(long)+len(chunk) > maxLine:
			j.err = fmt.Errorf("line is longer than --max-line %d bytes", maxLine)
		default:
			// ReadSlice's buffer is overwritten by the next read: the line
			// needs a copy.
			if reuse && cap(line) <= maxRecycled {
				line = append(append(line[:0], long...), chunk...)
			} else {
				line = append(append(make([]byte, 0, len(long)+len(chunk)), long...), chunk...)
			}
			j.line = bytes.TrimRight(line, "\r\n")
		}
		tooLong, long = false, long[:0]
		if j.err != nil || len(bytes.TrimSpace(j.line)) > 0 {
			if !send(j) {
				return nil
			}
			seq++
		}
		if err != nil { // io.EOF
			return nil
		}
	}
}

// maxRecycled is the largest output buffer analyzeLines keeps for reuse: a
// huge report's buffer is left to the garbage collector.
const maxRecycled = 1 << 20

// take decodes j and keeps it for the batch, or writes its error after the
// reports of the lines kept before it: it returns buf with the output of
// every line done, in input order, and whether j failed. The reports are
// what json.Encoder with SetEscapeHTML(false) would write of
// compassion.Analyze's, without its reflection; they cannot fail (where
// encoding/json would, on NaN, which the engine never gives, null is
// written).
func (b *lineBatch) take(j job, buf []byte) (out []byte, failed bool) {
	line := &b.line
	*line = analyzeLine{}
	err := j.err
	if err == nil {
		err = decodeLine(j.line, line)
	}
	if err != nil {
		buf = b.analyze(buf)
		return appendErrorLine(buf, j, err), true
	}
	if b.add(*line) {
		buf = b.analyze(buf)
	}
	return buf, false
}

// appendErrorLine appends the output line of a line that could not be
// analysed: its id, when one can be found in it, and why.
func appendErrorLine(buf []byte, j job, err error) []byte {
	var id json.RawMessage
	if j.line != nil {
		id = recoverID(j.line)
	}
	eb := bytes.NewBuffer(buf)
	enc := json.NewEncoder(eb)
	enc.SetEscapeHTML(false)
	enc.Encode(errorLine{ID: id, Error: err.Error()})
	return eb.Bytes()
}
