//! The client and the one generic path that executes any `Operation`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aliyun_ai_auth::sign::canonical_query;
use aliyun_ai_auth::sign::{BearerSigner, RequestSigner, SigningKey};
use aliyun_ai_auth::{AccessKey, ApiKey, V1Signer, V3Signer};
use aliyun_ai_core::error_body::ErrorBody;
use aliyun_ai_core::time::Timer as _;
use aliyun_ai_core::{AuthScheme, Operation, OperationInfo, Style};
use aliyun_ai_transport::retry::attempts;
use aliyun_ai_transport::{HttpRequest, HttpResponse, TransportError, http};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::config::{Config, RpcSignature};
use crate::endpoint::Endpoint;
use crate::error::{Error, ServiceCodes, ServiceError, excerpt};
use crate::stream::EventStream;

/// A client for the four services. Cheap to clone; clones share the
/// configuration and the transport's connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), aliyun_ai::Error> {
/// use aliyun_ai::Client;
/// use aliyun_ai::dianjin::Intention;
/// use aliyun_ai::dianjin::recognize_intention::BizType;
/// use aliyun_ai::dianjin::RecognizeIntentionRequest;
///
/// let client = Client::from_env()?;
/// let request = RecognizeIntentionRequest::builder()
///     .workspace_id("llm-xxxx")
///     .biz_type(BizType::Common)
///     .conversation("##客服##:您好,请问是朱先生吗?\n##客户##:我忘记还款了")
///     .intention_list([Intention::builder().intention("忘记还款").description("客户表示忘记还款").build()])
///     .build()?;
/// let answer = client.dianjin().recognize_intention(request).await?;
/// println!("{:?}", answer.data.and_then(|d| d.intention_name));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) config: Arc<Config>,
    v3: V3Signer,
    v1: V1Signer,
    bearer: BearerSigner,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish()
    }
}

enum Credentials {
    AccessKey(AccessKey),
    ApiKey(ApiKey),
}

impl Credentials {
    fn signing_key(&self) -> SigningKey<'_> {
        match self {
            Credentials::AccessKey(key) => SigningKey::AccessKey(key),
            Credentials::ApiKey(key) => SigningKey::ApiKey(key),
        }
    }
}

impl Client {
    /// A client with `config`.
    pub fn new(config: Config) -> Self {
        let v3 = V3Signer::new(config.time.clone(), config.settings.nonces.clone());
        let v1 = V1Signer::new(config.time.clone(), config.settings.nonces.clone());
        Self {
            config: Arc::new(config),
            v3,
            v1,
            bearer: BearerSigner,
        }
    }

