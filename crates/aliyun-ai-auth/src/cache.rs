//! The one caching layer for every expiring credential: renew ahead of
//! expiry; if renewing fails, keep serving unexpired cached credentials; one
//! renewal in flight at a time (a hundred concurrent callers cause one fetch).

use aliyun_ai_core::time::Timer;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use crate::credentials::{AccessKey, ApiKey};
use crate::error::{CredentialsError, CredentialsErrorKind};

/// Credentials that may expire.
pub trait Expiring: Clone + Send + Sync {
    /// When they expire, if they do.
    fn expires_at(&self) -> Option<SystemTime>;
}

impl Expiring for AccessKey {
    fn expires_at(&self) -> Option<SystemTime> {
        self.expiration()
    }
}

impl Expiring for ApiKey {
    fn expires_at(&self) -> Option<SystemTime> {
        self.expiration()
    }
}

struct Entry<T> {
    value: T,
    fetched_at: SystemTime,
}

struct State<T> {
    entry: Option<Entry<T>>,
    /// After a failed renewal, no new attempt before this instant.
    quiet_until: Option<SystemTime>,
    /// Fetches that failed so far, and the last one's message while it
    /// left nothing to serve: repeated (without a new fetch) to the callers
    /// that were already waiting for that fetch.
    failures: u64,
    last_failure: Option<String>,
}

/// Caches one credential and renews it when due.
pub struct CredentialCache<T> {
    state: RwLock<State<T>>,
    renewing: tokio::sync::Mutex<()>,
    refresh_ahead: Duration,
    retry_after_failure: Duration,
    time: Arc<dyn Timer>,
}

impl<T> std::fmt::Debug for CredentialCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialCache")
            .field("refresh_ahead", &self.refresh_ahead)
            .finish_non_exhaustive()
    }
}

impl<T: Expiring> CredentialCache<T> {
    /// Renews when `refresh_ahead` (capped at a third of the credential's
    /// lifetime) or less remains. The vendor SDKs renew with 3 to 15 minutes
    /// left ([`docs/vendor/auth.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/auth.md)); 5 minutes is the default.
    pub fn new(time: Arc<dyn Timer>) -> Self {
        Self {
            state: RwLock::new(State {
                entry: None,
                quiet_until: None,
                failures: 0,
                last_failure: None,
            }),
            renewing: tokio::sync::Mutex::new(()),
            refresh_ahead: Duration::from_secs(300),
            retry_after_failure: Duration::from_secs(10),
            time,
        }
    }

    /// Changes how long before expiry renewal starts.
    pub fn with_refresh_ahead(mut self, ahead: Duration) -> Self {
        self.refresh_ahead = ahead;
        self
    }

    /// Changes how long to wait before trying again after a failed renewal
    /// (while unexpired credentials are served).
    pub fn with_retry_after_failure(mut self, wait: Duration) -> Self {
        self.retry_after_failure = wait;
        self
    }

    fn read<R>(&self, f: impl FnOnce(&State<T>) -> R) -> R {
        match self.state.read() {
            Ok(state) => f(&state),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    fn write<R>(&self, f: impl FnOnce(&mut State<T>) -> R) -> R {
        match self.state.write() {
            Ok(mut state) => f(&mut state),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// The cached value if it needs no renewal now.
    fn fresh(&self, now: SystemTime) -> Option<T> {
        self.read(|state| {
            let entry = state.entry.as_ref()?;
            let Some(expires_at) = entry.value.expires_at() else {
                return Some(entry.value.clone());
            };
            let lifetime = expires_at
                .duration_since(entry.fetched_at)
                .unwrap_or_default();
            let ahead = self.refresh_ahead.min(lifetime / 3);
            let renew_at = expires_at.checked_sub(ahead).unwrap_or(expires_at);
            let quiet = state.quiet_until.is_some_and(|until| now < until) && now < expires_at;
            (now < renew_at || quiet).then(|| entry.value.clone())
        })
    }

    /// The cached value if it has not expired yet.
    fn unexpired(&self, now: SystemTime) -> Option<T> {
        self.read(|state| {
            let entry = state.entry.as_ref()?;
            match entry.value.expires_at() {
                Some(expires_at) if now >= expires_at => None,
                _ => Some(entry.value.clone()),
            }
        })
    }

    /// The failure to repeat to a caller that waited while a fetch failed
    /// (`failures_before` is the count it saw when it started waiting).
    fn failure_since(&self, failures_before: u64, now: SystemTime) -> Option<CredentialsError> {
        if self.unexpired(now).is_some() {
            return None;
        }
        self.read(|state| {
            if state.failures == failures_before {
                return None;
            }
            let message = state.last_failure.as_ref()?;
            let kind = if state.entry.is_some() {
                CredentialsErrorKind::Expired
            } else {
                CredentialsErrorKind::Fetch
            };
            Some(CredentialsError::new(
                kind,
                format!("fetching credentials failed while this call waited for it: {message}"),
            ))
        })
    }

    /// The cached credential, renewed with `fetch` when due.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<T, CredentialsError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, CredentialsError>>,
    {
        if let Some(value) = self.fresh(self.time.system_time()) {
            return Ok(value);
        }
        let failures_before = self.read(|state| state.failures);
        let _renewing = self.renewing.lock().await;
        // Another caller may have renewed while this one waited.
        let now = self.time.system_time();
        if let Some(value) = self.fresh(now) {
            return Ok(value);
        }
        // Or failed while this one waited, leaving nothing to serve: the
        // callers queued behind a hung or failing service get that answer at
        // once instead of each waiting for a fetch of its own. A caller that
        // arrives later tries again.
        if let Some(failure) = self.failure_since(failures_before, now) {
            return Err(failure);
        }
        match fetch().await {
            Ok(value) => {
                let now = self.time.system_time();
                if value
                    .expires_at()
                    .is_some_and(|expires_at| expires_at <= now)
                {
                    return Err(CredentialsError::new(
                        CredentialsErrorKind::Expired,
                        "the credentials service answered with credentials that have already expired",
                    ));
                }
                self.write(|state| {
                    state.entry = Some(Entry {
                        value: value.clone(),
                        fetched_at: now,
                    });
                    state.quiet_until = None;
                    state.last_failure = None;
                });
                Ok(value)
            }
            Err(error) => {
                let now = self.time.system_time();
                let unexpired = self.unexpired(now);
                self.write(|state| {
                    state.failures += 1;
                    state.last_failure = unexpired.is_none().then(|| error.to_string());
                });
                match unexpired {
                    Some(value) => {
                        tracing::warn!(error = %error, "renewing credentials failed; serving the cached ones until they expire");
                        self.write(|state| {
                            state.quiet_until = Some(now + self.retry_after_failure)
                        });
                        Ok(value)
                    }
                    None if self.read(|state| state.entry.is_some()) => Err(CredentialsError::new(
                        CredentialsErrorKind::Expired,
                        format!("the cached credentials expired and renewing them failed: {error}"),
                    )
                    .with_source(error)),
                    None => Err(error),
                }
            }
        }
    }
}
