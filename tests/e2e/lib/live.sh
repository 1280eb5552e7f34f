# tests/e2e/lib/live.sh: what the live e2e scripts share. Source it with LIVE set to the
# script's name (the prefix of its lines). It goes to the repository's root, loads the
# toolchain, builds bankgen (BIN), makes WORK (removed on exit) with OUT in it, and starts moto
# on platform.yaml's local endpoint (or resets the one scripts/moto already runs), stopping it on
# exit when it started it.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT"
# shellcheck disable=SC1091
source .toolchain/env.sh
T0=$SECONDS
step() { printf '[%s] (t=%ds) %s\n' "$LIVE" $((SECONDS - T0)) "$*"; }
die() { printf '[%s] FAIL: %s\n' "$LIVE" "$*" >&2; exit 1; }

cargo build --quiet   # a no-op after scripts/test's cargo test
BIN=$ROOT/target/debug/bankgen
PORT=4566
ENDPOINT=http://127.0.0.1:$PORT
grep -q "endpoint: $ENDPOINT" catalog/platform.yaml || die "catalog/platform.yaml's local endpoint is not $ENDPOINT"

WORK=$(mktemp -d)
OUT=$WORK/out
STARTED_MOTO=0
cleanup() {
  if [ "$STARTED_MOTO" = 1 ]; then scripts/moto stop "$PORT" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if scripts/moto status | grep -q "^$PORT "; then
  step "moto already runs on $PORT (started by scripts/moto): resetting its state"
else
  step "starting moto on $PORT"
  scripts/moto start "$PORT" > /dev/null
  STARTED_MOTO=1
fi
scripts/moto reset "$PORT"
