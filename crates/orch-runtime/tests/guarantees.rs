//! The crate's guarantees (crate docs, "Guarantees") 1–7 and 9, one test (or a few) each. Guarantee 8 (orchestrator
//! state, cancel, dedup) lives in `orchestrator.rs`. Time-dependent tests run on paused
//! tokio time: deterministic and instant.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Script, ScriptExecutor, ScriptJob, assert_well_formed, setup, setup_with};
use orch_runtime::prelude::*;
use orch_runtime::testing::{EventRecorder, assert_sequence};
use tokio::time::Instant;

// ---------------------------------------------------------------------------------------
// 1. Started, then non-terminal events, then exactly one terminal event.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn g1_success_sequence_is_started_progress_domain_succeeded() {
    let s = setup();
    let handle = s.dispatcher.dispatch(ScriptJob::new(Script::Chatty)).unwrap();
    let id = handle.id();
    let outcome = handle.outcome().await;
    assert_eq!(*outcome.into_result().unwrap(), 7);
    let events = s.recorder.events_for(id);
    assert_sequence(&events, &["started", "progress", "domain", "progress", "succeeded"]);
    assert_eq!(events[2].domain::<common::Chatter>(), Some(&common::Chatter("hello".into())));
    assert_eq!(events[4].output::<u64>(), Some(&7));
    assert!(events.iter().all(|e| e.job_type() == "ScriptJob"));
}

#[tokio::test]
async fn g1_cancelled_before_start_never_runs_the_executor() {
    let s = setup();
    // (a) cancelled through the handle before the task was ever polled
    let handle = s.dispatcher.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap();
    handle.cancel_with("changed my mind");
    let id = handle.id();
    match handle.outcome().await {
        JobOutcome::Cancelled { reason } => assert_eq!(reason.as_deref(), Some("changed my mind")),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.recorder.kinds_for(id), ["started", "cancelled"]);

    // (b) dispatched with an external token that is already cancelled
    let token = CancellationToken::new();
    token.cancel();
    let handle = s
        .dispatcher
        .dispatch_with(ScriptJob::new(Script::Succeed(1)), DispatchOptions::new().cancel_token(token))
        .unwrap();
    let id = handle.id();
    assert!(matches!(handle.outcome().await, JobOutcome::Cancelled { reason: None }));
    assert_eq!(s.recorder.kinds_for(id), ["started", "cancelled"]);
    assert_eq!(s.attempts.load(Ordering::SeqCst), 0, "executor must not run");
}

#[tokio::test(start_paused = true)]
async fn g1_g3_cancelled_during_retry_backoff_interrupts_the_sleep() {
    let s = setup();
    let backoff = Duration::from_secs(10);
    let handle = s
        .dispatcher
        .dispatch_with(
            ScriptJob::new(Script::Fail("down")),
            DispatchOptions::new().retry(RetryPolicy::exponential(5).base_delay(backoff)),
        )
        .unwrap();
    let id = handle.id();
    s.recorder.wait_for_event(|e| e.job_id() == id && e.kind().name() == "retrying").await;
    let cancelled_at = Instant::now();
    handle.cancel_with("stop retrying");
    let outcome = handle.outcome().await;
    assert!(cancelled_at.elapsed() < backoff, "the back-off sleep was not interrupted");
    assert!(
        matches!(&outcome, JobOutcome::Cancelled { reason: Some(r) } if r == "stop retrying"),
        "{outcome:?}"
    );
    assert_eq!(s.attempts.load(Ordering::SeqCst), 1);
    assert_eq!(s.recorder.kinds_for(id), ["started", "retrying", "cancelled"]);
}

#[tokio::test(start_paused = true)]
async fn g1_timed_out_job_has_one_terminal_event() {
    let s = setup();
    let handle = s
        .dispatcher
        .dispatch_with(
            ScriptJob::new(Script::Sleep(Duration::from_secs(60))),
            DispatchOptions::new().timeout(Duration::from_secs(1)),
        )
        .unwrap();
    let id = handle.id();
    let outcome = handle.outcome().await;
    assert!(matches!(outcome, JobOutcome::TimedOut { after } if after == Duration::from_secs(1)));
    // Nothing else arrives later.
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(s.recorder.kinds_for(id), ["started", "timed_out"]);
}

#[tokio::test(start_paused = true)]
async fn g1_g6_retries_exhausted_fail_once_after_max_attempts() {
    let s = setup();
    let handle = s
        .dispatcher
        .dispatch_with(
            ScriptJob::new(Script::Fail("nope")),
            DispatchOptions::new().retry(RetryPolicy::exponential(3)),
        )
        .unwrap();
    let id = handle.id();
    let error = handle.outcome().await.into_result().unwrap_err();
    assert_eq!(error.message(), "nope");
    assert_eq!(s.attempts.load(Ordering::SeqCst), 3);
    assert_eq!(s.recorder.kinds_for(id), ["started", "retrying", "retrying", "failed"]);
}

