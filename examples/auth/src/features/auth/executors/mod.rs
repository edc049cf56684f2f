//! Executors of feature `auth`, one file each; their types are re-exported here.
//!
//! The auth orchestrator dispatches its jobs on the auth module's scoped bus, so what an
//! executor reports with `ctx.emit` stays inside the module (tokens included). Public facts
//! are also announced on the global bus ([`Announcer::emit`]).

mod login;
mod logout;
mod refresh_token;

pub use login::LoginExecutor;
pub use logout::LogoutExecutor;
pub use refresh_token::RefreshTokenExecutor;

use orch_runtime::{Event, EventKind, ExecContext, SignalBus};

/// The global bus, as the auth executors use it: to announce public facts.
#[derive(Debug, Clone)]
struct Announcer {
    global: SignalBus,
}

impl Announcer {
    /// Reports a public fact twice: with `ctx.emit` (to the job's owner, actively, and on the
    /// job's bus: the auth scope), and on the global bus, where other features observe it. Both
    /// copies carry the job's id as correlation id.
    fn emit<T: Clone + Send + Sync + 'static>(&self, event: T, ctx: &ExecContext) {
        ctx.emit(event.clone());
        self.global.publish(Event::new(ctx.job_id(), ctx.job_type(), EventKind::domain(event)));
    }
}

/// Shared by the executor tests: a dispatcher on a global bus with this feature registered,
/// the auth scope, and recorders of both buses.
#[cfg(test)]
mod test_support {
    use std::sync::Arc;
    use std::time::Duration;

    use orch_runtime::testing::EventRecorder;
    use orch_runtime::{Dispatcher, SignalBus};

    use crate::backend::AuthServer;
    use crate::timeline::describe;

    /// The server's latency in these tests (paused time: it costs nothing).
    pub const LATENCY: Duration = Duration::from_millis(50);

    pub struct Fixture {
        pub server: Arc<AuthServer>,
        pub dispatcher: Dispatcher,
        pub scope: SignalBus,
        scope_events: EventRecorder,
        global_events: EventRecorder,
    }

    impl Fixture {
        pub fn new() -> Self {
            let server = Arc::new(AuthServer::new(LATENCY));
            let global = SignalBus::new();
            let scope = SignalBus::scoped("auth");
            let (scope_events, global_events) = (EventRecorder::start(&scope), EventRecorder::start(&global));
            let mut builder = Dispatcher::builder(global);
            crate::features::auth::register(&mut builder, &server).expect("registers once");
            Fixture { server, dispatcher: builder.build(), scope, scope_events, global_events }
        }

        /// Forget what both buses saw so far.
        pub fn clear(&self) {
            self.scope_events.clear();
            self.global_events.clear();
        }

        /// What the auth scope saw, described.
        pub fn scope_events(&self) -> Vec<String> {
            self.scope_events.events().iter().map(describe).collect()
        }

        /// What the global bus saw, described.
        pub fn global_events(&self) -> Vec<String> {
            self.global_events.events().iter().map(describe).collect()
        }
    }
}
