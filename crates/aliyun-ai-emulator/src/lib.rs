//! A local emulator of the services the `aliyun-ai` SDK covers —
//! ContactCenterAI, DianJin, RetailBot, Tingwu and the DashScope customer profile — on one loopback
//! address, so the SDK runs and is tested with no cloud account.
//!
//! It checks authentication the way the real gateways do (V3 signatures
//! recomputed from the request as received, dates within 15 minutes, no
//! reused nonce, V1 for RPC, Bearer keys and the `st-` tokens it issued),
//! answers deterministically from the input, and injects faults on demand.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use aliyun_ai_emulator::Emulator;
//!
//! let emulator = Emulator::start().await?;
//! // Point the SDK at it:
//! //   Config::builder().endpoint_for_all(emulator.base_url())
//! //       .access_key(AccessKey::new(&creds.access_key_id, &creds.access_key_secret))
//! //       .api_key(ApiKey::new(&creds.api_key))
//! let creds = emulator.credentials();
//! println!("{} {}", emulator.base_url(), creds.access_key_id);
//! # Ok(())
//! # }
//! ```
//!
//! Every behaviour, default credential and fault switch is described in
//! [`docs/EMULATOR.md`](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/EMULATOR.md).
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

mod auth;
mod call;
mod config;
mod handlers;
mod json_path;
mod models;
#[cfg(test)]
mod module_tree;
mod oss;
mod query;
mod realtime;
mod responders;
mod router;
mod serve;
mod server;
mod state;
mod text;
mod upgrade;

/// Entry points for the fuzz targets (`fuzz/`): the emulator's parsing of
/// a request's bytes, without a socket. Not a stable API.
#[doc(hidden)]
pub mod fuzzing {
    use aliyun_ai_core::server::WireRequest;
    use http::{HeaderMap, HeaderValue, Method};

    use crate::router::{self, Target};

    /// Routes a request as the server does and decodes it with its
    /// operation's model, as the handlers do; parses its `Authorization`
    /// header as the verifier does. Returns whether the request decoded.
    pub fn request(
        method: &[u8],
        path: &str,
        query: &str,
        authorization: &[u8],
        body: &[u8],
    ) -> bool {
        let Ok(method) = Method::from_bytes(method) else {
            return false;
        };
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_bytes(authorization) {
            if let Ok(text) = value.to_str() {
                let _ = crate::auth::parse_authorization(text);
            }
            headers.insert(http::header::AUTHORIZATION, value);
        }
        let Some(Target::Operation { entry, path_params }) =
            router::route(&[], &method, path, &headers, query, body)
        else {
            return false;
        };
        let query = aliyun_ai_core::encoding::decode_form(query).unwrap_or_default();
        let wire = WireRequest {
            path_params: &path_params,
            query: &query,
            body,
        };
        (entry.answer)(&wire).is_ok()
    }
}

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use tokio::net::TcpListener;

/// The error code the emulator answers, for one service (its key, as in
/// `ServiceInfo::key`), for an id it does not hold (a task, a library, a
/// document, a vocabulary); `None` for a service whose operations name no
/// id the emulator keeps. CCAI answers its own `CCAI.InvalidParam.NotExist`,
/// DianJin `ResourceNotFound` inside a 200 (the vendor publishes no code; the
/// emulator's choice), Tingwu DashScope's `InvalidParameter` ("dataId ...
/// does not exist"), which it also answers for a malformed request: a test
/// checking for an unknown id of Tingwu should read the message too.
pub fn unknown_id_code(service: &str) -> Option<&'static str> {
    handlers::unknown_id_code(service)
}

/// The time contract the emulator reads its wall clock from.
pub use aliyun_ai_core::time::{ManualTimer, Timer};
pub use aliyun_ai_transport::retry::TokioTimer;
pub use config::{
    Credentials, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_API_KEY, EmulatorConfig,
    StsCredentials,
};
pub use state::{Fault, FaultRule};

/// A running emulator. Dropped, it stops accepting and lets each request in
/// flight finish; [`Emulator::shutdown`] also waits for them.
pub struct Emulator {
    addr: SocketAddr,
    inner: Arc<call::Inner>,
    serving: Option<serve::Serving>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator on an ephemeral loopback port with the defaults.
    pub async fn start() -> std::io::Result<Emulator> {
        Self::start_with(EmulatorConfig::default()).await
    }

