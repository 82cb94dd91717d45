# MedAnomaly — the two commands a user needs are `make demo` and `make test`.
# Both restore what is missing (NuGet packages, pinned dotnet tools), build the .NET solution, then run.
# TorchSharp brings libtorch 2.10 as NuGet packages: nothing is compiled natively.
#
#   make build TORCHSHARP_BACKEND=cuda-linux   # executables on TorchSharp-cuda-linux instead of TorchSharp-cpu

SHELL := /bin/bash
CONFIG ?= Release
TORCHSHARP_BACKEND ?= cpu
# Python peers: PyTorch 1.13 for speed comparisons and golden values, scikit-learn, nibabel (benchmarks, golden scripts).
# OpenBLAS: without it Debian's PyTorch runs its matmuls on the reference (netlib) BLAS, several times slower.
PEER_PACKAGES := python3-torch python3-sklearn python3-nibabel python3-numpy libopenblas0-pthread
DOTNET := DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet
CLI := $(DOTNET) src/MedAnomaly.Cli/bin/$(CONFIG)/net10.0/MedAnomaly.Cli.dll

.PHONY: all peer-deps peer-code-deps notebook-deps slurm-deps tools build pack test notebooks readme-figures demo demo-weak bench scale peers peers-speed peer-data clean

all: build

