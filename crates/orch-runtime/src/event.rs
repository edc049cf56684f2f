//! Events: what happened to a job. [`Event`] carries the correlation id, the job type, the
//! scope, a timestamp and an [`EventKind`]. Typed payloads (the job's output, domain events)
//! are read back with [`Event::output`] and [`Event::domain`], without `unsafe`.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::error::JobError;
use crate::job::{Job, JobId};

/// A type-erased, reference-counted value (a job's output or a domain event). Its `Debug`
/// shows the type name.
#[derive(Clone)]
pub struct Payload {
    value: Arc<dyn Any + Send + Sync>,
    type_name: &'static str,
}

impl Payload {
    /// Wrap a value.
    pub fn new<T: Send + Sync + 'static>(value: T) -> Self {
        Self::from_arc(Arc::new(value))
    }

    /// Wrap an already shared value (no copy).
    pub fn from_arc<T: Send + Sync + 'static>(value: Arc<T>) -> Self {
        Payload { value, type_name: std::any::type_name::<T>() }
    }

    /// The value, if it is a `T`.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        self.value.downcast_ref::<T>()
    }

    /// A shared handle to the value, if it is a `T`.
    pub fn downcast_arc<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        Arc::clone(&self.value).downcast::<T>().ok()
    }

    /// True if the value is a `T`.
    pub fn is<T: 'static>(&self) -> bool {
        self.value.is::<T>()
    }

    /// The full type name of the value.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Payload({})", self.type_name)
    }
}

/// Progress of a running job.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Completed fraction, clamped to `0.0..=1.0` (NaN becomes 0).
    pub fraction: f32,
    /// Optional human-readable message.
    pub message: Option<String>,
    /// Optional "step n of m".
    pub step: Option<(u32, u32)>,
}

impl Progress {
    /// Progress with a fraction (clamped) and a message.
    pub fn new(fraction: f32, message: impl Into<String>) -> Self {
        let message: String = message.into();
        Progress {
            fraction: clamp_fraction(fraction),
            message: if message.is_empty() { None } else { Some(message) },
            step: None,
        }
    }

    /// Progress "step `step` of `of`"; the fraction is `step / of` (clamped).
    pub fn step(step: u32, of: u32, message: impl Into<String>) -> Self {
        let fraction = if of == 0 { 1.0 } else { step as f32 / of as f32 };
        Progress { step: Some((step, of)), ..Progress::new(fraction, message) }
    }
}

fn clamp_fraction(f: f32) -> f32 {
    if f.is_nan() { 0.0 } else { f.clamp(0.0, 1.0) }
}

/// What happened. Every job produces `Started`, then any number of `Progress`, `Retrying`
/// and `Domain`, then exactly one terminal kind: `Succeeded`, `Failed`, `Cancelled` or
/// `TimedOut`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum EventKind {
    /// The dispatcher started processing the job (first event of every job).
    Started,
    /// The executor reported progress.
    Progress(Progress),
    /// An attempt failed and another one follows after `delay`.
    Retrying {
        /// The attempt that comes next (1-based; the first retry is attempt 2).
        attempt: u32,
        /// The policy's maximum number of attempts.
        max_attempts: u32,
        /// How long the job waits before that attempt.
        delay: Duration,
        /// Why the previous attempt failed.
        error: JobError,
    },
    /// Terminal: the job succeeded; the payload is the job's `Output` (read it with
    /// [`Event::output`]).
    Succeeded(Payload),
    /// Terminal: the job failed (executor error, panic, open circuit, retries exhausted).
    Failed(JobError),
    /// Terminal: the job was cancelled, with an optional reason.
    Cancelled {
        /// The reason given to `cancel_with` / `cancel`, if any.
        reason: Option<String>,
    },
    /// Terminal: the job's overall timeout (or last attempt's timeout) elapsed.
    TimedOut {
        /// The timeout that elapsed.
        after: Duration,
    },
    /// A domain event emitted by the executor (read it with [`Event::domain`]).
    Domain(Payload),
}

