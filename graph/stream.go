package graph

// Subscriptions travel over two transports at the GraphQL endpoint, both
// gqlgen's: graphql-ws (the graphql-transport-ws subprotocol; the older
// graphql-ws one too) over a WebSocket, and graphql-sse's distinct
// connections mode, a POST of application/json that accepts
// text/event-stream. Their requests live as long as the subscription, so
// streams takes them before withHTTP's rules and request deadline:
//
//   - A WebSocket upgrade from a browser page carries Origin: the origins
//     the CORS policy allows (http_cors.go) and the server's own may
//     connect; any other is refused with 403 FORBIDDEN. The API key comes
//     in the connection_init payload ({"Authorization": "Bearer ..."}, as
//     browsers cannot set headers on a WebSocket) or else the upgrade
//     request's Authorization header; the gate checks it as for every
//     request (auth.go). A key refused closes the connection after a
//     connection_error naming why.
//   - A server-sent events request is a JSON POST (which a page of another
//     origin sends only after a CORS preflight) authenticated by its
//     Authorization header, like a query.
//
// Operations run through the same executor as queries: the complexity,
// depth and token limits, the rate limit and the scopes apply.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/crm/internal/apierr"
)

const (
	// keepAlive is how often an idle stream sends something (a ping over
	// graphql-transport-ws, a keep-alive over graphql-ws, a comment over
	// SSE): proxies close idle connections, and a dead client is found.
	keepAlive = 15 * time.Second
	// initTimeout is how long a WebSocket may wait before connection_init.
	initTimeout = 10 * time.Second
)

// coderAcceptAnyOrigin leaves the origin to streams, which checks it
// against the CORS policy.
var coderAcceptAnyOrigin = coderws.AcceptOptions{InsecureSkipVerify: true}

// upgradeHeaderKey holds the upgrade request's Authorization header.
type upgradeHeaderKey struct{}

// websocketTransport authenticates a connection from its connection_init
// payload, or its upgrade request's header.
func websocketTransport(res *Resolver) transport.Websocket {
	return transport.Websocket{
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: coderAcceptAnyOrigin},
		InitTimeout:           initTimeout,
		KeepAlivePingInterval: keepAlive,
		PingPongInterval:      keepAlive,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			header := p.Authorization()
			if header == "" {
				header, _ = ctx.Value(upgradeHeaderKey{}).(string)
			}
			v, err := res.gate.viewer(ctx, header)
			if err != nil {
				if e, ok := apierr.As(err); ok && e.Code == apierr.Unauthenticated {
					return transport.WithWebsocketCloseCode(ctx, 4403), nil, e
				}
				res.logger.ErrorContext(ctx, "the API key of a WebSocket could not be checked", "error", err)
				return ctx, nil, apierr.New(apierr.Unavailable, "the API key could not be checked: connect again")
			}
			return res.sessionContext(ctx, v), nil, nil
		},
	}
}

// streams sends WebSocket upgrades straight to srv, once their origin is
// allowed, and server-sent events requests to authed (the key's check,
// then srv); every other request goes to rest. Neither stream has the
// request deadline, nor the server's read and write timeouts.
func streams(origins []string, srv http.Handler, authed, rest http.Handler) http.Handler {
	c := newCORS(origins)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case isWebsocket(r):
			if o := r.Header.Get("Origin"); o != "" && !c.allows(o) && !sameOrigin(r, o) {
				refuse(w, r, http.StatusForbidden, apierr.Forbidden, "this origin may not open a WebSocket to the API: it is not in the server's CORS origins (--cors-origins)")
				return
			}
			endless(w)
			ctx := context.WithValue(r.Context(), upgradeHeaderKey{}, r.Header.Get("Authorization"))
			srv.ServeHTTP(w, r.WithContext(ctx))
		case isEventStream(r):
			endless(w)
			c.wrap(authed).ServeHTTP(flushing{w}, r)
		default:
			rest.ServeHTTP(w, r)
		}
	})
}

func isWebsocket(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

func isEventStream(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream") && isJSON(r)
}

// sameOrigin tells whether origin is the server's own, as browsers name it.
func sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// endless lifts the server's read and write deadlines from a stream's
// connection (a hijacked WebSocket keeps them otherwise).
func endless(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
}

// flushing lets gqlgen's SSE transport, which asks the writer itself for
// http.Flusher, flush through writers that wrap it (the metrics').
type flushing struct{ http.ResponseWriter }

func (f flushing) Flush() { _ = http.NewResponseController(f.ResponseWriter).Flush() }

func (f flushing) Unwrap() http.ResponseWriter { return f.ResponseWriter }

func isSubscription(oc *graphql.OperationContext) bool {
	return oc.Operation != nil && oc.Operation.Operation == ast.Subscription
}
