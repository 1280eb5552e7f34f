#!/usr/bin/env bash
# Live end-to-end deploy: `bankgen apply --env local` with the real Terraform core (the toolchain's
# `tofu` shim), hashicorp/aws 3.39.0 (the legacy profile) and a moto of its own on a free port
# (lib/live.sh: a copy of the catalogue whose `local` environment names that endpoint).
#
#   1. apply Phase 0 and one or more runtime modules of every domain, in graph order (checked
#      against the report's start/finish times); MOD-045's secrets are populated in between
#      (seed 001 step 0.3) because moto cannot rotate an empty secret
#   2. boto3 against moto: buses (+ archives, subscription rules), buckets (encryption,
#      versioning, lifecycle, policy, public access block), keys + aliases, Firehose streams,
#      user pools + clients, roles, trail, SSM contract parameters, functions + `live` aliases,
#      secrets — each compared with the catalogue's own values
#   3. a second `bankgen plan` reports no changes (and the Phase 0 check ran after Phase 0)
#   4. SIGINT to bankgen during a real apply: exit 130, the report marks the module interrupted,
#      no process is left, no state lock is left, and a following plan succeeds
#   5. the Phase 0 completion check: it passed in step 1; with one SSM contract parameter deleted,
#      `bankgen verify` names it and an apply of a Phase 1 module stops at the check
#   6. `bankgen destroy` (reverse order) removes everything
# Needs scripts/toolchain. Takes a few minutes.
set -euo pipefail
LIVE=live-deploy
# shellcheck source=lib/live.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live.sh"
# moto's Lambda without Docker: invoking a function (secret rotation does) returns a canned answer.
tc-python - "$ENDPOINT" <<'PY'
import json, sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1] + "/moto-api/config", data=json.dumps({"lambda": {"use_docker": False}}).encode(),
                    method="POST", headers={"Content-Type": "application/json"}), timeout=10)
PY

PHASE0=(MOD-104 MOD-103 MOD-102 MOD-045 MOD-076 MOD-046)
# In no phase (seed 001 does not name it): after MOD-104 only, gating nothing.
UNPHASED=(MOD-156)
# One or more runtime modules per domain; MOD-016, MOD-017 and MOD-063 carry subscriptions with
# bus and queue targets; MOD-001 needs MOD-007.
RUNTIME=(MOD-007 MOD-001 MOD-009 MOD-016 MOD-017 MOD-020 MOD-027 MOD-034 MOD-038 MOD-063)
ALL=("${PHASE0[@]}" "${UNPHASED[@]}" "${RUNTIME[@]}")
JOBS=3
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-southeast-2

deploy() { # deploy ACTION ARGS...: bankgen against the live emulator
  local action=$1; shift
  "$BIN" "$action" --catalog "$CAT" --env local --out "$OUT" -j "$JOBS" "$@"
}

"$BIN" graph --catalog "$CAT" --format json > "$WORK/graph.json" 2> /dev/null

# ---------------------------------------------------------------- 1. apply in order
# Seed 001, step 0.3: "After MOD-045 completes, populate all required secrets per the secrets
# manifest". Its secrets are created empty, and moto (unlike AWS) cannot start a rotation on a
# secret without a value (RotateSecret: HTTP 500), so the first run is expected to fail in
# MOD-045 at the rotations, skip exactly what is downstream of MOD-045 and finish the rest;
# then the secrets are populated and the second run converges.
step "apply ${#ALL[@]} modules: Phase 0 (${PHASE0[*]}), ${UNPHASED[*]} and runtime (${RUNTIME[*]})"
rc=0
deploy apply --only "${ALL[@]}" --report "$WORK/apply1.json" > "$WORK/apply1.out" 2>&1 || rc=$?
grep -v '^         |' "$WORK/apply1.out" | tail -n $((${#ALL[@]} + 2))
if [ "$rc" != 0 ]; then
  tc-python - "$WORK/graph.json" "$WORK/apply1.json" "$OUT/local/.bankgen/logs/MOD-045.log" <<'PY'
import json, sys
g = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2])); log = open(sys.argv[3]).read()
mods = {m["id"]: m["status"] for m in r["modules"]}
succ = {}
for e in g["edges"]:
    succ.setdefault(e["from"], set()).add(e["to"])
