//! One module per service: what each operation answers. The routing is the
//! models' (`router`); this only names the handler of each action.

mod contactcenterai;
mod dianjin;
mod retailbot;
mod tingwu;

use http::Response;

use crate::responders::Body;
use crate::router::Target;
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
        (_, action) => call.error(
            501,
            "NotImplemented",
            &format!("the emulator has no answer for {action} yet"),
        ),
    }
}
