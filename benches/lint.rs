//! In-process lint figures: the rendered dev tree of the shipped catalogue, read from disk and
//! linted with the catalogue as context (what `bankgen lint out/dev` does after loading).

use bankgen::catalog::CatalogSource;
use bankgen::lint::{self, Policies, Request};
use bankgen::render::{Options, render_envs, write_trees};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let (cat, _) = bankgen::load_catalog(&CatalogSource::Embedded).expect("the catalogue loads");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let trees = render_envs(&cat, &["dev".to_string()], &Options::default()).unwrap();
    write_trees(dir.path(), &trees).expect("the tree is written");
    let policies = Policies::load(None).expect("the embedded policies");
    let req = Request {
        paths: vec![dir.path().join("dev")],
        catalog: lint::Catalogue::Ready(Some(&cat)),
        catalogue_rules: false,
        policies: &policies,
    };
    let resources = lint::lint(&req).expect("the tree lints").stats.resources;
    let mut group = c.benchmark_group("lint");
    group.sample_size(20);
    group.throughput(Throughput::Elements(resources as u64));
    group.bench_function("rendered_dev_tree", |b| {
        b.iter(|| lint::lint(black_box(&req)).unwrap())
    });
    group.bench_function("catalogue_rules", |b| {
        b.iter(|| lint::lint_catalogue(black_box(&cat), &policies))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
