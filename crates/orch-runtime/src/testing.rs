//! Test helpers (part of the public API): record a bus's events ([`EventRecorder`]), assert
//! event sequences ([`assert_sequence`]), drive an orchestrator's hooks synchronously
//! without a runtime ([`OrchestratorHarness`]), unit-test an executor ([`context_for`]), and
//! — with the `test-util` feature — run with paused tokio time ([`run_paused`]) so retries
//! and timeouts are instant and deterministic.
//!
//! These helpers panic on failed expectations, like `assert!`.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

use crate::bus::{BusItem, SignalBus, Subscription};
use crate::error::DispatchError;
use crate::event::{Event, EventKind};
use crate::executor::ExecContext;
use crate::job::{DispatchOptions, Job, JobId};
use crate::orchestrator::{Backend, Orchestrator, OrchestratorContext, deliver_active};
use crate::runner::lock;

struct RecorderState {
    sub: Subscription,
    events: Vec<Event>,
    lagged: u64,
}

impl RecorderState {
    fn drain(&mut self) {
        while let Some(item) = self.sub.try_recv() {
            match item {
                BusItem::Event(e) => self.events.push(e),
                BusItem::Lagged(n) => self.lagged += n,
            }
        }
    }
}

/// Records every event published on a bus from the moment it starts.
///
/// Reads are synchronous and complete: anything published before the call (for example a
/// job's terminal event, published before its [`JobHandle::outcome`](crate::JobHandle::outcome)
/// resolves) is in the result. Inside a tokio runtime a background task also drains the bus
/// continuously, so the recorder does not lag while the test awaits other things.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use orch_runtime::testing::{assert_sequence, EventRecorder};
/// use orch_runtime::{Dispatcher, ExecContext, Executor, Job, JobError, SignalBus};
///
/// struct AddJob(u32, u32);
/// impl Job for AddJob { type Output = u32; }
/// struct AddExecutor;
/// impl Executor<AddJob> for AddExecutor {
///     async fn execute(&self, job: &AddJob, ctx: &ExecContext) -> Result<u32, JobError> {
///         ctx.progress(0.5, "adding");
///         Ok(job.0 + job.1)
///     }
/// }
///
/// let bus = SignalBus::new();
/// let recorder = EventRecorder::start(&bus);
/// let mut builder = Dispatcher::builder(bus.clone());
/// builder.register::<AddJob, _>(AddExecutor).unwrap();
/// let handle = builder.build().dispatch(AddJob(2, 3)).unwrap();
/// let id = handle.id();
/// assert_eq!(*handle.outcome().await.into_result().unwrap(), 5);
/// assert_sequence(&recorder.events_for(id), &["started", "progress", "succeeded"]);
/// assert_eq!(recorder.wait_for_terminal(id).await.output::<u32>(), Some(&5));
/// # }
/// ```
pub struct EventRecorder {
    bus: SignalBus,
    state: Arc<Mutex<RecorderState>>,
    task: Option<JoinHandle<()>>,
}

impl EventRecorder {
    /// Start recording `bus`.
    pub fn start(bus: &SignalBus) -> Self {
        let state =
            Arc::new(Mutex::new(RecorderState { sub: bus.subscribe(), events: Vec::new(), lagged: 0 }));
        let task = tokio::runtime::Handle::try_current().ok().map(|rt| {
            let mut wake = bus.subscribe();
            let state = Arc::clone(&state);
            rt.spawn(async move {
                while wake.recv().await.is_some() {
                    lock(&state).drain();
                }
            })
        });
        EventRecorder { bus: bus.clone(), state, task }
    }

    /// Every event recorded so far, in publication order.
    pub fn events(&self) -> Vec<Event> {
        let mut state = lock(&self.state);
        state.drain();
        state.events.clone()
    }

    /// The events of one job, in order.
    pub fn events_for(&self, id: JobId) -> Vec<Event> {
        let mut state = lock(&self.state);
        state.drain();
        state.events.iter().filter(|e| e.job_id() == id).cloned().collect()
    }

    /// The kind names of one job's events, in order (`["started", "succeeded"]`).
    pub fn kinds_for(&self, id: JobId) -> Vec<&'static str> {
        let mut state = lock(&self.state);
        state.drain();
        state.events.iter().filter(|e| e.job_id() == id).map(|e| e.kind().name()).collect()
    }

    /// How many events the recorder missed because it lagged (0 unless the bus overflowed).
    pub fn lagged(&self) -> u64 {
        let mut state = lock(&self.state);
        state.drain();
        state.lagged
    }

    /// Forget what was recorded so far.
    pub fn clear(&self) {
        let mut state = lock(&self.state);
        state.drain();
        state.events.clear();
    }

    /// Wait for the first recorded event matching `pred` and return it.
    ///
    /// # Panics
    /// If the bus is closed before such an event arrives.
    pub async fn wait_for_event(&self, mut pred: impl FnMut(&Event) -> bool) -> Event {
        let mut wake = self.bus.subscribe();
        loop {
            {
                let mut state = lock(&self.state);
                state.drain();
                if let Some(e) = state.events.iter().find(|e| pred(e)) {
                    return e.clone();
                }
            }
            if wake.recv().await.is_none() {
                panic!("EventRecorder: the bus closed before the awaited event arrived");
            }
        }
    }

    /// Wait for the terminal event of job `id` and return it.
    ///
    /// # Panics
    /// If the bus is closed before the terminal event arrives.
    pub async fn wait_for_terminal(&self, id: JobId) -> Event {
        self.wait_for_event(|e| e.job_id() == id && e.is_terminal()).await
    }
}

