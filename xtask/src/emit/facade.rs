//! The facade's per-operation methods (`crates/aliyun-ai/src/<service>/operations.rs`).

use std::fmt::Write as _;

use super::*;

/// The facade's methods for a service with `facade:` in its header: one per
/// operation (taking the request, which carries its path parameters), plus a
/// `_stream` variant for each operation that can stream. Written to
/// `crates/aliyun-ai/src/<service>/operations.rs`.
pub fn facade(service: &Service) -> Option<String> {
    let (client, _) = service.facade.as_ref()?;
    let models = crate_name(service).replace('-', "_");
    let mut out = generated_header(&format!("docs/apis/{}/", service.key), "//");
    let _ = writeln!(
        out,
        "//! One method per {} operation, generated from its doc table.\n\nuse {models} as models;\n\nuse super::{client};\nuse crate::error::Error;",
        service.title
    );
    let streams = service
        .modules
        .iter()
        .any(|m| matches!(&m.kind, ModuleKind::Operation(op) if op.streams));
    if streams {
        out.push_str("use crate::stream::EventStream;\n");
    }
    let _ = writeln!(out, "\nimpl {client}<'_> {{");
    for module in &service.modules {
        let ModuleKind::Operation(op) = &module.kind else {
            continue;
        };
        let request = &module.structs[op.request];
        let response = &module.structs[op.response];
        let stream_field = op
            .streaming_field
            .as_ref()
            .and_then(|wire| request.fields.iter().find(|f| f.wire == *wire));
        let set_stream = |value: bool| match stream_field {
            Some(field) if field.is_direct(Side::Request) => {
                format!("request.{} = {value};\n", field.rust)
            }
            Some(field) => format!("request.{} = Some({value});\n", field.rust),
            None => String::new(),
        };
        let mutable = if stream_field.is_none() { "" } else { "mut " };
        let summary = doc_text(&module.summary);
        let path_fields: Vec<String> = request
            .fields
            .iter()
            .filter(|f| f.location == Location::Path)
            .map(|f| code_span(&f.wire))
            .collect();
        let args = if path_fields.is_empty() {
            String::new()
        } else {
            format!(
                " Its path parameters ({}) are fields of the request, set by its builder.",
                path_fields.join(", ")
            )
        };
        let call = format!(
            "`{}` ({} {}, [`models::{}`]).{args}",
            op.action,
            op.method,
            code_span(&op.path),
            module.name
        );
        push_doc(&mut out, "    ", &summary);
        let _ = writeln!(out, "    ///");
        let stream_note = match stream_field {
            Some(field) => format!(
                " Asks for the whole answer (`{}` is set to false); [`Self::{}_stream`] streams it.",
                field.wire, module.name
            ),
            None if op.streams => format!(
                " Reads the whole answer; [`Self::{}_stream`] asks for server-sent events.",
                module.name
            ),
            None => String::new(),
        };
        if let Some(protocol) = &op.websocket {
            // A WebSocket operation's session is hand-written, one per
            // sub-protocol (its messages are no doc table's):
            let Some((session, opener)) = websocket_session(protocol) else {
                panic!(
                    "{}: no session type for the WebSocket sub-protocol `{protocol}`",
                    op.action
                );
            };
            push_doc(
                &mut out,
                "    ",
                &format!(
                    "Opens {call} A WebSocket session (sub-protocol `{protocol}`): the upgrade is signed like a GET (its query from the request), then [`{session}`] sends and receives; a refused upgrade is an ordinary error from this call."
                ),
            );
            let _ = writeln!(
                out,
                "    #[cfg(feature = \"websocket\")]\n    pub async fn {name}(self, request: models::{req}) -> Result<{session}, Error> {{\n        self.{opener}(request).await\n    }}\n",
                name = module.name,
                req = request.name,
            );
            continue;
        }
        push_doc(&mut out, "    ", &format!("Calls {call}{stream_note}"));
        let _ = writeln!(
            out,
            "    pub async fn {name}(self, {mutable}request: models::{req}) -> Result<models::{resp}, Error> {{\n{stream}        self.client.execute(&request).await\n    }}\n",
            name = module.name,
            req = request.name,
            resp = response.name,
            stream = set_stream(false),
        );
        if op.paged.is_some() {
            push_doc(
                &mut out,
                "    ",
                &format!(
                    "Every page of `{}` from the request's page (or the first): [`Paginator::pages`](crate::Paginator::pages) streams the answers, [`Paginator::items`](crate::Paginator::items) their items; [`Paginator::page_size`](crate::Paginator::page_size) sets the page size. Each page is one call of [`Self::{}`].",
                    op.action, module.name
                ),
            );
            let _ = writeln!(
                out,
                "    pub fn {name}_paginator(self, request: models::{req}) -> crate::Paginator<models::{req}> {{\n        crate::Paginator::new(self.client, request)\n    }}\n",
                name = module.name,
                req = request.name,
            );
        }
        if op.streams {
            let what = match stream_field {
                Some(field) => format!("`{}` is set to true", field.wire),
                None => "`Accept: text/event-stream`".to_owned(),
            };
            push_doc(
                &mut out,
                "    ",
                &format!(
                    "Streams `{}` as server-sent events ({what}): each event decodes as [`models::{}`]. An HTTP error before the first event is an ordinary error from this call; a failure inside an event ends the stream with that error.",
                    op.action, response.name
                ),
            );
            let _ = writeln!(
                out,
                "    pub async fn {name}_stream(self, {mutable}request: models::{req}) -> Result<EventStream<models::{resp}>, Error> {{\n{stream}        self.client.execute_stream(&request).await\n    }}\n",
                name = module.name,
                req = request.name,
                resp = response.name,
                stream = set_stream(true),
            );
        }
    }
    out.push_str("}\n");
    Some(out)
}

/// The hand-written session of each WebSocket sub-protocol: its type, and the
/// method of the service's client that opens it.
fn websocket_session(protocol: &str) -> Option<(&'static str, &'static str)> {
    match protocol {
        "awap" => Some(("super::realtime::RealtimeDialog", "open_awap_session")),
        _ => None,
    }
}