    /// Starts an emulator with `config`.
    pub async fn start_with(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(call::Inner {
            config,
            state: Default::default(),
            base_url: format!("http://{addr}"),
            open_connections: AtomicUsize::new(0),
            sessions: Default::default(),
        });
        let serving = serve::Serving::start(listener, inner.clone());
        Ok(Emulator {
            addr,
            inner,
            serving: Some(serving),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`: the endpoint of every service.
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// The credentials it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.config.credentials
    }

    /// The environment variables that point the SDK at this emulator, in
    /// the order the binary prints them: the credentials, then the endpoint
    /// of every service it serves (`ALIYUN_AI_<SERVICE>_ENDPOINT`, from the
    /// generated model crates, OpenPlatform's upload grant included), then
    /// `ALIYUN_AI_OSS_ENDPOINT` for the bucket of an upload from a local file.
    /// `Config::from_env` in a process with these set talks to the emulator
    /// only.
    pub fn environment(&self) -> Vec<(String, String)> {
        let credentials = self.credentials();
        let base = self.base_url();
        let mut variables = vec![
            (
                "ALIBABA_CLOUD_ACCESS_KEY_ID".to_owned(),
                credentials.access_key_id.clone(),
            ),
            (
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET".to_owned(),
                credentials.access_key_secret.clone(),
            ),
            ("DASHSCOPE_API_KEY".to_owned(), credentials.api_key.clone()),
        ];
        let mut keys: Vec<&str> = models::server_operations()
            .map(|entry| entry.info.service.key)
            .collect();
        keys.dedup();
        keys.push("oss");
        for key in keys {
            variables.push((aliyun_ai_core::endpoint_variable(key), base.clone()));
        }
        variables
    }

    /// Adds a fault rule (see [`FaultRule`]).
    pub fn inject(&self, rule: FaultRule) {
        self.inner.state.add_fault(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.inner.state.clear_faults();
    }

    /// How many requests of `action` (`CreateTask`, `getTask`, ...) reached
    /// their handler, so their effects happened (a fault that cuts the answer
    /// afterwards does not undo them): what a test counts to prove a
    /// non-idempotent call was not sent twice.
    pub fn handled(&self, action: &str) -> u64 {
        self.inner
            .state
            .with(|state| state.handled.get(action).copied().unwrap_or(0))
    }

    /// Asks every open EndToEndRealTimeDialog session to reconnect: each
    /// sends `RECONNECT`, then closes normally.
    pub fn reconnect_sessions(&self) {
        self.inner.sessions.reconnect_all();
    }

    /// How many client connections are open now.
    pub fn open_connections(&self) -> usize {
        self.inner.open_connections.load(Ordering::Relaxed)
    }

    /// Stores a ContactCenterAI task under a task id of your choosing, as if
    /// CreateTask had been called with `request` (the JSON body of a
    /// CreateTask request), so a test can read it with GetTaskResult by that
    /// id. Fails when `request` is not a valid CreateTask body.
    pub fn insert_contact_center_task(
        &self,
        task_id: impl Into<String>,
        request: serde_json::Value,
    ) -> Result<(), serde_json::Error> {
        serde_json::from_value::<aliyun_ai_models_contactcenterai::CreateTaskRequest>(
            request.clone(),
        )?;
        self.inner.state.with(|s| {
            s.ccai_tasks.insert(
                task_id.into(),
                state::CcaiTask {
                    created: std::time::Instant::now(),
                    request,
                },
            )
        });
        Ok(())
    }

    /// Stores a Tingwu task under a `dataId` of your choosing, as if
    /// createTask had been called with `text` (lines `speaker: content`).
    pub fn insert_customer_profile_task(&self, data_id: impl Into<String>, text: &str) {
        let lines = handlers::transcript_lines(text);
        self.inner.state.with(|s| {
            s.customer_profile_tasks.insert(
                data_id.into(),
                state::CustomerProfileTask {
                    created: std::time::Instant::now(),
                    lines,
                    failure: None,
                    identities: Vec::new(),
                    extractions: Vec::new(),
                },
            )
        });
    }

    /// Stops gracefully: accepts no new connection, lets every request in
    /// flight finish (a streamed answer to its end; an idle keep-alive
    /// connection closes at once), waits up to `grace` for that, then cuts
    /// the connections still open. Returns how many it cut.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let emulator = aliyun_ai_emulator::Emulator::start().await?;
    /// // ... the test's calls ...
    /// let cut = emulator.shutdown(std::time::Duration::from_secs(5)).await;
    /// assert_eq!(cut, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown(mut self, grace: Duration) -> usize {
        match self.serving.take() {
            Some(serving) => serving.shutdown(grace).await,
            None => 0,
        }
    }

    /// Serves until the process is interrupted (Ctrl-C), then shuts down
    /// gracefully, giving the requests in flight [`SHUTDOWN_GRACE`].
    pub async fn serve_until_interrupted(self) -> std::io::Result<()> {
        tokio::signal::ctrl_c().await?;
        let cut = self.shutdown(SHUTDOWN_GRACE).await;
        if cut > 0 {
            eprintln!(
                "aliyun-ai-emulator: cut {cut} connections still busy after {SHUTDOWN_GRACE:?}"
            );
        }
        Ok(())
    }
}

/// How long [`Emulator::serve_until_interrupted`] waits for the requests in
/// flight when interrupted.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(serving) = &self.serving {
            serving.drain();
        }
    }
}

/// `yyyyMMdd` of a time (for task ids).
pub(crate) fn format_day(time: SystemTime) -> String {
    let stamp = aliyun_ai_auth::time::format_iso8601(time);
    stamp[..10].replace('-', "")
}
