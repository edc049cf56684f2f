//! Executors: the async business logic behind a job type ([`Executor`]) and the context it
//! runs with ([`ExecContext`]: cancellation, progress, domain events, metadata).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::bus::SignalBus;
use crate::error::JobError;
use crate::event::{EventKind, Payload, Progress};
use crate::job::{Job, JobId};
use crate::runner::JobCore;

/// The business logic for jobs of type `J`: does the I/O, reports progress and domain
/// events through the [`ExecContext`], and returns the job's output or an error.
///
/// Write it with `async fn`; the returned future must be `Send` (it runs on a tokio task).
/// One executor type may serve several job types (implement `Executor<A>` and
/// `Executor<B>`). Errors and panics never escape: they become `Failed` events.
///
/// ```
/// use orch_runtime::{ExecContext, Executor, Job, JobError};
///
/// pub struct GreetJob { pub name: String }
/// impl Job for GreetJob { type Output = String; }
///
/// pub struct Greeted { pub greeting: String }
///
/// pub struct GreetExecutor;
/// impl Executor<GreetJob> for GreetExecutor {
///     async fn execute(&self, job: &GreetJob, ctx: &ExecContext) -> Result<String, JobError> {
///         if job.name.is_empty() {
///             return Err(JobError::new("no name"));
///         }
///         ctx.progress(0.5, "composing");
///         let greeting = format!("hello, {}", job.name);
///         ctx.emit(Greeted { greeting: greeting.clone() });
///         Ok(greeting)
///     }
/// }
/// ```
pub trait Executor<J: Job>: Send + Sync + 'static {
    /// Run one attempt of `job`. Called again for each retry.
    fn execute(&self, job: &J, ctx: &ExecContext)
    -> impl Future<Output = Result<J::Output, JobError>> + Send;
}

/// What an executor gets besides its job: the job id, the attempt number, the cancellation
/// token, progress and domain-event reporting, and the dispatch metadata. Cheap to clone;
/// clones report for the same job. Reports made after the job's terminal event are dropped.
#[derive(Clone)]
pub struct ExecContext {
    core: Arc<JobCore>,
    attempt: u32,
}

impl ExecContext {
    pub(crate) fn new(core: Arc<JobCore>, attempt: u32) -> Self {
        ExecContext { core, attempt }
    }

    pub(crate) fn core(&self) -> &Arc<JobCore> {
        &self.core
    }

    /// A context not tied to a dispatcher, publishing to `bus` as job type `job_type`. Meant
    /// for unit-testing an executor by calling `execute` directly; see also
    /// [`testing::context_for`](crate::testing::context_for).
    pub fn detached(job_id: JobId, job_type: &'static str, bus: &SignalBus) -> Self {
        ExecContext::new(JobCore::detached(job_id, job_type, bus.clone()), 1)
    }

    /// The job's id (the correlation id of every event it causes).
    pub fn job_id(&self) -> JobId {
        self.core.id
    }

    /// The job type's name.
    pub fn job_type(&self) -> &'static str {
        self.core.job_type
    }

    /// The attempt number, 1-based.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The job's cancellation token. The dispatcher already drops the executor's future when
    /// the job is cancelled; use the token to stop work handed to other tasks, or to pass it
    /// on to sub-jobs.
    pub fn cancellation(&self) -> &CancellationToken {
        self.core.token()
    }

    /// True once the job was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.core.is_cancelled()
    }

    /// Report progress (`fraction` is clamped to `0.0..=1.0`).
    pub fn progress(&self, fraction: f32, message: impl Into<String>) {
        self.core.report_progress(Progress::new(fraction, message));
    }

    /// Report progress as "step `step` of `of`".
    pub fn progress_step(&self, step: u32, of: u32, message: impl Into<String>) {
        self.core.report_progress(Progress::step(step, of, message));
    }

    /// Emit a domain event (any `Send + Sync + 'static` value) with this job's id. The
    /// job's owner receives it actively; everyone else on the bus passively.
    pub fn emit<T: Send + Sync + 'static>(&self, domain_event: T) {
        self.core.report(|| EventKind::Domain(Payload::new(domain_event)));
    }

    /// A metadata value given at dispatch with
    /// [`DispatchOptions::meta`](crate::DispatchOptions::meta).
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.core.metadata(key)
    }
}

impl fmt::Debug for ExecContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecContext")
            .field("job_id", &self.core.id)
            .field("job_type", &self.core.job_type)
            .field("attempt", &self.attempt)
            .finish()
    }
}
