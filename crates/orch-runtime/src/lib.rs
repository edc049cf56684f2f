//! # orch-runtime
//!
//! The runtime of the **event-driven orchestrator** pattern, on tokio.
//!
//! UI-facing code (an [`Orchestrator`]) holds state and never does I/O. To get work done it
//! **dispatches a [`Job`]** (an immutable command with a unique [`JobId`]) and returns at
//! once. The [`Dispatcher`] routes the job, by its type, to the one [`Executor`] registered
//! for it. The executor does the I/O and reports what happened as [`Event`]s on a
//! [`SignalBus`]; every event carries the id of the job that caused it (the correlation id).
//! An orchestrator handles the events of the jobs it dispatched in *active* mode
//! (losslessly) and everyone else's in *passive* mode.
//!
//! ## Guarantees
//!
//! 1. Every dispatched job produces `Started`, then any number of `Progress`, `Retrying` and
//!    domain events, then **exactly one** terminal event: `Succeeded`, `Failed`, `Cancelled`
//!    or `TimedOut` — also when it is cancelled before it starts, times out, runs out of
//!    retries, panics, or when the runtime shuts down under it.
//! 2. Dispatching a job type without an executor is a typed error
//!    ([`DispatchError::NoExecutor`]); registering a second executor for a job type is an
//!    error ([`RegisterError::Duplicate`]); dispatching outside a runtime is
//!    [`DispatchError::NoRuntime`], not a panic.
//! 3. A timeout or a cancellation drops the executor's future before the terminal event is
//!    published; cancellation interrupts retry back-off sleeps; a cancel reason reaches the
//!    `Cancelled` event.
//! 4. Executor errors and panics never escape: they become `Failed` events.
//! 5. The owner of a job never loses its events (unbounded channel, not the bus). Bus
//!    subscribers that lag get an explicit [`BusItem::Lagged`] item and keep receiving.
//! 6. Retry: max attempts, base delay, factor, max delay, jitter, retry-if; a `Retrying`
//!    event before each wait.
//! 7. Scoped buses are isolated from each other and from the global bus.
//! 8. Orchestrator state is a `watch`: late subscribers see the current value. An
//!    orchestrator can cancel its jobs (their tokens), ask what is running, deduplicate by
//!    key.
//! 9. Circuit breaker (closed/open/half-open) with a distinct fail-fast error; saga with
//!    last-in-first-out compensations and a report.
//!
//! ## A complete example
//!
//! ```
//! use std::time::Duration;
//! use orch_runtime::prelude::*;
//!
//! // A job: an immutable command. Its output is a session token.
//! #[derive(Debug, Clone)]
//! pub struct LoginJob { pub user: String, pub password: String }
//! impl Job for LoginJob { type Output = String; }
//!
//! // A domain event the executor reports.
//! #[derive(Debug, Clone)]
//! pub struct LoggedInEvent { pub user: String }
//!
//! // The executor: I/O and business logic.
//! pub struct LoginExecutor;
//! impl Executor<LoginJob> for LoginExecutor {
//!     async fn execute(&self, job: &LoginJob, ctx: &ExecContext) -> Result<String, JobError> {
//!         ctx.progress(0.5, "checking credentials");
//!         tokio::time::sleep(Duration::from_millis(5)).await; // the "network"
//!         if job.password != "hunter2" {
//!             return Err(JobError::new("wrong password"));
//!         }
//!         ctx.emit(LoggedInEvent { user: job.user.clone() });
//!         Ok(format!("token-for-{}", job.user))
//!     }
//! }
//!
//! // The orchestrator: state and reactions, no I/O.
//! #[derive(Debug, Clone, Default, PartialEq)]
//! pub struct LoginState { pub busy: bool, pub token: Option<String>, pub greeting: Option<String>, pub error: Option<String> }
//!
//! pub struct LoginOrchestrator;
//! impl Orchestrator for LoginOrchestrator {
//!     type State = LoginState;
//!     fn on_started(&mut self, _event: &Event, cx: &mut OrchestratorContext<'_, LoginState>) {
//!         cx.update(|s| s.busy = true);
//!     }
//!     fn on_domain_event(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, LoginState>) {
//!         if let Some(e) = event.domain::<LoggedInEvent>() {
//!             let greeting = format!("welcome, {}", e.user);
//!             cx.update(|s| s.greeting = Some(greeting));
//!         }
//!     }
//!     fn on_succeeded(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, LoginState>) {
//!         let token = event.output::<String>().cloned();
//!         cx.update(|s| { s.busy = false; s.token = token; });
//!     }
//!     fn on_failed(&mut self, _event: &Event, error: &JobError, cx: &mut OrchestratorContext<'_, LoginState>) {
//!         cx.update(|s| { s.busy = false; s.error = Some(error.to_string()); });
//!     }
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // Wiring: a bus, a dispatcher with its executors.
//!     let bus = SignalBus::new();
//!     let mut builder = Dispatcher::builder(bus.clone());
//!     builder.register::<LoginJob, _>(LoginExecutor)?;
//!     let dispatcher = builder.build();
//!
//!     // An orchestrator; its state is observable.
//!     let login = OrchestratorHandle::spawn(LoginOrchestrator, LoginState::default(), &dispatcher)?;
//!     let watcher = login.watch();
//!
//!     // Fire and forget: dispatch returns at once with the job id.
//!     let _id = login.dispatch(LoginJob { user: "ada".into(), password: "hunter2".into() })?;
//!
//!     // State changes as events arrive.
//!     let state = login.wait_for(|s| !s.busy && s.token.is_some()).await;
//!     assert_eq!(state.token.as_deref(), Some("token-for-ada"));
//!     assert_eq!(state.greeting.as_deref(), Some("welcome, ada"));
//!     assert_eq!(watcher.borrow().token, state.token); // the watch saw it too
//!
//!     // The dispatcher can be used directly as well; the handle yields the outcome.
//!     let handle = dispatcher.dispatch(LoginJob { user: "bob".into(), password: "nope".into() })?;
//!     let outcome = handle.outcome().await;
//!     assert_eq!(outcome.into_result().unwrap_err().message(), "wrong password");
//!     Ok(())
//! }
//! ```
//!
//! ## Patterns
//!
//! The snippets below share this setup (hidden in the rendered docs):
//! a `SleepJob(ms)` whose executor sleeps `ms` milliseconds and returns `ms`, and a
//! `FlakyJob` that fails a given number of times before succeeding.
//!
//! ### Cancel
//!
//! [`JobHandle::cancel_with`] (or [`OrchestratorHandle::cancel`], or the token passed with
//! [`DispatchOptions::cancel_token`]) cancels the job's token: its executor's future is
//! dropped at once and it ends with `Cancelled { reason }`. A job cancelled before it started
//! never runs its executor but still gets `Started` + `Cancelled`.
//!
//! ```
//! # use orch_runtime::prelude::*;
//! # use std::time::Duration;
//! # struct SleepJob(u64);
//! # impl Job for SleepJob { type Output = u64; }
//! # struct SleepExecutor;
//! # impl Executor<SleepJob> for SleepExecutor {
//! #     async fn execute(&self, job: &SleepJob, _ctx: &ExecContext) -> Result<u64, JobError> {
//! #         tokio::time::sleep(Duration::from_millis(job.0)).await;
//! #         Ok(job.0)
//! #     }
//! # }
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut builder = Dispatcher::builder(SignalBus::new());
//! # builder.register::<SleepJob, _>(SleepExecutor)?;
//! # let dispatcher = builder.build();
//! let handle = dispatcher.dispatch(SleepJob(60_000))?;
//! handle.cancel_with("user pressed back");
//! match handle.outcome().await {
//!     JobOutcome::Cancelled { reason } => assert_eq!(reason.as_deref(), Some("user pressed back")),
//!     other => panic!("{other:?}"),
//! }
//! # Ok(()) }
//! ```
//!
//! ### Timeout
//!
//! [`DispatchOptions::timeout`] bounds the whole job (all attempts and back-offs);
//! [`DispatchOptions::attempt_timeout`] bounds each attempt (a timed-out attempt can be
//! retried). Either way the executor's future is dropped and the job ends with `TimedOut`.
//!
//! ```
//! # use orch_runtime::prelude::*;
//! # use std::time::Duration;
//! # struct SleepJob(u64);
//! # impl Job for SleepJob { type Output = u64; }
//! # struct SleepExecutor;
//! # impl Executor<SleepJob> for SleepExecutor {
//! #     async fn execute(&self, job: &SleepJob, _ctx: &ExecContext) -> Result<u64, JobError> {
//! #         tokio::time::sleep(Duration::from_millis(job.0)).await;
//! #         Ok(job.0)
//! #     }
//! # }
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut builder = Dispatcher::builder(SignalBus::new());
//! # builder.register::<SleepJob, _>(SleepExecutor)?;
//! # let dispatcher = builder.build();
//! let options = DispatchOptions::new().timeout(Duration::from_secs(2));
//! let outcome = dispatcher.dispatch_with(SleepJob(60_000), options)?.outcome().await;
//! assert!(matches!(outcome, JobOutcome::TimedOut { after } if after == Duration::from_secs(2)));
//! # Ok(()) }
//! ```
//!
//! ### Retry
//!
//! A [`RetryPolicy`] retries failed attempts with exponential back-off (base delay, factor,
//! max delay, jitter) while its `retry_if` predicate allows; a `Retrying` event precedes
//! each wait, and the executor sees the attempt number in [`ExecContext::attempt`].
//!
//! ```
//! # use orch_runtime::prelude::*;
//! # use std::time::Duration;
//! # struct FlakyJob { failures: u32 }
//! # impl Job for FlakyJob { type Output = u32; }
//! # struct FlakyExecutor;
//! # impl Executor<FlakyJob> for FlakyExecutor {
//! #     async fn execute(&self, job: &FlakyJob, ctx: &ExecContext) -> Result<u32, JobError> {
//! #         if ctx.attempt() <= job.failures { Err(JobError::new("flaky")) } else { Ok(ctx.attempt()) }
//! #     }
//! # }
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let bus = SignalBus::new();
//! # let mut builder = Dispatcher::builder(bus.clone());
//! # builder.register::<FlakyJob, _>(FlakyExecutor)?;
//! # let dispatcher = builder.build();
//! let recorder = orch_runtime::testing::EventRecorder::start(&bus);
//! let policy = RetryPolicy::exponential(4)
//!     .base_delay(Duration::from_millis(100))
//!     .max_delay(Duration::from_secs(1))
//!     .jitter(0.2)
//!     .retry_if(|e| !e.is_circuit_open());
//! let handle = dispatcher.dispatch_with(FlakyJob { failures: 2 }, DispatchOptions::new().retry(policy))?;
//! let id = handle.id();
//! assert_eq!(*handle.outcome().await.into_result()?, 3); // succeeded on attempt 3
//! assert_eq!(recorder.kinds_for(id), ["started", "retrying", "retrying", "succeeded"]);
//! # Ok(()) }
//! ```
//!
//! ### Progress
//!
//! Executors report with [`ExecContext::progress`] / [`ExecContext::progress_step`]. The
//! owner gets `on_progress`; anyone can watch the latest value with
//! [`JobHandle::progress`], or read `Progress` events from the bus.
//!
//! ```
//! # use orch_runtime::prelude::*;
//! struct ImportJob;
//! impl Job for ImportJob { type Output = (); }
//! struct ImportExecutor;
//! impl Executor<ImportJob> for ImportExecutor {
//!     async fn execute(&self, _job: &ImportJob, ctx: &ExecContext) -> Result<(), JobError> {
//!         for step in 1..=3 {
//!             ctx.progress_step(step, 3, format!("file {step}"));
//!             tokio::task::yield_now().await;
//!         }
//!         Ok(())
//!     }
//! }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut builder = Dispatcher::builder(SignalBus::new());
//! # builder.register::<ImportJob, _>(ImportExecutor)?;
//! # let dispatcher = builder.build();
//! let handle = dispatcher.dispatch(ImportJob)?;
//! let progress = handle.progress();
//! handle.outcome().await.into_result()?;
//! let last = progress.borrow().clone().unwrap();
//! assert_eq!((last.step, last.fraction), (Some((3, 3)), 1.0));
//! # Ok(()) }
//! ```
//!
//! ### Circuit breaker
//!
//! [`DispatcherBuilder::register_with_breaker`] guards every attempt of an executor with a
//! [`CircuitBreaker`]; [`DispatchOptions::circuit_breaker`] with [`CircuitBreakers`] gives
//! one breaker per key. After `threshold` consecutive failures the circuit opens and jobs
//! fail fast with [`JobErrorKind::CircuitOpen`] without running the executor; after the
//! cool-down one trial call is let through (half-open).
//!
//! ```
//! # use orch_runtime::prelude::*;
//! # use std::time::Duration;
//! # struct FlakyJob { failures: u32 }
//! # impl Job for FlakyJob { type Output = u32; }
//! # struct FlakyExecutor;
//! # impl Executor<FlakyJob> for FlakyExecutor {
//! #     async fn execute(&self, job: &FlakyJob, ctx: &ExecContext) -> Result<u32, JobError> {
//! #         if ctx.attempt() <= job.failures { Err(JobError::new("flaky")) } else { Ok(ctx.attempt()) }
//! #     }
//! # }
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let breaker = CircuitBreaker::new(2, Duration::from_secs(30));
//! let mut builder = Dispatcher::builder(SignalBus::new());
//! builder.register_with_breaker::<FlakyJob, _>(FlakyExecutor, breaker.clone())?;
//! let dispatcher = builder.build();
//! for _ in 0..2 {
//!     dispatcher.dispatch(FlakyJob { failures: 1 })?.outcome().await;
//! }
//! assert_eq!(breaker.state(), CircuitState::Open);
//! let error = dispatcher.dispatch(FlakyJob { failures: 0 })?.outcome().await.into_result().unwrap_err();
//! assert!(error.is_circuit_open());
//! # Ok(()) }
//! ```
//!
//! ### Dedup
//!
//! With [`DispatchOptions::dedup_key`], a second dispatch while a job with the same key is
//! running fails with [`DispatchError::Duplicate`] naming the running job. The key is freed
//! when that job emits its terminal event. Orchestrators scope keys to themselves.
//!
//! ```
//! # use orch_runtime::prelude::*;
//! # use std::time::Duration;
//! # struct SleepJob(u64);
//! # impl Job for SleepJob { type Output = u64; }
//! # struct SleepExecutor;
//! # impl Executor<SleepJob> for SleepExecutor {
//! #     async fn execute(&self, job: &SleepJob, _ctx: &ExecContext) -> Result<u64, JobError> {
//! #         tokio::time::sleep(Duration::from_millis(job.0)).await;
//! #         Ok(job.0)
//! #     }
//! # }
//! # struct Idle;
//! # impl Orchestrator for Idle { type State = (); }
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let mut builder = Dispatcher::builder(SignalBus::new());
//! # builder.register::<SleepJob, _>(SleepExecutor)?;
//! # let dispatcher = builder.build();
//! let orch = OrchestratorHandle::spawn(Idle, (), &dispatcher)?;
//! let refresh = || DispatchOptions::new().dedup_key("refresh");
//! let first = orch.dispatch_with(SleepJob(1_000), refresh())?;
//! let second = orch.dispatch_with(SleepJob(1_000), refresh());
//! assert_eq!(second, Err(DispatchError::Duplicate { key: "refresh".into(), running: first }));
//! assert!(orch.is_running(first));
//! # Ok(()) }
//! ```
//!
//! ### Saga
//!
//! A [`Saga`] runs steps in order; when one fails, the completed steps' compensations run
//! last-in-first-out, and the [`SagaReport`] lists what was compensated and which
//! compensations failed. See the [`Saga`] docs for a full example; inside an executor:
//!
//! ```
//! # use orch_runtime::prelude::*;
//! #[derive(Clone, Default)]
//! struct Trip { flight: Option<u32>, hotel: Option<u32> }
//! struct BookTripJob;
//! impl Job for BookTripJob { type Output = (); }
//! struct BookTripExecutor;
//! impl Executor<BookTripJob> for BookTripExecutor {
//!     async fn execute(&self, _job: &BookTripJob, _ctx: &ExecContext) -> Result<(), JobError> {
//!         let saga = Saga::new()
//!             .step("flight", |mut t: Trip| async move { t.flight = Some(1); Ok(t) },
//!                             |_t: Trip| async move { Ok(()) /* cancel the flight */ })
//!             .step("hotel", |mut t: Trip| async move { t.hotel = Some(2); Ok(t) },
//!                            |_t: Trip| async move { Ok(()) /* cancel the hotel */ });
//!         saga.run(Trip::default()).await?; // a SagaReport converts into a JobError
//!         Ok(())
//!     }
//! }
//! ```
//!
//! ### Scoped bus
//!
//! [`SignalBus::scoped`] creates a bus isolated from the global one and from other scoped
//! buses; its events carry its name as [`Event::scope`]. Route a job's events there with
//! [`DispatchOptions::bus`], and let an orchestrator listen with
//! [`OrchestratorHandle::observe`].
//!
//! ```
//! # use orch_runtime::prelude::*;
//! # struct PingJob;
//! # impl Job for PingJob { type Output = (); }
//! # struct PingExecutor;
//! # impl Executor<PingJob> for PingExecutor {
//! #     async fn execute(&self, _job: &PingJob, _ctx: &ExecContext) -> Result<(), JobError> { Ok(()) }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let global = SignalBus::new();
//! let checkout = SignalBus::scoped("checkout");
//! let (global_events, checkout_events) = (
//!     orch_runtime::testing::EventRecorder::start(&global),
//!     orch_runtime::testing::EventRecorder::start(&checkout),
//! );
//! let mut builder = Dispatcher::builder(global.clone());
//! builder.register::<PingJob, _>(PingExecutor)?;
//! let dispatcher = builder.build();
//! let handle = dispatcher.dispatch_with(PingJob, DispatchOptions::new().bus(checkout.clone()))?;
//! handle.outcome().await;
//! assert!(global_events.events().is_empty());
//! assert!(checkout_events.events().iter().all(|e| e.scope() == Some("checkout")));
//! # Ok(()) }
//! ```
//!
//! ## Testing
//!
//! The [`testing`] module is public API: [`testing::EventRecorder`],
//! [`testing::assert_sequence`], [`testing::OrchestratorHarness`] (hooks without a runtime)
//! and, with the `test-util` feature, `testing::run_paused` (paused tokio time).

