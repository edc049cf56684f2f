//! Jobs: the [`Job`] trait, the correlation id [`JobId`] and per-dispatch
//! [`DispatchOptions`].

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::breaker::CircuitBreaker;
use crate::bus::SignalBus;
use crate::retry::RetryPolicy;

/// An immutable command: "please do this". Dispatched to the one
/// [`Executor`](crate::Executor) registered for its type.
///
/// ```
/// use orch_runtime::Job;
///
/// #[derive(Debug, Clone)]
/// pub struct FetchUserJob {
///     pub user_id: u64,
/// }
/// impl Job for FetchUserJob {
///     type Output = String;
/// }
/// assert_eq!(FetchUserJob::job_type(), "FetchUserJob");
/// ```
pub trait Job: Send + Sync + 'static {
    /// What a successful run produces; carried by
    /// [`EventKind::Succeeded`](crate::EventKind::Succeeded) and
    /// [`JobOutcome::Succeeded`](crate::JobOutcome::Succeeded).
    type Output: Send + Sync + 'static;

    /// Name used in events and errors. Default: the type's short name, the last path
    /// segment of `std::any::type_name::<Self>()` without generic arguments (`"LoginJob"`).
    fn job_type() -> &'static str
    where
        Self: Sized,
    {
        short_type_name(std::any::type_name::<Self>())
    }
}

/// `a::b::Foo<c::Bar>` -> `Foo`.
pub(crate) fn short_type_name(full: &'static str) -> &'static str {
    let base = match full.find('<') {
        Some(i) => &full[..i],
        None => full,
    };
    match base.rfind("::") {
        Some(i) => &base[i + 2..],
        None => base,
    }
}

static NEXT_JOB_ID: AtomicU64 = AtomicU64::new(1);
/// Ids are handed out to each thread in blocks, so dispatching threads do not contend on
/// one atomic counter.
const ID_BLOCK: u64 = 1024;

thread_local! {
    /// (next id, end of this thread's block)
    static LOCAL_IDS: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

/// The unique id of a dispatched job. It is the correlation id carried by every
/// [`Event`](crate::Event) the job causes. Process-unique (an atomic counter), displayed as
/// `job-42`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(u64);

impl JobId {
    /// A fresh, process-unique id (not ordered across threads).
    pub fn new() -> Self {
        let raw = LOCAL_IDS
            .try_with(|ids| {
                let (next, end) = ids.get();
                if next < end {
                    ids.set((next + 1, end));
                    next
                } else {
                    let start = NEXT_JOB_ID.fetch_add(ID_BLOCK, Ordering::Relaxed);
                    ids.set((start + 1, start + ID_BLOCK));
                    start
                }
            })
            // During thread teardown: one id at a time.
            .unwrap_or_else(|_| NEXT_JOB_ID.fetch_add(1, Ordering::Relaxed));
        JobId(raw)
    }

    /// An id with the given raw value. Ids made this way are not guaranteed unique; they are
    /// meant for tests and for re-creating ids read back from logs.
    pub fn from_u64(raw: u64) -> Self {
        JobId(raw)
    }

    /// The raw value.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl Default for JobId {
    fn default() -> Self {
        JobId::new()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job-{}", self.0)
    }
}

/// Hasher for maps keyed by [`JobId`] (a counter: one multiply spreads it well enough).
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by job id.
pub(crate) type IdMap<V> = std::collections::HashMap<JobId, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Per-dispatch options, builder style. The default dispatches once, with no timeout, on the
/// dispatcher's bus.
///
/// ```
/// use std::time::Duration;
/// use orch_runtime::{DispatchOptions, RetryPolicy};
///
/// let options = DispatchOptions::new()
///     .timeout(Duration::from_secs(10))
///     .attempt_timeout(Duration::from_secs(2))
///     .retry(RetryPolicy::exponential(3))
///     .meta("request-id", "r-17")
///     .dedup_key("refresh-profile");
/// assert_eq!(options.get_dedup_key(), Some("refresh-profile"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct DispatchOptions {
    pub(crate) id: Option<JobId>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) cancel_token: Option<CancellationToken>,
    pub(crate) meta: Vec<(String, String)>,
    pub(crate) dedup_key: Option<String>,
    pub(crate) bus: Option<SignalBus>,
    pub(crate) breaker: Option<CircuitBreaker>,
}

impl DispatchOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Use this id instead of a fresh one (it must be unique among running jobs).
    pub fn id(mut self, id: JobId) -> Self {
        self.id = Some(id);
        self
    }

    /// Overall timeout: covers every attempt and every retry back-off. When it fires, the
    /// executor's future is dropped and the job ends with `TimedOut`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Per-attempt timeout: an attempt that runs longer is dropped and counts as a failure
    /// of kind [`JobErrorKind::TimedOut`](crate::JobErrorKind::TimedOut) (retried if the
    /// retry policy allows); if it was the last attempt the job ends with `TimedOut`.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Retry failed attempts according to this policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Link the job to an external cancellation token: cancelling `token` cancels the job.
    /// The job runs on a child token, so cancelling the job (e.g. through its handle) does
    /// not cancel `token` or its other jobs.
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel_token = Some(token);
        self
    }

    /// Attach a metadata entry, readable by the executor through
    /// [`ExecContext::metadata`](crate::ExecContext::metadata).
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.push((key.into(), value.into()));
        self
    }

    /// Deduplicate: while a job dispatched with the same key is running, dispatching
    /// another one fails with [`DispatchError::Duplicate`](crate::DispatchError::Duplicate).
    /// Through an orchestrator the key is scoped to that orchestrator; through
    /// [`Dispatcher::dispatch_with`](crate::Dispatcher::dispatch_with) to that dispatcher.
    pub fn dedup_key(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }

    /// Publish this job's events on `bus` (e.g. a scoped bus) instead of the dispatcher's.
    pub fn bus(mut self, bus: SignalBus) -> Self {
        self.bus = Some(bus);
        self
    }

    /// Guard every attempt with this circuit breaker (e.g. one per key from
    /// [`CircuitBreakers`](crate::CircuitBreakers)); it takes precedence over a breaker given
    /// at registration.
    pub fn circuit_breaker(mut self, breaker: CircuitBreaker) -> Self {
        self.breaker = Some(breaker);
        self
    }

    /// The dedup key, if any.
    pub fn get_dedup_key(&self) -> Option<&str> {
        self.dedup_key.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(short_type_name("a::b::LoginJob"), "LoginJob");
        assert_eq!(short_type_name("LoginJob"), "LoginJob");
        assert_eq!(short_type_name("a::Wrap<b::C>"), "Wrap");
    }

    #[test]
    fn ids_are_unique_and_display() {
        let a = JobId::new();
        let b = JobId::new();
        assert_ne!(a, b);
        assert_eq!(JobId::from_u64(42).to_string(), "job-42");
        assert_eq!(JobId::from_u64(42).as_u64(), 42);
    }
}
