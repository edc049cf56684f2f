//! The "Shape of generated code" of the runtime API contract, written out as a compiling
//! reference for orch's templates: one `auth` feature with a login job, event, executor,
//! orchestrator + state, the feature's `register` fn, `features::register`, and a main-like
//! flow. Every generated file is an inline module here at the same path
//! (`crate::features::auth::jobs::login`, ...), with the tests the templates generate.

pub mod features {
    //! src/features/mod.rs
    pub mod auth {
        //! src/features/auth/mod.rs
        pub mod events {
            //! src/features/auth/events/mod.rs
            pub mod login {
                //! src/features/auth/events/login.rs
                /// Emitted by `LoginExecutor` when a login completes.
                #[derive(Debug, Clone, PartialEq, Eq)]
                pub struct LoginEvent {
                    /// What happened.
                    pub message: String,
                }
            }
            pub use login::LoginEvent;
        }

        pub mod jobs {
            //! src/features/auth/jobs/mod.rs
            pub mod login {
                //! src/features/auth/jobs/login.rs
                use orch_runtime::Job;

                /// Command: log in.
                #[derive(Debug, Clone, Default, PartialEq, Eq)]
                pub struct LoginJob {
                    /// The job's input.
                    pub input: String,
                }

                impl Job for LoginJob {
                    type Output = String;
                }
            }
            pub use login::LoginJob;
        }

        pub mod executors {
            //! src/features/auth/executors/mod.rs
            pub mod login {
                //! src/features/auth/executors/login.rs
                use orch_runtime::{ExecContext, Executor, JobError};

                use crate::features::auth::events::LoginEvent;
                use crate::features::auth::jobs::LoginJob;

                /// Runs `LoginJob`s.
                #[derive(Debug, Default, Clone)]
                pub struct LoginExecutor;

                impl Executor<LoginJob> for LoginExecutor {
                    async fn execute(&self, job: &LoginJob, ctx: &ExecContext) -> Result<String, JobError> {
                        if job.input.is_empty() {
                            return Err(JobError::new("input must not be empty"));
                        }
                        ctx.progress(0.5, "working");
                        ctx.emit(LoginEvent { message: format!("login done: {}", job.input) });
                        Ok(job.input.clone())
                    }
                }

                #[cfg(test)]
                mod tests {
                    use super::*;
                    use orch_runtime::testing::{EventRecorder, assert_sequence};
                    use orch_runtime::{Dispatcher, SignalBus};

                    #[tokio::test]
                    async fn login_executor_emits_started_progress_domain_succeeded() {
                        let bus = SignalBus::new();
                        let recorder = EventRecorder::start(&bus);
                        let mut builder = Dispatcher::builder(bus.clone());
                        builder.register::<LoginJob, _>(LoginExecutor).expect("register");
                        let dispatcher = builder.build();
                        let handle =
                            dispatcher.dispatch(LoginJob { input: "demo".into() }).expect("dispatch");
                        let id = handle.id();
                        let output = handle.outcome().await.into_result().expect("success");
                        assert_eq!(*output, "demo");
                        let events = recorder.events_for(id);
                        assert_sequence(&events, &["started", "progress", "domain", "succeeded"]);
                        assert_eq!(
                            events[2].domain::<LoginEvent>(),
                            Some(&LoginEvent { message: "login done: demo".into() })
                        );
                        assert_eq!(events[3].output::<String>().map(String::as_str), Some("demo"));
                    }

                    #[tokio::test]
                    async fn login_executor_unit_without_dispatcher() {
                        let bus = SignalBus::new();
                        let recorder = EventRecorder::start(&bus);
                        let ctx = orch_runtime::testing::context_for::<LoginJob>(&bus);
                        let result = LoginExecutor.execute(&LoginJob { input: "x".into() }, &ctx).await;
                        assert_eq!(result.expect("ok"), "x");
                        assert_sequence(&recorder.events(), &["progress", "domain"]);
                        let err =
                            LoginExecutor.execute(&LoginJob::default(), &ctx).await.expect_err("empty input");
                        assert_eq!(err.message(), "input must not be empty");
                    }
                }
            }
            pub use login::LoginExecutor;
        }

        pub mod orchestrators {
            //! src/features/auth/orchestrators/mod.rs
            pub mod login {
                //! src/features/auth/orchestrators/login.rs
                use orch_runtime::{Event, JobError, Orchestrator, OrchestratorContext};

                use crate::features::auth::events::LoginEvent;

                /// Where the login flow is.
                #[derive(Debug, Clone, Default, PartialEq, Eq)]
                pub enum LoginStatus {
                    /// Nothing dispatched yet.
                    #[default]
                    Idle,
                    /// A login job is running.
                    Running,
                    /// The last login succeeded.
                    Done,
                    /// The last login failed.
                    Failed,
                }

                /// The state `LoginOrchestrator` exposes.
                #[derive(Debug, Clone, Default, PartialEq, Eq)]
                pub struct LoginState {
                    /// Where the flow is.
                    pub status: LoginStatus,
                    /// The last output, domain message or error.
                    pub last_message: Option<String>,
                }

