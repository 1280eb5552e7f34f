#!/usr/bin/env bash
# Live bootstrap: `bankgen bootstrap` against a moto of its own, then an apply whose state lives in
# the bucket it made (the real Terraform core's s3 backend, pointed at the emulator).
#
#   1. the catalogue copy's `local` environment gets an S3 backend (bank-tfstate-local)
#   2. `bootstrap --dry-run` on the fresh emulator says it would make five and makes nothing
#   3. `bootstrap` makes the bucket; boto3 sees versioning, SSE-S3 encryption, the public access
#      block and the lifecycle rule, and no policy: the TLS-only one is skipped on an emulator,
#      which serves plain HTTP (and moto applies a Deny without evaluating its condition); a
#      second run finds all five, changes none
#   4. `apply --only MOD-104` keeps its state in that bucket: boto3 sees the state object, and no
#      local state file is written
# Needs scripts/toolchain. Takes about a minute.
set -euo pipefail
LIVE=live-bootstrap
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-southeast-2
BUCKET=bank-tfstate-local

# ---------------------------------------------------------------- 1. an S3 backend for `local`
tc-python - "$CAT/platform.yaml" "$BUCKET" <<'PY'
import sys
p, bucket = sys.argv[1], sys.argv[2]; s = open(p).read()
old = "  - name: local\n"
i = s.index(old)
j = s.index("    backend:\n      kind: local\n", i)
assert s.find("  - name:", i + len(old)) > j, "local's backend is not where expected: update this test"
new = (f"    backend:\n      kind: s3\n      bucket: {bucket}\n      key_prefix: bankgen\n"
       "      region: ap-southeast-2\n")
s = s[:j] + new + s[j + len("    backend:\n      kind: local\n"):]
open(p, "w").write(s)
PY
bg() { "$BIN" "$@" --catalog "$CAT"; }

# ---------------------------------------------------------------- 2. dry run
step "bootstrap --dry-run"
bg bootstrap --env local --dry-run | tee "$WORK/dry.out"
grep -q "5 would be made, 0 would be changed, 0 found, 1 skipped" "$WORK/dry.out" || die "the dry run did not plan all five"

# ---------------------------------------------------------------- 3. bootstrap, twice
step "bootstrap"
bg bootstrap --env local | tee "$WORK/boot1.out"
grep -q ": 5 made, 0 changed, 0 found, 1 skipped" "$WORK/boot1.out" && grep -q "made         bucket" "$WORK/boot1.out" \
  || die "the first bootstrap did not make the bucket"
tc-python - "$ENDPOINT" "$BUCKET" <<'PY'
import json, sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="ap-southeast-2"); b = sys.argv[2]
assert s3.get_bucket_location(Bucket=b)["LocationConstraint"] == "ap-southeast-2"
assert s3.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"
(rule,) = s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"]
assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", rule
pab = s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"]
assert all(pab[k] for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")), pab
try:
    s3.get_bucket_policy(Bucket=b); raise AssertionError("the emulator's bucket has a policy")
except s3.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchBucketPolicy", e
(lc,) = s3.get_bucket_lifecycle_configuration(Bucket=b)["Rules"]
assert lc["Status"] == "Enabled" and lc["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90, lc
assert lc["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7, lc
print(f"[live-bootstrap] moto: {b} versioned, AES256, public access blocked, no policy (plain HTTP), old versions expire after 90 days")
PY
step "bootstrap again"
bg bootstrap --env local | tee "$WORK/boot2.out"
grep -q "0 made, 0 changed, 5 found, 1 skipped" "$WORK/boot2.out" || die "the second bootstrap changed something"

# ---------------------------------------------------------------- 4. apply with the state in the bucket
step "apply MOD-104 with its state in s3://$BUCKET"
bg render --env local --out "$OUT" > /dev/null
grep -Eq "endpoints +=  *\\{ s3 = \"$ENDPOINT\" \\}" "$OUT/local/MOD-104/backend.tf" || die "backend.tf does not name the emulator"
bg apply --env local --only MOD-104 --out "$OUT" -j 2 > "$WORK/apply.out" 2>&1 \
  || { tail -n 60 "$WORK/apply.out"; die "apply failed"; }
tail -n 3 "$WORK/apply.out"
[ ! -e "$OUT/local/MOD-104/terraform.tfstate" ] || die "a local state file was written"
tc-python - "$ENDPOINT" "$BUCKET" <<'PY'
import json, sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="ap-southeast-2"); b = sys.argv[2]
key = "bankgen/MOD-104/terraform.tfstate"
state = json.loads(s3.get_object(Bucket=b, Key=key)["Body"].read())
types = {r["type"] for r in state["resources"]}
assert "aws_s3_bucket" in types and "aws_kms_key" in types, types
print(f"[live-bootstrap] moto: s3://{b}/{key} holds {len(state['resources'])} resources of MOD-104")
PY
step "ok in $((SECONDS - T0)) s"
