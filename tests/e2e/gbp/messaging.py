"""Seed 002's messaging stack (MOD-220) on the emulator: the Kinesis stream and the SQS queues as
the catalogue declares them, and one ordered round trip through a FIFO queue.

Called by tests/e2e/35-live-global-platform.sh when MODULES were applied: check(c, env, cat), where
c("sqs") is a boto3 client on the emulator, env the environment ("local") and cat the catalogue
copy (a pathlib.Path). Every expected value is read from the catalogue.
"""
import json
import uuid

import yaml

MODULES = ["MOD-201", "MOD-220"]

DLQ_RETENTION_SECONDS = 14 * 86400  # src/kinds/queue.rs: every dead-letter queue keeps 14 days


def _ok(cond, msg):
    if not cond:
        raise AssertionError(msg)


def _load(cat):
    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    module = yaml.safe_load((cat / "modules/MOD-220.yaml").read_text())
    return platform, module["resources"]


def _ssm_prefix(platform, env):
    # /gbp/{env}/{service}/{parameter} -> /gbp/local
    return platform["ssm_convention"].split("/{service}")[0].replace("{env}", env)


def _param(ssm, path):
    try:
        return ssm.get_parameter(Name=path)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        raise AssertionError(f"SSM contract {path} does not exist")


def _key_arns(c, platform, prefix):
    """classification -> the ARN of its CMK, from the SSM contract, checked against its alias."""
    ssm, kms = c("ssm"), c("kms")
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    out = {}
    for cl in platform["classifications"]:
        arn = _param(ssm, f"{prefix}/kms/{cl['name']}/arn")
        alias = f"alias/{cl['key_alias']}"
        target = aliases.get(alias)
        _ok(target is not None, f"KMS alias {alias} does not exist")
        _ok(arn.endswith(target), f"{alias} targets {target}, the SSM contract names {arn}")
        out[cl["name"]] = arn
    return out


def _streams(c, env, res, keys, prefix):
    kinesis, ssm = c("kinesis"), c("ssm")
    for s in res.get("kinesis_streams", []):
        name = f"{s['name']}-{env}"
        d = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        _ok(d["StreamStatus"] == "ACTIVE", f"stream {name} is {d['StreamStatus']}")
        _ok(d.get("EncryptionType") == "KMS", f"stream {name}: encryption {d.get('EncryptionType')}, not KMS")
        want = keys[s["classification"]]
        _ok(d.get("KeyId") == want, f"stream {name}: key {d.get('KeyId')}, not the {s['classification']} CMK {want}")
        _ok(d["OpenShardCount"] == s["shard_count"], f"stream {name}: {d['OpenShardCount']} shards, the catalogue says {s['shard_count']}")
        _ok(d["RetentionPeriodHours"] == s["retention_hours"],
            f"stream {name}: retention {d['RetentionPeriodHours']} h, the catalogue says {s['retention_hours']}")
        metrics = {m for e in d.get("EnhancedMonitoring", []) for m in e.get("ShardLevelMetrics", [])}
        _ok({"IncomingRecords", "IteratorAgeMilliseconds"} <= metrics, f"stream {name}: shard-level metrics {sorted(metrics)}")
        _ok(_param(ssm, f"{prefix}/kinesis/{s['name']}/arn") == d["StreamARN"], f"kinesis/{s['name']}/arn is not the stream's ARN")
        _ok(_param(ssm, f"{prefix}/kinesis/{s['name']}/name") == name, f"kinesis/{s['name']}/name is not {name}")
        # One record in, the same record out.
        shard = kinesis.put_record(StreamName=name, Data=b'{"probe":"messaging"}', PartitionKey="probe")["ShardId"]
        it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        data = [r["Data"] for r in kinesis.get_records(ShardIterator=it)["Records"]]
        _ok(b'{"probe":"messaging"}' in data, f"stream {name}: the record put on {shard} does not read back")
    return len(res.get("kinesis_streams", []))


