//! auth: login, logout and token refresh on the event-driven orchestrator pattern.
//!
//! Orchestrators hold state and dispatch jobs; the dispatcher routes each job to the executor
//! registered for its type; executors do the work and publish events on the signal bus;
//! orchestrators turn those events into state. Features live in `src/features/`, components
//! shared by every feature in `src/core/`.
//!
//! Here the `auth` feature keeps its private events on a scoped bus and announces
//! `LoggedIn`/`LoggedOut` on the global bus, where the `audit` feature's orchestrator observes
//! them passively. The server is simulated in-process (`backend`).

pub mod backend;
pub mod core;
pub mod features;
pub mod timeline;

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use orch_runtime::{BusItem, DispatchError, Dispatcher, OrchestratorHandle, SignalBus, Subscription};

use crate::backend::{AuthError, AuthServer};
use crate::features::audit::orchestrators::{AuditOrchestrator, AuditState};
use crate::features::auth::orchestrators::{AuthOrchestrator, AuthState};
use crate::timeline::{describe, transitions};

/// The running application: the buses, the dispatcher and the orchestrators.
pub struct App {
    /// The simulated auth server the executors talk to.
    pub server: Arc<AuthServer>,
    /// The dispatcher's bus: public events, observed by every feature.
    pub global: SignalBus,
    /// The auth module's private bus.
    pub scope: SignalBus,
    /// Routes the jobs to their executors.
    pub dispatcher: Dispatcher,
    /// The auth orchestrator (its dispatch helpers need it next to its handle).
    pub auth: AuthOrchestrator,
    /// The running auth orchestrator.
    pub auth_handle: OrchestratorHandle<AuthOrchestrator>,
    /// The running audit orchestrator.
    pub audit: OrchestratorHandle<AuditOrchestrator>,
}

impl App {
    /// Wires everything up on the current tokio runtime; the server answers after `latency`.
    pub fn start(latency: Duration) -> Result<App, Box<dyn Error>> {
        let server = Arc::new(AuthServer::new(latency));
        let global = SignalBus::new();
        let scope = SignalBus::scoped(features::auth::SCOPE);
        let mut builder = Dispatcher::builder(global.clone());
        crate::core::register(&mut builder)?;
        features::register(&mut builder, &server)?;
        let dispatcher = builder.build();

        let auth = AuthOrchestrator::new(scope.clone());
        // Its own jobs' events come back to it actively; it needs nothing from the global bus.
        let auth_handle =
            OrchestratorHandle::spawn_active_only(auth.clone(), AuthState::default(), &dispatcher)?;
        // Observes the dispatcher's bus (the global one) in passive mode.
        let audit = OrchestratorHandle::spawn(AuditOrchestrator, AuditState::default(), &dispatcher)?;
        Ok(App { server, global, scope, dispatcher, auth, auth_handle, audit })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let app = App::start(Duration::from_millis(20))?;
    let (mut scope_log, mut global_log) = (app.scope.subscribe(), app.global.subscribe());
    let mut state = app.auth_handle.watch();
    let (auth, handle) = (&app.auth, &app.auth_handle);
    println!("registered job types: {:?}", app.dispatcher.registered());
    println!("events are listed bus by bus: first the auth scope, then the global bus");

    println!("\n1. ada logs in with a wrong password");
    auth.login(handle, "ada", "babbage")?;
    report(&mut state, &mut [&mut scope_log, &mut global_log]).await;

    println!("\n2. ada logs in, clicking twice");
    auth.login(handle, "ada", "lovelace")?;
    if let Err(DispatchError::Duplicate { key, .. }) = auth.login(handle, "ada", "lovelace") {
        println!("   second click refused: a job with dedup key `{key}` is running");
    }
    report(&mut state, &mut [&mut scope_log, &mut global_log]).await;

    println!("\n3. the server hiccups once; the refresh is retried");
    app.server.fail_next(AuthError::Unavailable);
    auth.refresh(handle)?;
    report(&mut state, &mut [&mut scope_log, &mut global_log]).await;

    println!("\n4. ada logs out");
    auth.logout(handle)?;
    report(&mut state, &mut [&mut scope_log, &mut global_log]).await;

    println!("\n5. grace logs in");
    auth.login(handle, "grace", "hopper")?;
    report(&mut state, &mut [&mut scope_log, &mut global_log]).await;

    println!("\n6. the server ends grace's session; her next refresh finds it expired");
    app.server.expire_sessions();
    auth.refresh(handle)?;
    report(&mut state, &mut [&mut scope_log, &mut global_log]).await;

    // Passive delivery is asynchronous: wait until the audit log has caught up.
    let audit = app.audit.wait_for(|s| s.entries.len() == 4).await;
    println!("\naudit log (observed passively on the global bus):");
    for entry in audit.entries {
        println!("   {entry}");
    }
    Ok(())
}

/// Prints the state transitions until the auth orchestrator is idle again, then the events
/// the buses carried meanwhile.
async fn report(state: &mut tokio::sync::watch::Receiver<AuthState>, buses: &mut [&mut Subscription]) {
    let seen = transitions(state, |s| !s.is_busy()).await;
    for bus in buses {
        while let Some(item) = bus.try_recv() {
            match item {
                BusItem::Event(event) => println!("   {}", describe(&event)),
                BusItem::Lagged(missed) => println!("   (missed {missed} events)"),
            }
        }
    }
    let seen: Vec<String> = seen.iter().map(ToString::to_string).collect();
    println!("   state: {}", seen.join(" -> "));
}

#[cfg(test)]
mod tests {
    //! The whole application under paused tokio time: the server's latency and the retry
    //! back-off cost nothing and happen in a fixed order, so sequences are exact.

