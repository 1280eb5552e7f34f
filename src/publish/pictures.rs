//! Pictures: the deployment graph coloured by phase, and the event flow between buses, as
//! Graphviz DOT; SVG through Graphviz's `dot -Tsvg` when it is on PATH.
//!
//! `bankgen graph` (src/cli/graph.rs) prints the whole graph with every edge; the picture here
//! draws the transitive reduction (an edge only where no longer path implies it), which keeps
//! the order and drops the thousands of implied phase-gate edges, and draws each phase gate as
//! one node.

use super::{gate_id, gated_edges};
use crate::model::graph::{DeployGraph, Why};
use crate::model::{Catalog, TargetKind};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

/// Fill colours per phase 0–7; modules outside the phase table get [`NO_PHASE`].
const PHASE_COLOURS: &[&str] = &[
    "#d9d9d9", "#9ecae1", "#a1d99b", "#fdae6b", "#bcbddc", "#fdd0a2", "#c7e9c0", "#fcbba1",
];
const NO_PHASE: &str = "#ffffff";

pub fn phase_colour(phase: Option<u32>) -> &'static str {
    phase
        .and_then(|p| PHASE_COLOURS.get(p as usize).copied())
        .unwrap_or(NO_PHASE)
}

/// DOT string literal contents.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The deployment graph: one cluster per phase (modules outside the phase table in the cluster
/// of the phase they wait for), nodes filled with their phase's colour, a diamond per phase gate
/// ("Phase P complete", see [`gated_edges`]), edges of the transitive reduction styled by the
/// rule that made them (solid: depends_on, dashed: phase gate, dotted: event subscription).
pub fn deployment_dot(cat: &Catalog, g: &DeployGraph) -> String {
    let mut s = String::new();
    s.push_str("digraph deployment {\n");
    s.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", newrank=true, ranksep=0.8, label=\"Deployment graph (transitively reduced; diamonds: phase gates): solid = depends_on, dashed = phase gate, dotted = event subscription\", labelloc=t];\n");
    s.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];\n",
    );
    s.push_str("  edge [color=\"#555555\", arrowsize=0.6];\n");
    // cluster key: (phase or waited-for phase, in the phase table first)
    let mut clusters: BTreeMap<(u32, bool), Vec<&crate::model::Module>> = BTreeMap::new();
    let mut loose = Vec::new();
    for m in &cat.modules {
        if !g.contains(&m.id) {
            continue;
        }
        match (m.phase, m.after_phase) {
            (Some(p), _) => clusters.entry((p, false)).or_default().push(m),
            (None, Some(a)) => clusters.entry((a, true)).or_default().push(m),
            _ => loose.push(m),
        }
    }
    for ((p, after), mods) in &clusters {
        let label = if *after {
            format!("After phase {p} (no phase)")
        } else {
            format!(
                "Phase {p} — {}",
                cat.phase(*p).map(|x| x.name.as_str()).unwrap_or("")
            )
        };
        let name = if *after {
            format!("cluster_after_{p}")
        } else {
            format!("cluster_phase_{p}")
        };
        s.push_str(&format!(
            "  subgraph {name} {{\n    label=\"{}\";\n    style=dashed;\n    color=\"#999999\";\n",
            escape(&label)
        ));
        for m in mods {
            s.push_str(&node(m));
        }
        s.push_str("  }\n");
    }
    for m in loose {
        s.push_str(&node(m).replacen("    ", "  ", 1));
    }
    let edges = gated_edges(cat, g);
    let gates: BTreeSet<u32> = cat
        .phases
        .iter()
        .map(|p| p.id)
        .filter(|p| {
            edges
                .iter()
                .any(|(a, b, _)| *a == gate_id(*p) || *b == gate_id(*p))
        })
        .collect();
    for p in gates {
        s.push_str(&format!(
            "  \"{}\" [shape=diamond, style=filled, fillcolor=\"{}\", label=\"Phase {p}\\ncomplete\"];\n",
            gate_id(p),
            phase_colour(Some(p))
        ));
    }
    for (a, b, why) in edges {
        let style = match why {
            Why::Dependency => "solid",
            Why::PhaseGate => "dashed",
            Why::Subscription => "dotted",
        };
        s.push_str(&format!(
            "  \"{}\" -> \"{}\" [style={style}];\n",
            escape(&a),
            escape(&b)
        ));
    }
    s.push_str("}\n");
    s
}

