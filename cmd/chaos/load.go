package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// BatchSize is the number of records of each createRecords.
const BatchSize = 10

const (
	createOne = `mutation($p: JSON!) { createRecord(input: {objectType: "contacts", properties: $p}) { record { recordId } } }`
	createTen = `mutation($in: [NewRecordInput!]!) { createRecords(input: {objectType: "contacts", inputs: $in}) {
		written failed results { index record { recordId } error { code message } } } }`
)

// kind is what an answer said of a write.
type kind int

const (
	acked      kind = iota // written: the answer holds the records
	rolledBack             // UNAVAILABLE, retryable: true: nothing written
	unknown                // UNAVAILABLE, retryable: false: may have been written
	broken                 // anything else: a broken promise
)

// outcome is one request and its answer.
type outcome struct {
	kind    kind
	batch   bool
	tokens  []string // the first names of the records it wrote, one a record
	ids     []string // acked: the recordId of each
	sent    time.Time
	took    time.Duration
	problem string // broken: what was wrong
}

// load runs clients that write until stop is closed and returns what
// each request answered.
func load(ctx context.Context, endpoint string, clients int, stop <-chan struct{}) []outcome {
	var (
		mu  sync.Mutex
		all []outcome
		wg  sync.WaitGroup
	)
	for c := range clients {
		wg.Go(func() {
			var mine []outcome
			for seq := 0; ; seq++ {
				select {
				case <-stop:
				case <-ctx.Done():
				default:
					mine = append(mine, write(ctx, endpoint, c, seq, seq%2 == 1))
					continue
				}
				break
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all
}

// write sends one createRecord, or one createRecords of BatchSize, and
// reads what the answer says of it.
func write(ctx context.Context, endpoint string, client, seq int, batch bool) outcome {
	o := outcome{batch: batch, sent: time.Now()}
	var query string
	var vars map[string]any
	if batch {
		inputs := make([]map[string]any, BatchSize)
		for i := range inputs {
			token := fmt.Sprintf("chaos-%d-%d-%d", client, seq, i)
			o.tokens = append(o.tokens, token)
			inputs[i] = map[string]any{"properties": map[string]any{"firstname": token, "lastname": "Chaos"}}
		}
		query, vars = createTen, map[string]any{"in": inputs}
	} else {
		token := fmt.Sprintf("chaos-%d-%d", client, seq)
		o.tokens = []string{token}
		query, vars = createOne, map[string]any{"p": map[string]any{"firstname": token, "lastname": "Chaos"}}
	}
	a, err := post(ctx, endpoint, query, vars)
	o.took = time.Since(o.sent)
	if err != nil {
		o.kind, o.problem = broken, err.Error()
		return o
	}
	if len(a.Errors) > 0 {
		o.kind, o.problem = classify(a)
		return o
	}
	if batch {
		var data struct {
			CreateRecords struct {
				Written, Failed int
				Results         []struct {
					Index  int
					Record *struct{ RecordID string }
					Error  *struct{ Code, Message string }
				}
			}
		}
		if err := a.decode(&data); err != nil {
			o.kind, o.problem = broken, err.Error()
			return o
		}
		res := data.CreateRecords
		if res.Written != BatchSize || res.Failed != 0 || len(res.Results) != BatchSize {
			o.kind, o.problem = broken, fmt.Sprintf("a batch wrote %d of %d, %d failed: %s", res.Written, BatchSize, res.Failed, a.raw)
			return o
		}
		for i, r := range res.Results {
			if r.Index != i || r.Record == nil || r.Error != nil {
				o.kind, o.problem = broken, fmt.Sprintf("item %d of a batch: %s", i, a.raw)
				return o
			}
			o.ids = append(o.ids, r.Record.RecordID)
		}
		o.kind = acked
		return o
	}
	var data struct {
		CreateRecord *struct {
			Record struct{ RecordID string }
		}
	}
	if err := a.decode(&data); err != nil || data.CreateRecord == nil || data.CreateRecord.Record.RecordID == "" {
		o.kind, o.problem = broken, fmt.Sprintf("no record in the answer: %s", a.raw)
		return o
	}
	o.kind, o.ids = acked, []string{data.CreateRecord.Record.RecordID}
	return o
}

// classify reads an answer with errors: UNAVAILABLE with a boolean
// retryable is the only error a restart may cause.
func classify(a *answer) (kind, string) {
	if len(a.Errors) != 1 {
		return broken, fmt.Sprintf("%d errors: %s", len(a.Errors), a.raw)
	}
	e := a.Errors[0]
	code, _ := e.Extensions["code"].(string)
	retryable, ok := e.Extensions["retryable"].(bool)
	switch {
	case code == "":
		return broken, "an error without a code: " + e.Message
	case code != "UNAVAILABLE":
		return broken, code + ": " + e.Message
	case !ok:
		return broken, "UNAVAILABLE without a boolean retryable: " + string(a.raw)
	case retryable:
		return rolledBack, ""
	}
	return unknown, ""
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// answer is a GraphQL response.
type answer struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	raw    []byte
}

func (a *answer) decode(out any) error {
	if err := json.Unmarshal(a.Data, out); err != nil {
		return fmt.Errorf("decode %s: %w", a.raw, err)
	}
	return nil
}

var httpClient = &http.Client{Timeout: 20 * time.Second}

// post sends a GraphQL request; an error is no answer at all (or no JSON).
func post(ctx context.Context, endpoint, query string, vars map[string]any) (*answer, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no answer: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	a := &answer{raw: raw}
	if err := json.Unmarshal(raw, a); err != nil {
		return nil, fmt.Errorf("status %d, not JSON: %.200s", resp.StatusCode, raw)
	}
	return a, nil
}
