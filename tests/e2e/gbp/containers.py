"""Seed 002's compute stack (MOD-232) on the emulator: the Fargate cluster and its capacity
providers, the task definitions and services as the catalogue declares them, their Application
Auto Scaling, and the App Mesh (egress filter, virtual nodes, routes' retry policies).

Called by tests/e2e/35-live-global-platform.sh when MODULES were applied: check(c, env, cat), where
c("ecs") is a boto3 client on the emulator, env the environment ("local") and cat the catalogue
copy (a pathlib.Path). Every expected value is read from the catalogue.
"""
import json

import yaml

MODULES = ["MOD-201", "MOD-205", "MOD-232"]


def _ok(cond, msg):
    if not cond:
        raise AssertionError(msg)


def _load(cat):
    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    module = yaml.safe_load((cat / "modules/MOD-232.yaml").read_text())
    return platform, module["resources"]


def _ssm_prefix(platform, env):
    return platform["ssm_convention"].split("/{service}")[0].replace("{env}", env)


def _param(ssm, path):
    try:
        return ssm.get_parameter(Name=path)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        raise AssertionError(f"SSM contract {path} does not exist")


def _clusters(c, env, res):
    ecs = c("ecs")
    for k in res.get("ecs_clusters", []):
        name = f"{k['name']}-{env}"
        got = ecs.describe_clusters(clusters=[name], include=["SETTINGS"])["clusters"]
        _ok(len(got) == 1 and got[0]["status"] == "ACTIVE", f"ECS cluster {name}: {got}")
        cl = got[0]
        providers = set(cl.get("capacityProviders", []))
        _ok({"FARGATE", "FARGATE_SPOT"} <= providers, f"cluster {name}: capacity providers {sorted(providers)}")
        strategy = {s["capacityProvider"]: s for s in cl.get("defaultCapacityProviderStrategy", [])}
        cap = k["capacity"]
        _ok(strategy.get("FARGATE", {}).get("base", 0) == cap["fargate_base"]
            and strategy.get("FARGATE", {}).get("weight") == cap["fargate_weight"],
            f"cluster {name}: FARGATE strategy {strategy.get('FARGATE')}, the catalogue says {cap}")
        _ok(strategy.get("FARGATE_SPOT", {}).get("weight") == cap["spot_weight"],
            f"cluster {name}: FARGATE_SPOT strategy {strategy.get('FARGATE_SPOT')}, the catalogue says {cap}")
        settings = {s["name"]: s["value"] for s in cl.get("settings", [])}
        _ok(settings.get("containerInsights") == "enabled", f"cluster {name}: settings {settings}")
    return len(res.get("ecs_clusters", []))


def _unserved(platform, env):
    """The kinds this environment's emulator cannot serve (platform.yaml: emulator.unserved_kinds)."""
    for e in platform["environments"]:
        if e["name"] == env:
            return set((e.get("emulator") or {}).get("unserved_kinds", []))
    return set()


