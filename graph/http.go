package graph

// The HTTP layer of the API: which requests reach gqlgen, and the form of
// every answer, after GraphQL over HTTP
// (https://graphql.github.io/graphql-over-http/draft/):
//
//   - GET and POST; OPTIONS answers the methods (and CORS preflights, see
//     http_cors.go). Any other method: 405 with Allow.
//   - POST bodies are application/json, or multipart/form-data for
//     uploads; any other media type, or none: 415.
//   - A request that a plain HTML form or an <img>/<script> tag could send
//     from any web page (a GET, a multipart POST) must carry a header that
//     such a page cannot set without a CORS preflight: GraphQL-Require-
//     Preflight, Apollo-Require-Preflight, X-Requested-With or
//     X-Apollo-Operation-Name (any non-empty value), or a Content-Type
//     outside the three a form may send. Else: 400 (cross-site request
//     forgery defence).
//   - The answer is application/graphql-response+json or application/json
//     as the Accept header prefers (application/json when there is none;
//     406 when it names neither).
//   - A request error (the body is not a GraphQL request, the document does
//     not parse or validate, variables do not coerce, a budget refuses it)
//     answers errors and no data key: with 200 under application/json, with
//     400 under application/graphql-response+json. A body that is not a
//     GraphQL request at all is 400 under both. A mutation over GET is 405
//     with Allow: POST. A request its API key's rate limit refuses is 429
//     with Retry-After (ratelimit.go).
//
// Every refusal carries extensions.code: BAD_USER_INPUT, but LIMIT_EXCEEDED
// for a body over the limit, RATE_LIMITED for a request over its key's
// rate, FORBIDDEN for a CORS preflight from an origin not allowed, and
// UNAUTHENTICATED with 401 for a request without a valid API key where one
// is needed (auth.go).

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/crm/internal/apierr"
	"github.com/acme/crm/internal/observe"
)

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaMultipart       = "multipart/form-data"

	// allowedMethods is the Allow header of the endpoint.
	allowedMethods = "GET, POST, OPTIONS"
)

// preflightHeaders are the request headers that prove a request was not
// sent by a plain HTML form or tag: a page of another origin can set none
// of them without a CORS preflight, which the CORS policy answers.
var preflightHeaders = []string{"GraphQL-Require-Preflight", "Apollo-Require-Preflight", "X-Requested-With", "X-Apollo-Operation-Name"}

// withHTTP puts the CORS policy and the HTTP rules above in front of next.
func withHTTP(origins []string, next http.Handler) http.Handler {
	return newCORS(origins).wrap(checkRequest(next))
}

// checkRequest refuses, with a code, what no transport serves or what a
// cross-site page could have sent, so that gqlgen sees only GET, JSON POST
// and multipart POST requests, each with an Accept it can answer.
func checkRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		switch r.Method {
		case http.MethodOptions:
			w.Header().Set("Allow", allowedMethods)
			w.WriteHeader(http.StatusNoContent)
			return
		case http.MethodGet:
			if !preflighted(r) {
				refuse(w, r, http.StatusBadRequest, apierr.BadUserInput, "a GET request must carry the header GraphQL-Require-Preflight: 1 "+
					"(or Apollo-Require-Preflight, X-Requested-With): without one any web page could send it (cross-site request forgery); or POST the query as application/json")
				return
			}
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			switch {
			case err == nil && mt == mediaJSON:
			case err == nil && mt == mediaMultipart:
				if !preflighted(r) {
					refuse(w, r, http.StatusBadRequest, apierr.BadUserInput, "a multipart request must carry the header GraphQL-Require-Preflight: 1 "+
						"(or Apollo-Require-Preflight, X-Requested-With): without one any web page could send it (cross-site request forgery)")
					return
				}
			default:
				w.Header().Set("Accept-Post", mediaJSON+", "+mediaMultipart)
				refuse(w, r, http.StatusUnsupportedMediaType, apierr.BadUserInput,
					"the request body must be application/json (or multipart/form-data for uploads), with that Content-Type")
				return
			}
		default:
			w.Header().Set("Allow", allowedMethods)
			refuse(w, r, http.StatusMethodNotAllowed, apierr.BadUserInput, "the GraphQL endpoint answers GET and POST (and OPTIONS)")
			return
		}
		if _, ok := negotiate(r.Header.Get("Accept")); !ok {
			refuse(w, r, http.StatusNotAcceptable, apierr.BadUserInput, "the answer is application/graphql-response+json or application/json: the Accept header allows neither")
			return
		}
		// A request to switch protocols (a WebSocket, h2c) is one this
		// endpoint may ignore, as HTTP allows: it answers over HTTP, where
		// gqlgen's transports would refuse it without a code.
		r.Header.Del("Upgrade")
		next.ServeHTTP(w, r)
	})
}

