# longmem-eval: see README.md. `make test` is the test command CI runs.
SHELL := /bin/bash
export LONGMEM_EVAL_DATA ?= $(abspath ../shared/datasets)

.PHONY: setup build test regress regress-update cluster-test image lint format bench fixtures quickstart fuzz

setup:
	Scripts/setup.sh

build: setup
	swift build -c release

test: setup
	swift build --build-tests
	swift test --skip-build

# The regression suite (after `make test` has built the tool): small real runs checked against
# Reports/baselines/; `make regress-update` rewrites the baselines deliberately.
regress:
	Scripts/regress.sh

regress-update:
	Scripts/regress.sh --update

# The cluster tests (README, "Running on a cluster"): the Kubernetes manifests against the API schemas, then a
# real one-node Slurm cluster on this machine (root; installs slurm-wlm and munge if missing) running 4 shards
# of a small evaluation, one killed and requeued, merged and compared with the unsharded run (about a minute).
cluster-test:
	swift build --product longmem-eval
	Scripts/cluster/check_manifests.sh
	Scripts/cluster/test_slurm.sh

# The container image (Containerfile): podman, else docker.
image:
	$$(command -v podman || command -v docker) build -t longmem-eval -f Containerfile .

lint:
	swift format lint --strict --recursive Sources Tests Fuzz Package.swift

format:
	swift format format --in-place --recursive Sources Tests Fuzz Package.swift

bench: build
	python3 Scripts/bench/bench_gpt2_prefill.py

# Regenerates the committed reference fixtures (needs Scripts/reference/requirements.txt).
fixtures:
	cd Scripts/reference && python3 make_gpt2_fixture.py && python3 make_safetensors_fixture.py \
		&& python3 make_tokenizer_fixtures.py && python3 make_python_random_fixture.py \
		&& python3 make_longmem_fixture.py && python3 make_gguf_fixture.py && python3 make_text_fixture.py \
		&& python3 make_llama_fixture.py && python3 make_task_fixtures.py

quickstart: build
	Scripts/quickstart.sh

# libFuzzer targets for the file readers (Fuzz/README.md), built apart from `swift build` in .build-fuzz:
# `make fuzz TARGET=gguf SECONDS=600` fuzzes one reader for ten minutes; TARGET=all (the default) runs each in turn.
TARGET ?= all
SECONDS ?= 60
fuzz: setup
	Scripts/fuzz.sh run $(TARGET) $(SECONDS)
