//! RetailBot: RecognizeMessage (RPC, a form body or a GET's query).

use aliyun_ai_models_retailbot::recognize_message::RecognizeMessageRequest;
use http::Response;

use crate::responders::Body;
use crate::server::Call;
use crate::services;

pub(super) fn recognize_message(call: &Call<'_>) -> Response<Body> {
    // RPC parameters travel in the form body, or in the query of a GET
    // (every RPC gateway accepts both); V1's common parameters are ignored.
    let text = if call.body.is_empty() {
        call.query.clone()
    } else {
        String::from_utf8_lossy(&call.body).into_owned()
    };
    let request = match RecognizeMessageRequest::from_form(&text) {
        Ok(request) => request,
        Err(error) => {
            let message = error.to_string();
            return if message.contains("missing field") {
                call.error(400, "MissingParameter", &message)
            } else {
                call.error(400, "InvalidParameter", &message)
            };
        }
    };
    call.ok(services::recognize_message(&request))
}