    use std::future::Future;

    use orch_runtime::testing::EventRecorder;

    use super::*;
    use crate::features::auth::events::{LoggedInEvent, LoggedOutEvent};

    const LATENCY: Duration = Duration::from_millis(50);

    struct Fixture {
        app: App,
        scope_events: EventRecorder,
        global_events: EventRecorder,
    }

    fn start() -> Fixture {
        let app = App::start(LATENCY).expect("starts");
        let (scope_events, global_events) =
            (EventRecorder::start(&app.scope), EventRecorder::start(&app.global));
        Fixture { app, scope_events, global_events }
    }

    impl Fixture {
        /// The auth orchestrator's states from now until it is idle again.
        async fn transitions(&self) -> Vec<String> {
            let mut rx = self.app.auth_handle.watch();
            let seen = within(transitions(&mut rx, |s| !s.is_busy())).await;
            seen.iter().map(ToString::to_string).collect()
        }

        /// What each bus carried since the last call.
        fn take_events(&self) -> (Vec<String>, Vec<String>) {
            let describe_all = |r: &EventRecorder| r.events().iter().map(describe).collect::<Vec<_>>();
            let events = (describe_all(&self.scope_events), describe_all(&self.global_events));
            self.scope_events.clear();
            self.global_events.clear();
            events
        }

        /// The audit log once it has `n` entries.
        async fn audit_entries(&self, n: usize) -> Vec<String> {
            within(self.app.audit.wait_for(|s| s.entries.len() == n)).await.entries
        }
    }

    /// Fails the test instead of hanging when what it waits for never happens (paused time
    /// jumps straight to the deadline once nothing else can run).
    async fn within<T>(fut: impl Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(60), fut).await.expect("waited 60 s of paused time")
    }

    fn login(fx: &Fixture, user: &str, password: &str) {
        fx.app.auth.login(&fx.app.auth_handle, user, password).expect("dispatched");
    }

