//! In-process render figures: the shipped catalogue (every environment) and synthetic
//! catalogues of 150 / 1,000 modules (10,000 with `BENCH_10K=1`: minutes of samples).
//! Rendering only: catalogue loading and writing files are outside the timed part.

use bankgen::catalog::{CatalogSource, synth};
use bankgen::model::Catalog;
use bankgen::render::{Options, render_envs};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn load(source: &CatalogSource) -> Catalog {
    bankgen::load_catalog(source)
        .expect("the catalogue loads")
        .0
}

fn envs(cat: &Catalog) -> Vec<String> {
    cat.platform
        .environments
        .iter()
        .map(|e| e.name.clone())
        .collect()
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_all_envs");
    group.sample_size(10);
    let shipped = load(&CatalogSource::Embedded);
    group.throughput(Throughput::Elements(shipped.modules.len() as u64));
    group.bench_function("shipped", |b| {
        b.iter(|| render_envs(black_box(&shipped), &envs(&shipped), &Options::default()).unwrap())
    });
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut sizes = vec![150, 1_000];
    if std::env::var_os("BENCH_10K").is_some() {
        sizes.push(10_000);
    }
    for n in sizes {
        let out = dir.path().join(n.to_string());
        synth::generate(&out, n, 1).expect("a synthetic catalogue");
        let cat = load(&CatalogSource::Dir(out));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("synthetic", n), &cat, |b, cat| {
            b.iter(|| render_envs(black_box(cat), &envs(cat), &Options::default()).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
