//! Guarantee 8 (crate docs, "Guarantees") (observable state, cancel, is_running, dedup) and the
//! active/passive routing of orchestrators.

mod common;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Script, ScriptJob, setup};
use orch_runtime::prelude::*;

/// Records which hooks saw which jobs.
#[derive(Default, Clone)]
struct Log(Arc<Mutex<Vec<(String, JobId)>>>);
impl Log {
    fn push(&self, hook: &str, id: JobId) {
        self.0.lock().unwrap().push((hook.to_owned(), id));
    }
    fn hooks_for(&self, id: JobId) -> Vec<String> {
        self.0.lock().unwrap().iter().filter(|(_, j)| *j == id).map(|(h, _)| h.clone()).collect()
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Counts {
    terminal: u32,
    succeeded: u32,
    failed: u32,
    cancelled: u32,
    last_reason: Option<String>,
    still_running_in_hook: bool,
    passive: u32,
}

struct Recording {
    log: Log,
}

impl Orchestrator for Recording {
    type State = Counts;
    fn on_started(&mut self, e: &Event, _cx: &mut OrchestratorContext<'_, Counts>) {
        self.log.push("started", e.job_id());
    }
    fn on_progress(&mut self, e: &Event, _p: &Progress, _cx: &mut OrchestratorContext<'_, Counts>) {
        self.log.push("progress", e.job_id());
    }
    fn on_domain_event(&mut self, e: &Event, _cx: &mut OrchestratorContext<'_, Counts>) {
        self.log.push("domain", e.job_id());
    }
    fn on_succeeded(&mut self, e: &Event, cx: &mut OrchestratorContext<'_, Counts>) {
        self.log.push("succeeded", e.job_id());
        let running = cx.is_running(e.job_id());
        cx.update(|s| {
            s.terminal += 1;
            s.succeeded += 1;
            s.still_running_in_hook |= running;
        });
    }
    fn on_failed(&mut self, e: &Event, _err: &JobError, cx: &mut OrchestratorContext<'_, Counts>) {
        self.log.push("failed", e.job_id());
        cx.update(|s| {
            s.terminal += 1;
            s.failed += 1;
        });
    }
    fn on_cancelled(&mut self, e: &Event, reason: Option<&str>, cx: &mut OrchestratorContext<'_, Counts>) {
        self.log.push("cancelled", e.job_id());
        let reason = reason.map(str::to_owned);
        cx.update(|s| {
            s.terminal += 1;
            s.cancelled += 1;
            s.last_reason = reason;
        });
    }
    fn on_passive(&mut self, e: &Event, cx: &mut OrchestratorContext<'_, Counts>) {
        self.log.push(&format!("passive {}", e.kind().name()), e.job_id());
        if e.is_terminal() {
            cx.update(|s| s.passive += 1);
        }
    }
}

fn recording() -> (Recording, Log) {
    let log = Log::default();
    (Recording { log: log.clone() }, log)
}

#[tokio::test]
async fn active_events_go_to_the_owner_and_passive_to_everyone_else() {
    let s = setup();
    let (a, log_a) = recording();
    let (b, log_b) = recording();
    let owner = OrchestratorHandle::spawn(a, Counts::default(), &s.dispatcher).unwrap();
    let observer = OrchestratorHandle::spawn(b, Counts::default(), &s.dispatcher).unwrap();
    let id = owner.dispatch(ScriptJob::new(Script::Chatty)).unwrap();
    owner.wait_for(|c| c.terminal == 1).await;
    observer.wait_for(|c| c.passive == 1).await;
    assert_eq!(log_a.hooks_for(id), ["started", "progress", "domain", "progress", "succeeded"]);
    assert_eq!(
        log_b.hooks_for(id),
        ["passive started", "passive progress", "passive domain", "passive progress", "passive succeeded"]
    );
    // The owner never sees its own job passively, the observer never actively.
    assert_eq!(owner.state().passive, 0);
    assert_eq!(observer.state().terminal, 0);
    // In the terminal hook the job is no longer running.
    assert!(!owner.state().still_running_in_hook);
}

#[tokio::test]
async fn late_subscribers_see_the_current_state() {
    let s = setup();
    let (a, _) = recording();
    let owner = OrchestratorHandle::spawn(a, Counts::default(), &s.dispatcher).unwrap();
    assert_eq!(owner.state(), Counts::default()); // initial state visible at once
    owner.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap();
    owner.wait_for(|c| c.succeeded == 1).await;
    // A watch taken now (after the change) sees the current value immediately.
    let late = owner.watch();
    assert_eq!(late.borrow().succeeded, 1);
    let clone = owner.clone();
    assert_eq!(clone.state().succeeded, 1);
}

#[tokio::test(start_paused = true)]
async fn cancel_really_cancels_the_job_and_is_running_tracks_it() {
    let s = setup();
    let (a, log) = recording();
    let owner = OrchestratorHandle::spawn(a, Counts::default(), &s.dispatcher).unwrap();
    let (job, dropped) = ScriptJob::with_drop_flag(Script::Sleep(Duration::from_secs(3600)));
    let id = owner.dispatch(job).unwrap();
    assert!(owner.is_running(id));
    assert_eq!(owner.running(), [id]);
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(s.attempts.load(Ordering::SeqCst), 1);
    assert!(owner.cancel(id, Some("tab closed".into())));
    let state = owner.wait_for(|c| c.cancelled == 1).await;
    assert_eq!(state.last_reason.as_deref(), Some("tab closed"));
    assert!(dropped.load(Ordering::SeqCst), "the executor's future was not dropped");
    assert!(!owner.is_running(id));
    assert!(owner.running().is_empty());
    assert!(!owner.cancel(id, None), "cancelling a finished job is a no-op");
    assert_eq!(log.hooks_for(id), ["started", "cancelled"]);
    // Another orchestrator cannot cancel a job it does not own.
    let (b, _) = recording();
    let other = OrchestratorHandle::spawn(b, Counts::default(), &s.dispatcher).unwrap();
    let id2 = owner.dispatch(ScriptJob::new(Script::Sleep(Duration::from_secs(1)))).unwrap();
    assert!(!other.cancel(id2, None));
    assert!(!other.is_running(id2));
    assert!(owner.is_running(id2));
}

#[tokio::test(start_paused = true)]
async fn dedup_by_key_refuses_while_running_and_frees_the_key_after() {
    let s = setup();
    let (a, _) = recording();
    let (b, _) = recording();
    let owner = OrchestratorHandle::spawn(a, Counts::default(), &s.dispatcher).unwrap();
    let other = OrchestratorHandle::spawn(b, Counts::default(), &s.dispatcher).unwrap();
    let keyed = || DispatchOptions::new().dedup_key("load-profile");
    let slow = || ScriptJob::new(Script::Sleep(Duration::from_secs(1)));
    let first = owner.dispatch_with(slow(), keyed()).unwrap();
    assert_eq!(
        owner.dispatch_with(slow(), keyed()),
        Err(DispatchError::Duplicate { key: "load-profile".into(), running: first })
    );
    // Keys are scoped to the orchestrator.
    assert!(other.dispatch_with(slow(), keyed()).is_ok());
    owner.wait_for(|c| c.succeeded == 1).await;
    let second = owner.dispatch_with(slow(), keyed()).unwrap();
    assert_ne!(first, second);
}

/// An orchestrator whose hooks dispatch and cancel jobs.
struct Chain;
#[derive(Clone, Debug, Default)]
struct ChainState {
    steps: Vec<u64>,
    cancelled: bool,
}
impl Orchestrator for Chain {
    type State = ChainState;
    fn on_succeeded(&mut self, e: &Event, cx: &mut OrchestratorContext<'_, ChainState>) {
        let n = *e.output::<u64>().unwrap();
        cx.update(|s| s.steps.push(n));
        if n < 3 {
            cx.dispatch(ScriptJob::new(Script::Succeed(n + 1))).unwrap();
        } else {
            // Start a long job and cancel it from the hook itself.
            let id = cx.dispatch(ScriptJob::new(Script::Sleep(Duration::from_secs(60)))).unwrap();
            assert!(cx.is_running(id));
            assert_eq!(cx.running(), [id]);
            assert!(cx.cancel(id, Some("from hook".into())));
        }
    }
    fn on_cancelled(&mut self, _e: &Event, r: Option<&str>, cx: &mut OrchestratorContext<'_, ChainState>) {
        assert_eq!(r, Some("from hook"));
        cx.update(|s| s.cancelled = true);
    }
}

#[tokio::test]
async fn hooks_can_dispatch_and_cancel_follow_up_jobs() {
    let s = setup();
    let chain = OrchestratorHandle::spawn(Chain, ChainState::default(), &s.dispatcher).unwrap();
    chain.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap();
    let state = chain.wait_for(|s| s.cancelled).await;
    assert_eq!(state.steps, [1, 2, 3]);
}

struct Fragile;
impl Orchestrator for Fragile {
    type State = u32;
    fn on_failed(&mut self, _e: &Event, _err: &JobError, _cx: &mut OrchestratorContext<'_, u32>) {
        panic!("bug in a hook");
    }
    fn on_succeeded(&mut self, _e: &Event, cx: &mut OrchestratorContext<'_, u32>) {
        cx.update(|n| *n += 1);
    }
}

#[tokio::test]
async fn a_panicking_hook_does_not_kill_the_orchestrator() {
    let s = setup();
    let o = OrchestratorHandle::spawn(Fragile, 0, &s.dispatcher).unwrap();
    o.dispatch(ScriptJob::new(Script::Fail("x"))).unwrap();
    o.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap();
    assert_eq!(o.wait_for(|n| *n == 1).await, 1);
}

#[tokio::test(start_paused = true)]
async fn shutdown_cancels_running_jobs_and_refuses_new_ones() {
    let s = setup();
    let (a, _) = recording();
    let o = OrchestratorHandle::spawn(a, Counts::default(), &s.dispatcher).unwrap();
    let (job, dropped) = ScriptJob::with_drop_flag(Script::Sleep(Duration::from_secs(3600)));
    let id = o.dispatch(job).unwrap();
    tokio::time::sleep(Duration::from_millis(1)).await;
    o.shutdown();
    assert!(o.is_shut_down());
    let terminal = s.recorder.wait_for_terminal(id).await;
    assert!(
        matches!(terminal.kind(), EventKind::Cancelled { reason: Some(r) } if r == "orchestrator shut down")
    );
    assert!(dropped.load(Ordering::SeqCst));
    assert_eq!(o.dispatch(ScriptJob::new(Script::Succeed(1))), Err(DispatchError::Closed));
    // wait_for returns (the last state) instead of hanging once the loop stopped.
    let _ = o.wait_for(|c| c.terminal == 99).await;
}

#[tokio::test]
async fn observe_adds_a_scoped_bus_passively_and_active_only_skips_the_global_one() {
    let s = setup();
    let scoped = SignalBus::scoped("admin");
    let (a, log) = recording();
    let o = OrchestratorHandle::spawn_active_only(a, Counts::default(), &s.dispatcher).unwrap();
    o.observe(&scoped);
    let on_global = s.dispatcher.dispatch(ScriptJob::new(Script::Succeed(1))).unwrap();
    let global_id = on_global.id();
    on_global.outcome().await;
    let on_scoped = s
        .dispatcher
        .dispatch_with(ScriptJob::new(Script::Succeed(2)), DispatchOptions::new().bus(scoped.clone()))
        .unwrap();
    let scoped_id = on_scoped.id();
    o.wait_for(|c| c.passive == 1).await;
    assert!(log.hooks_for(global_id).is_empty());
    assert_eq!(log.hooks_for(scoped_id), ["passive started", "passive succeeded"]);
    // Its own jobs on the scoped bus still arrive actively only.
    let own = o
        .dispatch_with(ScriptJob::new(Script::Succeed(3)), DispatchOptions::new().bus(scoped.clone()))
        .unwrap();
    o.wait_for(|c| c.succeeded == 1).await;
    assert_eq!(log.hooks_for(own), ["started", "succeeded"]);
}

#[tokio::test(start_paused = true)]
async fn orchestrator_jobs_honour_dispatch_options() {
    let s = setup();
    let (a, _) = recording();
    let o = OrchestratorHandle::spawn(a, Counts::default(), &s.dispatcher).unwrap();
    o.dispatch_with(
        ScriptJob::new(Script::FailUntil(3)),
        DispatchOptions::new().retry(RetryPolicy::exponential(3)),
    )
    .unwrap();
    let state = o.wait_for(|c| c.terminal == 1).await;
    assert_eq!(state.succeeded, 1);
    assert_eq!(s.attempts.load(Ordering::SeqCst), 3);
}
