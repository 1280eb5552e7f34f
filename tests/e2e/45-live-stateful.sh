#!/usr/bin/env bash
# Live: no customer data lost by a catalogue change (the plan guard, renames, drift), with the
# real Terraform core, hashicorp/aws 3.39.0 (the legacy profile) and a moto of its own on a free
# port (lib/live.sh: a copy of the bank's catalogue whose `local` environment names it).
#
#   1. apply MOD-104 (the shared infrastructure; it needs no other module); boto3 makes a user in
#      the customer pool
#   2. the customer pool's `jurisdiction` attribute changes in the catalogue (max_length 2 → 3):
#      AWS cannot change a custom attribute in place, so the pool would have to be replaced.
#      `apply` refuses: exit 1, names the pool, the attribute and the catalogue line, applies
#      nothing (boto3: the same pool id, its user still there)
#   3. `apply --allow-replace MOD-104/ADDRESS --reason …` proceeds; the report records the
#      allowance and its reason; boto3: a new pool
#   4. a bucket's catalogue label changes with `renamed_from:` (its physical name stays): the plan
#      moves state, 0 to destroy
#   5. drift: a bucket tag and a queue's retention changed out of band with boto3 are exactly what
#      `bankgen drift` reports (exit 1); after `apply`, `drift` exits 0
# Needs scripts/toolchain. Takes about three minutes.
set -euo pipefail
LIVE=live-stateful
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-southeast-2
MOD=$CAT/modules/MOD-104.yaml
POOL=aws_cognito_user_pool.bank_customers

bg() { # bg ACTION ARGS...: bankgen on MOD-104 against this script's emulator
  local action=$1; shift
  "$BIN" "$action" --catalog "$CAT" --env local --out "$OUT" --only MOD-104 "$@"
}
edit() { # edit PATTERN REPLACEMENT: one change to the catalogue copy's MOD-104, or fail
  tc-python - "$MOD" "$1" "$2" <<'PY'
import re, sys
p, pat, rep = sys.argv[1:]
s = open(p).read(); new, n = re.subn(pat, rep, s)
assert n == 1, f"MOD-104.yaml has {n} matches of {pat!r}: update this test"
open(p, "w").write(new)
PY
}
cat > "$WORK/pool.py" <<'PY'
# pool.py ENDPOINT [make-user|same POOL_ID|other POOL_ID]: the customer pool's id (and its user)
import sys, boto3
c = boto3.client("cognito-idp", endpoint_url=sys.argv[1], region_name="ap-southeast-2")
(pool,) = [p for p in c.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == "bank-customers-local"]
what = sys.argv[2]
if what == "make-user":
    c.admin_create_user(UserPoolId=pool["Id"], Username="customer@example.invalid")
elif what == "same":
    assert pool["Id"] == sys.argv[3], f"the pool was replaced: {sys.argv[3]} → {pool['Id']}"
    users = [u["Username"] for u in c.list_users(UserPoolId=pool["Id"])["Users"]]
    assert users, "the pool lost its user"
    print(f"[live-stateful] moto: the same customer pool {pool['Id']}, its {len(users)} user(s) still there")
elif what == "other":
    assert pool["Id"] != sys.argv[3], "the allowed replacement did not replace the pool"
    print(f"[live-stateful] moto: a new customer pool {pool['Id']} (was {sys.argv[3]})")
print(pool["Id"])
PY

# ---------------------------------------------------------------- 1. apply
step "apply MOD-104"
bg apply -j 2 > "$WORK/apply1.out" 2>&1 || { tail -n 60 "$WORK/apply1.out"; die "apply failed"; }
tail -n 1 "$WORK/apply1.out"
POOL_ID=$(tc-python "$WORK/pool.py" "$ENDPOINT" make-user | tail -n 1)

# ---------------------------------------------------------------- 2. the guard refuses
step "the customer pool's jurisdiction attribute: max_length 2 → 3"
edit '(- \{name: jurisdiction, max_length:) 2\}' '\1 3}'
LINE=$(grep -n -- '- name: bank-customers$' "$MOD" | cut -d: -f1)   # the pool's entry
rc=0
bg apply --report "$WORK/refused.json" > "$WORK/refused.out" 2>&1 || rc=$?
grep -A 3 '^plan guard:' "$WORK/refused.out"
[ "$rc" = 1 ] || die "apply of a replaced customer pool exited $rc, expected 1"
grep -q "$POOL" "$WORK/refused.out" || die "the refusal does not name $POOL"
grep -q "jurisdiction" "$WORK/refused.out" || die "the refusal does not name the attribute"
grep -q "MOD-104.yaml:$LINE" "$WORK/refused.out" || die "the refusal does not name MOD-104.yaml:$LINE"
grep -q -- "--allow-replace" "$WORK/refused.out" || die "the refusal does not say what to do"
! grep -q '^\$ tofu apply' "$OUT/local/.bankgen/logs/MOD-104.log" || die "MOD-104 was applied"
tc-python "$WORK/pool.py" "$ENDPOINT" same "$POOL_ID" | sed -n 1p  # reads all: head would close the pipe under the second line

