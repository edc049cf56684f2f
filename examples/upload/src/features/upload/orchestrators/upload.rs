//! `UploadOrchestrator` (feature `upload`): holds `UploadState`, dispatches `UploadJob`s and
//! turns the events of its jobs into state. It never does I/O itself.

use std::fmt;
use std::time::Duration;

use orch_runtime::{
    DispatchError, DispatchOptions, Event, EventKind, JobError, JobId, Orchestrator, OrchestratorContext,
    OrchestratorHandle, Progress,
};

use crate::features::upload::events::UploadResumedEvent;
use crate::features::upload::jobs::UploadJob;

/// What the upload screen shows. The orchestrator moves it from one variant to the next as
/// the events of its upload arrive; observers `watch` it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum UploadState {
    /// Nothing uploaded yet.
    #[default]
    Idle,
    /// The upload started; no chunk is acknowledged yet.
    Started,
    /// `sent` of `of` chunks are on the server.
    Uploading {
        /// Chunks sent so far.
        sent: u32,
        /// Chunks in all.
        of: u32,
        /// `sent / of`.
        fraction: f32,
    },
    /// An attempt failed; attempt `attempt` of `max_attempts` starts after `delay`.
    Retrying {
        /// The attempt that comes next.
        attempt: u32,
        /// The retry policy's maximum.
        max_attempts: u32,
        /// The back-off before it.
        delay: Duration,
        /// Why the previous attempt failed.
        error: String,
    },
    /// A retried attempt continues at chunk `from_chunk` of `of`.
    Resuming {
        /// The first chunk sent again.
        from_chunk: u32,
        /// Chunks in all.
        of: u32,
    },
    /// Done: the file is at `location`.
    Uploaded {
        /// Where the server put the file.
        location: String,
    },
    /// The user cancelled the upload.
    Cancelled {
        /// Why.
        reason: String,
    },
    /// The upload failed for good (a permanent error, or no attempts left).
    Failed {
        /// The last error.
        error: String,
    },
    /// The upload took longer than its timeout.
    TimedOut {
        /// The timeout.
        after: Duration,
    },
}

impl UploadState {
    /// True once the upload ended (uploaded, cancelled, failed or timed out).
    pub fn is_finished(&self) -> bool {
        matches!(
            self,
            UploadState::Uploaded { .. }
                | UploadState::Cancelled { .. }
                | UploadState::Failed { .. }
                | UploadState::TimedOut { .. }
        )
    }
}

impl fmt::Display for UploadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadState::Idle => write!(f, "Idle"),
            UploadState::Started => write!(f, "Started"),
            UploadState::Uploading { sent, of, fraction } => {
                write!(f, "Uploading {sent}/{of} ({:.0}%)", fraction * 100.0)
            }
            UploadState::Retrying { attempt, max_attempts, delay, error } => {
                write!(f, "Retrying (attempt {attempt}/{max_attempts} in {delay:?}; {error})")
            }
            UploadState::Resuming { from_chunk, of } => write!(f, "Resuming at chunk {from_chunk}/{of}"),
            UploadState::Uploaded { location } => write!(f, "Uploaded to {location}"),
            UploadState::Cancelled { reason } => write!(f, "Cancelled ({reason})"),
            UploadState::Failed { error } => write!(f, "Failed ({error})"),
            UploadState::TimedOut { after } => write!(f, "TimedOut (after {after:?})"),
        }
    }
}

/// Dispatches [`UploadJob`]s and keeps [`UploadState`] up to date from their events.
#[derive(Debug, Default)]
pub struct UploadOrchestrator;

impl UploadOrchestrator {
    /// The user picked a file: dispatch an [`UploadJob`] owned by this orchestrator and
    /// return at once (fire-and-forget); what happens arrives as events. `options` carry the
    /// retry policy and the timeout.
    pub fn start(
        handle: &OrchestratorHandle<Self>,
        job: UploadJob,
        options: DispatchOptions,
    ) -> Result<JobId, DispatchError> {
        // The turbofish names the job type where `orch graph` can see it.
        handle.dispatch_with::<UploadJob>(job, options)
    }

