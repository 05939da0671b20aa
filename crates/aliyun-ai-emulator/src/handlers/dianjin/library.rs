//! DianJin document libraries and their documents, kept in memory: create,
//! get, list, update and delete a library; upload (by URL, e.g. one the
//! emulated OSS PostObject returned), list, update and delete documents, and
//! read a document's parse result, URL and preview.
//!
//! Each answer starts from the operation's table example (already decoded and
//! checked with the generated model) and is rewritten from the state. An id the
//! emulator does not hold answers DianJin's way, `success: false` inside HTTP
//! 200, with the emulator's `ResourceNotFound` code (`unknown_id_code`).

use serde_json::{Value, json};

use crate::call::Call;
use crate::handlers::table::{ErrorAnswer, Params};

const ACTIONS: &[&str] = &[
    "CreateLibrary",
    "GetLibrary",
    "GetLibraryList",
    "UpdateLibrary",
    "DeleteLibrary",
    "UploadDocument",
    "GetDocumentList",
    "GetFilterDocumentList",
    "DeleteDocument",
    "UpdateDocument",
    "GetParseResult",
    "GetDocumentUrl",
    "PreviewDocument",
];

pub(super) fn handles(action: &str) -> bool {
    ACTIONS.contains(&action)
}

/// DianJin's answer for an id the emulator does not hold.
pub(super) fn not_found(call: &Call<'_>, what: &str, id: &str) -> ErrorAnswer {
    Box::new(call.ok(json!({
        "success": false,
        "errCode": super::UNKNOWN_ID,
        "message": format!("{what} `{id}` does not exist"),
        "data": null,
    })))
}

/// `yyyy-MM-dd HH:mm:ss`, DianJin's time format.
pub(super) fn timestamp(call: &Call<'_>) -> String {
    let iso = aliyun_ai_auth::time::format_iso8601(call.inner.now());
    iso.trim_end_matches('Z').replacen('T', " ", 1)
}

pub(super) fn answer(
    call: &Call<'_>,
    request: &Params,
    mut answer: Value,
) -> Result<Value, ErrorAnswer> {
    let state = &call.inner.state;
    let now = timestamp(call);
    let library_id = request.text("libraryId").unwrap_or_default();
    let library_exists = state.with(|s| s.libraries.contains_key(&library_id));
    let needs_library = !matches!(
        call.action.as_str(),
        "CreateLibrary" | "GetLibraryList" | "GetDocumentUrl" | "PreviewDocument"
    );
    if needs_library && !library_exists {
        return Err(not_found(call, "library", &library_id));
    }
    match call.action.as_str() {
        "CreateLibrary" => {
            let id = state.next_id("lib");
            let library = json!({
                "id": id,
                "libraryName": request.text("libraryName"),
                "description": request.text("description"),
                "indexSetting": request.body("indexSetting").cloned().unwrap_or(json!({})),
                "documentCount": 0,
                "gmtCreate": now,
                "gmtModified": now,
            });
            state.with(|s| s.libraries.insert(id.clone(), library));
            answer["data"] = json!(id);
        }
        "GetLibrary" => answer["data"] = library_view(call, &library_id),
        "GetLibraryList" => {
            let query = request.text("query").unwrap_or_default();
            let ids: Vec<String> = state.with(|s| {
                s.libraries
                    .iter()
                    .filter(|(_, l)| {
                        query.is_empty()
                            || ["libraryName", "description"]
                                .iter()
                                .any(|k| l[*k].as_str().is_some_and(|t| t.contains(query.as_str())))
                    })
                    .map(|(id, _)| id.clone())
                    .collect()
            });
            let records: Vec<Value> = ids.iter().map(|id| library_view(call, id)).collect();
            answer["data"] = page(request, records);
        }
        "UpdateLibrary" => {
            state.with(|s| {
                if let Some(library) = s.libraries.get_mut(&library_id) {
                    for key in ["libraryName", "description", "indexSetting"] {
                        if let Some(value) = request.body(key) {
                            library[key] = value.clone();
                        }
                    }
                    library["gmtModified"] = json!(now);
                }
            });
            answer["data"] = json!(library_id);
        }
        "DeleteLibrary" => state.with(|s| {
            s.libraries.remove(&library_id);
            s.documents
                .retain(|_, d| d["libraryId"] != json!(library_id));
        }),
        "UploadDocument" => {
            let id = state.next_id("doc");
            let url = request.text("fileUrl").unwrap_or_default();
            let name = request.text("fileName").unwrap_or_default();
            let file_type = name.rsplit_once('.').map(|(_, ext)| ext.to_lowercase());
            let document = json!({
                "docId": id,
                "libraryId": library_id,
                "title": name,
                "url": url,
                "fileType": file_type,
                "statusCode": "finish",
                "documentMeta": {},
                "gmtCreate": now,
                "gmtModified": now,
            });
            state.with(|s| s.documents.insert(id.clone(), document));
            answer["data"] = json!(id);
        }
        "GetDocumentList" | "GetFilterDocumentList" => {
            let status = request.text("status");
            let records: Vec<Value> = state.with(|s| {
                s.documents
                    .values()
                    .filter(|d| d["libraryId"] == json!(library_id))
                    .filter(|d| {
                        status
                            .as_ref()
                            .is_none_or(|st| d["statusCode"] == json!(st))
                    })
                    .cloned()
                    .collect()
            });
            answer["data"] = page(request, records);
        }
        "DeleteDocument" => {
            let ids = request.list("docIds");
            state.with(|s| {
                for id in &ids {
                    if s.documents
                        .get(id)
                        .is_some_and(|d| d["libraryId"] == json!(library_id))
                    {
                        s.documents.remove(id);
                    }
                }
            });
            answer["data"] = json!(true);
        }
        "UpdateDocument" | "GetParseResult" => {
            let id = request.text("docId").unwrap_or_default();
            let document = state.with(|s| {
                s.documents
                    .get(&id)
                    .filter(|d| d["libraryId"] == json!(library_id))
                    .cloned()
            });
            let Some(document) = document else {
                return Err(not_found(call, "document", &id));
            };
            if call.action == "UpdateDocument" {
                state.with(|s| {
                    if let Some(stored) = s.documents.get_mut(&id) {
                        if let Some(title) = request.text("title") {
                            stored["title"] = json!(title);
                        }
                        if let Some(meta) = request.body("meta") {
                            stored["documentMeta"] = meta.clone();
                        }
                        stored["gmtModified"] = json!(now);
                    }
                });
                answer["data"] = json!(id);
            } else {
                answer["data"] = parse_result(call, &document);
            }
        }
        // By document id alone (the metadata's query has no library).
        "GetDocumentUrl" | "PreviewDocument" => {
            let id = request.text("documentId").unwrap_or_default();
            let Some(document) = state.with(|s| s.documents.get(&id).cloned()) else {
                return Err(not_found(call, "document", &id));
            };
            if call.action == "GetDocumentUrl" {
                answer["data"] = document["url"].clone();
            } else if let Some(data) = answer.get_mut("data").and_then(Value::as_object_mut) {
                data.insert("title".into(), document["title"].clone());
                data.insert("docType".into(), document["fileType"].clone());
            }
        }
        _ => {}
    }
    Ok(answer)
}

