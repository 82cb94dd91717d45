# MedAnomaly — the two commands a user needs are `make demo` and `make test`.
# Both install what is missing (Debian packages), build the native shim and the .NET solution, then run.
#
#   LIBTORCH_DIR=/path/to/libtorch make test   # use another libtorch (pytorch.org zip, pip torch, CUDA build)

SHELL := /bin/bash
CONFIG ?= Release
NATIVE_DIR := build/native
NATIVE_LIB := $(NATIVE_DIR)/libmedanomaly_native.so
APT_PACKAGES := libtorch-dev libopenblas0-openmp cmake g++ make
PEER_PACKAGES := python3-torch python3-sklearn python3-nibabel python3-numpy
DOTNET := DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet
CLI := $(DOTNET) src/MedAnomaly.Cli/bin/$(CONFIG)/net10.0/MedAnomaly.Cli.dll

.PHONY: all deps peer-deps native build test demo bench clean

all: build

# Debian packages, installed only when missing. Without LIBTORCH_DIR we use Debian's libtorch;
# libopenblas0-openmp replaces the slow reference BLAS that Debian's libtorch links by default.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$(LIBTORCH_DIR)" ]; then missing=$$(echo $$missing | tr ' ' '\n' | grep -v '^libtorch-dev$$' | tr '\n' ' '); fi; \
	if [ -n "$$(echo $$missing)" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

# Python peers: PyTorch for golden values and speed comparisons, scikit-learn, nibabel (benchmarks, fixtures).
peer-deps:
	@missing=""; for p in $(PEER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$(echo $$missing)" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

native: deps
	@cmake -S src/MedAnomaly.Native -B $(NATIVE_DIR) -DCMAKE_BUILD_TYPE=Release \
	  $(if $(LIBTORCH_DIR),-DCMAKE_PREFIX_PATH=$(LIBTORCH_DIR)) >/dev/null
	@cmake --build $(NATIVE_DIR) -j2

build: native
	@$(DOTNET) build MedAnomaly.sln -c $(CONFIG) -v q -nologo -clp:NoSummary

test: build
	@./tests/run-tests.sh $(CONFIG)

demo: build
	@$(CLI) demo

bench: build peer-deps
	@$(DOTNET) run --project tests/MedAnomaly.Benchmarks -c Release --no-build -- all

clean:
	rm -rf build src/*/bin src/*/obj tests/*/bin tests/*/obj