    /// The user pressed "cancel": cancel the running upload. This cancels the job's token, so
    /// its executor stops at its next checkpoint (the runtime drops it) and the job ends with
    /// `Cancelled { reason }`. False if no upload was running.
    pub fn cancel(handle: &OrchestratorHandle<Self>, reason: &str) -> bool {
        let mut cancelled = false;
        for id in handle.running() {
            cancelled |= handle.cancel(id, Some(reason.to_owned()));
        }
        cancelled
    }
}

impl Orchestrator for UploadOrchestrator {
    type State = UploadState;

    fn on_started(&mut self, _event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        cx.set(UploadState::Started);
    }

    fn on_progress(
        &mut self,
        _event: &Event,
        progress: &Progress,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        let (sent, of) = progress.step.unwrap_or_default();
        cx.set(UploadState::Uploading { sent, of, fraction: progress.fraction });
    }

    fn on_retrying(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        if let EventKind::Retrying { attempt, max_attempts, delay, error } = event.kind() {
            let error = error.message().to_owned();
            cx.set(UploadState::Retrying {
                attempt: *attempt,
                max_attempts: *max_attempts,
                delay: *delay,
                error,
            });
        }
    }

    fn on_domain_event(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        if let Some(resumed) = event.domain::<UploadResumedEvent>() {
            cx.set(UploadState::Resuming { from_chunk: resumed.from_chunk, of: resumed.of });
        }
    }

    fn on_succeeded(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, Self::State>) {
        let location = event.output::<String>().cloned().unwrap_or_default();
        cx.set(UploadState::Uploaded { location });
    }

    fn on_failed(&mut self, _event: &Event, error: &JobError, cx: &mut OrchestratorContext<'_, Self::State>) {
        cx.set(UploadState::Failed { error: error.message().to_owned() });
    }

    fn on_cancelled(
        &mut self,
        _event: &Event,
        reason: Option<&str>,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        let reason = reason.unwrap_or("no reason given").to_owned();
        cx.set(UploadState::Cancelled { reason });
    }

    fn on_timed_out(
        &mut self,
        _event: &Event,
        after: Duration,
        cx: &mut OrchestratorContext<'_, Self::State>,
    ) {
        cx.set(UploadState::TimedOut { after });
    }
}

#[cfg(test)]
mod tests {
    //! Events in, state transitions out: first with hand-made events on the synchronous
    //! harness, then end to end (dispatcher, executor, simulated server) on a paused clock,
    //! where the user cancels mid-way.

    use std::sync::Arc;

    use orch_runtime::testing::{EventRecorder, OrchestratorHarness};
    use orch_runtime::{Dispatcher, JobId, RetryPolicy, SignalBus};

    use super::*;
    use crate::backend::UploadServer;
    use crate::features::upload::executors::UploadExecutor;
    use crate::features::upload::register;
    use crate::timeline::describe;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn uploading(sent: u32, of: u32) -> UploadState {
        UploadState::Uploading { sent, of, fraction: sent as f32 / of as f32 }
    }

    /// Feed `events` to a fresh orchestrator; the state after each one.
    fn replay(events: Vec<Event>) -> Vec<UploadState> {
        let mut harness = OrchestratorHarness::new(UploadOrchestrator, UploadState::Idle);
        events.into_iter().map(|event| harness.active(event).clone()).collect()
    }

    #[test]
    fn a_flaky_upload_goes_through_retrying_and_resuming() {
        let id = JobId::new();
        let event = |kind| Event::for_job::<UploadJob>(id, kind);
        let rejected = JobError::new("chunk 2 rejected: 503 Service Unavailable");
        let states = replay(vec![
            event(EventKind::Started),
            event(EventKind::Progress(Progress::step(1, 3, "4 of 10 bytes"))),
            event(EventKind::Retrying { attempt: 2, max_attempts: 3, delay: ms(100), error: rejected }),
            event(EventKind::domain(UploadResumedEvent { from_chunk: 2, of: 3 })),
            event(EventKind::Progress(Progress::step(2, 3, "8 of 10 bytes"))),
            event(EventKind::Progress(Progress::step(3, 3, "10 of 10 bytes"))),
            event(EventKind::succeeded("mem://uploads/a.bin".to_owned())),
        ]);
        assert_eq!(
            states,
            [
                UploadState::Started,
                uploading(1, 3),
                UploadState::Retrying {
                    attempt: 2,
                    max_attempts: 3,
                    delay: ms(100),
                    error: "chunk 2 rejected: 503 Service Unavailable".into(),
                },
                UploadState::Resuming { from_chunk: 2, of: 3 },
                uploading(2, 3),
                uploading(3, 3),
                UploadState::Uploaded { location: "mem://uploads/a.bin".into() },
            ]
        );
    }

