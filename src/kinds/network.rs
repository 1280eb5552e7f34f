//! Networks: seed 002's network stack. One entry is a VPC "with carefully segmented public and
//! private subnets across multiple availability zones", NAT gateways for the private subnets (which
//! have "no direct internet access"), "VPC Flow Logs [that] capture all network traffic" into a
//! KMS-encrypted log group, security groups per tier (the load balancer's, the application's, the
//! data stores'), network ACLs, VPC endpoints ("all inter-service communication occurs over private
//! networks"), and a Transit Gateway "for multi-region connectivity". Its SSM contract
//! (`network/<vpc>/vpc_id`, `…/private_subnet_ids`, `…/public_subnet_ids`, `…/sg/{alb,app,data}`)
//! is what the database and compute stacks import.

use super::guard::{self, AllowReplace};
use super::md::{code, days, esc};
use super::policy::{Stmt, policy};
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
    tpl,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// One entry of a module's `resources: networks:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    pub name: Sp<String>,
    pub purpose: String,
    /// The VPC's IPv4 block, private address space, /16 to /24.
    pub cidr: Sp<String>,
    /// How many availability zones (`{region}a`, `b`, …): one public and one private subnet each.
    pub azs: Sp<u32>,
    /// `per_az` (one NAT gateway per zone, the default) or `single` (one, in the first zone).
    #[serde(default)]
    pub nat: Option<Sp<String>>,
    /// The classification of the flow logs (the key of their log group).
    pub classification: Sp<String>,
    pub flow_log_retention_days: Sp<u32>,
    /// The port the application tier listens on (the load balancer forwards to it).
    pub app_port: Sp<u32>,
    /// The ports of the data stores (the application tier connects to them).
    pub data_ports: Vec<Sp<u32>>,
    /// Gateway endpoints on the private route tables: `s3`, `dynamodb`.
    #[serde(default)]
    pub gateway_endpoints: Vec<Sp<String>>,
    /// Interface endpoints in the private subnets (`secretsmanager`, `kinesis-streams`…).
    #[serde(default)]
    pub interface_endpoints: Vec<Sp<String>>,
    /// `primary` (the platform's region, the default) or `dr` (its `dr_region`: every block of
    /// the entry renders with `provider = aws.dr`; its SSM contract stays in the primary region).
    #[serde(default)]
    pub region: Option<Sp<String>>,
    /// A Transit Gateway with this VPC attached (its private subnets).
    #[serde(default)]
    pub transit_gateway: bool,
    /// Another `networks` entry of the module, in the other region, whose Transit Gateway this
    /// one's peers with (this side requests, the other accepts). Each VPC's private route tables
    /// and each Transit Gateway's route table then send the other VPC's CIDR across the peering.
    #[serde(default)]
    pub peer: Option<Sp<String>>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
}

/// The only services AWS offers as gateway endpoints.
const GATEWAY_SERVICES: &[&str] = &["s3", "dynamodb"];
/// The tiers whose security groups the contract exports, in order.
pub const TIERS: &[&str] = &["alb", "app", "data"];
/// The port the load balancer's tier is open on to the internet (the only open ingress, BGL311).
pub const HTTPS: u32 = 443;

pub struct Kind;
pub const KIND: Kind = Kind;

fn single_nat(x: &Network) -> bool {
    x.nat.as_ref().is_some_and(|n| n.value == "single")
}

/// Whether the entry lives in the platform's DR region (`region: dr`).
pub fn in_dr(x: &Network) -> bool {
    x.region.as_ref().is_some_and(|r| r.value == "dr")
}

/// The entries of `all` whose Transit Gateways peer with `x`'s: the one it names and those that
/// name it, with whether `x` is the requester.
fn peers_of<'r>(x: &Network, all: &'r [Network]) -> Vec<(&'r Network, bool)> {
    all.iter()
        .filter(|o| !std::ptr::eq(*o, x))
        .filter_map(|o| {
            if x.peer.as_ref().is_some_and(|p| p.value == o.name.value) {
                Some((o, true))
            } else if o.peer.as_ref().is_some_and(|p| p.value == x.name.value) {
                Some((o, false))
            } else {
                None
            }
        })
        .collect()
}