impl EventKind {
    /// A `Succeeded` kind carrying `output`.
    pub fn succeeded<T: Send + Sync + 'static>(output: T) -> Self {
        EventKind::Succeeded(Payload::new(output))
    }

    /// A `Domain` kind carrying `event`.
    pub fn domain<T: Send + Sync + 'static>(event: T) -> Self {
        EventKind::Domain(Payload::new(event))
    }

    /// A `Failed` kind (e.g. `EventKind::failed(JobError::new("boom"))`).
    pub fn failed(error: impl Into<JobError>) -> Self {
        EventKind::Failed(error.into())
    }

    /// A `Cancelled` kind.
    pub fn cancelled(reason: Option<&str>) -> Self {
        EventKind::Cancelled { reason: reason.map(str::to_owned) }
    }

    /// A `Progress` kind.
    pub fn progress(fraction: f32, message: impl Into<String>) -> Self {
        EventKind::Progress(Progress::new(fraction, message))
    }

    /// True for `Succeeded`, `Failed`, `Cancelled` and `TimedOut`.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            EventKind::Succeeded(_)
                | EventKind::Failed(_)
                | EventKind::Cancelled { .. }
                | EventKind::TimedOut { .. }
        )
    }

    /// `"started"`, `"progress"`, `"retrying"`, `"succeeded"`, `"failed"`, `"cancelled"`,
    /// `"timed_out"` or `"domain"`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Started => "started",
            EventKind::Progress(_) => "progress",
            EventKind::Retrying { .. } => "retrying",
            EventKind::Succeeded(_) => "succeeded",
            EventKind::Failed(_) => "failed",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::TimedOut { .. } => "timed_out",
            EventKind::Domain(_) => "domain",
        }
    }
}

/// Something that happened to a job, carrying the job's id as correlation id.
///
/// ```
/// use orch_runtime::{Event, EventKind, Job, JobId};
///
/// struct PingJob;
/// impl Job for PingJob { type Output = u32; }
/// struct Pinged { at: u32 }
///
/// let id = JobId::new();
/// let done = Event::for_job::<PingJob>(id, EventKind::succeeded(7u32));
/// assert!(done.is_terminal() && done.is_job::<PingJob>());
/// assert_eq!(done.output::<u32>(), Some(&7));
/// assert_eq!(done.output::<String>(), None); // wrong type: None, never UB
///
/// let domain = Event::for_job::<PingJob>(id, EventKind::domain(Pinged { at: 3 }));
/// assert_eq!(domain.domain::<Pinged>().map(|p| p.at), Some(3));
/// ```
#[derive(Clone, Debug)]
pub struct Event {
    job_id: JobId,
    job_type: &'static str,
    scope: Option<Arc<str>>,
    timestamp: SystemTime,
    kind: EventKind,
    /// Id of the orchestrator that owns the job (events of its own jobs are not delivered to
    /// it passively).
    pub(crate) owner: Option<u64>,
}

impl Event {
    /// An event of the global scope, stamped now.
    pub fn new(job_id: JobId, job_type: &'static str, kind: EventKind) -> Self {
        Event { job_id, job_type, scope: None, timestamp: SystemTime::now(), kind, owner: None }
    }

    /// An event for a job of type `J` (its type name is `J::job_type()`).
    pub fn for_job<J: Job>(job_id: JobId, kind: EventKind) -> Self {
        Self::new(job_id, J::job_type(), kind)
    }

    /// The same event with another scope (the name of a scoped bus; `None` = global).
    pub fn with_scope(mut self, scope: Option<&str>) -> Self {
        self.scope = scope.map(Arc::from);
        self
    }

