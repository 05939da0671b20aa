//! DianJin: RecognizeIntention, business failures inside HTTP 200.

mod answers;

/// The code of an id the emulator does not hold, inside DianJin's
/// `success: false` (the vendor publishes none: the emulator's choice).
const UNKNOWN_ID: &str = "ResourceNotFound";

mod chat;
mod entitlements;
mod library;
mod media;
mod pages;
mod reports;
mod tasks;

use aliyun_ai_models_dianjin::recognize_intention::RecognizeIntentionRequest;
use http::Response;
use serde_json::json;

use super::table::{Emulated, from_the_table, stateless};
use crate::call::Call;
use crate::responders::Body;

pub(super) fn recognize_intention(call: &Call<'_>) -> Response<Body> {
    let mut request: RecognizeIntentionRequest = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return DianJin.invalid_body(call, &error),
    };
    // The body holds no path parameter: the route has it.
    request.workspace_id = call.path_param("workspaceId").unwrap_or_default();
    // DianJin reports business failures inside HTTP 200 (`docs/vendor/apis.md`).
    if let Err(error) = aliyun_ai_core::Operation::validate(&request) {
        return call.ok(json!({"success": false, "errCode": "InvalidParameter", "message": error.to_string(), "data": null}));
    }
    call.ok(answers::recognize_intention(&request))
}

/// DianJin: intention recognition, document libraries and task lifecycles.
pub(super) struct DianJin;

impl Emulated for DianJin {
    fn key(&self) -> &'static str {
        "dianjin"
    }

    fn answer(&self, call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
        match call.action.as_str() {
            "RecognizeIntention" => recognize_intention(call),
            action if library::handles(action) => {
                from_the_table(self, call, truncate, library::answer)
            }
            action if tasks::handles(action) => from_the_table(self, call, truncate, tasks::answer),
            action if pages::handles(action) => from_the_table(self, call, truncate, pages::answer),
            action if media::handles(action) => from_the_table(self, call, truncate, media::answer),
            action if reports::handles(action) => {
                from_the_table(self, call, truncate, reports::answer)
            }
            action if chat::handles(action) => from_the_table(self, call, truncate, chat::answer),
            action if entitlements::handles(action) => {
                from_the_table(self, call, truncate, entitlements::answer)
            }
            _ => from_the_table(self, call, truncate, stateless),
        }
    }

    /// Failures arrive as `success: false` with an `errCode`; the vendor
    /// publishes no code for an unknown id, so this is the emulator's choice.
    fn unknown_id_code(&self) -> Option<&'static str> {
        Some(UNKNOWN_ID)
    }
}
