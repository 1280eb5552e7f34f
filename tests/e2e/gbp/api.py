"""Seed 002's API stack (MOD-233) on the emulator: the load balancer (HTTPS with a TLS 1.3/1.2
policy, HTTP only redirecting, invalid headers dropped, access logs, the target groups and their
SSM contracts, the web ACL) and the REST API (Cognito authorizer on every method, request
validation, the stage's access logs, X-Ray, method settings, the usage plan, the web ACL).

Called by tests/e2e/35-live-global-platform.sh when MODULES were applied: check(c, env, cat), where
c("elbv2") is a boto3 client on the emulator, env the environment ("local") and cat the catalogue
copy (a pathlib.Path). Every expected value is read from the catalogue.
"""
import yaml

MODULES = ["MOD-201", "MOD-203", "MOD-205", "MOD-233"]

# src/kinds/load_balancer.rs: the listener's policy unless the entry names another.
DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def _ok(cond, msg):
    if not cond:
        raise AssertionError(msg)


def _load(cat):
    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    module = yaml.safe_load((cat / "modules/MOD-233.yaml").read_text())
    return platform, module["resources"]


def _ssm_prefix(platform, env):
    return platform["ssm_convention"].split("/{service}")[0].replace("{env}", env)


def _param(ssm, path):
    try:
        return ssm.get_parameter(Name=path)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        raise AssertionError(f"SSM contract {path} does not exist")


def _web_acl_name(c, arn):
    try:
        acl = c("wafv2").get_web_acl_for_resource(ResourceArn=arn).get("WebACL")
    except Exception as e:  # noqa: BLE001 - the message says which call failed
        raise AssertionError(f"GetWebACLForResource({arn}) failed: {e}")
    _ok(acl is not None, f"{arn} has no web ACL")
    return acl["Name"]


