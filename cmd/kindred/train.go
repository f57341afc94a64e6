package main

import (
	"context"
	"fmt"
	"io"
)

func runTrain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: kindred train empathy DIR | politeness FILE")
	}
	switch args[0] {
	case "empathy":
		return trainEmpathy(ctx, args[1:], stdout, stderr)
	case "politeness":
		return trainPoliteness(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("unknown model %q: want empathy or politeness", args[0])
}