down, stack = set(), ["MOD-045"]
while stack:
    for x in succ.get(stack.pop(), ()):
        if x not in down:
            down.add(x); stack.append(x)
failed = {m for m, s in mods.items() if s == "failed"}
skipped = {m for m, s in mods.items() if s == "skipped"}
assert failed == {"MOD-045"}, f"only MOD-045 may fail (emulator rotation), failed: {failed}"
assert "aws_secretsmanager_secret_rotation" in log, "MOD-045 failed at the rotations"
assert skipped == down & set(mods), f"skipped {sorted(skipped)} != downstream of MOD-045"
assert all(s == "ok" for m, s in mods.items() if m not in failed | skipped)
print(f"[live-deploy] first run: MOD-045 failed at the secret rotations (emulator), "
      f"{len(skipped)} downstream modules skipped, {len(mods) - len(skipped) - 1} ok")
PY
  step "populate MOD-045's secrets (seed 001 step 0.3), then apply again"
  tc-python - "$CAT" "$ENDPOINT" <<'PY'
import sys, pathlib, yaml, boto3
cat, endpoint = pathlib.Path(sys.argv[1]), sys.argv[2]
sm = boto3.client("secretsmanager", endpoint_url=endpoint, region_name="ap-southeast-2")
for s in yaml.safe_load((cat / "modules/MOD-045.yaml").read_text())["resources"]["secrets"]:
    sm.put_secret_value(SecretId=s["name"].replace("{env}", "local"), SecretString="populated-by-the-e2e-test")
PY
fi
deploy apply --only "${ALL[@]}" --report "$WORK/apply.json" > "$WORK/apply.out" 2>&1 \
  || { tail -n 60 "$WORK/apply.out"; die "apply failed"; }
tail -n $((${#ALL[@]} + 2)) "$WORK/apply.out"

cat > "$WORK/order.py" <<'PY'
# order.py GRAPH REPORT forward|reverse: every ordered pair of the run kept its order
import json, sys
g = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2])); reverse = sys.argv[3] == "reverse"
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
        first, then = (b, a) if reverse else (a, b)
        assert mods[first]["finished_s"] <= mods[then]["started_s"], f"{first} must finish before {then} starts"
        pairs += 1
edge = min if not reverse else max
assert mods["MOD-104"]["started_s"] == edge(m["started_s"] for m in mods.values())
s = r["summary"]
print(f"[live-deploy] {r['action']}: {len(mods)} modules ok, {pairs} ordered pairs respected "
      f"({'reverse' if reverse else 'graph'} order), +{s['adds']} ~{s['changes']} -{s['destroys']} in {r['duration_s']:.0f} s")
PY
tc-python "$WORK/order.py" "$WORK/graph.json" "$WORK/apply.json" forward
# The Phase 0 completion check (`bankgen verify`, domains.yaml) ran between Phase 0 and the rest.
tc-python - "$WORK/apply.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = {x["phase"]: x for x in r["checks"]}[0]
assert c["status"] == "ok" and c["command"] == ["bankgen", "verify"], c
mods = {m["id"]: m for m in r["modules"]}
assert mods["MOD-104"]["finished_s"] <= c["started_s"] and c["finished_s"] <= mods["MOD-007"]["started_s"]
summary = [l for l in c["output_tail"] if l.startswith("phase 0 in local:")]
assert summary and summary[0].endswith(": complete"), c["output_tail"]
print(f"[live-deploy] Phase 0 check passed after the apply ({c['attempts']} attempt(s), "
      f"{c['ssm_outputs']} SSM outputs given): {summary[0]}")
PY

# ---------------------------------------------------------------- 2. what exists in moto
cat > "$WORK/check.py" <<'PY'
import json, sys, pathlib, yaml, boto3
cat, endpoint, mode, runtime = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
ENV = "local"
c = lambda s: boto3.client(s, endpoint_url=endpoint, region_name="ap-southeast-2")
m104 = yaml.safe_load((cat / "modules/MOD-104.yaml").read_text())["resources"]
m045 = yaml.safe_load((cat / "modules/MOD-045.yaml").read_text())
domains = {d["id"]: d for d in yaml.safe_load((cat / "domains.yaml").read_text())["domains"]}
checks = 0
def ok(cond, what):
    global checks
    if not cond:
        raise SystemExit(f"[live-deploy] check failed: {what}")
    checks += 1