#![forbid(unsafe_code)]

mod breaker;
mod bus;
mod dispatcher;
mod error;
mod event;
mod executor;
mod job;
mod orchestrator;
mod retry;
mod runner;
mod saga;
pub mod testing;

pub use breaker::{CircuitBreaker, CircuitBreakers, CircuitState};
pub use bus::{BusItem, DEFAULT_BUS_CAPACITY, SignalBus, Subscription};
pub use dispatcher::{Dispatcher, DispatcherBuilder, JobHandle, JobOutcome};
pub use error::{DispatchError, JobError, JobErrorKind, RegisterError};
pub use event::{Event, EventKind, Payload, Progress};
pub use executor::{ExecContext, Executor};
pub use job::{DispatchOptions, Job, JobId};
pub use orchestrator::{Orchestrator, OrchestratorContext, OrchestratorHandle};
pub use retry::RetryPolicy;
pub use saga::{Saga, SagaReport};
/// Tokio's `watch` channel, re-exported: [`OrchestratorHandle::watch`] returns a
/// [`watch::Receiver`] of the state, which applications can name without depending on tokio's
/// `sync` feature themselves.
pub use tokio::sync::watch;
pub use tokio_util::sync::CancellationToken;

/// Everything an application usually needs: `use orch_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::{
        BusItem, CancellationToken, CircuitBreaker, CircuitBreakers, CircuitState, DispatchError,
        DispatchOptions, Dispatcher, DispatcherBuilder, Event, EventKind, ExecContext, Executor, Job,
        JobError, JobErrorKind, JobHandle, JobId, JobOutcome, Orchestrator, OrchestratorContext,
        OrchestratorHandle, Progress, RegisterError, RetryPolicy, Saga, SagaReport, SignalBus, Subscription,
    };
}
