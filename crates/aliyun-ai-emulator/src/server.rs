//! One request's life: read the body, route it (`router`), inject faults,
//! apply the QPS limit, authenticate by the operation's auth scheme (`auth`),
//! and hand it to its service's handler (`handlers`).

use std::sync::Arc;
use std::time::Instant;

use aliyun_ai_core::{AuthScheme, Style};
use http::{Method, Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;

use crate::auth::{Received, Verifier};
use crate::call::{Call, Inner};
use crate::handlers;
use crate::realtime;
use crate::responders::{self, Body, DropConnection, Family, error_response};
use crate::router::{self, Target};
use crate::state::Fault;
use crate::upgrade;

/// Handles one request.
pub async fn handle(
    inner: Arc<Inner>,
    mut request: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
    let started = Instant::now();
    // A WebSocket upgrade: the connection is taken over once the 101 is sent.
    let on_upgrade =
        upgrade::is_upgrade(request.headers()).then(|| hyper::upgrade::on(&mut request));
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
    // A declared length over the limit is refused at once, before any of
    // the body is awaited (a client declaring 1 GiB and sending 10 bytes
    // must not hold the connection); the connection is closed after.
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > BODY_LIMIT as u64) {
        let mut response = error_response(
            Family::Pop,
            413,
            "RequestTooLarge",
            "the request body is larger than the emulator accepts (10 MiB)",
            &request_id,
            &host,
            &[],
        );
        response.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
        return Ok(response);
    }
    let body = match Limited::new(body, BODY_LIMIT).collect().await {
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
    let response = answer(&call, on_upgrade).await;
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

/// The largest request body the emulator reads (an OSS upload is streamed
/// and has its own limit).
const BODY_LIMIT: usize = 10 * 1024 * 1024;

async fn answer(
    call: &Call<'_>,
    on_upgrade: Option<hyper::upgrade::OnUpgrade>,
) -> Result<Response<Body>, DropConnection> {
    let config = &call.inner.config;
    // Faults: the request's header first, then the configured rules.
    let from_header = config
        .fault_header
        .then(|| call.headers.get("x-emulator-fault"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(Fault::parse);
    let fault = from_header.or_else(|| call.inner.state.take_fault(&call.action));
    let mut truncate = None;
    let mut cut = None;
    let mut error_after = None;
    match fault {
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::Error { status, code }) => {
            return Ok(call.error(status, &code, &format!("{code} (injected by the emulator)")));
        }
        Some(Fault::DropConnection) => return Err(DropConnection),
        Some(Fault::Throttle) => return Ok(call.throttled()),
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
        Some(Fault::ErrorAfterHandling { status, code }) => error_after = Some((status, code)),
        Some(Fault::ResetMidBody) => cut = Some(responders::Cut::Reset),
        Some(Fault::StallMidBody) => cut = Some(responders::Cut::Stall),
        None => {}
    }
    if let Some(limit) = config.qps_limit {
        if !matches!(call.target, Target::Storage | Target::Meeting)
            && call.inner.state.over_qps(&call.action, limit)
        {
            return Ok(call.throttled());
        }
    }
    let verifier = Verifier {
        credentials: &config.credentials,
        state: &call.inner.state,
        time: config.time.as_ref(),
        debug: config.debug_signatures,
    };
    let checked = match &call.target {
        // A storage URL carries its own signature; a meeting's, its `mc`.
        Target::Storage | Target::Meeting => Ok(()),
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
    if let Target::Meeting = call.target {
        return Ok(handlers::meeting(call, on_upgrade));
    }
    // An operation its table marks `streaming: websocket awap` is a session
    // once its upgrade is verified (`realtime`).
    if let (Some(on_upgrade), Target::Operation { entry, .. }) = (on_upgrade, &call.target) {
        if entry.info.websocket == Some(realtime::PROTOCOL) {
            return Ok(realtime::accept(call, on_upgrade));
        }
    }
    let response = handlers::dispatch(call, truncate);
    if let Some((status, code)) = error_after {
        // The handler's effects stay; its answer never reaches the client.
        return Ok(call.error(
            status,
            &code,
            &format!("{code} (injected by the emulator after handling the request)"),
        ));
    }
    Ok(match cut {
        Some(cut) => responders::cut_halfway(response, cut).await,
        None => response,
    })
}
