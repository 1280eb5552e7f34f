#!/usr/bin/env bash
# Live rollback: `bankgen rollback` with the real Terraform core (the toolchain's `tofu` shim),
# hashicorp/aws 3.39.0 (the legacy profile) and a moto of its own on a free port (lib/live.sh: the
# catalogue copy's `local` environment names that endpoint).
#
#   1. a temporary git repository holds a copy of the catalogue; a commit gives MOD-104 a function
#      (bank-e2e-canary) whose code is pinned by content (`artefact: {key, sha256}`, build A); the
#      next changes MOD-104's bank-firehose-landing lifecycle (expire-24h: 1 → 2 days) and the
#      function's build (A → B), as a CI publishing step would
#   2. `bankgen apply --only MOD-104` at the catalogue as shipped makes the artefacts bucket; the
#      two builds are uploaded to it; `bankgen apply --only MOD-104` at the last commit: boto3
#      sees the 2-day expiry and the `live` alias serving build B, and the apply record holds the
#      commit
#   3. `bankgen rollback --to HEAD~1 --only MOD-104 --auto-approve`: the plan changes exactly the
#      bucket, the function and its alias; boto3 sees the 1-day expiry again and the `live` alias
#      serving build A (`get_function` CodeSha256) from a newly published version; the record
#      says rollback at HEAD~1, and the repository's working tree is untouched
# Needs scripts/toolchain. Takes about two minutes.
set -euo pipefail
LIVE=live-rollback
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
REPO=$WORK/repo
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-southeast-2

# ---------------------------------------------------------------- 1. three commits
git_() { git -C "$REPO" -c user.name=e2e -c user.email=e2e@example.invalid "$@"; }
mkdir -p "$REPO"
cp -r "$CAT" "$REPO/catalog"   # lib/live.sh's copy: its endpoint is this script's moto
git_ init -q
git_ add -A
git_ commit -qm "catalogue as shipped"
SHIPPED_REV=$(git_ rev-parse HEAD)
# Two builds of the function, as CI would upload them: lambda/MOD-104/bank-e2e-canary/<sha256>.zip
tc-python - "$WORK" <<'PY'
import hashlib, io, sys, zipfile
for build in "AB":
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.js", f"exports.handler = async () => ({{build: '{build}'}});\n")
    data = buf.getvalue()
    open(f"{sys.argv[1]}/build-{build}.zip", "wb").write(data)
    open(f"{sys.argv[1]}/build-{build}.sha256", "w").write(hashlib.sha256(data).hexdigest())
PY
SHA_A=$(cat "$WORK/build-A.sha256"); SHA_B=$(cat "$WORK/build-B.sha256")
tc-python - "$REPO/catalog/modules/MOD-104.yaml" "$SHA_A" <<'PY'
import sys
p, sha = sys.argv[1], sys.argv[2]; s = open(p).read()
fn = ("resources:\n  functions:\n    - name: bank-e2e-canary\n      purpose: A canary whose code a rollback restores\n"
      f"      artefact:\n        key: lambda/MOD-104/bank-e2e-canary/{sha}.zip\n        sha256: {sha}\n")
assert s.count("\nresources:\n") == 1, "MOD-104 changed shape: update this test"
open(p, "w").write(s.replace("\nresources:\n", "\n" + fn, 1))
PY
git_ commit -qam "bank-e2e-canary: build A"
tc-python - "$REPO/catalog/modules/MOD-104.yaml" "$SHA_A" "$SHA_B" <<'PY'
import re, sys
p, a, b = sys.argv[1:]; s = open(p).read()
new, n = re.subn(r"(- id: expire-24h\n\s+expiration_days:) 1\n", r"\1 2\n", s)
assert n == 1, "MOD-104's expire-24h rule changed shape: update this test"
assert new.count(a) == 2
open(p, "w").write(new.replace(a, b))
PY
git_ commit -qam "bank-firehose-landing: keep the landing zone two days; bank-e2e-canary: build B"
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
cat > "$WORK/code.py" <<'PY'
# code.py ENDPOINT ZIP: bank-e2e-canary-local's `live` alias serves the code in ZIP
import base64, hashlib, sys, boto3
lam = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="ap-southeast-2")
want = base64.b64encode(hashlib.sha256(open(sys.argv[2], "rb").read()).digest()).decode()
live = lam.get_function(FunctionName="bank-e2e-canary-local", Qualifier="live")["Configuration"]
alias = lam.get_alias(FunctionName="bank-e2e-canary-local", Name="live")
assert live["CodeSha256"] == want, f"live serves {live['CodeSha256']}, expected {want} ({sys.argv[2]})"
assert alias["FunctionVersion"] not in ("$LATEST", ""), alias
print(f"[live-rollback] moto: bank-e2e-canary-local:live is version {alias['FunctionVersion']}, CodeSha256 {want[:12]}… ({sys.argv[2].rsplit('/', 1)[-1]})")
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
# The builds go into the artefacts bucket MOD-104 makes: apply the catalogue as shipped first.
step "apply MOD-104 as shipped (${SHIPPED_REV:0:12}), upload builds A and B"
git_ checkout -q "$SHIPPED_REV"
bg apply --only MOD-104 > "$WORK/apply0.out" 2>&1 || { tail -n 60 "$WORK/apply0.out"; die "apply failed"; }
git_ checkout -q -
# moto applies the bucket policy's TLS-only Deny without evaluating its condition (and serves
# plain HTTP): the policy is lifted for the uploads and put back as it was.
tc-python - "$ENDPOINT" "$WORK" "$SHA_A" "$SHA_B" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="ap-southeast-2")
bucket = "bank-artefacts-local"
policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
s3.delete_bucket_policy(Bucket=bucket)
try:
    for build, sha in zip("AB", sys.argv[3:]):
        s3.upload_file(f"{sys.argv[2]}/build-{build}.zip", bucket, f"lambda/MOD-104/bank-e2e-canary/{sha}.zip")
finally:
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
PY
step "apply MOD-104 at ${NEW:0:12} (expire-24h: 2 days, build B)"
bg apply --only MOD-104 > "$WORK/apply.out" 2>&1 || { tail -n 60 "$WORK/apply.out"; die "apply failed"; }
tail -n 3 "$WORK/apply.out"
tc-python "$WORK/expiry.py" "$ENDPOINT" 2
tc-python "$WORK/code.py" "$ENDPOINT" "$WORK/build-B.zip"
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
assert (m["adds"], m["changes"], m["destroys"]) == (0, 3, 0), f"only the bucket, the function and its alias change: {m}"
assert "rollback-plans/MOD-104.tfplan" in log and "\n$ tofu plan" not in log, "applied the plan that was shown"
print(f"[live-rollback] rollback applied the shown plan of MOD-104: +0 ~3 -0 in {r['duration_s']:.0f} s")
PY
tc-python "$WORK/expiry.py" "$ENDPOINT" 1
tc-python "$WORK/code.py" "$ENDPOINT" "$WORK/build-A.zip"
tc-python "$WORK/record.py" "$OUT/local/.bankgen/last-apply.json" rollback "$OLD"
[ -z "$(git_ status --porcelain)" ] && [ "$(git_ rev-parse HEAD)" = "$NEW" ] \
  && grep -Eq 'expiration_days: 2$' "$REPO/catalog/modules/MOD-104.yaml" \
  && grep -q "sha256: $SHA_B" "$REPO/catalog/modules/MOD-104.yaml" \
  || die "rollback touched the repository's working tree"
step "ok in $((SECONDS - T0)) s"
