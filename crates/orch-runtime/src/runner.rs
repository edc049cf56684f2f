//! Internal: the per-job shared state ([`JobCore`]), event emission, and the job task that
//! runs attempts with cancellation, timeouts, retries, circuit breaking and panic catching.
//!
//! Invariants kept here:
//! - `Started` is emitted first, by the job task, before the executor (or anyone holding an
//!   `ExecContext`) can report anything.
//! - Exactly one terminal event: [`JobCore::finish`] is idempotent under the core's lock,
//!   and every path of the job task (including the task being dropped) ends in it.
//! - Nothing is emitted after the terminal event: context reports take the same lock and
//!   check `finished`.
//! - The executor's future is dropped before the terminal event is emitted.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::Notify;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::breaker::CircuitBreaker;
use crate::bus::SignalBus;
use crate::dispatcher::JobOutcome;
use crate::error::{JobError, JobErrorKind};
use crate::event::{Event, EventKind, Progress};
use crate::executor::{ExecContext, Executor};
use crate::job::{IdMap, Job, JobId};
use crate::retry::RetryPolicy;

/// Lock a std mutex, ignoring poisoning (our critical sections never leave data half-made).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The owner of a set of jobs (an orchestrator): where their events go losslessly, and the
/// bookkeeping of which of them are running.
pub(crate) struct Owner {
    pub(crate) id: u64,
    /// `None` tells the orchestrator's loop to stop.
    pub(crate) tx: mpsc::UnboundedSender<Option<Event>>,
    pub(crate) running: Mutex<Running>,
}

#[derive(Default)]
pub(crate) struct Running {
    pub(crate) jobs: IdMap<RunningJob>,
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
                return Err(crate::DispatchError::Duplicate { key: k.clone(), running });
            }
        }
        if self.jobs.contains_key(&core.id) {
            return Err(crate::DispatchError::Duplicate { key: core.id.to_string(), running: core.id });
        }
        if let Some(k) = &key {
            self.keys.insert(k.clone(), core.id);
        }
        self.jobs.insert(core.id, RunningJob { core: Arc::clone(core), key });
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
        lock(&self.running).jobs.get(&id).map(|j| Arc::clone(&j.core))
    }
}

/// What jobs share with the dispatcher that spawned them: its bus and the count of jobs in
/// flight (for graceful shutdown). A hand-rolled counter rather than `TaskTracker`: it rides
/// on the one `Arc` each job already holds, which keeps the dispatch path lean.
pub(crate) struct Home {
    pub(crate) bus: SignalBus,
    in_flight: AtomicUsize,
    closed: AtomicBool,
    idle: Notify,
}

impl Home {
    pub(crate) fn new(bus: SignalBus) -> Arc<Self> {
        Arc::new(Home {
            bus,
            in_flight: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            idle: Notify::new(),
        })
    }

    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    fn enter(&self) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
    }

    fn leave(&self) {
        // Waiters exist only after `close` (see `wait_idle`); skip the Notify otherwise.
        if self.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 && self.closed.load(Ordering::SeqCst) {
            self.idle.notify_waiters();
        }
    }

    /// Wait until no job is in flight. Call after `close`.
    pub(crate) async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

type TokenWait<'a> = Option<Pin<Box<tokio_util::sync::WaitForCancellationFuture<'a>>>>;

/// Dedup keys of jobs dispatched directly through a dispatcher.
pub(crate) type DedupMap = Mutex<HashMap<String, JobId>>;

#[derive(Default)]
struct CoreState {
    finished: bool,
    /// The job task, waiting for cancellation (see [`JobCore::poll_cancelled`]).
    waker: Option<Waker>,
    /// Rarely used parts, allocated on first use (keeps the per-job allocation small).
    extra: Option<Box<CoreExtra>>,
}

#[derive(Default)]
struct CoreExtra {
    cancel_reason: Option<String>,
    progress: Option<Progress>,
    progress_tx: Option<watch::Sender<Option<Progress>>>,
}

impl CoreState {
    fn extra(&mut self) -> &mut CoreExtra {
        self.extra.get_or_insert_with(Box::default)
    }
}

/// Per-dispatch data most jobs do not have (boxed: keeps the per-job allocation small).
#[derive(Default)]
pub(crate) struct JobExtras {
    pub(crate) dedup: Option<(Arc<DedupMap>, String)>,
    pub(crate) meta: Vec<(String, String)>,
}