# Debian packages, installed only when missing.
peer-deps:
	@missing=""; for p in $(PEER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$(echo $$missing)" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

# Headless notebooks and the browser test: Debian's chromium (through Microsoft.Playwright) and python3-nbformat.
NOTEBOOK_PACKAGES := chromium python3-nbformat
notebook-deps:
	@missing=""; for p in $(NOTEBOOK_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$(echo $$missing)" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

# Slurm and munge for the tests of `compare --executor slurm`, which start a one-node cluster in a temporary folder
# (tests/slurm/loopback-cluster.sh; docs/cluster.md) with daemons of their own; installed only when missing.
SLURM_PACKAGES := slurm-wlm munge
slurm-deps:
	@missing=""; for p in $(SLURM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$(echo $$missing)" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

# The pinned dotnet tools of .config/dotnet-tools.json (dotnet-repl runs the notebooks).
tools:
	@$(DOTNET) tool restore >/dev/null

# Builds the solution, then packs MedAnomaly and MedAnomaly.Notebooks into artifacts/feed (named as a source by
# notebooks/NuGet.Config) at a version unique to this build, 0.1.0-local.<UTC time>: NuGet keeps one copy of each version
# in ~/.nuget/packages for every clone on the machine, so a fixed version would serve one clone's stale build to all of
# them. The notebooks take the newest version of their own clone's feed (#r "nuget: MedAnomaly.Notebooks, *-*"); the
# shared cache is never touched (docs/notebooks.md).
PACK_VERSION_SUFFIX := local.$(shell date -u +%Y%m%d%H%M%S)
build: tools
	@$(DOTNET) build MedAnomaly.sln -c $(CONFIG) -v q -nologo -clp:NoSummary -p:TorchSharpBackend=$(TORCHSHARP_BACKEND)
	@$(MAKE) --no-print-directory pack

pack:
	@rm -rf artifacts/feed
	@$(DOTNET) pack MedAnomaly.sln -c $(CONFIG) --no-build -v q -nologo -o artifacts/feed -p:VersionSuffix=$(PACK_VERSION_SUFFIX) >/dev/null
	@echo "packed into artifacts/feed:" $$(cd artifacts/feed && ls *.nupkg)

# The xunit suite (with the Slurm executor's tests on a loopback cluster), then every notebook headless; one summary line counts both.
test: build notebook-deps slurm-deps
	@./tests/run-tests.sh $(CONFIG)

# Every notebook headless into build/notebooks/ (docs/notebooks.md).
notebooks: build notebook-deps
	@./tests/run-notebooks.sh

# The README's figure and chart from notebook 07 (docs/notebooks.md, "Paper figures from notebook 07"): 07 reads the
# run store that `make demo` fills, rescoring each method's first-seed model; its residual-map figure is copied to docs/
# and the first chart of its charts.html is rendered to PNG in headless chromium (docs/chart-png.cs).
readme-figures: build notebook-deps
	@[ -f runs/medanomaly.db ] || { echo "readme-figures: runs/medanomaly.db is missing; run 'make demo' first"; exit 1; }
	@MEDANOMALY_NB_STORE=../runs/medanomaly.db NOTEBOOK_TIMEOUT=$${NOTEBOOK_TIMEOUT:-900} ./tests/run-notebooks.sh notebooks/07-compare.ipynb
	@cp build/notebook-figures/residuals.png docs/notebook07-residuals.png
	@$(DOTNET) run docs/chart-png.cs -- build/notebook-figures/charts.html docs/notebook07-chart.png

# The main job: every method × 2 seeds on the embedded phantom (quick preset), two cells at a time (one libtorch thread
# each: 1.66× faster than one cell on both cores on the 2-core VM, README "On every core"), then tables, figure and report.
PHANTOM := runs/data/phantom
demo: build
	@[ -f $(PHANTOM)/manifest.json ] || $(CLI) data phantom --out $(PHANTOM) --volumes 20 --size 64 --seed 0
	@$(CLI) compare --data $(PHANTOM) --preset quick --seeds 2 --jobs 2 --out runs/compare

# The weakly supervised setting: the same phantom plus a weak split (14 volumes labelled per slice, no masks for training),
# all seven methods × 2 seeds (quick preset); the tables carry a Supervision column (docs/methods.md, "Supervision").
PHANTOM_WEAK := runs/data/phantom-weak
demo-weak: build
	@[ -f $(PHANTOM_WEAK)/manifest.json ] || $(CLI) data phantom --out $(PHANTOM_WEAK) --volumes 20 --weak 14 --size 64 --seed 0
	@$(CLI) compare --data $(PHANTOM_WEAK) --preset quick --seeds 2 --methods ae,vae,dae,ddpm,disyre,wolleb,gradcam --jobs 2 --out runs/compare-weak

# detectors and ae also compare with diffusers' UNet2DModel and MedIAnomaly's AE class when MEDANOMALY_DIFFUSERS and
# MEDANOMALY_MEDIANOMALY name their folders (docs/performance.md), e.g. make bench MEDANOMALY_DIFFUSERS=/path/to/diffusers/src
bench: build peer-deps
	@$(DOTNET) tests/MedAnomaly.Benchmarks/bin/$(CONFIG)/net10.0/MedAnomaly.Benchmarks.dll all

# README's scale table: the quick grid with --jobs 1, --jobs 2 and through a loopback Slurm (benchmarks/scale.sh,
# ~10+ minutes per row on 2 cores; PRESET=tiny checks it in minutes). Row 3 needs root (slurmd).
PRESET ?= quick
scale: build slurm-deps
	@benchmarks/scale.sh --preset $(PRESET)

# What the authors' code imports besides PEER_PACKAGES (benchmarks/peers/README.md), installed only when missing.
PEER_CODE_PACKAGES := python3-torchvision python3-scipy python3-skimage python3-matplotlib python3-numba python3-pil \
  python3-requests python3-regex python3-filelock python3-yaml python3-tqdm python3-packaging python3-typing-extensions python3-psutil
peer-code-deps:
	@missing=""; for p in $(PEER_CODE_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$(echo $$missing)" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

# Ours against the authors' code (benchmarks/peers/README.md): make peers PEERS=/folder/with/the/trees [SEEDS=3]
# [PEER_METHODS=disyre,ae,anoddpm]. PEERS holds disyre/, medianomaly/, anoddpm/ and pypath/ (DISYRE's dependencies).
PEER_DATA := runs/data/peers
SEEDS ?= 3
PEER_METHODS ?= disyre,ae,anoddpm
peers: peer-data
	@CONFIG=$(CONFIG) OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 benchmarks/peers/compare.py --peers "$(PEERS)" --dataset $(PEER_DATA) \
	  --export $(PEER_DATA)-export --methods $(PEER_METHODS) --seeds $(SEEDS) --out runs/peers

# Their speed and ours in rounds that alternate the sides (benchmarks/peers/speed.py): make peers-speed PEERS=… [ROUNDS=8]
ROUNDS ?= 8
peers-speed: peer-data
	@CONFIG=$(CONFIG) OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 benchmarks/peers/speed.py --peers "$(PEERS)" --dataset $(PEER_DATA) \
	  --export $(PEER_DATA)-export --methods $(PEER_METHODS) --rounds $(ROUNDS) --out runs/peers-speed

peer-data: build peer-deps peer-code-deps
	@[ -n "$(PEERS)" ] || { echo "$(MAKECMDGOALS): give PEERS=/folder/with/the/trees (benchmarks/peers/README.md)"; exit 1; }
	@[ -f $(PEER_DATA)/manifest.json ] || $(CLI) data phantom --out $(PEER_DATA) --volumes 12 --size 64 --seed 0
	@$(CLI) data export --data $(PEER_DATA) --out $(PEER_DATA)-export

clean:
	rm -rf build artifacts src/*/bin src/*/obj tests/*/bin tests/*/obj
