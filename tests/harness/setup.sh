#!/usr/bin/env bash
# Installs everything costops needs to build, test and demo, idempotently:
# Debian packages, a pinned moto in .tools/venv, and a pinned OpenTofu built
# from the Go module proxy into .tools/bin/tofu. What is slow to build is kept
# under ~/.cache/costops so a fresh clone reuses it.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
tools="$top/.tools"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/costops"
mkdir -p "$tools/bin" "$cache"

TOFU_VERSION=v1.12.6
MOTO_VERSION=5.2.1

say() { printf '[setup] %s\n' "$*" >&2; }

# ---- Debian packages ---------------------------------------------------------
pkgs=(build-essential cmake pkg-config libgrpc-dev libprotobuf-c-dev
  protobuf-c-compiler libcurl4-openssl-dev libssl-dev libmsgpack-dev
  libjansson-dev libexpat1-dev libcmocka-dev valgrind python3-venv)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq || true
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ---- Python: moto server, boto3, pytest -----------------------------------------
req="$top/tests/harness/requirements.txt"
stamp="$tools/venv/.costops-$(sha256sum "$req" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "creating .tools/venv with pinned moto[server]==$MOTO_VERSION"
  rm -rf "$tools/venv"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q --upgrade pip >/dev/null 2>&1 || true
  "$tools/venv/bin/pip" install -q -r "$req"
  "$tools/venv/bin/python" -c "import moto.server, boto3, pytest, yaml"
  touch "$stamp"
fi

# ---- OpenTofu, built from the Go module proxy ------------------------------------
tofu_cached="$cache/tofu-$TOFU_VERSION/tofu"
if [ ! -x "$tofu_cached" ]; then
  say "building OpenTofu $TOFU_VERSION from the Go module proxy (a few minutes, once)"
  work=$(mktemp -d)
  cp "$top/tests/harness/tofu/go.mod" "$top/tests/harness/tofu/go.sum" \
     "$top/tests/harness/tofu/tools.go" "$work/"
  mkdir -p "$(dirname "$tofu_cached")"
  (cd "$work" && GOFLAGS=-mod=mod go build -trimpath \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
      -o "$tofu_cached.tmp" github.com/opentofu/opentofu/cmd/tofu)
  mv "$tofu_cached.tmp" "$tofu_cached"
  rm -rf "$work"
fi
ln -sf "$tofu_cached" "$tools/bin/tofu"
say "ready: $("$tools/bin/tofu" version 2>/dev/null | grep -m1 "^OpenTofu")$(command -v terraform >/dev/null && echo ", $(terraform version 2>/dev/null | grep -m1 "^Terraform")")"
