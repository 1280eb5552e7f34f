"""Seed 002's monitoring stack (MOD-240) on the emulator: the alarms generated from the whole
catalogue, each routed to the SNS topic of its severity, the dashboards (one per stack, a widget
per resource), the topics' subscriptions and the log metric filter. X-Ray (the `tracing` kind) is
not applied locally: moto serves no CreateSamplingRule/CreateGroup (platform.yaml's unserved_kinds).

Called by tests/e2e/35-live-global-platform.sh when MODULES were applied: check(c, env, cat).
Every expected value is read from the catalogue.
"""
import json

import yaml

MODULES = ["MOD-201", "MOD-240"]

# src/kinds/observability.rs: the metric each watch alarms on.
WATCH_METRIC = {
    "function_errors": ("AWS/Lambda", "Errors"),
    "function_throttles": ("AWS/Lambda", "Throttles"),
    "dlq_not_empty": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    "queue_depth": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    "firehose_delivery_failures": ("AWS/Firehose", "DeliveryToS3.Success"),
    "kinesis_iterator_age": ("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds"),
    "table_throttles": ("AWS/DynamoDB", "ThrottledRequests"),
    "aurora_cpu": ("AWS/RDS", "CPUUtilization"),
    "aurora_replica_lag": ("AWS/RDS", "AuroraReplicaLagMaximum"),
    "table_replication_latency": ("AWS/DynamoDB", "ReplicationLatency"),
    "bucket_replication_latency": ("AWS/S3", "ReplicationLatency"),
}


def _ok(cond, msg):
    if not cond:
        raise AssertionError(msg)


def _modules(cat):
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted((cat / "modules").glob("*.yaml"))}


def _replicated(env, mod, platform, environment):
    """The replication latency alarms the catalogue implies in `env`: (watch, alarm name, dimensions).
    None where the environment cannot have the metric: a table whose replica its emulator leaves
    out (`dynamodb_tables.replication` in unserved_kinds), a bucket in the legacy provider profile
    (hashicorp/aws 3.39's inline replication rule has no `metrics`)."""
    r = mod.get("resources", {}) or {}
    dr = platform.get("dr_region")
    unserved = environment.get("emulator", {}).get("unserved_kinds", [])
    legacy = environment.get("provider_profile") == "legacy"
    out = []
    for t in r.get("dynamodb_tables", []):
        if "replication" in t and dr:
            name = f"{t['name']}-{env}"
            dims = None if "dynamodb_tables.replication" in unserved else {"TableName": name, "ReceivingRegion": dr}
            out.append(("table_replication_latency", f"{name}-replication-latency", dims))
    for b in r.get("buckets", []):
        if "replication" in b and dr:
            name = f"{b['name']}-{env}"
            dims = None if legacy else {"SourceBucket": name, "DestinationBucket": f"{b['name']}-replica-{env}",
                                        "RuleId": "dr"}
            out.append(("bucket_replication_latency", f"{name}-replication-latency", dims))
    return out


def _resources(env, mod, repos):
    """What the catalogue says a module holds that the alarms watch: (watch-sort, physical name)."""
    r = mod.get("resources", {}) or {}
    out = []
    for q in r.get("queues", []):
        sfx = ".fifo" if q.get("fifo") else ""
        out.append(("queue", f"{q['name']}-{env}{sfx}"))
        out.append(("dlq", f"{q['name']}-dlq-{env}{sfx}"))
    for s in r.get("kinesis_streams", []):
        out.append(("kinesis", f"{s['name']}-{env}"))
    for t in r.get("dynamodb_tables", []):
        out.append(("table", f"{t['name']}-{env}"))
    for a in r.get("aurora_clusters", []):
        out.append(("aurora", f"{a['name']}-{env}"))
    if mod.get("kind") == "runtime":  # the conventional function: {repo}-{id}-{env}
        repo = mod.get("repo") or repos[mod["system"]]
        out.append(("function", f"{repo}-{mod['id'].lower()}-{env}"))
    for f in r.get("functions", []):
        out.append(("function", f"{f['name']}-{env}"))
    return out


