#!/usr/bin/env bash
# Installs what longmem-eval needs on a Debian/Ubuntu machine that has the Swift toolchain:
# OpenBLAS (BLAS for the tensor core), libxml2 (FoundationXML) and Chromium (the report screenshot test
# renders HTML reports headlessly). Safe to run again.
set -euo pipefail

packages=(libopenblas-dev libxml2-dev chromium fonts-dejavu-core)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: the Swift toolchain (6.1 or newer) is not on PATH" >&2; exit 1; }