#[tokio::test]
async fn g1_g4_panicking_executor_fails_once_and_never_escapes() {
    let s = setup();
    let handle = s.dispatcher.dispatch(ScriptJob::new(Script::Panic)).unwrap();
    let id = handle.id();
    let error = handle.outcome().await.into_result().unwrap_err();
    assert_eq!(error.kind(), JobErrorKind::Panicked);
    assert!(error.message().contains("executor exploded"), "{error}");
    assert_eq!(s.recorder.kinds_for(id), ["started", "failed"]);
    // The dispatcher still works afterwards.
    let ok = s.dispatcher.dispatch(ScriptJob::new(Script::Succeed(3))).unwrap();
    assert!(ok.outcome().await.is_success());
}

#[test]
fn g1_runtime_shutdown_still_gives_every_job_a_terminal_event() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let bus = SignalBus::new();
    let mut sub = bus.subscribe();
    let mut builder = Dispatcher::builder(bus.clone());
    builder.register::<ScriptJob, _>(ScriptExecutor::default()).unwrap();
    let dispatcher = builder.build();
    let (running, never_polled) = rt.block_on(async {
        let (job, dropped) = ScriptJob::with_drop_flag(Script::Sleep(Duration::from_secs(3600)));
        let running = dispatcher.dispatch(job).unwrap();
        tokio::task::yield_now().await; // let it start
        let never_polled = dispatcher.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap();
        assert!(!dropped.load(Ordering::SeqCst));
        (running.id(), never_polled.id())
    });
    drop(rt);
    let mut kinds: Vec<(JobId, &str)> = Vec::new();
    while let Some(BusItem::Event(e)) = sub.try_recv() {
        if let EventKind::Cancelled { reason } = e.kind() {
            assert!(reason.as_deref().unwrap_or("").contains("runtime"));
        }
        kinds.push((e.job_id(), e.kind().name()));
    }
    for id in [running, never_polled] {
        let of: Vec<&str> = kinds.iter().filter(|(j, _)| *j == id).map(|(_, k)| *k).collect();
        assert_eq!(of, ["started", "cancelled"], "job {id}");
    }
}

// ---------------------------------------------------------------------------------------
// 2. Typed errors for unregistered job types and duplicate registration.
// ---------------------------------------------------------------------------------------

struct UnknownJob;
impl Job for UnknownJob {
    type Output = ();
}

#[tokio::test]
async fn g2_unregistered_job_type_is_a_typed_error_and_publishes_nothing() {
    let s = setup();
    let err = s.dispatcher.dispatch(UnknownJob).unwrap_err();
    assert_eq!(err, DispatchError::NoExecutor { job_type: "UnknownJob" });
    assert!(err.to_string().contains("UnknownJob"));
    assert!(s.recorder.events().is_empty());
    assert!(!s.dispatcher.is_registered::<UnknownJob>());
    assert!(s.dispatcher.is_registered::<ScriptJob>());
}

#[test]
fn g2_duplicate_registration_is_an_error_not_an_overwrite() {
    let mut builder = Dispatcher::builder(SignalBus::new());
    let first = ScriptExecutor::default();
    let first_attempts = Arc::clone(&first.attempts);
    builder.register::<ScriptJob, _>(first).unwrap();
    let err = builder.register::<ScriptJob, _>(ScriptExecutor::default()).err();
    assert_eq!(err, Some(RegisterError::Duplicate { job_type: "ScriptJob" }));
    // The first executor is still the one that runs.
    let dispatcher = builder.build();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        dispatcher.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap().outcome().await;
    });
    assert_eq!(first_attempts.load(Ordering::SeqCst), 1);
}

#[test]
fn g2_dispatch_outside_a_runtime_is_an_error_not_a_panic() {
    let mut builder = Dispatcher::builder(SignalBus::new());
    builder.register::<ScriptJob, _>(ScriptExecutor::default()).unwrap();
    let dispatcher = builder.build();
    let err = dispatcher.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap_err();
    assert_eq!(err, DispatchError::NoRuntime);
    struct Idle;
    impl Orchestrator for Idle {
        type State = ();
    }
    assert_eq!(OrchestratorHandle::spawn(Idle, (), &dispatcher).err(), Some(DispatchError::NoRuntime));
}

#[tokio::test]
async fn g2_closed_dispatcher_refuses_and_shutdown_waits_for_in_flight_jobs() {
    let s = setup();
    let handle = s.dispatcher.dispatch(ScriptJob::new(Script::Sleep(Duration::from_millis(5)))).unwrap();
    let id = handle.id();
    s.dispatcher.shutdown().await;
    assert_eq!(s.dispatcher.in_flight(), 0);
    assert_eq!(s.recorder.kinds_for(id), ["started", "succeeded"]);
    assert_eq!(s.dispatcher.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap_err(), DispatchError::Closed);
}

