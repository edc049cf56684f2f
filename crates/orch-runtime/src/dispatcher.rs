//! The [`Dispatcher`]: routes each job, by its type, to the one executor registered for it
//! (O(1) lookup), runs it on a tokio task and returns a [`JobHandle`] at once.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::breaker::CircuitBreaker;
use crate::bus::SignalBus;
use crate::error::{DispatchError, JobError, JobErrorKind, RegisterError};
use crate::event::{EventKind, Payload, Progress};
use crate::executor::Executor;
use crate::job::{DispatchOptions, Job, JobId};
use crate::runner::{
    DedupMap, ExecRunner, Home, JobCore, JobExtras, Owner, Plan, Runner, TASK_DROPPED, lock,
};

/// Hasher for `TypeId` keys (already well distributed): avoids SipHash on the hot path.
#[derive(Default)]
struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Registry = HashMap<TypeId, Registered, BuildHasherDefault<TypeIdHasher>>;

struct Registered {
    job_type: &'static str,
    /// A `Box<dyn Runner<J>>` for the job type `J` of the key.
    runner: Box<dyn Any + Send + Sync>,
}

/// Registers one executor per job type, then builds a [`Dispatcher`].
///
/// ```
/// use orch_runtime::{DispatcherBuilder, ExecContext, Executor, Job, JobError, RegisterError, SignalBus};
///
/// struct PingJob;
/// impl Job for PingJob { type Output = (); }
/// struct PingExecutor;
/// impl Executor<PingJob> for PingExecutor {
///     async fn execute(&self, _job: &PingJob, _ctx: &ExecContext) -> Result<(), JobError> { Ok(()) }
/// }
///
/// let mut builder = DispatcherBuilder::new(SignalBus::new());
/// builder.register::<PingJob, _>(PingExecutor)?;
/// // A second executor for the same job type is an error, never an overwrite:
/// assert_eq!(
///     builder.register::<PingJob, _>(PingExecutor).err(),
///     Some(RegisterError::Duplicate { job_type: "PingJob" }),
/// );
/// let dispatcher = builder.build();
/// assert_eq!(dispatcher.registered(), vec!["PingJob"]);
/// # Ok::<(), RegisterError>(())
/// ```
pub struct DispatcherBuilder {
    bus: SignalBus,
    registry: Registry,
}

impl DispatcherBuilder {
    /// A builder whose dispatcher publishes on `bus`.
    pub fn new(bus: SignalBus) -> Self {
        DispatcherBuilder { bus, registry: Registry::default() }
    }

    /// Register `executor` for jobs of type `J`. Registering a second executor for the same
    /// job type fails with [`RegisterError::Duplicate`].
    pub fn register<J: Job, E: Executor<J>>(&mut self, executor: E) -> Result<&mut Self, RegisterError> {
        self.insert::<J, E>(Arc::new(executor), None)
    }

    /// Register a shared executor (e.g. one instance serving several job types).
    pub fn register_shared<J: Job, E: Executor<J>>(
        &mut self,
        executor: Arc<E>,
    ) -> Result<&mut Self, RegisterError> {
        self.insert::<J, E>(executor, None)
    }

    /// Register `executor` behind a circuit breaker: every attempt of every `J` job goes
    /// through `breaker` (unless the dispatch options name another breaker).
    pub fn register_with_breaker<J: Job, E: Executor<J>>(
        &mut self,
        executor: E,
        breaker: CircuitBreaker,
    ) -> Result<&mut Self, RegisterError> {
        self.insert::<J, E>(Arc::new(executor), Some(breaker))
    }

    fn insert<J: Job, E: Executor<J>>(
        &mut self,
        exec: Arc<E>,
        breaker: Option<CircuitBreaker>,
    ) -> Result<&mut Self, RegisterError> {
        match self.registry.entry(TypeId::of::<J>()) {
            Entry::Occupied(_) => Err(RegisterError::Duplicate { job_type: J::job_type() }),
            Entry::Vacant(slot) => {
                let runner: Box<dyn Runner<J>> = Box::new(ExecRunner { exec, breaker });
                slot.insert(Registered { job_type: J::job_type(), runner: Box::new(runner) });
                Ok(self)
            }
        }
    }

