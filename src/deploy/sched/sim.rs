//! What a run would take: the scheduler driven by known module durations on `jobs` workers,
//! against the lower bound max(critical path, total work / jobs). No processes: the benches
//! and `scripts/bench` use it to judge the order the scheduler picks.

use super::{Scheduler, State, Weights, remaining_paths};
use crate::model::graph::{DeployGraph, Why};
use petgraph::graph::DiGraph;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy)]
pub struct Simulation {
    pub makespan: f64,
    pub critical_path: f64,
    pub total_work: f64,
    pub jobs: usize,
}

impl Simulation {
    /// No schedule can finish sooner.
    pub fn lower_bound(&self) -> f64 {
        self.critical_path
            .max(self.total_work / self.jobs.max(1) as f64)
    }

    pub fn ratio(&self) -> f64 {
        self.makespan / self.lower_bound()
    }
}

/// Run `graph` with `durations` (seconds per module); the scheduler ranks by `priorities`.
pub fn simulate(
    graph: &DeployGraph,
    durations: &Weights,
    priorities: &Weights,
    jobs: usize,
) -> Simulation {
    let d = durations.weigher();
    let mut sched = Scheduler::with_weights(graph, priorities);
    let mut running: Vec<(f64, String)> = Vec::new();
    let mut now = 0.0f64;
    loop {
        while running.len() < jobs.max(1) {
            let Some(m) = sched.start_next() else { break };
            running.push((now + d(&m), m));
        }
        // The next module to finish (few run at once: a scan is enough).
        let Some(i) = (0..running.len()).min_by(|&a, &b| running[a].0.total_cmp(&running[b].0))
        else {
            break;
        };
        let (end, m) = running.swap_remove(i);
        now = end;
        sched.finish(&m, State::Succeeded);
    }
    Simulation {
        makespan: now,
        critical_path: remaining_paths(graph, durations)
            .values()
            .copied()
            .fold(0.0, f64::max),
        total_work: graph.index.keys().map(|k| d(k)).sum(),
        jobs,
    }
}

/// A random deployment graph of `n` modules with durations, reproducible from `seed`: each
/// module depends on up to three of the 50 before it, and durations are skewed (most modules
/// take seconds, a few take minutes), as Terraform applies are.
pub fn random_dag(n: usize, seed: u64) -> (DeployGraph, Weights) {
    let mut rng = XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut graph = DiGraph::new();
    let mut index = BTreeMap::new();
    let mut nodes = Vec::with_capacity(n);
    let mut weights = BTreeMap::new();
    for i in 0..n {
        let id = format!("M{i:05}");
        let node = graph.add_node(id.clone());
        index.insert(id.clone(), node);
        nodes.push(node);
        let u = rng.unit();
        let secs = if u < 0.05 {
            60.0 + 240.0 * rng.unit()
        } else {
            2.0 + 28.0 * rng.unit()
        };
        weights.insert(id, secs);
        if i > 0 {
            let mut preds: Vec<usize> = (0..rng.below(4))
                .map(|_| i - 1 - rng.below(i.min(50)))
                .collect();
            preds.sort_unstable();
            preds.dedup();
            for p in preds {
                graph.add_edge(nodes[p], node, Why::Dependency);
            }
        }
    }
    (DeployGraph { graph, index }, Weights(weights))
}

/// Enough randomness for test graphs, without a dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_priorities_come_close_to_the_bound() {
        for seed in 1..=5 {
            let (g, w) = random_dag(1000, seed);
            for jobs in [4, 8, 16] {
                let s = simulate(&g, &w, &w, jobs);
                assert!(s.makespan >= s.lower_bound() - 1e-6);
                assert!(s.ratio() <= 1.05, "seed {seed}, -j {jobs}: {s:?}");
            }
        }
    }

    #[test]
    fn a_chain_takes_its_sum() {
        let (g, w) = random_dag(1, 7);
        let s = simulate(&g, &w, &w, 4);
        assert_eq!(s.makespan, s.critical_path);
    }
}
