# wecom-bot: the two commands operators need are `make run` and `make test`.
SWIFT ?= swift

.PHONY: deps build release test run bench clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Builds everything (the integration tests start the built executables) and runs every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

run: release
	scripts/run-local.sh

# Throughput, latency and worker figures against references measured in the same run;
# writes bench/results.md (bench/run.sh lists its knobs). Never fails on timing.
bench: deps
	bench/run.sh

clean:
	rm -rf .build var
