//! What the built-in transports share: their timeouts, pool and user agent,
//! with one set of defaults and one set of builder methods.

use std::time::Duration;

use crate::proxy::Proxies;

/// The settings of a built-in transport's builder.
#[derive(Debug, Clone)]
pub(crate) struct ClientSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) read_idle_timeout: Option<Duration>,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) pool_max_idle_per_host: usize,
    pub(crate) user_agent_suffix: Option<String>,
    pub(crate) proxies: Proxies,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Some(Duration::from_secs(60)),
            read_idle_timeout: Some(Duration::from_secs(60)),
            pool_idle_timeout: Duration::from_secs(90),
            // Every idle connection is kept (each closes after the idle
            // timeout): a smaller number makes a burst of concurrent calls
            // close connections it then opens again (`docs/PERFORMANCE.md`).
            pool_max_idle_per_host: usize::MAX,
            user_agent_suffix: None,
            proxies: Proxies::from_env(),
        }
    }
}

impl ClientSettings {
    /// `aliyun-ai/<version>`, plus the suffix if any.
    pub(crate) fn user_agent(&self) -> String {
        crate::user_agent(self.user_agent_suffix.as_deref())
    }
}

/// The builder methods of [`ClientSettings`], for a builder whose field
/// `settings` holds them.
macro_rules! client_settings_methods {
    () => {
        /// How long establishing a connection (TCP and TLS) may take. Default 5 s.
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.connect_timeout = timeout;
            self
        }

        /// How long to wait for the response headers after sending. Default 60 s;
        /// `None` waits forever. Streamed bodies are bounded by the idle timeout
        /// instead, so a long stream is not cut.
        pub fn request_timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
            self.settings.request_timeout = timeout;
            self
        }

        /// The longest silence between two chunks of a response body. Default 60 s.
        pub fn read_idle_timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
            self.settings.read_idle_timeout = timeout;
            self
        }

        /// How long an idle pooled connection is kept. Default 90 s.
        pub fn pool_idle_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.pool_idle_timeout = timeout;
            self
        }

        /// How many idle connections are kept per host. Default: all of them
        /// (each closes after the idle timeout). A smaller number makes a burst
        /// of concurrent calls close connections it then opens again: with 32,
        /// 256 concurrent calls opened about 500 new connections per 4,000 calls
        /// in the loopback benchmark ([`docs/PERFORMANCE.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/PERFORMANCE.md)).
        pub fn pool_max_idle_per_host(mut self, count: usize) -> Self {
            self.settings.pool_max_idle_per_host = count;
            self
        }

        /// Which proxies to use (default: [`Proxies::from_env`](crate::Proxies::from_env),
        /// read when the transport is built). Loopback and the instance
        /// metadata service are always reached directly.
        pub fn proxies(mut self, proxies: crate::Proxies) -> Self {
            self.settings.proxies = proxies;
            self
        }

        /// Appended to the user agent: `aliyun-ai/<version> <suffix>`.
        pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
            self.settings.user_agent_suffix = Some(suffix.into());
            self
        }
    };
}

pub(crate) use client_settings_methods;
