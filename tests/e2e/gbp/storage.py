"""Seed 002's storage stack against the emulator: the archive's object lock (mode, days), the
transaction bucket's replication to its replica in the DR region (role trusted by S3, KMS key of
the DR region, storage class), every bucket's server access logs to the audit bucket, the audit
bucket's policy for the S3 logging service, and the SSL-only and SSE-KMS-only upload statements.
Expected values come from the catalogue (platform.yaml dr_region, the buckets' entries)."""
import json
import yaml

MODULES = ["MOD-201", "MOD-203", "MOD-202"]


def resources(cat, module):
    return yaml.safe_load((cat / "modules" / f"{module}.yaml").read_text()).get("resources") or {}


def statements(s3, bucket):
    return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]


def items(v):
    return v if isinstance(v, list) else [v]


def check(c, env, cat):
    n = 0

    def ok(cond, what):
        nonlocal n
        assert cond, f"storage: {what}"
        n += 1

    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    region, dr = platform["region"], platform["dr_region"]
    root = platform["ssm_convention"].split("{env}")[0] + env
    s3, iam, ssm = c("s3"), c("iam"), c("ssm")
    kms, kms_dr = c("kms"), c("kms", dr)
    params = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=root, Recursive=True):
        params.update({p["Name"]: p["Value"] for p in page["Parameters"]})
    buckets = [b for m in MODULES for b in resources(cat, m).get("buckets", [])]
    by_name = {b["name"]: b for b in buckets}
    key_of = {}
    for k in resources(cat, "MOD-201")["kms_keys"]:
        key_of[k["classification"]] = k["alias"]

    def key_arn(client, alias):
        aliases = {a["AliasName"]: a for a in client.list_aliases()["Aliases"]}
        a = aliases.get(f"alias/{alias}")
        return a and client.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]["Arn"]

    for b in buckets:
        name = f"{b['name']}-{env}"
        stmts = statements(s3, name)
        ok(any(st["Effect"] == "Deny" and st.get("Principal") == "*"
               and st.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
               for st in stmts), f"{name} denies requests without TLS")
        if b.get("deny_unencrypted_uploads"):
            ok(any(st["Effect"] == "Deny" and "s3:PutObject" in items(st["Action"])
                   and st.get("Condition", {}).get("StringNotEquals", {}).get("s3:x-amz-server-side-encryption")
                   == "aws:kms" for st in stmts), f"{name} denies uploads without SSE-KMS")

        # Object lock: mode and days as the catalogue says.
        lock = b.get("object_lock")
        if lock:
            got = s3.get_object_lock_configuration(Bucket=name)["ObjectLockConfiguration"]
            ret = got.get("Rule", {}).get("DefaultRetention", {})
            ok(got.get("ObjectLockEnabled") == "Enabled", f"{name} object lock enabled")
            ok(ret.get("Mode") == lock["mode"] and ret.get("Days") == lock["days"],
               f"{name} default retention {lock['mode']} {lock['days']} days (got {ret})")
            ok(s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled", f"{name} versioned")

        # Server access logs: to the log bucket, under the catalogue's prefix.
        logs = b.get("access_logs")
        got = s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")
        if logs:
            prefix = logs.get("prefix", f"s3/{b['name']}/")
            ok(got == {"TargetBucket": f"{logs['bucket']}-{env}", "TargetPrefix": prefix},
               f"{name} logs to {logs['bucket']}-{env}/{prefix} (got {got})")
            ok(by_name.get(logs["bucket"], {}).get("receives_access_logs"),
               f"{logs['bucket']} is a log bucket of the catalogue")
        if b.get("receives_access_logs"):
            ok(not got, f"{name} does not log into itself")
            ok(any(st["Effect"] == "Allow" and st.get("Principal") == {"Service": "logging.s3.amazonaws.com"}
                   and "s3:PutObject" in items(st["Action"])
                   and st.get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount")
                   for st in stmts), f"{name} lets the S3 logging service write, for this account only")

        # Replication to the DR region.
        rep = b.get("replication")
        if rep:
            replica = f"{b['name']}-replica-{env}"
            cfg = s3.get_bucket_replication(Bucket=name)["ReplicationConfiguration"]
            rules = [r for r in cfg["Rules"] if r["Status"] == "Enabled"]
            ok(len(rules) == 1, f"{name} has one enabled replication rule")
            dest = rules[0]["Destination"]
            ok(dest["Bucket"] == f"arn:aws:s3:::{replica}", f"{name} replicates to {replica}")
            ok(dest.get("StorageClass") == rep.get("storage_class", "STANDARD"),
               f"{name} replicas in {rep.get('storage_class', 'STANDARD')}")
            loc = s3.get_bucket_location(Bucket=replica).get("LocationConstraint")
            ok(loc == dr and dr != region, f"{replica} is in the DR region {dr} (got {loc})")
            dr_key = key_arn(kms_dr, key_of[b["classification"]])
            ok(dr_key and f":{dr}:" in dr_key, f"the {b['classification']} key exists in {dr}")
            ok(kms_dr.get_key_rotation_status(KeyId=dr_key)["KeyRotationEnabled"], f"the DR key rotates")
            ok(dest.get("EncryptionConfiguration", {}).get("ReplicaKmsKeyID") == dr_key,
               f"{name} encrypts replicas with the DR key")
            sse = s3.get_bucket_encryption(Bucket=replica)["ServerSideEncryptionConfiguration"]["Rules"][0][
                "ApplyServerSideEncryptionByDefault"]
            ok(sse["SSEAlgorithm"] == "aws:kms" and sse.get("KMSMasterKeyID") == dr_key,
               f"{replica} SSE-KMS with the DR key")
            ok(s3.get_bucket_versioning(Bucket=replica).get("Status") == "Enabled", f"{replica} versioned")
            ok(all(s3.get_public_access_block(Bucket=replica)["PublicAccessBlockConfiguration"].values()),
               f"{replica} public access blocked")
            ok(any(st["Effect"] == "Deny" and st.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
                   == "false" for st in statements(s3, replica)), f"{replica} SSL-only")
            ok(params.get(f"{root}/s3/{b['name']}/replica/name") == replica, f"SSM s3/{b['name']}/replica/name")

            # The role: assumed by S3 only, and allowed only what replication needs.
            role_name = cfg["Role"].split("/")[-1]
            role = iam.get_role(RoleName=role_name)["Role"]
            trust = role["AssumeRolePolicyDocument"]
            trust = json.loads(trust) if isinstance(trust, str) else trust
            ok([st["Principal"] for st in trust["Statement"]] == [{"Service": "s3.amazonaws.com"}],
               f"{role_name} is assumed by s3.amazonaws.com only")
            doc = iam.get_role_policy(RoleName=role_name, PolicyName="replication")["PolicyDocument"]
            doc = json.loads(doc) if isinstance(doc, str) else doc
            grants = {a: items(st["Resource"]) for st in doc["Statement"] for a in items(st["Action"])}
            src_key = key_arn(kms, key_of[b["classification"]])
            ok(grants.get("s3:GetReplicationConfiguration") == [f"arn:aws:s3:::{name}"], f"{role_name} reads {name}'s configuration")
            ok(grants.get("s3:GetObjectVersionForReplication") == [f"arn:aws:s3:::{name}/*"], f"{role_name} reads {name}'s versions")
            ok(grants.get("s3:ReplicateObject") == [f"arn:aws:s3:::{replica}/*"], f"{role_name} writes only into {replica}")
            ok(grants.get("kms:Decrypt") == [src_key], f"{role_name} decrypts with the source key only")
            ok(grants.get("kms:Encrypt") == [dr_key], f"{role_name} encrypts with the DR key only")
            ok(all(not a.endswith("*") and r != ["*"] for a, r in grants.items()), f"{role_name} has no wildcards")
    return f"{n} checks passed (object lock, access logs, DR replication and its role, bucket policies)"
