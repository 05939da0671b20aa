//! One module per service: what each operation answers. The routing is the
//! models' (`router`); this only names the handler of each action.

mod contactcenterai;
mod dianjin;
mod retailbot;
mod tingwu;

use http::Response;

use aliyun_ai_core::server::WireRequest;

use crate::responders::Body;
use crate::router::{self, Target};
use crate::server::Call;

/// The answer to an authenticated request.
pub fn dispatch(call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
    let service = match &call.target {
        Target::Tokens => return tingwu::tokens(call),
        Target::Storage => return tingwu::storage(call),
        target => target.service().map_or("", |s| s.key),
    };
    match (service, call.action.as_str()) {
        ("contactcenterai", "AnalyzeConversation") => {
            contactcenterai::analyze_conversation(call, truncate)
        }
        ("contactcenterai", "CreateTask") => contactcenterai::create_task(call),
        ("contactcenterai", "GetTaskResult") => contactcenterai::get_task_result(call),
        ("dianjin", "RecognizeIntention") => dianjin::recognize_intention(call),
        ("retailbot", "RecognizeMessage") => retailbot::recognize_message(call),
        // DashScope checks the body's model and input first, then the task.
        ("tingwu", _) => tingwu::dashscope(call),
        _ => from_the_table(call),
    }
}

/// Any other operation: decoded with its generated model (a missing
/// required field is refused, naming it, as the gateway does), answered with
/// the example values of its doc table.
fn from_the_table(call: &Call<'_>) -> Response<Body> {
    let Target::Operation { info, path_params } = &call.target else {
        return call.error(404, "InvalidAction.NotFound", "no such operation");
    };
    let Some(entry) = router::entries(&call.inner.config.operations)
        .find(|entry| std::ptr::eq(entry.info, *info))
    else {
        return call.error(
            501,
            "NotImplemented",
            &format!("the emulator has no answer for {}", info.action),
        );
    };
    let query = aliyun_ai_core::encoding::decode_form(&call.query).unwrap_or_default();
    let wire = WireRequest {
        path_params,
        query: &query,
        body: &call.body,
    };
    match (entry.answer)(&wire) {
        Ok(answer) => call.ok(answer),
        Err(error) => call.invalid_body(&error),
    }
}
