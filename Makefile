# MedAnomaly — the two commands a user needs are `make demo` and `make test`.
# Both restore what is missing (NuGet packages, pinned dotnet tools), build the .NET solution, then run.
# TorchSharp brings libtorch 2.10 as NuGet packages: nothing is compiled natively.
#
#   make build TORCHSHARP_BACKEND=cuda-linux   # executables on TorchSharp-cuda-linux instead of TorchSharp-cpu

SHELL := /bin/bash
CONFIG ?= Release
TORCHSHARP_BACKEND ?= cpu
# Python peers: PyTorch 1.13 for speed comparisons and golden values, scikit-learn, nibabel (benchmarks, golden scripts).
PEER_PACKAGES := python3-torch python3-sklearn python3-nibabel python3-numpy
DOTNET := DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet
CLI := $(DOTNET) src/MedAnomaly.Cli/bin/$(CONFIG)/net10.0/MedAnomaly.Cli.dll

.PHONY: all peer-deps build test demo bench clean

all: build

# Debian packages, installed only when missing.
peer-deps:
	@missing=""; for p in $(PEER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$(echo $$missing)" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

build:
	@$(DOTNET) build MedAnomaly.sln -c $(CONFIG) -v q -nologo -clp:NoSummary -p:TorchSharpBackend=$(TORCHSHARP_BACKEND)

test: build
	@./tests/run-tests.sh $(CONFIG)

# The main job: every method × 3 seeds on the embedded phantom (quick preset), then tables, figure and report.
PHANTOM := runs/data/phantom
demo: build
	@[ -f $(PHANTOM)/manifest.json ] || $(CLI) data phantom --out $(PHANTOM) --volumes 24 --size 64 --seed 0
	@$(CLI) compare --data $(PHANTOM) --preset quick --seeds 3 --out runs/compare

bench: build peer-deps
	@$(DOTNET) tests/MedAnomaly.Benchmarks/bin/$(CONFIG)/net10.0/MedAnomaly.Benchmarks.dll all

clean:
	rm -rf build src/*/bin src/*/obj tests/*/bin tests/*/obj