impl Drop for EventRecorder {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl fmt::Debug for EventRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("EventRecorder")
            .field("events", &state.events.len())
            .field("lagged", &state.lagged)
            .finish()
    }
}

/// Assert that the events' kind names are exactly `expected`
/// (see [`EventKind::name`](crate::EventKind::name)).
///
/// # Panics
/// With both sequences in the message when they differ.
#[track_caller]
pub fn assert_sequence(events: &[Event], expected: &[&str]) {
    let actual: Vec<&str> = events.iter().map(|e| e.kind().name()).collect();
    assert!(actual == expected, "event sequence mismatch\n  expected: {expected:?}\n    actual: {actual:?}");
}

/// A job dispatched by a hook under an [`OrchestratorHarness`] (recorded, not run).
pub struct DispatchedJob {
    /// The id the hook got back.
    pub id: JobId,
    /// The job type's name.
    pub job_type: &'static str,
    /// The dispatch options.
    pub options: DispatchOptions,
    job: Box<dyn Any + Send + Sync>,
}

impl DispatchedJob {
    /// The job, if it has type `J`.
    pub fn job<J: Job>(&self) -> Option<&J> {
        self.job.downcast_ref::<J>()
    }
}

impl fmt::Debug for DispatchedJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatchedJob")
            .field("id", &self.id)
            .field("job_type", &self.job_type)
            .finish_non_exhaustive()
    }
}

/// What the harness records for the [`OrchestratorContext`] of its hooks.
#[derive(Default)]
pub(crate) struct HarnessLog {
    dispatched: Vec<DispatchedJob>,
    cancelled: Vec<(JobId, Option<String>)>,
    running: HashMap<JobId, Option<String>>,
    keys: HashMap<String, JobId>,
}

impl HarnessLog {
    pub(crate) fn dispatch<J: Job>(
        &mut self,
        job: J,
        options: DispatchOptions,
    ) -> Result<JobId, DispatchError> {
        if let Some(key) = options.get_dedup_key() {
            if let Some(&running) = self.keys.get(key) {
                return Err(DispatchError::Duplicate { key: key.to_owned(), running });
            }
        }
        let id = options.id.unwrap_or_default();
        let key = options.get_dedup_key().map(str::to_owned);
        if let Some(k) = &key {
            self.keys.insert(k.clone(), id);
        }
        self.running.insert(id, key);
        self.dispatched.push(DispatchedJob { id, job_type: J::job_type(), options, job: Box::new(job) });
        Ok(id)
    }

    pub(crate) fn cancel(&mut self, id: JobId, reason: Option<String>) -> bool {
        if self.running.contains_key(&id) {
            self.cancelled.push((id, reason));
            true
        } else {
            false
        }
    }

    pub(crate) fn is_running(&self, id: JobId) -> bool {
        self.running.contains_key(&id)
    }

    pub(crate) fn running(&self) -> Vec<JobId> {
        let mut ids: Vec<JobId> = self.running.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    fn finish(&mut self, id: JobId) {
        if let Some(Some(key)) = self.running.remove(&id) {
            if self.keys.get(&key) == Some(&id) {
                self.keys.remove(&key);
            }
        }
    }
}

/// Drives an orchestrator's hooks synchronously, without a runtime or a dispatcher: feed it
/// events, check the states. Jobs the hooks dispatch are recorded (not run) and count as
/// running until an active terminal event with their id is fed.
///
/// ```
/// use orch_runtime::testing::OrchestratorHarness;
/// use orch_runtime::{Event, EventKind, Job, JobId, Orchestrator, OrchestratorContext};
///
/// struct CountJob;
/// impl Job for CountJob { type Output = u32; }
///
/// #[derive(Default)]
/// struct Counter;
/// impl Orchestrator for Counter {
///     type State = u32;
///     fn on_succeeded(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, u32>) {
///         let n = event.output::<u32>().copied().unwrap_or(0);
///         cx.update(|s| *s += n);
///     }
/// }
///
/// let mut harness = OrchestratorHarness::new(Counter, 0);
/// let id = JobId::new();
/// harness.active(Event::for_job::<CountJob>(id, EventKind::Started));
/// assert_eq!(*harness.active(Event::for_job::<CountJob>(id, EventKind::succeeded(5u32))), 5);
/// ```
pub struct OrchestratorHarness<O: Orchestrator> {
    orchestrator: O,
    state: O::State,
    log: HarnessLog,
    updates: usize,
}

impl<O: Orchestrator> OrchestratorHarness<O> {
    /// A harness around `orchestrator` with the given initial state.
    pub fn new(orchestrator: O, initial: O::State) -> Self {
        OrchestratorHarness { orchestrator, state: initial, log: HarnessLog::default(), updates: 0 }
    }

