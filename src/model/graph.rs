//! The deployment graph: which module must be deployed before which, and why.
//!
//! Edges come from three rules of the seeds: a module's `depends_on`, the phase gates of
//! seed 001, and event subscriptions ("a consumer after its producers": events must be live).

use super::{Catalog, Module};
use crate::diag::Problem;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    Dependency,
    PhaseGate,
    Subscription,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// Deployed first.
    pub from: String,
    pub to: String,
    pub why: Why,
}

pub struct DeployGraph {
    pub graph: DiGraph<String, Why>,
    pub index: BTreeMap<String, NodeIndex>,
}

impl DeployGraph {
    pub fn build(cat: &Catalog) -> DeployGraph {
        let mut graph = DiGraph::new();
        let mut index = BTreeMap::new();
        for m in &cat.modules {
            index.insert(m.id.clone(), graph.add_node(m.id.clone()));
        }
        for e in edges(cat) {
            let (Some(&a), Some(&b)) = (index.get(&e.from), index.get(&e.to)) else {
                continue;
            };
            if !graph.contains_edge(a, b) {
                graph.add_edge(a, b, e.why);
            }
        }
        DeployGraph { graph, index }
    }
}

/// Every edge, deduplicated: when two rules give the same pair, the first rule in `Why` order wins.
pub fn edges(cat: &Catalog) -> Vec<Edge> {
    let mut set: BTreeMap<(String, String), Why> = BTreeMap::new();
    let mut add = |from: &str, to: &str, why: Why| {
        if from != to {
            let e = set.entry((from.to_string(), to.to_string())).or_insert(why);
            *e = (*e).min(why);
        }
    };
    for m in &cat.modules {
        for d in &m.depends_on {
            if cat.module(&d.module).is_some() {
                add(&d.module, &m.id, Why::Dependency);
            }
        }
    }
    for (from, to) in phase_edges(cat) {
        add(&from, &to, Why::PhaseGate);
    }
    for s in &cat.subscriptions {
        for ev in &s.events {
            if let Some(e) = cat.event(&s.bus, ev)
                && cat.module(&s.consumer).is_some()
            {
                add(&e.producer, &s.consumer, Why::Subscription);
            }
        }
    }
    set.into_iter()
        .map(|((from, to), why)| Edge { from, to, why })
        .collect()
}

/// Groups of modules that a gate connects: a phase, or the modules that only wait for one.
fn group_of(m: &Module) -> Option<(bool, u32)> {
    match (m.phase, m.after_phase) {
        (Some(p), _) => Some((true, p)),
        (None, Some(a)) => Some((false, a)),
        _ => None,
    }
}

/// Phase gates as edges from the last modules of the gating phase (those no other module of
/// that phase depends on) to the first modules of the gated phase (those that depend on no
/// module of their own phase). Together with the in-phase dependencies that orders every
/// module of the gate before every module of the gated phase, with few edges.
fn phase_edges(cat: &Catalog) -> Vec<(String, String)> {
    let mut members: BTreeMap<(bool, u32), Vec<&Module>> = BTreeMap::new();
    for m in &cat.modules {
        if let Some(g) = group_of(m) {
            members.entry(g).or_default().push(m);
        }
    }
    let in_group_deps = |m: &Module| -> Vec<String> {
        m.depends_on
            .iter()
            .filter(|d| {
                cat.module(&d.module)
                    .is_some_and(|x| group_of(x) == group_of(m))
            })
            .map(|d| d.module.clone())
            .collect()
    };
    let sinks = |g: (bool, u32)| -> Vec<String> {
        let list = members.get(&g).cloned().unwrap_or_default();
        let depended: BTreeSet<String> = list.iter().flat_map(|m| in_group_deps(m)).collect();
        list.iter()
            .filter(|m| !depended.contains(&m.id))
            .map(|m| m.id.clone())
            .collect()
    };
    let sources = |g: (bool, u32)| -> Vec<String> {
        let list = members.get(&g).cloned().unwrap_or_default();
        list.iter()
            .filter(|m| in_group_deps(m).is_empty())
            .map(|m| m.id.clone())
            .collect()
    };
    let mut out = Vec::new();
    for p in &cat.phases {
        for g in &p.gate {
            for a in sinks((true, *g)) {
                for b in sources((true, p.id)) {
                    out.push((a.clone(), b.clone()));
                }
            }
        }
    }
    // Modules outside the phase table wait for the phase their domain belongs to.
    let waiting: BTreeSet<u32> = members
        .keys()
        .filter(|(phased, _)| !phased)
        .map(|(_, a)| *a)
        .collect();
    for a in waiting {
        for x in sinks((true, a)) {
            for y in sources((false, a)) {
                out.push((x.clone(), y.clone()));
            }
        }
    }
    out
}

/// Each dependency cycle, printed whole: `MOD-001 → MOD-002 → MOD-001`.
pub fn cycle_problems(cat: &Catalog) -> Vec<Problem> {
    let g = DeployGraph::build(cat);
    let mut out = Vec::new();
    for scc in tarjan_scc(&g.graph) {
        if scc.len() < 2 {
            continue;
        }
        let set: BTreeSet<NodeIndex> = scc.iter().copied().collect();
        let start = *scc.iter().min_by_key(|n| &g.graph[**n]).expect("non-empty");
        let path = cycle_path(&g.graph, start, &set);
        let names: Vec<&str> = path.iter().map(|n| g.graph[*n].as_str()).collect();
        let whys: Vec<String> = path
            .windows(2)
            .map(|w| {
                let e = g.graph.find_edge(w[0], w[1]).map(|e| g.graph[e]);
                format!(
                    "{} → {} ({})",
                    g.graph[w[0]],
                    g.graph[w[1]],
                    e.map(why_text).unwrap_or("?")
                )
            })
            .collect();
        let first = cat.module(names[1]);
        let loc = first.and_then(|m| {
            m.depends_on
                .iter()
                .find(|d| d.module == names[0])
                .map(|d| d.loc.clone())
                .or(Some(m.loc.clone()))
        });
        out.push(Problem::error(
            "BG020",
            loc,
            format!("dependency cycle: {}", names.join(" → ")),
            format!("break one of these edges: {}", whys.join("; ")),
        ));
    }
    out
}

fn why_text(w: Why) -> &'static str {
    match w {
        Why::Dependency => "depends_on",
        Why::PhaseGate => "phase gate",
        Why::Subscription => "event subscription",
    }
}

/// A shortest cycle through `start` inside one strongly connected component (breadth-first).
fn cycle_path(
    g: &DiGraph<String, Why>,
    start: NodeIndex,
    within: &BTreeSet<NodeIndex>,
) -> Vec<NodeIndex> {
    let mut prev: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        let mut next: Vec<NodeIndex> = g.neighbors(n).filter(|x| within.contains(x)).collect();
        next.sort_by_key(|x| &g[*x]);
        for x in next {
            if x == start {
                let mut chain = Vec::new();
                let mut cur = n;
                while cur != start {
                    chain.push(cur);
                    cur = prev[&cur];
                }
                chain.reverse();
                let mut path = vec![start];
                path.extend(chain);
                path.push(start);
                return path;
            }
            if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(x) {
                e.insert(n);
                queue.push_back(x);
            }
        }
    }
    vec![start, start]
}
