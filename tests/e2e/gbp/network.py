"""The network stack (seed 002) against the emulator: the VPC of every `networks:` entry with its
zones' public and private subnets, the internet gateway, the NAT gateways and the routes through
them, flow logs of ALL traffic into the KMS-encrypted log group (with a role that may write only
there), the security groups per tier (the load balancer's open on 443 only, the application's
reachable from the load balancer only, the data stores' from the application only), the emptied
default group, the network ACLs, the endpoints (Gateway for s3/dynamodb, Interface for the others)
and the Transit Gateway attachment, and the SSM contract other stacks import. An entry with
`region: dr` is looked for in the platform's dr_region (its flow logs under the classification's DR
key), its contract in the primary region; a `peer:` entry's Transit Gateway peering is `available`
between the two regions, with each side's static route and the private route tables' routes to the
Transit Gateway for the other VPC's CIDR. Expected values come from the catalogue."""
import json
import yaml

MODULES = ["MOD-201", "MOD-205"]
HTTPS = 443
ANYWHERE = "0.0.0.0/0"


def check(c, env, cat):
    n = 0

    def ok(cond, what):
        nonlocal n
        assert cond, f"network: {what}"
        n += 1

    platform = yaml.safe_load((cat / "platform.yaml").read_text())
    primary = platform["region"]
    prefix = platform["name_prefix"]
    root = platform["ssm_convention"].split("{env}")[0] + env
    spec = yaml.safe_load((cat / "modules" / "MOD-205.yaml").read_text())["resources"]["networks"]
    ssm, iam = c("ssm"), c("iam")
    region_of = {n["name"]: platform["dr_region"] if n.get("region") == "dr" else primary for n in spec}
    tgw_of, tables_of = {}, {}
    params = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=root, Recursive=True):
        params.update({p["Name"]: p["Value"] for p in page["Parameters"]})

    for net in spec:
        name = net["name"]
        base = f"{root}/network/{name}"
        region = region_of[name]
        ec2, logs = c("ec2", region), c("logs", region)

        def param(path):
            v = params.get(f"{base}/{path}")
            ok(v, f"SSM {base}/{path} exported")
            return v

        # ------------------------------------------------------------ VPC, subnets, gateways, routes
        vpc_id = param("vpc_id")
        vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        ok(vpc["CidrBlock"] == net["cidr"], f"{name}: CIDR {net['cidr']}")
        for attr in ("enableDnsSupport", "enableDnsHostnames"):
            got = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attr)
            key = attr[0].upper() + attr[1:]
            ok(got[key]["Value"], f"{name}: {attr}")
        ok(param("cidr_block") == net["cidr"], f"{name}: SSM cidr_block")
        want_azs = {f"{region}{letter}" for letter in "abcdef"[: net["azs"]]}
        subnets = {s["SubnetId"]: s for s in
                   ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]}
        tiers = {}
        for tier in ("public", "private"):
            ids = param(f"{tier}_subnet_ids").split(",")
            ok(len(ids) == net["azs"] and all(i in subnets for i in ids), f"{name}: {net['azs']} {tier} subnets")
            ok({subnets[i]["AvailabilityZone"] for i in ids} == want_azs, f"{name}: {tier} subnets in {sorted(want_azs)}")
            ok(not any(subnets[i]["MapPublicIpOnLaunch"] for i in ids), f"{name}: no public IP on launch ({tier})")
            tiers[tier] = ids

        igws = ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"]
        ok(len(igws) == 1, f"{name}: one internet gateway attached")
        igw = igws[0]["InternetGatewayId"]

        nats = [g for g in ec2.describe_nat_gateways(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"] if g["State"] != "deleted"]
        want_nats = 1 if net.get("nat") == "single" else net["azs"]
        ok(len(nats) == want_nats, f"{name}: {want_nats} NAT gateway(s), got {len(nats)}")
        ok(all(g["SubnetId"] in tiers["public"] for g in nats), f"{name}: NAT gateways in public subnets")
        ok(all(g["NatGatewayAddresses"] and g["NatGatewayAddresses"][0].get("AllocationId") for g in nats),
           f"{name}: NAT gateways have an EIP")
        nat_ids = {g["NatGatewayId"] for g in nats}

        tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
        table_of = {a["SubnetId"]: t for t in tables for a in t.get("Associations", []) if a.get("SubnetId")}

        def default_route(subnet):
            t = table_of.get(subnet)
            routes = [r for r in (t or {}).get("Routes", []) if r.get("DestinationCidrBlock") == ANYWHERE]
            return routes[0] if routes else {}

        ok(all(default_route(s).get("GatewayId") == igw for s in tiers["public"]),
           f"{name}: public subnets route 0.0.0.0/0 to the internet gateway")
        ok(all(default_route(s).get("NatGatewayId") in nat_ids for s in tiers["private"]),
           f"{name}: private subnets route 0.0.0.0/0 to a NAT gateway (no direct internet access)")
        private_tables = {table_of[s]["RouteTableId"] for s in tiers["private"]}

        # ------------------------------------------------------------ flow logs
        key_path = f"kms/{net['classification']}/{'dr-arn' if net.get('region') == 'dr' else 'arn'}"
        key_arn = params.get(f"{root}/{key_path}")
        ok(key_arn, f"SSM {key_path} (MOD-201)")
        ok(key_arn.split(":")[3] == region, f"{name}: flow log key {key_arn} is in {region}")
        group_name = f"/{prefix}/{env}/network/{name}/flow-logs"
        groups = [g for g in logs.describe_log_groups(logGroupNamePrefix=group_name)["logGroups"]
                  if g["logGroupName"] == group_name]
        ok(groups, f"{name}: log group {group_name}")
        ok(groups[0].get("retentionInDays") == net["flow_log_retention_days"],
           f"{name}: flow logs kept {net['flow_log_retention_days']} days")
        ok(groups[0].get("kmsKeyId") == key_arn, f"{name}: flow log group encrypted with the {net['classification']} key")
        flows = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
        ok(len(flows) == 1, f"{name}: one flow log on the VPC, got {len(flows)}")
        fl = flows[0]
        ok(fl["TrafficType"] == "ALL", f"{name}: flow log captures ALL traffic")
        ok(fl.get("FlowLogStatus") == "ACTIVE", f"{name}: flow log ACTIVE")
        # The group is named by its ARN (log_destination), so moto 5.2.5 leaves LogGroupName empty
        # (and, looking the group up by that empty name, reports DeliverLogsStatus FAILED).
        dest = fl.get("LogDestination") or ""
        ok(fl.get("LogDestinationType") == "cloud-watch-logs"
           and (fl.get("LogGroupName") == group_name or dest.removesuffix(":*").endswith(f":log-group:{group_name}")),
           f"{name}: flow log delivers to {group_name}")
        role_name = fl["DeliverLogsPermissionArn"].split("/")[-1]
        ok(role_name == f"{name}-flow-logs-{env}", f"{name}: flow log role {role_name}")
        trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        ok([s["Principal"]["Service"] for s in trust["Statement"]] == ["vpc-flow-logs.amazonaws.com"],
           f"{name}: only VPC flow logs assume the role")
        statements = []
        for p in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
            doc = iam.get_role_policy(RoleName=role_name, PolicyName=p)["PolicyDocument"]
            doc = json.loads(doc) if isinstance(doc, str) else doc
            statements += doc["Statement"]
        group_arn = groups[0]["arn"].removesuffix(":*")
        ok(statements and all(
            all(a.startswith("logs:") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
            and all(r.startswith(group_arn) for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"]))
            for s in statements), f"{name}: the role writes to its log group only")

        # ------------------------------------------------------------ security groups
        sg = {t: param(f"sg/{t}") for t in ("alb", "app", "data")}
        groups = {g["GroupId"]: g for g in ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]}
        ok(all(i in groups for i in sg.values()), f"{name}: tier groups in the VPC")

        def perms(group_id, direction):
            out = set()
            for p in groups[group_id].get(direction, []):
                port = (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"))
                out |= {port + ("cidr", r["CidrIp"]) for r in p.get("IpRanges", [])}
                out |= {port + ("cidr6", r["CidrIpv6"]) for r in p.get("Ipv6Ranges", [])}
                out |= {port + ("sg", r["GroupId"]) for r in p.get("UserIdGroupPairs", [])}
            return out

        app, data = net["app_port"], net["data_ports"]
        ok(perms(sg["alb"], "IpPermissions") == {("tcp", HTTPS, HTTPS, "cidr", ANYWHERE)},
           f"{name}: alb ingress is 443 from anywhere only: {perms(sg['alb'], 'IpPermissions')}")
        ok(perms(sg["alb"], "IpPermissionsEgress") == {("tcp", app, app, "sg", sg["app"])},
           f"{name}: alb egress only to the app tier")
        ok(perms(sg["app"], "IpPermissions") == {("tcp", app, app, "sg", sg["alb"])},
           f"{name}: app ingress only from the alb tier on {app}: {perms(sg['app'], 'IpPermissions')}")
        ok(perms(sg["app"], "IpPermissionsEgress")
           == {("tcp", p, p, "sg", sg["data"]) for p in data} | {("tcp", HTTPS, HTTPS, "cidr", ANYWHERE)},
           f"{name}: app egress to the data tier and HTTPS: {perms(sg['app'], 'IpPermissionsEgress')}")
        ok(perms(sg["data"], "IpPermissions") == {("tcp", p, p, "sg", sg["app"]) for p in data},
           f"{name}: data ingress only from the app tier on {data}: {perms(sg['data'], 'IpPermissions')}")
        ok(perms(sg["data"], "IpPermissionsEgress") == set(), f"{name}: data tier has no egress")
        default = [g for g in groups.values() if g["GroupName"] == "default"]
        ok(len(default) == 1 and not perms(default[0]["GroupId"], "IpPermissions")
           and not perms(default[0]["GroupId"], "IpPermissionsEgress"), f"{name}: default group has no rules")

        # ------------------------------------------------------------ network ACLs
        acls = [a for a in ec2.describe_network_acls(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"] if not a["IsDefault"]]
        for tier, ids in tiers.items():
            acl = [a for a in acls if {x["SubnetId"] for x in a["Associations"]} == set(ids)]
            ok(len(acl) == 1, f"{name}: one network ACL on the {tier} subnets")
            entries = acl[0]["Entries"]
            ok(any(not e["Egress"] and e["RuleAction"] == "deny" and e.get("PortRange", {}).get("From") == 3389
                   and e.get("CidrBlock") == ANYWHERE for e in entries), f"{name}: {tier} ACL denies RDP from anywhere")
            opened = {(e.get("PortRange") or {}).get("From") for e in entries
                      if not e["Egress"] and e["RuleAction"] == "allow" and e.get("CidrBlock") == ANYWHERE}
            ok(opened == ({HTTPS, 1024} if tier == "public" else {1024}),
               f"{name}: {tier} ACL admits from anywhere only {opened}")

        # ------------------------------------------------------------ endpoints
        eps = {e["ServiceName"]: e for e in ec2.describe_vpc_endpoints(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]}
        for svc in net.get("gateway_endpoints", []):
            e = eps.get(f"com.amazonaws.{region}.{svc}")
            ok(e is not None and e["VpcEndpointType"] == "Gateway", f"{name}: {svc} gateway endpoint")
            ok(set(e.get("RouteTableIds", [])) == private_tables, f"{name}: {svc} endpoint on the private route tables")
        for svc in net.get("interface_endpoints", []):
            e = eps.get(f"com.amazonaws.{region}.{svc}")
            ok(e is not None and e["VpcEndpointType"] == "Interface", f"{name}: {svc} interface endpoint")
            ok(e.get("PrivateDnsEnabled") is True, f"{name}: {svc} endpoint private DNS")
            ok(set(e.get("SubnetIds", [])) == set(tiers["private"]), f"{name}: {svc} endpoint in the private subnets")
            ep_groups = [g["GroupId"] for g in e.get("Groups", [])]
            ok(len(ep_groups) == 1 and perms(ep_groups[0], "IpPermissions") == {("tcp", HTTPS, HTTPS, "cidr", net["cidr"])},
               f"{name}: {svc} endpoint group admits 443 from the VPC only")

        # ------------------------------------------------------------ transit gateway
        if net.get("transit_gateway"):
            tgw_id = param("transit_gateway_id")
            tgw = ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]
            ok(tgw["State"] == "available", f"{name}: Transit Gateway {tgw_id} available in {region}")
            tgw_of[name], tables_of[name] = tgw, private_tables
            ok(tgw["Options"].get("AutoAcceptSharedAttachments") == "disable",
               f"{name}: Transit Gateway does not auto-accept attachments")
            att = [a for a in ec2.describe_transit_gateway_vpc_attachments(
                Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["TransitGatewayVpcAttachments"]
                   if a["State"] not in ("deleted", "deleting")]
            ok(len(att) == 1 and att[0]["TransitGatewayId"] == tgw_id, f"{name}: VPC attached to the Transit Gateway")
            ok(set(att[0]["SubnetIds"]) == set(tiers["private"]), f"{name}: attachment in the private subnets")
    # ---------------------------------------------------------------- Transit Gateway peering
    peered = 0
    for net in spec:
        if not net.get("peer"):
            continue
        name, peer = net["name"], net["peer"]
        cidr = {name: net["cidr"], peer: next(p["cidr"] for p in spec if p["name"] == peer)}
        mine, theirs = tgw_of[name], tgw_of[peer]
        found = []
        for side, other in ((name, peer), (peer, name)):
            ec2 = c("ec2", region_of[side])
            # moto 5.2.5 lists the VPC attachments here too (without the TGW infos): skip those.
            atts = [a for a in ec2.describe_transit_gateway_peering_attachments()["TransitGatewayPeeringAttachments"]
                    if "RequesterTgwInfo" in a
                    and a["RequesterTgwInfo"]["TransitGatewayId"] == mine["TransitGatewayId"]
                    and a["AccepterTgwInfo"]["TransitGatewayId"] == theirs["TransitGatewayId"]
                    and a["State"] not in ("deleted", "deleting")]
            ok(len(atts) == 1, f"{name}→{peer}: one peering attachment seen from {region_of[side]}, got {len(atts)}")
            a = atts[0]
            found.append(a["TransitGatewayAttachmentId"])
            ok(a["State"] == "available", f"{name}→{peer}: peering {a['TransitGatewayAttachmentId']} is {a['State']}, not available")
            ok(a["RequesterTgwInfo"].get("Region") == region_of[name] and a["AccepterTgwInfo"].get("Region") == region_of[peer],
               f"{name}→{peer}: requester in {region_of[name]}, accepter (peer region) in {region_of[peer]}: "
               f"{a['RequesterTgwInfo'].get('Region')} → {a['AccepterTgwInfo'].get('Region')}")
            # The Transit Gateway's route table sends the other VPC's CIDR across the peering.
            table = tgw_of[side]["Options"]["AssociationDefaultRouteTableId"]
            routes = ec2.search_transit_gateway_routes(
                TransitGatewayRouteTableId=table,
                Filters=[{"Name": "type", "Values": ["static"]}])["Routes"]
            route = [r for r in routes if r["DestinationCidrBlock"] == cidr[other]]
            ok(len(route) == 1 and route[0]["State"] == "active", f"{side}: static TGW route for {cidr[other]}: {route}")
            # moto 5.2.5 answers SearchTransitGatewayRoutes without the route's attachments (its model
            # keeps one as a dict where the response has a list); AWS lists the peering attachment.
            via = [att["TransitGatewayAttachmentId"] for att in route[0].get("TransitGatewayAttachments", [])]
            ok(via in ([a["TransitGatewayAttachmentId"]], []),
               f"{side}: TGW route {cidr[other]} via the peering {a['TransitGatewayAttachmentId']}, got {via}")
            # The VPC's private route tables send it to their Transit Gateway.
            rts = ec2.describe_route_tables(RouteTableIds=sorted(tables_of[side]))["RouteTables"]
            ok(all(any(r.get("DestinationCidrBlock") == cidr[other]
                       and r.get("TransitGatewayId") == tgw_of[side]["TransitGatewayId"] for r in t["Routes"])
                   for t in rts), f"{side}: private route tables send {cidr[other]} to the Transit Gateway")
        ok(len(set(found)) == 1, f"{name}→{peer}: both regions see the same attachment: {found}")
        peered += 1
    return (f"{n} checks passed (VPC, {len(spec)} network(s) in {sorted(set(region_of.values()))}: subnets per zone, "
            f"IGW, NAT, routes, flow logs, tier groups, NACLs, endpoints, Transit Gateway; {peered} TGW peering(s))")
