//! `UploadExecutor`: carries out `UploadJob` (feature `upload`). I/O and business logic
//! belong here, never in an orchestrator.

use std::sync::Arc;

use orch_runtime::{ExecContext, Executor, JobError};

use crate::backend::UploadServer;
use crate::features::upload::events::UploadResumedEvent;
use crate::features::upload::jobs::UploadJob;

/// Carries out [`UploadJob`] against the [`UploadServer`]: sends the chunks one by one,
/// reports "step n of m" progress after each, resumes a retried attempt where the server
/// says the failed one stopped ([`UploadResumedEvent`]), and returns the file's location.
/// Errors it returns (and panics) become `Failed` events, or `Retrying` events while the
/// dispatch's retry policy allows another attempt.
pub struct UploadExecutor {
    server: Arc<UploadServer>,
}

impl UploadExecutor {
    /// An executor uploading to `server`.
    pub fn new(server: Arc<UploadServer>) -> Self {
        UploadExecutor { server }
    }

    /// The retry predicate for uploads (`RetryPolicy::retry_if`): only the server's transient
    /// answer, `503 Service Unavailable`, is worth another attempt; an empty file is not.
    /// A `JobError` keeps only a kind and a message, so the predicate reads the message that
    /// `ServerError`'s `Display` wrote.
    pub fn is_transient(error: &JobError) -> bool {
        error.message().ends_with("503 Service Unavailable")
    }
}

impl Executor<UploadJob> for UploadExecutor {
    async fn execute(&self, job: &UploadJob, ctx: &ExecContext) -> Result<String, JobError> {
        let file = job.file_name.as_str();
        let of = job.chunk_count();
        if of == 0 {
            return Err(JobError::new(format!("nothing to upload: {file} is empty")));
        }
        // The runtime retries by calling `execute` again (attempt 2, 3, ...). Rather than
        // sending the whole file again, a retry asks the server how far the failed attempt
        // got and resumes there.
        let first = if ctx.attempt() == 1 {
            1
        } else {
            let from_chunk = self.server.acknowledged(file).await + 1;
            ctx.emit(UploadResumedEvent { from_chunk, of });
            from_chunk
        };
        let skip = usize::try_from(first - 1).unwrap_or(usize::MAX);
        let total_bytes = job.content.len();
        let mut sent_bytes: usize = job.chunks().take(skip).map(<[u8]>::len).sum();
        for (chunk, bytes) in (1..).zip(job.chunks()).skip(skip) {
            // Checkpoint. Every `.await` is one: once the job is cancelled (or its timeout
            // fires), the runtime never polls this future again and drops it where it is
            // parked, so the chunk in flight is abandoned and no later chunk is sent. Code
            // doing long synchronous work between awaits would check `ctx.is_cancelled()`.
            self.server.put_chunk(file, chunk, of, bytes).await?;
            sent_bytes += bytes.len();
            ctx.progress_step(chunk, of, format!("{sent_bytes} of {total_bytes} bytes"));
        }
        Ok(self.server.complete(file).await?)
    }
}

#[cfg(test)]
mod tests {
    //! Job in, events out: each test dispatches one `UploadJob` straight to the dispatcher on
    //! a paused clock and compares the job's events, one line each (`timeline::describe`),
    //! and what the simulated server received.

    use std::time::Duration;

    use orch_runtime::testing::EventRecorder;
    use orch_runtime::{DispatchOptions, Dispatcher, Event, JobOutcome, RetryPolicy, SignalBus};
    use tokio::time::Instant;

    use super::*;
    use crate::features::upload::register;
    use crate::timeline::describe;

    const LATENCY: Duration = Duration::from_millis(50);
    /// 14 bytes: chunks of 4, 4, 4 and 2 bytes.
    const CONTENT: &[u8] = b"0123456789abcd";

    struct Setup {
        server: Arc<UploadServer>,
        dispatcher: Dispatcher,
        recorder: EventRecorder,
    }

    fn setup() -> Setup {
        let bus = SignalBus::new();
        let recorder = EventRecorder::start(&bus);
        let server = Arc::new(UploadServer::new(LATENCY));
        let mut builder = Dispatcher::builder(bus);
        register(&mut builder, &server).expect("registers once");
        Setup { server, dispatcher: builder.build(), recorder }
    }

    /// Three attempts in all, 100 ms then 200 ms apart, for transient errors only; one second
    /// for the whole upload.
    fn options() -> DispatchOptions {
        DispatchOptions::new()
            .retry(
                RetryPolicy::exponential(3)
                    .base_delay(Duration::from_millis(100))
                    .retry_if(UploadExecutor::is_transient),
            )
            .timeout(Duration::from_secs(1))
    }

    fn report() -> UploadJob {
        UploadJob::new("report.pdf", CONTENT, 4)
    }

    /// Dispatch `job`, wait for its end; its outcome and its events, described.
    async fn run(setup: &Setup, job: UploadJob) -> (JobOutcome<String>, Vec<String>) {
        let handle = setup.dispatcher.dispatch_with(job, options()).expect("UploadJob is registered");
        let id = handle.id();
        let outcome = handle.outcome().await;
        let events = setup.recorder.events_for(id).iter().map(describe).collect();
        (outcome, events)
    }

