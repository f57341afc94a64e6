package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

func runEval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: kindred eval empathy DIR | sentiment FILE | politeness FILE | afrisenti FILE... [--json]")
	}
	switch args[0] {
	case "empathy":
		return evalEmpathy(ctx, args[1:], stdout, stderr)
	case "sentiment":
		return evalSentiment(ctx, args[1:], stdout, stderr)
	case "politeness":
		return evalPoliteness(ctx, args[1:], stdout, stderr)
	case "afrisenti":
		return evalAfriSenti(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown evaluation %q: want empathy, sentiment, politeness or afrisenti", args[0])
}

// parseWithPath parses fs from args and returns the one positional argument
// (a file or folder), which may come before or after the flags: "eval
// empathy DIR --json" and "eval empathy --json DIR" both work. With no path
// it prints the usage and says what is missing.
func parseWithPath(fs *flag.FlagSet, args []string, what string) (string, error) {
	var path string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		path, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if path == "" && fs.NArg() > 0 {
		path = fs.Arg(0)
	}
	if path == "" {
		fs.Usage()
		return "", errors.New("missing " + what)
	}
	return path, nil
}
