//! [`Saga`]: a sequence of steps, each with a compensation; when a step fails, the steps
//! done so far are compensated last-in-first-out and a [`SagaReport`] says what happened.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use tokio_util::sync::CancellationToken;

use crate::error::{JobError, JobErrorKind};
use crate::runner::catch_unwind;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type ActionFn<C> = Box<dyn Fn(C) -> BoxFuture<Result<C, JobError>> + Send + Sync>;
type CompensationFn<C> = Box<dyn Fn(C) -> BoxFuture<Result<(), JobError>> + Send + Sync>;

struct Step<C> {
    name: &'static str,
    action: ActionFn<C>,
    compensation: Option<CompensationFn<C>>,
}

/// A saga over a context `C` that is threaded through the steps by value: each action takes
/// the context and returns the (possibly updated) context. When an action fails (error,
/// panic, or cancellation with [`Saga::run_until_cancelled`]), the compensations of the
/// steps that completed run in reverse order, each with a clone of the last good context.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use orch_runtime::{JobError, Saga};
///
/// #[derive(Clone, Debug, Default)]
/// struct Order { reserved: bool, charged: bool }
///
/// let saga = Saga::new()
///     .step(
///         "reserve",
///         |mut o: Order| async move { o.reserved = true; Ok(o) },
///         |_o: Order| async move { /* release the stock */ Ok(()) },
///     )
///     .step(
///         "charge",
///         |_o: Order| async move { Err(JobError::new("card declined")) },
///         |_o: Order| async move { Ok(()) },
///     );
/// let report = saga.run(Order::default()).await.unwrap_err();
/// assert_eq!(report.failed_step, "charge");
/// assert_eq!(report.compensated, vec!["reserve"]);
/// assert!(report.compensation_failures.is_empty());
/// # }
/// ```
pub struct Saga<C> {
    steps: Vec<Step<C>>,
}

impl<C: Clone + Send + 'static> Saga<C> {
    /// An empty saga.
    pub fn new() -> Self {
        Saga { steps: Vec::new() }
    }

    /// Add a step: `action` does the work, `compensation` undoes it.
    pub fn step<A, AF, K, KF>(mut self, name: &'static str, action: A, compensation: K) -> Self
    where
        A: Fn(C) -> AF + Send + Sync + 'static,
        AF: Future<Output = Result<C, JobError>> + Send + 'static,
        K: Fn(C) -> KF + Send + Sync + 'static,
        KF: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        self.steps.push(Step {
            name,
            action: Box::new(move |c| Box::pin(action(c))),
            compensation: Some(Box::new(move |c| Box::pin(compensation(c)))),
        });
        self
    }

    /// Add a step that needs no compensation (e.g. a read, or the last, irreversible step).
    pub fn step_without_compensation<A, AF>(mut self, name: &'static str, action: A) -> Self
    where
        A: Fn(C) -> AF + Send + Sync + 'static,
        AF: Future<Output = Result<C, JobError>> + Send + 'static,
    {
        self.steps.push(Step { name, action: Box::new(move |c| Box::pin(action(c))), compensation: None });
        self
    }

    /// The step names, in order.
    pub fn step_names(&self) -> Vec<&'static str> {
        self.steps.iter().map(|s| s.name).collect()
    }

    /// Run the steps in order. `Ok(context)` if all succeeded; otherwise the steps done so
    /// far are compensated last-in-first-out and the report is returned.
    ///
    /// If this future is dropped mid-way (e.g. the job running it was cancelled), no
    /// compensation runs; use [`Saga::run_until_cancelled`] in a task of its own when the
    /// rollback must survive cancellation.
    pub async fn run(&self, ctx: C) -> Result<C, SagaReport> {
        self.run_inner(ctx, None).await
    }

    /// Like [`Saga::run`], but a cancelled `token` interrupts the current step (it is
    /// dropped) and triggers the rollback; the report's error has kind
    /// [`JobErrorKind::Cancelled`].
    pub async fn run_until_cancelled(&self, ctx: C, token: &CancellationToken) -> Result<C, SagaReport> {
        self.run_inner(ctx, Some(token)).await
    }

    async fn run_inner(&self, ctx: C, token: Option<&CancellationToken>) -> Result<C, SagaReport> {
        let mut ctx = ctx;
        for (index, step) in self.steps.iter().enumerate() {
            let last_good = ctx.clone();
            let result = run_guarded((step.action)(ctx), token).await;
            match result {
                Ok(next) => ctx = next,
                Err(error) => {
                    tracing::debug!(step = step.name, %error, "saga step failed; rolling back");
                    return Err(self.compensate(index, step.name, error, last_good).await);
                }
            }
        }
        Ok(ctx)
    }

    async fn compensate(
        &self,
        failed_index: usize,
        failed_step: &'static str,
        error: JobError,
        ctx: C,
    ) -> SagaReport {
        let mut report =
            SagaReport { failed_step, error, compensated: Vec::new(), compensation_failures: Vec::new() };
        for step in self.steps[..failed_index].iter().rev() {
            let Some(compensation) = &step.compensation else {
                continue;
            };
            match run_guarded(compensation(ctx.clone()), None).await {
                Ok(()) => report.compensated.push(step.name),
                Err(e) => report.compensation_failures.push((step.name, e)),
            }
        }
        report
    }
}

async fn run_guarded<T>(
    fut: BoxFuture<Result<T, JobError>>,
    token: Option<&CancellationToken>,
) -> Result<T, JobError> {
    let caught = async {
        match catch_unwind(fut).await {
            Ok(r) => r,
            Err(payload) => Err(JobError::from_panic(&*payload)),
        }
    };
    match token {
        None => caught.await,
        Some(token) => tokio::select! {
            biased;
            _ = token.cancelled() => Err(JobError::with_kind(JobErrorKind::Cancelled, "saga cancelled")),
            r = caught => r,
        },
    }
}

impl<C: Clone + Send + 'static> Default for Saga<C> {
    fn default() -> Self {
        Saga::new()
    }
}

impl<C> fmt::Debug for Saga<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Saga").field("steps", &self.steps.iter().map(|s| s.name).collect::<Vec<_>>()).finish()
    }
}

/// What happened when a saga failed.
#[derive(Clone, Debug)]
pub struct SagaReport {
    /// The step whose action failed.
    pub failed_step: &'static str,
    /// Why it failed.
    pub error: JobError,
    /// The steps whose compensation succeeded, in the order they ran (reverse step order).
    pub compensated: Vec<&'static str>,
    /// The steps whose compensation failed, with the error, in the order they ran.
    pub compensation_failures: Vec<(&'static str, JobError)>,
}

impl SagaReport {
    /// True if every compensation succeeded (the rollback is complete).
    pub fn fully_compensated(&self) -> bool {
        self.compensation_failures.is_empty()
    }
}

impl fmt::Display for SagaReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "saga step `{}` failed: {}; compensated {:?}",
            self.failed_step, self.error, self.compensated
        )?;
        if !self.compensation_failures.is_empty() {
            write!(f, "; compensation failed for")?;
            for (name, e) in &self.compensation_failures {
                write!(f, " `{name}` ({e})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for SagaReport {}
