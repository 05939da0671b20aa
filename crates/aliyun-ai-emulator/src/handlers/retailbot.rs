//! RetailBot: RecognizeMessage (RPC, a form body or a GET's query).

mod answers;

use aliyun_ai_models_retailbot::recognize_message::RecognizeMessageRequest;
use http::Response;

use super::table::{Emulated, from_the_table, stateless};
use crate::call::Call;
use crate::responders::Body;

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
    call.ok(answers::recognize_message(&request))
}

/// RetailBot: a scene and suggested replies from the message.
pub(super) struct RetailBot;

impl Emulated for RetailBot {
    fn key(&self) -> &'static str {
        "retailbot"
    }

    fn answer(&self, call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
        match call.action.as_str() {
            "RecognizeMessage" => recognize_message(call),
            _ => from_the_table(self, call, truncate, stateless),
        }
    }
}