    /// True if an executor is registered for `J`.
    pub fn is_registered<J: Job>(&self) -> bool {
        self.registry.contains_key(&TypeId::of::<J>())
    }

    /// The bus the dispatcher will publish on.
    pub fn bus(&self) -> &SignalBus {
        &self.bus
    }

    /// Build the dispatcher. The registry is fixed from here on.
    pub fn build(self) -> Dispatcher {
        Dispatcher {
            inner: Arc::new(DispatcherInner {
                home: Home::new(self.bus),
                registry: self.registry,
                dedup: Arc::new(DedupMap::default()),
            }),
        }
    }
}

impl fmt::Debug for DispatcherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatcherBuilder")
            .field("bus", &self.bus)
            .field("registered", &sorted_names(&self.registry))
            .finish()
    }
}

fn sorted_names(registry: &Registry) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = registry.values().map(|r| r.job_type).collect();
    names.sort_unstable();
    names
}

struct DispatcherInner {
    home: Arc<Home>,
    registry: Registry,
    dedup: Arc<DedupMap>,
}

/// Routes jobs to their executors. Cheap to clone (clones share everything).
///
/// `dispatch` returns at once with a [`JobHandle`]; the job runs on its own tokio task and
/// reports `Started`, then progress/retries/domain events, then exactly one terminal event,
/// on the bus. Dropping the handle does not cancel the job (fire-and-forget).
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<DispatcherInner>,
}

pub(crate) struct Prepared<'a, J: Job> {
    runner: &'a dyn Runner<J>,
    rt: Handle,
    job: J,
    pub(crate) core: Arc<JobCore>,
    pub(crate) key: Option<String>,
    plan: Option<Box<Plan>>,
}

impl<J: Job> Prepared<'_, J> {
    pub(crate) fn spawn(self) -> JobHandle<J::Output> {
        let core = self.core;
        let join = self.runner.spawn(self.job, Arc::clone(&core), self.plan, &self.rt);
        JobHandle { id: core.id, core, join }
    }
}

impl Dispatcher {
    /// Shorthand for [`DispatcherBuilder::new`].
    pub fn builder(bus: SignalBus) -> DispatcherBuilder {
        DispatcherBuilder::new(bus)
    }

    /// The bus jobs publish on (unless [`DispatchOptions::bus`] says otherwise).
    pub fn bus(&self) -> &SignalBus {
        &self.inner.home.bus
    }

