package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"sync"
	"time"
)

// server is one of the servers measured.
type server struct {
	name string
	url  string
	// graphQL: responses are checked for GraphQL errors.
	graphQL bool
	// body is what it is sent: the nested read's request when nil.
	body []byte
	// bearer is the API key's secret it is sent, if any.
	bearer string
}

func newClient() *http.Client {
	return &http.Client{
		Timeout: time.Minute,
		Transport: &http.Transport{
			MaxIdleConns:        64,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     time.Minute,
		},
	}
}

// fetch sends the measured request once and returns the body.
func fetch(ctx context.Context, c *http.Client, s server) ([]byte, error) {
	sent := s.body
	if sent == nil {
		sent = requestBody
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(sent))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+s.bearer)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %.300s", s.name, resp.StatusCode, body)
	}
	// Keys are the only place an unescaped `"errors":` can be: this finds
	// a GraphQL error list without decoding every response.
	if s.graphQL && bytes.Contains(body, []byte(`"errors":`)) {
		return nil, fmt.Errorf("%s: GraphQL errors: %.300s", s.name, body)
	}
	return body, nil
}

// sample is what one stretch of load measured.
type sample struct {
	latencies []time.Duration
	elapsed   time.Duration
	failures  int
	firstErr  error
}

func (s *sample) add(o sample) {
	s.latencies = append(s.latencies, o.latencies...)
	s.elapsed += o.elapsed
	s.failures += o.failures
	if s.firstErr == nil {
		s.firstErr = o.firstErr
	}
}

// requests is how many requests got an answer, failed or not.
func (s *sample) requests() int { return len(s.latencies) }

func (s *sample) perSecond() float64 { return float64(s.requests()) / s.elapsed.Seconds() }

// percentile is the nearest-rank percentile p (0-100) of the latencies.
func (s *sample) percentile(p float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), s.latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	rank := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}

// hammer keeps conc clients busy on s, each sending one request after the
// other, until d has passed (or, when n > 0, until n requests were sent).
func hammer(ctx context.Context, c *http.Client, s server, conc int, d time.Duration, n int) sample {
	var (
		mu    sync.Mutex
		total sample
		wg    sync.WaitGroup
		sent  int
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine sample
			mine.latencies = make([]time.Duration, 0, 1024)
			for ctx.Err() == nil {
				if n > 0 {
					mu.Lock()
					sent++
					stop := sent > n
					mu.Unlock()
					if stop {
						break
					}
				} else if !time.Now().Before(deadline) {
					break
				}
				t := time.Now()
				_, err := fetch(ctx, c, s)
				mine.latencies = append(mine.latencies, time.Since(t))
				if err != nil {
					mine.failures++
					if mine.firstErr == nil {
						mine.firstErr = err
					}
				}
			}
			mu.Lock()
			total.add(mine)
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}