fn node(m: &crate::model::Module) -> String {
    format!(
        "    \"{id}\" [label=\"{id}\\n{title}\", fillcolor=\"{fill}\", tooltip=\"{id} {title} ({dom})\", URL=\"modules/{id}.md\"];\n",
        id = escape(&m.id),
        title = escape(&wrap(&m.title, 28)),
        fill = phase_colour(m.phase),
        dom = escape(&m.domain),
    )
}

/// Break a label into lines of about `width` characters at spaces (DOT `\n`).
fn wrap(s: &str, width: usize) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let cur = lines.last_mut().expect("one line");
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
    }
    lines.join("\n")
}

/// The event flow: one node per bus (filled with the colour of its owner domain's phase),
/// an edge per subscription from the bus it listens on to its target — another bus, or the
/// consumer's queue, function or Firehose stream — labelled with the subscription and its
/// consumer. Producers are listed in each bus's label.
pub fn event_flow_dot(cat: &Catalog) -> String {
    let mut s = String::new();
    s.push_str("digraph event_flow {\n");
    s.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", label=\"Event flow: subscriptions from the bus they listen on to their target (label: rule, consumer)\", labelloc=t];\n");
    s.push_str("  node [fontname=\"Helvetica\", fontsize=10];\n");
    s.push_str("  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];\n");
    let mut buses: BTreeSet<String> = BTreeSet::new();
    for m in &cat.modules {
        for b in &m.resources.event_buses {
            buses.insert(b.name.value.clone());
        }
    }
    for e in &cat.events {
        buses.insert(e.bus.clone());
    }
    for sub in &cat.subscriptions {
        buses.insert(sub.bus.clone());
        if sub.target.kind == TargetKind::Bus
            && let Some(t) = &sub.target.name
        {
            buses.insert(t.clone());
        }
    }
    for bus in &buses {
        let owner = cat.domains.iter().find(|d| &d.bus == bus);
        let fill = owner.map(|d| phase_colour(d.phase)).unwrap_or(NO_PHASE);
        let producers: BTreeSet<&str> = cat
            .events
            .iter()
            .filter(|e| &e.bus == bus)
            .map(|e| e.producer.as_str())
            .collect();
        let mut label = bus.clone();
        if let Some(d) = owner {
            label.push_str(&format!("\n{}", d.id));
        }
        if bus == "default" {
            label.push_str("\nAWS service events");
        }
        if !producers.is_empty() {
            let list: Vec<&str> = producers.into_iter().collect();
            label.push_str(&format!("\nproducers: {}", wrap(&list.join(", "), 30)));
        }
        s.push_str(&format!(
            "  \"bus:{}\" [shape=ellipse, style=filled, fillcolor=\"{fill}\", label=\"{}\"];\n",
            escape(bus),
            escape(&label)
        ));
    }
    let mut targets: BTreeSet<(String, String)> = BTreeSet::new();
    let mut edges = Vec::new();
    for sub in &cat.subscriptions {
        let to = match (sub.target.kind, &sub.target.name) {
            (TargetKind::Bus, Some(name)) => format!("bus:{name}"),
            (kind, name) => {
                let kind = target_kind_name(kind);
                let id = format!("{kind}:{}:{}", sub.consumer, name.as_deref().unwrap_or(""));
                let label = match name {
                    Some(n) => format!("{} {kind}\n{n}", sub.consumer),
                    None => format!("{} {kind}", sub.consumer),
                };
                targets.insert((id.clone(), label));
                id
            }
        };
        edges.push(format!(
            "  \"bus:{}\" -> \"{}\" [label=\"{}\"];\n",
            escape(&sub.bus),
            escape(&to),
            escape(&format!("{}\n({})", sub.name, sub.consumer))
        ));
    }
    for (id, label) in &targets {
        s.push_str(&format!(
            "  \"{}\" [shape=box, style=rounded, label=\"{}\"];\n",
            escape(id),
            escape(label)
        ));
    }
    edges.sort();
    for e in edges {
        s.push_str(&e);
    }
    s.push_str("}\n");
    s
}

