package graph

// A write to a record of an object type a thousand clients follow is one
// event each of them hears. Executing the subscription's selection for
// each costs a definitions sync, new loaders and gqlgen's execution a
// subscriber; most of them sent the same operation with the same
// variables under the same key, and would be answered the same bytes.
// streamEvents renders such an event once for all of them: the first
// subscriber of a stream to take an event executes it as any other, and
// the others answer what it answered. Anything else (an error, response
// extensions, a render over maxSharedRender) each executes on its own.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/acme/crm/graph/changes"
	"github.com/acme/crm/internal/db"
)

const (
	// sharedRenders bounds the renders kept for the subscribers still to
	// take their event: at 200 events a second and a few streams each,
	// a second or more. A render dropped is executed again, never lost.
	sharedRenders = 1024
	// maxSharedRender is the largest render kept: the cache counts
	// entries, so its memory is bounded only when each entry is.
	maxSharedRender = 32 << 10
)

// stream is one subscription operation's: subscribe sets feed (what the
// subscription sends) and out (the channel handed to gqlgen, which
// streamEvents fills with the events to execute).
type stream struct {
	feed *feed
	out  chan *changes.ChangeEvent
	// key names what the operation answers, once streamEvents has seen
	// its first event; noShare: it cannot be named.
	key     string
	noShare bool
}

type streamKey struct{}

// streamOf is the stream of a subscription operation's context; nil for
// other operations.
func streamOf(ctx context.Context) *stream {
	s, _ := ctx.Value(streamKey{}).(*stream)
	return s
}

// streamEvents gives each subscription operation its stream, and each of
// its events a session of its own, with new loaders and definitions read
// afresh (a sync of its own): a subscription lives long, and what its
// first event loaded would be stale by the next. Events already rendered
// for a stream of the same key are answered from the render.
type streamEvents struct {
	res     *Resolver
	renders *lru.Cache[renderKey, *render]
	// shared counts the events answered from another's render.
	shared *atomic.Int64
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = streamEvents{}

func newStreamEvents(res *Resolver, shared *atomic.Int64) streamEvents {
	c, err := lru.New[renderKey, *render](sharedRenders)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return streamEvents{res: res, renders: c, shared: shared}
}

func (streamEvents) ExtensionName() string                   { return "StreamEvents" }
func (streamEvents) Validate(graphql.ExecutableSchema) error { return nil }

func (streamEvents) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if graphql.HasOperationContext(ctx) && isSubscription(graphql.GetOperationContext(ctx)) {
		ctx = context.WithValue(ctx, streamKey{}, &stream{})
	}
	return next(ctx)
}

// renderKey names one event as a stream of one key answers it.
type renderKey struct {
	stream string
	event  changes.Key
}

// render is one event's answer, shared by the streams of one key: data
// is nil once done when it is not to be shared.
type render struct {
	done chan struct{}
	data []byte
}

// InterceptResponse answers the next event of a subscription: from the
// render of the same event for the same key when there is one, else
// executing it.
func (x streamEvents) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	st := streamOf(ctx)
	if st == nil {
		return next(ctx)
	}
	// The event's own session (new loaders, its own sync), made when it
	// is first needed: by its filter (anew for each event the feed takes),
	// or to execute it.
	var evCtx context.Context
	fresh := func() context.Context {
		evCtx = x.res.eventContext(ctx)
		return evCtx
	}
	execute := func() *graphql.Response {
		if evCtx == nil {
			fresh()
		}
		return next(evCtx)
	}
	if st.feed == nil {
		// The subscription was refused: gqlgen answers its errors.
		return execute()
	}
	e, ok := st.feed.next(ctx, fresh)
	if !ok {
		// The end of the stream, as gqlgen's executor tells it.
		return nil
	}
	k, ok := e.Key()
	if !ok || !st.named(ctx) {
		st.out <- e
		return execute()
	}
	rk := renderKey{stream: st.key, event: k}
	prev, found := x.renders.Get(rk)
	if !found {
		r := &render{done: make(chan struct{})}
		if prev, found, _ = x.renders.PeekOrAdd(rk, r); !found {
			st.out <- e
			return r.execute(execute)
		}
	}
	select {
	case <-prev.done:
	case <-ctx.Done():
		return nil
	}
	if prev.data == nil {
		st.out <- e
		return execute()
	}
	x.shared.Add(1)
	return &graphql.Response{Data: prev.data}
}

// execute is the render of the stream that took the event first: it
// executes it, and keeps what it answers for the others.
func (r *render) execute(execute func() *graphql.Response) (resp *graphql.Response) {
	defer func() {
		r.data = shareable(resp)
		close(r.done)
	}()
	return execute()
}

// shareable is a copy of resp's data when another stream may answer resp
// as it stands (data, and nothing else); nil otherwise. The executor
// reuses the buffer of its data at the stream's next event.
func shareable(resp *graphql.Response) []byte {
	if resp == nil || len(resp.Errors) > 0 || len(resp.Extensions) > 0 || resp.Label != "" || resp.Path != nil || resp.HasNext != nil ||
		len(resp.Data) == 0 || len(resp.Data) > maxSharedRender {
		return nil
	}
	return bytes.Clone(resp.Data)
}

// named sets the stream's key, at its first event: the operation, its
// variables, the workspace and who asks (their scopes decide what the
// selection may read). It tells whether the stream has one.
func (st *stream) named(ctx context.Context) bool {
	if st.key != "" || st.noShare {
		return !st.noShare
	}
	oc := graphql.GetOperationContext(ctx)
	vars, err := json.Marshal(oc.Variables)
	if err != nil {
		st.noShare = true
		return false
	}
	s := sessionOf(ctx)
	who := "local"
	if v := s.viewer; !v.Local {
		who = fmt.Sprintf("key %d owner %d scopes %v", v.Key.ID, v.OwnerID(), v.Scopes())
	}
	st.key = strings.Join([]string{oc.RawQuery, oc.OperationName, string(vars), strconv.Itoa(s.workspaceID), who}, "\x00")
	return true
}

// eventContext is ctx with a session of its own for one event.
func (r *Resolver) eventContext(ctx context.Context) context.Context {
	s := sessionOf(ctx)
	return withSession(db.ShareSync(ctx), &session{viewer: s.viewer, workspaceID: s.workspaceID, defs: r.defs, loaders: newLoaders(r)})
}
