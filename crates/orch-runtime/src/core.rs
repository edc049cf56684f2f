//! Internal: the per-job shared state ([`JobCore`]), event emission, and the job task that
//! runs attempts with cancellation, timeouts, retries, circuit breaking and panic catching.
//!
//! Invariants kept here:
//! - `Started` is emitted first, by the job task, before any `ExecContext` exists.
//! - Exactly one terminal event: [`JobCore::finish`] is idempotent under the core's lock,
//!   and every path of the job task (including the task being dropped) ends in it.
//! - Nothing is emitted after the terminal event: context reports take the same lock and
//!   check `finished`.
//! - The executor's future is dropped before the terminal event is emitted.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Poll;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::breaker::CircuitBreaker;
use crate::bus::SignalBus;
use crate::dispatcher::JobOutcome;
use crate::error::{JobError, JobErrorKind};
use crate::event::{Event, EventKind, Progress};
use crate::executor::{ExecContext, Executor};
use crate::job::{Job, JobId};
use crate::retry::RetryPolicy;

/// Lock a std mutex, ignoring poisoning (our critical sections never leave data half-made).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The owner of a set of jobs (an orchestrator): where their events go losslessly, and the
/// bookkeeping of which of them are running.
pub(crate) struct Owner {
    pub(crate) id: u64,
    pub(crate) tx: mpsc::UnboundedSender<Event>,
    pub(crate) running: Mutex<Running>,
}

#[derive(Default)]
pub(crate) struct Running {
    pub(crate) jobs: HashMap<JobId, RunningJob>,
    pub(crate) keys: HashMap<String, JobId>,
}

pub(crate) struct RunningJob {
    pub(crate) core: Arc<JobCore>,
    pub(crate) key: Option<String>,
}

impl Running {
    /// Register a job; refuses a duplicate key or a reused id.
    pub(crate) fn insert(
        &mut self,
        core: &Arc<JobCore>,
        key: Option<String>,
    ) -> Result<(), crate::DispatchError> {
        if let Some(k) = &key {
            if let Some(&running) = self.keys.get(k) {
                return Err(crate::DispatchError::Duplicate {
                    key: k.clone(),
                    running,
                });
            }
        }
        if self.jobs.contains_key(&core.id) {
            return Err(crate::DispatchError::Duplicate {
                key: core.id.to_string(),
                running: core.id,
            });
        }
        if let Some(k) = &key {
            self.keys.insert(k.clone(), core.id);
        }
        self.jobs.insert(
            core.id,
            RunningJob {
                core: Arc::clone(core),
                key,
            },
        );
        Ok(())
    }

    fn remove(&mut self, id: JobId) {
        if let Some(job) = self.jobs.remove(&id) {
            if let Some(k) = job.key {
                if self.keys.get(&k) == Some(&id) {
                    self.keys.remove(&k);
                }
            }
        }
    }
}

impl Owner {
    pub(crate) fn core_of(&self, id: JobId) -> Option<Arc<JobCore>> {
        lock(&self.running)
            .jobs
            .get(&id)
            .map(|j| Arc::clone(&j.core))
    }
}

/// Dedup keys of jobs dispatched directly through a dispatcher.
pub(crate) type DedupMap = Mutex<HashMap<String, JobId>>;

#[derive(Default)]
struct CoreState {
    finished: bool,
    cancel_requested: bool,
    cancel_reason: Option<String>,
    progress: Option<Progress>,
    progress_tx: Option<watch::Sender<Option<Progress>>>,
}

/// Everything a running job shares between its task, its handle, its contexts and its
/// owner. One allocation per job.
pub(crate) struct JobCore {
    pub(crate) id: JobId,
    pub(crate) job_type: &'static str,
    pub(crate) token: CancellationToken,
    pub(crate) bus: SignalBus,
    pub(crate) owner: Option<Arc<Owner>>,
    pub(crate) dedup: Option<(Arc<DedupMap>, String)>,
    pub(crate) meta: Vec<(String, String)>,
    state: Mutex<CoreState>,
}