events, s3, kms, fh, idp, iam, ct, ssm, lam, sm = (c(s) for s in
    ["events", "s3", "kms", "firehose", "cognito-idp", "iam", "cloudtrail", "ssm", "lambda", "secretsmanager"])
params = {}
for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=f"/bank/{ENV}", Recursive=True):
    params.update({p["Name"]: p["Value"] for p in page["Parameters"]})
buses = {b["Name"]: b for b in events.list_event_buses()["EventBuses"]}
aliases = {a["AliasName"]: a for a in kms.list_aliases()["Aliases"]}
bucket_names = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
pools = {p["Name"]: p for p in idp.list_user_pools(MaxResults=60)["UserPools"]}
trails = {t["Name"]: t for t in ct.describe_trails()["trailList"]}
functions = {f["FunctionName"] for f in lam.list_functions()["Functions"]}

if mode == "absent":
    bank_params = [p for p in params]
    ok(not bank_params, f"no SSM parameter left under /bank/{ENV}: {bank_params[:5]}")
    for b in m104["event_buses"]:
        ok(b["name"] not in buses, f"bus {b['name']} destroyed")
    for b in m104["buckets"]:
        ok(f"{b['name']}-{ENV}" not in bucket_names, f"bucket {b['name']}-{ENV} destroyed")
    for k in m104["kms_keys"]:
        ok(f"alias/{k['alias']}" not in aliases, f"alias {k['alias']} destroyed")
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    ok(all(k["KeyState"] == "PendingDeletion" for k in keys), "every key is scheduled for deletion")
    for s in m104["firehose_streams"]:
        ok(f"{s['name']}-{ENV}" not in fh.list_delivery_streams()["DeliveryStreamNames"], f"stream {s['name']} destroyed")
    for p in m104["user_pools"]:
        ok(f"{p['name']}-{ENV}" not in pools, f"user pool {p['name']} destroyed")
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    for r in m104["iam_roles"]:
        ok(r["name"] not in roles, f"role {r['name']} destroyed")
    ok(not [t for t in trails if t.startswith("bank-")], "trail destroyed")
    ok(not [f for f in functions if f.endswith(f"-{ENV}")], f"functions destroyed: {sorted(functions)}")
    secrets = [s["Name"] for s in sm.list_secrets()["SecretList"]]
    ok(not secrets, f"secrets destroyed: {secrets}")
    print(f"[live-deploy] destroy: {checks} checks passed, nothing left")
    sys.exit(0)

