"""Seed 002's edge (MOD-235) on the emulator: the CloudFront distribution (its names, HTTPS only,
TLS 1.2+, the certificate and the CLOUDFRONT-scope web ACL in the platform's global_region, the
origin read through an access identity/control, the bucket policy that admits it), and the
Route 53 failover (health check of the load balancer, PRIMARY/SECONDARY alias records).
Global Accelerator is not on the emulator (unserved_kinds: moto has no such service).

Called by tests/e2e/35-live-global-platform.sh when MODULES were applied: check(c, env, cat), where
c("cloudfront") is a boto3 client on the emulator (c(service, region) for another region), env the
environment ("local") and cat the catalogue copy (a pathlib.Path). Every expected value is read
from the catalogue.
"""
import json

import yaml

MODULES = ["MOD-201", "MOD-203", "MOD-205", "MOD-233", "MOD-235"]

TLS_FLOOR = "TLSv1.2_2021"  # src/kinds/cdn_distribution.rs


def _ok(cond, msg):
    if not cond:
        raise AssertionError(msg)


def _load(cat):
    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    module = yaml.safe_load((cat / "modules/MOD-235.yaml").read_text())
    return platform, module["resources"]


def _ssm_prefix(platform, env):
    return platform["ssm_convention"].split("/{service}")[0].replace("{env}", env)


def _param(ssm, path):
    try:
        return ssm.get_parameter(Name=path)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        raise AssertionError(f"SSM contract {path} does not exist")


def _distributions(c, env, platform, res, prefix):
    cf, ssm, s3 = c("cloudfront"), c("ssm"), c("s3")
    glob = platform["global_region"]
    items = cf.list_distributions().get("DistributionList", {}).get("Items", [])
    for d in res.get("cdn_distributions", []):
        domains = [x.replace("{env}", env) for x in d["domains"]]
        found = [i for i in items if sorted(i.get("Aliases", {}).get("Items", [])) == sorted(domains)]
        _ok(len(found) == 1, f"{len(found)} distributions serve {domains}")
        did = found[0]["Id"]
        _ok(_param(ssm, f"{prefix}/cloudfront/{d['name']}/id") == did, f"cloudfront/{d['name']}/id is not {did}")
        cfg = cf.get_distribution_config(Id=did)["DistributionConfig"]
        _ok(cfg["Enabled"], f"distribution {did} is disabled")
        vc = cfg["ViewerCertificate"]
        _ok(vc.get("MinimumProtocolVersion") == TLS_FLOOR, f"distribution {did}: TLS floor {vc.get('MinimumProtocolVersion')}")
        _ok(vc.get("SSLSupportMethod") == "sni-only", f"distribution {did}: SSL support {vc.get('SSLSupportMethod')}")
        cert = vc.get("ACMCertificateArn", "")
        _ok(f":acm:{glob}:" in cert, f"distribution {did}: certificate {cert!r} is not in {glob}")
        acm = c("acm", glob).describe_certificate(CertificateArn=cert)["Certificate"]
        _ok(acm["DomainName"] == domains[0], f"certificate {cert}: {acm['DomainName']}, not {domains[0]}")
        _ok(set(acm.get("SubjectAlternativeNames", [])) >= set(domains), f"certificate {cert} does not name {domains}")
        beh = cfg["DefaultCacheBehavior"]
        _ok(beh["ViewerProtocolPolicy"] == "redirect-to-https", f"distribution {did}: viewer protocol {beh['ViewerProtocolPolicy']}")
        for ob in cfg.get("CacheBehaviors", {}).get("Items", []):
            _ok(ob["ViewerProtocolPolicy"] != "allow-all", f"distribution {did}: {ob['PathPattern']} over HTTP")
        acl = cfg.get("WebACLId", "")
        acls = c("wafv2", glob).list_web_acls(Scope="CLOUDFRONT")["WebACLs"]
        named = [a for a in acls if a["Name"] == f"{d['name']}-{env}"]
        _ok(len(named) == 1, f"no CLOUDFRONT-scope web ACL {d['name']}-{env} in {glob}")
        _ok(acl == named[0]["ARN"], f"distribution {did}: web ACL {acl!r}, not {named[0]['ARN']}")
        rules = c("wafv2", glob).get_web_acl(Name=named[0]["Name"], Scope="CLOUDFRONT", Id=named[0]["Id"])["WebACL"]["Rules"]
        groups = [r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in sorted(rules, key=lambda r: r["Priority"])]
        _ok(groups == d["managed_rule_groups"], f"web ACL {named[0]['Name']}: rule groups {groups}")
        origins = cfg["Origins"]["Items"]
        bucket = f"{d['bucket']}-{env}"
        _ok(len(origins) == 1 and origins[0]["DomainName"].startswith(f"{bucket}."), f"distribution {did}: origins {[o['DomainName'] for o in origins]}")
        o = origins[0]
        oai = o.get("S3OriginConfig", {}).get("OriginAccessIdentity", "")
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        reads = [s for s in policy["Statement"] if s.get("Sid") == "CloudFrontRead"]
        _ok(len(reads) == 1, f"bucket {bucket}: no CloudFrontRead statement")
        _ok(reads[0]["Effect"] == "Allow" and reads[0]["Action"] in ("s3:GetObject", ["s3:GetObject"]),
            f"bucket {bucket}: CloudFrontRead is {reads[0]}")
        # The emulator's origin names neither an access identity (moto has none) nor a control (the
        # legacy provider has none): the policy's origin-access-control form still admits only
        # this distribution.
        if not (oai or o.get("OriginAccessControlId")):
            cond = reads[0].get("Condition", {}).get("StringEquals", {}).get("AWS:SourceArn")
            _ok(reads[0].get("Principal") == {"Service": "cloudfront.amazonaws.com"} and cond == found[0]["ARN"],
                f"bucket {bucket}: CloudFrontRead admits {reads[0].get('Principal')} for {cond}, not distribution {found[0]['ARN']}")
    return len(res.get("cdn_distributions", []))