// ---------------------------------------------------------------------------------------
// 3. Timeouts drop the future; cancel reasons reach the event.
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn g3_overall_timeout_drops_the_executor_future_before_the_terminal_event() {
    let s = setup();
    let (job, dropped) = ScriptJob::with_drop_flag(Script::Sleep(Duration::from_secs(60)));
    let handle =
        s.dispatcher.dispatch_with(job, DispatchOptions::new().timeout(Duration::from_millis(500))).unwrap();
    let id = handle.id();
    // Observe the flag at the moment the terminal event is seen.
    let terminal = s.recorder.wait_for_terminal(id).await;
    assert!(dropped.load(Ordering::SeqCst), "future still alive at TimedOut");
    assert!(matches!(terminal.kind(), EventKind::TimedOut { after } if *after == Duration::from_millis(500)));
    drop(handle);
}

#[tokio::test(start_paused = true)]
async fn g3_attempt_timeout_drops_each_attempt_and_ends_timed_out() {
    let s = setup();
    let (job, dropped) = ScriptJob::with_drop_flag(Script::Sleep(Duration::from_secs(60)));
    let handle = s
        .dispatcher
        .dispatch_with(
            job,
            DispatchOptions::new()
                .attempt_timeout(Duration::from_secs(1))
                .retry(RetryPolicy::exponential(2).base_delay(Duration::from_millis(10))),
        )
        .unwrap();
    let id = handle.id();
    let started = Instant::now();
    let outcome = handle.outcome().await;
    assert!(dropped.load(Ordering::SeqCst));
    assert!(matches!(outcome, JobOutcome::TimedOut { after } if after == Duration::from_secs(1)));
    assert_eq!(s.attempts.load(Ordering::SeqCst), 2);
    // 2 attempts of 1 s + one 10 ms back-off, not 60 s.
    assert_eq!(started.elapsed(), Duration::from_millis(2010));
    let events = s.recorder.events_for(id);
    assert_sequence(&events, &["started", "retrying", "timed_out"]);
    match events[1].kind() {
        EventKind::Retrying { error, .. } => assert!(error.is_timeout(), "{error:?}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn g3_cancel_drops_the_running_future_and_carries_the_reason() {
    let s = setup();
    let (job, dropped) = ScriptJob::with_drop_flag(Script::Sleep(Duration::from_secs(60)));
    let handle = s.dispatcher.dispatch(job).unwrap();
    let id = handle.id();
    tokio::time::sleep(Duration::from_millis(10)).await; // it is running now
    assert_eq!(s.attempts.load(Ordering::SeqCst), 1);
    handle.cancel_with("user left the page");
    handle.cancel_with("second reason is ignored");
    let terminal = s.recorder.wait_for_terminal(id).await;
    assert!(dropped.load(Ordering::SeqCst));
    match terminal.kind() {
        EventKind::Cancelled { reason } => {
            assert_eq!(reason.as_deref(), Some("user left the page"))
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// 4. Errors and panics become Failed events.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn g4_errors_become_failed_events_with_the_error() {
    let s = setup();
    let handle = s.dispatcher.dispatch(ScriptJob::new(Script::Fail("disk full"))).unwrap();
    let id = handle.id();
    handle.outcome().await;
    let events = s.recorder.events_for(id);
    assert_sequence(&events, &["started", "failed"]);
    let error = events[1].error().unwrap();
    assert_eq!((error.kind(), error.message()), (JobErrorKind::Executor, "disk full"));
}

#[tokio::test]
async fn g4_std_errors_convert_with_question_mark() {
    struct ParseJob(&'static str);
    impl Job for ParseJob {
        type Output = u32;
    }
    struct ParseExecutor;
    impl Executor<ParseJob> for ParseExecutor {
        async fn execute(&self, job: &ParseJob, _ctx: &ExecContext) -> Result<u32, JobError> {
            Ok(job.0.parse::<u32>()?)
        }
    }
    let mut builder = Dispatcher::builder(SignalBus::new());
    builder.register::<ParseJob, _>(ParseExecutor).unwrap();
    let d = builder.build();
    let err = d.dispatch(ParseJob("x")).unwrap().outcome().await.into_result().unwrap_err();
    assert!(err.message().contains("invalid digit"), "{err}");
    assert_eq!(*d.dispatch(ParseJob("42")).unwrap().outcome().await.into_result().unwrap(), 42);
}

// ---------------------------------------------------------------------------------------
// 5. Lossless active delivery; lag surfaced as an explicit item.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn g5_lagging_subscriber_gets_a_lagged_item_and_keeps_receiving() {
    let bus = SignalBus::with_capacity(4);
    let mut sub = bus.subscribe();
    let id = JobId::new();
    for i in 0..10 {
        bus.publish(Event::new(id, "X", EventKind::progress(i as f32 / 10.0, "")));
    }
    match sub.recv().await {
        Some(BusItem::Lagged(n)) => assert_eq!(n, 6),
        other => panic!("expected Lagged, got {other:?}"),
    }
    let mut rest = 0;
    while let Some(BusItem::Event(_)) = sub.try_recv() {
        rest += 1;
    }
    assert_eq!(rest, 4);
    bus.publish(Event::new(id, "X", EventKind::Started));
    assert!(matches!(sub.recv().await, Some(BusItem::Event(_))));
    drop(bus);
    assert!(sub.recv().await.is_none(), "None only once the bus is gone");
}

struct FloodJob(u32);
impl Job for FloodJob {
    type Output = u32;
}
struct FloodExecutor;
impl Executor<FloodJob> for FloodExecutor {
    async fn execute(&self, job: &FloodJob, ctx: &ExecContext) -> Result<u32, JobError> {
        for i in 0..job.0 {
            ctx.emit(i); // no await: the bus overflows
        }
        Ok(job.0)
    }
}

#[derive(Default)]
struct FloodWatcher {
    domain: Arc<AtomicU32>,
}
#[derive(Clone, Default, Debug)]
struct FloodState {
    done: bool,
    lagged: u64,
}
impl Orchestrator for FloodWatcher {
    type State = FloodState;
    fn on_domain_event(&mut self, _e: &Event, _cx: &mut OrchestratorContext<'_, FloodState>) {
        self.domain.fetch_add(1, Ordering::SeqCst);
    }
    fn on_succeeded(&mut self, _e: &Event, cx: &mut OrchestratorContext<'_, FloodState>) {
        cx.update(|s| s.done = true);
    }
    fn on_lagged(&mut self, missed: u64, cx: &mut OrchestratorContext<'_, FloodState>) {
        cx.update(|s| s.lagged += missed);
    }
}

#[tokio::test]
async fn g5_owner_receives_every_event_even_when_the_bus_overflows() {
    let bus = SignalBus::with_capacity(8);
    let mut passive = bus.subscribe();
    let mut builder = Dispatcher::builder(bus.clone());
    builder.register::<FloodJob, _>(FloodExecutor).unwrap();
    let dispatcher = builder.build();
    let watcher = FloodWatcher::default();
    let domain = Arc::clone(&watcher.domain);
    let owner = OrchestratorHandle::spawn(watcher, FloodState::default(), &dispatcher).unwrap();
    owner.dispatch(FloodJob(10_000)).unwrap();
    owner.wait_for(|s| s.done).await;
    assert_eq!(domain.load(Ordering::SeqCst), 10_000, "active delivery lost events");
    // A passive subscriber of the same bus lagged, and was told so.
    let mut lagged = 0;
    while let Some(item) = passive.try_recv() {
        if let BusItem::Lagged(n) = item {
            lagged += n;
        }
    }
    assert!(lagged > 0);
}

// ---------------------------------------------------------------------------------------
// 6. Retry semantics.
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn g6_retrying_events_carry_attempt_max_delay_and_error_before_each_wait() {
    let s = setup();
    let policy = RetryPolicy::exponential(5)
        .base_delay(Duration::from_millis(100))
        .factor(2.0)
        .max_delay(Duration::from_millis(300));
    let started = Instant::now();
    let handle = s
        .dispatcher
        .dispatch_with(ScriptJob::new(Script::FailUntil(4)), DispatchOptions::new().retry(policy))
        .unwrap();
    let id = handle.id();
    assert_eq!(*handle.outcome().await.into_result().unwrap(), 4);
    assert_eq!(started.elapsed(), Duration::from_millis(100 + 200 + 300));
    let retries: Vec<(u32, u32, Duration, String)> = s
        .recorder
        .events_for(id)
        .iter()
        .filter_map(|e| match e.kind() {
            EventKind::Retrying { attempt, max_attempts, delay, error } => {
                Some((*attempt, *max_attempts, *delay, error.message().to_owned()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        retries,
        vec![
            (2, 5, Duration::from_millis(100), "attempt 1 failed".into()),
            (3, 5, Duration::from_millis(200), "attempt 2 failed".into()),
            (4, 5, Duration::from_millis(300), "attempt 3 failed".into()),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn g6_retry_if_false_stops_at_once() {
    let s = setup();
    let policy = RetryPolicy::exponential(5).retry_if(|e| e.message() != "fatal");
    let handle = s
        .dispatcher
        .dispatch_with(ScriptJob::new(Script::Fail("fatal")), DispatchOptions::new().retry(policy))
        .unwrap();
    let id = handle.id();
    handle.outcome().await;
    assert_eq!(s.attempts.load(Ordering::SeqCst), 1);
    assert_eq!(s.recorder.kinds_for(id), ["started", "failed"]);
}

#[tokio::test(start_paused = true)]
async fn g6_jitter_varies_delays_within_the_band_and_under_max() {
    let s = setup();
    let policy = RetryPolicy::exponential(2)
        .base_delay(Duration::from_millis(1000))
        .max_delay(Duration::from_millis(1200))
        .jitter(0.5);
    let mut delays = Vec::new();
    for _ in 0..20 {
        let handle = s
            .dispatcher
            .dispatch_with(ScriptJob::new(Script::FailUntil(2)), DispatchOptions::new().retry(policy.clone()))
            .unwrap();
        let id = handle.id();
        handle.outcome().await;
        for e in s.recorder.events_for(id) {
            if let EventKind::Retrying { delay, .. } = e.kind() {
                delays.push(*delay);
            }
        }
    }
    assert_eq!(delays.len(), 20);
    assert!(delays.iter().all(|d| *d >= Duration::from_millis(500) && *d <= Duration::from_millis(1200)));
    delays.sort();
    delays.dedup();
    assert!(delays.len() > 5, "jitter produced too few distinct delays: {delays:?}");
}

#[tokio::test(start_paused = true)]
async fn g6_overall_timeout_also_bounds_backoff() {
    let s = setup();
    let handle = s
        .dispatcher
        .dispatch_with(
            ScriptJob::new(Script::Fail("x")),
            DispatchOptions::new()
                .retry(RetryPolicy::exponential(10).base_delay(Duration::from_secs(5)))
                .timeout(Duration::from_secs(7)),
        )
        .unwrap();
    let id = handle.id();
    let outcome = handle.outcome().await;
    assert!(matches!(outcome, JobOutcome::TimedOut { .. }), "{outcome:?}");
    assert_eq!(s.attempts.load(Ordering::SeqCst), 2); // t=0 and t=5; the 10 s wait is cut
    assert_eq!(s.recorder.kinds_for(id), ["started", "retrying", "retrying", "timed_out"]);
}

// ---------------------------------------------------------------------------------------
// 7. Scoped buses are isolated.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn g7_scoped_buses_are_isolated_from_each_other_and_the_global_bus() {
    let global = SignalBus::new();
    let cart = SignalBus::scoped("cart");
    let profile = SignalBus::scoped("profile");
    let (g, c, p) =
        (EventRecorder::start(&global), EventRecorder::start(&cart), EventRecorder::start(&profile));
    let mut builder = Dispatcher::builder(global.clone());
    builder.register::<ScriptJob, _>(ScriptExecutor::default()).unwrap();
    let d = builder.build();
    let on_global = d.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap();
    let on_cart = d
        .dispatch_with(ScriptJob::new(Script::Succeed(2)), DispatchOptions::new().bus(cart.clone()))
        .unwrap();
    let on_profile = d
        .dispatch_with(ScriptJob::new(Script::Succeed(3)), DispatchOptions::new().bus(profile.clone()))
        .unwrap();
    let ids = [on_global.id(), on_cart.id(), on_profile.id()];
    on_global.outcome().await;
    on_cart.outcome().await;
    on_profile.outcome().await;
    for (recorder, id, scope) in
        [(&g, ids[0], None), (&c, ids[1], Some("cart")), (&p, ids[2], Some("profile"))]
    {
        let events = recorder.events();
        assert_eq!(events.len(), 2);
        assert!(events.iter().all(|e| e.job_id() == id && e.scope() == scope));
    }
    // Publishing by hand stamps the bus's scope.
    cart.publish(Event::new(JobId::new(), "Manual", EventKind::Started));
    assert_eq!(c.events().last().unwrap().scope(), Some("cart"));
    assert_eq!(g.events().len(), 2);
    assert_eq!(p.events().len(), 2);
}

// ---------------------------------------------------------------------------------------
// 9. Circuit breaker and saga.
// ---------------------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn g9_circuit_breaker_closed_open_half_open_closed() {
    let breaker = CircuitBreaker::new(2, Duration::from_secs(30));
    let s = setup_with(SignalBus::new(), Some(breaker.clone()));
    let run = |script| {
        let d = s.dispatcher.clone();
        async move { d.dispatch(ScriptJob::new(script)).unwrap().outcome().await }
    };
    assert_eq!(breaker.state(), CircuitState::Closed);
    run(Script::Fail("down")).await;
    assert_eq!((breaker.state(), breaker.failures()), (CircuitState::Closed, 1));
    run(Script::Fail("down")).await;
    assert_eq!(breaker.state(), CircuitState::Open);
    assert_eq!(s.attempts.load(Ordering::SeqCst), 2);

    // Open: fails fast with a distinct error, without running the executor.
    let err = run(Script::Succeed(1)).await.into_result().unwrap_err();
    assert!(err.is_circuit_open());
    assert_eq!(err.kind(), JobErrorKind::CircuitOpen);
    assert_eq!(s.attempts.load(Ordering::SeqCst), 2);

    // After the cool-down: half-open; a failed trial re-opens.
    tokio::time::advance(Duration::from_secs(30)).await;
    assert_eq!(breaker.state(), CircuitState::HalfOpen);
    run(Script::Fail("still down")).await;
    assert_eq!(breaker.state(), CircuitState::Open);
    assert_eq!(s.attempts.load(Ordering::SeqCst), 3);

    // Half-open again: only one trial at a time; a successful trial closes.
    tokio::time::advance(Duration::from_secs(30)).await;
    let trial = s.dispatcher.dispatch(ScriptJob::new(Script::Sleep(Duration::from_secs(1)))).unwrap();
    tokio::task::yield_now().await;
    let concurrent = run(Script::Succeed(1)).await.into_result().unwrap_err();
    assert!(concurrent.is_circuit_open());
    assert!(trial.outcome().await.is_success());
    assert_eq!(breaker.state(), CircuitState::Closed);
    assert!(run(Script::Succeed(5)).await.is_success());
}

#[tokio::test(start_paused = true)]
async fn g9_breaker_per_key_through_dispatch_options() {
    let breakers = CircuitBreakers::new(1, Duration::from_secs(10));
    let s = setup();
    let via = |key: &str, script| {
        s.dispatcher
            .dispatch_with(ScriptJob::new(script), DispatchOptions::new().circuit_breaker(breakers.get(key)))
            .unwrap()
            .outcome()
    };
    via("a", Script::Fail("x")).await;
    assert_eq!(breakers.get("a").state(), CircuitState::Open);
    assert_eq!(breakers.get("b").state(), CircuitState::Closed);
    assert!(via("b", Script::Succeed(1)).await.is_success());
    assert!(via("a", Script::Succeed(1)).await.into_result().unwrap_err().is_circuit_open());
    assert_eq!(breakers.keys(), ["a", "b"]);
}

#[tokio::test]
async fn g9_saga_rolls_back_last_in_first_out_and_reports_failed_compensations() {
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let act = |name: &'static str, fail: bool| {
        let log = Arc::clone(&log);
        move |mut ctx: Vec<&'static str>| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push(format!("do {name}"));
                if fail {
                    return Err(JobError::new(format!("{name} failed")));
                }
                ctx.push(name);
                Ok(ctx)
            }
        }
    };
    let undo = |name: &'static str, fail: bool| {
        let log = Arc::clone(&log);
        move |ctx: Vec<&'static str>| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push(format!("undo {name} (ctx {ctx:?})"));
                if fail { Err(JobError::new("refund service down")) } else { Ok(()) }
            }
        }
    };
    let saga = Saga::new()
        .step("reserve", act("reserve", false), undo("reserve", false))
        .step("charge", act("charge", false), undo("charge", true))
        .step_without_compensation("notify", act("notify", false))
        .step("ship", act("ship", true), undo("ship", false));
    assert_eq!(saga.step_names(), ["reserve", "charge", "notify", "ship"]);
    let report = saga.run(Vec::new()).await.unwrap_err();
    assert_eq!(report.failed_step, "ship");
    assert_eq!(report.error.message(), "ship failed");
    assert_eq!(report.compensated, ["reserve"]);
    assert_eq!(report.compensation_failures.len(), 1);
    assert_eq!(report.compensation_failures[0].0, "charge");
    assert!(!report.fully_compensated());
    assert_eq!(
        *log.lock().unwrap(),
        [
            "do reserve",
            "do charge",
            "do notify",
            "do ship",
            "undo charge (ctx [\"reserve\", \"charge\", \"notify\"])",
            "undo reserve (ctx [\"reserve\", \"charge\", \"notify\"])",
        ]
    );
    // A saga report converts into a JobError for executors.
    let as_job_error: JobError = report.into();
    assert!(as_job_error.message().contains("ship"));

    // All steps succeed: the final context comes back.
    let ok = Saga::new()
        .step("a", act("a", false), undo("a", false))
        .step("b", act("b", false), undo("b", false))
        .run(Vec::new())
        .await
        .unwrap();
    assert_eq!(ok, ["a", "b"]);
}

#[tokio::test(start_paused = true)]
async fn g9_saga_panics_and_cancellation_trigger_rollback() {
    let undone = Arc::new(AtomicBool::new(false));
    let u = Arc::clone(&undone);
    let saga = Saga::new()
        .step(
            "first",
            |c: ()| async move { Ok(c) },
            move |_c: ()| {
                let u = Arc::clone(&u);
                async move {
                    u.store(true, Ordering::SeqCst);
                    Ok(())
                }
            },
        )
        .step_without_compensation("explode", |_c: ()| async move {
            if true {
                panic!("boom in step");
            }
            Ok(())
        });
    let report = saga.run(()).await.unwrap_err();
    assert_eq!(report.error.kind(), JobErrorKind::Panicked);
    assert!(undone.swap(false, Ordering::SeqCst));

    let slow = Saga::new()
        .step("first", |c: ()| async move { Ok(c) }, {
            let u = Arc::clone(&undone);
            move |_c: ()| {
                let u = Arc::clone(&u);
                async move {
                    u.store(true, Ordering::SeqCst);
                    Ok(())
                }
            }
        })
        .step_without_compensation("wait", |c: ()| async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(c)
        });
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        t.cancel();
    });
    let report = slow.run_until_cancelled((), &token).await.unwrap_err();
    assert_eq!(report.failed_step, "wait");
    assert_eq!(report.error.kind(), JobErrorKind::Cancelled);
    assert_eq!(report.compensated, ["first"]);
    assert!(undone.load(Ordering::SeqCst));
}