    fn run(&mut self, f: impl FnOnce(&mut O, &mut OrchestratorContext<'_, O::State>)) {
        let mut cx = OrchestratorContext::new(&mut self.state, Backend::Harness(&mut self.log));
        f(&mut self.orchestrator, &mut cx);
        if cx.changed() {
            self.updates += 1;
        }
    }

    /// Feed an event of one of the orchestrator's own jobs (calls the matching active hook).
    pub fn active(&mut self, event: Event) -> &O::State {
        if event.is_terminal() {
            self.log.finish(event.job_id());
        }
        self.run(|o, cx| deliver_active(o, &event, cx));
        &self.state
    }

    /// Feed another job's event (calls `on_passive`).
    pub fn passive(&mut self, event: Event) -> &O::State {
        self.run(|o, cx| o.on_passive(&event, cx));
        &self.state
    }

    /// Simulate lag on a passive bus (calls `on_lagged`).
    pub fn lagged(&mut self, missed: u64) -> &O::State {
        self.run(|o, cx| o.on_lagged(missed, cx));
        &self.state
    }

    /// Feed an active event of kind `kind` for a job of type `J` with id `id`.
    pub fn active_kind<J: Job>(&mut self, id: JobId, kind: EventKind) -> &O::State {
        self.active(Event::for_job::<J>(id, kind))
    }

    /// The current state.
    pub fn state(&self) -> &O::State {
        &self.state
    }

    /// The orchestrator itself.
    pub fn orchestrator(&self) -> &O {
        &self.orchestrator
    }

    /// How many hooks changed the state (each would have notified watchers once).
    pub fn state_updates(&self) -> usize {
        self.updates
    }

    /// The types of the jobs the hooks dispatched, in order.
    pub fn dispatched(&self) -> Vec<&'static str> {
        self.log.dispatched.iter().map(|d| d.job_type).collect()
    }

    /// The jobs the hooks dispatched, in order.
    pub fn dispatched_jobs(&self) -> &[DispatchedJob] {
        &self.log.dispatched
    }

    /// The dispatched jobs of type `J`, in order.
    pub fn dispatched_of<J: Job>(&self) -> Vec<&J> {
        self.log.dispatched.iter().filter_map(|d| d.job::<J>()).collect()
    }

    /// The cancellations the hooks requested (job id, reason), in order.
    pub fn cancelled(&self) -> &[(JobId, Option<String>)] {
        &self.log.cancelled
    }

    /// The dispatched jobs that have not received a terminal event.
    pub fn running(&self) -> Vec<JobId> {
        self.log.running()
    }
}

impl<O: Orchestrator> fmt::Debug for OrchestratorHarness<O>
where
    O::State: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrchestratorHarness")
            .field("state", &self.state)
            .field("dispatched", &self.dispatched())
            .finish_non_exhaustive()
    }
}

/// An [`ExecContext`] for unit-testing an executor of `J` by calling
/// [`Executor::execute`](crate::Executor::execute) directly: its progress and domain events
/// are published on `bus` with a fresh job id.
pub fn context_for<J: Job>(bus: &SignalBus) -> ExecContext {
    ExecContext::detached(JobId::new(), J::job_type(), bus)
}

/// Run `fut` to completion on a fresh current-thread runtime whose clock starts paused:
/// sleeps, timeouts and retry back-offs complete instantly (time auto-advances when the
/// runtime is idle) and deterministically. The equivalent of
/// `#[tokio::test(start_paused = true)]` for code that is not a test function.
///
/// ```
/// # #[cfg(feature = "test-util")] {
/// use std::time::Duration;
/// let waited = orch_runtime::testing::run_paused(async {
///     let start = tokio::time::Instant::now();
///     tokio::time::sleep(Duration::from_secs(3600)).await; // instant
///     start.elapsed()
/// });
/// assert_eq!(waited, Duration::from_secs(3600));
/// # }
/// ```
///
/// # Panics
/// If the runtime cannot be built (this only happens when the OS refuses resources).
#[cfg(feature = "test-util")]
pub fn run_paused<F: std::future::Future>(fut: F) -> F::Output {
    match tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build() {
        Ok(rt) => rt.block_on(fut),
        Err(e) => panic!("run_paused: cannot build a tokio runtime: {e}"),
    }
}

/// Advance paused tokio time by `duration` (re-export of `tokio::time::advance`).
#[cfg(feature = "test-util")]
pub use tokio::time::advance;