# ---- KMS keys and aliases: one CMK per classification, rotation on, ARN exported
key_arn = {}
for k in m104["kms_keys"]:
    a = aliases.get(f"alias/{k['alias']}")
    ok(a is not None, f"alias alias/{k['alias']}")
    meta = kms.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]
    ok(meta["KeyState"] == "Enabled", f"key {k['alias']} enabled")
    ok(meta["Description"].startswith(k["description"]) and k["used_by"] in meta["Description"],
       f"key {k['alias']} description")
    ok(kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"], f"key {k['alias']} rotation")
    key_arn[k["classification"]] = meta["Arn"]
    ok(params.get(f"/bank/{ENV}/kms/{k['classification']}/arn") == meta["Arn"], f"SSM kms/{k['classification']}/arn")

# ---- buses: one per domain, archive with the catalogue's retention, SSM contract
archives = {a["EventSourceArn"]: a for a in events.list_archives()["Archives"]}
for b in m104["event_buses"]:
    bus = buses.get(b["name"])
    ok(bus is not None, f"bus {b['name']}")
    ok(params.get(f"/bank/{ENV}/eventbridge/{b['name']}/arn") == bus["Arn"], f"SSM eventbridge/{b['name']}/arn")
    arch = archives.get(bus["Arn"])
    ok(arch is not None and arch["RetentionDays"] == b["archive_retention_days"], f"archive of {b['name']}")
ok(len([b for b in m104["event_buses"]]) == 8, "eight buses in the catalogue")

# ---- buckets: encryption, versioning, lifecycle, SSL-only policy, public access block
for b in m104["buckets"]:
    name = f"{b['name']}-{ENV}"
    ok(name in bucket_names, f"bucket {name}")
    rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
    sse = rule["ApplyServerSideEncryptionByDefault"]
    if b["encryption"] == "kms":
        ok(sse["SSEAlgorithm"] == "aws:kms", f"{name} SSE-KMS")
        ok(sse.get("KMSMasterKeyID") in (key_arn[b["classification"]], key_arn[b["classification"]].split("/")[-1]),
           f"{name} encrypted with the {b['classification']} key")
    else:
        ok(sse["SSEAlgorithm"] == "AES256", f"{name} SSE-S3")
    ok(s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled", f"{name} versioning")
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]}
    for lc in b["lifecycle"]:
        r = rules.get(lc["id"])
        ok(r is not None and r["Status"] == "Enabled", f"{name} lifecycle rule {lc['id']}")
        if "expiration_days" in lc:
            ok(r["Expiration"]["Days"] == lc["expiration_days"], f"{name} {lc['id']} expiration")
        for t in lc.get("transitions", []):
            ok({"Days": t["days"], "StorageClass": t["storage_class"]} in
               [{"Days": x.get("Days"), "StorageClass": x["StorageClass"]} for x in r.get("Transitions", [])],
               f"{name} {lc['id']} transition {t}")
        if "prefix" in lc:
            got = r.get("Filter", {}).get("Prefix", r.get("Prefix"))
            ok(got == lc["prefix"], f"{name} {lc['id']} prefix {got!r}")
    policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
    ok(any(st["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(st.get("Condition", {}))
           for st in policy["Statement"]), f"{name} SSL-only policy")
    pab = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    ok(all(pab.values()), f"{name} public access blocked")
    ok(params.get(f"/bank/{ENV}/s3/{b['name']}/name") == name, f"SSM s3/{b['name']}/name")

# ---- Firehose streams: destination, prefix, buffer
for st in m104["firehose_streams"]:
    d = fh.describe_delivery_stream(DeliveryStreamName=f"{st['name']}-{ENV}")["DeliveryStreamDescription"]
    dest = d["Destinations"][0]
    s3d = dest.get("ExtendedS3DestinationDescription") or dest["S3DestinationDescription"]
    ok(s3d["BucketARN"] == f"arn:aws:s3:::{st['destination_bucket']}-{ENV}", f"stream {st['name']} bucket")
    ok(s3d["Prefix"] == st["prefix"], f"stream {st['name']} prefix")
    ok(s3d["BufferingHints"] == {"SizeInMBs": st["buffer_size_mb"], "IntervalInSeconds": st["buffer_interval_seconds"]},
       f"stream {st['name']} buffering")

# ---- user pools and clients
for p in m104["user_pools"]:
    pool = pools.get(f"{p['name']}-{ENV}")
    ok(pool is not None, f"user pool {p['name']}")
    desc = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    ok(desc.get("MfaConfiguration") == ("ON" if p["mfa"]["required"] else "OFF"), f"{p['name']} MFA")
    attrs = {a["Name"]: a for a in desc["SchemaAttributes"]}
    for ca in p["custom_attributes"]:
        ok(f"custom:{ca['name']}" in attrs, f"{p['name']} custom:{ca['name']}")
    ok(params.get(f"/bank/{ENV}/cognito/{p['name']}/id") == pool["Id"], f"SSM cognito/{p['name']}/id")
    clients = {x["ClientName"]: x for x in idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]}
    for cl in p["clients"]:
        x = clients.get(f"{p['name']}-{ENV}-{cl['name']}")
        ok(x is not None, f"client {cl['name']} of {p['name']}")
        d = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=x["ClientId"])["UserPoolClient"]
        ok(bool(d.get("ClientSecret")) == (cl["type"] == "confidential"), f"client {cl['name']} {cl['type']}")
        ok(d.get("CallbackURLs") == [u.replace("{env}", ENV) for u in cl["callback_urls"]], f"client {cl['name']} callbacks")
        ok(params.get(f"/bank/{ENV}/cognito/{p['name']}/{cl['name']}/client-id") == x["ClientId"], f"SSM client-id {cl['name']}")

