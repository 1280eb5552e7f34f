//! Deploy scheduling. First a table (printed, not timed): the makespan the scheduler reaches
//! with known module durations against the lower bound max(critical path, total work / N), on
//! the shipped deployment graph and on random graphs of 1,000 modules, ranking by weighed
//! paths and, for comparison, by path length alone (every module weighing 1). Then criterion
//! times the scheduler itself: a whole simulated run of 1,000 modules, i.e. every start and
//! finish decision bankgen makes.
//!
//! `SCHED_REPORT=FILE` (a `--report` JSON of a real run of the shipped catalogue, or of the
//! catalogue folder `SCHED_CATALOG`) replaces the table by that run: its makespan against the
//! bounds and against the simulated run of its own measured durations. `SCHED_SLEEPS=D` prints
//! the table's shipped-graph durations over D as sleeps for tests/stub-tofu instead.

use bankgen::catalog::CatalogSource;
use bankgen::deploy::sched::Weights;
use bankgen::deploy::sched::sim::{Simulation, gated_lower_bound, random_dag, simulate};
use bankgen::model::graph::DeployGraph;
use criterion::{Criterion, criterion_group};
use std::hint::black_box;

fn shipped_graph() -> DeployGraph {
    let (cat, _) = bankgen::load_catalog(&CatalogSource::Embedded).expect("the catalogue loads");
    DeployGraph::build(&cat)
}

/// Durations for the shipped graph, reproducible: the same skew as the random graphs.
fn shipped_durations(g: &DeployGraph) -> Weights {
    let (_, w) = random_dag(g.index.len(), 42);
    Weights(
        g.index
            .keys()
            .zip(w.0.values())
            .map(|(k, v)| (k.clone(), *v))
            .collect(),
    )
}

fn row(what: &str, jobs: usize, gated: f64, weighed: Simulation, unit: Simulation) {
    println!(
        "{what:<28} -j {jobs:<3} bound {:>7.1} s  gated bound {:>7.1} s  weighed {:>7.1} s ({:.3}x, {:.3}x the gated bound)  unit {:>7.1} s ({:.3}x)",
        weighed.lower_bound(),
        gated,
        weighed.makespan,
        weighed.ratio(),
        weighed.makespan / gated,
        unit.makespan,
        unit.ratio()
    );
}

fn table() {
    let unit = Weights::default();
    let g = shipped_graph();
    let d = shipped_durations(&g);
    for jobs in [4, 8, 16] {
        row(
            "shipped graph (142 modules)",
            jobs,
            gated_lower_bound(&g, &d, jobs),
            simulate(&g, &d, &d, jobs),
            simulate(&g, &d, &unit, jobs),
        );
    }
    let mut worst: f64 = 0.0;
    let mut gated = 0;
    for seed in 1..=10 {
        let (g, d) = random_dag(1000, seed);
        for jobs in [4, 8, 16] {
            let s = simulate(&g, &d, &d, jobs);
            let bound = gated_lower_bound(&g, &d, jobs);
            worst = worst.max(s.ratio());
            gated += usize::from(bound > s.lower_bound() + 1e-9);
            if seed <= 2 {
                row(
                    &format!("random 1,000, seed {seed}"),
                    jobs,
                    bound,
                    s,
                    simulate(&g, &d, &unit, jobs),
                );
            }
        }
    }
    println!(
        "random 1,000 modules, seeds 1-10, -j 4/8/16: worst weighed makespan / bound {worst:.3} \
         (the gated bound above the plain one in {gated} of 30)"
    );
}

fn real_run(path: &str) {
    let text = std::fs::read_to_string(path).expect("the report");
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let jobs = report["jobs"].as_u64().unwrap_or(4) as usize;
    let modules = report["modules"].as_array().expect("modules");
    let makespan = modules
        .iter()
        .filter_map(|m| m["finished_s"].as_f64())
        .fold(0.0, f64::max);
    let measured = Weights::from_report(&text).expect("durations");
    // The run's catalogue: `SCHED_CATALOG` (a folder), else the shipped one.
    let g = match std::env::var("SCHED_CATALOG") {
        Ok(dir) if !dir.is_empty() => {
            let (cat, _) = bankgen::load_catalog(&CatalogSource::Dir(dir.into()))
                .expect("the catalogue loads");
            DeployGraph::build(&cat)
        }
        _ => shipped_graph(),
    };
    let g = g.restrict(&measured.0.keys().cloned().collect());
    // The runner ranked by the durations it had recorded before (`SCHED_RANKED_BY`: a copy of
    // that durations.json), else by path length: the same ranking here, so the difference is
    // bankgen's own time between modules.
    let ranked_by = match std::env::var("SCHED_RANKED_BY") {
        Ok(p) => {
            let t: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(p).expect("durations"))
                    .expect("JSON");
            Weights(serde_json::from_value(t["apply"].clone()).expect("module → seconds"))
        }
        Err(_) => Weights::default(),
    };
    let ideal = simulate(&g, &measured, &ranked_by, jobs);
    let gated = gated_lower_bound(&g, &measured, jobs);
    // What this report's durations, given to the scheduler as weights, would reach.
    let weighed = simulate(&g, &measured, &measured, jobs);
    let n = measured.0.len();
    println!(
        "real run, {n} modules, -j {jobs}: makespan {makespan:.2} s, bound {:.2} s ({:.3}x), gated bound {:.2} s ({:.3}x); \
         simulated with its own durations and the same ranking {:.2} s, so bankgen's overhead is {:.2} ms per module; \
         ranked by these durations as weights the simulation reaches {:.2} s ({:.3}x)",
        ideal.lower_bound(),
        makespan / ideal.lower_bound(),
        gated,
        makespan / gated,
        ideal.makespan,
        (makespan - ideal.makespan) / n as f64 * 1e3,
        weighed.makespan,
        weighed.ratio()
    );
}

fn decisions(c: &mut Criterion) {
    let (g, d) = random_dag(1000, 1);
    c.bench_function("sched_simulated_run_1000_modules_j8", |b| {
        b.iter(|| simulate(black_box(&g), &d, &d, 8))
    });
}

criterion_group!(benches, decisions);

/// `STUB_SLEEP_<MOD>=seconds` lines for tests/stub-tofu: the table's shipped-graph durations
/// divided by `divisor`, so a real run can be set beside the simulated one.
fn stub_sleeps(divisor: f64) {
    let g = shipped_graph();
    for (id, secs) in shipped_durations(&g).0 {
        println!("STUB_SLEEP_{}={:.3}", id.replace('-', "_"), secs / divisor);
    }
}

fn main() {
    if let Ok(divisor) = std::env::var("SCHED_SLEEPS") {
        return stub_sleeps(divisor.parse().expect("SCHED_SLEEPS is a number"));
    }
    match std::env::var("SCHED_REPORT") {
        Ok(path) => real_run(&path),
        Err(_) => {
            table();
            benches();
            criterion::Criterion::default()
                .configure_from_args()
                .final_summary();
        }
    }
}
