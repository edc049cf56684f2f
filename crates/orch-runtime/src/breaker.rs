//! [`CircuitBreaker`]: closed / open / half-open, with a failure threshold and a cool-down;
//! an open circuit fails fast with an error of kind
//! [`JobErrorKind::CircuitOpen`](crate::JobErrorKind::CircuitOpen). [`CircuitBreakers`]
//! keeps one breaker per key.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{JobError, JobErrorKind};
use crate::runner::lock;

/// The state of a [`CircuitBreaker`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CircuitState {
    /// Calls go through; consecutive failures are counted.
    Closed,
    /// Calls fail fast until the cool-down has elapsed.
    Open,
    /// The cool-down elapsed: one trial call goes through; its result closes or re-opens the
    /// circuit. Other calls fail fast meanwhile.
    HalfOpen,
}

#[derive(Debug)]
enum Inner {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { trial_in_flight: bool },
}

/// A circuit breaker with shared state (clones share it).
///
/// - **Closed**: calls pass; after `failure_threshold` consecutive failures it opens.
/// - **Open**: calls fail at once with [`JobErrorKind::CircuitOpen`]; after `cool_down` it
///   becomes half-open.
/// - **Half-open**: one trial call passes; success closes the circuit, failure re-opens it.
///
/// Time is tokio time, so paused-time tests are deterministic.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use orch_runtime::{CircuitBreaker, CircuitState, JobError};
///
/// let breaker = CircuitBreaker::new(2, Duration::from_secs(30));
/// for _ in 0..2 {
///     let _ = breaker.call(async { Err::<(), _>(JobError::new("down")) }).await;
/// }
/// assert_eq!(breaker.state(), CircuitState::Open);
/// let err = breaker.call(async { Ok::<_, JobError>(1) }).await.unwrap_err();
/// assert!(err.is_circuit_open()); // failed fast, the future was not run
/// # }
/// ```
#[derive(Clone)]
pub struct CircuitBreaker {
    inner: Arc<Mutex<Inner>>,
    failure_threshold: u32,
    cool_down: Duration,
}

enum Admission {
    Normal,
    Trial,
}

/// Re-arms the half-open trial if a trial call is dropped before it finished.
struct TrialGuard<'a> {
    breaker: &'a CircuitBreaker,
    armed: bool,
}

impl Drop for TrialGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            let mut inner = lock(&self.breaker.inner);
            if let Inner::HalfOpen { trial_in_flight } = &mut *inner {
                *trial_in_flight = false;
            }
        }
    }
}

impl CircuitBreaker {
    /// A closed breaker that opens after `failure_threshold` (at least 1) consecutive
    /// failures and stays open for `cool_down`.
    pub fn new(failure_threshold: u32, cool_down: Duration) -> Self {
        CircuitBreaker {
            inner: Arc::new(Mutex::new(Inner::Closed { failures: 0 })),
            failure_threshold: failure_threshold.max(1),
            cool_down,
        }
    }

    /// The current state (an open circuit whose cool-down elapsed reports `HalfOpen`).
    pub fn state(&self) -> CircuitState {
        match &*lock(&self.inner) {
            Inner::Closed { .. } => CircuitState::Closed,
            Inner::Open { until } if Instant::now() < *until => CircuitState::Open,
            Inner::Open { .. } | Inner::HalfOpen { .. } => CircuitState::HalfOpen,
        }
    }

    /// Consecutive failures counted while closed.
    pub fn failures(&self) -> u32 {
        match &*lock(&self.inner) {
            Inner::Closed { failures } => *failures,
            _ => self.failure_threshold,
        }
    }

    /// Force the circuit closed, forgetting past failures.
    pub fn reset(&self) {
        *lock(&self.inner) = Inner::Closed { failures: 0 };
    }

    /// Run `f` through the breaker: fails fast with a [`JobErrorKind::CircuitOpen`] error
    /// (without polling `f`) when open; otherwise records `f`'s success or failure.
    pub async fn call<T, F>(&self, f: F) -> Result<T, JobError>
    where
        F: Future<Output = Result<T, JobError>>,
    {
        self.guard(f, |e| e).await
    }