// preflighted tells whether a browser would have asked the CORS policy
// before sending r from another origin.
func preflighted(r *http.Request) bool {
	for _, h := range preflightHeaders {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/x-www-form-urlencoded", mediaMultipart, "text/plain":
		return false
	}
	return true
}

// negotiate picks the media type of the answer from an Accept header: the
// one of highest quality of application/graphql-response+json and
// application/json (which */* and application/* stand for), the former on
// a tie; application/json when there is no header. ok is false when the
// header names neither.
func negotiate(accept string) (mediaType string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	bestQ, bestRank := 0.0, 0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil {
				continue
			}
		}
		var t string
		var rank int
		switch mt {
		case mediaGraphQLResponse:
			t, rank = mediaGraphQLResponse, 3
		case mediaJSON:
			t, rank = mediaJSON, 2
		case "application/*", "*/*":
			t, rank = mediaJSON, 1
		default:
			continue
		}
		if q > 0 && (q > bestQ || q == bestQ && rank > bestRank) {
			mediaType, bestQ, bestRank = t, q, rank
		}
	}
	return mediaType, mediaType != ""
}

// responseType is the media type r's answer is written in.
func responseType(r *http.Request) string {
	if t, ok := negotiate(r.Header.Get("Accept")); ok {
		return t
	}
	return mediaJSON
}

// wireError is an error of an answer as gqlgen writes it.
type wireError struct {
	Message    string          `json:"message"`
	Locations  json.RawMessage `json:"locations,omitempty"`
	Path       json.RawMessage `json:"path,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// requestErrorAnswer is the answer to a request error: errors, no data.
type requestErrorAnswer struct {
	Errors     []wireError    `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// refuse answers a request error of this layer, in the media type r
// negotiated.
func refuse(w http.ResponseWriter, r *http.Request, status int, code apierr.Code, message string) {
	writeRequestError(w, r, status, requestErrorAnswer{Errors: []wireError{{Message: message, Extensions: map[string]any{"code": string(code)}}}})
}

// writeRequestError answers r with a request error, in the media type r
// negotiated; the code of its first error is the request's result code.
func writeRequestError(w http.ResponseWriter, r *http.Request, status int, a requestErrorAnswer) {
	if len(a.Errors) > 0 {
		code, _ := a.Errors[0].Extensions["code"].(string)
		observe.RequestOf(r.Context()).SetCode(code)
	}
	w.Header().Set("Content-Type", responseType(r))
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}

// protocol wraps one of gqlgen's transports so that its answers follow
// the rules above: the media type negotiated, the status of a request
// error, no data key on one, a code on every error. gqlgen answers a
// request error with "data": null and 422 under application/json, and
// some of its transports' refusals carry no code.
type protocol struct{ graphql.Transport }

func (p protocol) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	e := &watchedExec{GraphExecutor: exec, get: r.Method == http.MethodGet}
	aw := &answerWriter{ResponseWriter: w, r: r, mediaType: responseType(r), exec: e, status: http.StatusOK}
	p.Transport.Do(aw, r, e)
	aw.finish()
}

// watchedExec is the executor as a transport sees it, noting what became
// of the request: a request error, and which kind.
type watchedExec struct {
	graphql.GraphExecutor
	get bool
	// failed: the operation was refused before it ran (parse,
	// validation, variables, budgets); noQuery: there was no document
	// to refuse; dispatched: an error answer was made; mutationOverGET:
	// the operation was not a query and came by GET.
	failed, noQuery, dispatched, mutationOverGET bool
	// retryAfter: the API key's rate limit refused the request, to be
	// sent again after these seconds (ratelimit.go).
	retryAfter int
}

