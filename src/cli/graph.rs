//! `bankgen graph`: the deployment graph as DOT, Mermaid or JSON.

use super::{EXIT_OK, EXIT_USAGE};
use crate::catalog::CatalogSource;
use crate::deploy::changes;
use crate::model::Catalog;
use crate::model::graph::{DeployGraph, Edge, Why};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Dot,
    Mermaid,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Environment (checked against platform.yaml; every environment deploys the same graph)
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    pub format: Format,

    /// Show only the modules selected by the changes since this git revision (and downstream)
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,

    /// Templates folder, for --changed-since (default: templates/ next to the catalogue)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Serialize)]
struct JsonNode<'a> {
    id: &'a str,
    title: &'a str,
    domain: &'a str,
    phase: Option<u32>,
}

#[derive(Serialize)]
struct JsonGraph<'a> {
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<Edge>,
}

pub fn run(source: &CatalogSource, short: bool, args: Args) -> u8 {
    let cat = match super::load_or_report(source, short) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(env) = &args.env
        && cat.environment(env).is_none()
    {
        let known = cat.environment_names();
        eprintln!(
            "error: unknown environment `{env}` (platform.yaml has: {})",
            known.join(", ")
        );
        return EXIT_USAGE;
    }
    let conflicts = crate::model::graph::subscription_conflicts(&cat);
    if !conflicts.is_empty() {
        let list: Vec<String> = conflicts
            .iter()
            .map(|c| format!("{} → {}", c.producer, c.consumer))
            .collect();
        eprintln!(
            "note: {} subscription(s) order nothing because seed 001 deploys the consumer's phase in parallel with the producer's: {}",
            conflicts.len(),
            list.join(", ")
        );
    }
    let full = DeployGraph::build(&cat);
    let graph = match &args.changed_since {
        None => full,
        Some(rev) => {
            let CatalogSource::Dir(dir) = source else {
                eprintln!(
                    "error: --changed-since needs a catalogue folder in a git repository (--catalog DIR)"
                );
                return EXIT_USAGE;
            };
            let inputs = changes::Inputs::conventional(dir, args.templates.as_deref());
            match changes::changed_since(&cat, &full, &inputs, rev) {
                Ok(set) => {
                    for n in &set.notes {
                        eprintln!("note: {n}");
                    }
                    eprintln!(
                        "{} of {} modules selected by changes since {rev}",
                        set.selected.len(),
                        cat.modules.len()
                    );
                    full.restrict(&set.selected)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_USAGE;
                }
            }
        }
    };
    let text = match args.format {
        Format::Json => json(&cat, &graph),
        Format::Dot => dot(&cat, &graph),
        Format::Mermaid => mermaid(&cat, &graph),
    };
    out!("{text}");
    EXIT_OK
}

fn node_ids(g: &DeployGraph) -> BTreeSet<&str> {
    g.index.keys().map(String::as_str).collect()
}

/// `{"nodes":[{"id","title","domain","phase"}],"edges":[{"from","to","why"}]}`; `from` is
/// deployed before `to`.
pub fn json(cat: &Catalog, g: &DeployGraph) -> String {
    let nodes = node_ids(g)
        .into_iter()
        .filter_map(|id| cat.module(id))
        .map(|m| JsonNode {
            id: &m.id,
            title: &m.title,
            domain: &m.domain,
            phase: m.phase,
        })
        .collect();
    let doc = JsonGraph {
        nodes,
        edges: g.edge_list(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("graph serialises");
    s.push('\n');
    s
}

/// The phase cluster a module is drawn in: its phase, or the phase it waits for.
fn cluster(cat: &Catalog, id: &str) -> (u32, String) {
    let m = cat.module(id);
    match m.and_then(|m| {
        m.phase
            .map(|p| (p, true))
            .or(m.after_phase.map(|a| (a, false)))
    }) {
        Some((p, true)) => (
            p,
            format!(
                "Phase {p} — {}",
                cat.phase(p).map(|x| x.name.as_str()).unwrap_or("")
            ),
        ),
        Some((p, false)) => (p, format!("After phase {p}")),
        None => (u32::MAX, "No phase".to_string()),
    }
}

fn groups<'a>(
    cat: &Catalog,
    g: &'a DeployGraph,
) -> std::collections::BTreeMap<(u32, String), Vec<&'a str>> {
    let mut out: std::collections::BTreeMap<(u32, String), Vec<&str>> = Default::default();
    for id in node_ids(g) {
        out.entry(cluster(cat, id)).or_default().push(id);
    }
    out
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub fn dot(cat: &Catalog, g: &DeployGraph) -> String {
    let mut s = String::from(
        "digraph deploy {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    for (i, ((_, label), ids)) in groups(cat, g).into_iter().enumerate() {
        s.push_str(&format!(
            "  subgraph cluster_{i} {{\n    label=\"{}\";\n",
            dot_escape(&label)
        ));
        for id in ids {
            let title = cat.module(id).map(|m| m.title.as_str()).unwrap_or("");
            s.push_str(&format!(
                "    \"{id}\" [label=\"{id}\\n{}\"];\n",
                dot_escape(title)
            ));
        }
        s.push_str("  }\n");
    }
    for e in g.edge_list() {
        let style = match e.why {
            Why::Dependency => "solid",
            Why::PhaseGate => "dashed",
            Why::Subscription => "dotted",
        };
        s.push_str(&format!(
            "  \"{}\" -> \"{}\" [style={style}, tooltip=\"{}\"];\n",
            e.from,
            e.to,
            why_name(e.why)
        ));
    }
    s.push_str("}\n");
    s
}

fn why_name(w: Why) -> &'static str {
    match w {
        Why::Dependency => "dependency",
        Why::PhaseGate => "phase-gate",
        Why::Subscription => "subscription",
    }
}

