//! Publishing the catalogue: Markdown pages ([`docs`]), pictures of the deployment graph and the
//! event flow ([`pictures`]), a GitHub Actions workflow in deployment order ([`ci_github`]) and
//! the compliance report ([`compliance`]). Every output is a pure function of the catalogue, so
//! the committed copies can be checked for staleness like `render --check` does.

pub mod ci_github;
pub mod compliance;
pub mod docs;
pub mod pictures;
pub mod resources;

use crate::model::Catalog;
use crate::model::graph::{DeployGraph, Why};
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// Generated files, keyed by their path relative to the output folder (`/`-separated).
pub type Files = BTreeMap<String, Vec<u8>>;

/// The direct ordering constraints that no longer path implies (the transitive reduction of
/// the deployment graph), as `(from, to, why)` sorted by `(from, to)`. The graph must be acyclic
/// (the model rejects cycles).
pub fn reduced_edges(g: &DeployGraph) -> Vec<(String, String, Why)> {
    reduce(
        g.edge_list()
            .into_iter()
            .map(|e| (e.from, e.to, e.why))
            .collect(),
    )
}

/// The id of the gate node that stands for "phase `p` is complete".
pub fn gate_id(p: u32) -> String {
    format!("phase-{p}")
}

/// The reduced deployment graph with the phase gates drawn as nodes: every phase-gate edge
/// `a → b` (a last module of phase P before a first module of a phase P gates) becomes
/// `a → phase-P → b`, then the result is reduced again. Module-to-module ordering is the same
/// as the deployment graph's (the gate edges of seed 001 connect every last module of P to
/// every first module of each phase it gates), with far fewer edges.
pub fn gated_edges(cat: &Catalog, g: &DeployGraph) -> Vec<(String, String, Why)> {
    let mut out = Vec::new();
    for (a, b, why) in reduced_edges(g) {
        match (why, cat.module(&a).and_then(|m| m.phase)) {
            (Why::PhaseGate, Some(p)) => {
                out.push((a, gate_id(p), Why::PhaseGate));
                out.push((gate_id(p), b, Why::PhaseGate));
            }
            _ => out.push((a, b, why)),
        }
    }
    out.sort();
    out.dedup();
    reduce(out)
}

/// Transitive reduction of an acyclic edge list (petgraph's `tred`); with a cycle the whole list
/// is kept. Sorted by `(from, to)`, one edge per pair.
pub fn reduce(edges: Vec<(String, String, Why)>) -> Vec<(String, String, Why)> {
    use petgraph::algo::{toposort, tred};
    use petgraph::graph::{DiGraph, NodeIndex};
    let mut g: DiGraph<&str, ()> = DiGraph::new();
    let mut ix: BTreeMap<&str, NodeIndex> = BTreeMap::new();
    for (a, b, _) in &edges {
        for n in [a.as_str(), b.as_str()] {
            ix.entry(n).or_insert_with(|| g.add_node(n));
        }
    }
    for (a, b, _) in &edges {
        g.update_edge(ix[a.as_str()], ix[b.as_str()], ());
    }
    let Ok(order) = toposort(&g, None) else {
        let mut e = edges;
        e.sort();
        e.dedup();
        return e;
    };
    let (adj, pos) = tred::dag_to_toposorted_adjacency_list::<_, u32>(&g, &order);
    let (reduction, _) = tred::dag_transitive_reduction_closure(&adj);
    let kept = |a: &str, b: &str| reduction.contains_edge(pos[ix[a].index()], pos[ix[b].index()]);
    let mut out: Vec<(String, String, Why)> = edges
        .iter()
        .filter(|(a, b, _)| kept(a, b))
        .cloned()
        .collect();
    out.sort();
    out.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
    out
}

/// Files under `out` that differ from `files` or are missing, plus files that an earlier run
/// generated (they start with `marker`) and that are no longer generated. Sorted, relative.
pub fn stale_files(
    out: &Path,
    files: &Files,
    marker: &[u8],
    skip_content: &dyn Fn(&str) -> bool,
) -> io::Result<Vec<String>> {
    let mut stale = Vec::new();
    for (rel, want) in files {
        match std::fs::read(out.join(rel)) {
            Ok(have) if skip_content(rel) || have == *want => {}
            Ok(_) => stale.push(rel.clone()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => stale.push(rel.clone()),
            Err(e) => return Err(e),
        }
    }
    for rel in leftovers(out, files, marker)? {
        stale.push(rel);
    }
    stale.sort();
    stale.dedup();
    Ok(stale)
}

/// Generated files (starting with `marker`) under `out` that `files` no longer holds.
fn leftovers(out: &Path, files: &Files, marker: &[u8]) -> io::Result<Vec<String>> {
    let mut extra = Vec::new();
    if !out.is_dir() {
        return Ok(extra);
    }
    for entry in walkdir::WalkDir::new(out).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(out)
            .map_err(io::Error::other)?
            .to_string_lossy()
            .replace('\\', "/");
        if files.contains_key(&rel) {
            continue;
        }
        let head = read_head(entry.path(), marker.len())?;
        if head == marker {
            extra.push(rel);
        }
    }
    Ok(extra)
}

fn read_head(path: &Path, n: usize) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = vec![0; n];
    let mut f = std::fs::File::open(path)?;
    let mut got = 0;
    while got < n {
        let k = f.read(&mut buf[got..])?;
        if k == 0 {
            break;
        }
        got += k;
    }
    buf.truncate(got);
    Ok(buf)
}

/// What a write did.
#[derive(Debug, Default)]
pub struct Written {
    pub written: usize,
    pub unchanged: usize,
    pub removed: Vec<String>,
}

/// Write `files` below `out` (only those whose content changed, each through a temporary file
/// and a rename), and remove files an earlier run generated that are no longer generated.
pub fn write_files(out: &Path, files: &Files, marker: &[u8]) -> io::Result<Written> {
    let mut w = Written::default();
    for (rel, content) in files {
        if crate::atomic::write_if_changed(&out.join(rel), content)? {
            w.written += 1;
        } else {
            w.unchanged += 1;
        }
    }
    for rel in leftovers(out, files, marker)? {
        std::fs::remove_file(out.join(&rel))?;
        w.removed.push(rel);
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduction_drops_implied_edges_only() {
        let mut graph = petgraph::graph::DiGraph::new();
        let mut index = BTreeMap::new();
        for id in ["a", "b", "c", "d"] {
            index.insert(id.to_string(), graph.add_node(id.to_string()));
        }
        for (x, y) in [("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")] {
            graph.add_edge(index[x], index[y], Why::Dependency);
        }
        let g = DeployGraph { graph, index };
        let pairs: Vec<(String, String)> = reduced_edges(&g)
            .into_iter()
            .map(|(a, b, _)| (a, b))
            .collect();
        let want: Vec<(String, String)> = [("a", "b"), ("a", "d"), ("b", "c")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(pairs, want);
    }
}
