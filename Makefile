# dsrhost build. Two commands matter on a fresh machine with only Go:
#   make run   - the daemon in dev mode (embedded Redis, shipped plugins)
#   make test  - every check CI runs

GO        ?= go
BIN       := bin
PLUGINS   := heap directcontact genericrest sql
# buf is pinned in tools/go.mod and run through `go tool`, so it needs no install.
BUF        = $(shell $(GO) -C tools tool -n buf)
# -parallel 4: most end-to-end tests wait on processes (leases, Retry-After,
# restarts) rather than compute, so two at a time (GOMAXPROCS on 2 cores)
# left the CPU idle and the daemon package near its timeout.
GOTESTFLAGS ?= -count=1 -timeout 15m -parallel 4
# Where `make run` serves: make run DEV_ADDR=127.0.0.1:8800
DEV_ADDR  ?= 127.0.0.1:8700
# Extra go build flags; `make release` sets -trimpath.
GOBUILDFLAGS ?=
# protovalidate's validate.proto, imported by the admin API for its validation
# rules, is read from this pinned Go module in the module cache and never
# copied into the repository: proto-deps links proto/third_party/protovalidate
# (gitignored) to it, after checking the module's hash.
PROTOVALIDATE_MODULE  := github.com/bufbuild/protovalidate
PROTOVALIDATE_VERSION := v1.2.2
PROTOVALIDATE_SUM     := h1:2H/9/Kr97etSRqW3IJjTTb09z+zutkK2GDhDRbOnqr4=
PROTOVALIDATE_LINK    := proto/third_party/protovalidate

.PHONY: all build release plugins test test-unit provision vet lint-proto checkgenerate generate proto-deps run bench clean screenshots

all: build

build: plugins
	$(GO) build $(GOBUILDFLAGS) -o $(BIN)/dsrhost ./daemon

# release: the production build. -tags nodev leaves dev mode (miniredis, the
# demo services, the Heap stand-in, the mail sink, the demo SQLite database)
# out of bin/dsrhost; `server -dev` on it says so.
release: GOBUILDFLAGS := -trimpath
release: plugins
	$(GO) build $(GOBUILDFLAGS) -tags nodev -o $(BIN)/dsrhost ./daemon

plugins:
	@mkdir -p $(BIN)
	@for p in $(PLUGINS); do \
		echo "$(GO) build $(GOBUILDFLAGS) -o $(BIN)/dsrhost-plugin-$$p ./plugins/$$p"; \
		$(GO) build $(GOBUILDFLAGS) -o $(BIN)/dsrhost-plugin-$$p ./plugins/$$p || exit 1; \
	done

# test: what the tests need installed (provision), generated code fresh,
# protos lint clean and wire-compatible, vet, then the whole suite, which
# starts its own redis-server, Chromium and database servers and builds the
# plugin binaries. A test whose server is missing fails; only -short skips.
# (Tests written before testprereq read these; they make a missing
# server a failure there too.)
test: export DSRHOST_REQUIRE_REDIS=1
test: export DSRHOST_REQUIRE_BROWSER=1
test: export DSRHOST_REQUIRE_NODE=1
test: provision checkgenerate lint-proto vet
	$(GO) test $(GOTESTFLAGS) ./...

# test-unit: the quick subset (go test -short): tests needing a server, a
# browser or a long wait are skipped, and nothing is installed.
test-unit:
	$(GO) test $(GOTESTFLAGS) -short ./...

# provision installs redis-server, Chromium, PostgreSQL, MariaDB (and the
# Node.js example's packages) through apt-get when missing.
provision:
	@.ci/provision

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# proto-deps links the pinned protovalidate module's source where buf.yaml
# expects it, downloading it into the module cache first when needed.
proto-deps:
	@info=$$($(GO) mod download -json $(PROTOVALIDATE_MODULE)@$(PROTOVALIDATE_VERSION)) || { echo "$$info"; exit 1; }; \
	dir=$$(printf '%s\n' "$$info" | sed -n 's/^[[:space:]]*"Dir": "\([^"]*\)".*/\1/p'); \
	sum=$$(printf '%s\n' "$$info" | sed -n 's/^[[:space:]]*"Sum": "\([^"]*\)".*/\1/p'); \
	if [ "$$sum" != "$(PROTOVALIDATE_SUM)" ] || [ ! -d "$$dir/proto/protovalidate" ]; then \
		echo "$(PROTOVALIDATE_MODULE)@$(PROTOVALIDATE_VERSION): hash $$sum, want $(PROTOVALIDATE_SUM)"; exit 1; \
	fi; \
	mkdir -p $(dir $(PROTOVALIDATE_LINK)) && ln -sfn "$$dir" $(PROTOVALIDATE_LINK)

# lint-proto lints, then checks wire and JSON compatibility of dsrhost's own
# protos against main's (extracted with git archive, so the work tree is never
# touched). Both sides are built into images first, so the check works whether
# or not main's workspace already has the protovalidate module.
lint-proto: proto-deps
	cd proto && $(BUF) lint
	@if git rev-parse --verify -q main >/dev/null && git cat-file -e main:proto/buf.yaml 2>/dev/null; then \
		tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		git archive main proto | tar -x -C "$$tmp" && \
		if grep -q third_party "$$tmp/proto/buf.yaml"; then \
			mkdir -p "$$tmp/proto/third_party" && \
			ln -s "$$(readlink $(PROTOVALIDATE_LINK))" "$$tmp/proto/third_party/protovalidate"; \
		fi && \
		(cd "$$tmp/proto" && $(BUF) build --path dsrhost -o "$$tmp/against.binpb") && \
		(cd proto && $(BUF) build --path dsrhost -o "$$tmp/current.binpb") && \
		$(BUF) breaking "$$tmp/current.binpb" --against "$$tmp/against.binpb" --config proto/buf.yaml; \
	fi

generate: proto-deps
	cd proto && $(BUF) generate

# checkgenerate regenerates into a temporary directory and fails when the
# committed proto/gen differs, so stale generated code cannot land.
checkgenerate: proto-deps
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	(cd proto && $(BUF) generate -o "$$tmp") && \
	if ! diff -r "$$tmp/gen" proto/gen; then \
		echo "proto/gen is stale: run 'make generate' and commit the result"; exit 1; \
	fi

run: build
	$(BIN)/dsrhost server -dev -dev-listen-address $(DEV_ADDR)

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./daemon/bench/...

# screenshots runs a real daemon (redis-server, plugins) with a mixed
# request and writes PNGs of the console's pages at desktop and phone widths
# into screenshots/ (gitignored) for a reviewer to look at.
SCREENSHOTS ?= $(CURDIR)/screenshots
screenshots: export DSRHOST_REQUIRE_REDIS=1
screenshots: export DSRHOST_REQUIRE_BROWSER=1
screenshots:
	@rm -f $(SCREENSHOTS)/*.png
	DSRHOST_SCREENSHOTS=$(SCREENSHOTS) $(GO) test -count=1 -timeout 10m -run '^TestConsoleScreenshots$$' ./daemon/
	@ls -1 $(SCREENSHOTS)/*.png

clean:
	rm -rf $(BIN)
