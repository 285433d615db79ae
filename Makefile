# Thin wrapper around CMake, in the manner of Neovim's top-level Makefile.
#   make            build (release, hardened) into build/
#   sudo make deps  install the missing Debian packages and create the
#                   system user _ttp the helpers run as (idempotent)
#   sudo make test  deps + build + the whole test suite (also under ASan/UBSan)
#   sudo make demo  deps + build + the offline lab with `ttp start` inside it
#   make deb        the Debian package, in build-deb/ (scripts/deb.sh)
#   sudo make install / uninstall

BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
FUZZ_DIR    ?= build-fuzz
PREFIX      ?= /usr/local
CMAKE_FLAGS ?=
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps test unit asan fuzz netns e2e demo deb install uninstall bench clean lint

all: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS)

$(ASAN_DIR)/CMakeCache.txt:
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DTTP_SANITIZE=ON $(CMAKE_FLAGS)

$(FUZZ_DIR)/CMakeCache.txt:
	CC=clang cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=Debug -DTTP_FUZZ=ON $(CMAKE_FLAGS)

# Packages, then (as root) the helpers' own system user, as make install
# creates it: ttp never runs its helpers under a shared account.
deps:
	scripts/deps.sh
	@[ "$$(id -u)" -ne 0 ] || scripts/install-user.sh

test: deps
	tests/run

unit: all
	cd $(BUILD_DIR) && ctest -L unit --output-on-failure

asan: $(ASAN_DIR)/CMakeCache.txt
	cmake --build $(ASAN_DIR) -j $(JOBS)

fuzz: $(FUZZ_DIR)/CMakeCache.txt
	cmake --build $(FUZZ_DIR) -j $(JOBS)

demo: deps all
	scripts/reachable.sh
	tests/lab/demo.sh

bench: all
	bench/run

deb:
	scripts/deb.sh

install: all
	cmake --install $(BUILD_DIR)
	scripts/install-user.sh

uninstall:
	scripts/uninstall.sh $(PREFIX)

lint:
	scripts/lint.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR) build-deb