    pub(crate) fn internal(
        job_id: JobId,
        job_type: &'static str,
        scope: Option<Arc<str>>,
        owner: Option<u64>,
        kind: EventKind,
    ) -> Self {
        Event { job_id, job_type, scope, timestamp: SystemTime::now(), kind, owner }
    }

    pub(crate) fn set_scope(&mut self, scope: Option<&Arc<str>>) {
        let same = match (&self.scope, scope) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        if !same {
            self.scope = scope.cloned();
        }
    }

    /// The correlation id: the id of the job that caused this event.
    pub fn job_id(&self) -> JobId {
        self.job_id
    }

    /// The job type's name.
    pub fn job_type(&self) -> &'static str {
        self.job_type
    }

    /// Name of the scoped bus the event was published on; `None` for the global bus.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// When the event was created.
    pub fn timestamp(&self) -> SystemTime {
        self.timestamp
    }

    /// What happened.
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// Consume the event, keeping its kind.
    pub fn into_kind(self) -> EventKind {
        self.kind
    }

    /// True for a terminal event (see [`EventKind::is_terminal`]).
    pub fn is_terminal(&self) -> bool {
        self.kind.is_terminal()
    }

    /// The output of a `Succeeded` event, if it has type `T`.
    pub fn output<T: 'static>(&self) -> Option<&T> {
        match &self.kind {
            EventKind::Succeeded(p) => p.downcast_ref::<T>(),
            _ => None,
        }
    }

    /// The value of a `Domain` event, if it has type `T`.
    pub fn domain<T: 'static>(&self) -> Option<&T> {
        match &self.kind {
            EventKind::Domain(p) => p.downcast_ref::<T>(),
            _ => None,
        }
    }

    /// The error of a `Failed` event.
    pub fn error(&self) -> Option<&JobError> {
        match &self.kind {
            EventKind::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// The progress of a `Progress` event.
    pub fn progress(&self) -> Option<&Progress> {
        match &self.kind {
            EventKind::Progress(p) => Some(p),
            _ => None,
        }
    }

    /// True if the job's type is `J` (compares [`Job::job_type`] names).
    pub fn is_job<J: Job>(&self) -> bool {
        self.job_type == J::job_type()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_clamped() {
        assert_eq!(Progress::new(2.0, "x").fraction, 1.0);
        assert_eq!(Progress::new(-1.0, "").fraction, 0.0);
        assert_eq!(Progress::new(f32::NAN, "").fraction, 0.0);
        assert_eq!(Progress::new(0.5, "").message, None);
        let s = Progress::step(1, 4, "one");
        assert_eq!((s.fraction, s.step), (0.25, Some((1, 4))));
        assert_eq!(Progress::step(1, 0, "").fraction, 1.0);
    }

    #[test]
    fn names_and_terminal() {
        let kinds = [
            (EventKind::Started, "started", false),
            (EventKind::progress(0.1, ""), "progress", false),
            (
                EventKind::Retrying {
                    attempt: 2,
                    max_attempts: 3,
                    delay: Duration::ZERO,
                    error: JobError::new("x"),
                },
                "retrying",
                false,
            ),
            (EventKind::succeeded(1u8), "succeeded", true),
            (EventKind::failed(JobError::new("x")), "failed", true),
            (EventKind::cancelled(None), "cancelled", true),
            (EventKind::TimedOut { after: Duration::ZERO }, "timed_out", true),
            (EventKind::domain(1u8), "domain", false),
        ];
        for (kind, name, terminal) in kinds {
            assert_eq!(kind.name(), name);
            assert_eq!(kind.is_terminal(), terminal);
        }
    }

    #[test]
    fn payload_debug_and_arc() {
        let p = Payload::new(5u64);
        assert_eq!(format!("{p:?}"), "Payload(u64)");
        assert_eq!(p.downcast_arc::<u64>().as_deref(), Some(&5));
        assert!(p.downcast_arc::<u32>().is_none());
        assert!(p.is::<u64>());
    }
}