/// Whether two IPv4 blocks share an address.
fn overlap(a: (u32, u32), b: (u32, u32)) -> bool {
    let len = a.1.min(b.1);
    len == 0 || a.0 >> (32 - len) == b.0 >> (32 - len)
}

/// `10.20.0.0/16` → (address, prefix length), for a network address only.
pub fn parse_cidr(s: &str) -> Option<(u32, u32)> {
    let (addr, prefix) = s.split_once('/')?;
    let len: u32 = prefix.parse().ok()?;
    let octets: Vec<u32> = addr
        .split('.')
        .map(|o| o.parse::<u8>().ok().map(u32::from))
        .collect::<Option<_>>()?;
    if octets.len() != 4 || len > 32 || len.to_string() != prefix {
        return None;
    }
    let ip = octets.iter().fold(0u32, |a, o| (a << 8) | o);
    let host = if len == 0 {
        u32::MAX
    } else {
        !(u32::MAX << (32 - len))
    };
    (ip & host == 0).then_some((ip, len))
}

fn private_space(ip: u32, len: u32) -> bool {
    [(0x0a00_0000u32, 8u32), (0xac10_0000, 12), (0xc0a8_0000, 16)]
        .iter()
        .any(|&(net, plen)| len >= plen && ip >> (32 - plen) == net >> (32 - plen))
}

fn show(ip: u32, len: u32) -> String {
    format!(
        "{}.{}.{}.{}/{len}",
        ip >> 24,
        (ip >> 16) & 0xff,
        (ip >> 8) & 0xff,
        ip & 0xff
    )
}

/// Terraform's `cidrsubnet(cidr, 4, netnum)`: the VPC is cut in 16; public subnets take the
/// first slots, private subnets the slots from 8 (so up to 8 zones never overlap).
fn subnet(ip: u32, len: u32, netnum: u32) -> String {
    let sub = len + 4;
    show(ip | (netnum << (32 - sub)), sub)
}

