//! Routing from the models: every operation of every model crate
//! (`OPERATIONS`, generated from the doc tables) is served at its own method
//! and path template, so no path is typed here by hand. Where several
//! operations share a template (RPC's `POST /`, DashScope's one URL), the
//! action decides: `x-acs-action` or a V1 `Action` parameter for POP services,
//! `input.task` in the body for DashScope.
//!
//! Three routes are not operations of a model: DashScope's temporary tokens,
//! the object-storage URLs of the result files, and the WebSocket of
//! Tingwu's live meetings.

use aliyun_ai_core::server::ServerEntry;
use aliyun_ai_core::{Method as OperationMethod, OperationInfo, ServiceInfo, Style};
use http::{HeaderMap, Method};

use crate::query::query_param;
use serde_json::Value;

/// Where a Tingwu live meeting's `MeetingJoinUrl` points.
pub const MEETING_PATH: &str = "/tingwu/realtime/v1";

/// Every operation the emulator serves: the generated model crates' and the
/// `extra` ones configured ([`EmulatorConfig::with_operations`](crate::EmulatorConfig::with_operations)),
/// each with how to decode and answer it.
pub fn entries<'a>(extra: &'a [ServerEntry]) -> impl Iterator<Item = &'a ServerEntry> {
    crate::models::server_operations()
        .map(|entry| -> &'a ServerEntry { entry })
        .chain(extra)
}

/// What a request is for.
#[derive(Debug, Clone)]
pub enum Target {
    /// An operation of a model, with the path parameters as received
    /// (still percent-encoded), by name.
    Operation {
        /// The table entry found: its facts, and how to decode and answer it.
        entry: ServerEntry,
        path_params: Vec<(String, String)>,
    },
    /// A path of a service that serves several operations there, with an
    /// action none of them has.
    UnknownAction {
        service: &'static ServiceInfo,
        action: Option<String>,
    },
    /// `POST /api/v1/tokens`: DashScope temporary tokens.
    Tokens,
    /// `GET /storage/{kind}/{dataId}`: a Tingwu result file.
    Storage,
    /// `GET /tingwu/realtime/v1?mc=..`: a Tingwu live meeting's audio stream.
    Meeting,
}

impl Target {
    /// The name fault rules and logs use (`AnalyzeConversation`, `getTask`,
    /// `Tokens`, `Storage`).
    pub fn action(&self) -> String {
        match self {
            Target::Operation { entry, .. } => entry.info.action.to_owned(),
            Target::UnknownAction { action, .. } => {
                action.clone().unwrap_or_else(|| "unknown".into())
            }
            Target::Tokens => "Tokens".into(),
            Target::Storage => "Storage".into(),
            Target::Meeting => "Meeting".into(),
        }
    }

    /// The service, for operations.
    pub fn service(&self) -> Option<&'static ServiceInfo> {
        match self {
            Target::Operation { entry, .. } => Some(entry.info.service),
            Target::UnknownAction { service, .. } => Some(service),
            Target::Tokens | Target::Storage | Target::Meeting => None,
        }
    }
}

fn method_matches(info: &OperationInfo, method: &Method) -> bool {
    // RPC gateways take an action by GET or POST alike.
    if info.service.style == Style::Rpc {
        return method == Method::GET || method == Method::POST;
    }
    let expected = match info.method {
        OperationMethod::Get => Method::GET,
        OperationMethod::Post => Method::POST,
        OperationMethod::Put => Method::PUT,
        OperationMethod::Delete => Method::DELETE,
        _ => return false,
    };
    *method == expected
}

/// The path parameters when `path` fits `template` (`{name}` fits any one
/// non-empty segment).
fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    if template.len() != path.len() {
        return None;
    }
    let mut params = Vec::new();
    for (expected, actual) in template.iter().zip(&path) {
        match expected
            .strip_prefix('{')
            .and_then(|name| name.strip_suffix('}'))
        {
            Some(name) if !actual.is_empty() => {
                params.push((name.to_owned(), (*actual).to_owned()));
            }
            Some(_) => return None,
            None if expected == actual => {}
            None => return None,
        }
    }
    Some(params)
}

/// The action a request names, the way its service's clients name it.
fn requested_action(
    service: &ServiceInfo,
    headers: &HeaderMap,
    query: &str,
    body: &[u8],
) -> Option<String> {
    match service.style {
        Style::DashScope => serde_json::from_slice::<Value>(body)
            .ok()?
            .pointer("/input/task")?
            .as_str()
            .map(str::to_owned),
        _ => headers
            .get("x-acs-action")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| query_param(query, "Action"))
            .or_else(|| {
                std::str::from_utf8(body)
                    .ok()
                    .and_then(|t| query_param(t, "Action"))
            }),
    }
}

/// Routes a request. `None` is a path no operation is served at.
pub fn route(
    extra: &[ServerEntry],
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    query: &str,
    body: &[u8],
) -> Option<Target> {
    // A gateway routes `/a/b/` as `/a/b` (the vendor's DashScope SDK adds the
    // slash, `docs/vendor/apis.md`); the signature still covers the path as sent.
    let path = if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    };
    if method == Method::POST && path == "/api/v1/tokens" {
        return Some(Target::Tokens);
    }
    if method == Method::GET && path.starts_with("/storage/") && path.split('/').count() == 4 {
        return Some(Target::Storage);
    }
    if method == Method::GET && path == MEETING_PATH {
        return Some(Target::Meeting);
    }
    let candidates: Vec<(ServerEntry, Vec<(String, String)>)> = entries(extra)
        .filter(|entry| method_matches(entry.info, method))
        .filter_map(|entry| match_template(entry.info.path_template, path).map(|p| (*entry, p)))
        .collect();
    let (first, _) = candidates.first()?;
    let service = first.info.service;
    let shared = candidates.len() > 1 || service.style != Style::Roa;
    if !shared {
        let (entry, path_params) = candidates.into_iter().next()?;
        return Some(Target::Operation { entry, path_params });
    }
    let action = requested_action(service, headers, query, body);
    match candidates
        .into_iter()
        .find(|(entry, _)| Some(entry.info.action) == action.as_deref())
    {
        Some((entry, path_params)) => Some(Target::Operation { entry, path_params }),
        None => Some(Target::UnknownAction { service, action }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_routed_at_its_own_template() {
        for info in entries(&[]).map(|e| e.info) {
            let path = info
                .path_template
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "x"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = match info.method {
                OperationMethod::Get => Method::GET,
                OperationMethod::Put => Method::PUT,
                OperationMethod::Delete => Method::DELETE,
                _ => Method::POST,
            };
            let mut headers = HeaderMap::new();
            headers.insert("x-acs-action", info.action.parse().unwrap());
            let body = format!(r#"{{"input": {{"task": "{}"}}}}"#, info.action);
            let Some(Target::Operation { entry, .. }) =
                route(&[], &method, &path, &headers, "", body.as_bytes())
            else {
                panic!("{} is not routed", info.action);
            };
            assert!(std::ptr::eq(entry.info, info), "{}", info.action);
        }
    }

    #[test]
    fn templates_capture_path_parameters_as_received() {
        assert_eq!(
            match_template(
                "/{workspaceId}/api/recog/intent",
                "/ws%201/api/recog/intent"
            ),
            Some(vec![("workspaceId".into(), "ws%201".into())])
        );
        assert_eq!(match_template("/{a}/x", "//x"), None);
        assert_eq!(match_template("/a/x", "/a/y"), None);
    }
}