# ---------------------------------------------------------------- 3. allowed
step "apply --allow-replace MOD-104/$POOL --reason …"
bg apply --allow-replace "MOD-104/$POOL" --reason "jurisdiction codes become three letters (test)" \
  --report "$WORK/allowed.json" > "$WORK/allowed.out" 2>&1 || { tail -n 60 "$WORK/allowed.out"; die "allowed apply failed"; }
grep -v '^         |' "$WORK/allowed.out" | tail -n 6
tc-python - "$WORK/allowed.json" "$POOL" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); text = json.dumps(r)
assert sys.argv[2] in text and "three letters" in text, f"the report does not record the allowance: {text[:2000]}"
print("[live-stateful] the report records the allowed replacement and its reason")
PY
tc-python "$WORK/pool.py" "$ENDPOINT" other "$POOL_ID" | sed -n 1p

# ---------------------------------------------------------------- 4. rename without replacement
step "rename bucket bank-documents → bank-customer-documents (renamed_from)"
edit '- name: bank-documents\n' '- name: bank-customer-documents\n      renamed_from: bank-documents\n'
edit 's3_put: \[bank-documents\]' 's3_put: [bank-customer-documents]'
bg plan > "$WORK/rename.out" 2>&1 || { tail -n 60 "$WORK/rename.out"; die "plan of the rename failed"; }
tc-python - "$OUT/local/.bankgen/logs/MOD-104.plan.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
moved = [(rc["previous_address"], rc["address"]) for rc in plan["resource_changes"] if rc.get("previous_address")]
deleted = [rc["address"] for rc in plan["resource_changes"] if "delete" in rc["change"]["actions"]]
assert ("aws_s3_bucket.bank_documents", "aws_s3_bucket.bank_customer_documents") in moved, moved
assert not deleted, f"the rename destroys {deleted}"
print(f"[live-stateful] rename: {len(moved)} moved, 0 to destroy")
PY
bg apply > "$WORK/rename-apply.out" 2>&1 || { tail -n 60 "$WORK/rename-apply.out"; die "apply of the rename failed"; }

# ---------------------------------------------------------------- 5. drift
step "drift: a bucket tag and a queue's retention, changed out of band"
tc-python - "$ENDPOINT" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="ap-southeast-2")
sqs = boto3.client("sqs", endpoint_url=sys.argv[1], region_name="ap-southeast-2")
tags = s3.get_bucket_tagging(Bucket="bank-documents-local")["TagSet"]
s3.put_bucket_tagging(Bucket="bank-documents-local", Tagging={"TagSet": tags + [{"Key": "owner", "Value": "console"}]})
url = sqs.get_queue_url(QueueName="bank-core-dlq-local")["QueueUrl"]
# moto's SetQueueAttributes drops the attributes it is not given: pass the policy back
policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
sqs.set_queue_attributes(QueueUrl=url, Attributes={"MessageRetentionPeriod": "86400", "Policy": policy})
PY
rc=0
bg drift --format json > "$WORK/drift.json" 2> "$WORK/drift.err" || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/drift.err"; die "drift exited $rc, expected 1"; }
tc-python - "$WORK/drift.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
found = sorted((d["address"], a["path"]) for m in r["modules"] for d in m["resources"] for a in d["attributes"])
want = [("aws_s3_bucket.bank_customer_documents", "tags.owner"),
        ("aws_sqs_queue.bank_core_dlq", "message_retention_seconds")]
assert found == want, f"drift reported {found}, expected {want}"
print(f"[live-stateful] drift: {found}")
PY
bg apply > "$WORK/mend.out" 2>&1 || { tail -n 60 "$WORK/mend.out"; die "apply after drift failed"; }
# moto's SetQueueAttributes clears the queue policy when the call does not name it (AWS keeps it):
# the apply that sets the retention back drops the policy, which a second apply puts back
bg drift > "$WORK/drift-moto.out" 2>&1 || true
grep -q 'aws_sqs_queue_policy.bank_core_dlq *policy' "$WORK/drift-moto.out" \
  && echo "[live-stateful] moto dropped the queue policy while setting the retention (emulator gap): apply again"
bg apply > "$WORK/mend2.out" 2>&1 || { tail -n 60 "$WORK/mend2.out"; die "second apply after drift failed"; }
bg drift > "$WORK/drift2.out" 2>&1 || { cat "$WORK/drift2.out"; die "drift after apply did not exit 0"; }
tail -n 2 "$WORK/drift2.out"
step "ok in $((SECONDS - T0)) s"