pub fn target_kind_name(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Bus => "bus",
        TargetKind::Queue => "queue",
        TargetKind::Function => "function",
        TargetKind::Firehose => "firehose",
    }
}

/// Why no SVG could be made.
#[derive(Debug)]
pub enum SvgError {
    /// `dot` is not on PATH.
    NoGraphviz,
    /// `dot` ran and failed.
    Failed(String),
}

impl std::fmt::Display for SvgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SvgError::NoGraphviz => write!(
                f,
                "Graphviz `dot` is not on PATH: install Graphviz (e.g. apt-get install graphviz) to get SVG, or render the .dot files yourself"
            ),
            SvgError::Failed(m) => write!(f, "dot -Tsvg failed: {m}"),
        }
    }
}

/// The Graphviz binary: `BANKGEN_DOT`, else `dot`.
fn dot_binary() -> String {
    std::env::var("BANKGEN_DOT").unwrap_or_else(|_| "dot".to_string())
}

/// Whether Graphviz can render SVG (a tiny graph, so a half-installed Graphviz whose plugins
/// are not configured yet counts as missing).
pub fn graphviz_available() -> bool {
    svg("digraph probe { a -> b }").is_ok_and(|s| s.contains("<svg"))
}

/// DOT → SVG with `dot -Tsvg`.
pub fn svg(dot: &str) -> Result<String, SvgError> {
    let mut child = match Command::new(dot_binary())
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(SvgError::NoGraphviz),
        Err(e) => return Err(SvgError::Failed(e.to_string())),
    };
    let mut stdin = child.stdin.take().expect("piped stdin");
    let text = dot.to_string();
    // write from a thread so a large output cannot deadlock against a full input pipe
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| SvgError::Failed(e.to_string()))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(SvgError::Failed(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| SvgError::Failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalog {
        crate::load_catalog(&crate::catalog::CatalogSource::Embedded)
            .expect("the embedded catalogue loads")
            .0
    }

    #[test]
    fn deployment_nodes_are_coloured_by_phase_and_gates_are_nodes() {
        let cat = catalogue();
        let dot = deployment_dot(&cat, &DeployGraph::build(&cat));
        for (id, phase) in [
            ("MOD-104", Some(0)),
            ("MOD-001", Some(1)),
            ("MOD-016", Some(3)),
            ("MOD-042", None),
        ] {
            let line = dot
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("\"{id}\" [")))
                .unwrap_or_else(|| panic!("no node {id}"));
            assert!(
                line.contains(&format!("fillcolor=\"{}\"", phase_colour(phase))),
                "{line}"
            );
        }
        assert!(dot.contains("subgraph cluster_phase_0 {"));
        assert!(dot.contains("subgraph cluster_after_0 {"));
        // Phase 0's last modules meet at its gate, which comes before Phase 1's first modules
        assert!(dot.contains("\"MOD-046\" -> \"phase-0\""), "{dot}");
        assert!(
            dot.lines()
                .any(|l| l.starts_with("  \"phase-0\" -> \"MOD-"))
        );
        // no implied edge: MOD-104 reaches MOD-001 only through the gate
        assert!(!dot.contains("\"MOD-104\" -> \"MOD-001\""));
    }

    #[test]
    fn event_flow_has_a_bus_edge_per_cross_bus_subscription() {
        let cat = catalogue();
        let dot = event_flow_dot(&cat);
        let cross = cat
            .subscriptions
            .iter()
            .filter(|s| s.target.kind == TargetKind::Bus)
            .count();
        let edges = dot.lines().filter(|l| l.contains("-> \"bus:")).count();
        assert_eq!(edges, cross);
        assert!(
            dot.contains("\"bus:default\" -> \"function:MOD-045:bank-secrets-anomaly\""),
            "{dot}"
        );
        assert!(
            dot.contains("\"bus:bank-platform\" -> \"firehose:MOD-097:bank-usage-events\""),
            "{dot}"
        );
    }

    #[test]
    fn escape_and_wrap() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(wrap("one two three four", 9), "one two\nthree\nfour");
    }
}
