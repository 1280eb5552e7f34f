//! The scheduler: which module may start now. Pure state, no processes, so it is tested alone.
//!
//! A module is ready when every module it waits for (within the run) succeeded. Among ready
//! modules the one with the longest chain of modules still to come after it starts first
//! (critical path first), ties by id. A failure skips every module downstream of it, with the
//! cause; independent branches go on. `stop` (fail-fast, interrupt) starts nothing new.

use crate::model::graph::DeployGraph;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Waiting,
    Running,
    Succeeded,
    Failed,
    Interrupted,
    /// Not run because a module it waits for did not succeed.
    Skipped(String),
    /// Not run because the run stopped (fail-fast or interrupt) first.
    NotStarted(String),
}

impl State {
    pub fn is_final(&self) -> bool {
        !matches!(self, State::Waiting | State::Running)
    }
}

pub struct Scheduler {
    preds: BTreeMap<String, BTreeSet<String>>,
    succs: BTreeMap<String, BTreeSet<String>>,
    priority: BTreeMap<String, usize>,
    state: BTreeMap<String, State>,
    stopped: Option<String>,
}

impl Scheduler {
    /// Over every node of `graph` (already restricted to the run's modules, and reversed for
    /// destroy).
    pub fn new(graph: &DeployGraph) -> Scheduler {
        let mut preds: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut succs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for id in graph.index.keys() {
            preds.entry(id.clone()).or_default();
            succs.entry(id.clone()).or_default();
        }
        for e in graph.edge_list() {
            preds
                .entry(e.to.clone())
                .or_default()
                .insert(e.from.clone());
            succs.entry(e.from).or_default().insert(e.to);
        }
        let state = graph
            .index
            .keys()
            .map(|k| (k.clone(), State::Waiting))
            .collect();
        Scheduler {
            preds,
            succs,
            priority: graph.remaining_path_lengths(),
            state,
            stopped: None,
        }
    }

    pub fn state(&self, id: &str) -> Option<&State> {
        self.state.get(id)
    }

    pub fn states(&self) -> &BTreeMap<String, State> {
        &self.state
    }

    pub fn count(&self, f: impl Fn(&State) -> bool) -> usize {
        self.state.values().filter(|s| f(s)).count()
    }

    pub fn running(&self) -> Vec<&str> {
        self.state
            .iter()
            .filter(|(_, s)| **s == State::Running)
            .map(|(k, _)| k.as_str())
            .collect()
    }

    fn ready(&self, id: &str) -> bool {
        self.state[id] == State::Waiting
            && self.preds[id]
                .iter()
                .all(|p| self.state[p] == State::Succeeded)
    }

    /// The next module to start, marked running; `None` when nothing is ready (or stopped).
    pub fn start_next(&mut self) -> Option<String> {
        if self.stopped.is_some() {
            return None;
        }
        let best = self
            .state
            .keys()
            .filter(|id| self.ready(id))
            .max_by(|a, b| {
                self.priority[*a]
                    .cmp(&self.priority[*b])
                    .then_with(|| b.cmp(a))
            })?
            .clone();
        self.state.insert(best.clone(), State::Running);
        Some(best)
    }

    /// Record the end of a running module. Returns the modules newly skipped because of it,
    /// with their cause.
    pub fn finish(&mut self, id: &str, outcome: State) -> Vec<(String, String)> {
        debug_assert!(outcome.is_final());
        let failed = !matches!(outcome, State::Succeeded);
        let word = match outcome {
            State::Interrupted => "was interrupted",
            _ => "failed",
        };
        self.state.insert(id.to_string(), outcome);
        let mut skipped = Vec::new();
        if failed {
            let mut stack: Vec<String> = self.succs[id].iter().cloned().collect();
            let mut seen = BTreeSet::new();
            while let Some(n) = stack.pop() {
                if !seen.insert(n.clone()) {
                    continue;
                }
                if self.state[&n] == State::Waiting {
                    let cause = format!("needs {id}, which {word}");
                    self.state.insert(n.clone(), State::Skipped(cause.clone()));
                    skipped.push((n.clone(), cause));
                }
                stack.extend(self.succs[&n].iter().cloned());
            }
        }
        skipped.sort();
        skipped
    }

    /// Start nothing new; modules still waiting end as not started, with `cause`.
    pub fn stop(&mut self, cause: &str) {
        self.stopped.get_or_insert_with(|| cause.to_string());
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.is_some()
    }

    /// True when no module runs and none can start: the run is over.
    pub fn done(&self) -> bool {
        !self.state.values().any(|s| *s == State::Running)
            && (self.stopped.is_some() || !self.state.keys().any(|id| self.ready(id)))
    }

    /// At the end: every module still waiting becomes not started (stopped runs) — or, should
    /// anything be left waiting otherwise, skipped with the reason.
    pub fn close(&mut self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let stopped = self.stopped.clone();
        for (id, s) in self.state.iter_mut() {
            if *s == State::Waiting {
                let cause = stopped
                    .clone()
                    .unwrap_or_else(|| "its dependencies did not all succeed".to_string());
                *s = State::NotStarted(cause.clone());
                out.push((id.clone(), cause));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use petgraph::graph::DiGraph;

    fn graph(nodes: &[&str], edges: &[(&str, &str)]) -> DeployGraph {
        let mut g = DiGraph::new();
        let mut index = BTreeMap::new();
        for n in nodes {
            index.insert(n.to_string(), g.add_node(n.to_string()));
        }
        for (a, b) in edges {
            g.add_edge(index[*a], index[*b], crate::model::graph::Why::Dependency);
        }
        DeployGraph { graph: g, index }
    }

    #[test]
    fn critical_path_first() {
        // a → b → c, d alone: a starts before d although d sorts later only by id.
        let g = graph(&["a", "b", "c", "d"], &[("a", "b"), ("b", "c")]);
        let mut s = Scheduler::new(&g);
        assert_eq!(s.start_next().as_deref(), Some("a"));
        assert_eq!(s.start_next().as_deref(), Some("d"));
        assert_eq!(s.start_next(), None);
        s.finish("a", State::Succeeded);
        assert_eq!(s.start_next().as_deref(), Some("b"));
    }

    #[test]
    fn failure_skips_downstream_only() {
        let g = graph(
            &["a", "b", "c", "x", "y"],
            &[("a", "b"), ("b", "c"), ("x", "y")],
        );
        let mut s = Scheduler::new(&g);
        assert_eq!(s.start_next().as_deref(), Some("a"));
        assert_eq!(s.start_next().as_deref(), Some("x"));
        let skipped = s.finish("a", State::Failed);
        assert_eq!(
            skipped.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
        assert!(skipped[0].1.contains("needs a"));
        s.finish("x", State::Succeeded);
        assert_eq!(s.start_next().as_deref(), Some("y"));
        s.finish("y", State::Succeeded);
        assert!(s.done());
    }

    #[test]
    fn stop_starts_nothing_new() {
        let g = graph(&["a", "b", "c"], &[("a", "b")]);
        let mut s = Scheduler::new(&g);
        assert_eq!(s.start_next().as_deref(), Some("a"));
        s.stop("fail-fast");
        assert_eq!(s.start_next(), None);
        assert!(!s.done());
        s.finish("a", State::Succeeded);
        assert!(s.done());
        let left = s.close();
        assert_eq!(left.len(), 2);
        assert_eq!(
            s.state("c"),
            Some(&State::NotStarted("fail-fast".to_string()))
        );
    }
}
