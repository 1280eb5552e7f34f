#!/usr/bin/env bash
# The rendered trees against real tools: Terraform's own formatter, the hashicorp/aws 6.66.0
# schema (via python-hcl2, an independent parser), checkov, and `terraform validate` with the
# hashicorp/aws 3.39.0 provider for the legacy profile, for both shipped catalogues. Needs
# scripts/toolchain.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck disable=SC1091
source .toolchain/env.sh
# scripts/test names the binary its cargo test built; alone, build it (cargo build's dependency
# features differ from the test build's, so after a cargo test this rebuilds part of the tree)
if [ -z "${BANKGEN_E2E_BIN:-}" ]; then cargo build --quiet; fi
BIN=${BANKGEN_E2E_BIN:-$ROOT/target/debug/bankgen}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
T0=$SECONDS
step() { printf '[render-oracles] (t=%ds) %s\n' $((SECONDS - T0)) "$*"; }

# oracles CATALOG OUT V6_ENVS MIN_RESOURCES [LEGACY_ENVS]: every check below on one catalogue's
# rendered trees (LEGACY_ENVS: also `tf validate` these environments rendered in the legacy profile)
oracles() {
  local catalog=$1 out=$2 v6_envs=$3 min_resources=$4 legacy_envs=${5:-}
  step "$catalog: render all environments"
  "$BIN" --catalog "$catalog" render --all-envs --out "$out" > /dev/null

  step "$catalog: terraform fmt -check on every environment (local is the legacy profile)"
  tf fmt -check -recursive "$out"

  step "$catalog: hashicorp/aws 6.66.0 schema + python-hcl2 parse ($v6_envs: v6 profile), one process per env"
  local pids=() env i=0
  for env in $v6_envs; do
    hcl2-python tests/oracle/validate_schema.py tests/oracle/aws-6.66.0-schema-subset.json "$out/$env" \
      > "$out-schema-$env.log" 2>&1 &
    pids+=($!)
  done
  for env in $v6_envs; do
    if ! wait "${pids[$i]}"; then cat "$out-schema-$env.log"; exit 1; fi
    tail -1 "$out-schema-$env.log"
    i=$((i + 1))
  done

  step "$catalog: python-hcl2 parses every file of the legacy local tree"
  hcl2-python - "$out/local" <<'PY'
import pathlib, sys, hcl2
n = 0
for root in sys.argv[1:]:
    for f in sorted(pathlib.Path(root).rglob("*.tf")):
        with open(f) as fh:
            hcl2.load(fh)
        n += 1
print(f"parsed {n} legacy files")
PY

  step "$catalog: checkov on the rendered dev tree: 0 failed"
  checkov --skip-download --framework terraform -d "$out/dev" --quiet --compact -o json > "$out-checkov.json" || true
  tc-python - "$out-checkov.json" "$min_resources" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
data = data[0] if isinstance(data, list) else data
s = data["summary"]
print(f"checkov: passed {s['passed']}, failed {s['failed']}, skipped {s['skipped']}, resources {s['resource_count']}")
for f in data["results"]["failed_checks"]:
    print(f"  FAILED {f['check_id']} {f['resource']} {f['file_path']}")
assert s["resource_count"] > int(sys.argv[2]), "checkov saw too few resources"
sys.exit(1 if s["failed"] else 0)
PY

  step "$catalog: terraform validate, hashicorp/aws 3.39.0, every module of the legacy local tree and of '$legacy_envs' rendered in the legacy profile"
  # dev in the legacy profile too: the local tree leaves out the kinds its emulator cannot serve;
  # prod: the protected environment's lifecycle blocks (prevent_destroy) through Terraform itself.
  mkdir -p "$out-legacy"
  local legacy_dirs=()
  for env in $legacy_envs; do
    "$BIN" --catalog "$catalog" render --env "$env" --profile legacy --out "$out-legacy" > /dev/null
    legacy_dirs+=("$out-legacy/$env"/MOD-*)
  done
  # One root that calls every rendered module: a single validate covers all of them.
  mkdir -p "$out-validate"
  for d in "$out"/local/MOD-* "${legacy_dirs[@]}"; do
    local n
    n=$(basename "$(dirname "$d")")_$(basename "$d")
    printf 'module "%s" {\n  source = "%s"\n}\n\n' "${n//-/_}" "$d"
  done > "$out-validate/main.tf"
  (cd "$out-validate" && tf init -backend=false -input=false -no-color > init.log 2>&1 || { cat init.log; exit 1; })
  (cd "$out-validate" && tf validate -no-color)
}

oracles catalog "$WORK/out" "dev uat prod" 900
# The global platform's local tree leaves out Redis (its emulator cannot serve it): validate a
# legacy render of dev too, and of the protected prod (prevent_destroy on every kind that holds data).
oracles examples/global-platform "$WORK/gp" "dev staging prod" 150 "dev prod"
step "ok"