impl JobCore {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: JobId,
        job_type: &'static str,
        token: CancellationToken,
        bus: SignalBus,
        owner: Option<Arc<Owner>>,
        dedup: Option<(Arc<DedupMap>, String)>,
        meta: Vec<(String, String)>,
    ) -> Arc<Self> {
        Arc::new(JobCore {
            id,
            job_type,
            token,
            bus,
            owner,
            dedup,
            meta,
            state: Mutex::new(CoreState::default()),
        })
    }

    pub(crate) fn detached(id: JobId, job_type: &'static str, bus: SignalBus) -> Arc<Self> {
        Self::new(
            id,
            job_type,
            CancellationToken::new(),
            bus,
            None,
            None,
            Vec::new(),
        )
    }

    /// Build and deliver an event, only if someone can receive it: the owner (lossless,
    /// unbounded) and/or the bus's subscribers.
    fn emit(&self, make: impl FnOnce() -> EventKind) {
        let to_bus = self.bus.has_subscribers();
        match (&self.owner, to_bus) {
            (None, false) => {}
            (None, true) => self.bus.publish_scoped(self.event(make())),
            (Some(owner), false) => {
                let _ = owner.tx.send(self.event(make()));
            }
            (Some(owner), true) => {
                let event = self.event(make());
                let _ = owner.tx.send(event.clone());
                self.bus.publish_scoped(event);
            }
        }
    }

    fn event(&self, kind: EventKind) -> Event {
        Event::internal(
            self.id,
            self.job_type,
            self.bus.name_arc().cloned(),
            self.owner.as_ref().map(|o| o.id),
            kind,
        )
    }

    /// A non-terminal report from an executor context; dropped after the terminal event.
    pub(crate) fn report(&self, make: impl FnOnce() -> EventKind) {
        let state = lock(&self.state);
        if state.finished {
            return;
        }
        self.emit(make);
        drop(state);
    }

    pub(crate) fn report_progress(&self, progress: Progress) {
        let mut state = lock(&self.state);
        if state.finished {
            return;
        }
        if let Some(tx) = &state.progress_tx {
            tx.send_replace(Some(progress.clone()));
        }
        state.progress = Some(progress.clone());
        self.emit(move || EventKind::Progress(progress));
        drop(state);
    }

    pub(crate) fn progress_receiver(&self) -> watch::Receiver<Option<Progress>> {
        let mut state = lock(&self.state);
        if let Some(tx) = &state.progress_tx {
            return tx.subscribe();
        }
        let (tx, rx) = watch::channel(state.progress.clone());
        if !state.finished {
            state.progress_tx = Some(tx);
        }
        rx
    }

    /// Request cancellation; the first reason wins. False if the job already finished.
    pub(crate) fn cancel(&self, reason: Option<String>) -> bool {
        {
            let mut state = lock(&self.state);
            if state.finished {
                return false;
            }
            if !state.cancel_requested {
                state.cancel_requested = true;
                state.cancel_reason = reason;
            }
        }
        self.token.cancel();
        true
    }

    pub(crate) fn cancel_reason(&self) -> Option<String> {
        lock(&self.state).cancel_reason.clone()
    }

    pub(crate) fn is_finished(&self) -> bool {
        lock(&self.state).finished
    }

    /// Emit the terminal event (once): releases the owner's and the dedup bookkeeping first,
    /// so that `is_running` is already false when the owner handles the event.
    pub(crate) fn finish(&self, make: impl FnOnce() -> EventKind) {
        let mut state = lock(&self.state);
        if state.finished {
            return;
        }
        state.finished = true;
        state.progress_tx = None;
        if let Some(owner) = &self.owner {
            lock(&owner.running).remove(self.id);
        }
        if let Some((map, key)) = &self.dedup {
            let mut map = lock(map);
            if map.get(key) == Some(&self.id) {
                map.remove(key);
            }
        }
        self.emit(make);
        drop(state);
    }
}

/// Execution plan of one job: retries, timeouts, breaker.
#[derive(Default)]
pub(crate) struct Plan {
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) breaker: Option<CircuitBreaker>,
}

impl Plan {
    fn is_simple(&self) -> bool {
        self.retry.is_none()
            && self.timeout.is_none()
            && self.attempt_timeout.is_none()
            && self.breaker.is_none()
    }
}

/// Type-erased spawner of jobs of type `J` (knows the concrete executor type).
pub(crate) trait Runner<J: Job>: Send + Sync {
    fn breaker(&self) -> Option<&CircuitBreaker>;
    fn spawn(
        &self,
        job: J,
        core: Arc<JobCore>,
        plan: Plan,
        tracker: &TaskTracker,
        rt: &Handle,
    ) -> JoinHandle<JobOutcome<J::Output>>;
}

pub(crate) struct ExecRunner<E> {
    pub(crate) exec: Arc<E>,
    pub(crate) breaker: Option<CircuitBreaker>,
}

impl<J: Job, E: Executor<J>> Runner<J> for ExecRunner<E> {
    fn breaker(&self) -> Option<&CircuitBreaker> {
        self.breaker.as_ref()
    }

    fn spawn(
        &self,
        job: J,
        core: Arc<JobCore>,
        plan: Plan,
        tracker: &TaskTracker,
        rt: &Handle,
    ) -> JoinHandle<JobOutcome<J::Output>> {
        tracker.spawn_on(
            run_job::<J, E>(job, Arc::clone(&self.exec), core, plan),
            rt,
        )
    }
}

/// Emits a `Cancelled` terminal event if the job task is dropped before it finished (the
/// runtime shut down), so that even then the job has its terminal event.
struct FinishGuard<'a> {
    core: &'a JobCore,
    armed: bool,
}

impl Drop for FinishGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.core.finish(|| EventKind::Cancelled {
                reason: Some(TASK_DROPPED.to_owned()),
            });
        }
    }
}

pub(crate) const TASK_DROPPED: &str = "job task dropped (runtime shutting down)";

