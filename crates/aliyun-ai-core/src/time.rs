//! The one time contract of the SDK: [`Timer`] (a monotonic instant, a
//! sleep and the wall clock), injected once. Retries, task waiting and
//! deadlines sleep on it; the signers date requests and the credential
//! caches check expiry with its wall clock; the emulator checks dates with
//! it. [`ManualTimer`] makes all of them instant and deterministic in tests.
//! The tokio implementation is `aliyun_ai_transport::retry::TokioTimer`
//! (this crate has no runtime).

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// The one source of time the SDK reads: monotonic instants and sleeps
/// (retries, task waiting, deadlines) and the wall clock (signature dates,
/// expiry checks). Injected once, so that tests run instantly and
/// deterministically ([`ManualTimer`]).
pub trait Timer: Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
    /// The wall clock: the system's by default.
    fn system_time(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A timer for tests: sleeping returns at once and moves its clocks (the
/// monotonic one and the wall clock) forward; every sleep is recorded.
#[derive(Debug)]
pub struct ManualTimer {
    state: Mutex<(Instant, Vec<Duration>)>,
    wall_start: SystemTime,
    monotonic_start: Instant,
}

impl ManualTimer {
    /// A timer starting now, with no sleep recorded.
    pub fn new() -> Self {
        Self::at(SystemTime::now())
    }

    /// A timer whose wall clock starts at `wall` (a fixed date for signature
    /// vectors or expiry tests).
    pub fn at(wall: SystemTime) -> Self {
        let monotonic_start = Instant::now();
        Self {
            state: Mutex::new((monotonic_start, Vec::new())),
            wall_start: wall,
            monotonic_start,
        }
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().1.clone()
    }

    /// The total time slept.
    pub fn slept(&self) -> Duration {
        self.lock().1.iter().sum()
    }

    /// Moves the clock forward without sleeping.
    pub fn advance(&self, duration: Duration) {
        self.lock().0 += duration;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Instant, Vec<Duration>)> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for ManualTimer {
    fn default() -> Self {
        Self::new()
    }
}

impl Timer for ManualTimer {
    fn now(&self) -> Instant {
        self.lock().0
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let mut state = self.lock();
        state.0 += duration;
        state.1.push(duration);
        Box::pin(std::future::ready(()))
    }

    fn system_time(&self) -> SystemTime {
        self.wall_start + self.lock().0.duration_since(self.monotonic_start)
    }
}
