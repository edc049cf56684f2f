//! example-upload: chunked file upload on the event-driven orchestrator pattern.
//!
//! `UploadOrchestrator` (the upload screen) holds `UploadState` and dispatches `UploadJob`s;
//! the dispatcher routes each one to `UploadExecutor`, which sends the file chunk by chunk to
//! a simulated server (`backend`) and reports progress, retries and the outcome as events on
//! the signal bus; the orchestrator turns those events into state.
//!
//! The demo runs four uploads against one server with injected faults and prints, as they
//! happen, every event of each job and every state the screen goes through.

pub mod backend;
pub mod core;
pub mod features;
pub mod timeline;

use std::sync::Arc;
use std::time::Duration;

use orch_runtime::{DispatchError, DispatchOptions, Dispatcher, OrchestratorHandle, RetryPolicy, SignalBus};

use crate::backend::UploadServer;
use crate::features::upload::executors::UploadExecutor;
use crate::features::upload::jobs::UploadJob;
use crate::features::upload::orchestrators::{UploadOrchestrator, UploadState};
use crate::timeline::describe;

/// 14 bytes: with 4-byte chunks, chunks of 4, 4, 4 and 2 bytes.
const CONTENT: &[u8] = b"0123456789abcd";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bus = SignalBus::new();
    let server = Arc::new(UploadServer::new(Duration::from_millis(20)));
    let mut builder = Dispatcher::builder(bus.clone());
    crate::core::register(&mut builder)?;
    features::register(&mut builder, &server)?;
    let dispatcher = builder.build();
    println!("registered job types: {:?}", dispatcher.registered());

    let screen = OrchestratorHandle::spawn(UploadOrchestrator, UploadState::Idle, &dispatcher)?;
    println!("state  {}", screen.state());

    // The faults the simulated server will inject.
    server.reject("report.pdf", 3, 1); // one 503: retried after a back-off, then resumed
    server.reject("backup.tar", 2, u32::MAX); // always 503: the retries run out
    server.delay("photo.raw", 3, Duration::from_secs(30)); // stalls: the timeout fires

    let demo = Demo { screen: &screen, bus: &bus, server: &server };
    demo.upload("1. a flaky chunk is retried", "report.pdf", None).await?;
    demo.upload("2. the user cancels mid-way", "video.mp4", Some(2)).await?;
    demo.upload("3. a chunk keeps failing: retries exhausted", "backup.tar", None).await?;
    demo.upload("4. a chunk stalls: timeout", "photo.raw", None).await?;

    println!("\nserver log:");
    for line in server.log() {
        println!("  {line}");
    }
    screen.shutdown();
    dispatcher.shutdown().await;
    Ok(())
}

/// How every upload runs: up to 3 attempts, 100 ms then 200 ms apart, for transient errors
/// only; one second for the whole upload, back-offs included.
fn options() -> DispatchOptions {
    let retry = RetryPolicy::exponential(3)
        .base_delay(Duration::from_millis(100))
        .retry_if(UploadExecutor::is_transient);
    DispatchOptions::new().retry(retry).timeout(Duration::from_secs(1))
}

struct Demo<'a> {
    screen: &'a OrchestratorHandle<UploadOrchestrator>,
    bus: &'a SignalBus,
    server: &'a UploadServer,
}

impl Demo<'_> {
    /// Upload `CONTENT` as `file` and print, as they happen, the job's events (from the bus)
    /// and the screen's states (from its watch). With `cancel_after: Some(n)` the user presses
    /// cancel once `n` chunks are up.
    async fn upload(&self, title: &str, file: &str, cancel_after: Option<u32>) -> Result<(), DispatchError> {
        println!("\n{title}");
        let mut events = self.bus.subscribe();
        let mut states = self.screen.watch();
        states.mark_unchanged();
        let id = UploadOrchestrator::start(self.screen, UploadJob::new(file, CONTENT, 4), options())?;
        println!("  user   uploads {file} ({} bytes) as {id}", CONTENT.len());
        loop {
            tokio::select! {
                // The bus first: an event is printed before the state it leads to.
                biased;
                Some(item) = events.recv() => {
                    if let Some(event) = item.event().filter(|event| event.job_id() == id) {
                        println!("  event  {}", describe(event));
                    }
                }
                Ok(()) = states.changed() => {
                    let state = states.borrow_and_update().clone();
                    println!("  state  {state}");
                    if state.is_finished() {
                        break;
                    }
                    if let (Some(n), UploadState::Uploading { sent, .. }) = (cancel_after, &state)
                        && *sent == n
                    {
                        println!("  user   presses cancel");
                        UploadOrchestrator::cancel(self.screen, "user pressed cancel");
                    }
                }
                else => break,
            }
        }
        println!("  server has chunks {:?} of {file}", self.server.received(file));
        Ok(())
    }
}
