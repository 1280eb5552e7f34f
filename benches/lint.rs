//! In-process lint figures: the rendered dev tree of the shipped catalogue, read from disk and
//! linted with the catalogue as context (what `bankgen lint out/dev` does after loading); its files
//! parsed by each of the two parsers; the catalogue rules.

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
        inputs: Default::default(),
    };
    let resources = lint::lint(&req).expect("the tree lints").stats.resources;
    let mut group = c.benchmark_group("lint");
    group.sample_size(20);
    group.throughput(Throughput::Elements(resources as u64));
    group.bench_function("rendered_dev_tree", |b| {
        b.iter(|| lint::lint(black_box(&req)).unwrap())
    });
    // The two parsers on the same rendered files: the subset parser the linter tries first,
    // and hcl-edit (plus the conversion to the same model), which it falls back to.
    let texts: Vec<&String> = trees[0]
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".tf"))
        .map(|(_, text)| text)
        .collect();
    group.bench_function("parse_dev_tree_subset", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(lint::subset::parse(t).expect("rendered HCL is in the subset"));
            }
        })
    });
    group.bench_function("parse_dev_tree_hcl_edit", |b| {
        b.iter(|| {
            for t in &texts {
                let body = hcl::edit::parser::parse_body(t).expect("rendered HCL parses");
                black_box(lint::value::convert_body(&body));
            }
        })
    });
    group.bench_function("catalogue_rules", |b| {
        b.iter(|| lint::lint_catalogue(black_box(&cat), &policies))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
