//! One module per service: what each operation answers. The routing is the
//! models' (`router`); this only names the handler of each action.

mod contactcenterai;
mod customerprofile;
mod dianjin;
mod growing;
mod openplatform;
mod retailbot;
mod storage;
mod table;
mod tingwu;

pub(crate) use customerprofile::transcript_lines;

use http::Response;

use crate::call::Call;
use crate::responders::Body;
use crate::router::Target;

use table::{Emulated, TableOnly};

/// Every emulated service, one line each: a new service is its handler file
/// (`handlers/<service>.rs`, an [`Emulated`]) and its line here.
const SERVICES: &[&dyn Emulated] = &[
    &contactcenterai::ContactCenterAi,
    &dianjin::DianJin,
    &openplatform::OpenPlatform,
    &retailbot::RetailBot,
    &customerprofile::CustomerProfileApp,
    &tingwu::Tingwu,
];

/// The registered service of `key`.
fn service(key: &str) -> Option<&'static dyn Emulated> {
    SERVICES.iter().copied().find(|s| s.key() == key)
}

/// The code a service answers for an id the emulator does not hold.
pub fn unknown_id_code(service_key: &str) -> Option<&'static str> {
    service(service_key)?.unknown_id_code()
}

/// The answer at a live meeting's `MeetingJoinUrl` (authenticated by its
/// `mc`, not signed): its WebSocket.
pub fn meeting(call: &Call<'_>, on_upgrade: Option<hyper::upgrade::OnUpgrade>) -> Response<Body> {
    tingwu::meeting::accept(call, on_upgrade)
}

/// The answer to an authenticated request.
pub fn dispatch(call: &Call<'_>, truncate: Option<usize>) -> Response<Body> {
    match &call.target {
        Target::Tokens => customerprofile::tokens(call),
        Target::Meeting => meeting(call, None),
        Target::Storage => match storage::verify(call) {
            Ok((kind, id)) => match kind.strip_prefix("tingwu-") {
                Some(kind) => tingwu::document(call, kind, id),
                None => customerprofile::document(call, kind, id),
            },
            Err(refusal) => *refusal,
        },
        target => match target.service().and_then(|s| service(s.key)) {
            Some(service) => service.answer(call, truncate),
            // A service of the configured extra operations (no handler).
            None => TableOnly.answer(call, truncate),
        },
    }
}
