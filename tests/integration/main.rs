//! The integration tests: one binary, a fluent builder (support.rs) that runs the real
//! `bankgen` executable in a scratch folder.

mod check;
mod cli;
mod kinds;
mod publish;
mod render;
mod structure;
mod support;
