//! Resources that hold data: what render records in `Tree.stateful` is exactly the rendered
//! blocks of the types the kinds declare stateful, in every environment and provider profile of
//! both shipped catalogues (the unserved kinds of an emulator included: neither rendered nor
//! recorded).

use super::support::{load_catalog, repo};
use bankgen::kinds;
use bankgen::model::Profile;
use bankgen::render::{Options, Tree, render_env};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};

/// `MOD-ID` → the addresses of its rendered blocks whose type holds data, read from the text.
fn rendered_stateful(tree: &Tree) -> BTreeMap<String, BTreeSet<String>> {
    let types = kinds::stateful_types();
    let block = Regex::new(r#"(?m)^resource "([a-z0-9_]+)" "([A-Za-z0-9_-]+)""#).expect("regex");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &tree.files {
        let module = path.split('/').next().expect("MOD/file").to_string();
        for c in block.captures_iter(text) {
            if types.contains(&&c[1]) {
                out.entry(module.clone())
                    .or_default()
                    .insert(format!("{}.{}", &c[1], &c[2]));
            }
        }
    }
    out
}

/// Every way one environment renders: its own profile and the other one.
fn renders(catalog: &str) -> Vec<(String, Tree)> {
    let cat = load_catalog(&repo().join(catalog));
    let mut out = Vec::new();
    for env in cat.environment_names() {
        for profile in [None, Some(Profile::V6), Some(Profile::Legacy)] {
            let opts = Options {
                profile,
                ..Options::default()
            };
            let tree = render_env(&cat, env, &opts)
                .unwrap_or_else(|p| panic!("{catalog} {env} does not render: {p:?}"));
            out.push((format!("{catalog} {env} {profile:?}"), tree));
        }
    }
    out
}

#[test]
fn every_rendered_block_that_holds_data_is_recorded_and_every_record_is_rendered() {
    let mut checked = 0;
    for catalog in ["catalog", "examples/global-platform"] {
        for (what, tree) in renders(catalog) {
            let rendered = rendered_stateful(&tree);
            let mut recorded: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (module, list) in &tree.stateful {
                for s in list {
                    assert!(
                        recorded
                            .entry(module.clone())
                            .or_default()
                            .insert(s.address.clone()),
                        "{what}: {module} records {} twice",
                        s.address
                    );
                    assert!(
                        s.entry.contains(' ') && s.loc.line > 0,
                        "{what}: {module} {} has no entry or place: {s:?}",
                        s.address
                    );
                }
            }
            for (module, want) in &rendered {
                let got = recorded.get(module).cloned().unwrap_or_default();
                let missing: Vec<_> = want.difference(&got).collect();
                assert!(
                    missing.is_empty(),
                    "{what}: {module} renders blocks that hold data but does not record them: {missing:?}"
                );
            }
            for (module, got) in &recorded {
                let want = rendered.get(module).cloned().unwrap_or_default();
                let absent: Vec<_> = got.difference(&want).collect();
                assert!(
                    absent.is_empty(),
                    "{what}: {module} records addresses its files do not have: {absent:?}"
                );
            }
            checked += rendered.values().map(BTreeSet::len).sum::<usize>();
        }
    }
    // Both catalogues render hundreds of such blocks: the comparison above is not vacuous.
    assert!(checked > 1000, "only {checked} stateful blocks compared");
}
