//! User-facing errors: what failed, on which path, what to do, and the exit code.
//!
//! Commands return `anyhow::Result`. Anything that should reach the user with a specific exit
//! code or a hint is (or wraps) a [`Failure`]; everything else is reported with exit code 1.
//! The single reporter lives in `main.rs` (via [`crate::output::report_error`]).

use std::fmt;
use std::path::{Path, PathBuf};

/// Process exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// A user-facing failure: lint violations, a conflict, a failed check.
    Failure,
    /// A usage or configuration error.
    Usage,
    /// Stopped by this signal (SIGINT, SIGTERM, SIGHUP) after undoing what was started: exits
    /// 128 + the signal's number, as the shell reports a process the signal killed.
    Interrupted(u8),
}

impl ExitKind {
    /// The numeric process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitKind::Failure => 1,
            ExitKind::Usage => 2,
            ExitKind::Interrupted(signal) => 128u8.saturating_add(signal),
        }
    }
}

/// An error meant for the user: message, optional path, optional hint, exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code class.
    pub kind: ExitKind,
    /// What failed.
    pub message: String,
    /// The path concerned, if any (printed relative where possible).
    pub path: Option<PathBuf>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Failure {
    /// A usage or configuration error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure { kind: ExitKind::Usage, message: message.into(), path: None, hint: None }
    }

    /// A user-facing failure (exit code 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Failure { kind: ExitKind::Failure, message: message.into(), path: None, hint: None }
    }

    /// Attach the path concerned.
    pub fn at(mut self, path: impl AsRef<Path>) -> Self {
        self.path = Some(path.as_ref().to_path_buf());
        self
    }

    /// Attach a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{}: {}", path.display(), self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Failure {}

/// Signals that the command already reported its outcome (e.g. lint findings) and only the
/// exit code remains to be set. The reporter prints nothing for it.
#[derive(Debug)]
pub struct Silent(pub ExitKind);

impl fmt::Display for Silent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit code {}", self.0.code())
    }
}

impl std::error::Error for Silent {}

/// The exit kind and hint of an error chain: the outermost [`Failure`] or [`Silent`] decides;
/// anything else is a failure (1) without a hint.
pub fn classify(err: &anyhow::Error) -> (ExitKind, Option<&str>) {
    // `anyhow::Error::context(failure)` wraps the failure in a private type that `chain()` does
    // not downcast through; `downcast_ref` does (outermost context first).
    if let Some(f) = err.downcast_ref::<Failure>() {
        return (f.kind, f.hint.as_deref());
    }
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return (f.kind, f.hint.as_deref());
        }
        if let Some(s) = cause.downcast_ref::<Silent>() {
            return (s.0, None);
        }
    }
    (ExitKind::Failure, None)
}

/// Whether the error chain was caused by writing to a closed pipe (`orch ... | head`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outermost_failure_decides_exit_code_and_hint() {
        let err =
            anyhow::Error::new(Failure::usage("bad name").hint("use snake_case")).context("while planning");
        let (kind, hint) = classify(&err);
        assert_eq!(kind.code(), 2);
        assert_eq!(hint, Some("use snake_case"));
    }

    #[test]
    fn a_failure_given_as_context_decides_too() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let err = anyhow::Error::new(io).context(Failure::usage("cannot use directory x").hint("check -C"));
        assert_eq!(classify(&err), (ExitKind::Usage, Some("check -C")));
    }

    #[test]
    fn plain_errors_exit_1() {
        let err = anyhow::anyhow!("boom");
        assert_eq!(classify(&err), (ExitKind::Failure, None));
    }

    #[test]
    fn broken_pipe_is_detected_through_context() {
        let err = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing output");
        assert!(is_broken_pipe(&err));
        assert!(!is_broken_pipe(&anyhow::anyhow!("x")));
    }
}
