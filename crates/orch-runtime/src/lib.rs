//! orch-runtime
