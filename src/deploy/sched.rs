//! The scheduler: which module may start now. Pure state, no processes, so it is tested alone.
//!
//! A module is ready when every module it waits for (within the run) succeeded. Among ready
//! modules the one with the longest path still to run from it (itself included) starts first,
//! so the critical path starts first; ties by id. A path is weighed by the modules' expected
//! durations when they are known ([`Weights`], e.g. from a previous run's report), else every
//! module counts as 1. A failure skips every module downstream of it, with the cause;
//! independent branches go on. `stop` (fail-fast, interrupt) starts nothing new.

pub mod sim;

use crate::model::graph::DeployGraph;
use std::cmp::Reverse;
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

/// Expected seconds per module. A module without one weighs the mean of the known ones, so a
/// new module neither jumps the queue nor waits behind everything.
#[derive(Debug, Clone, Default)]
pub struct Weights(pub BTreeMap<String, f64>);

impl Weights {
    /// The `duration_s` of every module that ran in a `--report` JSON file.
    pub fn from_report(json: &str) -> Result<Weights, String> {
        let v: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let modules = v["modules"]
            .as_array()
            .ok_or("the report has no `modules` list")?;
        Ok(Weights(
            modules
                .iter()
                .filter(|m| m["status"] == "ok")
                .filter_map(|m| Some((m["id"].as_str()?.to_string(), m["duration_s"].as_f64()?)))
                .collect(),
        ))
    }

    /// Each module's weight: its own, else the mean of the known ones (1 when none is known).
    pub fn weigher(&self) -> impl Fn(&str) -> f64 + '_ {
        let known: Vec<f64> = self.0.values().copied().filter(|w| *w > 0.0).collect();
        let fallback = if known.is_empty() {
            1.0
        } else {
            known.iter().sum::<f64>() / known.len() as f64
        };
        move |id| {
            self.0
                .get(id)
                .copied()
                .filter(|w| *w > 0.0)
                .unwrap_or(fallback)
        }
    }
}

/// For each module, the weight of the heaviest path that starts at it, itself included.
pub fn remaining_paths(graph: &DeployGraph, weights: &Weights) -> BTreeMap<String, f64> {
    let w = weights.weigher();
    let Some(order) = graph.topo_order() else {
        return graph.index.keys().map(|k| (k.clone(), w(k))).collect();
    };
    let mut len: BTreeMap<String, f64> = BTreeMap::new();
    for id in order.iter().rev() {
        let best = graph
            .graph
            .neighbors(graph.index[id])
            .map(|x| len[&graph.graph[x]])
            .fold(0.0, f64::max);
        len.insert(id.clone(), best + w(id));
    }
    len
}

/// A ready module's place in the queue: the heaviest remaining path (in microseconds, so it
/// orders exactly), then the smaller id.
type Rank = (u64, Reverse<String>);

pub struct Scheduler {
    succs: BTreeMap<String, BTreeSet<String>>,
    priority: BTreeMap<String, u64>,
    /// Modules it waits for that have not succeeded yet.
    pending: BTreeMap<String, usize>,
    ready: BTreeSet<Rank>,
    state: BTreeMap<String, State>,
    stopped: Option<String>,
}

impl Scheduler {
    /// Over every node of `graph` (already restricted to the run, and reversed for destroy),
    /// every module weighing 1.
    pub fn new(graph: &DeployGraph) -> Scheduler {
        Scheduler::with_weights(graph, &Weights::default())
    }

    /// As [`Scheduler::new`], with paths weighed by expected durations.
    pub fn with_weights(graph: &DeployGraph, weights: &Weights) -> Scheduler {
        let mut succs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut pending: BTreeMap<String, usize> = BTreeMap::new();
        for id in graph.index.keys() {
            succs.entry(id.clone()).or_default();
            pending.insert(id.clone(), 0);
        }
        for e in graph.edge_list() {
            *pending.entry(e.to.clone()).or_default() += 1;
            succs.entry(e.from).or_default().insert(e.to);
        }
        let priority: BTreeMap<String, u64> = remaining_paths(graph, weights)
            .into_iter()
            .map(|(k, v)| (k, (v * 1e6).round() as u64))
            .collect();
        let ready = pending
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(id, _)| (priority[id], Reverse(id.clone())))
            .collect();
        let state = graph
            .index
            .keys()
            .map(|k| (k.clone(), State::Waiting))
            .collect();
        Scheduler {
            succs,
            priority,
            pending,
            ready,
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

    /// The next module to start, marked running; `None` when nothing is ready (or stopped).
    pub fn start_next(&mut self) -> Option<String> {
        if self.stopped.is_some() {
            return None;
        }
        let (_, Reverse(best)) = self.ready.pop_last()?;
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
        if !failed {
            for n in &self.succs[id] {
                let left = self.pending.get_mut(n).expect("every node");
                *left -= 1;
                if *left == 0 && self.state[n] == State::Waiting {
                    self.ready.insert((self.priority[n], Reverse(n.clone())));
                }
            }
        } else {
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
            && (self.stopped.is_some() || self.ready.is_empty())
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

    /// A graph of `nodes` with `edges` (also for the simulator's tests).
    pub(super) fn graph(nodes: &[&str], edges: &[(&str, &str)]) -> DeployGraph {
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
    fn known_durations_outweigh_path_length() {
        // a → b → c takes 3 s in all; d alone takes 10 s: with durations d starts first.
        let g = graph(&["a", "b", "c", "d"], &[("a", "b"), ("b", "c")]);
        let w = Weights(
            [("a", 1.0), ("b", 1.0), ("c", 1.0), ("d", 10.0)]
                .map(|(k, v)| (k.to_string(), v))
                .into(),
        );
        let mut s = Scheduler::with_weights(&g, &w);
        assert_eq!(s.start_next().as_deref(), Some("d"));
        assert_eq!(s.start_next().as_deref(), Some("a"));
    }

    #[test]
    fn weights_come_from_a_report() {
        let json = r#"{"modules": [
            {"id": "a", "status": "ok", "duration_s": 4.5},
            {"id": "b", "status": "failed", "duration_s": 0.2},
            {"id": "c", "status": "ok", "duration_s": 1.5}]}"#;
        let w = Weights::from_report(json).unwrap();
        let of = w.weigher();
        assert_eq!((of("a"), of("c")), (4.5, 1.5));
        // b failed early: its time says nothing, so it weighs the mean of the others.
        assert_eq!(of("b"), 3.0);
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