/// Everything a running job shares between its task, its handle, its contexts and its
/// owner. One allocation per job.
///
/// Cancellation: `cancelled` is the job's own flag (set by handles and owners); the
/// `CancellationToken` is only created when someone asks for it (or at dispatch, as a child
/// of a token given in the options), which keeps the common path free of its allocation
/// and locks. The flag and the token are kept in sync: cancelling the job cancels an
/// existing token, a token created later starts cancelled, and cancelling the token
/// cancels the job.
pub(crate) struct JobCore {
    pub(crate) id: JobId,
    pub(crate) job_type: &'static str,
    token: OnceLock<CancellationToken>,
    cancelled: AtomicBool,
    home: Arc<Home>,
    bus_override: Option<SignalBus>,
    pub(crate) owner: Option<Arc<Owner>>,
    extras: Option<Box<JobExtras>>,
    state: Mutex<CoreState>,
}

impl JobCore {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: JobId,
        job_type: &'static str,
        token: Option<CancellationToken>,
        home: Arc<Home>,
        bus_override: Option<SignalBus>,
        owner: Option<Arc<Owner>>,
        extras: Option<Box<JobExtras>>,
    ) -> Arc<Self> {
        Arc::new(JobCore {
            id,
            job_type,
            token: match token {
                Some(t) => OnceLock::from(t),
                None => OnceLock::new(),
            },
            cancelled: AtomicBool::new(false),
            home,
            bus_override,
            owner,
            extras,
            state: Mutex::new(CoreState::default()),
        })
    }

    pub(crate) fn detached(id: JobId, job_type: &'static str, bus: SignalBus) -> Arc<Self> {
        Self::new(id, job_type, None, Home::new(bus), None, None, None)
    }

    pub(crate) fn metadata(&self, key: &str) -> Option<&str> {
        let extras = self.extras.as_ref()?;
        extras.meta.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub(crate) fn dedup(&self) -> Option<&(Arc<DedupMap>, String)> {
        self.extras.as_ref().and_then(|e| e.dedup.as_ref())
    }

    pub(crate) fn bus(&self) -> &SignalBus {
        self.bus_override.as_ref().unwrap_or(&self.home.bus)
    }

    /// Build and deliver an event, only if someone can receive it: the owner (lossless,
    /// unbounded) and/or the bus's subscribers.
    fn emit(&self, make: impl FnOnce() -> EventKind) {
        let bus = self.bus();
        let to_bus = bus.has_subscribers();
        match (&self.owner, to_bus) {
            (None, false) => {}
            (None, true) => bus.publish_scoped(self.event(make())),
            (Some(owner), false) => {
                let _ = owner.tx.send(Some(self.event(make())));
            }
            (Some(owner), true) => {
                let event = self.event(make());
                let _ = owner.tx.send(Some(event.clone()));
                bus.publish_scoped(event);
            }
        }
    }

    fn event(&self, kind: EventKind) -> Event {
        Event::internal(
            self.id,
            self.job_type,
            self.bus().name_arc().cloned(),
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
        let extra = state.extra();
        if let Some(tx) = &extra.progress_tx {
            tx.send_replace(Some(progress.clone()));
        }
        extra.progress = Some(progress.clone());
        self.emit(move || EventKind::Progress(progress));
        drop(state);
    }

    pub(crate) fn progress_receiver(&self) -> watch::Receiver<Option<Progress>> {
        let mut state = lock(&self.state);
        let finished = state.finished;
        let extra = state.extra();
        if let Some(tx) = &extra.progress_tx {
            return tx.subscribe();
        }
        let (tx, rx) = watch::channel(extra.progress.clone());
        if !finished {
            extra.progress_tx = Some(tx);
        }
        rx
    }

    /// Request cancellation; the first reason wins. False if the job already finished.
    pub(crate) fn cancel(&self, reason: Option<String>) -> bool {
        let waker = {
            let mut state = lock(&self.state);
            if state.finished {
                return false;
            }
            if !self.cancelled.swap(true, Ordering::SeqCst) {
                state.extra().cancel_reason = reason;
            }
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        if let Some(token) = self.token.get() {
            token.cancel();
        }
        true
    }

    /// The job's cancellation token, created on first use.
    pub(crate) fn token(&self) -> &CancellationToken {
        if let Some(token) = self.token.get() {
            return token;
        }
        let token = self.token.get_or_init(CancellationToken::new);
        // Pairs with the SeqCst swap in `cancel`: either it sees the token, or we see the flag.
        if self.cancelled.load(Ordering::SeqCst) {
            token.cancel();
        }
        // The job task must start listening to the new token.
        let waker = lock(&self.state).waker.take();
        if let Some(waker) = waker {
            waker.wake();
        }
        token
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst) || self.token.get().is_some_and(|t| t.is_cancelled())
    }

    /// Poll for cancellation (by the flag or by the token). Registers the task's waker for
    /// the flag; a token, once it exists, is waited on through `token_wait` (boxed: rare).
    fn poll_cancelled<'a>(&'a self, cx: &mut Context<'_>, token_wait: &mut TokenWait<'a>) -> Poll<()> {
        loop {
            if self.cancelled.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            if let Some(wait) = token_wait {
                return wait.as_mut().poll(cx);
            }
            if let Some(token) = self.token.get() {
                *token_wait = Some(Box::pin(token.cancelled()));
                continue;
            }
            let mut state = lock(&self.state);
            // Re-check under the lock: `cancel` and `token` take the waker under it.
            if self.cancelled.load(Ordering::SeqCst) || self.token.get().is_some() {
                continue;
            }
            match &state.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => state.waker = Some(cx.waker().clone()),
            }
            return Poll::Pending;
        }
    }

    pub(crate) fn cancel_reason(&self) -> Option<String> {
        lock(&self.state).extra.as_ref().and_then(|e| e.cancel_reason.clone())
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
        if let Some(extra) = &mut state.extra {
            extra.progress_tx = None;
        }
        state.waker = None;
        if let Some(owner) = &self.owner {
            lock(&owner.running).remove(self.id);
        }
        if let Some((map, key)) = self.extras.as_ref().and_then(|e| e.dedup.as_ref()) {
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
    /// `None` for the common case of a single attempt without timeouts or breaker (keeps the
    /// job's future small); the plan otherwise.
    pub(crate) fn boxed(self) -> Option<Box<Plan>> {
        let simple = self.retry.is_none()
            && self.timeout.is_none()
            && self.attempt_timeout.is_none()
            && self.breaker.is_none();
        if simple { None } else { Some(Box::new(self)) }
    }
}

/// Type-erased spawner of jobs of type `J` (knows the concrete executor type).
pub(crate) trait Runner<J: Job>: Send + Sync {
    fn breaker(&self) -> Option<&CircuitBreaker>;
    fn spawn(
        &self,
        job: J,
        core: Arc<JobCore>,
        plan: Option<Box<Plan>>,
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
        plan: Option<Box<Plan>>,
        rt: &Handle,
    ) -> JoinHandle<JobOutcome<J::Output>> {
        core.home.enter();
        // From here on the guard owns the in-flight count and the terminal event, even if
        // the runtime drops the task without polling it.
        let guard = FinishGuard::new(core);
        rt.spawn(run_job::<J, E>(job, Arc::clone(&self.exec), guard, plan))
    }
}

/// Owned by the job's future from the moment it is created: if the future is dropped before
/// it finished (the runtime shut down, even before the first poll), emits the missing
/// `Started` and a `Cancelled` terminal event, so that every dispatched job still gets its
/// terminal event.
pub(crate) struct FinishGuard {
    /// The context of the first attempt; it owns the job's core.
    ctx: ExecContext,
    started: bool,
    armed: bool,
}

impl FinishGuard {
    pub(crate) fn new(core: Arc<JobCore>) -> Self {
        FinishGuard { ctx: ExecContext::new(core, 1), started: false, armed: true }
    }
}

impl Drop for FinishGuard {
    fn drop(&mut self) {
        let core = self.ctx.core();
        if self.armed {
            if !self.started {
                core.emit(|| EventKind::Started);
            }
            core.finish(|| EventKind::Cancelled { reason: Some(TASK_DROPPED.to_owned()) });
        }
        core.home.leave();
    }
}

pub(crate) const TASK_DROPPED: &str = "job task dropped (runtime shutting down)";

/// The job task.
///
/// Before each poll of the work the cancellation flag is checked (one atomic load), so a
/// cancelled job's work is never polled again; a job that completes on its first poll never
/// registers for cancellation (the common fast path). A cancellation that races with the
/// completing poll may lose; either way the job has exactly one terminal event.
async fn run_job<J: Job, E: Executor<J>>(
    job: J,
    exec: Arc<E>,
    mut guard: FinishGuard,
    plan: Option<Box<Plan>>,
) -> JobOutcome<J::Output> {
    let ctx = &guard.ctx;
    let core = ctx.core();
    core.emit(|| EventKind::Started);
    guard.started = true;
    let outcome = if core.is_cancelled() {
        JobOutcome::Cancelled { reason: core.cancel_reason() }
    } else {
        // The work is polled first, then cancellation; a hand-written select (smaller and
        // cheaper than `tokio::select!` on the hot path). The closures own what they use,
        // which keeps the job's future small.
        match plan {
            None => {
                let mut work = std::pin::pin!(exec.execute(&job, ctx));
                let mut token_wait: TokenWait<'_> = None;
                std::future::poll_fn(move |cx| {
                    if core.is_cancelled() {
                        // Observed before this poll: the work is not polled again.
                        return Poll::Ready(JobOutcome::Cancelled { reason: core.cancel_reason() });
                    }
                    match std::panic::catch_unwind(AssertUnwindSafe(|| work.as_mut().poll(cx))) {
                        Ok(Poll::Ready(Ok(output))) => {
                            return Poll::Ready(JobOutcome::Succeeded(Arc::new(output)));
                        }
                        Ok(Poll::Ready(Err(error))) => return Poll::Ready(JobOutcome::Failed(error)),
                        Err(payload) => {
                            return Poll::Ready(JobOutcome::Failed(panic_error(&*payload, core)));
                        }
                        Ok(Poll::Pending) => {}
                    }
                    core.poll_cancelled(cx, &mut token_wait)
                        .map(|()| JobOutcome::Cancelled { reason: core.cancel_reason() })
                })
                .await
            }
            Some(plan) => {
                // Boxed: keeps the common (simple) job's future small.
                let mut planned = Box::pin(run_planned(&job, &*exec, core, plan));
                let mut token_wait: TokenWait<'_> = None;
                std::future::poll_fn(move |cx| {
                    if core.is_cancelled() {
                        return Poll::Ready(JobOutcome::Cancelled { reason: core.cancel_reason() });
                    }
                    // Executor panics are caught per attempt; this also catches panics of
                    // the retry/timeout machinery (e.g. a runtime without timers enabled).
                    match std::panic::catch_unwind(AssertUnwindSafe(|| planned.as_mut().poll(cx))) {
                        Ok(Poll::Ready(outcome)) => return Poll::Ready(outcome),
                        Err(payload) => {
                            return Poll::Ready(JobOutcome::Failed(panic_error(&*payload, core)));
                        }
                        Ok(Poll::Pending) => {}
                    }
                    core.poll_cancelled(cx, &mut token_wait)
                        .map(|()| JobOutcome::Cancelled { reason: core.cancel_reason() })
                })
                .await
            }
        }
    };
    // Every future of the executor is dropped by now.
    guard.armed = false;
    let core = guard.ctx.core();
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
    plan: Box<Plan>,
) -> JobOutcome<J::Output> {
    let plan = &*plan;
    match plan.timeout {
        Some(limit) => match tokio::time::timeout(limit, run_attempts(job, exec, core, plan)).await {
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
        Failure { error, timed_out: None }
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
                let policy =
                    plan.retry.as_ref().filter(|p| attempt < max_attempts && p.should_retry(&failure.error));
                let Some(policy) = policy else {
                    return match failure.timed_out {
                        Some(after) => JobOutcome::TimedOut { after },
                        None => JobOutcome::Failed(failure.error),
                    };
                };
                let delay = policy.jittered_delay(attempt, core.id.as_u64());
                attempt += 1;
                let error = failure.error;
                core.emit(|| EventKind::Retrying { attempt, max_attempts, delay, error });
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

fn flatten<T>(result: Result<Result<T, JobError>, PanicPayload>, core: &JobCore) -> Result<T, JobError> {
    match result {
        Ok(inner) => inner,
        Err(payload) => Err(panic_error(&*payload, core)),
    }
}

fn panic_error(payload: &(dyn Any + Send), core: &JobCore) -> JobError {
    let error = JobError::from_panic(payload);
    tracing::warn!(job_id = %core.id, job_type = core.job_type, %error, "executor panicked");
    error
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
