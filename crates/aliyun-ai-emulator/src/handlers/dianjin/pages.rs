//! The paged DianJin lists the emulator holds no state for:
//! GetDocumentChunkList (a document's chunks) and GetHistoryListByBizType
//! (the chat history). Each list is the table example's record made
//! [`RECORDS`] times, numbered (`chunkId` / `id` from 1), and paged by
//! `page`/`pageSize` like the libraries, so a paginator walks real pages.
//! The count is the emulator's choice.

use serde_json::{Value, json};

use super::library::page;
use crate::call::Call;
use crate::handlers::table::{ErrorAnswer, Params};

/// How many records each list holds.
pub(super) const RECORDS: usize = 7;

pub(super) fn handles(action: &str) -> bool {
    matches!(action, "GetDocumentChunkList" | "GetHistoryListByBizType")
}

pub(super) fn answer(
    call: &Call<'_>,
    request: &Params,
    mut answer: Value,
) -> Result<Value, ErrorAnswer> {
    let example = answer["data"]["records"][0].clone();
    let id_key = if call.action == "GetDocumentChunkList" {
        "chunkId"
    } else {
        "id"
    };
    let records: Vec<Value> = (1..=RECORDS)
        .map(|n| {
            let mut record = example.clone();
            record[id_key] = if id_key == "id" {
                json!(n)
            } else {
                json!(n.to_string())
            };
            record
        })
        .collect();
    answer["data"] = page(request, records);
    Ok(answer)
}