# ---- roles: one per domain, Lambda trust, region/tag guard, ARN exported
for r in m104["iam_roles"]:
    role = iam.get_role(RoleName=r["name"])["Role"]
    trust = json.dumps(role["AssumeRolePolicyDocument"])
    ok("lambda.amazonaws.com" in trust, f"role {r['name']} trusts Lambda")
    ok(len(iam.list_role_policies(RoleName=r["name"])["PolicyNames"]) >= 1, f"role {r['name']} has its policies")
    ok(params.get(f"/bank/{ENV}/iam/{r['name'].lower()}/arn") == role["Arn"], f"SSM iam/{r['name'].lower()}/arn")
ok(len(m104["iam_roles"]) == 8, "eight domain roles")

# ---- trail
for t in m104["trails"]:
    tr = trails.get(f"{t['name']}-{ENV}")
    ok(tr is not None, f"trail {t['name']}")
    ok(tr["S3BucketName"] == f"{t['bucket']}-{ENV}" and tr.get("S3KeyPrefix") == t["prefix"], "trail bucket and prefix")
    ok(tr["IsMultiRegionTrail"] == t["multi_region"], "trail multi-region")
    ok(ct.get_trail_status(Name=tr["TrailARN"])["IsLogging"], "trail logging")

# ---- runtime modules: function + live alias; subscriptions: rules with the events' detail types
evs = {}
subs = []
for f in sorted((cat / "events").glob("*.yaml")):
    doc = yaml.safe_load(f.read_text())
    for e in doc.get("events", []):
        evs[(doc["bus"], e["name"])] = e
    for s in doc.get("subscriptions", []):
        subs.append((doc["bus"], s))
for mod in runtime:
    m = yaml.safe_load((cat / f"modules/{mod}.yaml").read_text())
    repo = m.get("repo") or domains[m["system"]]["repo"]
    fn = f"{repo}-{mod.lower()}-{ENV}"
    ok(fn in functions, f"function {fn}")
    ok(any(a["Name"] == "live" for a in lam.list_aliases(FunctionName=fn)["Aliases"]), f"{fn} live alias")
    for bus, s in subs:
        if s["consumer"] != mod:
            continue
        want = {evs[(bus, e)]["detail_type"] for e in s.get("events", []) if (bus, e) in evs}
        rules = events.list_rules(EventBusName=bus)["Rules"]
        found = [r for r in rules if want and set(json.loads(r.get("EventPattern", "{}")).get("detail-type", [])) == want]
        ok(found, f"rule for subscription {s['name']} on {bus}")
        ok(events.list_targets_by_rule(Rule=found[0]["Name"], EventBusName=bus)["Targets"], f"target of {s['name']}")

# ---- secrets of MOD-045
secrets = {s["Name"] for s in sm.list_secrets()["SecretList"]}
want = {x["name"].replace("{env}", ENV): x for x in m045["resources"]["secrets"]}
ok(want and set(want) <= secrets, f"MOD-045's secrets {sorted(want)} exist (got {sorted(secrets)})")
for name, x in want.items():
    d = sm.describe_secret(SecretId=name)
    ok(d.get("RotationEnabled") and d["RotationRules"]["AutomaticallyAfterDays"] == x["rotation_days"],
       f"secret {name} rotates every {x['rotation_days']} days")
    ok(d.get("KmsKeyId") in (key_arn[x["classification"]], key_arn[x["classification"]].split("/")[-1]),
       f"secret {name} encrypted with the {x['classification']} key")
# ---- MOD-076's observability (issue 19): alarms generated from the whole catalogue, each to the
# alerts topic of its severity; a dashboard per domain; the metric filter; the topic's subscriptions.
# Its X-Ray sampling rules and groups (the `tracing` kind) are not applied locally: moto serves no
# CreateSamplingRule/CreateGroup (platform.yaml's unserved_kinds).
cw, logs, sns = c("cloudwatch"), c("logs"), c("sns")
m076 = yaml.safe_load((cat / "modules/MOD-076.yaml").read_text())["resources"]
alarms = {}
for page in cw.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"]):
    alarms.update({a["AlarmName"]: a for a in page["MetricAlarms"]})
dashboards = {d["DashboardName"] for d in cw.list_dashboards()["DashboardEntries"]}
all_mods = [yaml.safe_load(p.read_text()) for p in sorted((cat / "modules").glob("*.yaml"))]
runtime_fns = {}
for m in all_mods:
    if m.get("kind") == "runtime":
        repo = m.get("repo") or domains[m["system"]]["repo"]
        runtime_fns[f"{repo}-{m['id'].lower()}-{ENV}"] = m["system"]