def _load_balancers(c, env, res, prefix):
    elb, ssm = c("elbv2"), c("ssm")
    for lb in res.get("load_balancers", []):
        name = f"{lb['name']}-{env}"
        d = elb.describe_load_balancers(Names=[name])["LoadBalancers"][0]
        arn = d["LoadBalancerArn"]
        # The provider sends no Scheme for `internal = false` (AWS's default is internet-facing);
        # moto then keeps none.
        _ok(d.get("Scheme", "internet-facing") == "internet-facing", f"{name}: scheme {d.get('Scheme')}")
        _ok(d["Type"] == "application", f"{name}: type {d['Type']}")
        attrs = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
        _ok(attrs.get("routing.http.drop_invalid_header_fields.enabled") == "true",
            f"{name}: drop_invalid_header_fields is {attrs.get('routing.http.drop_invalid_header_fields.enabled')}")
        _ok(attrs.get("access_logs.s3.enabled") == "true", f"{name}: access logs are off")
        logs = lb["access_logs"]
        _ok(attrs.get("access_logs.s3.bucket") == f"{logs['bucket']}-{env}",
            f"{name}: access logs go to {attrs.get('access_logs.s3.bucket')}, the catalogue says {logs['bucket']}-{env}")
        _ok(attrs.get("access_logs.s3.prefix") == logs["prefix"], f"{name}: access log prefix {attrs.get('access_logs.s3.prefix')}")
        listeners = {x["Port"]: x for x in elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]}
        https = listeners.get(443)
        _ok(https is not None and https["Protocol"] == "HTTPS", f"{name}: no HTTPS listener on 443")
        want = lb.get("tls_policy", DEFAULT_TLS_POLICY)
        _ok(https.get("SslPolicy") == want, f"{name}: TLS policy {https.get('SslPolicy')}, not {want}")
        _ok(https.get("Certificates"), f"{name}: the HTTPS listener has no certificate")
        http = listeners.get(80)
        _ok(http is not None, f"{name}: no HTTP listener on 80")
        acts = http["DefaultActions"]
        _ok(len(acts) == 1 and acts[0]["Type"] == "redirect" and acts[0]["RedirectConfig"]["Protocol"] == "HTTPS",
            f"{name}: the HTTP listener does not only redirect to HTTPS: {acts}")
        _ok({x["Port"] for x in listeners.values()} == {80, 443}, f"{name}: listeners on {sorted(listeners)}")
        _ok(_param(ssm, f"{prefix}/load-balancer/{lb['name']}/arn") == arn, f"load-balancer/{lb['name']}/arn is not the ALB's ARN")
        _ok(_param(ssm, f"{prefix}/load-balancer/{lb['name']}/dns-name") == d["DNSName"], f"load-balancer/{lb['name']}/dns-name")
        _ok(_param(ssm, f"{prefix}/load-balancer/{lb['name']}/zone-id") == d["CanonicalHostedZoneId"], f"load-balancer/{lb['name']}/zone-id")
        groups = {g["TargetGroupName"]: g for g in elb.describe_target_groups(LoadBalancerArn=arn)["TargetGroups"]}
        for tg in lb["target_groups"]:
            tname = f"{tg['name']}-{env}"
            g = groups.get(tname)
            _ok(g is not None, f"{name}: no target group {tname} behind it (has {sorted(groups)})")
            _ok(g["TargetType"] == "ip", f"{tname}: target type {g['TargetType']}")
            _ok(g["Port"] == tg["port"], f"{tname}: port {g['Port']}, the catalogue says {tg['port']}")
            _ok(g["HealthCheckPath"] == tg["health_path"], f"{tname}: health check path {g['HealthCheckPath']}")
            ga = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(TargetGroupArn=g["TargetGroupArn"])["Attributes"]}
            delay = str(tg.get("deregistration_delay_seconds", 30))
            _ok(ga.get("deregistration_delay.timeout_seconds") == delay,
                f"{tname}: deregistration delay {ga.get('deregistration_delay.timeout_seconds')}, not {delay}")
            path = f"{prefix}/load-balancer/{lb['name']}/target-groups/{tg['name']}/arn"
            _ok(_param(ssm, path) == g["TargetGroupArn"], f"{path} is not {tname}'s ARN")
        _ok(_web_acl_name(c, arn) == f"{lb['web_acl']}-{env}", f"{name}: not behind the {lb['web_acl']} web ACL")
    return len(res.get("load_balancers", []))