    #[tokio::test(start_paused = true)]
    async fn uploads_chunk_by_chunk_reporting_step_n_of_m() {
        let setup = setup();
        let start = Instant::now();
        let handle = setup.dispatcher.dispatch_with(report(), options()).expect("registered");
        let id = handle.id();
        let location = handle.outcome().await.into_result().expect("the upload succeeds");
        assert_eq!(*location, "mem://uploads/report.pdf");

        let events = setup.recorder.events_for(id);
        let lines: Vec<String> = events.iter().map(describe).collect();
        assert_eq!(
            lines,
            [
                "started",
                "progress 1/4 (25%): 4 of 14 bytes",
                "progress 2/4 (50%): 8 of 14 bytes",
                "progress 3/4 (75%): 12 of 14 bytes",
                "progress 4/4 (100%): 14 of 14 bytes",
                "succeeded: mem://uploads/report.pdf",
            ]
        );
        // The exact values behind the text: fraction and "step n of m".
        let progress: Vec<(f32, Option<(u32, u32)>)> =
            events.iter().filter_map(Event::progress).map(|p| (p.fraction, p.step)).collect();
        assert_eq!(
            progress,
            [(0.25, Some((1, 4))), (0.5, Some((2, 4))), (0.75, Some((3, 4))), (1.0, Some((4, 4)))]
        );
        assert_eq!(
            setup.server.log(),
            [
                "report.pdf: chunk 1/4 stored (4 bytes)",
                "report.pdf: chunk 2/4 stored (4 bytes)",
                "report.pdf: chunk 3/4 stored (4 bytes)",
                "report.pdf: chunk 4/4 stored (2 bytes)",
                "report.pdf: completed (14 bytes)",
            ]
        );
        // Four chunks and the completion, one round trip each.
        assert_eq!(start.elapsed(), 5 * LATENCY);
    }

    #[tokio::test(start_paused = true)]
    async fn a_flaky_chunk_is_retried_after_a_backoff_and_the_upload_resumes() {
        let setup = setup();
        setup.server.reject("report.pdf", 3, 1);
        let start = Instant::now();
        let (outcome, events) = run(&setup, report()).await;
        assert!(outcome.is_success(), "{outcome:?}");
        assert_eq!(
            events,
            [
                "started",
                "progress 1/4 (25%): 4 of 14 bytes",
                "progress 2/4 (50%): 8 of 14 bytes",
                "retrying: attempt 2/3 in 100ms after `chunk 3 rejected: 503 Service Unavailable`",
                "domain: upload resumed at chunk 3 of 4",
                "progress 3/4 (75%): 12 of 14 bytes",
                "progress 4/4 (100%): 14 of 14 bytes",
                "succeeded: mem://uploads/report.pdf",
            ]
        );
        assert_eq!(
            setup.server.log(),
            [
                "report.pdf: chunk 1/4 stored (4 bytes)",
                "report.pdf: chunk 2/4 stored (4 bytes)",
                "report.pdf: chunk 3/4 rejected (503)",
                "report.pdf: chunk 3/4 stored (4 bytes)",
                "report.pdf: chunk 4/4 stored (2 bytes)",
                "report.pdf: completed (14 bytes)",
            ]
        );
        // Chunks 1 and 2 were not sent twice.
        assert_eq!(setup.server.received("report.pdf"), [1, 2, 3, 4]);
        // 3 round trips, the 100 ms back-off, the resume query, 2 chunks, the completion.
        assert_eq!(start.elapsed(), 3 * LATENCY + Duration::from_millis(100) + 4 * LATENCY);
    }

    #[tokio::test(start_paused = true)]
    async fn a_chunk_that_keeps_failing_exhausts_the_retries() {
        let setup = setup();
        setup.server.reject("report.pdf", 2, 10);
        let (outcome, events) = run(&setup, report()).await;
        let error = outcome.into_result().expect_err("the upload fails");
        assert_eq!(error.message(), "chunk 2 rejected: 503 Service Unavailable");
        assert_eq!(
            events,
            [
                "started",
                "progress 1/4 (25%): 4 of 14 bytes",
                "retrying: attempt 2/3 in 100ms after `chunk 2 rejected: 503 Service Unavailable`",
                "domain: upload resumed at chunk 2 of 4",
                "retrying: attempt 3/3 in 200ms after `chunk 2 rejected: 503 Service Unavailable`",
                "domain: upload resumed at chunk 2 of 4",
                "failed: chunk 2 rejected: 503 Service Unavailable",
            ]
        );
        assert_eq!(
            setup.server.log(),
            [
                "report.pdf: chunk 1/4 stored (4 bytes)",
                "report.pdf: chunk 2/4 rejected (503)",
                "report.pdf: chunk 2/4 rejected (503)",
                "report.pdf: chunk 2/4 rejected (503)",
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_chunk_times_out_the_upload_and_nothing_more_is_sent() {
        let setup = setup();
        setup.server.delay("report.pdf", 3, Duration::from_secs(10));
        let start = Instant::now();
        let (outcome, events) = run(&setup, report()).await;
        assert!(matches!(outcome, JobOutcome::TimedOut { after } if after == Duration::from_secs(1)));
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        assert_eq!(
            events,
            [
                "started",
                "progress 1/4 (25%): 4 of 14 bytes",
                "progress 2/4 (50%): 8 of 14 bytes",
                "timed out after 1s",
            ]
        );
        // The executor's future was dropped mid-chunk: even long after, chunk 3 never arrives
        // and chunk 4 is never sent.
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(setup.server.received("report.pdf"), [1, 2]);
        assert_eq!(setup.server.log().len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn an_empty_file_fails_at_once_without_retrying_or_calling_the_server() {
        let setup = setup();
        let (outcome, events) = run(&setup, UploadJob::new("empty.txt", Vec::new(), 4)).await;
        assert!(!outcome.is_success());
        assert_eq!(events, ["started", "failed: nothing to upload: empty.txt is empty"]);
        assert!(setup.server.log().is_empty());
    }
}