// ---------------------------------------------------------------------------------------
// Misc API behaviour.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn progress_watch_and_metadata_reach_the_caller_and_executor() {
    struct MetaJob;
    impl Job for MetaJob {
        type Output = String;
    }
    struct MetaExecutor;
    impl Executor<MetaJob> for MetaExecutor {
        async fn execute(&self, _job: &MetaJob, ctx: &ExecContext) -> Result<String, JobError> {
            ctx.progress_step(1, 2, "first");
            ctx.progress(0.75, "more");
            Ok(ctx.metadata("tenant").unwrap_or("none").to_owned())
        }
    }
    let bus = SignalBus::new();
    let mut builder = Dispatcher::builder(bus.clone());
    builder.register::<MetaJob, _>(MetaExecutor).unwrap();
    let d = builder.build();
    let handle = d.dispatch_with(MetaJob, DispatchOptions::new().meta("tenant", "acme")).unwrap();
    let mut progress = handle.progress();
    assert_eq!(*progress.borrow_and_update(), None);
    let outcome = handle.outcome().await;
    assert_eq!(*outcome.into_result().unwrap(), "acme");
    let last = progress.borrow_and_update().clone().unwrap();
    assert_eq!(last.fraction, 0.75);
    assert_eq!(last.message.as_deref(), Some("more"));
    // The progress channel closes when the job ends.
    assert!(progress.changed().await.is_err());
}