def _services(c, env, res, prefix, meshed, emulated):
    ecs, ssm, aas = c("ecs"), c("ssm"), c("application-autoscaling")
    n = 0
    for s in res.get("container_services", []):
        n += 1
        name = f"{s['name']}-{env}"
        cluster = f"{s['cluster']}-{env}"
        td = ecs.describe_task_definition(taskDefinition=name)["taskDefinition"]
        _ok(td.get("networkMode") == "awsvpc", f"task definition {name}: network mode {td.get('networkMode')}")
        _ok("FARGATE" in td.get("requiresCompatibilities", []), f"task definition {name}: {td.get('requiresCompatibilities')}")
        _ok(str(td.get("cpu")) == str(s["cpu"]) and str(td.get("memory")) == str(s["memory"]),
            f"task definition {name}: {td.get('cpu')} CPU / {td.get('memory')} MiB, the catalogue says {s['cpu']} / {s['memory']}")
        _ok(td.get("executionRoleArn") and td.get("taskRoleArn") and td["executionRoleArn"] != td["taskRoleArn"],
            f"task definition {name}: execution role {td.get('executionRoleArn')}, task role {td.get('taskRoleArn')}")
        proxy = td.get("proxyConfiguration") or {}
        containers = {x["name"]: x for x in td["containerDefinitions"]}
        if meshed:
            _ok(proxy.get("type") == "APPMESH" and proxy.get("containerName") == "envoy",
                f"task definition {name}: proxy configuration {proxy}")
            _ok(set(containers) == {"app", "envoy"}, f"task definition {name}: containers {sorted(containers)}")
        else:  # the emulator serves no App Mesh: the task runs without the sidecar
            _ok(not proxy and set(containers) == {"app"}, f"task definition {name}: containers {sorted(containers)}, proxy {proxy}")
        for cname, x in containers.items():
            where = f"task definition {name}, container {cname}"
            _ok(x.get("readonlyRootFilesystem") is True, f"{where}: root filesystem is writable")
            _ok(not x.get("privileged"), f"{where}: privileged")
            _ok(x.get("user") not in (None, "", "0", "root"), f"{where}: user {x.get('user')}")
            lc = x.get("logConfiguration") or {}
            _ok(lc.get("logDriver") == "awslogs" and lc.get("options", {}).get("awslogs-group") == f"/ecs/{name}",
                f"{where}: log configuration {lc}")
            _ok(x.get("healthCheck", {}).get("command"), f"{where}: no health check")
        app = containers["app"]
        _ok(app.get("user") == s["user"], f"task definition {name}: app user {app.get('user')}, the catalogue says {s['user']}")
        ports = [p.get("containerPort") for p in app.get("portMappings", [])]
        _ok(ports == [s["port"]], f"task definition {name}: app ports {ports}, the catalogue says {s['port']}")

        got = ecs.describe_services(cluster=cluster, services=[name])["services"]
        _ok(len(got) == 1, f"ECS service {name} not found in {cluster}")
        svc = got[0]
        _ok(svc["desiredCount"] == s["desired_count"], f"service {name}: desired count {svc['desiredCount']}, the catalogue says {s['desired_count']}")
        vpc = svc.get("networkConfiguration", {}).get("awsvpcConfiguration", {})
        subnets = _param(ssm, f"{prefix}/network/{s['network']}/private_subnet_ids").split(",")
        sg = _param(ssm, f"{prefix}/network/{s['network']}/sg/app")
        _ok(sorted(vpc.get("subnets", [])) == sorted(subnets), f"service {name}: subnets {vpc.get('subnets')}, the private subnets are {subnets}")
        _ok(vpc.get("securityGroups") == [sg], f"service {name}: security groups {vpc.get('securityGroups')}, not the app group {sg}")
        _ok(vpc.get("assignPublicIp") == "DISABLED", f"service {name}: assignPublicIp {vpc.get('assignPublicIp')}")
        strategy = [x["capacityProvider"] for x in svc.get("capacityProviderStrategy", [])]
        # moto's CreateService drops capacityProviderStrategy (README: what the emulator cannot serve).
        _ok(strategy in (["FARGATE"], []), f"service {name}: capacity provider strategy {strategy}")

        rid = f"service/{cluster}/{name}"
        targets = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])["ScalableTargets"]
        _ok(len(targets) == 1, f"no scalable target {rid}")
        t, sc = targets[0], s["scaling"]
        _ok((t["MinCapacity"], t["MaxCapacity"]) == (sc["min"], sc["max"]),
            f"{rid}: scales {t['MinCapacity']}-{t['MaxCapacity']}, the catalogue says {sc['min']}-{sc['max']}")
        policies = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=rid)["ScalingPolicies"]
        by_metric = {
            p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]:
                p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
            for p in policies if p.get("PolicyType") == "TargetTrackingScaling"
        }
        want = {"ECSServiceAverageCPUUtilization": sc["cpu_target"]}
        if not emulated:  # the emulator gets the CPU policy only (README: what the emulator cannot serve)
            want["ECSServiceAverageMemoryUtilization"] = sc["memory_target"]
        _ok(by_metric == {k: float(v) for k, v in want.items()}, f"{rid}: target tracking {by_metric}, the catalogue says {want}")
    return n


