#!/usr/bin/env bash
# make demo: start the AWS emulator, create the seed's stack in it, apply
# examples/retail-mlops with the built provider, show what costops did and
# what it saves, then destroy it and show that nothing it owned is left.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$top/$build" ;; esac
py="$top/.tools/venv/bin/python"
work=$(mktemp -d "${TMPDIR:-/tmp}/costops-demo.XXXXXX")
emu_pid=""

cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cli="$top/.tools/bin/tofu"
[ -x "$cli" ] || cli=$(command -v terraform)
[ -n "$cli" ] || { echo "demo: no tofu or terraform found (run make setup)" >&2; exit 1; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting the AWS emulator (moto + costops extensions)"
"$py" "$top/tests/harness/emulator.py" --port "${PORT:-0}" >"$work/emulator.out" 2>"$work/emulator.log" &
emu_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/emulator.out" 2>/dev/null && break
  sleep 0.1
done
url=$(awk '/listening on/ {print $3}' "$work/emulator.out")
[ -n "$url" ] || { echo "demo: the emulator did not start" >&2; cat "$work/emulator.log" >&2; exit 1; }
echo "emulator at $url"

step "Creating the seed's stack (what the stack's own Terraform would have made)"
"$py" "$top/tests/harness/seed_stack.py" "$url" >"$work/stack.json"
cat "$work/stack.json"

# A local mirror holding the freshly built provider.
mirror="$work/mirror/costops.dev/costops/costops/0.1.0/linux_amd64"
mkdir -p "$mirror"
cp "$build/terraform-provider-costops" "$mirror/terraform-provider-costops_v0.1.0"
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["costops.dev/*/*"]
  }
  direct {
    exclude = ["costops.dev/*/*"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
# costops_teardown deletes nothing unless confirm = "destroy" is in its
# applied state (the CLIs send no configuration on destroy).
export TF_VAR_teardown_confirm=destroy
unset AWS_PROFILE AWS_SESSION_TOKEN TF_LOG || true

cp -r "$top/examples/retail-mlops" "$work/example"
cd "$work/example"
# The stack's outputs become the example's variables (only those it declares).
"$py" "$top/tests/harness/demo_vars.py" "$work/stack.json" ./*.tf >"$work/example/demo.auto.tfvars.json"
vars=(-var "endpoint_url=$url")

step "$(basename "$cli") init"
"$cli" init -input=false -no-color >/dev/null
echo "initialised with $("$cli" version | head -1)"

step "$(basename "$cli") apply"
"$cli" apply -auto-approve -input=false -no-color "${vars[@]}"

step "What costops did"
"$cli" state list
"$py" "$top/tests/harness/demo_report.py" --outputs "$cli"

step "What it saves"
"$py" "$top/tests/harness/demo_report.py" "$cli" "$url"

step "A second plan: nothing to change"
"$cli" plan -input=false -no-color -detailed-exitcode "${vars[@]}" >/dev/null && echo "no changes"

step "$(basename "$cli") destroy"
"$cli" destroy -auto-approve -input=false -no-color "${vars[@]}"

step "After destroy"
"$cli" state list | sed 's/^/left in state: /'
"$py" "$top/tests/harness/demo_report.py" --after "$cli" "$url"
echo "demo complete"
