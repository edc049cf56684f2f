//! The CLI integration tests: one binary, one module per area.

mod bad_input;
mod e2e;
mod format;
mod generate;
mod help;
mod init;
mod remove;
mod support;
