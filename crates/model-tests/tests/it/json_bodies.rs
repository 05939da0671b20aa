//! Every operation's JSON body, written by the SDK's own encoder
//! (`aliyun_ai_core::json`), is byte for byte what `serde_json` writes for
//! the same request: checked on each table's example request.

use aliyun_ai_core::server::ServerOperation;
use aliyun_ai_core::{Operation, RequestBody};

#[test]
fn every_example_body_is_what_serde_json_writes() {
    let mut compared = Vec::new();
    macro_rules! compare {
        ($request:ty) => {
            if let Ok(example) = <$request as ServerOperation>::example_request() {
                if let Ok(RequestBody::Json(ours)) = example.body() {
                    let theirs = serde_json::to_vec(&example).expect("serde_json encodes");
                    assert_eq!(
                        String::from_utf8_lossy(&ours),
                        String::from_utf8_lossy(&theirs),
                        "{}",
                        <$request as Operation>::INFO.action
                    );
                    compared.push(<$request as Operation>::INFO.action);
                }
            }
        };
    }
    aliyun_ai_models_contactcenterai::for_each_operation!(compare);
    aliyun_ai_models_dianjin::for_each_operation!(compare);
    aliyun_ai_models_openplatform::for_each_operation!(compare);
    aliyun_ai_models_retailbot::for_each_operation!(compare);
    aliyun_ai_models_customerprofile::for_each_operation!(compare);
    // 47 operations send a JSON body with their example today (the others
    // send none, a form, or have no example): a regression that skipped
    // them would show here.
    assert!(compared.len() >= 45, "only {} compared", compared.len());
}
