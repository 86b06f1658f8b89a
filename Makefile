# make run   — the server on embedded SQLite with GraphiQL at http://localhost:8080/
# make test  — lint, generated-code check and the whole suite (PostgreSQL too
#              when TEST_DATABASE_URL is set, as .ci/run sets it)
GO ?= go
GENERATED := ent graph examples/go

.PHONY: run test test-go generate check-generate lint bench chaos

run:
	$(GO) run .

test: lint check-generate test-go

test-go:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== tests on SQLite and on PostgreSQL ($$TEST_DATABASE_URL)"; \
	else \
		echo "== tests on SQLite only: TEST_DATABASE_URL is not set, PostgreSQL tests are SKIPPED"; \
	fi
	$(GO) test -count=1 -timeout 35m ./...
	@echo "== the graph suite again with read plans off: every field through gqlgen's executor"
	CRM_READ_PLANS=off $(GO) test -count=1 -timeout 15m ./graph/
	@echo "== FuzzRequest: 10,000 arbitrary request bodies (longer by hand: go test -run '^$$' -fuzz FuzzRequest -fuzztime 10m -fuzzminimizetime 0 ./graph/)"
	@# -fuzzminimizetime 0, or the workers minimise for the whole run; a count, not a time: FuzzRequest's comment
	$(GO) test -count=1 -run '^$$' -fuzz FuzzRequest -fuzztime 10000x -fuzzminimizetime 0 ./graph/

# examples/go: the Go SDK example's genqlient client, from the golden
# schema (graph/testdata/schema.graphql) and its operations.graphql;
# examples/go/typed: the typed endpoint's, from the standard catalog's
# typed SDL (internal/typed/testdata/catalog.graphqls).
generate:
	$(GO) generate ./ent
	$(GO) tool gqlgen generate
	$(GO) generate ./examples/go/...

# check-generate regenerates into the tree and fails if anything changed:
# generated code must be committed in sync with its sources.
check-generate:
	@snap=$$(mktemp -d); cp -r --parents $(GENERATED) $$snap/; \
	$(MAKE) -s generate >/dev/null; \
	for d in $(GENERATED); do \
		if ! diff -r -q $$snap/$$d $$d; then \
			echo "generated code in $$d is out of date: run 'make generate' and commit the result"; rm -rf $$snap; exit 1; \
		fi; \
	done; rm -rf $$snap; echo "generated code is in sync"

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) run ./cmd/bench

# bench-export measures a CSV export of 1,000,000 contacts through the
# HTTP download beside COPY TO STDOUT (cmd/bench/export.go); needs
# PostgreSQL like bench, and psql.
.PHONY: bench-export
bench-export:
	BENCH_ONLY=export $(GO) run ./cmd/bench

# bench-import measures crm import of 1,000,000 contacts, the server
# binary as a child process, beside COPY of the same rows
# (cmd/bench/imports.go); BENCH_IMPORT_ROWS runs it smaller. Needs
# PostgreSQL like bench.
.PHONY: bench-import
bench-import:
	BENCH_ONLY=import $(GO) run ./cmd/bench

# bench-subscriptions measures 1,000 graphql-ws subscribers of the server
# binary (a child process) while 200 updates a second are written, beside
# one subscriber (cmd/bench/subscriptions.go); BENCH_SUBSCRIBERS,
# BENCH_SUBSCRIPTION_RATE and BENCH_SUBSCRIPTION_SECONDS (default 20) size
# it. Needs PostgreSQL like bench.
.PHONY: bench-subscriptions
bench-subscriptions:
	BENCH_ONLY=subscriptions $(GO) run ./cmd/bench

# bench-peers measures the API beside PostGraphile v5 on the same data
# (cmd/bench/peers.go): npm installs PostGraphile into ~/.cache/crm-bench
# once; needs PostgreSQL like bench.
.PHONY: bench-peers
bench-peers:
	$(GO) run ./cmd/bench peers

# chaos restarts the local PostgreSQL cluster under writes (cmd/chaos): run
# it alone, never beside other tests. Without TEST_DATABASE_URL or
# pg_ctlcluster it says so and passes, unless CI is set.
chaos:
	$(GO) run ./cmd/chaos