def _tls_only(policy_text, name):
    doc = json.loads(policy_text or "{}")
    denies = [s for s in doc.get("Statement", [])
              if s.get("Effect") == "Deny"
              and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"]
    _ok(denies, f"queue {name}: no Deny on aws:SecureTransport false in its policy")


def _fifo_round_trip(sqs, url, name):
    """Three messages of one group come back in the order sent; a duplicate body is dropped."""
    run = uuid.uuid4().hex[:8]  # bodies of this run only: a rerun is not deduplicated against it
    bodies = [f"instruction-{run}-{i}" for i in range(3)]
    for b in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=b, MessageGroupId="account-1")
    # The same body again within the deduplication interval: accepted, never delivered.
    sqs.send_message(QueueUrl=url, MessageBody=bodies[0], MessageGroupId="account-1")
    got = []
    for _ in range(5):
        r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for m in r.get("Messages", []):
            got.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if len(got) >= len(bodies):
            break
    left = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    got += [m["Body"] for m in left]
    _ok(got == bodies, f"queue {name}: received {got}, sent {bodies} (FIFO order, deduplicated)")


def _queues(c, env, res, keys, prefix):
    sqs, ssm = c("sqs"), c("ssm")
    fifo = 0
    for q in res.get("queues", []):
        suffix = ".fifo" if q.get("fifo") else ""
        name = f"{q['name']}-{env}{suffix}"
        dlq_name = f"{q['name']}-dlq-{env}{suffix}"
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        dlq_url = sqs.get_queue_url(QueueName=dlq_name)["QueueUrl"]
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        d = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
        want = keys[q["classification"]]
        for n, attrs in ((name, a), (dlq_name, d)):
            _ok(attrs.get("KmsMasterKeyId") == want, f"queue {n}: key {attrs.get('KmsMasterKeyId')}, not the {q['classification']} CMK {want}")
            _ok(attrs.get("KmsDataKeyReusePeriodSeconds") == "300", f"queue {n}: data key reuse {attrs.get('KmsDataKeyReusePeriodSeconds')}")
            _ok((attrs.get("FifoQueue") == "true") == bool(q.get("fifo")), f"queue {n}: FifoQueue {attrs.get('FifoQueue')}")
            _tls_only(attrs.get("Policy"), n)
        if q.get("fifo"):
            _ok(a.get("ContentBasedDeduplication") == "true", f"queue {name}: no content-based deduplication")
        _ok(int(a["MessageRetentionPeriod"]) == q["retention_days"] * 86400,
            f"queue {name}: retention {a['MessageRetentionPeriod']} s, the catalogue says {q['retention_days']} days")
        _ok(int(d["MessageRetentionPeriod"]) == DLQ_RETENTION_SECONDS, f"queue {dlq_name}: retention {d['MessageRetentionPeriod']} s, not 14 days")
        _ok("RedrivePolicy" in a, f"queue {name}: no RedrivePolicy")
        rp = json.loads(a["RedrivePolicy"])
        _ok(rp.get("deadLetterTargetArn") == d["QueueArn"], f"queue {name}: redrives to {rp.get('deadLetterTargetArn')}, not {d['QueueArn']}")
        _ok(int(rp.get("maxReceiveCount", 0)) == q["max_receive_count"],
            f"queue {name}: maxReceiveCount {rp.get('maxReceiveCount')}, the catalogue says {q['max_receive_count']}")
        _ok(_param(ssm, f"{prefix}/sqs/{q['name']}/url") == url, f"sqs/{q['name']}/url is not {url}")
        _ok(_param(ssm, f"{prefix}/sqs/{q['name']}/arn") == a["QueueArn"], f"sqs/{q['name']}/arn is not the queue's ARN")
        _ok(_param(ssm, f"{prefix}/sqs/{q['name']}/dlq-arn") == d["QueueArn"], f"sqs/{q['name']}/dlq-arn is not the DLQ's ARN")
        if q.get("fifo"):
            _fifo_round_trip(sqs, url, name)
            fifo += 1
    return len(res.get("queues", [])), fifo


def check(c, env, cat):
    platform, res = _load(cat)
    prefix = _ssm_prefix(platform, env)
    keys = _key_arns(c, platform, prefix)
    streams = _streams(c, env, res, keys, prefix)
    queues, fifo = _queues(c, env, res, keys, prefix)
    return (f"{streams} Kinesis stream(s) KMS-encrypted with their CMK, shards and retention as catalogued; "
            f"{queues} queue(s) with CMK, TLS-only policy and redrive to a 14-day DLQ; "
            f"{fifo} FIFO round trip(s) in order, duplicates dropped")
