//! Randomized test of the crate's guarantees 1 and 5 (crate docs, "Guarantees") under concurrency: thousands of jobs
//! with random outcomes (success, error, panic, sleep, retries, per-attempt and overall
//! timeouts), random cancellations (before start, during work, during back-off, through an
//! external token), spread over several orchestrators plus direct dispatches, on a
//! multi-threaded runtime.
//!
//! Checked for every job: exactly one terminal event on the bus, `Started` first and the
//! terminal last; its owner received the whole sequence in active mode (one terminal, last);
//! no other orchestrator received any of its events in active mode; every non-owner
//! orchestrator saw its terminal event passively exactly once; jobs dispatched directly
//! reached nobody in active mode.
//!
//! Deterministic inputs: a hand-rolled xorshift PRNG with a fixed seed (the interleavings are
//! still up to the scheduler, which is the point).

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Script, ScriptExecutor, ScriptJob, assert_well_formed};
use orch_runtime::prelude::*;
use orch_runtime::testing::EventRecorder;

const JOBS: usize = 3000;
const ORCHESTRATORS: usize = 4;

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

type ActiveLog = Arc<Mutex<HashMap<JobId, Vec<&'static str>>>>;
type PassiveLog = Arc<Mutex<HashMap<JobId, u32>>>;

struct Tracker {
    active: ActiveLog,
    passive_terminals: PassiveLog,
}

#[derive(Clone, Debug, Default)]
struct TrackerState {
    terminals: usize,
    passive_terminals: usize,
    lagged: u64,
}

impl Tracker {
    fn record(&self, e: &Event) {
        self.active.lock().unwrap().entry(e.job_id()).or_default().push(e.kind().name());
    }
    fn terminal(&self, e: &Event, cx: &mut OrchestratorContext<'_, TrackerState>) {
        self.record(e);
        cx.update(|s| s.terminals += 1);
    }
}

impl Orchestrator for Tracker {
    type State = TrackerState;
    fn on_started(&mut self, e: &Event, _cx: &mut OrchestratorContext<'_, TrackerState>) {
        self.record(e);
    }
    fn on_progress(&mut self, e: &Event, _p: &Progress, _cx: &mut OrchestratorContext<'_, TrackerState>) {
        self.record(e);
    }
    fn on_retrying(&mut self, e: &Event, _cx: &mut OrchestratorContext<'_, TrackerState>) {
        self.record(e);
    }
    fn on_domain_event(&mut self, e: &Event, _cx: &mut OrchestratorContext<'_, TrackerState>) {
        self.record(e);
    }
    fn on_succeeded(&mut self, e: &Event, cx: &mut OrchestratorContext<'_, TrackerState>) {
        self.terminal(e, cx);
    }
    fn on_failed(&mut self, e: &Event, _err: &JobError, cx: &mut OrchestratorContext<'_, TrackerState>) {
        self.terminal(e, cx);
    }
    fn on_cancelled(&mut self, e: &Event, _r: Option<&str>, cx: &mut OrchestratorContext<'_, TrackerState>) {
        self.terminal(e, cx);
    }
    fn on_timed_out(&mut self, e: &Event, _a: Duration, cx: &mut OrchestratorContext<'_, TrackerState>) {
        self.terminal(e, cx);
    }
    fn on_passive(&mut self, e: &Event, cx: &mut OrchestratorContext<'_, TrackerState>) {
        if e.is_terminal() {
            cx.update(|s| s.passive_terminals += 1);
            *self.passive_terminals.lock().unwrap().entry(e.job_id()).or_default() += 1;
        }
    }
    fn on_lagged(&mut self, missed: u64, cx: &mut OrchestratorContext<'_, TrackerState>) {
        cx.update(|s| s.lagged += missed);
    }
}