    /// A client configured from the environment ([`Config::from_env`]).
    #[cfg(any(feature = "reqwest", feature = "hyper"))]
    pub fn from_env() -> Result<Self, Error> {
        Config::from_env().map(Self::new)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The same client (transport, connection pool, credentials) with
    /// another retry policy, for the calls made through it:
    /// `client.with_retry_policy(RetryPolicy::disabled()).dianjin()...`.
    pub fn with_retry_policy(&self, retry: aliyun_ai_transport::RetryPolicy) -> Self {
        let mut config = (*self.config).clone();
        config.settings.retry = retry;
        Self::new(config)
    }

    /// The same client with a deadline for each whole call made through it,
    /// retries included, in place of the config's
    /// ([`ConfigBuilder::call_timeout`](crate::ConfigBuilder::call_timeout),
    /// two minutes by default); a call past it ends with a timeout error
    /// ([`Error::is_timeout`]). It runs on real time.
    pub fn with_call_timeout(&self, timeout: Duration) -> Self {
        let mut config = (*self.config).clone();
        config.settings.call_timeout = Some(timeout);
        Self::new(config)
    }

    /// Runs `call` within the call timeout, if one is set.
    async fn within_deadline<T>(
        &self,
        info: &OperationInfo,
        call: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let Some(timeout) = self.config.settings.call_timeout else {
            return call.await;
        };
        // Real time, not the config's time source: the deadline bounds real
        // I/O, and a test's `ManualTimer` returns from every sleep at once.
        let sleep = aliyun_ai_transport::retry::TokioTimer.sleep(timeout);
        futures_util::pin_mut!(call);
        match futures_util::future::select(call, sleep).await {
            futures_util::future::Either::Left((result, _)) => result,
            futures_util::future::Either::Right(((), _)) => {
                let host = self
                    .config
                    .endpoint(info.service)
                    .map(|endpoint| crate::endpoint::host_of(endpoint.authority()).to_owned())
                    .unwrap_or_default();
                Err(Error::transport(
                    aliyun_ai_transport::TransportError::timeout(format!(
                        "the call did not finish within {timeout:?}"
                    )),
                    0,
                )
                .in_call(info, &host))
            }
        }
    }

    async fn credentials(&self, info: &OperationInfo) -> Result<Credentials, Error> {
        match info.service.auth {
            AuthScheme::Bearer => {
                let provider = self.config.settings.api_keys.as_ref().ok_or_else(|| {
                    // Only a config built without the environment lacks a
                    // provider: the environment's own say what they consulted.
                    Error::build("no DashScope API key: this Config has none and was built without reading the environment; set one with ConfigBuilder::api_key (or api_key_provider), or build with Config::from_env / ConfigBuilder::from_environment to read DASHSCOPE_API_KEY")
                })?;
                let key = provider.api_key().await?;
                // A provider's answer is checked as a static key is when set:
                // before it reaches a header.
                key.check()?;
                Ok(Credentials::ApiKey(key))
            }
            _ => {
                let provider = self.config.settings.access_keys.as_ref().ok_or_else(|| {
                    Error::build("no AccessKey credentials: this Config has none and was built without reading the environment; set them with ConfigBuilder::access_key (or access_key_provider), or build with Config::from_env / ConfigBuilder::from_environment to use the default chain (environment, OIDC, CLI config, credentials file, ECS role)")
                })?;
                let key = provider.access_key().await?;
                key.check()?;
                Ok(Credentials::AccessKey(key))
            }
        }
    }

    /// The signer of an operation's auth scheme (RPC services may be
    /// configured to use V1 instead of V3).
    fn signer(&self, info: &OperationInfo) -> &dyn RequestSigner {
        match info.service.auth {
            AuthScheme::Bearer => &self.bearer,
            _ if info.service.style == Style::Rpc
                && self.config.settings.rpc_signature == RpcSignature::V1 =>
            {
                &self.v1
            }
            _ => &self.v3,
        }
    }

    /// The signed upgrade of a WebSocket operation: a `GET` of `uri` (its
    /// scheme `wss`/`ws` for `https`/`http`) with `sec-websocket-protocol:
    /// <protocol>`, signed V3 over the standard headers, that one and
    /// `accept`, as the vendor's SDK signs it (the captured upgrade of
    /// `fixtures/vendor-requests/dianjin-EndToEndRealTimeDialog-ws.http`).
    #[cfg(feature = "websocket")]
    pub(crate) async fn websocket_upgrade<O: Operation + ?Sized>(
        &self,
        operation: &O,
        protocol: &'static str,
    ) -> Result<http::Request<()>, Error> {
        use aliyun_ai_auth::sign::HeaderSelection;
        operation.validate()?;
        let info = O::INFO;
        let endpoint = self.config.endpoint(info.service)?;
        let uri = request_uri(endpoint, operation)?;
        let credentials = self.credentials(info).await?;
        let Credentials::AccessKey(key) = &credentials else {
            return Err(Error::build(format!(
                "{} is signed with an AccessKey",
                info.action
            )));
        };
        let mut request = HttpRequest::new(Bytes::new());
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
        headers.insert(
            http::header::SEC_WEBSOCKET_PROTOCOL,
            http::HeaderValue::from_static(protocol),
        );
        let signer = V3Signer::new(
            self.config.time.clone(),
            self.config.settings.nonces.clone(),
        )
        .with_signed_headers(
            HeaderSelection::standard()
                .also("accept")
                .also("sec-websocket-protocol"),
        );
        signer
            .sign_request(
                &mut request,
                SigningKey::AccessKey(key),
                info.action,
                info.service.version,
            )
            .map_err(|e| {
                Error::transport(
                    TransportError::other("could not sign the upgrade").with_source(e),
                    0,
                )
            })?;
        let (mut parts, _) = request.into_parts();
        let mut uri = parts.uri.into_parts();
        let scheme = if uri.scheme.as_ref() == Some(&http::uri::Scheme::HTTP) {
            "ws"
        } else {
            "wss"
        };
        uri.scheme = Some(
            scheme
                .parse()
                .map_err(|e| Error::build(format!("the WebSocket URL is not valid: {e}")))?,
        );
        parts.uri = http::Uri::from_parts(uri)
            .map_err(|e| Error::build(format!("the WebSocket URL is not valid: {e}")))?;
        Ok(http::Request::from_parts(parts, ()))
    }

    /// Builds and signs one attempt's request.
    fn build_request(
        &self,
        info: &OperationInfo,
        url: &http::Uri,
        body: &Bytes,
        content_type: Option<&'static str>,
        credentials: &Credentials,
        stream: bool,
    ) -> Result<HttpRequest, TransportError> {
        let mut request = HttpRequest::new(body.clone());
        *request.method_mut() = method(info.method)?;
        *request.uri_mut() = url.clone();
        // Room for every header the signers add (about 10), so the map is
        // allocated once instead of grown as they come.
        *request.headers_mut() = http::HeaderMap::with_capacity(16);
        let headers = request.headers_mut();
        if let Some(content_type) = content_type {
            headers.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(content_type),
            );
        }
        headers.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static(if stream {
                "text/event-stream"
            } else {
                "application/json"
            }),
        );
        let signing = |e: aliyun_ai_auth::SignError| {
            TransportError::other("could not sign the request").with_source(e)
        };
        if let Credentials::ApiKey(_) = credentials {
            // DashScope's own headers, beside its Bearer key.
            if let Some(workspace) = &self.config.settings.dashscope_workspace {
                let value = http::HeaderValue::from_str(workspace).map_err(|e| {
                    TransportError::other("invalid DashScope workspace").with_source(e)
                })?;
                request.headers_mut().insert("x-dashscope-workspace", value);
            }
            if stream {
                request
                    .headers_mut()
                    .insert("x-dashscope-sse", http::HeaderValue::from_static("enable"));
            }
        }
        self.signer(info)
            .sign_request(
                &mut request,
                credentials.signing_key(),
                info.action,
                info.service.version,
            )
            .map_err(signing)?;
        Ok(request)
    }

    /// Validates, builds, signs (anew for every attempt), sends with retries,
    /// and turns an error status into a typed error; `stream` asks for
    /// server-sent events (`Accept: text/event-stream`). The response's body is
    /// left unread (a stream can be consumed as it arrives).
    async fn send<O: Operation + ?Sized>(
        &self,
        operation: &O,
        stream: bool,
    ) -> Result<HttpResponse, Error> {
        operation.validate()?;
        let info = O::INFO;
        let body = operation.body()?;
        let content_type = body.content_type();
        let body = Bytes::from(body.into_bytes());
        let endpoint = self.config.endpoint(info.service)?;
        let url = request_uri(endpoint, operation)?;
        // The first attempt's credentials: a failure to get them is this
        // call's error, typed as such.
        let first = self.credentials(info).await?;
        let (url, body) = (&url, &body);
        let make_request = |attempt: u32| {
            let first = &first;
            async move {
                // A retry asks again, so it signs with credentials renewed
                // meanwhile; if asking fails, the first ones are tried (the
                // service then says what is wrong with them).
                let renewed = if attempt > 1 {
                    self.credentials(info).await.ok()
                } else {
                    None
                };
                let credentials = renewed.as_ref().unwrap_or(first);
                self.build_request(info, url, body, content_type, credentials, stream)
            }
        };
        // A whole answer is read inside the attempt, so a body that breaks
        // or stalls halfway is retried like a reset (idempotent operations
        // only); a stream is handed over as it arrives.
        let buffer = (!stream).then_some(self.config.settings.response_size_limit);
        let response = self
            .config
            .settings
            .retry
            .send_each_attempt(
                self.config.transport.as_ref(),
                info.idempotent,
                &ServiceCodes(info.service),
                buffer,
                make_request,
            )
            .await
            .map_err(|e| {
                Error::retried(e).in_call(info, crate::endpoint::host_of(endpoint.authority()))
            })?;
        if !response.status().is_success() {
            return Err(service_error(response).await.classified(info.service));
        }
        Ok(response)
    }

    /// Executes any operation of the model crates: validates it, signs and
    /// sends it with retries, decodes the answer, and turns a failure the
    /// service reports inside a successful answer (the operation's
    /// `business_failure`, e.g. DianJin `success: false`) into an error. Every
    /// per-service method is this call (the request carries its path
    /// parameters).
    ///
    /// A request that asks for a stream (`wants_stream()`) is refused: use
    /// [`Client::execute_stream`].
    pub async fn execute<O>(&self, operation: &O) -> Result<O::Output, Error>
    where
        O: Operation + Sync + ?Sized,
    {
        if operation.wants_stream() {
            return Err(Error::build(format!(
                "{} asks for a streamed answer: call execute_stream (or the method's _stream variant)",
                O::INFO.action
            )));
        }
        let span = operation_span(O::INFO, false);
        let result = self
            .within_deadline(O::INFO, async {
                let response = self.send(operation, false).await?;
                let request_id = header_request_id(&response);
                let attempts = attempts(&response);
                let output: O::Output = decode(response, request_id.as_deref()).await?;
                let output = match O::business_failure(&output) {
                    Some(failure) => Err(business_error(
                        failure.code,
                        failure.message,
                        failure.request_id.or(request_id.clone()),
                    )
                    .with_attempts(attempts)
                    .classified(O::INFO.service)),
                    None => Ok(output),
                };
                tracing::Span::current().record("attempts", attempts);
                if let Some(id) = &request_id {
                    tracing::Span::current().record("request_id", id.as_str());
                }
                output
            })
            .instrument(span.clone())
            .await;
        record_outcome(&span, &result);
        result
    }

    /// Executes an operation that can stream, asking for server-sent events
    /// (its request's stream field, if it has one, must be true:
    /// `wants_stream()`), returning its events as they arrive. An error
    /// status before the first event is an ordinary typed error from this
    /// call; an event reporting a failure (`business_failure`) ends the
    /// stream with that error; a body that ends before the event the
    /// operation marks as the last (`is_final_event`) ends it with an
    /// [`ErrorKind::IncompleteStream`](crate::ErrorKind::IncompleteStream) error.
    pub async fn execute_stream<O>(&self, operation: &O) -> Result<EventStream<O::Output>, Error>
    where
        O: Operation + Sync + ?Sized,
    {
        let info = O::INFO;
        if !info.can_stream {
            return Err(Error::build(format!(
                "{} cannot answer with a stream: call execute",
                info.action
            )));
        }
        if let Some(field) = info.stream_field.filter(|_| !operation.wants_stream()) {
            return Err(Error::build(format!(
                "{} does not ask for a streamed answer (`{field}` is not true): set it, or call execute",
                info.action
            )));
        }
        let span = operation_span(info, true);
        let sent = self
            .within_deadline(info, self.send(operation, true))
            .instrument(span.clone())
            .await;
        record_outcome(&span, &sent);
        let response = sent?;
        let request_id = header_request_id(&response);
        span.record("attempts", attempts(&response));
        if let Some(id) = &request_id {
            span.record("request_id", id.as_str());
        }
        Ok(EventStream::new(
            response.into_body(),
            self.config.settings.sse_limits,
            O::is_final_event,
            O::business_failure,
            request_id,
        ))
    }
}

