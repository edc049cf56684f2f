//! The public `testing` module: recorder, sequence assertions, orchestrator harness,
//! executor contexts and (with `test-util`) paused time.

mod common;

use std::time::Duration;

use common::{Script, ScriptJob, setup};
use orch_runtime::prelude::*;
use orch_runtime::testing::{EventRecorder, OrchestratorHarness, assert_sequence};

#[tokio::test]
async fn recorder_reads_are_complete_after_the_outcome() {
    let s = setup();
    for n in 0..50 {
        let handle = s.dispatcher.dispatch(ScriptJob::new(Script::Succeed(n))).unwrap();
        let id = handle.id();
        handle.outcome().await;
        // No waiting needed: the terminal event was published before the outcome resolved.
        assert_eq!(s.recorder.kinds_for(id), ["started", "succeeded"]);
    }
    assert_eq!(s.recorder.events().len(), 100);
    s.recorder.clear();
    assert!(s.recorder.events().is_empty());
    assert_eq!(s.recorder.lagged(), 0);
}

#[tokio::test]
async fn recorder_background_drain_prevents_lag_while_awaiting() {
    let bus = SignalBus::with_capacity(16);
    let recorder = EventRecorder::start(&bus);
    let id = JobId::new();
    for i in 0..200 {
        bus.publish(Event::new(id, "X", EventKind::progress(i as f32 / 200.0, "")));
        if i % 8 == 0 {
            tokio::task::yield_now().await; // the recorder's task runs here
        }
    }
    bus.publish(Event::new(id, "X", EventKind::succeeded(())));
    let terminal = recorder.wait_for_terminal(id).await;
    assert!(terminal.is_terminal());
    assert_eq!(recorder.lagged(), 0);
    assert_eq!(recorder.events().len(), 201);
}

#[test]
fn recorder_works_without_a_runtime() {
    let bus = SignalBus::new();
    let recorder = EventRecorder::start(&bus);
    bus.publish(Event::new(JobId::new(), "X", EventKind::Started));
    assert_sequence(&recorder.events(), &["started"]);
}

#[test]
#[should_panic(expected = "event sequence mismatch")]
fn assert_sequence_panics_with_both_sequences() {
    let e = Event::new(JobId::new(), "X", EventKind::Started);
    assert_sequence(&[e], &["started", "succeeded"]);
}

struct FollowUpJob(u32);
impl Job for FollowUpJob {
    type Output = ();
}

/// Dispatches a follow-up per success, deduplicated by key; cancels on failure.
#[derive(Default)]
struct Planner {
    passive_seen: u32,
    lagged: u64,
}
impl Orchestrator for Planner {
    type State = Vec<String>;
    fn on_succeeded(&mut self, e: &Event, cx: &mut OrchestratorContext<'_, Vec<String>>) {
        let n = e.output::<u32>().copied().unwrap_or(0);
        let result = cx.dispatch_with(FollowUpJob(n), DispatchOptions::new().dedup_key("follow-up"));
        let line = match result {
            Ok(id) => format!("dispatched {id}"),
            Err(e) => format!("refused: {e}"),
        };
        cx.update(|s| s.push(line));
    }
    fn on_failed(&mut self, _e: &Event, _err: &JobError, cx: &mut OrchestratorContext<'_, Vec<String>>) {
        for id in cx.running() {
            assert!(cx.is_running(id));
            cx.cancel(id, Some("failure upstream".into()));
        }
    }
    fn on_passive(&mut self, _e: &Event, _cx: &mut OrchestratorContext<'_, Vec<String>>) {
        self.passive_seen += 1;
    }
    fn on_lagged(&mut self, missed: u64, _cx: &mut OrchestratorContext<'_, Vec<String>>) {
        self.lagged += missed;
    }
}

struct Upstream;
impl Job for Upstream {
    type Output = u32;
}

#[test]
fn harness_records_dispatches_dedup_cancellations_without_a_runtime() {
    let mut h = OrchestratorHarness::new(Planner::default(), Vec::new());
    let up = JobId::new();
    h.active_kind::<Upstream>(up, EventKind::Started);
    assert_eq!(h.state_updates(), 0);
    h.active_kind::<Upstream>(up, EventKind::succeeded(7u32));
    h.active_kind::<Upstream>(JobId::new(), EventKind::succeeded(8u32));
    assert_eq!(h.dispatched(), ["FollowUpJob"]);
    assert_eq!(h.dispatched_of::<FollowUpJob>()[0].0, 7);
    assert!(h.state()[1].starts_with("refused: a job with key `follow-up`"));
    let follow_up = h.dispatched_jobs()[0].id;
    assert_eq!(h.running(), [follow_up]);
    assert_eq!(h.dispatched_jobs()[0].options.get_dedup_key(), Some("follow-up"));

    h.active_kind::<Upstream>(JobId::new(), EventKind::failed(JobError::new("x")));
    assert_eq!(h.cancelled(), [(follow_up, Some("failure upstream".to_string()))]);

    // The follow-up's terminal event frees the key.
    h.active_kind::<FollowUpJob>(follow_up, EventKind::cancelled(Some("failure upstream")));
    assert!(h.running().is_empty());
    h.active_kind::<Upstream>(JobId::new(), EventKind::succeeded(9u32));
    assert_eq!(h.dispatched().len(), 2);

    h.passive(Event::new(JobId::new(), "Other", EventKind::Started));
    h.lagged(5);
    assert_eq!(h.orchestrator().passive_seen, 1);
    assert_eq!(h.orchestrator().lagged, 5);
    assert_eq!(h.state_updates(), 3);
}

#[tokio::test]
async fn handle_debug_and_outcome_helpers() {
    let s = setup();
    let handle = s.dispatcher.dispatch(ScriptJob::new(Script::Sleep(Duration::from_millis(1)))).unwrap();
    assert!(format!("{handle:?}").contains("ScriptJob"));
    assert!(!handle.is_finished() || s.dispatcher.in_flight() == 0);
    let outcome = handle.outcome().await;
    assert_eq!(outcome.name(), "succeeded");
    let cloned = outcome.clone();
    assert!(cloned.is_success());
    assert!(format!("{:?}", s.dispatcher).contains("ScriptJob"));
}

#[cfg(feature = "test-util")]
#[test]
fn run_paused_makes_retries_instant_and_deterministic() {
    use orch_runtime::testing::run_paused;
    let elapsed = run_paused(async {
        let s = setup();
        let start = tokio::time::Instant::now();
        let handle = s
            .dispatcher
            .dispatch_with(
                ScriptJob::new(Script::FailUntil(3)),
                DispatchOptions::new().retry(
                    RetryPolicy::exponential(3)
                        .base_delay(Duration::from_secs(60))
                        .max_delay(Duration::from_secs(600)),
                ),
            )
            .unwrap();
        assert!(handle.outcome().await.is_success());
        start.elapsed()
    });
    assert_eq!(elapsed, Duration::from_secs(60 + 120));
}

#[test]
fn public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Dispatcher>();
    send_sync::<DispatcherBuilder>();
    send_sync::<SignalBus>();
    send_sync::<Subscription>();
    send_sync::<JobHandle<u32>>();
    send_sync::<JobOutcome<u32>>();
    send_sync::<ExecContext>();
    send_sync::<Event>();
    send_sync::<JobError>();
    send_sync::<DispatchOptions>();
    send_sync::<RetryPolicy>();
    send_sync::<CircuitBreaker>();
    send_sync::<Saga<u32>>();
    send_sync::<OrchestratorHandle<Planner>>();
    send_sync::<EventRecorder>();
}
