// Command concreteness writes the compassion engine's embedded concreteness
// table from the Brysbaert, Warriner & Kuperman (2014) norms.
//
// It keeps the one-word entries (the norms' two-word expressions are left
// out: the engine scores single words, as Packard & Berger (2021) did),
// lower-cases them, keeps the first rating of a word that appears twice in
// different case, sorts them and writes "word TAB rating" with two decimals,
// one a line. The same input always gives the same bytes.
//
// Run it through go generate in package compassion:
//
//	go generate ./compassion/
//
// Source: Marc Brysbaert, Amy Beth Warriner, Victor Kuperman (2014).
// Concreteness ratings for 40 thousand generally known English word lemmas.
// Behavior Research Methods 46, 904–911.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "", "the norms, TSV with a header (Word, Bigram, Conc.M, ...)")
	out := flag.String("out", "", "the table to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "concreteness:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	ratings := map[string]float64{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue // header
		}
		cols := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if len(cols) < 3 {
			return fmt.Errorf("%s:%d: want at least 3 columns, got %d", in, line, len(cols))
		}
		word := strings.ToLower(strings.TrimSpace(cols[0]))
		if cols[1] != "0" || word == "" || strings.ContainsAny(word, " \t") {
			continue
		}
		m, err := strconv.ParseFloat(cols[2], 64)
		if err != nil || m < 1 || m > 5 {
			return fmt.Errorf("%s:%d: bad rating %q", in, line, cols[2])
		}
		if _, dup := ratings[word]; !dup {
			ratings[word] = m
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	words := make([]string, 0, len(ratings))
	for w := range ratings {
		words = append(words, w)
	}
	sort.Strings(words)
	var b bytes.Buffer
	for _, w := range words {
		fmt.Fprintf(&b, "%s\t%.2f\n", w, ratings[w])
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}