const PRIVATE_BASE: u32 = 8;
const MAX_AZS: u32 = 6;
const AZ_LETTERS: &[u8] = b"abcdef";

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "networks"
    }
    fn noun(&self) -> &'static str {
        "network"
    }
    fn family(&self) -> &'static str {
        "network"
    }
    fn template(&self) -> &'static str {
        "network.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::EC2, api::LOGS, api::IAM, api::KMS]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_vpc",
            "aws_subnet",
            "aws_internet_gateway",
            "aws_eip",
            "aws_nat_gateway",
            "aws_route_table",
            "aws_route",
            "aws_route_table_association",
            "aws_network_acl",
            "aws_default_security_group",
            "aws_security_group",
            "aws_security_group_rule",
            "aws_cloudwatch_log_group",
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_flow_log",
            "aws_vpc_endpoint",
            "aws_ec2_transit_gateway",
            "aws_ec2_transit_gateway_vpc_attachment",
            "aws_ec2_transit_gateway_peering_attachment",
            "aws_ec2_transit_gateway_peering_attachment_accepter",
            "aws_ec2_transit_gateway_route",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cloudwatch_log_group"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL310", "BGL311", "BGL504", "BGL505", "BGL201", "BGL801"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.networks.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.networks.iter().map(|x| ("network", &x.name)).collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.networks
            .iter()
            .map(|x| (format!("flow logs of {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        Some(ExportRef {
            word: "vpc",
            resource_type: "aws_vpc",
            label: super::exports::label,
        })
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.networks {
            guard::check_allow(
                x.allow_replace.as_ref(),
                &format!("network `{}`", x.name.value),
                c,
            );
            let what = format!("network `{}`", x.name.value);
            c.name(&x.name, &n.resource);
            c.classification(&x.classification);
            match parse_cidr(&x.cidr.value) {
                Some((ip, len)) if (16..=24).contains(&len) && private_space(ip, len) => {}
                Some(_) => c.err(
                    "BG001",
                    &x.cidr.referenced,
                    format!("{what}: cidr {} is not a private /16 to /24 block", x.cidr.value),
                    "use private address space (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), /16 to /24: the subnets are cut in 16",
                ),
                None => c.err(
                    "BG001",
                    &x.cidr.referenced,
                    format!("{what}: cidr `{}` is not an IPv4 network address", x.cidr.value.escape_debug()),
                    "write it like 10.20.0.0/16 (host bits zero)",
                ),
            }
            if !(2..=MAX_AZS).contains(&x.azs.value) {
                c.err(
                    "BG001",
                    &x.azs.referenced,
                    format!("{what}: azs is {}", x.azs.value),
                    format!("2 to {MAX_AZS} availability zones (seed 002: subnets across multiple availability zones)"),
                );
            }
            if let Some(nat) = &x.nat
                && !matches!(nat.value.as_str(), "per_az" | "single")
            {
                c.err(
                    "BG001",
                    &nat.referenced,
                    format!(
                        "{what}: nat `{}` is not per_az or single",
                        nat.value.escape_debug()
                    ),
                    "per_az: one NAT gateway per zone; single: one in the first zone",
                );
            }
            if x.flow_log_retention_days.value == 0 {
                c.err(
                    "BG001",
                    &x.flow_log_retention_days.referenced,
                    format!("{what}: flow_log_retention_days is 0"),
                    "keep flow logs for a number of days (the log group policy, BGL505, says how many at least)",
                );
            }
            for p in std::iter::once(&x.app_port).chain(&x.data_ports) {
                if p.value == 0
                    || p.value > 65535
                    || p.value == HTTPS && !std::ptr::eq(p, &x.app_port)
                {
                    c.err(
                        "BG001",
                        &p.referenced,
                        format!("{what}: port {} is not a usable tier port", p.value),
                        "a TCP port from 1 to 65535 (443 is the load balancer's)",
                    );
                }
            }
            if x.data_ports.is_empty() {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!("{what} has no data_ports"),
                    "list the ports of the data stores the application tier reaches (3306, 6379…)",
                );
            }
            for e in &x.gateway_endpoints {
                if !GATEWAY_SERVICES.contains(&e.value.as_str()) {
                    c.err(
                        "BG001",
                        &e.referenced,
                        format!("{what}: `{}` has no gateway endpoint", e.value.escape_debug()),
                        "AWS offers gateway endpoints for s3 and dynamodb only; list others under interface_endpoints",
                    );
                }
            }
            for e in &x.interface_endpoints {
                let ok = !e.value.is_empty()
                    && e.value.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                    });
                if !ok {
                    c.err(
                        "BG001",
                        &e.referenced,
                        format!("{what}: `{}` is not an endpoint service name", e.value.escape_debug()),
                        "the service part of com.amazonaws.<region>.<service>, like secretsmanager or kinesis-streams",
                    );
                }
            }
            let all: Vec<&Sp<String>> = x
                .gateway_endpoints
                .iter()
                .chain(&x.interface_endpoints)
                .collect();
            for (i, e) in all.iter().enumerate() {
                if all[..i].iter().any(|o| o.value == e.value) {
                    c.err(
                        "BG001",
                        &e.referenced,
                        format!(
                            "{what}: endpoint `{}` is listed twice",
                            e.value.escape_debug()
                        ),
                        "list each service once",
                    );
                }
            }
            if let Some(region) = &x.region {
                match region.value.as_str() {
                    "primary" => {}
                    "dr" => c.needs_dr_region(&region.referenced, &what),
                    other => c.err(
                        "BG001",
                        &region.referenced,
                        format!(
                            "{what}: region `{}` is not primary or dr",
                            other.escape_debug()
                        ),
                        "primary: the platform's region; dr: its dr_region (platform.yaml)",
                    ),
                }
            }
            if let Some(peer) = &x.peer {
                let other = r.networks.iter().find(|o| o.name.value == peer.value);
                let problem = match other {
                    None => Some((
                        format!("{what} peers with `{}`, which is not a network of this module", peer.value.escape_debug()),
                        "name another `networks` entry of the same module (both Transit Gateways are rendered here)".to_string(),
                    )),
                    Some(o) if std::ptr::eq(o, x) => Some((
                        format!("{what} peers with itself"),
                        "name the network in the other region".to_string(),
                    )),
                    Some(o) if !x.transit_gateway || !o.transit_gateway => Some((
                        format!("{what} peers with `{}`, but both need `transit_gateway: true`", o.name.value),
                        "the peering joins the two VPCs' Transit Gateways".to_string(),
                    )),
                    Some(o) if in_dr(o) == in_dr(x) => Some((
                        format!("{what} peers with `{}` in the same region", o.name.value),
                        "seed 002: the Transit Gateways connect regional VPCs; put one of them in `region: dr`".to_string(),
                    )),
                    Some(o) if o.peer.as_ref().is_some_and(|p| p.value == x.name.value) => Some((
                        format!("{what} and `{}` name each other as peer", o.name.value),
                        "one side requests the peering: name the peer on one entry only".to_string(),
                    )),
                    Some(o) => match (parse_cidr(&x.cidr.value), parse_cidr(&o.cidr.value)) {
                        (Some(a), Some(b)) if overlap(a, b) => Some((
                            format!("{what}: cidr {} overlaps {} of its peer `{}`", x.cidr.value, o.cidr.value, o.name.value),
                            "peered VPCs route each other's CIDR: give them disjoint blocks (10.20.0.0/16 and 10.21.0.0/16)".to_string(),
                        )),
                        _ => None,
                    },
                };
                if let Some((message, help)) = problem {
                    c.err("BG001", &peer.referenced, message, help);
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        let all = &m.module.resources.networks;
        for x in all {
            render_one(self, m, x, all);
        }
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        if r.networks.is_empty() {
            return None;
        }
        let mut section = DocSection::new(
            "Networks",
            "Each VPC: a public and a private subnet per availability zone, NAT gateways for the private subnets, flow logs of ALL traffic to a log group encrypted with its classification's key, one security group per tier (the load balancer's open on 443 only, the application's reachable from the load balancer only, the data stores' from the application only), the default security group emptied, network ACLs, VPC endpoints and a Transit Gateway attachment. A VPC in the DR region (`region: dr`) is rendered there entirely (`provider = aws.dr`, its flow logs under the classification's DR key); two peered VPCs' Transit Gateways are joined by a peering attachment, each Transit Gateway routes the other VPC's CIDR across it and each VPC's private route tables send that CIDR to their Transit Gateway. Its contract (always in the primary region's SSM): `network/<vpc>/vpc_id`, `private_subnet_ids`, `public_subnet_ids` (comma-joined), `sg/alb`, `sg/app`, `sg/data`.",
            &[
                "VPC",
                "Purpose",
                "Region",
                "CIDR",
                "Zones",
                "NAT",
                "Flow logs",
                "Endpoints",
                "Transit Gateway",
            ],
            r.networks
                .iter()
                .map(|x| {
                    let eps: Vec<String> = x
                        .gateway_endpoints
                        .iter()
                        .map(|e| format!("{} (gateway)", code(&e.value)))
                        .chain(x.interface_endpoints.iter().map(|e| code(&e.value)))
                        .collect();
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        match d.dr_region {
                            Some(dr) if in_dr(x) => format!("{} (DR, `aws.dr`)", code(dr)),
                            _ => format!("{} (primary)", code(d.region)),
                        },
                        code(&x.cidr.value),
                        x.azs.value.to_string(),
                        if single_nat(x) {
                            "one".into()
                        } else {
                            "one per zone".into()
                        },
                        format!(
                            "ALL traffic, {}, {}{}",
                            days(x.flow_log_retention_days.value),
                            code(&d.key_alias(&x.classification.value)),
                            if in_dr(x) { " (its DR-region key)" } else { "" }
                        ),
                        if eps.is_empty() {
                            "none".into()
                        } else {
                            eps.join(", ")
                        },
                        match (x.transit_gateway, peers_of(x, &r.networks).as_slice()) {
                            (false, _) => "none".into(),
                            (true, []) => "attached".into(),
                            (true, peers) => format!(
                                "attached; peered with {}",
                                peers
                                    .iter()
                                    .map(|(p, req)| format!(
                                        "{} ({})",
                                        code(&p.name.value),
                                        if *req {
                                            "this side requests"
                                        } else {
                                            "this side accepts"
                                        }
                                    ))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        },
                    ]
                })
                .collect(),
        );
        for x in &r.networks {
            let data = x
                .data_ports
                .iter()
                .map(|p| p.value.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            section.more.push(super::md::DocTable {
                lead: format!("Security groups of {}:", code(&x.name.value)),
                head: vec!["Tier".into(), "Ingress".into(), "Egress".into()],
                rows: vec![
                    vec![
                        code("alb"),
                        format!("tcp {HTTPS} from anywhere"),
                        format!("tcp {} to `app`", x.app_port.value),
                    ],
                    vec![
                        code("app"),
                        format!("tcp {} from `alb`", x.app_port.value),
                        format!("tcp {data} to `data`; tcp {HTTPS} to anywhere"),
                    ],
                    vec![
                        code("data"),
                        format!("tcp {data} from `app`"),
                        "none".into(),
                    ],
                    vec![
                        code("endpoints"),
                        format!("tcp {HTTPS} from the VPC"),
                        "none".into(),
                    ],
                ],
            });
        }
        Some(section)
    }
}

/// The region of entry `x`: the platform's, or its DR region for `region: dr`.
fn region_of<'a>(m: &Scope<'a>, x: &Network) -> &'a str {
    match m.dr_region {
        Some(dr) if in_dr(x) => dr,
        _ => m.region,
    }
}

