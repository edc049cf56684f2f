//! Plain-text views of what happens, for the demo's output and the tests' assertions:
//! [`describe`] turns an event into one line, [`transitions`] records the states an
//! orchestrator goes through.

use orch_runtime::{Event, EventKind};
use tokio::sync::watch;

use crate::features::cart::events::ItemAddedEvent;
use crate::features::pricing::events::PriceChangedEvent;
use crate::features::session::events::LoggedOutEvent;

/// One line per event: the job type, what happened (and the scope of a scoped bus, which this
/// application does not use). `AddItemJob started`, `AddItemJob ItemAdded(book x1 @ 12.99)`,
/// `AddItemJob failed: out of stock`.
pub fn describe(event: &Event) -> String {
    let what = match event.kind() {
        EventKind::Started => "started".to_owned(),
        EventKind::Progress(p) => format!("progress {:.0}%", p.fraction * 100.0),
        EventKind::Retrying { attempt, max_attempts, delay, error } => {
            format!("retrying (attempt {attempt}/{max_attempts} in {delay:?}): {error}")
        }
        EventKind::Succeeded(_) => "succeeded".to_owned(),
        EventKind::Failed(error) => format!("failed: {error}"),
        EventKind::Cancelled { reason } => format!("cancelled: {}", reason.as_deref().unwrap_or("-")),
        EventKind::TimedOut { after } => format!("timed out after {after:?}"),
        EventKind::Domain(payload) => domain(event).unwrap_or_else(|| payload.type_name().to_owned()),
        other => other.name().to_owned(),
    };
    match event.scope() {
        Some(scope) => format!("[{scope}] {} {what}", event.job_type()),
        None => format!("{} {what}", event.job_type()),
    }
}

/// The domain events of this application, displayed.
fn domain(event: &Event) -> Option<String> {
    (event.domain::<ItemAddedEvent>().map(ToString::to_string))
        .or_else(|| event.domain::<PriceChangedEvent>().map(ToString::to_string))
        .or_else(|| event.domain::<LoggedOutEvent>().map(ToString::to_string))
}

/// Returns the current state, then every new state until one for which `done` holds.
/// Call it right after dispatching, before the runtime had a chance to run the job (on a
/// current-thread runtime: before the next `.await`).
///
/// A `watch` keeps only the latest value: this sees every state only if each one lasts until
/// this task runs again. Here each state lasts at least one server round trip, so it does.
pub async fn transitions<S: Clone>(rx: &mut watch::Receiver<S>, mut done: impl FnMut(&S) -> bool) -> Vec<S> {
    let mut seen = vec![rx.borrow_and_update().clone()];
    while rx.changed().await.is_ok() {
        let state = rx.borrow_and_update().clone();
        let finished = done(&state);
        seen.push(state);
        if finished {
            break;
        }
    }
    seen
}