def _rest_apis(c, env, res, prefix):
    api, ssm, logs = c("apigateway"), c("ssm"), c("logs")
    methods = 0
    for x in res.get("rest_apis", []):
        name = f"{x['name']}-{env}"
        apis = [a for a in api.get_rest_apis(limit=500)["items"] if a["name"] == name]
        _ok(len(apis) == 1, f"{len(apis)} REST APIs named {name}")
        rid = apis[0]["id"]
        _ok(_param(ssm, f"{prefix}/apigateway/{x['name']}/id") == rid, f"apigateway/{x['name']}/id is not {rid}")
        pool = _param(ssm, f"{prefix}/cognito/{x['user_pool']}/arn")
        auths = api.get_authorizers(restApiId=rid)["items"]
        _ok(len(auths) == 1 and auths[0]["type"] == "COGNITO_USER_POOLS", f"{name}: authorizers {auths}")
        _ok(auths[0].get("providerARNs") == [pool], f"{name}: the authorizer trusts {auths[0].get('providerARNs')}, not {pool}")
        validators = api.get_request_validators(restApiId=rid)["items"]
        _ok(any(v.get("validateRequestBody") and v.get("validateRequestParameters") for v in validators),
            f"{name}: no validator of body and parameters: {validators}")
        resources = {r.get("pathPart"): r for r in api.get_resources(restApiId=rid, limit=500)["items"]}
        for rt in x["routes"]:
            r = resources.get(rt["path"])
            _ok(r is not None, f"{name}: no resource /{rt['path']}")
            have = set(r.get("resourceMethods", {}))
            _ok(have == set(rt["methods"]), f"{name} /{rt['path']}: methods {sorted(have)}, the catalogue says {rt['methods']}")
            for meth in rt["methods"]:
                m = api.get_method(restApiId=rid, resourceId=r["id"], httpMethod=meth)
                _ok(m["authorizationType"] == "COGNITO_USER_POOLS", f"{name} {meth} /{rt['path']}: authorization {m['authorizationType']}")
                _ok(m.get("authorizerId") == auths[0]["id"], f"{name} {meth} /{rt['path']}: authorizer {m.get('authorizerId')}")
                _ok(m.get("apiKeyRequired") is True, f"{name} {meth} /{rt['path']}: no API key required")
                _ok(m["methodIntegration"]["type"] == "HTTP_PROXY", f"{name} {meth} /{rt['path']}: integration {m['methodIntegration']['type']}")
                methods += 1
        stage = api.get_stage(restApiId=rid, stageName=x["stage"])
        _ok(stage.get("tracingEnabled") is True, f"{name} stage {x['stage']}: X-Ray tracing is off")
        dest = stage.get("accessLogSettings", {}).get("destinationArn", "")
        group = f"/aws/apigateway/{name}"
        _ok(dest.rstrip(":*").endswith(group), f"{name} stage {x['stage']}: access logs go to {dest!r}, not {group}")
        lg = [g for g in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] if g["logGroupName"] == group]
        _ok(lg and lg[0].get("kmsKeyId") == _param(ssm, f"{prefix}/kms/{x['classification']}/arn"),
            f"log group {group} is not encrypted with the {x['classification']} CMK")
        _ok(lg[0].get("retentionInDays") == x["log_retention_days"], f"log group {group}: retention {lg[0].get('retentionInDays')}")
        settings = stage.get("methodSettings", {}).get("*/*", {})
        _ok(settings.get("metricsEnabled") is True, f"{name} stage {x['stage']}: method metrics off ({settings})")
        _ok(settings.get("loggingLevel") == "INFO", f"{name} stage {x['stage']}: logging level {settings.get('loggingLevel')}")
        _ok(settings.get("throttlingRateLimit") == x["throttle"]["rate_limit"]
            and settings.get("throttlingBurstLimit") == x["throttle"]["burst_limit"],
            f"{name} stage {x['stage']}: throttling {settings.get('throttlingRateLimit')}/{settings.get('throttlingBurstLimit')}")
        plans = [p for p in api.get_usage_plans()["items"] if p["name"] == name]
        _ok(len(plans) == 1, f"{len(plans)} usage plans named {name}")
        _ok({"apiId": rid, "stage": x["stage"]} in [{k: s[k] for k in ("apiId", "stage")} for s in plans[0].get("apiStages", [])],
            f"usage plan {name} does not cover {rid}/{x['stage']}")
        _ok(plans[0].get("quota", {}).get("limit") == x["quota_per_day"], f"usage plan {name}: quota {plans[0].get('quota')}")
        _ok(api.get_usage_plan_keys(usagePlanId=plans[0]["id"])["items"], f"usage plan {name} has no API key")
        stage_arn = _param(ssm, f"{prefix}/apigateway/{x['name']}/stage/arn")
        _ok(stage_arn.endswith(f"/restapis/{rid}/stages/{x['stage']}"), f"apigateway/{x['name']}/stage/arn is {stage_arn}")
        _ok(_web_acl_name(c, stage_arn) == f"{x['web_acl']}-{env}", f"{name}: the stage is not behind the {x['web_acl']} web ACL")
    return len(res.get("rest_apis", [])), methods


def check(c, env, cat):
    platform, res = _load(cat)
    prefix = _ssm_prefix(platform, env)
    lbs = _load_balancers(c, env, res, prefix)
    apis, methods = _rest_apis(c, env, res, prefix)
    return (f"{lbs} ALB(s): HTTPS with the catalogued TLS policy, HTTP only redirecting, invalid headers dropped, "
            f"access logs, ip target groups and their contracts, web ACL; {apis} REST API(s): {methods} method(s) "
            f"with the Cognito authorizer and an API key, validators, stage with X-Ray, KMS-encrypted access logs, "
            f"method settings, usage plan, web ACL")
