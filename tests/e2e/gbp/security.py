"""Live check of the security stack's web ACL (MOD-201) on the emulator: its AWS managed rule
groups in the catalogue's order, allow by default, metrics on, its logging configuration to the
KMS-encrypted `aws-waf-logs-` log group with the authorization header redacted, and its ARN as
the SSM contract `waf/<name>/arn`. Expected values come from the catalogue copy's YAML."""
import yaml

MODULES = ["MOD-201"]


def _load(cat, path):
    with open(cat / path) as f:
        return yaml.safe_load(f)


def check(c, env, cat) -> str:
    platform = _load(cat, "platform.yaml")
    acls = _load(cat, "modules/MOD-201.yaml")["resources"].get("web_acls", [])
    assert acls, "MOD-201 declares no web_acls"
    ssm_root = platform["ssm_convention"].split("/{env}")[0]
    wafv2, logs, ssm = c("wafv2"), c("logs"), c("ssm")
    listed = {a["Name"]: a for a in wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"]}
    groups = 0
    for entry in acls:
        name = f"{entry['name']}-{env}"
        assert name in listed, f"web ACL {name} not found (have {sorted(listed)})"
        summary = listed[name]
        acl = wafv2.get_web_acl(Name=name, Scope="REGIONAL", Id=summary["Id"])["WebACL"]
        assert "Allow" in acl["DefaultAction"], f"{name}: default action {acl['DefaultAction']}, expected Allow"
        assert acl["VisibilityConfig"]["CloudWatchMetricsEnabled"], f"{name}: metrics off"
        rules = sorted(acl["Rules"], key=lambda r: r["Priority"])
        got = [r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in rules]
        want = entry["managed_rule_groups"]
        assert got == want, f"{name}: managed rule groups {got}, expected {want} in this order"
        for r in rules:
            stmt = r["Statement"]["ManagedRuleGroupStatement"]
            assert stmt["VendorName"] == "AWS", f"{name}: rule {r['Name']} vendor {stmt['VendorName']}"
            assert "None" in r["OverrideAction"], f"{name}: rule {r['Name']} overrides the group's actions: {r['OverrideAction']}"
            assert r["VisibilityConfig"]["CloudWatchMetricsEnabled"], f"{name}: rule {r['Name']} has no metrics"
        groups += len(got)
        # Logging: to the aws-waf-logs- group, authorization redacted.
        log_group = f"aws-waf-logs-{name}"
        conf = wafv2.get_logging_configuration(ResourceArn=summary["ARN"])["LoggingConfiguration"]
        dests = conf["LogDestinationConfigs"]
        assert any(d.endswith(f":log-group:{log_group}") for d in dests), f"{name}: logs to {dests}, expected {log_group}"
        redacted = [f.get("SingleHeader", {}).get("Name", "").lower() for f in conf.get("RedactedFields", [])]
        assert "authorization" in redacted, f"{name}: redacted fields {conf.get('RedactedFields')}, expected the authorization header"
        lg = [g for g in logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"] if g["logGroupName"] == log_group]
        assert lg, f"log group {log_group} not found"
        assert lg[0].get("kmsKeyId"), f"log group {log_group} is not KMS-encrypted"
        assert lg[0].get("retentionInDays") == entry["log_retention_days"], (
            f"log group {log_group} keeps {lg[0].get('retentionInDays')} days, expected {entry['log_retention_days']}")
        # The contract the entry points associate.
        path = f"{ssm_root}/{env}/waf/{entry['name']}/arn"
        value = ssm.get_parameter(Name=path)["Parameter"]["Value"]
        assert value == summary["ARN"], f"{path} = {value}, expected {summary['ARN']}"
    return f"{len(acls)} web ACL(s): {groups} AWS managed rule groups in order, logging to aws-waf-logs-* (KMS) with authorization redacted, ARN in SSM"
