#!/usr/bin/env bash
# Live end-to-end deploy of the second shipped catalogue (examples/global-platform, seed 002):
# `bankgen apply --env local` with the real Terraform core, hashicorp/aws 3.39.0 (the legacy
# profile) and a moto of its own, every module in stack order, then
#   1. the run kept the graph's order (each ordered pair: the first finished before the next started)
#   2. boto3 asserts per stack: every tests/e2e/gbp/*.py whose MODULES were applied runs its
#      `check(c, env, cat)` against the emulator, reading the expected values from the catalogue
#   3. a second `bankgen plan` reports no changes
#   4. `bankgen destroy` (reverse order) succeeds and leaves no state behind
# GBP_ONLY="MOD-201 MOD-205" applies only those modules (and runs the checks they cover).
# Needs scripts/toolchain. Takes a few minutes.
set -euo pipefail
LIVE=live-gbp
LIVE_CATALOG=examples/global-platform
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-southeast-2
# moto's Lambda without Docker: invoking a function (secret rotation does) returns a canned answer.
tc-python - "$ENDPOINT" <<'PY'
import json, sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1] + "/moto-api/config", data=json.dumps({"lambda": {"use_docker": False}}).encode(),
                    method="POST", headers={"Content-Type": "application/json"}), timeout=10)
PY
JOBS=4

"$BIN" graph --catalog "$CAT" --format json > "$WORK/graph.json" 2> /dev/null
if [ -n "${GBP_ONLY:-}" ]; then
  read -r -a ALL <<< "$GBP_ONLY"
else
  mapfile -t ALL < <(tc-python -c 'import json,sys; [print(n["id"]) for n in json.load(open(sys.argv[1]))["nodes"]]' "$WORK/graph.json")
fi

deploy() { # deploy ACTION ARGS...: bankgen against the live emulator
  local action=$1; shift
  "$BIN" "$action" --catalog "$CAT" --env local --out "$OUT" -j "$JOBS" "$@"
}

