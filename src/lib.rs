//! `orch`: scaffold and check Rust applications built on the event-driven orchestrator pattern.
//!
//! The binary (`main.rs`) only parses arguments and maps the result to an exit code; the
//! modules here do the work. See `ARCHITECTURE.md` for the codemap and invariants.

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod config;
pub mod doctor;
pub mod error;
pub mod generate;
pub mod graph;
pub mod lint;
pub mod lint_levels;
pub mod names;
pub mod output;
pub mod plan;
pub mod project;
pub mod record;
pub mod remove;
pub mod style;
pub mod templates;
pub mod unwire;
pub mod wiring;
pub mod workspace;
pub mod writer;
