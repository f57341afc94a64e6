package main

import (
	"context"
	"fmt"
	"io"
)

func runEval(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: kindred eval empathy DIR | sentiment FILE | politeness FILE [--json]")
	}
	switch args[0] {
	case "empathy":
		return evalEmpathy(ctx, args[1:], stdout, stderr)
	case "sentiment":
		return evalSentiment(ctx, args[1:], stdout, stderr)
	case "politeness":
		return evalPoliteness(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown evaluation %q: want empathy, sentiment or politeness", args[0])
}