fn random_job(rng: &mut XorShift) -> (ScriptJob, DispatchOptions) {
    let micros = |rng: &mut XorShift, max: u64| Duration::from_micros(rng.below(max));
    let mut options = DispatchOptions::new();
    let script = match rng.below(8) {
        0 => Script::Succeed(rng.next()),
        1 => Script::Fail("random failure"),
        2 => Script::Panic,
        3 => Script::Chatty,
        4 => Script::Sleep(micros(rng, 2000)),
        5 => {
            options = options.retry(
                RetryPolicy::exponential(1 + rng.below(4) as u32).base_delay(micros(rng, 500)).jitter(0.5),
            );
            Script::FailUntil(1 + rng.below(5) as u32)
        }
        6 => {
            options = options.attempt_timeout(Duration::from_millis(1));
            if rng.below(2) == 0 {
                options = options.retry(RetryPolicy::exponential(2).base_delay(micros(rng, 300)));
            }
            // Mostly much longer than the timeout: under load, timers that expire in the
            // same driver tick let the work win (tokio polls the inner future first).
            Script::Sleep(Duration::from_micros(rng.below(2) * 20_000) + micros(rng, 2000))
        }
        _ => {
            options = options.timeout(Duration::from_micros(500) + micros(rng, 1000));
            Script::Sleep(Duration::from_micros(rng.below(2) * 20_000) + micros(rng, 2000))
        }
    };
    (ScriptJob::new(script), options)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_random_jobs_each_get_exactly_one_terminal_event_at_their_owner() {
    // Keep the expected panics of `Script::Panic` out of the test output.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !info.to_string().contains("executor exploded") {
            default_hook(info);
        }
    }));

    let bus = SignalBus::with_capacity(1 << 16);
    let recorder = EventRecorder::start(&bus);
    let mut builder = Dispatcher::builder(bus.clone());
    builder.register::<ScriptJob, _>(ScriptExecutor::default()).unwrap();
    let dispatcher = builder.build();

    let mut orchestrators = Vec::new();
    for _ in 0..ORCHESTRATORS {
        let active: ActiveLog = Arc::default();
        let passive: PassiveLog = Arc::default();
        let handle = OrchestratorHandle::spawn(
            Tracker { active: Arc::clone(&active), passive_terminals: Arc::clone(&passive) },
            TrackerState::default(),
            &dispatcher,
        )
        .unwrap();
        orchestrators.push((handle, active, passive));
    }

    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut owner_of: HashMap<JobId, Option<usize>> = HashMap::new();
    let mut per_owner = [0usize; ORCHESTRATORS];
    let mut direct_handles = Vec::new();
    let shared_token = CancellationToken::new();

    for n in 0..JOBS {
        let (job, mut options) = random_job(&mut rng);
        if rng.below(10) == 0 {
            options = options.cancel_token(shared_token.clone());
        }
        let cancel_mode = rng.below(10); // 0: cancel at once, 1-2: cancel later, else none
        let cancel_after = Duration::from_micros(rng.below(1500));
        if rng.below(8) == 0 {
            // Direct dispatch: no owner.
            let handle = dispatcher.dispatch_with(job, options).unwrap();
            owner_of.insert(handle.id(), None);
            match cancel_mode {
                0 => handle.cancel_with("random"),
                1 | 2 => {
                    let token = handle.cancellation().clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(cancel_after).await;
                        token.cancel();
                    });
                }
                _ => {}
            }
            direct_handles.push(handle);
        } else {
            let i = rng.below(ORCHESTRATORS as u64) as usize;
            let orch = &orchestrators[i].0;
            let id = orch.dispatch_with(job, options).unwrap();
            owner_of.insert(id, Some(i));
            per_owner[i] += 1;
            match cancel_mode {
                0 => {
                    orch.cancel(id, Some("random".into()));
                }
                1 | 2 => {
                    let orch = orch.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(cancel_after).await;
                        orch.cancel(id, Some("random".into()));
                    });
                }
                _ => {}
            }
        }
        if n == JOBS / 2 {
            shared_token.cancel(); // cancels every job linked to it that is still running
        }
        if n % 64 == 0 {
            tokio::task::yield_now().await;
        }
    }

    // Wait for every owner to have received all its terminal events, and every direct job.
    for (i, (handle, _, _)) in orchestrators.iter().enumerate() {
        let others = JOBS - per_owner[i];
        let state = handle.wait_for(|s| s.terminals >= per_owner[i] && s.passive_terminals >= others).await;
        assert_eq!(state.terminals, per_owner[i], "orchestrator {i}");
        assert_eq!(state.passive_terminals, others, "orchestrator {i}");
    }
    for handle in direct_handles {
        handle.outcome().await;
    }
    dispatcher.shutdown().await;

    // The bus: exactly one terminal per job, well-formed.
    assert_eq!(recorder.lagged(), 0, "test bus too small");
    let mut on_bus: HashMap<JobId, Vec<&'static str>> = HashMap::new();
    for e in recorder.events() {
        on_bus.entry(e.job_id()).or_default().push(e.kind().name());
    }
    assert_eq!(on_bus.len(), JOBS);
    let mut terminal_kinds: HashMap<&str, usize> = HashMap::new();
    for (id, kinds) in &on_bus {
        assert!(owner_of.contains_key(id));
        assert_well_formed(kinds);
        *terminal_kinds.entry(kinds.last().unwrap()).or_default() += 1;
    }
    eprintln!("terminal kinds: {terminal_kinds:?}");
    // The random mix really exercised every terminal kind.
    for kind in ["succeeded", "failed", "cancelled", "timed_out"] {
        assert!(terminal_kinds.get(kind).copied().unwrap_or(0) > 50, "too few {kind}: {terminal_kinds:?}");
    }

    // Active delivery: the owner has the full sequence; nobody else has anything.
    for (id, owner) in &owner_of {
        for (i, (_, active, passive)) in orchestrators.iter().enumerate() {
            let active = active.lock().unwrap();
            let got = active.get(id);
            if *owner == Some(i) {
                let got = got.unwrap_or_else(|| panic!("owner {i} got nothing for {id}"));
                assert_well_formed(got);
                assert_eq!(got, &on_bus[id], "owner's sequence differs from the bus's for {id}");
                assert_eq!(passive.lock().unwrap().get(id), None, "owner saw its own job passively");
            } else {
                assert!(got.is_none(), "orchestrator {i} got {id} actively: {got:?}");
                assert_eq!(
                    passive.lock().unwrap().get(id).copied(),
                    Some(1),
                    "orchestrator {i} did not see {id}'s terminal exactly once passively"
                );
            }
        }
    }
    for (handle, _, _) in &orchestrators {
        assert_eq!(handle.state().lagged, 0);
        assert!(handle.running().is_empty());
    }
}
