"""Seed 002's multi-region DR for events ("EventBridge can route events to other regions") on the
emulator: the copy of each `dr: true` bus in the DR region with its archive and KMS-encrypted
dead-letter queue, and an event put on the primary bus arriving in the copy's archive through the
messaging stack's `region: dr` subscription.

Called by tests/e2e/35-live-global-platform.sh when MODULES were applied: check(c, env, cat), where
c("events", region) is a boto3 client on the emulator. Every expected value is read from the
catalogue.
"""
import json
import uuid

import yaml

MODULES = ["MOD-201", "MOD-220"]


def _ok(cond, msg):
    if not cond:
        raise AssertionError(msg)


def check(c, env, cat):
    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    primary, dr = platform["region"], platform["dr_region"]
    security = yaml.safe_load((cat / "modules/MOD-201.yaml").read_text())["resources"]
    buses = [b for b in security["event_buses"] if b.get("dr")]
    _ok(buses, "no bus of MOD-201 has `dr: true`")
    routes = []
    for f in sorted((cat / "events").glob("*.yaml")):
        doc = yaml.safe_load(f.read_text())
        for s in doc.get("subscriptions", []):
            if s["target"].get("region") == "dr":
                routes.append((doc, s))
    _ok(routes, "no subscription routes to a DR copy")
    events_dr, events = c("events", dr), c("events", primary)
    sqs_dr, kms_dr = c("sqs", dr), c("kms", dr)
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms_dr.list_aliases()["Aliases"]}
    for b in buses:
        name = b["name"]
        got = events_dr.describe_event_bus(Name=name)
        _ok(f":{dr}:" in got["Arn"], f"bus {name}'s copy is not in {dr}: {got['Arn']}")
        archive = events_dr.describe_archive(ArchiveName=f"{name}-archive")
        _ok(archive["RetentionDays"] == b["archive_retention_days"],
            f"the DR archive of {name} keeps {archive['RetentionDays']} days, not {b['archive_retention_days']}")
        url = sqs_dr.get_queue_url(QueueName=f"{name}-dlq-{env}")["QueueUrl"]
        key = sqs_dr.get_queue_attributes(QueueUrl=url, AttributeNames=["KmsMasterKeyId"])[
            "Attributes"].get("KmsMasterKeyId", "")
        dr_keys = {v for k, v in aliases.items() if k.startswith("alias/gbp/")}
        _ok(any(k and k in key for k in dr_keys),
            f"the DR dead-letter queue of {name} is not encrypted with a DR key of the platform: {key!r}")
    # An event of each route's source, put on the primary bus, lands in the copy's archive. Its
    # detail type is no catalogued event's: no other rule of the bus takes it (moto cannot deliver
    # to the function targets of the others).
    for doc, s in routes:
        bus = doc["bus"]
        _ok("detail-type" not in s.get("pattern", {"detail-type": None}),
            f"{s['name']}: a DR route takes every event of its sources (a `pattern` of sources only)")
        sources = s["pattern"]["source"]
        before = events_dr.describe_archive(ArchiveName=f"{bus}-archive")["EventCount"]
        marker = str(uuid.uuid4())
        out = events.put_events(Entries=[{
            "EventBusName": bus, "Source": sources[0], "DetailType": "BankgenDrRouteCheck",
            "Detail": json.dumps({"dr_check": marker})}])
        _ok(out["FailedEntryCount"] == 0, f"put_events on {bus} failed: {out}")
        after = events_dr.describe_archive(ArchiveName=f"{bus}-archive")["EventCount"]
        _ok(after > before, f"{s['name']}: the event put on {bus} did not reach its copy in {dr} "
                            f"(archive {before} -> {after} events)")
    return f"{len(buses)} bus copy in {dr} (archive, KMS DLQ), {len(routes)} route delivered"
