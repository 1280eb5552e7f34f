"""The foundation stacks (seed 002's security, storage and compliance basics) against the emulator:
keys with rotation and their SSM contracts, domain buses with archives, buckets (KMS with the class
key, versioning, SSL-only policy, public access block), the customer pool's MFA, secrets rotated by
their function, the trail logging to the audit bucket. Expected values come from the catalogue."""
import json
import yaml

MODULES = ["MOD-201", "MOD-202", "MOD-203"]


def resources(cat, module):
    return yaml.safe_load((cat / "modules" / f"{module}.yaml").read_text()).get("resources") or {}


def check(c, env, cat):
    n = 0

    def ok(cond, what):
        nonlocal n
        assert cond, f"foundation: {what}"
        n += 1

    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    root = platform["ssm_convention"].split("{env}")[0] + env
    ssm, kms, events, s3, idp, sm, ct = (c(s) for s in
        ["ssm", "kms", "events", "s3", "cognito-idp", "secretsmanager", "cloudtrail"])
    params = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=root, Recursive=True):
        params.update({p["Name"]: p["Value"] for p in page["Parameters"]})
    sec = resources(cat, "MOD-201")

    aliases = {a["AliasName"]: a for a in kms.list_aliases()["Aliases"]}
    key_arn = {}
    for k in sec["kms_keys"]:
        a = aliases.get(f"alias/{k['alias']}")
        ok(a is not None, f"alias/{k['alias']} exists")
        meta = kms.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]
        ok(kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"], f"{k['alias']} rotates")
        key_arn[k["classification"]] = meta["Arn"]
        ok(params.get(f"{root}/kms/{k['classification']}/arn") == meta["Arn"], f"SSM kms/{k['classification']}/arn")

    buses = {b["Name"]: b for b in events.list_event_buses()["EventBuses"]}
    archives = {a["EventSourceArn"]: a for a in events.list_archives()["Archives"]}
    for b in sec["event_buses"]:
        ok(b["name"] in buses, f"bus {b['name']}")
        arch = archives.get(buses[b["name"]]["Arn"])
        ok(arch is not None and arch["RetentionDays"] == b["archive_retention_days"], f"archive of {b['name']}")

    for module in ("MOD-201", "MOD-202", "MOD-203"):
        for b in resources(cat, module).get("buckets", []):
            name = f"{b['name']}-{env}"
            sse = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0][
                "ApplyServerSideEncryptionByDefault"]
            if b["encryption"] == "kms":
                want = key_arn[b["classification"]]
                ok(sse["SSEAlgorithm"] == "aws:kms" and sse.get("KMSMasterKeyID") in (want, want.split("/")[-1]),
                   f"{name} SSE-KMS with the {b['classification']} key")
            ok(s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled", f"{name} versioning")
            policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
            ok(any(st["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(st.get("Condition", {}))
                   for st in policy["Statement"]), f"{name} SSL-only policy")
            pab = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
            ok(all(pab.values()), f"{name} public access blocked")
            ok(params.get(f"{root}/s3/{b['name']}/name") == name, f"SSM s3/{b['name']}/name")

    pools = {p["Name"]: p for p in idp.list_user_pools(MaxResults=60)["UserPools"]}
    for p in sec.get("user_pools", []):
        pool = pools.get(f"{p['name']}-{env}")
        ok(pool is not None, f"user pool {p['name']}")
        desc = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        ok(desc.get("MfaConfiguration") == ("ON" if p["mfa"]["required"] else "OFF"), f"{p['name']} MFA")

    secrets = {s["Name"]: s for s in sm.list_secrets()["SecretList"]}
    for s in sec.get("secrets", []):
        got = secrets.get(s["name"].replace("{env}", env))
        ok(got is not None, f"secret {s['name']}")
        ok(got.get("RotationEnabled") and got["RotationRules"]["AutomaticallyAfterDays"] == s["rotation_days"],
           f"secret {s['name']} rotates every {s['rotation_days']} days")
        ok(got.get("KmsKeyId") in (key_arn[s["classification"]], key_arn[s["classification"]].split("/")[-1]),
           f"secret {s['name']} encrypted with the {s['classification']} key")

    trails = {t["Name"]: t for t in ct.describe_trails()["trailList"]}
    for t in resources(cat, "MOD-203").get("trails", []):
        got = trails.get(f"{t['name']}-{env}") or trails.get(t["name"])
        ok(got is not None, f"trail {t['name']}")
        ok(got["S3BucketName"] == f"{t['bucket']}-{env}", f"trail {t['name']} writes to {t['bucket']}")
        ok(ct.get_trail_status(Name=got["TrailARN"])["IsLogging"], f"trail {t['name']} logging")
    return f"{n} checks passed (keys, buses, buckets, pool, secrets, trail)"
