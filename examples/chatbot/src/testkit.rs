//! Test set-up shared by the executor and orchestrator tests: every simulated service, the
//! dispatcher with every feature registered, and a recorder of the bus.

use std::time::Duration;

use orch_runtime::testing::EventRecorder;
use orch_runtime::{CircuitBreaker, Dispatcher, Job, JobOutcome, SignalBus};

use crate::backend::Services;
use crate::features;
use crate::timeline::describe;

/// Latency of every simulated call.
pub const LATENCY: Duration = Duration::from_millis(10);
/// How long the language model's circuit stays open.
pub const COOL_DOWN: Duration = Duration::from_secs(30);

/// What a test works with.
pub struct Setup {
    pub services: Services,
    /// Guards the language model: opens after 2 consecutive failures, for [`COOL_DOWN`].
    pub breaker: CircuitBreaker,
    pub dispatcher: Dispatcher,
    pub recorder: EventRecorder,
}

/// A fresh set-up. Call it inside the test's runtime (the recorder drains the bus on a task).
pub fn setup() -> Setup {
    let bus = SignalBus::new();
    let recorder = EventRecorder::start(&bus);
    let services = Services::new(LATENCY);
    let breaker = CircuitBreaker::new(2, COOL_DOWN);
    let mut builder = Dispatcher::builder(bus);
    features::register(&mut builder, &services, &breaker).expect("every job type is registered once");
    Setup { services, breaker, dispatcher: builder.build(), recorder }
}

impl Setup {
    /// Dispatch `job` straight to the dispatcher and wait for its end: its outcome and its
    /// events, one line each.
    pub async fn run<J: Job>(&self, job: J) -> (JobOutcome<J::Output>, Vec<String>) {
        let handle = self.dispatcher.dispatch(job).expect("the job type is registered");
        let id = handle.id();
        let outcome = handle.outcome().await;
        (outcome, self.recorder.events_for(id).iter().map(describe).collect())
    }

    /// Every event recorded so far, one line each.
    pub fn lines(&self) -> Vec<String> {
        self.recorder.events().iter().map(describe).collect()
    }
}