def _meshes(c, env, res):
    am = c("appmesh")
    nodes = 0
    for m in res.get("service_meshes", []):
        mesh = f"{m['name']}-{env}"
        d = am.describe_mesh(meshName=mesh)["mesh"]
        egress = d.get("spec", {}).get("egressFilter", {}).get("type")
        _ok(egress == "DROP_ALL", f"mesh {mesh}: egress filter {egress}")
        listed = {v["virtualNodeName"] for v in am.list_virtual_nodes(meshName=mesh)["virtualNodes"]}
        for nd in m["nodes"]:
            nodes += 1
            _ok(nd["name"] in listed, f"mesh {mesh}: no virtual node {nd['name']} (has {sorted(listed)})")
            vn = am.describe_virtual_node(meshName=mesh, virtualNodeName=nd["name"])["virtualNode"]["spec"]
            host = f"{nd['name']}.{m['domain']}"
            _ok(vn.get("serviceDiscovery", {}).get("dns", {}).get("hostname") == host, f"node {nd['name']}: service discovery {vn.get('serviceDiscovery')}")
            listener = vn["listeners"][0]
            _ok(listener["portMapping"]["port"] == nd["port"], f"node {nd['name']}: listener {listener['portMapping']}")
            _ok(listener.get("healthCheck", {}).get("path") == nd["health_path"], f"node {nd['name']}: health check {listener.get('healthCheck')}")
            backends = sorted(b["virtualService"]["virtualServiceName"] for b in vn.get("backends", []))
            _ok(backends == sorted(f"{b}.{m['domain']}" for b in nd.get("backends", [])), f"node {nd['name']}: backends {backends}")
            route = am.describe_route(meshName=mesh, virtualRouterName=f"{nd['name']}-router", routeName=f"{nd['name']}-route")["route"]
            retry = route["spec"]["httpRoute"].get("retryPolicy") or {}
            want = nd["retry"]
            _ok(retry.get("maxRetries") == want["max_retries"], f"route {nd['name']}-route: retries {retry.get('maxRetries')}, the catalogue says {want['max_retries']}")
            _ok(sorted(retry.get("httpRetryEvents", [])) == sorted(want["http_events"]), f"route {nd['name']}-route: retry events {retry.get('httpRetryEvents')}")
            _ok(retry.get("perRetryTimeout") == {"unit": "ms", "value": want["per_retry_timeout_ms"]}, f"route {nd['name']}-route: per-retry timeout {retry.get('perRetryTimeout')}")
            vs = am.describe_virtual_service(meshName=mesh, virtualServiceName=host)["virtualService"]["spec"]
            _ok(vs["provider"]["virtualRouter"]["virtualRouterName"] == f"{nd['name']}-router", f"virtual service {host}: provider {vs['provider']}")
    return nodes


def check(c, env, cat):
    platform, res = _load(cat)
    prefix = _ssm_prefix(platform, env)
    meshed = "service_meshes" not in _unserved(platform, env)
    clusters = _clusters(c, env, res)
    emulated = any(e["name"] == env and e.get("emulator") for e in platform["environments"])
    services = _services(c, env, res, prefix, meshed, emulated)
    mesh = f"{_meshes(c, env, res)} mesh nodes with routes' retry policies" if meshed else "App Mesh not served by the emulator (unserved_kinds)"
    return f"{clusters} ECS cluster(s) with FARGATE/FARGATE_SPOT, {services} services (task definitions, network, autoscaling); {mesh}"
