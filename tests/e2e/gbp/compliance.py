"""Live check of the compliance stack (MOD-203) on the emulator: the AWS Config recorder records
every resource type (global ones too) and is recording, its delivery channel writes to the audit
bucket under its prefix (whose policy lets Config write), every catalogue Config rule exists as an
AWS managed rule, and the GuardDuty detector is enabled at the catalogue's publishing frequency.
Expected values come from the catalogue copy's YAML."""
import json

import yaml

MODULES = ["MOD-201", "MOD-203"]


def _load(cat, path):
    with open(cat / path) as f:
        return yaml.safe_load(f)


def check(c, env, cat) -> str:
    platform = _load(cat, "platform.yaml")
    res = _load(cat, "modules/MOD-203.yaml")["resources"]
    recorders, detectors = res.get("config_recorders", []), res.get("guardduty_detectors", [])
    assert recorders, "MOD-203 declares no config_recorders"
    assert detectors, "MOD-203 declares no guardduty_detectors"
    prefix = platform["name_prefix"]
    config, s3, guardduty = c("config"), c("s3"), c("guardduty")
    rules_seen = 0
    for entry in recorders:
        name = f"{entry['name']}-{env}"
        recs = config.describe_configuration_recorders(ConfigurationRecorderNames=[name])["ConfigurationRecorders"]
        assert recs, f"Config recorder {name} not found"
        group = recs[0]["recordingGroup"]
        assert group.get("allSupported") is True, f"{name}: does not record every supported type: {group}"
        assert group.get("includeGlobalResourceTypes") is True, f"{name}: does not record global resources: {group}"
        status = config.describe_configuration_recorder_status(ConfigurationRecorderNames=[name])["ConfigurationRecordersStatus"]
        assert status and status[0]["recording"] is True, f"{name}: not recording: {status}"
        bucket = f"{entry['bucket']}-{env}"
        channels = config.describe_delivery_channels()["DeliveryChannels"]
        mine = [ch for ch in channels if ch["name"] == name]
        assert mine, f"delivery channel {name} not found (have {[ch['name'] for ch in channels]})"
        assert mine[0]["s3BucketName"] == bucket, f"{name}: delivers to {mine[0]['s3BucketName']}, expected {bucket}"
        assert mine[0].get("s3KeyPrefix") == entry["prefix"], f"{name}: prefix {mine[0].get('s3KeyPrefix')}, expected {entry['prefix']}"
        freq = mine[0].get("configSnapshotDeliveryProperties", {}).get("deliveryFrequency")
        assert freq == entry["snapshot_frequency"], f"{name}: snapshots {freq}, expected {entry['snapshot_frequency']}"
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        def service(st):
            p = st.get("Principal")
            return p.get("Service") if isinstance(p, dict) else None

        config_writes = [
            st for st in policy["Statement"]
            if st["Effect"] == "Allow" and service(st) == "config.amazonaws.com" and "s3:PutObject" in st.get("Action", [])
        ]
        assert config_writes, f"{bucket}'s policy does not let config.amazonaws.com write"
        # The rules: every catalogue identifier, owned by AWS, under its conventional name.
        want = {f"{prefix}-{i.lower().replace('_', '-')}-{env}": i for i in entry["rules"]}
        got = {}
        for page in config.get_paginator("describe_config_rules").paginate():
            for r in page["ConfigRules"]:
                got[r["ConfigRuleName"]] = r
        missing = sorted(set(want) - set(got))
        assert not missing, f"Config rules missing: {missing}"
        for rule_name, identifier in want.items():
            src = got[rule_name]["Source"]
            assert src["Owner"] == "AWS" and src["SourceIdentifier"] == identifier, f"{rule_name}: source {src}, expected AWS {identifier}"
        rules_seen += len(want)
    ids = guardduty.list_detectors()["DetectorIds"]
    assert len(ids) == len(detectors), f"{len(ids)} GuardDuty detector(s), expected {len(detectors)}"
    for det_id, entry in zip(ids, detectors):
        d = guardduty.get_detector(DetectorId=det_id)
        assert d["Status"] == "ENABLED", f"GuardDuty detector {det_id} is {d['Status']}"
        want = entry["finding_publishing_frequency"]
        assert d["FindingPublishingFrequency"] == want, f"detector {det_id} publishes {d['FindingPublishingFrequency']}, expected {want}"
    return (f"{len(recorders)} Config recorder(s) recording (all types, global too), delivering to the audit bucket; "
            f"{rules_seen} AWS managed Config rules; {len(ids)} GuardDuty detector(s) enabled")