def alarm(name, metric, dim, topic):
    a = alarms.get(name)
    ok(a is not None, f"alarm {name} exists")
    ok(a["MetricName"] == metric and {d["Value"] for d in a["Dimensions"]} == {dim},
       f"alarm {name} watches {metric} of {dim} ({a['MetricName']} {a['Dimensions']})")
    ok(a["AlarmActions"] == [topic], f"alarm {name} routes to {topic} ({a['AlarmActions']})")
n_alarms = 0
for o in m076["observability"]:
    topic = {sev: params[f"/bank/{ENV}/sns/{t}/arn"] for sev, t in o["topics"].items()}
    sev = {a["watch"]: a["severity"] for a in o["alarms"]}
    for fn in runtime_fns:
        alarm(f"{fn}-errors", "Errors", fn, topic[sev["function_errors"]])
        alarm(f"{fn}-throttles", "Throttles", fn, topic[sev["function_throttles"]])
        n_alarms += 2
    for st in m104["firehose_streams"]:
        name = f"{st['name']}-{ENV}"
        alarm(f"{name}-delivery-failures", "DeliveryToS3.Success", name, topic[sev["firehose_delivery_failures"]])
        alarm(f"{name}-dlq-not-empty", "ApproximateNumberOfMessagesVisible", f"{name}-dlq", topic[sev["dlq_not_empty"]])
        n_alarms += 2
    for bus, s in subs:
        dlq = f"bank-{s['name']}-{ENV}-dlq"
        alarm(f"{dlq}-not-empty", "ApproximateNumberOfMessagesVisible", dlq, topic[sev["dlq_not_empty"]])
        n_alarms += 1
    for d in sorted(set(runtime_fns.values())):
        name = f"{o['name']}-{d.lower()}-{ENV}"
        ok(name in dashboards, f"dashboard {name} exists")
        body = json.loads(cw.get_dashboard(DashboardName=name)["DashboardBody"])
        titles = {w["properties"]["title"] for w in body["widgets"]}
        want = {fn for fn, dom in runtime_fns.items() if dom == d}
        ok(want <= titles, f"dashboard {name} has a widget per function of {d}: missing {sorted(want - titles)[:3]}")
    for f in o.get("metric_filters", []):
        got = logs.describe_metric_filters(logGroupName=f["log_group"].replace("{env}", ENV))["metricFilters"]
        ok(any(x["filterName"] == f"{f['name']}-{ENV}" for x in got), f"metric filter {f['name']}-{ENV}")
for t in m104["sns_topics"]:
    arn = params[f"/bank/{ENV}/sns/{t['name']}/arn"]
    got = {(x["Protocol"], x["Endpoint"]) for x in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]}
    for x in t.get("subscriptions", []):
        ok((x["protocol"], x["endpoint"].replace("{env}", ENV)) in got, f"topic {t['name']} subscription {x['endpoint']}")
# Log routing: a function of a later phase than MOD-076 subscribes its log group to the routing
# stream through the routing role (both read from MOD-076's contracts); a phaseless one does not.
import os, subprocess
graph = json.loads(subprocess.check_output([os.environ["BANKGEN_BIN"], "graph", "--catalog", str(cat), "--format", "json"],
                                           stderr=subprocess.DEVNULL))
phase = {n["id"]: n["phase"] for n in graph["nodes"]}
dest = params[f"/bank/{ENV}/observability/log-routing/destination-arn"]
role = params[f"/bank/{ENV}/observability/log-routing/role-arn"]
ok(c("kinesis").describe_stream_summary(StreamARN=dest)["StreamDescriptionSummary"]["EncryptionType"] == "KMS",
   f"routing stream {dest} is KMS-encrypted")
routed = unrouted = 0
for mod in runtime:
    m = yaml.safe_load((cat / f"modules/{mod}.yaml").read_text())
    fn = f"{m.get('repo') or domains[m['system']]['repo']}-{mod.lower()}-{ENV}"
    got = logs.describe_subscription_filters(logGroupName=f"/aws/lambda/{fn}")["subscriptionFilters"]
    if phase[mod] not in (None, phase["MOD-076"]):
        ok([(x["destinationArn"], x["roleArn"]) for x in got] == [(dest, role)],
           f"{fn}'s log group routes to {dest} as {role} (got {got})")
        routed += 1
    else:
        ok(not got, f"{fn} (phase {phase[mod]}) has no routing filter (got {got})")
        unrouted += 1
