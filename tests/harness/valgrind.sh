#!/usr/bin/env bash
# Runs every unit-test and fuzz-corpus executable under valgrind memcheck:
# any invalid access or definite leak fails. Then drives the provider binary
# itself under valgrind through a handshake, schema, validate and Shutdown.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$top/$build" ;; esac
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --track-origins=no)
fail=0
for exe in "$build"/test_* "$build"/fuzz_*; do
  [ -x "$exe" ] || continue
  name=$(basename "$exe")
  args=()
  case "$name" in fuzz_*) args=("$top/tests/fuzz/corpus/$name") ;; esac
  if (cd "$top" && "${vg[@]}" "$exe" "${args[@]}" >"$build/valgrind-$name.log" 2>&1); then
    echo "valgrind: $name clean"
  else
    echo "valgrind: $name FAILED (see $build/valgrind-$name.log)"; tail -30 "$build/valgrind-$name.log"; fail=1
  fi
done
if (cd "$top" && "${vg[@]}" "$build/sigv4-suite" "$top/tests/testdata/aws-sigv4-suite" >"$build/valgrind-sigv4.log" 2>&1); then
  echo "valgrind: sigv4-suite clean"
else
  echo "valgrind: sigv4-suite FAILED"; tail -30 "$build/valgrind-sigv4.log"; fail=1
fi
if COSTOPS_VALGRIND=1 COSTOPS_PROVIDER_DIR="$build" "$top/.tools/venv/bin/python" -m pytest -q \
     "$top/tests/e2e/test_plugin_runtime.py" -k "served or shutdown" >"$build/valgrind-provider.log" 2>&1; then
  echo "valgrind: provider (handshake, schema, Shutdown) clean"
else
  echo "valgrind: provider FAILED"; tail -40 "$build/valgrind-provider.log"; fail=1
fi
exit $fail