/// The span of one operation call, above the per-attempt `aliyun_ai.http`
/// spans of the retry policy: service, operation, whether it streams, and,
/// once known, the request id, the number of attempts and the error code.
fn operation_span(info: &OperationInfo, stream: bool) -> tracing::Span {
    tracing::info_span!(
        "aliyun_ai.operation",
        service = info.service.key,
        operation = info.action,
        stream,
        request_id = tracing::field::Empty,
        attempts = tracing::field::Empty,
        error_code = tracing::field::Empty,
        error_kind = tracing::field::Empty,
    )
}

/// The `http` method of an operation (the common ones without parsing).
fn method(method: aliyun_ai_core::Method) -> Result<http::Method, TransportError> {
    Ok(match method {
        aliyun_ai_core::Method::Get => http::Method::GET,
        aliyun_ai_core::Method::Post => http::Method::POST,
        aliyun_ai_core::Method::Put => http::Method::PUT,
        aliyun_ai_core::Method::Delete => http::Method::DELETE,
        other => http::Method::from_bytes(other.as_str().as_bytes())
            .map_err(|e| TransportError::other("the request is not valid").with_source(e))?,
    })
}

/// The URI of an operation's request: the endpoint's base, the operation's
/// (encoded) path, and its canonical query, parsed once per call (every
/// attempt clones it, which copies no bytes).
pub(crate) fn request_uri<O: Operation + ?Sized>(
    endpoint: &Endpoint,
    operation: &O,
) -> Result<http::Uri, Error> {
    let path = operation.path();
    let params = operation.query();
    let query = if params.is_empty() {
        String::new()
    } else {
        canonical_query(params.iter().map(|p| (p.name, p.value.as_str())))
    };
    let base = endpoint.base();
    let mut url = String::with_capacity(base.len() + path.len() + 1 + query.len());
    url.push_str(base);
    url.push_str(&path);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query);
    }
    http::Uri::from_maybe_shared(Bytes::from(url))
        .map_err(|e| Error::build(format!("the request URL is not valid: {e}")))
}