#[tokio::test]
async fn dispatcher_level_dedup_frees_the_key_at_the_terminal_event() {
    let s = setup();
    let opts = || DispatchOptions::new().dedup_key("sync");
    let first =
        s.dispatcher.dispatch_with(ScriptJob::new(Script::Sleep(Duration::from_millis(5))), opts()).unwrap();
    let dup = s.dispatcher.dispatch_with(ScriptJob::new(Script::Succeed(1)), opts()).unwrap_err();
    assert_eq!(dup, DispatchError::Duplicate { key: "sync".into(), running: first.id() });
    first.outcome().await;
    let again = s.dispatcher.dispatch_with(ScriptJob::new(Script::Succeed(1)), opts()).unwrap();
    assert!(again.outcome().await.is_success());
}

#[tokio::test]
async fn one_executor_serves_several_job_types() {
    struct A;
    impl Job for A {
        type Output = &'static str;
    }
    struct B;
    impl Job for B {
        type Output = &'static str;
    }
    struct Both;
    impl Executor<A> for Both {
        async fn execute(&self, _j: &A, _c: &ExecContext) -> Result<&'static str, JobError> {
            Ok("a")
        }
    }
    impl Executor<B> for Both {
        async fn execute(&self, _j: &B, _c: &ExecContext) -> Result<&'static str, JobError> {
            Ok("b")
        }
    }
    let shared = Arc::new(Both);
    let mut builder = Dispatcher::builder(SignalBus::new());
    builder.register_shared::<A, _>(Arc::clone(&shared)).unwrap().register_shared::<B, _>(shared).unwrap();
    let d = builder.build();
    assert_eq!(d.registered(), ["A", "B"]);
    assert_eq!(*d.dispatch(A).unwrap().outcome().await.into_result().unwrap(), "a");
    assert_eq!(*d.dispatch(B).unwrap().outcome().await.into_result().unwrap(), "b");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_jobs_each_get_exactly_one_terminal_event() {
    let bus = SignalBus::with_capacity(1 << 14);
    let s = setup_with(bus, None);
    let mut handles = Vec::new();
    for i in 0..500u64 {
        let script = match i % 4 {
            0 => Script::Succeed(i),
            1 => Script::Fail("x"),
            2 => Script::Panic,
            _ => Script::Sleep(Duration::from_micros(i)),
        };
        handles.push(s.dispatcher.dispatch(ScriptJob::new(script)).unwrap());
    }
    let mut ids = Vec::new();
    for h in handles {
        ids.push(h.id());
        h.outcome().await;
    }
    assert_eq!(s.recorder.lagged(), 0);
    for id in ids {
        assert_well_formed(&s.recorder.kinds_for(id));
    }
}

