#!/usr/bin/env bash
# Live rollback: `bankgen rollback` with the real Terraform core (the toolchain's `tofu` shim),
# hashicorp/aws 3.39.0 (the legacy profile) and a moto of its own on a free port (lib/live.sh: the
# catalogue copy's `local` environment names that endpoint).
#
#   1. a temporary git repository holds a copy of the catalogue; a commit changes MOD-104's
#      bank-firehose-landing lifecycle (expire-24h: 1 → 2 days)
#   2. `bankgen apply --only MOD-104` (the shared infrastructure: it needs no other module);
#      boto3 sees the 2-day expiry, and the apply record holds the commit
#   3. `bankgen rollback --to HEAD~1 --only MOD-104 --auto-approve`: the plan changes exactly the
#      bucket, boto3 sees the 1-day expiry again, the record says rollback at HEAD~1, and the
#      repository's working tree is untouched
# Needs scripts/toolchain. Takes about a minute and a half.
set -euo pipefail
LIVE=live-rollback
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
REPO=$WORK/repo
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-southeast-2

# ---------------------------------------------------------------- 1. two commits
git_() { git -C "$REPO" -c user.name=e2e -c user.email=e2e@example.invalid "$@"; }
mkdir -p "$REPO"
cp -r "$CAT" "$REPO/catalog"   # lib/live.sh's copy: its endpoint is this script's moto
git_ init -q
git_ add -A
git_ commit -qm "catalogue as shipped"
tc-python - "$REPO/catalog/modules/MOD-104.yaml" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
new, n = re.subn(r"(- id: expire-24h\n\s+expiration_days:) 1\n", r"\1 2\n", s)
assert n == 1, "MOD-104's expire-24h rule changed shape: update this test"
open(p, "w").write(new)
PY
git_ commit -qam "bank-firehose-landing: keep the landing zone two days"
OLD=$(git_ rev-parse HEAD~1)
NEW=$(git_ rev-parse HEAD)

bg() { "$BIN" "$@" --env local --catalog "$REPO/catalog" --out "$OUT" -j 2; }
cat > "$WORK/expiry.py" <<'PY'
# expiry.py ENDPOINT DAYS: bank-firehose-landing-local's expire-24h rule expires after DAYS
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="ap-southeast-2")
rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket="bank-firehose-landing-local")["Rules"]}
got = rules["expire-24h"]["Expiration"]["Days"]
assert got == int(sys.argv[2]), f"expire-24h expires after {got} days, expected {sys.argv[2]}"
print(f"[live-rollback] moto: bank-firehose-landing-local expire-24h expires after {got} day(s)")
PY
cat > "$WORK/record.py" <<'PY'
# record.py RECORD COMMAND COMMIT: the apply record of a green run of MOD-104 at COMMIT
import json, sys
r = json.load(open(sys.argv[1]))
assert r["command"] == sys.argv[2] and r["revision"] == {"commit": sys.argv[3], "dirty": False}, r
assert [(m["id"], m["status"]) for m in r["modules"]] == [("MOD-104", "ok")] and r["exit_code"] == 0, r
print(f"[live-rollback] record: {r['command']} at {r['revision']['commit'][:12]}, MOD-104 ok")
PY

# ---------------------------------------------------------------- 2. apply the new revision
step "apply MOD-104 at ${NEW:0:12} (expire-24h: 2 days)"
bg apply --only MOD-104 > "$WORK/apply.out" 2>&1 || { tail -n 60 "$WORK/apply.out"; die "apply failed"; }
tail -n 3 "$WORK/apply.out"
tc-python "$WORK/expiry.py" "$ENDPOINT" 2
tc-python "$WORK/record.py" "$OUT/local/.bankgen/last-apply.json" apply "$NEW"

# ---------------------------------------------------------------- 3. roll back
step "rollback MOD-104 to HEAD~1 = ${OLD:0:12}"
bg rollback --to HEAD~1 --only MOD-104 --auto-approve --report "$WORK/rollback.json" \
  > "$WORK/rollback.out" 2>&1 || { tail -n 60 "$WORK/rollback.out"; die "rollback failed"; }
grep -v '^         |' "$WORK/rollback.out" | tail -n 12
grep -q 'schema migrations are never rolled back' "$WORK/rollback.out" || die "rollback did not say what it does not undo"
tc-python - "$WORK/rollback.json" "$OUT/local/.bankgen/logs/MOD-104.log" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); log = open(sys.argv[2]).read()
(m,) = r["modules"]
assert r["action"] == "apply" and m["status"] == "ok", m
assert (m["adds"], m["changes"], m["destroys"]) == (0, 1, 0), f"only the bucket changes: {m}"
assert "rollback-plans/MOD-104.tfplan" in log and "\n$ tofu plan" not in log, "applied the plan that was shown"
print(f"[live-rollback] rollback applied the shown plan of MOD-104: +0 ~1 -0 in {r['duration_s']:.0f} s")
PY
tc-python "$WORK/expiry.py" "$ENDPOINT" 1
tc-python "$WORK/record.py" "$OUT/local/.bankgen/last-apply.json" rollback "$OLD"
[ -z "$(git_ status --porcelain)" ] && [ "$(git_ rev-parse HEAD)" = "$NEW" ] \
  && grep -Eq 'expiration_days: 2$' "$REPO/catalog/modules/MOD-104.yaml" \
  || die "rollback touched the repository's working tree"
step "ok in $((SECONDS - T0)) s"
