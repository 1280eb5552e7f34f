# tests/e2e/lib/live.sh: what the live e2e scripts share. Source it with LIVE set to the
# script's name (the prefix of its lines). It goes to the repository's root, loads the
# toolchain, builds bankgen (BIN), makes WORK (removed on exit) with OUT in it, starts a moto of
# its own on a free port (ENDPOINT, PORT; stopped on exit) and copies the catalogue to CAT
# ($WORK/catalog) with platform.yaml's `local` endpoint pointing at that moto. Every bankgen
# call of a live script takes `--catalog "$CAT"`, so live scripts can run side by side.
# LIVE_CATALOG names another catalogue folder to copy (default: the bank's, `catalog`).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT"
# shellcheck disable=SC1091
source .toolchain/env.sh
T0=$SECONDS
step() { printf '[%s] (t=%ds) %s\n' "$LIVE" $((SECONDS - T0)) "$*"; }
die() { printf '[%s] FAIL: %s\n' "$LIVE" "$*" >&2; exit 1; }

# scripts/test names the binary its cargo test built; alone, build it (cargo build's dependency
# features differ from the test build's, so after a cargo test this rebuilds part of the tree)
if [ -z "${BANKGEN_E2E_BIN:-}" ]; then cargo build --quiet; fi
BIN=${BANKGEN_E2E_BIN:-$ROOT/target/debug/bankgen}
LIVE_CATALOG=${LIVE_CATALOG:-catalog}
SHIPPED=http://127.0.0.1:4566   # the shipped catalogues' local endpoint
grep -q "endpoint: $SHIPPED\$" "$LIVE_CATALOG/platform.yaml" || die "$LIVE_CATALOG/platform.yaml's local endpoint is not $SHIPPED"

WORK=$(mktemp -d)
OUT=$WORK/out
CAT=$WORK/catalog
PORT=
cleanup() {
  if [ -n "$PORT" ]; then scripts/moto stop "$PORT" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step "starting moto on a free port"
ENDPOINT=$(scripts/moto start) || die "moto did not start"
PORT=${ENDPOINT##*:}
step "moto on $ENDPOINT; catalogue copy with that endpoint in $CAT"
cp -r "$LIVE_CATALOG" "$CAT"
sed -i "s|endpoint: $SHIPPED\$|endpoint: $ENDPOINT|" "$CAT/platform.yaml"
grep -q "endpoint: $ENDPOINT\$" "$CAT/platform.yaml" || die "the copy's local endpoint is not $ENDPOINT"
[ "$(grep -c 'endpoint: ' "$CAT/platform.yaml")" = 1 ] || die "platform.yaml names more than one endpoint: update lib/live.sh"
