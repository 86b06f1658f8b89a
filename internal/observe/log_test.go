package observe

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// Every line logged with a request's context names its operation, once.
func TestLogHandlerNamesTheOperation(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(LogHandler{slog.NewTextHandler(&buf, nil)})
	req := &Request{}
	ctx := context.WithValue(context.Background(), requestKey{}, req)
	logger.InfoContext(ctx, "before it is known")
	req.SetOperation("Nested")
	logger.With("part", "x").ErrorContext(ctx, "inside")
	logger.InfoContext(ctx, "the request line", "operation", "Nested")
	logger.Info("outside any request")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		`msg="before it is known"`,
		`msg=inside part=x operation=Nested`,
		`msg="the request line" operation=Nested`,
		`msg="outside any request"`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for i, w := range want {
		if !strings.HasSuffix(lines[i], w) {
			t.Errorf("line %d: %s\nwant it to end in %s", i, lines[i], w)
		}
	}
}
