#!/usr/bin/env bash
# Validates the Kubernetes manifests `longmem-eval cluster kubernetes` writes (the committed snapshots in
# Tests/Fixtures/cluster/kubernetes, which the tests keep equal to the generator's output) against the
# Kubernetes API schemas with kubernetes-validate (PyPI; offline, no cluster needed), strictly (no unknown
# field), for 1.29 (the first with backoffLimitPerIndex on by default) and the newest it knows.
# `kubectl --dry-run=client` cannot do this here: it asks a server for the schemas.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.build/cluster-venv
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet kubernetes-validate==1.37.0
fi
for version in 1.29.0 1.37.0; do
    "$venv/bin/kubernetes-validate" --strict --kubernetes-version "$version" Tests/Fixtures/cluster/kubernetes/*.yaml
done
