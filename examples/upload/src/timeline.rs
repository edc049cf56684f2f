//! One line of text per event: what the demo prints and what the tests compare, so that an
//! expected event sequence reads like the demo's output.

use orch_runtime::{Event, EventKind};

use crate::features::upload::events::UploadResumedEvent;

/// Describe `event` in one line, e.g. `progress 2/4 (50%): 8 of 14 bytes`.
pub fn describe(event: &Event) -> String {
    match event.kind() {
        EventKind::Started => "started".to_owned(),
        EventKind::Progress(p) => {
            let step = p.step.map(|(n, m)| format!(" {n}/{m}")).unwrap_or_default();
            let message = p.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
            format!("progress{step} ({:.0}%){message}", p.fraction * 100.0)
        }
        EventKind::Retrying { attempt, max_attempts, delay, error } => {
            format!("retrying: attempt {attempt}/{max_attempts} in {delay:?} after `{error}`")
        }
        EventKind::Domain(_) => match event.domain::<UploadResumedEvent>() {
            Some(resumed) => format!("domain: {resumed}"),
            None => "domain: (unknown event)".to_owned(),
        },
        EventKind::Succeeded(_) => match event.output::<String>() {
            Some(output) => format!("succeeded: {output}"),
            None => "succeeded".to_owned(),
        },
        EventKind::Failed(error) => format!("failed: {error}"),
        EventKind::Cancelled { reason } => format!("cancelled: {}", reason.as_deref().unwrap_or("no reason")),
        EventKind::TimedOut { after } => format!("timed out after {after:?}"),
        // `EventKind` is non-exhaustive: kinds added to the runtime later.
        other => other.name().to_owned(),
    }
}
