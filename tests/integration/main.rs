//! The integration tests: one binary (each test file here is a module of it, so the crate is
//! linked once), and one support module (support.rs): a fluent builder that runs the real
//! `bankgen` executable in a scratch folder, and the shared helpers.

mod access;
mod check;
mod cli;
mod deploy_stub;
mod graph_seed001;
mod kinds;
mod lint_catalogue;
mod lint_eval;
mod lint_output;
mod lint_rendered;
mod lint_rules;
mod publish;
mod realworld;
mod render;
mod stateful;
mod structure;
mod support;