print(f"[live-deploy] MOD-076: {len(alarms)} alarms ({n_alarms} checked: name, metric, dimension, topic), "
      f"{len(dashboards)} dashboards, {routed} functions' logs routed to the stream ({unrouted} phaseless not); "
      f"X-Ray sampling rules and groups not served by the emulator")
print(f"[live-deploy] present: {checks} checks passed ({len(params)} SSM parameters, {len(functions)} functions, "
      f"{len(secrets)} secrets)")
PY
step "boto3 checks against moto: the catalogue's resources and settings"
BANKGEN_BIN="$BIN" tc-python "$WORK/check.py" "$CAT" "$ENDPOINT" present "${RUNTIME[@]}"

# ---------------------------------------------------------------- 3. idempotent
step "second plan: no changes"
deploy plan --only "${ALL[@]}" --report "$WORK/plan2.json" > "$WORK/plan2.out" 2>&1 \
  || { tail -n 60 "$WORK/plan2.out"; die "second plan failed"; }
tc-python - "$WORK/plan2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
changed = [(m["id"], m["adds"], m["changes"], m["destroys"]) for m in r["modules"]
           if m["status"] != "ok" or (m["adds"], m["changes"], m["destroys"]) != (0, 0, 0)]
assert not changed, f"the second plan has changes: {changed}"
print(f"[live-deploy] second plan: {len(r['modules'])} modules, no changes ({r['duration_s']:.0f} s)")
PY

# ---------------------------------------------------------------- 4. Ctrl-C during a real apply
CTRLC=MOD-063
step "SIGINT during a real apply of $CTRLC"
deploy destroy --only "$CTRLC" --auto-approve > "$WORK/d1.out" 2>&1 || { tail -n 40 "$WORK/d1.out"; die "destroy $CTRLC failed"; }
LOG=$OUT/local/.bankgen/logs/$CTRLC.log
# bankgen itself in the background (not a shell function: $! must be bankgen's pid)
"$BIN" apply --catalog "$CAT" --env local --out "$OUT" --only "$CTRLC" --report "$WORK/int.json" \
  > "$WORK/int.out" 2>&1 &
BG=$!
for _ in $(seq 1 600); do
  grep -q '^\$ tofu apply' "$LOG" 2>/dev/null && grep -q 'Creating\.\.\.' "$LOG" 2>/dev/null && break
  kill -0 "$BG" 2>/dev/null || break
  sleep 0.1
done
grep -q 'Creating\.\.\.' "$LOG" || { cat "$WORK/int.out"; die "the apply never started creating"; }
kill -INT "$BG"
rc=0; wait "$BG" || rc=$?
cat "$WORK/int.out" | grep -v '^         |' | tail -n 6
[ "$rc" = 130 ] || die "bankgen exited $rc after SIGINT, expected 130"
grep -q 'Interrupt received' "$LOG" || die "Terraform did not see the interrupt (log: $LOG)"
tc-python - "$WORK/int.json" "$CTRLC" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); m = {x["id"]: x for x in r["modules"]}[sys.argv[2]]
assert r["interrupted"] and m["status"] == "interrupted", m
print(f"[live-deploy] report: {m['id']} {m['status']} ({m.get('cause')})")
PY
# No process is left: nothing runs with its working directory in the rendered tree.
left=()
for p in /proc/[0-9]*; do
  cwd=$(readlink "$p/cwd" 2>/dev/null || true)
  case "$cwd" in "$OUT"*) left+=("${p#/proc/}") ;; esac
done
[ "${#left[@]}" -eq 0 ] || die "processes left in $OUT: ${left[*]}"
[ ! -e "$OUT/local/$CTRLC/.terraform.tfstate.lock.info" ] || die "the state is still locked"
step "no process left, no lock; a following plan succeeds"
# The CI wrapper's flow: plan and keep the plans (pull request), then apply exactly those (main).
deploy plan --only "$CTRLC" --plans "$WORK/plans" > "$WORK/after.out" 2>&1 \
  || { tail -n 40 "$WORK/after.out"; die "plan after the interrupt failed"; }
