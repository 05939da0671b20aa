//! DianJin: RecognizeIntention, business failures inside HTTP 200.

use aliyun_ai_models_dianjin::recognize_intention::RecognizeIntentionRequest;
use http::Response;
use serde_json::json;

use crate::responders::Body;
use crate::server::Call;
use crate::services;

pub(super) fn recognize_intention(call: &Call<'_>) -> Response<Body> {
    let mut request: RecognizeIntentionRequest = match serde_json::from_slice(&call.body) {
        Ok(request) => request,
        Err(error) => return call.invalid_body(&error),
    };
    // The body holds no path parameter: the route has it.
    request.workspace_id = call.path_param("workspaceId").unwrap_or_default();
    // DianJin reports business failures inside HTTP 200 (`docs/vendor/apis.md`).
    if let Err(error) = aliyun_ai_core::Operation::validate(&request) {
        return call.ok(json!({"success": false, "errCode": "InvalidParameter", "message": error.to_string(), "data": null}));
    }
    call.ok(services::recognize_intention(&request))
}
