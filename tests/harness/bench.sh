#!/usr/bin/env bash
# make bench: start-up time and memory of the provider (see bench.py).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
exec "$top/.tools/venv/bin/python" "$top/tests/harness/bench.py" "${1:-$top/build}"