/// Records a failed call's kind, code, request id and attempts on its span.
fn record_outcome<T>(span: &tracing::Span, result: &Result<T, Error>) {
    if let Err(error) = result {
        span.record("error_kind", tracing::field::debug(error.kind()));
        span.record("attempts", error.attempts());
        if let Some(code) = error.code() {
            span.record("error_code", code);
        }
        if let Some(id) = error.request_id() {
            span.record("request_id", id);
        }
    }
}

/// The request id in the response headers.
pub(crate) fn header_request_id(response: &HttpResponse) -> Option<String> {
    aliyun_ai_transport::retry::response_request_id(response.headers()).map(str::to_owned)
}

/// Turns an error response into a typed service error.
pub(crate) async fn service_error(response: HttpResponse) -> Error {
    let attempts = attempts(&response);
    let status = response.status().as_u16();
    let header_id = header_request_id(&response);
    let body = response
        .into_body()
        .collect_prefix(aliyun_ai_transport::retry::ERROR_BODY_LIMIT)
        .await
        .unwrap_or_default();
    let parsed = ErrorBody::parse(&body);
    Error::service(
        ServiceError {
            status,
            code: parsed.code,
            message: parsed.message,
            request_id: parsed.request_id.or(header_id),
            body_excerpt: excerpt(&body),
        },
        attempts,
    )
}

/// Reads and decodes a successful response; `request_id` is the one its
/// headers carry (read once by the caller).
async fn decode<T: DeserializeOwned>(
    response: HttpResponse,
    request_id: Option<&str>,
) -> Result<T, Error> {
    let attempts = attempts(&response);
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect_limited(usize::MAX) // read whole by `send_buffered`, under its limit
        .await
        .map_err(|e| Error::transport(e, attempts))?;
    serde_json::from_slice(&body).map_err(|e| {
        let request_id = request_id
            .map(str::to_owned)
            .or_else(|| ErrorBody::parse(&body).request_id);
        Error::decode(status, request_id, excerpt(&body), e).with_attempts(attempts)
    })
}

/// A failure reported inside a successful (HTTP 200) answer.
pub(crate) fn business_error(
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
) -> Error {
    Error::service(
        ServiceError {
            status: 200,
            code,
            message,
            request_id,
            body_excerpt: String::new(),
        },
        1,
    )
}