def check(c, env, cat):
    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    prefix = platform["ssm_convention"].split("/{service}")[0].replace("{env}", env)
    mods = _modules(cat)
    repos = {d["id"]: d["repo"] for d in yaml.safe_load((cat / "domains.yaml").read_text())["domains"]}
    res = mods["MOD-240"]["resources"]
    cw, ssm, sns, logs = c("cloudwatch"), c("ssm"), c("sns"), c("logs")

    alarms = []
    for page in cw.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"]):
        alarms += page["MetricAlarms"]
    by_name = {a["AlarmName"]: a for a in alarms}

    def topic_arn(name):
        return ssm.get_parameter(Name=f"{prefix}/sns/{name}/arn")["Parameter"]["Value"]

    n_alarms = n_dash = 0
    for o in res["observability"]:
        topics = {sev: topic_arn(t) for sev, t in o["topics"].items()}
        held = {m: _resources(env, y, repos) for m, y in mods.items()}
        sort_of = {"function_errors": "function", "function_throttles": "function", "dlq_not_empty": "dlq",
                   "queue_depth": "queue", "kinesis_iterator_age": "kinesis", "table_throttles": "table",
                   "aurora_cpu": "aurora", "aurora_replica_lag": "aurora"}
        suffix = {"function_errors": "errors", "function_throttles": "throttles", "dlq_not_empty": "not-empty",
                  "queue_depth": "depth", "kinesis_iterator_age": "iterator-age", "table_throttles": "throttles",
                  "aurora_cpu": "cpu", "aurora_replica_lag": "replica-lag"}
        for a in o["alarms"]:
            for m, things in held.items():
                for sort, name in things:
                    if sort == sort_of.get(a["watch"]):
                        want = f"{name}-{suffix[a['watch']]}"
                        _ok(want in by_name, f"no alarm {want} ({a['watch']} on {m}'s {name})")
                        x = by_name[want]
                        ns, metric = WATCH_METRIC[a["watch"]]
                        dims = {d["Name"]: d["Value"] for d in x["Dimensions"]}
                        _ok((x["Namespace"], x["MetricName"]) == (ns, metric) and name in dims.values(),
                            f"alarm {want}: {x['Namespace']} {x['MetricName']} {dims}, not {ns} {metric} {name}")
                        _ok(x["AlarmActions"] == [topics[a["severity"]]],
                            f"alarm {want} ({a['severity']}) routes to {x['AlarmActions']}, "
                            f"not {topics[a['severity']]}")
                        if "threshold" in a:
                            _ok(x["Threshold"] == float(a["threshold"]),
                                f"alarm {want}: threshold {x['Threshold']}, catalogue {a['threshold']}")
                        n_alarms += 1
        # Replication latency: on every replica the environment has, by its dimensions; none
        # where the metric cannot exist there.
        environment = next(e for e in platform["environments"] if e["name"] == env)
        watched = {a["watch"]: a for a in o["alarms"]}
        n_absent = 0
        for m, y in mods.items():
            for watch, want, dims in _replicated(env, y, platform, environment):
                if watch not in watched:
                    continue
                if dims is None:
                    _ok(want not in by_name, f"alarm {want}: {env} has no {watch} metric, yet the alarm exists")
                    n_absent += 1
                    continue
                _ok(want in by_name, f"no alarm {want} ({watch} on {m})")
                x = by_name[want]
                got = {d["Name"]: d["Value"] for d in x["Dimensions"]}
                _ok((x["Namespace"], x["MetricName"]) == WATCH_METRIC[watch] and got == dims,
                    f"alarm {want}: {x['Namespace']} {x['MetricName']} {got}, not {WATCH_METRIC[watch]} {dims}")
                _ok(x["AlarmActions"] == [topics[watched[watch]["severity"]]], f"alarm {want} routes to {x['AlarmActions']}")
                n_alarms += 1
        # Dashboards: one per module holding something watched, a widget titled by each resource.
        if o["dashboards"] == "per_module":
            names = {d["DashboardName"] for d in cw.list_dashboards()["DashboardEntries"]}
            for m, things in held.items():
                if not things:
                    continue
                dname = f"{o['name']}-{m.lower()}-{env}"
                _ok(dname in names, f"no dashboard {dname} for {m}")
                body = json.loads(cw.get_dashboard(DashboardName=dname)["DashboardBody"])
                titles = {w["properties"]["title"] for w in body["widgets"]}
                for _, name in things:
                    _ok(name in titles, f"dashboard {dname} has no widget for {name}: {sorted(titles)}")
                n_dash += 1
        for f in o.get("metric_filters", []):
            group = f["log_group"].replace("{env}", env)
            got = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
            mine = [x for x in got if x["filterName"] == f"{f['name']}-{env}"]
            _ok(mine, f"no metric filter {f['name']}-{env} on {group}")
            t = mine[0]["metricTransformations"][0]
            _ok((t["metricNamespace"], t["metricName"]) == (f["namespace"], f["metric"]),
                f"metric filter {f['name']}: {t}")
    # Subscriptions: each topic's, as catalogued.
    n_subs = 0
    for t in res["sns_topics"]:
        arn = topic_arn(t["name"])
        got = {(s["Protocol"], s["Endpoint"]) for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]}
        for s in t.get("subscriptions", []):
            want = (s["protocol"], s["endpoint"].replace("{env}", env))
            _ok(want in got, f"topic {t['name']}: no subscription {want}; has {sorted(got)}")
            n_subs += 1
    return (f"{len(alarms)} alarms routed by severity ({n_alarms} checked by name and dimension, "
            f"{n_absent} replication latency alarm(s) rightly absent in {env}), "
            f"{n_dash} dashboards with a widget per resource, {n_subs} topic subscription(s), metric filter")