    #[tokio::test(start_paused = true)]
    async fn a_wrong_password_fails_and_leaves_an_error_in_the_state() {
        let fx = start();
        login(&fx, "ada", "babbage");
        assert_eq!(
            fx.transitions().await,
            ["LoggedOut", "LoggingIn", "LoggedOut, error: wrong user name or password for ada"]
        );
        let (scope, global) = fx.take_events();
        assert_eq!(
            scope,
            ["[auth] LoginJob started", "[auth] LoginJob failed: wrong user name or password for ada"]
        );
        assert!(global.is_empty(), "{global:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn login_refresh_logout() -> Result<(), Box<dyn Error>> {
        let fx = start();
        let (auth, handle) = (&fx.app.auth, &fx.app.auth_handle);

        login(&fx, "ada", "lovelace");
        assert_eq!(fx.transitions().await, ["LoggedOut", "LoggingIn", "LoggedIn(ada, access-ada-1)"]);
        assert_eq!(
            fx.take_events(),
            (
                vec![
                    "[auth] LoginJob started".to_owned(),
                    "[auth] LoginJob TokensIssued(ada, access-ada-1)".to_owned(),
                    "[auth] LoginJob LoggedIn(ada)".to_owned(),
                    "[auth] LoginJob succeeded".to_owned(),
                ],
                vec!["[global] LoginJob LoggedIn(ada)".to_owned()],
            )
        );

        fx.app.server.fail_next(AuthError::Unavailable);
        assert!(auth.refresh(handle)?.is_some());
        assert_eq!(
            fx.transitions().await,
            ["LoggedIn(ada, access-ada-1)", "Refreshing(ada, access-ada-1)", "LoggedIn(ada, access-ada-2)"]
        );
        let (scope, global) = fx.take_events();
        assert_eq!(
            scope,
            [
                "[auth] RefreshTokenJob started",
                "[auth] RefreshTokenJob retrying (attempt 2/3 in 100ms): auth server unavailable",
                "[auth] RefreshTokenJob TokensIssued(ada, access-ada-2)",
                "[auth] RefreshTokenJob succeeded",
            ]
        );
        assert!(global.is_empty(), "a refresh is private: {global:?}");

        assert!(auth.logout(handle)?.is_some());
        assert_eq!(
            fx.transitions().await,
            ["LoggedIn(ada, access-ada-2)", "LoggingOut(ada, access-ada-2)", "LoggedOut"]
        );
        let (scope, global) = fx.take_events();
        assert_eq!(
            scope,
            [
                "[auth] LogoutJob started",
                "[auth] LogoutJob LoggedOut(ada: logged out)",
                "[auth] LogoutJob succeeded"
            ]
        );
        assert_eq!(global, ["[global] LogoutJob LoggedOut(ada: logged out)"]);

        assert_eq!(fx.audit_entries(2).await, ["ada logged in", "ada logged out (logged out)"]);
        assert_eq!(auth.logout(handle)?, None, "nobody to log out");
        assert_eq!(fx.app.server.calls(), ["login ada", "refresh", "refresh", "logout"]);
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn a_second_click_while_logging_in_is_refused() {
        let fx = start();
        let first = fx.app.auth.login(&fx.app.auth_handle, "ada", "lovelace").expect("dispatched");
        let second = fx.app.auth.login(&fx.app.auth_handle, "ada", "lovelace");
        assert_eq!(second, Err(DispatchError::Duplicate { key: "session".into(), running: first }));
        assert_eq!(fx.transitions().await, ["LoggedOut", "LoggingIn", "LoggedIn(ada, access-ada-1)"]);
        assert_eq!(fx.app.server.calls(), ["login ada"], "one job, one call");
    }

    #[tokio::test(start_paused = true)]
    async fn an_expired_session_logs_out_everywhere() -> Result<(), Box<dyn Error>> {
        let fx = start();
        login(&fx, "ada", "lovelace");
        fx.transitions().await;
        fx.take_events();

        fx.app.server.expire_sessions();
        fx.app.auth.refresh(&fx.app.auth_handle)?;
        assert_eq!(
            fx.transitions().await,
            [
                "LoggedIn(ada, access-ada-1)",
                "Refreshing(ada, access-ada-1)",
                "LoggedOut, error: session expired",
            ]
        );
        let (scope, global) = fx.take_events();
        assert_eq!(
            scope,
            [
                "[auth] RefreshTokenJob started",
                "[auth] RefreshTokenJob LoggedOut(ada: session expired)",
                "[auth] RefreshTokenJob failed: session expired",
            ]
        );
        assert_eq!(global, ["[global] RefreshTokenJob LoggedOut(ada: session expired)"]);
        assert_eq!(fx.audit_entries(2).await, ["ada logged in", "ada logged out (session expired)"]);
        assert_eq!(fx.app.server.calls(), ["login ada", "refresh"], "an expired session is not retried");
        Ok(())
    }

    #[tokio::test(start_paused = true)]
    async fn private_events_never_reach_the_global_bus() -> Result<(), Box<dyn Error>> {
        let fx = start();
        let (auth, handle) = (&fx.app.auth, &fx.app.auth_handle);
        login(&fx, "ada", "babbage");
        fx.transitions().await;
        login(&fx, "ada", "lovelace");
        fx.transitions().await;
        auth.refresh(handle)?;
        fx.transitions().await;
        auth.logout(handle)?;
        fx.transitions().await;

        let global = fx.global_events.events();
        let public = |e: &orch_runtime::Event| {
            e.domain::<LoggedInEvent>().is_some() || e.domain::<LoggedOutEvent>().is_some()
        };
        assert_eq!(global.len(), 2);
        assert!(global.iter().all(|e| public(e) && e.scope().is_none()), "{global:?}");

        // Everything else, lifecycle events and tokens included, stayed on the auth scope.
        let scope = fx.scope_events.events();
        assert!(scope.iter().all(|e| e.scope() == Some("auth")));
        let kinds: Vec<&str> = scope.iter().map(|e| e.kind().name()).collect();
        assert_eq!(
            kinds,
            [
                "started",
                "failed", // wrong password
                "started",
                "domain",
                "domain",
                "succeeded", // login: TokensIssued, LoggedIn
                "started",
                "domain",
                "succeeded", // refresh: TokensIssued
                "started",
                "domain",
                "succeeded", // logout: LoggedOut
            ]
        );
        Ok(())
    }
}