# ---------------------------------------------------------------- apply in stack order
# As in the bank's live test: the secrets are created empty and moto cannot start a rotation on a
# secret without a value (RotateSecret: HTTP 500), so a first run may fail exactly at the
# rotations of the module that owns the secrets; the secrets are then populated (the seeds' "populate
# all required secrets" step) and a second run converges.
step "apply ${#ALL[@]} modules (${ALL[*]}), -j $JOBS"
rc=0
deploy apply --only "${ALL[@]}" --report "$WORK/apply1.json" > "$WORK/apply1.out" 2>&1 || rc=$?
grep -v '^         |' "$WORK/apply1.out" | tail -n $((${#ALL[@]} + 2))
if [ "$rc" != 0 ]; then
  tc-python - "$WORK/apply1.json" "$OUT/local/.bankgen/logs" <<'PY'
import json, pathlib, sys
r = json.load(open(sys.argv[1])); logs = pathlib.Path(sys.argv[2])
failed = [m["id"] for m in r["modules"] if m["status"] == "failed"]
for m in failed:
    log = (logs / f"{m}.log").read_text()
    assert "aws_secretsmanager_secret_rotation" in log, f"{m} failed, not at a secret rotation:\n{log[-3000:]}"
print(f"[live-gbp] first run: {failed} failed at the secret rotations (emulator); populating the secrets")
PY
  step "populate the catalogue's secrets, then apply again"
  tc-python - "$CAT" "$ENDPOINT" <<'PY'
import sys, pathlib, yaml, boto3
cat, endpoint = pathlib.Path(sys.argv[1]), sys.argv[2]
sm = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="ap-southeast-2")
names = {s["Name"] for s in sm.list_secrets()["SecretList"]}
for f in sorted((cat / "modules").glob("*.yaml")):
    for s in (yaml.safe_load(f.read_text()).get("resources") or {}).get("secrets", []):
        name = s["name"].replace("{env}", "local")
        if name in names:
            sm.put_secret_value(SecretId=name, SecretString="populated-by-the-e2e-test")
PY
fi
deploy apply --only "${ALL[@]}" --report "$WORK/apply.json" > "$WORK/apply.out" 2>&1 \
  || { tail -n 80 "$WORK/apply.out"; die "apply failed"; }
tail -n $((${#ALL[@]} + 2)) "$WORK/apply.out"

tc-python - "$WORK/graph.json" "$WORK/apply.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
mods = {m["id"]: m for m in r["modules"]}
assert all(m["status"] == "ok" for m in mods.values()), [m for m in mods.values() if m["status"] != "ok"]
succ = {}
for e in g["edges"]:
    succ.setdefault(e["from"], set()).add(e["to"])
def reach(a):
    seen, stack = set(), [a]
    while stack:
        for x in succ.get(stack.pop(), ()):
            if x not in seen:
                seen.add(x); stack.append(x)
    return seen
pairs = 0
for a in mods:
    for b in reach(a) & set(mods):
        assert mods[a]["finished_s"] <= mods[b]["started_s"], f"{a} must finish before {b} starts"
        pairs += 1
s = r["summary"]
print(f"[live-gbp] apply: {len(mods)} modules ok, {pairs} ordered pairs respected, "
      f"+{s['adds']} ~{s['changes']} -{s['destroys']} in {r['duration_s']:.0f} s")
PY

# ---------------------------------------------------------------- boto3, per stack
step "boto3 asserts per stack (tests/e2e/gbp/*.py)"
tc-python - "$CAT" "$ENDPOINT" tests/e2e/gbp "${ALL[@]}" <<'PY'
import importlib.util, pathlib, sys, boto3
cat, endpoint, folder, applied = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3]), set(sys.argv[4:])
def client(service, region="ap-southeast-2"):
    return boto3.client(service, endpoint_url=endpoint, region_name=region)
ran = skipped = 0
for path in sorted(folder.glob("*.py")):
    spec = importlib.util.spec_from_file_location(f"gbp_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    missing = sorted(set(mod.MODULES) - applied)
    if missing:
        print(f"[live-gbp] {path.stem}: not run ({' '.join(missing)} not applied)"); skipped += 1
        continue
    print(f"[live-gbp] {path.stem}: {mod.check(client, 'local', cat)}")
    ran += 1
assert ran, "no stack's checks ran"
print(f"[live-gbp] {ran} stacks checked, {skipped} not applied")
PY

# ---------------------------------------------------------------- second plan, destroy
step "second plan: no changes"
deploy plan --only "${ALL[@]}" --report "$WORK/plan2.json" > "$WORK/plan2.out" 2>&1 \
  || { tail -n 60 "$WORK/plan2.out"; die "second plan failed"; }
tc-python - "$WORK/plan2.json" "$OUT/local/.bankgen/logs" <<'PY'
import json, pathlib, sys
r = json.load(open(sys.argv[1])); logs = pathlib.Path(sys.argv[2])
changed = [(m["id"], m["adds"], m["changes"], m["destroys"]) for m in r["modules"]
           if m["status"] != "ok" or (m["adds"], m["changes"], m["destroys"]) != (0, 0, 0)]
for mod, *_ in changed:  # what changes, from the plan Terraform wrote
    plan = logs / f"{mod}.plan.json"
    for rc in (json.loads(plan.read_text()).get("resource_changes", []) if plan.exists() else []):
        ch = rc["change"]
        if ch["actions"] != ["no-op"]:
            before, after = ch.get("before") or {}, ch.get("after") or {}
            keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            print(f"[live-gbp] {mod}: {rc['address']} {ch['actions']} {keys}")
assert not changed, f"the second plan has changes: {changed}"
print(f"[live-gbp] second plan: {len(r['modules'])} modules, no changes ({r['duration_s']:.0f} s)")
PY

# ---------------------------------------------------------------- a completion check that fails
# Seed 002's integration tests are the phases' checks (`probes:` in domains.yaml, run by
# `bankgen verify`). The queue of the FIFO probe deleted out of band: a run holding a module of an
# independent phase and every module after the probe's phase applies the first and skips exactly
# the others.
if [ -z "${GBP_ONLY:-}" ]; then
  step "a check made to fail: the FIFO probe's queue deleted out of band"
  mapfile -t FAILRUN < <(tc-python - "$CAT" "$WORK/graph.json" <<'PY'
import json, pathlib, sys, yaml
cat, g = pathlib.Path(sys.argv[1]), json.load(open(sys.argv[2]))
phases = yaml.safe_load((cat / "domains.yaml").read_text())["phases"]
probe = next(p for p in phases for x in (p.get("check") or {}).get("probes", []) if "fifo_in_order" in x)
gates = {p["id"]: set(p["gate"]) for p in phases}
def waits(pid, on):
    return any(g == on or waits(g, on) for g in gates[pid])
after = {p["id"] for p in phases if waits(p["id"], probe["id"])}
independent = next(p["id"] for p in phases if p["id"] != probe["id"] and not waits(p["id"], probe["id"]) and p["id"] not in after and p["id"] > 0)
print(json.dumps({"phase": probe["id"], "after": sorted(after), "independent": independent}))
for n in g["nodes"]:
    if n["phase"] in after or n["phase"] == independent:
        print(n["id"])
PY
)
  PLAN_JSON=${FAILRUN[0]}; FAILRUN=("${FAILRUN[@]:1}")
  tc-python - "$CAT" "$ENDPOINT" <<'PY'
import sys, pathlib, yaml, boto3
cat, endpoint = pathlib.Path(sys.argv[1]), sys.argv[2]
phases = yaml.safe_load((cat / "domains.yaml").read_text())["phases"]
queue = next(x["fifo_in_order"] for p in phases for x in (p.get("check") or {}).get("probes", []) if "fifo_in_order" in x)
sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="ap-southeast-2")
url = sqs.get_queue_url(QueueName=f"{queue}-local.fifo")["QueueUrl"]
sqs.delete_queue(QueueUrl=url)
print(f"[live-gbp] deleted {queue}-local.fifo out of band")
PY
  rc=0
  deploy apply --only "${FAILRUN[@]}" --report "$WORK/failcheck.json" > "$WORK/failcheck.out" 2>&1 || rc=$?
  [ "$rc" = 1 ] || { tail -n 40 "$WORK/failcheck.out"; die "a failing check must make apply exit 1 (got $rc)"; }
  tc-python - "$WORK/failcheck.json" "$WORK/graph.json" "$PLAN_JSON" <<'PY'
import json, sys
r, g, plan = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), json.loads(sys.argv[3])
phase_of = {n["id"]: n["phase"] for n in g["nodes"]}
checks = {c["phase"]: c for c in r["checks"]}
failed = checks[plan["phase"]]
assert failed["status"] == "failed", failed
assert any("FAIL probe fifo_in_order" in line for line in failed["output_tail"]), failed
for m in r["modules"]:
    if phase_of[m["id"]] in plan["after"]:
        assert m["status"] == "skipped", m
    else:
        assert m["status"] == "ok", m
skipped = [m["id"] for m in r["modules"] if m["status"] == "skipped"]
ok = [m["id"] for m in r["modules"] if m["status"] == "ok"]
print(f"[live-gbp] phase {plan['phase']} check failed (the FIFO probe); skipped exactly the phases after it "
      f"({plan['after']}: {' '.join(skipped)}); phase {plan['independent']} went on ({' '.join(ok)})")
PY
fi

step "destroy (reverse stack order)"
deploy destroy --only "${ALL[@]}" --auto-approve --report "$WORK/destroy.json" > "$WORK/destroy.out" 2>&1 \
  || { tail -n 60 "$WORK/destroy.out"; die "destroy failed"; }
tc-python - "$WORK/destroy.json" "$OUT/local" <<'PY'
import json, pathlib, subprocess, sys
r = json.load(open(sys.argv[1])); out = pathlib.Path(sys.argv[2])
assert all(m["status"] == "ok" for m in r["modules"]), [m for m in r["modules"] if m["status"] != "ok"]
left = {}
for m in r["modules"]:
    state = out / m["id"] / "terraform.tfstate"
    if state.exists():
        res = [x for x in json.loads(state.read_text()).get("resources", []) if x.get("mode") == "managed"]
        if res:
            left[m["id"]] = [f"{x['type']}.{x['name']}" for x in res]
assert not left, f"resources left in state after destroy: {left}"
print(f"[live-gbp] destroy: {len(r['modules'])} modules, -{r['summary']['destroys']}, no managed resource left in state")
PY
step "ok"
