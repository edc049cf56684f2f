//! Jobs and executors shared by the integration tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use orch_runtime::prelude::*;
use orch_runtime::testing::EventRecorder;

/// Sets its flag when dropped: proves that an executor's future was dropped.
pub struct DropFlag(pub Arc<AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// What a `ScriptJob` attempt does.
#[derive(Clone, Debug)]
pub enum Script {
    Succeed(u64),
    Fail(&'static str),
    Panic,
    /// Sleep for this long, then succeed with the number of milliseconds.
    Sleep(Duration),
    /// Fail until this attempt number (exclusive), then succeed with the attempt number.
    FailUntil(u32),
    /// Progress, a domain event, then succeed.
    Chatty,
}

#[derive(Clone, Debug)]
pub struct ScriptJob {
    pub script: Script,
    /// Set when an attempt's future is dropped (for whatever reason).
    pub dropped: Option<Arc<AtomicBool>>,
}

impl ScriptJob {
    pub fn new(script: Script) -> Self {
        ScriptJob { script, dropped: None }
    }
    pub fn with_drop_flag(script: Script) -> (Self, Arc<AtomicBool>) {
        let flag = Arc::new(AtomicBool::new(false));
        (ScriptJob { script, dropped: Some(Arc::clone(&flag)) }, flag)
    }
}

impl Job for ScriptJob {
    type Output = u64;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chatter(pub String);

/// Counts attempts.
#[derive(Default)]
pub struct ScriptExecutor {
    pub attempts: Arc<AtomicU32>,
}

impl Executor<ScriptJob> for ScriptExecutor {
    async fn execute(&self, job: &ScriptJob, ctx: &ExecContext) -> Result<u64, JobError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        let _guard = job.dropped.clone().map(DropFlag);
        match &job.script {
            Script::Succeed(v) => Ok(*v),
            Script::Fail(msg) => Err(JobError::new(*msg)),
            Script::Panic => panic!("executor exploded"),
            Script::Sleep(d) => {
                tokio::time::sleep(*d).await;
                Ok(d.as_millis() as u64)
            }
            Script::FailUntil(n) => {
                if ctx.attempt() < *n {
                    Err(JobError::new(format!("attempt {} failed", ctx.attempt())))
                } else {
                    Ok(u64::from(ctx.attempt()))
                }
            }
            Script::Chatty => {
                ctx.progress(0.5, "half way");
                ctx.emit(Chatter("hello".into()));
                ctx.progress_step(2, 2, "done");
                Ok(7)
            }
        }
    }
}

pub struct Setup {
    pub bus: SignalBus,
    pub dispatcher: Dispatcher,
    pub attempts: Arc<AtomicU32>,
    pub recorder: EventRecorder,
}

/// A bus, a recorder on it, and a dispatcher with the `ScriptExecutor`.
pub fn setup() -> Setup {
    setup_with(SignalBus::new(), None)
}

pub fn setup_with(bus: SignalBus, breaker: Option<CircuitBreaker>) -> Setup {
    let recorder = EventRecorder::start(&bus);
    let exec = ScriptExecutor::default();
    let attempts = Arc::clone(&exec.attempts);
    let mut builder = Dispatcher::builder(bus.clone());
    match breaker {
        Some(b) => builder.register_with_breaker::<ScriptJob, _>(exec, b),
        None => builder.register::<ScriptJob, _>(exec),
    }
    .unwrap();
    Setup { bus, dispatcher: builder.build(), attempts, recorder }
}

/// Exactly one terminal event, and it is the last; `Started` first.
pub fn assert_well_formed(kinds: &[&str]) {
    assert_eq!(kinds.first(), Some(&"started"), "{kinds:?}");
    let terminals =
        kinds.iter().filter(|k| matches!(**k, "succeeded" | "failed" | "cancelled" | "timed_out")).count();
    assert_eq!(terminals, 1, "{kinds:?}");
    assert!(
        matches!(*kinds.last().unwrap(), "succeeded" | "failed" | "cancelled" | "timed_out"),
        "{kinds:?}"
    );
}
