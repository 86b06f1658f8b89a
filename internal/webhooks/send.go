package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The headers of a webhook's request (README, "Webhooks").
const (
	// SignatureHeader is "t=<unix seconds>,v1=<hex HMAC-SHA256 of
	// t + "." + body under the webhook's secret>".
	SignatureHeader = "X-CRM-Signature"
	// WebhookHeader is the webhook's id.
	WebhookHeader = "X-CRM-Webhook-Id"
)

// MaxBatch is how many events one request carries at most.
const MaxBatch = 100

// excerptBytes bounds what is kept of a receiver's answer.
const excerptBytes = 1024

// Sign is the signature header's value for body sent at t under secret.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// sender posts requests, through a client that connects to public
// addresses only (unless the server allows private targets), follows no
// redirect and uses no proxy (which would connect for it, unchecked).
type sender struct{ client *http.Client }

func newSender(cfg Config) *sender {
	dialer := &net.Dialer{Timeout: cfg.Timeout}
	if !cfg.AllowPrivateTargets {
		dialer.Control = guard
	}
	transport := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &sender{client: &http.Client{
		Transport:     transport,
		Timeout:       cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// outcome is what came of one request.
type outcome struct {
	at         time.Time
	statusCode *int
	latency    time.Duration
	response   string
	err        string
}

func (o outcome) succeeded() bool { return o.err == "" }

// post sends body to target, signed with secret, and says what came of it:
// an answer 2xx is a success, anything else a failure.
func (s *sender) post(ctx context.Context, target, webhookID, secret string, body []byte, at time.Time) outcome {
	o := outcome{at: at}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		o.err = err.Error()
		return o
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "crm-webhooks/1")
	req.Header.Set(WebhookHeader, webhookID)
	req.Header.Set(SignatureHeader, Sign(secret, time.Now(), body))
	start := time.Now()
	resp, err := s.client.Do(req)
	o.latency = time.Since(start)
	if err != nil {
		// Not the URL, which url.Error repeats: it may hold a token.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		o.err = err.Error()
		return o
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, excerptBytes))
	// The rest is read (a little of it) so that the connection may serve
	// again.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	o.statusCode = &resp.StatusCode
	o.response = validUTF8(excerpt)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		o.err = fmt.Sprintf("the receiver answered %s", resp.Status)
	}
	return o
}

// validUTF8 is b as text the databases can store: no invalid UTF-8 (the
// excerpt may cut a character), no NUL.
func validUTF8(b []byte) string {
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), ""), "\x00", "")
}