struct TokenJob {
    sub_task_saw_cancel: Arc<AtomicBool>,
}
impl Job for TokenJob {
    type Output = ();
}
struct TokenExecutor;
impl Executor<TokenJob> for TokenExecutor {
    async fn execute(&self, job: &TokenJob, ctx: &ExecContext) -> Result<(), JobError> {
        // Hand the job's token to work running elsewhere.
        let token = ctx.cancellation().clone();
        let flag = Arc::clone(&job.sub_task_saw_cancel);
        tokio::spawn(async move {
            token.cancelled().await;
            flag.store(true, Ordering::SeqCst);
        });
        assert!(!ctx.is_cancelled());
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn g3_the_token_and_the_job_cancel_together_whichever_side_starts() {
    let mut builder = Dispatcher::builder(SignalBus::new());
    builder.register::<TokenJob, _>(TokenExecutor).unwrap();
    let d = builder.build();
    let job = || TokenJob { sub_task_saw_cancel: Arc::new(AtomicBool::new(false)) };

    // (a) Cancelling the job cancels the token the executor handed out.
    let j = job();
    let saw = Arc::clone(&j.sub_task_saw_cancel);
    let handle = d.dispatch(j).unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    handle.cancel_with("stop");
    assert!(matches!(handle.outcome().await, JobOutcome::Cancelled { reason: Some(r) } if r == "stop"));
    tokio::task::yield_now().await;
    assert!(saw.load(Ordering::SeqCst));

    // (b) Cancelling the token from outside cancels the job (no reason).
    let j = job();
    let saw = Arc::clone(&j.sub_task_saw_cancel);
    let handle = d.dispatch(j).unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    handle.cancellation().cancel();
    assert!(matches!(handle.outcome().await, JobOutcome::Cancelled { reason: None }));
    tokio::task::yield_now().await;
    assert!(saw.load(Ordering::SeqCst));

    // (c) A token taken after the job was cancelled is already cancelled.
    let handle = d.dispatch(job()).unwrap();
    handle.cancel();
    assert!(handle.cancellation().is_cancelled());
    assert!(matches!(handle.outcome().await, JobOutcome::Cancelled { .. }));

    // (d) A parent token given at dispatch cancels the job; the job's own cancel does not
    // cancel the parent.
    let parent = CancellationToken::new();
    let first = d.dispatch_with(job(), DispatchOptions::new().cancel_token(parent.clone())).unwrap();
    let second = d.dispatch_with(job(), DispatchOptions::new().cancel_token(parent.clone())).unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    first.cancel();
    assert!(!parent.is_cancelled());
    assert!(matches!(first.outcome().await, JobOutcome::Cancelled { .. }));
    assert!(!second.is_finished());
    parent.cancel();
    assert!(matches!(second.outcome().await, JobOutcome::Cancelled { reason: None }));
}

#[test]
fn g4_a_runtime_without_timers_fails_the_job_instead_of_panicking() {
    // Retry back-off needs tokio's timer; without it tokio panics inside the job task. The
    // panic is caught and becomes the job's Failed event.
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let bus = SignalBus::new();
    let recorder = EventRecorder::start(&bus);
    let mut builder = Dispatcher::builder(bus);
    builder.register::<ScriptJob, _>(ScriptExecutor::default()).unwrap();
    let d = builder.build();
    let (id, outcome) = rt.block_on(async {
        let h = d
            .dispatch_with(
                ScriptJob::new(Script::Fail("x")),
                DispatchOptions::new().retry(RetryPolicy::exponential(2)),
            )
            .unwrap();
        (h.id(), h.outcome().await)
    });
    let error = outcome.into_result().unwrap_err();
    assert_eq!(error.kind(), JobErrorKind::Panicked, "{error}");
    assert_eq!(recorder.kinds_for(id), ["started", "retrying", "failed"]);
}

#[tokio::test(start_paused = true)]
async fn extreme_durations_do_not_panic() {
    let breaker = CircuitBreaker::new(1, Duration::MAX);
    let _ = breaker.call(async { Err::<(), _>(JobError::new("x")) }).await;
    assert_eq!(breaker.state(), CircuitState::Open);
    let s = setup();
    let handle = s
        .dispatcher
        .dispatch_with(
            ScriptJob::new(Script::FailUntil(2)),
            DispatchOptions::new()
                .timeout(Duration::MAX)
                .attempt_timeout(Duration::MAX)
                .retry(RetryPolicy::exponential(3).base_delay(Duration::from_millis(1)).factor(1e300)),
        )
        .unwrap();
    assert!(handle.outcome().await.is_success());
    assert_eq!(SignalBus::with_capacity(0).subscriber_count(), 0);
    let _ = SignalBus::with_capacity(usize::MAX);
}
