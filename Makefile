# wecom-bot: the two commands operators need are `make run` and `make test`.
SWIFT ?= swift

FUZZ_SECONDS ?= 60
SOAK_MINUTES ?= 10

.PHONY: deps build release test fuzz soak run bench clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Builds everything (the integration tests start the built executables), runs every test with
# a throwaway PostgreSQL beside them (scripts/test-postgres.sh: started first, stopped at the
# end, also on failure), then fuzzes the callback path for FUZZ_SECONDS (about a minute to
# build, plus the run).
test: deps
	$(SWIFT) build --build-tests
	scripts/test-postgres.sh run $(SWIFT) test --skip-build
	SWIFT=$(SWIFT) scripts/fuzz.sh $(FUZZ_SECONDS)

# libFuzzer over the callback path (scripts/fuzz.sh): fails on a crash or a leak.
fuzz: deps
	SWIFT=$(SWIFT) scripts/fuzz.sh $(FUZZ_SECONDS)

# Not part of CI: the whole stack under mixed traffic and faults for SOAK_MINUTES (scripts/soak.sh).
soak: deps
	SWIFT=$(SWIFT) scripts/soak.sh $(SOAK_MINUTES)

run: release
	scripts/run-local.sh

# Throughput, latency and worker figures against references measured in the same run;
# writes bench/results.md (bench/run.sh lists its knobs). Never fails on timing.
bench: deps
	bench/run.sh

clean:
	rm -rf .build var