/// The job task.
async fn run_job<J: Job, E: Executor<J>>(
    job: J,
    exec: Arc<E>,
    core: Arc<JobCore>,
    plan: Plan,
) -> JobOutcome<J::Output> {
    let mut guard = FinishGuard {
        core: &core,
        armed: true,
    };
    core.emit(|| EventKind::Started);
    let outcome = if core.token.is_cancelled() {
        JobOutcome::Cancelled {
            reason: core.cancel_reason(),
        }
    } else if plan.is_simple() {
        let ctx = ExecContext::new(Arc::clone(&core), 1);
        tokio::select! {
            biased;
            _ = core.token.cancelled() => JobOutcome::Cancelled { reason: core.cancel_reason() },
            result = catch_unwind(exec.execute(&job, &ctx)) => match flatten(result, &core) {
                Ok(output) => JobOutcome::Succeeded(Arc::new(output)),
                Err(error) => JobOutcome::Failed(error),
            },
        }
    } else {
        tokio::select! {
            biased;
            _ = core.token.cancelled() => JobOutcome::Cancelled { reason: core.cancel_reason() },
            outcome = run_planned(&job, &*exec, &core, &plan) => outcome,
        }
    };
    // Every future of the executor is dropped by now.
    guard.armed = false;
    if let JobOutcome::Failed(error) = &outcome {
        tracing::debug!(job_id = %core.id, job_type = core.job_type, %error, "job failed");
    }
    core.finish(|| outcome.to_event_kind());
    outcome
}

async fn run_planned<J: Job, E: Executor<J>>(
    job: &J,
    exec: &E,
    core: &Arc<JobCore>,
    plan: &Plan,
) -> JobOutcome<J::Output> {
    match plan.timeout {
        Some(limit) => match tokio::time::timeout(limit, run_attempts(job, exec, core, plan)).await
        {
            Ok(outcome) => outcome,
            Err(_) => JobOutcome::TimedOut { after: limit },
        },
        None => run_attempts(job, exec, core, plan).await,
    }
}

struct Failure {
    error: JobError,
    timed_out: Option<Duration>,
}

impl Failure {
    fn error(error: JobError) -> Self {
        Failure {
            error,
            timed_out: None,
        }
    }
}

async fn run_attempts<J: Job, E: Executor<J>>(
    job: &J,
    exec: &E,
    core: &Arc<JobCore>,
    plan: &Plan,
) -> JobOutcome<J::Output> {
    let max_attempts = plan.retry.as_ref().map_or(1, RetryPolicy::max_attempts);
    let mut attempt = 1;
    loop {
        match run_attempt(job, exec, core, plan, attempt).await {
            Ok(output) => return JobOutcome::Succeeded(Arc::new(output)),
            Err(failure) => {
                let policy = plan
                    .retry
                    .as_ref()
                    .filter(|p| attempt < max_attempts && p.should_retry(&failure.error));
                let Some(policy) = policy else {
                    return match failure.timed_out {
                        Some(after) => JobOutcome::TimedOut { after },
                        None => JobOutcome::Failed(failure.error),
                    };
                };
                let delay = policy.jittered_delay(attempt, core.id.as_u64());
                attempt += 1;
                let error = failure.error;
                core.emit(|| EventKind::Retrying {
                    attempt,
                    max_attempts,
                    delay,
                    error,
                });
                // Cancellation and the overall timeout interrupt this sleep (the whole
                // future is raced against them).
                tokio::time::sleep(delay).await;
            }
        }
    }
}

async fn run_attempt<J: Job, E: Executor<J>>(
    job: &J,
    exec: &E,
    core: &Arc<JobCore>,
    plan: &Plan,
    attempt: u32,
) -> Result<J::Output, Failure> {
    let ctx = ExecContext::new(Arc::clone(core), attempt);
    let limited = async {
        let call = catch_unwind(exec.execute(job, &ctx));
        match plan.attempt_timeout {
            Some(limit) => match tokio::time::timeout(limit, call).await {
                Ok(result) => flatten(result, core).map_err(Failure::error),
                Err(_) => Err(Failure {
                    error: JobError::with_kind(
                        JobErrorKind::TimedOut,
                        format!("attempt {attempt} timed out after {limit:?}"),
                    ),
                    timed_out: Some(limit),
                }),
            },
            None => flatten(call.await, core).map_err(Failure::error),
        }
    };
    match &plan.breaker {
        Some(breaker) => breaker.guard(limited, Failure::error).await,
        None => limited.await,
    }
}

type PanicPayload = Box<dyn Any + Send + 'static>;

fn flatten<T>(
    result: Result<Result<T, JobError>, PanicPayload>,
    core: &JobCore,
) -> Result<T, JobError> {
    match result {
        Ok(inner) => inner,
        Err(payload) => {
            let error = JobError::from_panic(&*payload);
            tracing::warn!(job_id = %core.id, job_type = core.job_type, %error, "executor panicked");
            Err(error)
        }
    }
}

/// Poll `fut`, turning a panic during a poll into `Err(payload)`. The future is never polled
/// again after it panicked (it is dropped with the returned future).
pub(crate) async fn catch_unwind<F: Future>(fut: F) -> Result<F::Output, PanicPayload> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    })
    .await
}