fn mermaid_id(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;").replace('\n', " ")
}

/// Mermaid, drawn like the DOT picture of `bankgen docs`: the transitive reduction with one
/// node per phase gate ([`crate::publish::gated_edges`]). Every edge of the graph (2,500 on the
/// shipped catalogue, most of them implied phase gates) would pass Mermaid's default limits
/// (500 edges, 50,000 characters); the reduction keeps the same order.
pub fn mermaid(cat: &Catalog, g: &DeployGraph) -> String {
    let mut s = String::from("flowchart LR\n");
    for (i, ((_, label), ids)) in groups(cat, g).into_iter().enumerate() {
        s.push_str(&format!("  subgraph g{i}[\"{}\"]\n", mermaid_text(&label)));
        for id in ids {
            let title = cat.module(id).map(|m| m.title.as_str()).unwrap_or("");
            s.push_str(&format!(
                "    {}[\"{id}: {}\"]\n",
                mermaid_id(id),
                mermaid_text(title)
            ));
        }
        s.push_str("  end\n");
    }
    let edges = crate::publish::gated_edges(cat, g);
    for p in &cat.phases {
        let gate = crate::publish::gate_id(p.id);
        if edges.iter().any(|(a, b, _)| *a == gate || *b == gate) {
            s.push_str(&format!(
                "  {}{{{{\"Phase {} complete\"}}}}\n",
                mermaid_id(&gate),
                p.id
            ));
        }
    }
    for (from, to, why) in &edges {
        let arrow = match why {
            Why::Dependency => "-->",
            Why::PhaseGate => "-.->",
            Why::Subscription => "==>",
        };
        s.push_str(&format!(
            "  {} {arrow}|{}| {}\n",
            mermaid_id(from),
            why_name(*why),
            mermaid_id(to)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn mermaid_of_the_shipped_catalogue_is_within_mermaids_default_limits() {
        let (cat, _) = crate::load_catalog(&CatalogSource::Embedded).expect("catalogue loads");
        let g = DeployGraph::build(&cat);
        let text = mermaid(&cat, &g);
        let edges: Vec<(&str, &str)> = text
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.len() == 3 && (f[1].contains("->") || f[1].starts_with("==>")))
                    .then(|| (f[0], f[2]))
            })
            .collect();
        assert!(edges.len() <= 500, "{} edges", edges.len());
        assert!(text.len() <= 50_000, "{} characters", text.len());
        // The same order: every edge of the graph is a path of the picture.
        let mut succ: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (a, b) in &edges {
            succ.entry(a).or_default().insert(b);
        }
        let reach = |from: &str, to: &str| {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from];
            while let Some(n) = stack.pop() {
                for x in succ.get(n).into_iter().flatten() {
                    if *x == to {
                        return true;
                    }
                    if seen.insert(*x) {
                        stack.push(x);
                    }
                }
            }
            false
        };
        let full = g.edge_list();
        assert!(full.len() > 500);
        for e in full {
            let (a, b) = (mermaid_id(&e.from), mermaid_id(&e.to));
            assert!(reach(&a, &b), "{} before {} is lost", e.from, e.to);
        }
    }
}