    /// The registered job types, sorted.
    pub fn registered(&self) -> Vec<&'static str> {
        sorted_names(&self.inner.registry)
    }

    /// True if an executor is registered for `J`.
    pub fn is_registered<J: Job>(&self) -> bool {
        self.inner.registry.contains_key(&TypeId::of::<J>())
    }

    /// Dispatch `job` with default options. Returns at once.
    ///
    /// Errors: [`DispatchError::NoExecutor`] if no executor is registered for `J`,
    /// [`DispatchError::NoRuntime`] outside a tokio runtime, [`DispatchError::Closed`] after
    /// [`Dispatcher::close`].
    pub fn dispatch<J: Job>(&self, job: J) -> Result<JobHandle<J::Output>, DispatchError> {
        // Default options without building a `DispatchOptions` (the hot path).
        Ok(self.prepare(job, None, None)?.spawn())
    }

    /// Dispatch `job` with options (timeouts, retry, cancellation token, metadata, dedup
    /// key, bus). With a dedup key held by a job still running:
    /// [`DispatchError::Duplicate`].
    pub fn dispatch_with<J: Job>(
        &self,
        job: J,
        options: DispatchOptions,
    ) -> Result<JobHandle<J::Output>, DispatchError> {
        let prepared = self.prepare(job, Some(options), None)?;
        if let Some((map, key)) = prepared.core.dedup() {
            let mut map = lock(map);
            if let Some(&running) = map.get(key) {
                return Err(DispatchError::Duplicate { key: key.clone(), running });
            }
            map.insert(key.clone(), prepared.core.id);
        }
        Ok(prepared.spawn())
    }

    /// Everything up to spawning; fails without side effects. `None` = default options.
    pub(crate) fn prepare<J: Job>(
        &self,
        job: J,
        options: Option<DispatchOptions>,
        owner: Option<Arc<Owner>>,
    ) -> Result<Prepared<'_, J>, DispatchError> {
        let inner = &*self.inner;
        if inner.home.is_closed() {
            return Err(DispatchError::Closed);
        }
        let registered = inner
            .registry
            .get(&TypeId::of::<J>())
            .ok_or_else(|| DispatchError::NoExecutor { job_type: J::job_type() })?;
        let runner = registered
            .runner
            .downcast_ref::<Box<dyn Runner<J>>>()
            .ok_or(DispatchError::NoExecutor { job_type: registered.job_type })?;
        let rt = Handle::try_current().map_err(|_| DispatchError::NoRuntime)?;
        let Some(options) = options else {
            let core = JobCore::new(
                JobId::new(),
                registered.job_type,
                None,
                Arc::clone(&inner.home),
                None,
                owner,
                None,
            );
            let plan =
                runner.breaker().map(|b| Box::new(Plan { breaker: Some(b.clone()), ..Plan::default() }));
            return Ok(Prepared { runner: &**runner, rt, job, core, key: None, plan });
        };
        let DispatchOptions {
            id,
            timeout,
            attempt_timeout,
            retry,
            cancel_token,
            meta,
            dedup_key,
            bus,
            breaker,
        } = options;
        let token = cancel_token.map(|parent| parent.child_token());
        let (dedup, key) = match (&owner, dedup_key) {
            (None, Some(k)) => (Some((Arc::clone(&inner.dedup), k)), None),
            (_, key) => (None, key),
        };
        let extras = (dedup.is_some() || !meta.is_empty()).then(|| Box::new(JobExtras { dedup, meta }));
        let core = JobCore::new(
            id.unwrap_or_default(),
            registered.job_type,
            token,
            Arc::clone(&inner.home),
            bus,
            owner,
            extras,
        );
        let plan =
            Plan { retry, timeout, attempt_timeout, breaker: breaker.or_else(|| runner.breaker().cloned()) }
                .boxed();
        Ok(Prepared { runner: &**runner, rt, job, core, key, plan })
    }

    /// Refuse new dispatches from now on ([`DispatchError::Closed`]); running jobs go on.
    pub fn close(&self) {
        self.inner.home.close();
    }

    /// True after [`Dispatcher::close`].
    pub fn is_closed(&self) -> bool {
        self.inner.home.is_closed()
    }

    /// How many jobs are in flight (spawned and not yet finished).
    pub fn in_flight(&self) -> usize {
        self.inner.home.in_flight()
    }

    /// Graceful shutdown: [`close`](Dispatcher::close), then wait until every in-flight job
    /// has finished (emitted its terminal event).
    pub async fn shutdown(&self) {
        self.close();
        self.inner.home.wait_idle().await;
    }
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field("bus", &self.inner.home.bus)
            .field("registered", &self.registered())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The dispatcher's answer to one dispatch: the job id, cancellation, progress and the
/// outcome. Dropping it does not cancel the job.
pub struct JobHandle<T> {
    id: JobId,
    core: Arc<JobCore>,
    join: JoinHandle<JobOutcome<T>>,
}