/// Every block the template renders for entry `x` (whose zones are `azs`) in its own region,
/// with the peering accepters it renders in its peers' regions apart: what a DR entry records
/// under `aws.dr`.
fn addresses(x: &Network, azs: &[Value], peers: &[(&Network, bool)]) -> Vec<String> {
    let id = super::names::ident(&x.name.value);
    let mut out: Vec<String> = [
        "aws_vpc.{id}",
        "aws_default_security_group.{id}",
        "aws_internet_gateway.{id}",
        "aws_route_table.{id}_public",
        "aws_route.{id}_public_internet",
        "aws_network_acl.{id}_public",
        "aws_network_acl.{id}_private",
        "aws_security_group.{id}_alb",
        "aws_security_group.{id}_app",
        "aws_security_group.{id}_data",
        "aws_security_group_rule.{id}_alb_https_in",
        "aws_security_group_rule.{id}_alb_app_out",
        "aws_security_group_rule.{id}_app_alb_in",
        "aws_security_group_rule.{id}_app_https_out",
        "aws_cloudwatch_log_group.{id}_flow_logs",
        "aws_iam_role.{id}_flow_logs",
        "aws_iam_role_policy.{id}_flow_logs",
        "aws_flow_log.{id}",
    ]
    .iter()
    .map(|a| a.replace("{id}", &id))
    .collect();
    for a in azs {
        let l = a["letter"].as_str().unwrap_or("a");
        for t in ["public", "private"] {
            out.push(format!("aws_subnet.{id}_{t}_{l}"));
            out.push(format!("aws_route_table_association.{id}_{t}_{l}"));
        }
        if a["has_nat"].as_bool().unwrap_or(false) {
            out.push(format!("aws_eip.{id}_nat_{l}"));
            out.push(format!("aws_nat_gateway.{id}_{l}"));
        }
        out.push(format!("aws_route_table.{id}_private_{l}"));
        out.push(format!("aws_route.{id}_private_{l}_nat"));
        for (p, _) in peers {
            out.push(format!(
                "aws_route.{id}_private_{l}_to_{}",
                super::names::ident(&p.name.value)
            ));
        }
    }
    for p in &x.data_ports {
        out.push(format!(
            "aws_security_group_rule.{id}_app_data_{}_out",
            p.value
        ));
        out.push(format!(
            "aws_security_group_rule.{id}_data_app_{}_in",
            p.value
        ));
    }
    for e in x.gateway_endpoints.iter().chain(&x.interface_endpoints) {
        out.push(format!(
            "aws_vpc_endpoint.{}",
            super::names::ident(&format!("{id}_{}", e.value))
        ));
    }
    if !x.interface_endpoints.is_empty() {
        out.push(format!("aws_security_group.{id}_endpoints"));
        out.push(format!("aws_security_group_rule.{id}_endpoints_https_in"));
    }
    if x.transit_gateway {
        out.push(format!("aws_ec2_transit_gateway.{id}"));
        out.push(format!("aws_ec2_transit_gateway_vpc_attachment.{id}"));
    }
    for (p, requester) in peers {
        let pid = super::names::ident(&p.name.value);
        out.push(format!("aws_ec2_transit_gateway_route.{id}_to_{pid}"));
        if *requester {
            out.push(format!(
                "aws_ec2_transit_gateway_peering_attachment.{id}_{pid}"
            ));
        }
    }
    out
}

