//! Orchestrators: UI-facing state holders that never do I/O. An [`Orchestrator`] dispatches
//! jobs, handles the events of its own jobs in *active* mode (delivered losslessly) and
//! everyone else's in *passive* mode (from the bus), and owns a state that the outside
//! observes through a `watch` channel ([`OrchestratorHandle::watch`]).

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::bus::{BusItem, SignalBus, Subscription};
use crate::dispatcher::Dispatcher;
use crate::error::{DispatchError, JobError};
use crate::event::{Event, EventKind, Progress};
use crate::job::{DispatchOptions, Job, JobId};
use crate::runner::{Owner, lock};
use crate::testing::HarnessLog;

/// User code that holds state and reacts to events. Implement the hooks you need; all have
/// empty defaults.
///
/// *Active* hooks (`on_started` … `on_domain_event`) receive the events of jobs this
/// orchestrator dispatched, through an unbounded channel: never lost, in the order each job
/// emitted them. [`on_passive`](Orchestrator::on_passive) receives other jobs' events from
/// the buses it observes (the dispatcher's bus by default); a passive observer that falls
/// behind gets [`on_lagged`](Orchestrator::on_lagged) instead of the missed events.
///
/// Hooks run one at a time on the orchestrator's task; they must not block. A panic in a
/// hook is caught and logged; the event is skipped and the orchestrator keeps running.
pub trait Orchestrator: Send + 'static {
    /// The observable state.
    type State: Clone + Send + Sync + 'static;

    /// Active: one of this orchestrator's jobs started.
    fn on_started(&mut self, _event: &Event, _cx: &mut OrchestratorContext<'_, Self::State>) {}
    /// Active: one of this orchestrator's jobs reported progress.
    fn on_progress(
        &mut self,
        _event: &Event,
        _progress: &Progress,
        _cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
    }
    /// Active: one of this orchestrator's jobs will retry.
    fn on_retrying(&mut self, _event: &Event, _cx: &mut OrchestratorContext<'_, Self::State>) {}
    /// Active, terminal: one of this orchestrator's jobs succeeded (see
    /// [`Event::output`]).
    fn on_succeeded(&mut self, _event: &Event, _cx: &mut OrchestratorContext<'_, Self::State>) {}
    /// Active, terminal: one of this orchestrator's jobs failed.
    fn on_failed(
        &mut self,
        _event: &Event,
        _error: &JobError,
        _cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
    }
    /// Active, terminal: one of this orchestrator's jobs was cancelled.
    fn on_cancelled(
        &mut self,
        _event: &Event,
        _reason: Option<&str>,
        _cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
    }
    /// Active, terminal: one of this orchestrator's jobs timed out.
    fn on_timed_out(
        &mut self,
        _event: &Event,
        _after: Duration,
        _cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
    }
    /// Active: one of this orchestrator's jobs emitted a domain event (see
    /// [`Event::domain`]).
    fn on_domain_event(&mut self, _event: &Event, _cx: &mut OrchestratorContext<'_, Self::State>) {}
    /// Passive: an event of a job this orchestrator did not dispatch.
    fn on_passive(&mut self, _event: &Event, _cx: &mut OrchestratorContext<'_, Self::State>) {}
    /// Passive: the orchestrator fell behind on a bus and missed `missed` events.
    fn on_lagged(&mut self, _missed: u64, _cx: &mut OrchestratorContext<'_, Self::State>) {}
}

/// Route an active event to its hook.
pub(crate) fn deliver_active<O: Orchestrator>(
    orch: &mut O,
    event: &Event,
    cx: &mut OrchestratorContext<'_, O::State>,
) {
    match event.kind() {
        EventKind::Started => orch.on_started(event, cx),
        EventKind::Progress(p) => orch.on_progress(event, p, cx),
        EventKind::Retrying { .. } => orch.on_retrying(event, cx),
        EventKind::Succeeded(_) => orch.on_succeeded(event, cx),
        EventKind::Failed(e) => orch.on_failed(event, e, cx),
        EventKind::Cancelled { reason } => orch.on_cancelled(event, reason.as_deref(), cx),
        EventKind::TimedOut { after } => orch.on_timed_out(event, *after, cx),
        EventKind::Domain(_) => orch.on_domain_event(event, cx),
    }
}

pub(crate) enum Backend<'a> {
    Live(&'a Arc<OrchShared>),
    Harness(&'a mut HarnessLog),
}

/// What a hook can do: read and change the state, dispatch jobs (owned by this
/// orchestrator, so their events come back actively), cancel them, and ask which run.
pub struct OrchestratorContext<'a, S> {
    state: &'a mut S,
    changed: bool,
    backend: Backend<'a>,
}

impl<'a, S> OrchestratorContext<'a, S> {
    pub(crate) fn new(state: &'a mut S, backend: Backend<'a>) -> Self {
        OrchestratorContext { state, changed: false, backend }
    }

    pub(crate) fn changed(&self) -> bool {
        self.changed
    }
}

impl<S: Clone + Send + Sync + 'static> OrchestratorContext<'_, S> {
    /// The current state.
    pub fn state(&self) -> &S {
        self.state
    }

    /// Change the state in place. Watchers are notified once the hook returns.
    pub fn update(&mut self, f: impl FnOnce(&mut S)) {
        f(self.state);
        self.changed = true;
    }

    /// Replace the state. Watchers are notified once the hook returns.
    pub fn set(&mut self, state: S) {
        *self.state = state;
        self.changed = true;
    }

    /// Dispatch a job owned by this orchestrator (its events come back to the active hooks).
    pub fn dispatch<J: Job>(&mut self, job: J) -> Result<JobId, DispatchError> {
        self.dispatch_with(job, DispatchOptions::default())
    }

    /// Dispatch with options; a dedup key still held by a running job of this orchestrator
    /// gives [`DispatchError::Duplicate`].
    pub fn dispatch_with<J: Job>(
        &mut self,
        job: J,
        options: DispatchOptions,
    ) -> Result<JobId, DispatchError> {
        match &mut self.backend {
            Backend::Live(shared) => shared.dispatch(job, Some(options)),
            Backend::Harness(log) => log.dispatch(job, options),
        }
    }

    /// Cancel one of this orchestrator's running jobs (really cancels its token). False if
    /// it is not running.
    pub fn cancel(&mut self, id: JobId, reason: Option<String>) -> bool {
        match &mut self.backend {
            Backend::Live(shared) => shared.cancel(id, reason),
            Backend::Harness(log) => log.cancel(id, reason),
        }
    }

    /// True if the job was dispatched by this orchestrator and has not finished.
    pub fn is_running(&self, id: JobId) -> bool {
        match &self.backend {
            Backend::Live(shared) => shared.is_running(id),
            Backend::Harness(log) => log.is_running(id),
        }
    }

    /// This orchestrator's running jobs, sorted by id.
    pub fn running(&self) -> Vec<JobId> {
        match &self.backend {
            Backend::Live(shared) => shared.running(),
            Backend::Harness(log) => log.running(),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for OrchestratorContext<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrchestratorContext")
            .field("state", &self.state)
            .field("changed", &self.changed)
            .finish_non_exhaustive()
    }
}

static NEXT_OWNER_ID: AtomicU64 = AtomicU64::new(1);

const SHUTDOWN_REASON: &str = "orchestrator shut down";

/// Shared between an orchestrator's handles, its loop and its hooks.
pub(crate) struct OrchShared {
    owner: Arc<Owner>,
    dispatcher: Dispatcher,
    /// Stops the `observe` forwarders.
    shutdown: CancellationToken,
    /// Set by `shutdown` (cheaper to check on every dispatch than the token).
    stopped: AtomicBool,
    passive_tx: mpsc::Sender<BusItem>,
    rt: Handle,
}

impl OrchShared {
    /// `None` = default options.
    fn dispatch<J: Job>(&self, job: J, options: Option<DispatchOptions>) -> Result<JobId, DispatchError> {
        if self.stopped.load(Ordering::SeqCst) {
            return Err(DispatchError::Closed);
        }
        let mut prepared = self.dispatcher.prepare(job, options, Some(Arc::clone(&self.owner)))?;
        let key = prepared.key.take();
        lock(&self.owner.running).insert(&prepared.core, key)?;
        let core = Arc::clone(&prepared.core);
        drop(prepared.spawn());
        if self.stopped.load(Ordering::SeqCst) {
            // Lost a race with shutdown(): do not leave the job running.
            core.cancel(Some(SHUTDOWN_REASON.to_owned()));
        }
        Ok(core.id)
    }

    fn cancel(&self, id: JobId, reason: Option<String>) -> bool {
        // Take the core out of the lock first: JobCore::finish locks core -> running.
        match self.owner.core_of(id) {
            Some(core) => core.cancel(reason),
            None => false,
        }
    }

    fn is_running(&self, id: JobId) -> bool {
        lock(&self.owner.running).jobs.contains_key(&id)
    }

    fn running(&self) -> Vec<JobId> {
        let mut ids: Vec<JobId> = lock(&self.owner.running).jobs.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    fn shutdown(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.shutdown.cancel();
        // Wakes the loop, after the events already queued.
        let _ = self.owner.tx.send(None);
        let cores: Vec<_> = lock(&self.owner.running).jobs.values().map(|j| Arc::clone(&j.core)).collect();
        for core in cores {
            core.cancel(Some(SHUTDOWN_REASON.to_owned()));
        }
    }
}

/// The outside's handle to a running orchestrator: observe its state, dispatch jobs it
/// owns, cancel them, shut it down. Cheap to clone. Dropping every handle does not stop the
/// orchestrator; [`shutdown`](OrchestratorHandle::shutdown) does (or the runtime ending).
pub struct OrchestratorHandle<O: Orchestrator> {
    shared: Arc<OrchShared>,
    state: watch::Receiver<O::State>,
}

impl<O: Orchestrator> Clone for OrchestratorHandle<O> {
    fn clone(&self) -> Self {
        OrchestratorHandle { shared: Arc::clone(&self.shared), state: self.state.clone() }
    }
}

impl<O: Orchestrator> fmt::Debug for OrchestratorHandle<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrchestratorHandle")
            .field("orchestrator", &std::any::type_name::<O>())
            .field("running", &self.shared.running())
            .field("shut_down", &self.shared.stopped.load(Ordering::SeqCst))
            .finish()
    }
}

enum Step {
    Active(Event),
    Passive(BusItem),
}

/// Events handled before the state is published to watchers (bounds the latency of a
/// state change under load while saving clones and wake-ups).
const ACTIVE_BATCH: usize = 64;

impl<O: Orchestrator> OrchestratorHandle<O> {
    /// Spawn the orchestrator's event loop on the current tokio runtime. It observes the
    /// dispatcher's bus passively (add more with [`observe`](OrchestratorHandle::observe)).
    /// Outside a runtime: [`DispatchError::NoRuntime`].
    pub fn spawn(orchestrator: O, initial: O::State, dispatcher: &Dispatcher) -> Result<Self, DispatchError> {
        Self::spawn_inner(orchestrator, initial, dispatcher, true)
    }

    /// Like [`spawn`](OrchestratorHandle::spawn) but without observing the dispatcher's bus:
    /// only the events of its own jobs reach it (plus buses added with
    /// [`observe`](OrchestratorHandle::observe)). Cheaper when `on_passive` is not used.
    pub fn spawn_active_only(
        orchestrator: O,
        initial: O::State,
        dispatcher: &Dispatcher,
    ) -> Result<Self, DispatchError> {
        Self::spawn_inner(orchestrator, initial, dispatcher, false)
    }

    fn spawn_inner(
        orchestrator: O,
        initial: O::State,
        dispatcher: &Dispatcher,
        observe_dispatcher_bus: bool,
    ) -> Result<Self, DispatchError> {
        let rt = Handle::try_current().map_err(|_| DispatchError::NoRuntime)?;
        let (active_tx, active_rx) = mpsc::unbounded_channel();
        let (passive_tx, extra_rx) = mpsc::channel(64);
        let (state_tx, state_rx) = watch::channel(initial.clone());
        let passive = observe_dispatcher_bus.then(|| dispatcher.bus().subscribe());
        let shared = Arc::new(OrchShared {
            owner: Arc::new(Owner {
                id: NEXT_OWNER_ID.fetch_add(1, Ordering::Relaxed),
                tx: active_tx,
                running: Mutex::default(),
            }),
            dispatcher: dispatcher.clone(),
            shutdown: CancellationToken::new(),
            stopped: AtomicBool::new(false),
            passive_tx,
            rt: rt.clone(),
        });
        rt.spawn(event_loop(
            orchestrator,
            initial,
            state_tx,
            Arc::clone(&shared),
            active_rx,
            passive,
            extra_rx,
        ));
        Ok(OrchestratorHandle { shared, state: state_rx })
    }

    /// Also observe `bus` passively (e.g. a scoped bus). Events of this orchestrator's own
    /// jobs are never delivered passively.
    pub fn observe(&self, bus: &SignalBus) {
        let mut sub = bus.subscribe();
        let tx = self.shared.passive_tx.clone();
        let stop = self.shared.shutdown.clone();
        self.shared.rt.spawn(async move {
            loop {
                let item = tokio::select! {
                    biased;
                    _ = stop.cancelled() => break,
                    item = sub.recv() => item,
                };
                let Some(item) = item else { break };
                if tx.send(item).await.is_err() {
                    break;
                }
            }
        });
    }

    /// The current state (a clone).
    pub fn state(&self) -> O::State {
        self.state.borrow().clone()
    }

    /// A watch receiver of the state: it sees the current value at once, then every change.
    pub fn watch(&self) -> watch::Receiver<O::State> {
        self.state.clone()
    }

    /// Wait until `pred` holds for the state and return that state. If the orchestrator
    /// stops before, returns its last state.
    pub async fn wait_for(&self, mut pred: impl FnMut(&O::State) -> bool) -> O::State {
        let mut rx = self.state.clone();
        let result = rx.wait_for(|s| pred(s)).await.map(|s| s.clone());
        match result {
            Ok(state) => state,
            Err(_) => rx.borrow().clone(),
        }
    }

    /// Dispatch a job owned by this orchestrator (its events reach the active hooks).
    pub fn dispatch<J: Job>(&self, job: J) -> Result<JobId, DispatchError> {
        self.shared.dispatch(job, None)
    }

    /// Dispatch with options. With a dedup key held by one of this orchestrator's running
    /// jobs: [`DispatchError::Duplicate`]. After shutdown: [`DispatchError::Closed`].
    pub fn dispatch_with<J: Job>(&self, job: J, options: DispatchOptions) -> Result<JobId, DispatchError> {
        self.shared.dispatch(job, Some(options))
    }

    /// Cancel one of this orchestrator's running jobs: cancels its token, so its executor's
    /// future is dropped and it ends with `Cancelled { reason }`. False if not running.
    pub fn cancel(&self, id: JobId, reason: Option<String>) -> bool {
        self.shared.cancel(id, reason)
    }

    /// True if the job was dispatched by this orchestrator and has not emitted its terminal
    /// event yet.
    pub fn is_running(&self, id: JobId) -> bool {
        self.shared.is_running(id)
    }

    /// This orchestrator's running jobs, sorted by id.
    pub fn running(&self) -> Vec<JobId> {
        self.shared.running()
    }

    /// Stop the event loop and cancel this orchestrator's running jobs (reason
    /// `"orchestrator shut down"`). Later dispatches fail with [`DispatchError::Closed`].
    pub fn shutdown(&self) {
        self.shared.shutdown();
    }

    /// True after [`shutdown`](OrchestratorHandle::shutdown).
    pub fn is_shut_down(&self) -> bool {
        self.shared.stopped.load(Ordering::SeqCst)
    }
}

async fn event_loop<O: Orchestrator>(
    mut orch: O,
    mut state: O::State,
    state_tx: watch::Sender<O::State>,
    shared: Arc<OrchShared>,
    mut active: mpsc::UnboundedReceiver<Option<Event>>,
    mut passive: Option<Subscription>,
    mut extra: mpsc::Receiver<BusItem>,
) {
    let me = shared.owner.id;
    'run: loop {
        let step = tokio::select! {
            biased;
            Some(message) = active.recv() => match message {
                Some(event) => Step::Active(event),
                None => break 'run, // shutdown
            },
            item = recv_passive(&mut passive) => match item {
                Some(item) => Step::Passive(item),
                None => {
                    passive = None;
                    continue;
                }
            },
            Some(item) = extra.recv() => Step::Passive(item),
            else => break,
        };
        let mut changed = handle(&mut orch, &mut state, &shared, me, step);
        // Drain what is already queued before publishing the state once.
        let mut stop = false;
        for _ in 0..ACTIVE_BATCH {
            match active.try_recv() {
                Ok(Some(event)) => changed |= handle(&mut orch, &mut state, &shared, me, Step::Active(event)),
                Ok(None) => {
                    stop = true;
                    break;
                }
                Err(_) => break,
            }
        }
        if changed {
            state_tx.send_modify(|published| published.clone_from(&state));
        }
        if stop {
            break;
        }
    }
}

async fn recv_passive(passive: &mut Option<Subscription>) -> Option<BusItem> {
    match passive {
        Some(sub) => sub.recv().await,
        None => std::future::pending().await,
    }
}

/// Run one hook; returns whether the state changed. Panics in hooks are caught and logged.
fn handle<O: Orchestrator>(
    orch: &mut O,
    state: &mut O::State,
    shared: &Arc<OrchShared>,
    me: u64,
    step: Step,
) -> bool {
    if let Step::Passive(BusItem::Event(event)) = &step {
        if event.owner == Some(me) {
            return false; // our own job: already delivered actively
        }
    }
    let mut cx = OrchestratorContext::new(state, Backend::Live(shared));
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| match &step {
        Step::Active(event) => deliver_active(orch, event, &mut cx),
        Step::Passive(BusItem::Event(event)) => orch.on_passive(event, &mut cx),
        Step::Passive(BusItem::Lagged(missed)) => orch.on_lagged(*missed, &mut cx),
    }));
    if let Err(payload) = result {
        let error = JobError::from_panic(&*payload);
        tracing::error!(
            orchestrator = std::any::type_name::<O>(),
            %error,
            "orchestrator hook panicked; event skipped"
        );
    }
    cx.changed()
}
