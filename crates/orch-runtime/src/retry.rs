//! [`RetryPolicy`]: exponential back-off with a maximum delay, jitter and a retry-if
//! predicate.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::JobError;

type RetryIf = Arc<dyn Fn(&JobError) -> bool + Send + Sync>;

/// How failed attempts are retried.
///
/// The delay after the `n`-th failed attempt is `base_delay * factor^(n-1)`, capped at
/// `max_delay`, then randomised by ±`jitter` (a fraction; the result is capped at `max_delay`
/// again). A `Retrying` event is published before each wait; cancellation and the overall
/// timeout interrupt the wait. By default every error is retried; `retry_if` narrows that.
///
/// ```
/// use std::time::Duration;
/// use orch_runtime::{JobErrorKind, RetryPolicy};
///
/// let policy = RetryPolicy::exponential(5)
///     .base_delay(Duration::from_millis(100))
///     .factor(2.0)
///     .max_delay(Duration::from_millis(300))
///     .retry_if(|e| e.kind() != JobErrorKind::CircuitOpen);
/// assert_eq!(policy.delay_for(1), Duration::from_millis(100));
/// assert_eq!(policy.delay_for(2), Duration::from_millis(200));
/// assert_eq!(policy.delay_for(3), Duration::from_millis(300)); // capped
/// assert_eq!(policy.max_attempts(), 5);
/// ```
#[derive(Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    factor: f64,
    max_delay: Duration,
    jitter: f64,
    retry_if: Option<RetryIf>,
}

impl RetryPolicy {
    /// Up to `max_attempts` attempts in all (at least 1); base delay 100 ms, factor 2.0,
    /// max delay 30 s, no jitter, every error retried.
    pub fn exponential(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            base_delay: Duration::from_millis(100),
            factor: 2.0,
            max_delay: Duration::from_secs(30),
            jitter: 0.0,
            retry_if: None,
        }
    }

    /// A single attempt, no retry.
    pub fn none() -> Self {
        Self::exponential(1)
    }

    /// Delay after the first failed attempt.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Growth factor between consecutive delays (negative or non-finite values become 1.0).
    pub fn factor(mut self, factor: f64) -> Self {
        self.factor = if factor.is_finite() && factor >= 0.0 { factor } else { 1.0 };
        self
    }

    /// Upper bound of every delay.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Randomise each delay by ±`fraction` of it (clamped to `0.0..=1.0`).
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() { 0.0 } else { fraction.clamp(0.0, 1.0) };
        self
    }

    /// Retry only errors for which `pred` returns true (others end the job at once).
    pub fn retry_if(mut self, pred: impl Fn(&JobError) -> bool + Send + Sync + 'static) -> Self {
        self.retry_if = Some(Arc::new(pred));
        self
    }

    /// The maximum number of attempts (first attempt included).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// True if `error` may be retried (per `retry_if`).
    pub fn should_retry(&self, error: &JobError) -> bool {
        self.retry_if.as_ref().is_none_or(|pred| pred(error))
    }

    /// The delay after the `attempt`-th failed attempt (1-based), without jitter.
    pub fn delay_for(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(i32::MAX as u32) as i32;
        let secs = self.base_delay.as_secs_f64() * self.factor.powi(exponent);
        match Duration::try_from_secs_f64(secs) {
            Ok(d) => d.min(self.max_delay),
            Err(_) => self.max_delay,
        }
    }

    /// The delay with jitter applied, from a deterministic pseudo-random stream seeded by
    /// `seed` (the job id) and the attempt.
    pub fn jittered_delay(&self, attempt: u32, seed: u64) -> Duration {
        let delay = self.delay_for(attempt);
        if self.jitter == 0.0 {
            return delay;
        }
        let r = unit_random(seed ^ u64::from(attempt).wrapping_mul(0xA076_1D64_78BD_642F));
        let scale = 1.0 + self.jitter * (2.0 * r - 1.0);
        match Duration::try_from_secs_f64(delay.as_secs_f64() * scale) {
            Ok(d) => d.min(self.max_delay),
            Err(_) => delay,
        }
    }
}

/// splitmix64 -> a float in [0, 1).
fn unit_random(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::none()
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("factor", &self.factor)
            .field("max_delay", &self.max_delay)
            .field("jitter", &self.jitter)
            .field("retry_if", &self.retry_if.as_ref().map(|_| "<predicate>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_cap() {
        let p = RetryPolicy::exponential(10)
            .base_delay(Duration::from_millis(10))
            .factor(3.0)
            .max_delay(Duration::from_millis(200));
        assert_eq!(p.delay_for(1), Duration::from_millis(10));
        assert_eq!(p.delay_for(2), Duration::from_millis(30));
        assert_eq!(p.delay_for(3), Duration::from_millis(90));
        assert_eq!(p.delay_for(4), Duration::from_millis(200));
        assert_eq!(p.delay_for(u32::MAX), Duration::from_millis(200));
    }

    #[test]
    fn jitter_stays_in_band_and_under_max() {
        let p = RetryPolicy::exponential(3)
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(110))
            .jitter(0.5);
        let mut below = false;
        for seed in 0..500 {
            let d = p.jittered_delay(1, seed);
            assert!(d >= Duration::from_millis(50) && d <= Duration::from_millis(110));
            below |= d < Duration::from_millis(100);
        }
        assert!(below, "jitter never lowered the delay");
        // deterministic
        assert_eq!(p.jittered_delay(1, 7), p.jittered_delay(1, 7));
    }

    #[test]
    fn bad_inputs_are_sanitised() {
        let p = RetryPolicy::exponential(0).factor(f64::NAN).jitter(7.0);
        assert_eq!(p.max_attempts(), 1);
        assert_eq!(p.factor, 1.0);
        assert_eq!(p.jitter, 1.0);
        assert!(p.should_retry(&JobError::new("x")));
        let p = p.retry_if(|e| e.message() == "again");
        assert!(p.should_retry(&JobError::new("again")));
        assert!(!p.should_retry(&JobError::new("fatal")));
    }
}