fn render_one(kind: &Kind, m: &mut Scope, x: &Network, all: &[Network]) {
    let id = super::names::ident(&x.name.value);
    let loc = m.loc(&x.name.referenced);
    let name = m.env_name(&x.name.value);
    let (ip, len) = parse_cidr(&x.cidr.value).unwrap_or((0, 16));
    let single = single_nat(x);
    let region = region_of(m, x);
    let dr = in_dr(x) && m.dr_region.is_some();
    let peers: Vec<(&Network, bool)> = if x.transit_gateway {
        peers_of(x, all)
            .into_iter()
            .filter(|(p, _)| p.transit_gateway)
            .collect()
    } else {
        Vec::new()
    };
    let azs: Vec<Value> = AZ_LETTERS
        .iter()
        .take(x.azs.value.min(MAX_AZS) as usize)
        .enumerate()
        .map(|(i, l)| {
            let letter = (*l as char).to_string();
            json!({
                "letter": letter,
                "az": format!("{region}{letter}"),
                "public_cidr": subnet(ip, len, i as u32),
                "private_cidr": subnet(ip, len, PRIVATE_BASE + i as u32),
                "nat": if single { "a".to_string() } else { letter.clone() },
                "has_nat": !single || i == 0,
            })
        })
        .collect();
    let letters: Vec<String> = azs
        .iter()
        .map(|a| a["letter"].as_str().unwrap_or("a").to_string())
        .collect();
    let group = raw(format!("aws_cloudwatch_log_group.{id}_flow_logs.arn"));
    let role_policy = policy(vec![
        Stmt::allow("WriteFlowLogs")
            .action(&[
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
            ])
            .resource(vec![group.clone(), tpl(vec![group, json!(":*")])])
            .build(),
    ]);
    let trust = policy(vec![
        Stmt::allow("FlowLogsAssume")
            .principal("Service", json!("vpc-flow-logs.amazonaws.com"))
            .action(&["sts:AssumeRole"])
            .condition("StringEquals", "aws:SourceAccount", json!(m.env.account_id))
            .condition(
                "ArnLike",
                "aws:SourceArn",
                json!(format!(
                    "arn:aws:ec2:{region}:{}:vpc-flow-log/*",
                    m.env.account_id
                )),
            )
            .build(),
    ]);
    let service = |s: &str| format!("com.amazonaws.{region}.{s}");
    let gateway: Vec<Value> = x
        .gateway_endpoints
        .iter()
        .map(|e| json!({"svc": e.value, "service": service(&e.value)}))
        .collect();
    let interface: Vec<Value> = x
        .interface_endpoints
        .iter()
        .map(|e| json!({"svc": e.value, "service": service(&e.value)}))
        .collect();
    // Routes across the peering: each private route table to this VPC's Transit Gateway, and
    // this Transit Gateway's route table to the peering attachment, for each peer's CIDR. The
    // accepter's attachment id makes both wait for the peering to be available.
    let peer_routes: Vec<Value> = peers
        .iter()
        .map(|(p, requester)| {
            let pid = super::names::ident(&p.name.value);
            let aid = if *requester { format!("{id}_{pid}") } else { format!("{pid}_{id}") };
            json!({
                "peer": pid,
                "peer_name": p.name.value,
                "cidr": p.cidr.value,
                "attachment": raw(format!(
                    "aws_ec2_transit_gateway_peering_attachment_accepter.{aid}.transit_gateway_attachment_id"
                )),
            })
        })
        .collect();
    let mut peerings: Vec<Value> = Vec::new();
    for (p, requester) in &peers {
        if !requester {
            continue;
        }
        let pid = super::names::ident(&p.name.value);
        let aid = format!("{id}_{pid}");
        let accepter = if in_dr(p) && m.dr_region.is_some() {
            Some(m.on_alias(
                "dr",
                format!("aws_ec2_transit_gateway_peering_attachment_accepter.{aid}"),
            ))
        } else {
            None
        };
        peerings.push(json!({
            "id": aid,
            "name": m.env_name(&format!("{}-{}", x.name.value, p.name.value)),
            "peer": pid,
            "peer_name": p.name.value,
            "peer_region": region_of(m, p),
            "account": m.env.account_id,
            "accepter_provider": accepter.map(raw),
        }));
    }
    let provider = if dr {
        for a in addresses(x, &azs, &peers) {
            m.on_alias("dr", a);
        }
        Some(raw("aws.dr"))
    } else {
        None
    };
    let ctx = json!({
        "id": id,
        "name": name,
        "base": x.name.value,
        "env": m.env.name,
        "purpose": x.purpose,
        "cidr": x.cidr.value,
        "azs": azs,
        "log_group": format!("/{}/{}/network/{}/flow-logs", m.name_prefix, m.env.name, x.name.value),
        "retention": x.flow_log_retention_days.value,
        "key": if dr { m.dr_key_arn(&x.classification.value) } else { m.key_arn(&x.classification.value) },
        "log_tags": m.class_tags(&x.classification.value),
        "trust": trust,
        "role_policy": role_policy,
        "app_port": x.app_port.value,
        "data_ports": x.data_ports.iter().map(|p| p.value).collect::<Vec<_>>(),
        "https": HTTPS,
        "gateway_endpoints": gateway,
        "interface_endpoints": interface,
        "transit_gateway": x.transit_gateway,
        "emulator": m.env.emulator,
        "provider": provider,
        "peer_routes": peer_routes,
        "peerings": peerings,
    });
    m.emit(kind, &loc, ctx);
    m.holds_data(
        format!("aws_cloudwatch_log_group.{id}_flow_logs"),
        format!("network {}", x.name.value),
        &loc,
        guard::allowance(x.allow_replace.as_ref(), m),
    );
    let base = format!("network/{}", x.name.value);
    let list = |kind: &str| {
        raw(format!(
            "join(\",\", [{}])",
            letters
                .iter()
                .map(|l| format!("aws_subnet.{id}_{kind}_{l}.id"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    let exports = [
        (
            "vpc_id".to_string(),
            format!("ID of the {} VPC: {}", x.name.value, x.purpose),
            raw(format!("aws_vpc.{id}.id")),
        ),
        (
            "cidr_block".to_string(),
            format!("IPv4 block of the {} VPC", x.name.value),
            raw(format!("aws_vpc.{id}.cidr_block")),
        ),
        (
            "private_subnet_ids".to_string(),
            format!(
                "Private subnets of the {} VPC, one per zone, comma-joined",
                x.name.value
            ),
            list("private"),
        ),
        (
            "public_subnet_ids".to_string(),
            format!(
                "Public subnets of the {} VPC, one per zone, comma-joined",
                x.name.value
            ),
            list("public"),
        ),
    ];
    for (path, description, value) in exports {
        m.export(format!("{base}/{path}"), description, value, &loc);
    }
    for t in TIERS {
        m.export(
            format!("{base}/sg/{t}"),
            format!("Security group of the {t} tier in the {} VPC", x.name.value),
            raw(format!("aws_security_group.{id}_{t}.id")),
            &loc,
        );
    }
    if x.transit_gateway {
        m.export(
            format!("{base}/transit_gateway_id"),
            format!("Transit Gateway the {} VPC is attached to", x.name.value),
            raw(format!("aws_ec2_transit_gateway.{id}.id")),
            &loc,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_parse_and_split_like_cidrsubnet() {
        let (ip, len) = parse_cidr("10.20.0.0/16").unwrap();
        assert_eq!(len, 16);
        assert!(private_space(ip, len));
        assert_eq!(subnet(ip, len, 0), "10.20.0.0/20");
        assert_eq!(subnet(ip, len, 2), "10.20.32.0/20");
        assert_eq!(subnet(ip, len, 8), "10.20.128.0/20");
        assert_eq!(subnet(ip, len, 13), "10.20.208.0/20");
        let (ip, len) = parse_cidr("192.168.4.0/24").unwrap();
        assert_eq!(subnet(ip, len, 9), "192.168.4.144/28");
        assert_eq!(parse_cidr("10.20.0.1/16"), None, "host bits set");
        assert_eq!(parse_cidr("10.20.0.0/33"), None);
        assert_eq!(parse_cidr("10.20.0/16"), None);
        assert_eq!(parse_cidr("10.20.0.0/016"), None);
        let (ip, len) = parse_cidr("100.64.0.0/16").unwrap();
        assert!(!private_space(ip, len));
        let (ip, len) = parse_cidr("172.31.0.0/16").unwrap();
        assert!(private_space(ip, len));
    }
}