    pub(crate) async fn guard<T, E, F>(&self, f: F, open: impl FnOnce(JobError) -> E) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        let admission = match self.admit() {
            Ok(a) => a,
            Err(e) => return Err(open(e)),
        };
        let mut guard = TrialGuard { breaker: self, armed: matches!(admission, Admission::Trial) };
        let result = f.await;
        guard.armed = false;
        self.record(result.is_ok(), &admission);
        result
    }

    fn admit(&self) -> Result<Admission, JobError> {
        let mut inner = lock(&self.inner);
        match &mut *inner {
            Inner::Closed { .. } => Ok(Admission::Normal),
            Inner::Open { until } => {
                let now = Instant::now();
                if now < *until {
                    Err(self.open_error(*until - now))
                } else {
                    *inner = Inner::HalfOpen { trial_in_flight: true };
                    Ok(Admission::Trial)
                }
            }
            Inner::HalfOpen { trial_in_flight } => {
                if *trial_in_flight {
                    Err(self.open_error(Duration::ZERO))
                } else {
                    *trial_in_flight = true;
                    Ok(Admission::Trial)
                }
            }
        }
    }

    fn open_error(&self, remaining: Duration) -> JobError {
        JobError::with_kind(
            JobErrorKind::CircuitOpen,
            format!("circuit open; failing fast (cool-down remaining {remaining:?})"),
        )
    }

    fn record(&self, success: bool, admission: &Admission) {
        let mut inner = lock(&self.inner);
        let now = Instant::now();
        // A huge cool-down must not overflow (and panic): ~30 years is "forever" here.
        let until = now
            .checked_add(self.cool_down)
            .unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 24 * 3600));
        let open = Inner::Open { until };
        match (&mut *inner, admission, success) {
            (Inner::HalfOpen { .. }, Admission::Trial, true) => {
                *inner = Inner::Closed { failures: 0 };
            }
            (Inner::HalfOpen { .. }, Admission::Trial, false) => {
                tracing::debug!("circuit re-opened after a failed trial call");
                *inner = open;
            }
            (Inner::Closed { failures }, _, true) => *failures = 0,
            (Inner::Closed { failures }, _, false) => {
                *failures += 1;
                if *failures >= self.failure_threshold {
                    tracing::debug!(failures = *failures, "circuit opened");
                    *inner = open;
                }
            }
            // A call admitted earlier finished while the circuit is open/half-open for
            // another reason: it does not change the state.
            _ => {}
        }
    }
}

impl fmt::Debug for CircuitBreaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreaker")
            .field("state", &self.state())
            .field("failure_threshold", &self.failure_threshold)
            .field("cool_down", &self.cool_down)
            .finish()
    }
}

/// One [`CircuitBreaker`] per key (e.g. per host or per tenant), created on first use with
/// the same threshold and cool-down. Clones share the breakers.
///
/// ```
/// use std::time::Duration;
/// use orch_runtime::{CircuitBreakers, DispatchOptions};
///
/// let breakers = CircuitBreakers::new(3, Duration::from_secs(10));
/// let options = DispatchOptions::new().circuit_breaker(breakers.get("api.example.com"));
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct CircuitBreakers {
    map: Arc<Mutex<HashMap<String, CircuitBreaker>>>,
    failure_threshold: u32,
    cool_down: Duration,
}

impl CircuitBreakers {
    /// A registry whose breakers open after `failure_threshold` failures for `cool_down`.
    pub fn new(failure_threshold: u32, cool_down: Duration) -> Self {
        CircuitBreakers { map: Arc::new(Mutex::new(HashMap::new())), failure_threshold, cool_down }
    }

    /// The breaker for `key` (created closed on first use).
    pub fn get(&self, key: &str) -> CircuitBreaker {
        let mut map = lock(&self.map);
        if let Some(b) = map.get(key) {
            return b.clone();
        }
        let breaker = CircuitBreaker::new(self.failure_threshold, self.cool_down);
        map.insert(key.to_owned(), breaker.clone());
        breaker
    }

    /// The keys that have a breaker, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = lock(&self.map).keys().cloned().collect();
        keys.sort();
        keys
    }
}

impl fmt::Debug for CircuitBreakers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreakers").field("keys", &self.keys()).finish()
    }
}
