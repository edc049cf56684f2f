//! One line of text per event: what the demo prints and what the tests compare, so that an
//! expected event sequence reads like the demo's output.

use orch_runtime::{Event, EventKind};

use crate::features::chat::events::TokenStreamedEvent;
use crate::features::handoff::events::HandoffRolledBackEvent;

/// Describe `event` in one line, prefixed with its job type, e.g.
/// `GenerateReplyJob domain: token 1 " are"`.
pub fn describe(event: &Event) -> String {
    format!("{} {}", event.job_type(), describe_kind(event))
}

fn describe_kind(event: &Event) -> String {
    match event.kind() {
        EventKind::Started => "started".to_owned(),
        EventKind::Progress(p) => {
            let step = p.step.map(|(n, m)| format!(" {n}/{m}")).unwrap_or_default();
            let message = p.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
            format!("progress{step}{message}")
        }
        EventKind::Retrying { attempt, max_attempts, delay, error } => {
            format!("retrying: attempt {attempt}/{max_attempts} in {delay:?} after `{error}`")
        }
        EventKind::Domain(_) => {
            if let Some(token) = event.domain::<TokenStreamedEvent>() {
                format!("domain: {token}")
            } else if let Some(rolled_back) = event.domain::<HandoffRolledBackEvent>() {
                format!("domain: {rolled_back}")
            } else {
                "domain: (unknown event)".to_owned()
            }
        }
        EventKind::Succeeded(_) => {
            if let Some(text) = event.output::<String>() {
                format!("succeeded: {text:?}")
            } else if let Some(articles) = event.output::<Vec<String>>() {
                format!("succeeded: {} article(s)", articles.len())
            } else {
                "succeeded".to_owned()
            }
        }
        // The open circuit's message carries the remaining cool-down, which depends on the
        // clock; the kind is what matters here.
        EventKind::Failed(error) if error.is_circuit_open() => "failed fast: circuit open".to_owned(),
        EventKind::Failed(error) => format!("failed: {error}"),
        EventKind::Cancelled { reason } => format!("cancelled: {}", reason.as_deref().unwrap_or("no reason")),
        EventKind::TimedOut { after } => format!("timed out after {after:?}"),
        // `EventKind` is non-exhaustive: kinds added to the runtime later.
        other => other.name().to_owned(),
    }
}