impl<T: Send + Sync + 'static> JobHandle<T> {
    /// The job's id (the correlation id of its events).
    pub fn id(&self) -> JobId {
        self.id
    }

    /// Cancel the job (no reason). Its executor's future is dropped and it ends with
    /// `Cancelled`, unless it already finished.
    pub fn cancel(&self) {
        self.core.cancel(None);
    }

    /// Cancel the job with a reason, carried by the `Cancelled` event.
    pub fn cancel_with(&self, reason: impl Into<String>) {
        self.core.cancel(Some(reason.into()));
    }

    /// The job's cancellation token.
    pub fn cancellation(&self) -> &CancellationToken {
        self.core.token()
    }

    /// A watch of the job's latest progress (`None` until the first report). The channel
    /// closes when the job finishes.
    pub fn progress(&self) -> watch::Receiver<Option<Progress>> {
        self.core.progress_receiver()
    }

    /// True once the job emitted its terminal event.
    pub fn is_finished(&self) -> bool {
        self.core.is_finished()
    }

    /// Wait for the job's end. Never fails: errors, panics, cancellation and timeouts are
    /// outcomes.
    pub async fn outcome(self) -> JobOutcome<T> {
        match self.join.await {
            Ok(outcome) => outcome,
            Err(e) if e.is_panic() => {
                JobOutcome::Failed(JobError::with_kind(JobErrorKind::Panicked, "job task panicked"))
            }
            Err(_) => JobOutcome::Cancelled { reason: Some(TASK_DROPPED.to_owned()) },
        }
    }
}

impl<T> fmt::Debug for JobHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobHandle").field("id", &self.id).field("job_type", &self.core.job_type).finish()
    }
}

/// How a job ended. Mirrors the terminal event.
#[derive(Debug)]
pub enum JobOutcome<T> {
    /// The executor returned its output.
    Succeeded(Arc<T>),
    /// The executor failed (error, panic, open circuit, retries exhausted).
    Failed(JobError),
    /// The job was cancelled.
    Cancelled {
        /// The cancellation reason, if one was given.
        reason: Option<String>,
    },
    /// The job's timeout elapsed; its work was dropped.
    TimedOut {
        /// The timeout that elapsed.
        after: Duration,
    },
}

impl<T> Clone for JobOutcome<T> {
    fn clone(&self) -> Self {
        match self {
            JobOutcome::Succeeded(v) => JobOutcome::Succeeded(Arc::clone(v)),
            JobOutcome::Failed(e) => JobOutcome::Failed(e.clone()),
            JobOutcome::Cancelled { reason } => JobOutcome::Cancelled { reason: reason.clone() },
            JobOutcome::TimedOut { after } => JobOutcome::TimedOut { after: *after },
        }
    }
}

impl<T> JobOutcome<T> {
    /// True for `Succeeded`.
    pub fn is_success(&self) -> bool {
        matches!(self, JobOutcome::Succeeded(_))
    }

    /// The name of the matching terminal [`EventKind`] (`"succeeded"`, `"failed"`,
    /// `"cancelled"`, `"timed_out"`).
    pub fn name(&self) -> &'static str {
        match self {
            JobOutcome::Succeeded(_) => "succeeded",
            JobOutcome::Failed(_) => "failed",
            JobOutcome::Cancelled { .. } => "cancelled",
            JobOutcome::TimedOut { .. } => "timed_out",
        }
    }

    /// `Ok(output)` for `Succeeded`; otherwise an error whose kind says why
    /// ([`JobErrorKind::Cancelled`], [`JobErrorKind::TimedOut`], or the executor's error).
    pub fn into_result(self) -> Result<Arc<T>, JobError> {
        match self {
            JobOutcome::Succeeded(v) => Ok(v),
            JobOutcome::Failed(e) => Err(e),
            JobOutcome::Cancelled { reason } => Err(JobError::with_kind(
                JobErrorKind::Cancelled,
                match reason {
                    Some(r) => format!("cancelled: {r}"),
                    None => "cancelled".to_owned(),
                },
            )),
            JobOutcome::TimedOut { after } => {
                Err(JobError::with_kind(JobErrorKind::TimedOut, format!("timed out after {after:?}")))
            }
        }
    }
}

impl<T: Send + Sync + 'static> JobOutcome<T> {
    pub(crate) fn to_event_kind(&self) -> EventKind {
        match self {
            JobOutcome::Succeeded(v) => EventKind::Succeeded(Payload::from_arc(Arc::clone(v))),
            JobOutcome::Failed(e) => EventKind::Failed(e.clone()),
            JobOutcome::Cancelled { reason } => EventKind::Cancelled { reason: reason.clone() },
            JobOutcome::TimedOut { after } => EventKind::TimedOut { after: *after },
        }
    }
}
