//! The CLI integration tests: one binary, one module per area.

mod bad_input;
mod completions;
mod config_paths;
mod doctor;
mod e2e;
mod examples;
mod format;
mod generate;
mod graph;
mod help;
mod init;
mod interrupt;
mod lint;
mod lint_bounds;
mod lint_modtree;
mod lint_real_code;
mod list;
mod names;
mod property;
mod refusals;
mod remove;
mod support;
mod suppress;
mod template;
mod wiring;
mod workspace;
