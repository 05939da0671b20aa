//! One request's life: read the body, route it (`router`), inject faults,
//! apply the QPS limit, authenticate by the operation's auth scheme (`auth`),
//! and hand it to its service's handler (`handlers`).

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use aliyun_ai_core::{AuthScheme, Style};
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::{Value, json};

use crate::EmulatorConfig;
use crate::auth::{Received, Refusal, Verifier};
use crate::handlers;
use crate::responders::{self, Body, DropConnection, Family, error_response, json_response};
use crate::router::{self, Target};
use crate::state::{Fault, Shared};

/// What the handlers share.
pub struct Inner {
    pub config: EmulatorConfig,
    pub state: Shared,
    pub base_url: String,
    /// Client connections open now.
    pub open_connections: std::sync::atomic::AtomicUsize,
}

impl Inner {
    /// The emulator's wall clock ([`EmulatorConfig::clock`]).
    pub fn now(&self) -> SystemTime {
        self.config.clock.now()
    }

    pub fn unix_now(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// Every value of a query (or form) parameter, in order: a name may repeat
/// (`a=x&a=y`, the `repeat` array style).
pub fn query_values(query: &str, name: &str) -> Vec<String> {
    aliyun_ai_auth::encoding::decode_form(query)
        .unwrap_or_default()
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v)
        .collect()
}

/// The first value of a query (or form) parameter.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query_values(query, name).into_iter().next()
}

/// The request as the handlers see it.
pub struct Call<'a> {
    pub inner: &'a Inner,
    pub target: Target,
    pub action: String,
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub request_id: String,
    pub host: String,
}

impl Call<'_> {
    /// A path parameter of the operation's template, percent-decoded.
    pub fn path_param(&self, name: &str) -> Option<String> {
        let Target::Operation { path_params, .. } = &self.target else {
            return None;
        };
        let wire = aliyun_ai_core::server::WireRequest {
            path_params,
            query: &[],
            body: &[],
        };
        wire.path_param(name).ok()
    }

    /// The family of error bodies this request gets.
    fn family(&self) -> Family {
        match &self.target {
            Target::Storage => Family::Storage,
            Target::Tokens => Family::DashScope,
            other => match other.service().map(|s| s.style) {
                Some(Style::DashScope) => Family::DashScope,
                _ => Family::Pop,
            },
        }
    }

    /// An error answer in the body format of the request's service.
    pub fn error(&self, status: u16, code: &str, message: &str) -> Response<Body> {
        error_response(
            self.family(),
            status,
            code,
            message,
            &self.request_id,
            &self.host,
            &[],
        )
    }

    fn refusal(&self, refusal: Refusal) -> Response<Body> {
        // With --debug-signatures: what the emulator computed, so a user can
        // diff their canonical request against it line by line.
        let mut extra = Vec::new();
        if let Some(expected) = refusal.expected {
            if let Some(canonical) = expected.canonical_request {
                extra.push(("CanonicalRequest", canonical));
            }
            extra.push(("StringToSign", expected.string_to_sign));
        }
        error_response(
            self.family(),
            refusal.status,
            refusal.code,
            &refusal.message,
            &self.request_id,
            &self.host,
            &extra,
        )
    }

    /// The error of a request body that does not decode: a missing field is
    /// `MissParam` (403), anything else `IllegalParamValue` (400), as CCAI answers.
    pub fn invalid_body(&self, error: &dyn std::fmt::Display) -> Response<Body> {
        let message = error.to_string();
        let missing = message
            .split_once("missing field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(field, _)| field.to_owned());
        let service = self.target.service().map(|s| s.key);
        match self.family() {
            Family::DashScope => self.error(400, "InvalidParameter", &message),
            // CCAI's metadata lists its own 403 for a missing parameter.
            _ if missing.is_some() && service == Some("contactcenterai") => self.error(
                403,
                "CCAI.ParamNotfound.MissParam",
                &format!("Parameter verification failed, {message}"),
            ),
            // The POP gateway's own answer for the other services.
            _ if missing.is_some() => self.error(
                400,
                "MissingParameter",
                &format!(
                    "The input parameter \"{}\" that is mandatory for processing this request is not supplied.",
                    missing.unwrap_or_default()
                ),
            ),
            _ => self.error(
                400,
                "CCAI.ParamInvalid.IllegalParamValue",
                &format!("The parameter value of the request API is illegal {message}"),
            ),
        }
    }

    /// Each service's own throttling answer (`docs/vendor/apis.md`).
    fn throttled(&self) -> Response<Body> {
        // The first throttling code the service's doc tables document
        // (`ServiceInfo::errors`), with its status and the vendor's message.
        let throttling = self
            .target
            .service()
            .and_then(|s| s.first_error_of(aliyun_ai_core::ErrorClass::Throttling));
        match throttling {
            Some(code) => self.error(code.status, code.code, code.meaning),
            None => self.error(429, "Throttling", "Request was denied due to flow control."),
        }
    }

    /// A 200 answer, with the request id where the service puts it.
    pub fn ok(&self, mut body: Value) -> Response<Body> {
        match self.family() {
            Family::DashScope => body["request_id"] = json!(self.request_id),
            _ if body.get("Success").is_some() => body["RequestId"] = json!(self.request_id),
            _ => body["requestId"] = json!(self.request_id),
        }
        json_response(200, &body, &self.request_id)
    }
}