deploy apply --plans "$WORK/plans" --report "$WORK/again.json" > "$WORK/again.out" 2>&1 \
  || { tail -n 40 "$WORK/again.out"; die "apply --plans after the interrupt failed"; }
tc-python - "$WORK/plans/plans.json" "$WORK/again.json" "$LOG" "$CTRLC" <<'PY'
import json, sys
plans = json.load(open(sys.argv[1]))["plans"]; r = json.load(open(sys.argv[2])); log = open(sys.argv[3]).read()
mod = sys.argv[4]
applied = {m["id"] for m in r["modules"] if m["status"] == "ok"}
assert applied == set(plans), (applied, set(plans))
if mod in plans:
    assert f"/plans/{mod}.tfplan" in log and "\n$ tofu plan" not in log, "applied the saved plan, planned nothing"
    print(f"[live-deploy] apply --plans: the saved plan of {mod} (+{plans[mod]['adds']}) applied as planned")
else:
    print(f"[live-deploy] apply --plans: the interrupted apply had finished every resource; no plan to apply")
PY

# ---------------------------------------------------------------- 5. Phase 0 check fails
# One SSM contract parameter gone: `bankgen verify` names it, and an apply of a Phase 1 module
# stops at the failing Phase 0 check (the module is skipped, the report says why).
GONE=/bank/local/iam/bankcorerole/arn
step "delete $GONE: the Phase 0 check fails and names it"
tc-python - "$ENDPOINT" "$GONE" "$WORK/gone.json" <<'PY'
import json, sys, boto3
ssm = boto3.client("ssm", endpoint_url=sys.argv[1], region_name="ap-southeast-2")
p = ssm.get_parameter(Name=sys.argv[2])["Parameter"]
json.dump({"Name": p["Name"], "Value": p["Value"], "Type": p["Type"]}, open(sys.argv[3], "w"))
ssm.delete_parameter(Name=sys.argv[2])
PY
rc=0; "$BIN" verify --catalog "$CAT" --env local --phase 0 > "$WORK/verify.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/verify.out"; die "verify exited $rc with $GONE deleted, expected 1"; }
grep -q "^FAIL SSM $GONE does not exist (written by MOD-104" "$WORK/verify.out" \
  || { cat "$WORK/verify.out"; die "verify did not name $GONE"; }
[ "$(grep -c '^FAIL' "$WORK/verify.out")" = 1 ] || { cat "$WORK/verify.out"; die "more than one failure"; }
grep "^FAIL" "$WORK/verify.out"
rc=0; deploy apply --only MOD-007 --report "$WORK/gated.json" > "$WORK/gated.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { tail -n 40 "$WORK/gated.out"; die "apply with a failing Phase 0 check exited $rc, expected 1"; }
tc-python - "$WORK/gated.json" "$GONE" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); gone = sys.argv[2]
c = {x["phase"]: x for x in r["checks"]}[0]
m = {x["id"]: x for x in r["modules"]}["MOD-007"]
assert c["status"] == "failed" and c["attempts"] == 3, c
assert any(gone in l for l in c["output_tail"]), c["output_tail"]
assert m["status"] == "skipped" and "phase-0-check" in m["cause"], m
print(f"[live-deploy] Phase 0 check failed after {c['attempts']} attempts naming {gone}; MOD-007 {m['status']}: {m['cause']}")
PY
# Put it back as it was: the destroy plans of its readers look it up.
tc-python - "$ENDPOINT" "$WORK/gone.json" <<'PY'
import json, sys, boto3
boto3.client("ssm", endpoint_url=sys.argv[1], region_name="ap-southeast-2").put_parameter(**json.load(open(sys.argv[2])))
PY

# ---------------------------------------------------------------- 6. destroy
step "destroy ${#ALL[@]} modules in reverse order"
deploy destroy --only "${ALL[@]}" --auto-approve --report "$WORK/destroy.json" > "$WORK/destroy.out" 2>&1 \
  || { tail -n 60 "$WORK/destroy.out"; die "destroy failed"; }
tc-python "$WORK/order.py" "$WORK/graph.json" "$WORK/destroy.json" reverse
tc-python "$WORK/check.py" "$CAT" "$ENDPOINT" absent
step "ok in $((SECONDS - T0)) s"
