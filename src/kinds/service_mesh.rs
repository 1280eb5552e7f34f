//! App Mesh (seed 002, compute stack: "AWS App Mesh provides service-to-service communication
//! with observability and traffic control. The service mesh uses Envoy proxies as sidecars to
//! handle routing, retries, and circuit breaking. Virtual services and virtual nodes abstract the
//! physical deployment details"): a mesh that lets no traffic leave it (egress filter DROP_ALL),
//! and per service a virtual node (listener with a health check, DNS service discovery, the
//! virtual services it may call as backends), a virtual router whose route retries failed
//! requests, and the virtual service that names it.

use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, raw,
};
use serde::Deserialize;
use serde_json::json;

/// One entry of a module's `resources: service_meshes:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: Sp<String>,
    pub purpose: String,
    /// The DNS domain of its virtual services and nodes (`gbp-accounts.<domain>`).
    pub domain: String,
    /// The Envoy image of the services' sidecars (`{region}` is filled in).
    pub envoy_image: String,
    pub nodes: Vec<Node>,
}

/// A service in the mesh: its virtual node, router, route and virtual service.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub name: Sp<String>,
    pub port: u16,
    pub health_path: String,
    /// The mesh's other nodes it calls.
    #[serde(default)]
    pub backends: Vec<Sp<String>>,
    pub retry: Retry,
}

/// The route's retry policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    pub max_retries: Sp<u32>,
    pub per_retry_timeout_ms: u32,
    pub http_events: Vec<String>,
    #[serde(default)]
    pub tcp_events: Vec<String>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "service_meshes"
    }
    fn noun(&self) -> &'static str {
        "service mesh"
    }
    fn family(&self) -> &'static str {
        "appmesh"
    }
    fn template(&self) -> &'static str {
        "service_mesh.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::APPMESH]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_appmesh_mesh",
            "aws_appmesh_route",
            "aws_appmesh_virtual_node",
            "aws_appmesh_virtual_router",
            "aws_appmesh_virtual_service",
        ]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL534"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.service_meshes.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.service_meshes
            .iter()
            .map(|x| ("service mesh", &x.name))
            .collect()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        Vec::new()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        None
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for x in &r.service_meshes {
            c.name(&x.name, &n.resource);
            for node in &x.nodes {
                c.name(&node.name, &n.resource);
                let names = x.nodes.iter().map(|k| k.name.value.as_str());
                for b in &node.backends {
                    c.declared("BG013", "mesh node", "nodes", b, names.clone());
                }
                if node.retry.max_retries.value == 0 {
                    c.err(
                        "BG001",
                        &node.retry.max_retries.referenced,
                        format!("mesh node `{}` never retries", node.name.value),
                        "max_retries of at least 1 (seed 002: the mesh handles retries)",
                    );
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.service_meshes {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let nodes: Vec<_> = x
                .nodes
                .iter()
                .map(|nd| {
                    json!({
                        "id": ident(&format!("{}_{}", x.name.value, nd.name.value)),
                        "name": nd.name.value,
                        "host": format!("{}.{}", nd.name.value, x.domain),
                        "port": nd.port,
                        "health_path": nd.health_path,
                        "backends": nd.backends.iter().map(|b| json!({
                            "id": ident(&format!("{}_{}", x.name.value, b.value)),
                        })).collect::<Vec<_>>(),
                        "max_retries": nd.retry.max_retries.value,
                        "per_retry_timeout_ms": nd.retry.per_retry_timeout_ms,
                        "http_events": nd.retry.http_events,
                        "tcp_events": nd.retry.tcp_events,
                    })
                })
                .collect();
            let ctx = json!({
                "id": id,
                "name": m.env_name(&x.name.value),
                "purpose": x.purpose,
                "nodes": nodes,
            });
            m.emit(self, &loc, ctx);
            m.export(
                format!("appmesh/{}/name", x.name.value),
                format!("Name of the {} mesh: {}", x.name.value, x.purpose),
                raw(format!("aws_appmesh_mesh.{id}.name")),
                &loc,
            );
            for nd in &x.nodes {
                let nid = ident(&format!("{}_{}", x.name.value, nd.name.value));
                m.export(
                    format!(
                        "appmesh/{}/virtual-nodes/{}/arn",
                        x.name.value, nd.name.value
                    ),
                    format!("ARN of the {} virtual node", nd.name.value),
                    raw(format!("aws_appmesh_virtual_node.{nid}.arn")),
                    &loc,
                );
            }
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.service_meshes.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "Service meshes",
            "Each mesh: egress filter DROP_ALL; per node a virtual node (listener health check, DNS discovery, its backends), a virtual router and a route with a retry policy, and a virtual service `<node>.<domain>`.",
            &["Mesh", "Purpose", "Nodes (port; backends; retries)"],
            r.service_meshes
                .iter()
                .map(|x| {
                    let nodes = x
                        .nodes
                        .iter()
                        .map(|nd| {
                            let backends = if nd.backends.is_empty() {
                                "no backends".to_string()
                            } else {
                                nd.backends
                                    .iter()
                                    .map(|b| code(&b.value))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            };
                            format!(
                                "{} ({}; {}; {} × {} ms on {})",
                                code(&format!("{}.{}", nd.name.value, x.domain)),
                                nd.port,
                                backends,
                                nd.retry.max_retries.value,
                                nd.retry.per_retry_timeout_ms,
                                nd.retry.http_events.join(", ")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("<br>");
                    vec![
                        code(&format!("{}-{{env}}", x.name.value)),
                        esc(&x.purpose),
                        nodes,
                    ]
                })
                .collect(),
        ))
    }
}
