# wecom-bot: the two commands operators need are `make run` and `make test`.
SWIFT ?= swift

.PHONY: deps build release test run clean

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

clean:
	rm -rf .build var