                /// Holds the login state; dispatches `LoginJob`s.
                #[derive(Debug, Default)]
                pub struct LoginOrchestrator;

                impl Orchestrator for LoginOrchestrator {
                    type State = LoginState;

                    fn on_started(&mut self, _event: &Event, cx: &mut OrchestratorContext<'_, LoginState>) {
                        cx.update(|s| s.status = LoginStatus::Running);
                    }

                    fn on_succeeded(&mut self, event: &Event, cx: &mut OrchestratorContext<'_, LoginState>) {
                        let output = event.output::<String>().cloned();
                        cx.update(|s| {
                            s.status = LoginStatus::Done;
                            s.last_message = output;
                        });
                    }

                    fn on_failed(
                        &mut self,
                        _event: &Event,
                        error: &JobError,
                        cx: &mut OrchestratorContext<'_, LoginState>,
                    ) {
                        let message = error.to_string();
                        cx.update(|s| {
                            s.status = LoginStatus::Failed;
                            s.last_message = Some(message);
                        });
                    }

                    fn on_domain_event(
                        &mut self,
                        event: &Event,
                        cx: &mut OrchestratorContext<'_, LoginState>,
                    ) {
                        if let Some(e) = event.domain::<LoginEvent>() {
                            let message = e.message.clone();
                            cx.update(|s| s.last_message = Some(message));
                        }
                    }
                }

                #[cfg(test)]
                mod tests {
                    use super::*;
                    use crate::features::auth::jobs::LoginJob;
                    use orch_runtime::testing::OrchestratorHarness;
                    use orch_runtime::{EventKind, JobId};

                    #[test]
                    fn login_orchestrator_state_transitions() {
                        let mut harness = OrchestratorHarness::new(LoginOrchestrator, LoginState::default());
                        let id = JobId::new();
                        let state = harness.active(Event::for_job::<LoginJob>(id, EventKind::Started));
                        assert_eq!(state.status, LoginStatus::Running);
                        let state = harness.active(Event::for_job::<LoginJob>(
                            id,
                            EventKind::domain(LoginEvent { message: "hi".into() }),
                        ));
                        assert_eq!(state.last_message.as_deref(), Some("hi"));
                        let state = harness
                            .active(Event::for_job::<LoginJob>(id, EventKind::succeeded("demo".to_string())));
                        assert_eq!(state.status, LoginStatus::Done);
                        assert_eq!(state.last_message.as_deref(), Some("demo"));
                    }

                    #[test]
                    fn login_orchestrator_failure() {
                        let mut harness = OrchestratorHarness::new(LoginOrchestrator, LoginState::default());
                        let state = harness.active(Event::for_job::<LoginJob>(
                            JobId::new(),
                            EventKind::failed(JobError::new("boom")),
                        ));
                        assert_eq!(state.status, LoginStatus::Failed);
                        assert_eq!(state.last_message.as_deref(), Some("boom"));
                    }
                }
            }
            pub use login::{LoginOrchestrator, LoginState, LoginStatus};
        }

        use orch_runtime::{DispatcherBuilder, RegisterError};

        /// Registers this feature's executors.
        pub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {
            builder.register::<jobs::LoginJob, _>(executors::LoginExecutor)?;
            Ok(())
        }
    }

    use orch_runtime::{DispatcherBuilder, RegisterError};

    /// Registers every feature's executors.
    pub fn register(builder: &mut DispatcherBuilder) -> Result<(), RegisterError> {
        auth::register(builder)?;
        Ok(())
    }
}

/// src/main.rs, as a test: build bus + dispatcher, register features, spawn the
/// orchestrator, dispatch, wait for the state, print.
#[tokio::test]
async fn main_like_flow() -> Result<(), Box<dyn std::error::Error>> {
    use features::auth::jobs::LoginJob;
    use features::auth::orchestrators::{LoginOrchestrator, LoginState, LoginStatus};
    use orch_runtime::{Dispatcher, OrchestratorHandle, SignalBus};

    let bus = SignalBus::new();
    let mut builder = Dispatcher::builder(bus.clone());
    features::register(&mut builder)?;
    let dispatcher = builder.build();
    // Registering the same feature twice is refused.
    let mut again = Dispatcher::builder(bus.clone());
    features::register(&mut again)?;
    assert!(features::register(&mut again).is_err());

    let login = OrchestratorHandle::spawn(LoginOrchestrator, LoginState::default(), &dispatcher)?;
    login.dispatch(LoginJob { input: "demo".into() })?;
    let state = login.wait_for(|s| matches!(s.status, LoginStatus::Done | LoginStatus::Failed)).await;
    println!("login: {state:?}");
    assert_eq!(state.status, LoginStatus::Done);
    assert_eq!(state.last_message.as_deref(), Some("demo"));

    login.dispatch(LoginJob::default())?;
    let state = login.wait_for(|s| s.status == LoginStatus::Failed).await;
    assert_eq!(state.last_message.as_deref(), Some("input must not be empty"));
    Ok(())
}