/// A library with its current document count.
fn library_view(call: &Call<'_>, id: &str) -> Value {
    call.inner.state.with(|s| {
        let mut library = s.libraries.get(id).cloned().unwrap_or(Value::Null);
        let count = s
            .documents
            .values()
            .filter(|d| d["libraryId"] == json!(id))
            .count();
        if library.is_object() {
            library["documentCount"] = json!(count);
        }
        library
    })
}

/// The page `page`/`pageSize` asks for (1-based; defaults 1 and 10).
pub(super) fn page(request: &Params, records: Vec<Value>) -> Value {
    let size = request.number("pageSize").filter(|n| *n > 0).unwrap_or(10) as usize;
    let number = request.number("page").filter(|n| *n > 0).unwrap_or(1) as usize;
    let total = records.len();
    let items: Vec<Value> = records
        .into_iter()
        .skip((number - 1).saturating_mul(size))
        .take(size)
        .collect();
    json!({
        "currentPage": number,
        "pageSize": size,
        "totalRecords": total,
        "totalPages": total.div_ceil(size),
        "records": items,
    })
}

/// A document's parse result: for a file uploaded to the emulated OSS, its
/// size, digest and first text; otherwise what is known of its URL.
fn parse_result(call: &Call<'_>, document: &Value) -> Value {
    let url = document["url"].as_str().unwrap_or_default();
    let key = url
        .split_once("/oss/")
        .map(|(_, rest)| rest.split('?').next().unwrap_or(rest).to_owned());
    let stored = key.and_then(|k| call.inner.state.with(|s| s.objects.get(&k).cloned()));
    let result = match stored {
        Some(object) => json!({
            "size": object.size,
            "sha256": object.sha256,
            "text": String::from_utf8_lossy(&object.head),
        }),
        None => json!({"url": url}),
    };
    json!({
        "fileType": document["fileType"],
        "providerType": "emulator",
        "requestId": call.request_id,
        "status": "SUCCESS",
        "result": result,
    })
}
