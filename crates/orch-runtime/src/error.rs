//! Error types: [`JobError`] (what an executor reports), [`DispatchError`] (why a job could
//! not be dispatched) and [`RegisterError`] (why an executor could not be registered).

use std::fmt;
use std::sync::Arc;

use crate::job::JobId;

/// What kind of failure a [`JobError`] describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobErrorKind {
    /// The executor returned an error (the default kind).
    Executor,
    /// The executor panicked; the panic was caught and turned into this error.
    Panicked,
    /// An attempt ran longer than its per-attempt timeout.
    TimedOut,
    /// The job was cancelled (see [`JobOutcome::into_result`](crate::JobOutcome::into_result)).
    Cancelled,
    /// A [`CircuitBreaker`](crate::CircuitBreaker) was open and failed the call fast.
    CircuitOpen,
}

impl JobErrorKind {
    /// A short lowercase name: `"executor"`, `"panicked"`, `"timed_out"`, `"cancelled"`,
    /// `"circuit_open"`.
    pub fn name(self) -> &'static str {
        match self {
            JobErrorKind::Executor => "executor",
            JobErrorKind::Panicked => "panicked",
            JobErrorKind::TimedOut => "timed_out",
            JobErrorKind::Cancelled => "cancelled",
            JobErrorKind::CircuitOpen => "circuit_open",
        }
    }
}

/// The error an [`Executor`](crate::Executor) returns; it becomes a
/// [`EventKind::Failed`](crate::EventKind::Failed) event.
///
/// Cheap to clone (the message is reference counted). Any `std::error::Error + Send + Sync +
/// 'static` converts into it with `?` or `.into()`, keeping the chain of sources in the
/// message (`"outer: inner"`). For a plain message use [`JobError::new`].
///
/// `JobError` deliberately does **not** implement `std::error::Error` itself, so that the
/// blanket `From` conversion can exist (the same trade-off as `anyhow::Error`). For the same
/// reason `From<&str>`/`From<String>` cannot exist next to it: write `JobError::new("boom")`.
/// It does convert into `Box<dyn std::error::Error (+ Send + Sync)>`, so `?` works in a
/// `main` returning one.
///
/// ```
/// use orch_runtime::{JobError, JobErrorKind};
///
/// fn parse(input: &str) -> Result<u32, JobError> {
///     let n: u32 = input.parse()?; // ParseIntError -> JobError
///     if n == 0 {
///         return Err(JobError::new("zero is not allowed"));
///     }
///     Ok(n)
/// }
/// assert_eq!(parse("7").unwrap(), 7);
/// assert_eq!(parse("0").unwrap_err().message(), "zero is not allowed");
/// assert_eq!(parse("x").unwrap_err().kind(), JobErrorKind::Executor);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct JobError {
    kind: JobErrorKind,
    message: Arc<str>,
}

impl JobError {
    /// An executor error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Self::with_kind(JobErrorKind::Executor, message)
    }

    /// An error of the given kind with the given message.
    pub fn with_kind(kind: JobErrorKind, message: impl Into<String>) -> Self {
        let message: String = message.into();
        JobError { kind, message: Arc::from(message) }
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> JobErrorKind {
        self.kind
    }

    /// True if this error comes from an open [`CircuitBreaker`](crate::CircuitBreaker).
    pub fn is_circuit_open(&self) -> bool {
        self.kind == JobErrorKind::CircuitOpen
    }

    /// True if this error comes from a caught executor panic.
    pub fn is_panic(&self) -> bool {
        self.kind == JobErrorKind::Panicked
    }

    /// True if this error comes from a per-attempt timeout.
    pub fn is_timeout(&self) -> bool {
        self.kind == JobErrorKind::TimedOut
    }

    pub(crate) fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let detail = if let Some(s) = payload.downcast_ref::<&'static str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "non-string panic payload".to_owned()
        };
        JobError::with_kind(JobErrorKind::Panicked, format!("panicked: {detail}"))
    }
}

impl fmt::Debug for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobError").field("kind", &self.kind).field("message", &&*self.message).finish()
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for JobError {
    fn from(error: E) -> Self {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        JobError::new(message)
    }
}

// `?` from functions returning `Box<dyn Error>` (e.g. `main`): the same conversions as
// `anyhow::Error` offers.
impl From<JobError> for Box<dyn std::error::Error + Send + Sync + 'static> {
    fn from(error: JobError) -> Self {
        Box::new(StdJobError(error))
    }
}

impl From<JobError> for Box<dyn std::error::Error + Send + 'static> {
    fn from(error: JobError) -> Self {
        Box::new(StdJobError(error))
    }
}

impl From<JobError> for Box<dyn std::error::Error + 'static> {
    fn from(error: JobError) -> Self {
        Box::new(StdJobError(error))
    }
}

/// `JobError` as a `std::error::Error` (what the `Box<dyn Error>` conversions wrap).
#[derive(Debug)]
struct StdJobError(JobError);

impl fmt::Display for StdJobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for StdJobError {}

/// Why a job could not be dispatched. Returned synchronously by `dispatch*`; no event is
/// published for a job that was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchError {
    /// No executor is registered for this job type.
    NoExecutor {
        /// The job type's name ([`Job::job_type`](crate::Job::job_type)).
        job_type: &'static str,
    },
    /// `dispatch` was called outside a tokio runtime.
    NoRuntime,
    /// A job with the same dedup key is still running.
    Duplicate {
        /// The dedup key (or the job id, when the same explicit id is reused).
        key: String,
        /// The job that holds the key.
        running: JobId,
    },
    /// The dispatcher (or the orchestrator) has been shut down.
    Closed,
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DispatchError::NoExecutor { job_type } => write!(
                f,
                "no executor registered for job type `{job_type}`; register one with \
                 `builder.register::<{job_type}, _>(..)` before building the dispatcher"
            ),
            DispatchError::NoRuntime => f.write_str(
                "dispatch called outside a tokio runtime; call it from within a runtime \
                 (e.g. under #[tokio::main])",
            ),
            DispatchError::Duplicate { key, running } => {
                write!(f, "a job with key `{key}` is already running ({running})")
            }
            DispatchError::Closed => f.write_str("the dispatcher or orchestrator is shut down"),
        }
    }
}

impl std::error::Error for DispatchError {}

/// Why an executor could not be registered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterError {
    /// An executor is already registered for this job type (registration never overwrites).
    Duplicate {
        /// The job type's name.
        job_type: &'static str,
    },
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterError::Duplicate { job_type } => write!(
                f,
                "an executor is already registered for job type `{job_type}`; each job type \
                 has exactly one executor"
            ),
        }
    }
}

impl std::error::Error for RegisterError {}