def _failovers(c, env, res, prefix):
    r53, ssm = c("route53"), c("ssm")
    for f in res.get("dns_failovers", []):
        record = f["record"].replace("{env}", env) + "."
        zones = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == f["zone"] + "."]
        _ok(len(zones) == 1, f"{len(zones)} hosted zones named {f['zone']}")
        sets = [s for s in r53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
                if s["Name"] == record and s["Type"] == "A"]
        by = {s.get("Failover"): s for s in sets}
        _ok(set(by) == {"PRIMARY", "SECONDARY"}, f"{record}: failover records {sorted(map(str, by))}")
        lb_dns = _param(ssm, f"{prefix}/load-balancer/{f['primary_load_balancer']}/dns-name")
        p = by["PRIMARY"]
        _ok(p["AliasTarget"]["DNSName"].rstrip(".").lower() == lb_dns.rstrip(".").lower(),
            f"{record} PRIMARY points at {p['AliasTarget']['DNSName']}, not {lb_dns}")
        hc_id = p.get("HealthCheckId")
        _ok(hc_id and hc_id == _param(ssm, f"{prefix}/route53/{f['name']}/health-check-id"), f"{record} PRIMARY has no (or another) health check")
        hc = r53.get_health_check(HealthCheckId=hc_id)["HealthCheck"]["HealthCheckConfig"]
        _ok(hc["Type"] == "HTTPS" and hc.get("Port") == 443, f"health check {hc_id}: {hc['Type']} port {hc.get('Port')}")
        _ok(hc.get("FullyQualifiedDomainName", "").rstrip(".").lower() == lb_dns.rstrip(".").lower(), f"health check {hc_id} checks {hc.get('FullyQualifiedDomainName')}")
        _ok(hc.get("ResourcePath") == f["health_path"], f"health check {hc_id}: path {hc.get('ResourcePath')}")
        cdn = _param(ssm, f"{prefix}/cloudfront/{f['secondary_distribution']}/domain-name")
        s = by["SECONDARY"]
        _ok(s["AliasTarget"]["DNSName"].rstrip(".").lower() == cdn.rstrip(".").lower(),
            f"{record} SECONDARY points at {s['AliasTarget']['DNSName']}, not the distribution {cdn}")
    return len(res.get("dns_failovers", []))


def check(c, env, cat):
    platform, res = _load(cat)
    prefix = _ssm_prefix(platform, env)
    cdns = _distributions(c, env, platform, res, prefix)
    fos = _failovers(c, env, res, prefix)
    return (f"{cdns} CloudFront distribution(s): HTTPS only, {TLS_FLOOR}, certificate and CLOUDFRONT web ACL in "
            f"{platform['global_region']}, origin behind an access identity; {fos} DNS failover(s): PRIMARY to the ALB "
            f"with an HTTPS health check, SECONDARY to CloudFront")
