//! What a run would take: the scheduler driven by known module durations on `jobs` workers,
//! against the lower bound max(critical path, total work / jobs), and against a tighter one
//! that sees the phase gates ([`gated_lower_bound`]). No processes: the benches and
//! `scripts/bench` use it to judge the order the scheduler picks.

use super::{Scheduler, State, Weights, remaining_paths};
use crate::model::graph::{DeployGraph, Why};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, HashMap};

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

/// A lower bound that sees the phase gates, at least max(critical path, work / jobs).
///
/// For each module v, `start[v]` bounds when v can start: all its ancestors must have run
/// (at least max(their critical path, their work / jobs)), and for each ancestor u, the
/// modules between u and v can start only after u finished and must finish before v starts.
/// Every module whose ancestors include all of v's starts no sooner than v can, so the run
/// takes at least `start[v]` plus what those modules need (max(critical path, work / jobs)
/// again). The phase gates are where this binds: workers idle while the last modules of a
/// gated phase run, and the plain bound counts that time as usable.
pub fn gated_lower_bound(graph: &DeployGraph, durations: &Weights, jobs: usize) -> f64 {
    let weigh = durations.weigher();
    let Some(order) = graph.topo_order() else {
        return 0.0;
    };
    let n = order.len();
    let d: Vec<f64> = order.iter().map(|id| weigh(id)).collect();
    let at: HashMap<NodeIndex, usize> = order
        .iter()
        .enumerate()
        .map(|(i, id)| (graph.index[id], i))
        .collect();
    let neighbours = |i: usize, dir: Direction| -> Vec<usize> {
        graph
            .graph
            .neighbors_directed(graph.index[&order[i]], dir)
            .map(|x| at[&x])
            .collect()
    };
    let preds: Vec<Vec<usize>> = (0..n).map(|i| neighbours(i, Direction::Incoming)).collect();
    let succs: Vec<Vec<usize>> = (0..n).map(|i| neighbours(i, Direction::Outgoing)).collect();
    let ancestors = Bits::closure(n, |i| &preds[i], 0..n);
    let descendants = Bits::closure(n, |i| &succs[i], (0..n).rev());
    let workers = jobs.max(1) as f64;
    let need = |path: f64, work: f64| path.max(work / workers);
    // The longest path through a set of modules, in topological order.
    let mut finish = vec![0.0f64; n];
    let mut path_within = |members: &[usize], inside: &dyn Fn(usize) -> bool| {
        let mut longest = 0.0f64;
        for &x in members {
            let after = preds[x]
                .iter()
                .filter(|&&p| inside(p))
                .map(|&p| finish[p])
                .fold(0.0, f64::max);
            finish[x] = after + d[x];
            longest = longest.max(finish[x]);
        }
        longest
    };
    let mut start = vec![0.0f64; n];
    // to_v[x]: the heaviest path from x to v, both included (x an ancestor of v).
    let mut to_v = vec![0.0f64; n];
    let mut bound = 0.0f64;
    for v in 0..n {
        let anc_v = ancestors.row(v);
        to_v[v] = d[v];
        for x in (0..v).rev().filter(|&x| Bits::has(anc_v, x)) {
            to_v[x] = d[x]
                + succs[x]
                    .iter()
                    .filter(|&&s| s == v || Bits::has(anc_v, s))
                    .map(|&s| to_v[s])
                    .fold(0.0, f64::max);
        }
        let members: Vec<usize> = Bits::ones(anc_v).collect();
        let before = members.iter().map(|&x| to_v[x] - d[v]).fold(0.0, f64::max);
        let mut s = need(before, members.iter().map(|&x| d[x]).sum());
        for &u in &members {
            let between = Bits::ones_of_both(descendants.row(u), anc_v);
            let work: f64 = between.map(|x| d[x]).sum();
            s = s.max(start[u] + d[u] + need(to_v[u] - d[u] - d[v], work));
        }
        start[v] = s;
        // Only modules from v's place on, and paths among them: a subset keeps the bound valid.
        let gated_behind_v = |x: usize| x >= v && Bits::contains_all(ancestors.row(x), anc_v);
        let later: Vec<usize> = (v..n).filter(|&x| gated_behind_v(x)).collect();
        let work: f64 = later.iter().map(|&x| d[x]).sum();
        let path = path_within(&later, &gated_behind_v);
        bound = bound.max(s + need(path, work));
    }
    bound
}

/// One bit set per module (by topological position), all in one buffer.
struct Bits {
    words: usize,
    buf: Vec<u64>,
}

