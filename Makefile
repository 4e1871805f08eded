# dsrhost build. Two commands matter on a fresh machine with only Go:
#   make run   - the daemon in dev mode (embedded Redis, shipped plugins)
#   make test  - every check CI runs

GO        ?= go
BIN       := bin
PLUGINS   := heap directcontact genericrest
# buf is pinned in tools/go.mod and run through `go tool`, so it needs no install.
BUF        = $(shell $(GO) -C tools tool -n buf)
GOTESTFLAGS ?= -count=1 -timeout 15m

.PHONY: all build plugins test vet lint-proto checkgenerate generate run bench clean

all: build

build: plugins
	$(GO) build -o $(BIN)/dsrhost ./daemon

plugins:
	@mkdir -p $(BIN)
	@for p in $(PLUGINS); do \
		echo "$(GO) build -o $(BIN)/dsrhost-plugin-$$p ./plugins/$$p"; \
		$(GO) build -o $(BIN)/dsrhost-plugin-$$p ./plugins/$$p || exit 1; \
	done

# test: generated code fresh, protos lint clean and wire-compatible, vet, then
# the suite (which starts its own redis-server and builds plugin binaries).
test: checkgenerate lint-proto vet
	$(GO) test $(GOTESTFLAGS) ./...

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

lint-proto:
	cd proto && $(BUF) lint
	@if git rev-parse --verify -q main >/dev/null && git cat-file -e main:proto/buf.yaml 2>/dev/null; then \
		cd proto && $(BUF) breaking --against '../.git#branch=main,subdir=proto'; \
	fi

generate:
	cd proto && $(BUF) generate

# checkgenerate regenerates into a temporary directory and fails when the
# committed proto/gen differs, so stale generated code cannot land.
checkgenerate:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	(cd proto && $(BUF) generate -o "$$tmp") && \
	if ! diff -r "$$tmp/gen" proto/gen; then \
		echo "proto/gen is stale: run 'make generate' and commit the result"; exit 1; \
	fi

run: build
	$(BIN)/dsrhost server -dev

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 10m ./bench/...

clean:
	rm -rf $(BIN)