func (e *watchedExec) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	_, persisted := params.Extensions["persistedQuery"]
	noQuery := params.Query == "" && !persisted
	rc, errs := e.GraphExecutor.CreateOperationContext(ctx, params)
	name := params.OperationName
	if rc != nil && rc.Doc != nil {
		if op := rc.Doc.Operations.ForName(params.OperationName); op != nil {
			name = op.Name
		}
	}
	observe.RequestOf(ctx).SetOperation(name)
	if len(errs) > 0 {
		e.failed, e.noQuery = true, noQuery
		if err, ok := apierr.As(errs[0]); ok && err.Code == apierr.RateLimited {
			e.retryAfter = err.RetryAfterSeconds()
		}
		return rc, errs
	}
	// Streams reach the transports of stream.go, never this one: a
	// subscription here would wait for its first event as its only answer.
	if rc != nil && rc.Doc != nil {
		if op := rc.Doc.Operations.ForName(rc.OperationName); op != nil && op.Operation == ast.Subscription {
			e.failed = true
			err := apierr.New(apierr.BadUserInput, "a subscription is served over a WebSocket (graphql-transport-ws) or as server-sent events (a POST with Accept: text/event-stream), not as one answer")
			return rc, gqlerror.List{{Message: err.Message, Err: err}}
		}
	}
	if e.get && rc != nil && rc.Doc != nil {
		if op := rc.Doc.Operations.ForName(rc.OperationName); op != nil && op.Operation != ast.Query {
			e.mutationOverGET = true
			err := apierr.New(apierr.BadUserInput, "a %s must be sent with POST, not GET", op.Operation)
			return rc, gqlerror.List{{Message: err.Message, Err: err}}
		}
	}
	return rc, nil
}

func (e *watchedExec) DispatchError(ctx context.Context, list gqlerror.List) *graphql.Response {
	e.dispatched = true
	return e.GraphExecutor.DispatchError(ctx, list)
}

// answerWriter holds back the status a transport writes until the first
// byte of its answer, when the request's fate is known: an answer with
// data passes through in the negotiated media type; a request error is
// held, then rewritten by finish.
type answerWriter struct {
	http.ResponseWriter
	r         *http.Request
	mediaType string
	exec      *watchedExec
	status    int
	decided   bool
	held      *bytes.Buffer // the transport's answer to a request error
}

func (w *answerWriter) WriteHeader(status int) {
	if !w.decided {
		w.status = status
	}
}

func (w *answerWriter) Write(b []byte) (int, error) {
	w.decide()
	if w.held != nil {
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *answerWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	e := w.exec
	if e.failed || e.dispatched || e.mutationOverGET || w.status >= 300 {
		w.held = &bytes.Buffer{}
		return
	}
	w.Header().Set("Content-Type", w.mediaType)
	w.ResponseWriter.WriteHeader(w.status)
}

// finish writes a held request error: its errors, each with a code, no
// data, with the status of its kind.
func (w *answerWriter) finish() {
	w.decide()
	if w.held == nil {
		return
	}
	e := w.exec
	status := w.status
	switch {
	case e.mutationOverGET:
		status = http.StatusMethodNotAllowed
		w.Header().Set("Allow", http.MethodPost)
	case e.retryAfter > 0:
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	case e.failed && !e.noQuery:
		status = http.StatusOK
		if w.mediaType == mediaGraphQLResponse {
			status = http.StatusBadRequest
		}
	case status < 400 || status == http.StatusUnprocessableEntity:
		// Not a GraphQL request at all: no query, or a body or form gqlgen
		// could not read as one.
		status = http.StatusBadRequest
	}
	var a requestErrorAnswer
	if err := json.Unmarshal(w.held.Bytes(), &a); err != nil || len(a.Errors) == 0 {
		a = requestErrorAnswer{Errors: []wireError{{Message: "the request could not be read: " + http.StatusText(status)}}}
	}
	for i := range a.Errors {
		if _, ok := a.Errors[i].Extensions["code"].(string); ok {
			continue
		}
		if a.Errors[i].Extensions == nil {
			a.Errors[i].Extensions = map[string]any{}
		}
		a.Errors[i].Extensions["code"] = string(codeForStatus(status))
	}
	writeRequestError(w.ResponseWriter, w.r, status, a)
}

// codeForStatus is the code of a refusal that came without one.
func codeForStatus(status int) apierr.Code {
	switch {
	case status == http.StatusUnauthorized:
		return apierr.Unauthenticated
	case status == http.StatusForbidden:
		return apierr.Forbidden
	case status == http.StatusRequestEntityTooLarge:
		return apierr.LimitExceeded
	case status >= 500:
		return apierr.Internal
	}
	return apierr.BadUserInput
}