    #[test]
    fn each_terminal_event_has_its_own_final_state() {
        let terminal = |kind| {
            let id = JobId::new();
            let states = replay(vec![
                Event::for_job::<UploadJob>(id, EventKind::Started),
                Event::for_job::<UploadJob>(id, kind),
            ]);
            assert!(states[1].is_finished());
            states[1].clone()
        };
        assert_eq!(
            terminal(EventKind::cancelled(Some("user pressed cancel"))),
            UploadState::Cancelled { reason: "user pressed cancel".into() }
        );
        assert_eq!(
            terminal(EventKind::failed(JobError::new("chunk 2 rejected: 503 Service Unavailable"))),
            UploadState::Failed { error: "chunk 2 rejected: 503 Service Unavailable".into() }
        );
        assert_eq!(
            terminal(EventKind::TimedOut { after: Duration::from_secs(1) }),
            UploadState::TimedOut { after: Duration::from_secs(1) }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_user_cancels_mid_way_and_no_further_chunk_is_sent() {
        let bus = SignalBus::new();
        let recorder = EventRecorder::start(&bus);
        let server = Arc::new(UploadServer::new(ms(50)));
        let mut builder = Dispatcher::builder(bus);
        register(&mut builder, &server).expect("registers once");
        let dispatcher = builder.build();
        let screen = OrchestratorHandle::spawn(UploadOrchestrator, UploadState::Idle, &dispatcher)
            .expect("inside a runtime");

        let job = UploadJob::new("video.mp4", *b"0123456789abcdef", 4);
        let options = DispatchOptions::new()
            .retry(RetryPolicy::exponential(3).retry_if(UploadExecutor::is_transient))
            .timeout(Duration::from_secs(5));
        let id = UploadOrchestrator::start(&screen, job, options).expect("dispatched");
        assert!(screen.is_running(id));

        // The user watches the progress and presses "cancel" once half the file is up.
        screen.wait_for(|state| *state == uploading(2, 4)).await;
        assert!(UploadOrchestrator::cancel(&screen, "user pressed cancel"));
        let state = screen.wait_for(UploadState::is_finished).await;
        assert_eq!(state, UploadState::Cancelled { reason: "user pressed cancel".into() });
        assert!(!screen.is_running(id));
        assert!(!UploadOrchestrator::cancel(&screen, "again"), "nothing left to cancel");

        let events = recorder.events_for(id);
        let lines: Vec<String> = events.iter().map(describe).collect();
        assert_eq!(
            lines,
            [
                "started",
                "progress 1/4 (25%): 4 of 16 bytes",
                "progress 2/4 (50%): 8 of 16 bytes",
                "cancelled: user pressed cancel",
            ]
        );
        // The same events, replayed through the orchestrator: its exact state transitions.
        assert_eq!(
            replay(events),
            [
                UploadState::Started,
                uploading(1, 4),
                uploading(2, 4),
                UploadState::Cancelled { reason: "user pressed cancel".into() },
            ]
        );

        // Chunk 3 was in flight when the user cancelled: it was abandoned, and chunk 4 was
        // never sent, however long we wait.
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(server.received("video.mp4"), [1, 2]);
        assert_eq!(
            server.log(),
            ["video.mp4: chunk 1/4 stored (4 bytes)", "video.mp4: chunk 2/4 stored (4 bytes)"]
        );
        screen.shutdown();
    }
}
