//! The deployment graph: which module must be deployed before which, and why.
//!
//! Edges come from three rules of the seeds: a module's `depends_on`, the phase gates of
//! seed 001, and event subscriptions ("a consumer after its producers": events must be live).
//! Where a subscription contradicts the phase table (a consumer in a phase that seed 001 runs
//! in parallel with its producer's), the phase table wins: see [`subscription_conflicts`].

use super::{Catalog, Module};
use crate::diag::Problem;
use petgraph::Direction;
use petgraph::algo::{has_path_connecting, tarjan_scc};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef, Reversed};
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
        DeployGraph::from_edges(cat, edges(cat))
    }

    fn from_edges(cat: &Catalog, edges: Vec<Edge>) -> DeployGraph {
        let mut graph = DiGraph::new();
        let mut index = BTreeMap::new();
        for m in &cat.modules {
            index.insert(m.id.clone(), graph.add_node(m.id.clone()));
        }
        for e in edges {
            let (Some(&a), Some(&b)) = (index.get(&e.from), index.get(&e.to)) else {
                continue;
            };
            // `edges` is already free of duplicates.
            graph.add_edge(a, b, e.why);
        }
        DeployGraph { graph, index }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The modules that must be deployed before `id`, transitively.
    pub fn upstream(&self, id: &str) -> BTreeSet<String> {
        self.reach([id], Direction::Incoming)
    }

    /// `roots` and every module that must be deployed after one of them, transitively.
    pub fn downstream<'a>(&self, roots: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
        let roots: Vec<&str> = roots.into_iter().collect();
        let mut out = self.reach(roots.iter().copied(), Direction::Outgoing);
        out.extend(
            roots
                .iter()
                .filter(|r| self.contains(r))
                .map(|r| r.to_string()),
        );
        out
    }

    /// Whether `from` must be deployed before `to` (a path of edges leads from one to the other).
    pub fn before(&self, from: &str, to: &str) -> bool {
        match (self.index.get(from), self.index.get(to)) {
            (Some(&a), Some(&b)) => a != b && has_path_connecting(&self.graph, a, b, None),
            _ => false,
        }
    }

    /// Nodes reachable from `starts` (not counting the starts themselves unless on a cycle).
    fn reach<'a>(
        &self,
        starts: impl IntoIterator<Item = &'a str>,
        dir: Direction,
    ) -> BTreeSet<String> {
        // petgraph's DFS, seeded with the starts' neighbours so a start counts only when a path
        // leads back to it.
        let mut dfs = Dfs::empty(&self.graph);
        for s in starts {
            if let Some(&n) = self.index.get(s) {
                dfs.stack.extend(self.graph.neighbors_directed(n, dir));
            }
        }
        let mut seen = BTreeSet::new();
        loop {
            let next = match dir {
                Direction::Outgoing => dfs.next(&self.graph),
                Direction::Incoming => dfs.next(Reversed(&self.graph)),
            };
            let Some(n) = next else { break };
            seen.insert(self.graph[n].clone());
        }
        seen
    }

    /// The ordering constraints among `selected`: `(a, b, why)` when a path leads from `a` to
    /// `b` in the whole graph through modules that are not selected; `why` is the rule of the
    /// path's first edge. Constraints implied by a selected module in between are left out.
    pub fn induced(&self, selected: &BTreeSet<String>) -> Vec<(String, String, Why)> {
        let mut out = Vec::new();
        for a in selected {
            let Some(&start) = self.index.get(a) else {
                continue;
            };
            let mut seen: BTreeSet<NodeIndex> = BTreeSet::new();
            let mut stack: Vec<(NodeIndex, Option<Why>)> = vec![(start, None)];
            while let Some((n, first)) = stack.pop() {
                for e in self.graph.edges(n) {
                    let x = e.target();
                    if !seen.insert(x) {
                        continue;
                    }
                    let why = first.unwrap_or(*e.weight());
                    let name = &self.graph[x];
                    if selected.contains(name) {
                        if x != start {
                            out.push((a.clone(), name.clone(), why));
                        }
                    } else {
                        stack.push((x, Some(why)));
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// The subgraph of `selected`, with the ordering constraints among them ([`Self::induced`]).
    pub fn restrict(&self, selected: &BTreeSet<String>) -> DeployGraph {
        let mut graph = DiGraph::new();
        let mut index = BTreeMap::new();
        for id in selected.iter().filter(|s| self.contains(s)) {
            index.insert(id.clone(), graph.add_node(id.clone()));
        }
        for (a, b, why) in self.induced(selected) {
            graph.add_edge(index[&a], index[&b], why);
        }
        DeployGraph { graph, index }
    }

    /// Every edge, sorted by `(from, to)`.
    pub fn edge_list(&self) -> Vec<Edge> {
        let mut out: Vec<Edge> = self
            .graph
            .edge_references()
            .map(|e| Edge {
                from: self.graph[e.source()].clone(),
                to: self.graph[e.target()].clone(),
                why: *e.weight(),
            })
            .collect();
        out.sort();
        out
    }

    /// Module ids in a deployment order (ties broken by id); `None` on a cycle.
    pub fn topo_order(&self) -> Option<Vec<String>> {
        let mut indeg: BTreeMap<NodeIndex, usize> = self
            .graph
            .node_indices()
            .map(|n| {
                (
                    n,
                    self.graph
                        .neighbors_directed(n, Direction::Incoming)
                        .count(),
                )
            })
            .collect();
        let mut ready: BTreeSet<(String, NodeIndex)> = indeg
            .iter()
            .filter(|(_, d)| **d == 0)
            .map(|(n, _)| (self.graph[*n].clone(), *n))
            .collect();
        let mut out = Vec::new();
        while let Some(first) = ready.pop_first() {
            out.push(first.0);
            for x in self.graph.neighbors(first.1) {
                let d = indeg.get_mut(&x).expect("node");
                *d -= 1;
                if *d == 0 {
                    ready.insert((self.graph[x].clone(), x));
                }
            }
        }
        (out.len() == self.graph.node_count()).then_some(out)
    }

    /// The same graph with every edge reversed (the order to destroy in).
    pub fn reversed(&self) -> DeployGraph {
        let mut g = self.graph.clone();
        g.reverse();
        DeployGraph {
            graph: g,
            index: self.index.clone(),
        }
    }
}

/// Every edge, deduplicated: when two rules give the same pair, the first rule in `Why` order wins.
pub fn edges(cat: &Catalog) -> Vec<Edge> {
    edges_with(cat, true)
}

fn edges_with(cat: &Catalog, phase_gates: bool) -> Vec<Edge> {
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
    if phase_gates {
        for (from, to) in phase_edges(cat) {
            add(&from, &to, Why::PhaseGate);
        }
    }
    for (producer, consumer) in subscription_pairs(cat) {
        if gate_conflict(cat, &producer, &consumer).is_none() {
            add(&producer, &consumer, Why::Subscription);
        }
    }
    set.into_iter()
        .map(|((from, to), why)| Edge { from, to, why })
        .collect()
}

/// `(producer, consumer)` for every event a subscription listens to (both modules exist).
fn subscription_pairs(cat: &Catalog) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for s in &cat.subscriptions {
        for ev in &s.events {
            if let Some(e) = cat.event(&s.bus, ev)
                && cat.module(&s.consumer).is_some()
                && cat.module(&e.producer).is_some()
            {
                out.insert((e.producer.clone(), s.consumer.clone()));
            }
        }
    }
    out
}

/// A subscription whose consumer seed 001's phase table deploys in parallel with (or before)
/// its producer: the phase table wins (seed 001: Phase 6 "can be deployed in parallel with
/// phases 2–5 as long as Phase 1 is done", though it "eventually" consumes SD03 and SD05
/// events), so no ordering edge is made; [`subscription_conflicts`] lists these.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GateConflict {
    pub producer: String,
    pub producer_phase: u32,
    pub consumer: String,
    pub consumer_phase: u32,
}

fn gate_conflict(cat: &Catalog, producer: &str, consumer: &str) -> Option<GateConflict> {
    let (p, c) = (cat.module(producer)?.phase?, cat.module(consumer)?.phase?);
    (p != c && !cat.phases_before(c).contains(&p)).then(|| GateConflict {
        producer: producer.to_string(),
        producer_phase: p,
        consumer: consumer.to_string(),
        consumer_phase: c,
    })
}

/// Subscriptions that order nothing because the phase table runs consumer and producer in
/// parallel (or the consumer first): their rules are registered before the producer is live.
pub fn subscription_conflicts(cat: &Catalog) -> Vec<GateConflict> {
    subscription_pairs(cat)
        .into_iter()
        .filter_map(|(p, c)| gate_conflict(cat, &p, &c))
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
    // First and last modules of every group, computed once.
    let mut ends: BTreeMap<(bool, u32), (Vec<String>, Vec<String>)> = BTreeMap::new();
    for (g, list) in &members {
        let mut depended: BTreeSet<&str> = BTreeSet::new();
        let mut sources = Vec::new();
        for m in list {
            let mut has_in_group_dep = false;
            for d in &m.depends_on {
                if cat
                    .module(&d.module)
                    .is_some_and(|x| group_of(x) == Some(*g))
                {
                    depended.insert(d.module.as_str());
                    has_in_group_dep = true;
                }
            }
            if !has_in_group_dep {
                sources.push(m.id.clone());
            }
        }
        let sinks = list
            .iter()
            .filter(|m| !depended.contains(m.id.as_str()))
            .map(|m| m.id.clone())
            .collect();
        ends.insert(*g, (sinks, sources));
    }
    let empty = (Vec::new(), Vec::new());
    let sinks = |g: (bool, u32)| &ends.get(&g).unwrap_or(&empty).0;
    let sources = |g: (bool, u32)| &ends.get(&g).unwrap_or(&empty).1;
    let mut out = Vec::new();
    for p in &cat.phases {
        // A gate implied by another gate adds no order (phase 7's Phase 0 comes through 3–6).
        let gates: Vec<u32> = p
            .gate
            .iter()
            .copied()
            .filter(|g| {
                !p.gate
                    .iter()
                    .any(|other| other != g && cat.phases_before(*other).contains(g))
            })
            .collect();
        for g in gates {
            for a in sinks((true, g)) {
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
///
/// Phase gates are left out: they only ever point from an earlier phase to a later one, so a
/// cycle through a gate needs a dependency on a later phase, which BG021 reports at its line.
/// (Gate edges grow with the product of two phases' sizes; without them this stays linear.)
pub fn cycle_problems(cat: &Catalog) -> Vec<Problem> {
    let g = DeployGraph::from_edges(cat, edges_with(cat, false));
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

/// Whether one module is deployed before another, answered without the phase gates' edges
/// (whose number grows with the product of two phases' sizes: 4.5 million in a 10,000-module
/// catalogue): one node per module, and a "done" and a "start" node per phase group that every
/// member leads to and comes from. Reachability is the deploy graph's.
pub struct Precedence {
    graph: DiGraph<(), ()>,
    index: BTreeMap<String, NodeIndex>,
}

impl Precedence {
    pub fn build(cat: &Catalog) -> Precedence {
        let mut graph = DiGraph::new();
        let mut index = BTreeMap::new();
        for m in &cat.modules {
            index.insert(m.id.clone(), graph.add_node(()));
        }
        let mut groups: BTreeMap<(bool, u32), (NodeIndex, NodeIndex)> = BTreeMap::new();
        let mut group = |graph: &mut DiGraph<(), ()>, g: (bool, u32)| {
            *groups
                .entry(g)
                .or_insert_with(|| (graph.add_node(()), graph.add_node(())))
        };
        for m in &cat.modules {
            let me = index[&m.id];
            for d in &m.depends_on {
                if let Some(&from) = index.get(&d.module) {
                    graph.add_edge(from, me, ());
                }
            }
            if let Some(g) = group_of(m) {
                let (start, done) = group(&mut graph, g);
                graph.add_edge(start, me, ());
                graph.add_edge(me, done, ());
            }
        }
        for p in &cat.phases {
            for g in &p.gate {
                let (_, done) = group(&mut graph, (true, *g));
                let (start, _) = group(&mut graph, (true, p.id));
                graph.add_edge(done, start, ());
            }
        }
        // Modules outside the phase table wait for the phase their domain belongs to.
        let waiting: Vec<u32> = cat
            .modules
            .iter()
            .filter_map(|m| match group_of(m) {
                Some((false, a)) => Some(a),
                _ => None,
            })
            .collect();
        for a in waiting {
            let (_, done) = group(&mut graph, (true, a));
            let (start, _) = group(&mut graph, (false, a));
            graph.add_edge(done, start, ());
        }
        for (producer, consumer) in subscription_pairs(cat) {
            if gate_conflict(cat, &producer, &consumer).is_none() {
                graph.add_edge(index[&producer], index[&consumer], ());
            }
        }
        Precedence { graph, index }
    }

    /// Every module deployed after `id`; `None` for an unknown module.
    pub fn after(&self, id: &str) -> Option<Later> {
        let mut dfs = Dfs::new(&self.graph, *self.index.get(id)?);
        while dfs.next(&self.graph).is_some() {}
        Some(Later(dfs.discovered))
    }

    /// The node of a module, to look it up in a [`Later`].
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }
}

/// The modules deployed after one module ([`Precedence::after`]).
pub struct Later(<DiGraph<(), ()> as petgraph::visit::Visitable>::Map);

impl Later {
    pub fn contains(&self, node: NodeIndex) -> bool {
        self.0.contains(node.index())
    }
}