impl Bits {
    /// Row i: every module reachable from i through `next`, visited in `order` (each row's
    /// `next` modules before it).
    fn closure<'a>(
        n: usize,
        next: impl Fn(usize) -> &'a Vec<usize>,
        order: impl Iterator<Item = usize>,
    ) -> Bits {
        let words = n.div_ceil(64);
        let mut buf = vec![0u64; n * words];
        for i in order {
            let mut row = vec![0u64; words];
            for &j in next(i) {
                for (a, b) in row.iter_mut().zip(&buf[j * words..(j + 1) * words]) {
                    *a |= b;
                }
                row[j / 64] |= 1 << (j % 64);
            }
            buf[i * words..(i + 1) * words].copy_from_slice(&row);
        }
        Bits { words, buf }
    }

    fn row(&self, i: usize) -> &[u64] {
        &self.buf[i * self.words..(i + 1) * self.words]
    }

    fn has(row: &[u64], i: usize) -> bool {
        row[i / 64] & (1 << (i % 64)) != 0
    }

    fn contains_all(row: &[u64], of: &[u64]) -> bool {
        row.iter().zip(of).all(|(a, b)| b & !a == 0)
    }

    fn ones(row: &[u64]) -> impl Iterator<Item = usize> + '_ {
        Bits::ones_of_both(row, row)
    }

    fn ones_of_both<'a>(a: &'a [u64], b: &'a [u64]) -> impl Iterator<Item = usize> + 'a {
        a.iter().zip(b).enumerate().flat_map(|(k, (x, y))| {
            let mut w = x & y;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let bit = w.trailing_zeros() as usize;
                    w &= w - 1;
                    k * 64 + bit
                })
            })
        })
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
    use crate::deploy::sched::tests::graph;

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
    fn the_gated_bound_counts_the_idle_time_at_a_gate() {
        let ids = ["a", "b", "c", "d", "e", "f"];
        let w = Weights(
            ids.iter()
                .zip([4.0, 1.0, 1.0, 1.0, 1.0, 1.0])
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        // A gate: c, d, e and f each wait for a and b. On two workers b's worker idles while
        // a runs (4 s), then the four take 2 s: 6 s. The plain bound sees max(critical path 5,
        // work 9 / 2).
        let mut gate = Vec::new();
        for before in ["a", "b"] {
            for after in ["c", "d", "e", "f"] {
                gate.push((before, after));
            }
        }
        let g = graph(&ids, &gate);
        let s = simulate(&g, &w, &w, 2);
        let bound = gated_lower_bound(&g, &w, 2);
        assert_eq!((s.lower_bound(), bound, s.makespan), (5.0, 6.0, 6.0));
        // One worker: work-bound either way.
        assert_eq!(gated_lower_bound(&g, &w, 1), 9.0);
        // Without b→c, c still waits for a, and so do d, e and f: 6 s again.
        gate.retain(|e| *e != ("b", "c"));
        let g = graph(&ids, &gate);
        let s = simulate(&g, &w, &w, 2);
        let bound = gated_lower_bound(&g, &w, 2);
        assert_eq!((s.lower_bound(), bound, s.makespan), (5.0, 6.0, 6.0));
        // No gate at all: nothing to add to the plain bound.
        let g = graph(&ids, &[("a", "c")]);
        let s = simulate(&g, &w, &w, 2);
        assert_eq!((s.lower_bound(), gated_lower_bound(&g, &w, 2)), (5.0, 5.0));
    }

    /// On 100 small random graphs, none of 720 schedules each beats the gated bound, and the
    /// bound is never below the plain one.
    #[test]
    fn no_schedule_beats_the_gated_bound() {
        let ids = ["a", "b", "c", "d", "e", "f"];
        let mut rng = XorShift(99);
        let mut tighter = 0;
        for _ in 0..100 {
            let mut edges = Vec::new();
            for j in 1..ids.len() {
                for i in 0..j {
                    if rng.unit() < 0.35 {
                        edges.push((ids[i], ids[j]));
                    }
                }
            }
            let g = graph(&ids, &edges);
            let w = Weights(
                ids.iter()
                    .map(|k| (k.to_string(), (1 + rng.below(6)) as f64))
                    .collect(),
            );
            for jobs in [2, 3] {
                let plain = simulate(&g, &w, &w, jobs);
                let bound = gated_lower_bound(&g, &w, jobs);
                assert!(bound >= plain.lower_bound() - 1e-9);
                tighter += usize::from(bound > plain.lower_bound() + 1e-9);
                let mut best = f64::MAX;
                for perm in permutations(ids.len()) {
                    // Any ranking gives a schedule that keeps the order; rank weights
                    // 1, 10, 100, … in the permutation's order give 720 of them.
                    let ranks = Weights(
                        perm.iter()
                            .enumerate()
                            .map(|(r, &i)| (ids[i].to_string(), 10f64.powi(r as i32)))
                            .collect(),
                    );
                    best = best.min(simulate(&g, &w, &ranks, jobs).makespan);
                }
                assert!(
                    bound <= best + 1e-9,
                    "{edges:?} {w:?} -j {jobs}: bound {bound}, a schedule takes {best}"
                );
            }
        }
        assert!(tighter > 0, "some graphs have gates that bind");
    }

    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![Vec::new()];
        }
        let mut all = Vec::new();
        for p in permutations(n - 1) {
            for at in 0..=p.len() {
                let mut q = p.clone();
                q.insert(at, n - 1);
                all.push(q);
            }
        }
        all
    }

    #[test]
    fn random_graphs_keep_at_least_the_plain_bound() {
        let (g, w) = random_dag(300, 3);
        let s = simulate(&g, &w, &w, 8);
        let bound = gated_lower_bound(&g, &w, 8);
        assert!(bound >= s.lower_bound() - 1e-9);
        assert!(s.makespan >= bound - 1e-9);
    }

    #[test]
    fn a_chain_takes_its_sum() {
        let (g, w) = random_dag(1, 7);
        let s = simulate(&g, &w, &w, 4);
        assert_eq!(s.makespan, s.critical_path);
    }
}