/// Handles one request.
pub async fn handle(
    inner: Arc<Inner>,
    request: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let request_id = format!("EMU-{}", inner.state.next_id("").to_uppercase());
    // An OSS PostObject upload is read as it arrives, never held whole.
    if method == Method::POST {
        if let Some(bucket) = path.strip_prefix("/oss/").map(|b| b.trim_end_matches('/')) {
            if !bucket.is_empty() && !bucket.contains('/') {
                let content_type = parts
                    .headers
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let response =
                    crate::oss::post_object(&inner, bucket, content_type, body, &request_id).await;
                tracing::info!(%method, path, action = "PostObject", status = response.status().as_u16(), "request");
                return Ok(response);
            }
        }
    }
    let body = match Limited::new(body, 10 * 1024 * 1024).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Ok(error_response(
                Family::Pop,
                413,
                "RequestTooLarge",
                "the request body is too large or broken",
                &request_id,
                &host,
                &[],
            ));
        }
    };
    let target = router::route(
        &inner.config.operations,
        &method,
        &path,
        &parts.headers,
        &query,
        &body,
    );
    let target = match target {
        Some(Target::UnknownAction { service, .. }) if service.style != Style::DashScope => None,
        other => other,
    };
    let Some(target) = target else {
        let response = error_response(
            Family::Pop,
            404,
            "InvalidAction.NotFound",
            &format!("no emulated operation at {method} {path}"),
            &request_id,
            &host,
            &[],
        );
        tracing::info!(%method, path, status = 404, "no such operation");
        return Ok(response);
    };
    let call = Call {
        inner: &inner,
        action: target.action(),
        target,
        method: method.clone(),
        path,
        query,
        headers: parts.headers,
        body,
        request_id,
        host,
    };
    let response = answer(&call).await;
    match &response {
        Ok(response) => {
            tracing::info!(%method, path = call.path, action = call.action, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request")
        }
        Err(_) => {
            tracing::info!(%method, path = call.path, action = call.action, "connection dropped (fault injection)")
        }
    }
    response
}

async fn answer(call: &Call<'_>) -> Result<Response<Body>, DropConnection> {
    let config = &call.inner.config;
    // Faults: the request's header first, then the configured rules.
    let fault = call
        .headers
        .get("x-emulator-fault")
        .and_then(|v| v.to_str().ok())
        .and_then(Fault::parse)
        .or_else(|| call.inner.state.take_fault(&call.action));
    let mut truncate = None;
    let mut cut = None;
    match fault {
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::Error { status, code }) => {
            return Ok(call.error(status, &code, &format!("{code} (injected by the emulator)")));
        }
        Some(Fault::DropConnection) => return Err(DropConnection),
        Some(Fault::TruncateStream(events)) => truncate = Some(events),
        Some(Fault::Respond {
            status,
            headers,
            body,
        }) => return Ok(responders::raw(status, &headers, body, &call.request_id)),
        Some(Fault::Flood {
            content_type,
            prefix,
            filler,
            bytes,
        }) => {
            return Ok(responders::flood(
                &content_type,
                prefix,
                filler,
                bytes,
                &call.request_id,
            ));
        }
        Some(Fault::ResetMidBody) => cut = Some(responders::Cut::Reset),
        Some(Fault::StallMidBody) => cut = Some(responders::Cut::Stall),
        None => {}
    }
    if let Some(limit) = config.qps_limit {
        if !matches!(call.target, Target::Storage) && call.inner.state.over_qps(&call.action, limit)
        {
            return Ok(call.throttled());
        }
    }
    let verifier = Verifier {
        credentials: &config.credentials,
        state: &call.inner.state,
        clock: config.clock.as_ref(),
        debug: config.debug_signatures,
    };
    let checked = match &call.target {
        Target::Storage => Ok(()),
        Target::Tokens => verifier.check_bearer(&call.headers, true),
        target => match target.service() {
            Some(service) if service.auth == AuthScheme::Bearer => {
                verifier.check_bearer(&call.headers, false)
            }
            Some(service) => verifier.check_access_key(
                &Received {
                    method: call.method.as_str(),
                    path: &call.path,
                    query: &call.query,
                    headers: &call.headers,
                    body: &call.body,
                },
                service.style == Style::Rpc,
            ),
            None => Ok(()),
        },
    };
    if let Err(refusal) = checked {
        return Ok(call.refusal(refusal));
    }
    call.inner.state.with(|state| {
        *state.handled.entry(call.action.clone()).or_default() += 1;
    });
    let response = handlers::dispatch(call, truncate);
    Ok(match cut {
        Some(cut) => responders::cut_halfway(response, cut).await,
        None => response,
    })
}
