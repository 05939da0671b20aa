//! Bring your own reqwest client, and per-call overrides of the retry policy
//! and of a deadline through a derived client (issue 14 #8).

use crate::support;

#[tokio::test]
async fn a_derived_client_overrides_the_retry_policy_and_the_call_deadline() {
    use std::time::Duration;
    let (emulator, client) = support::setup().await;
    // Your own reqwest client, through `ReqwestTransport::from_client`.
    let own = support::own_reqwest()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let credentials = emulator.credentials();
    let custom = aliyun_ai::Client::new(
        aliyun_ai::Config::builder()
            .endpoint_for_all(emulator.base_url())
            .access_key(aliyun_ai::AccessKey::new(
                &credentials.access_key_id,
                credentials.access_key_secret.as_str(),
            ))
            .transport(std::sync::Arc::new(
                aliyun_ai::transport::ReqwestTransport::from_client(own),
            ))
            .build()
            .unwrap(),
    );
    let list = || {
        aliyun_ai::dianjin::GetLibraryListRequest::builder()
            .workspace_id("llm-ws")
            .build()
            .unwrap()
    };
    custom.dianjin().get_library_list(list()).await.unwrap();

    // The emulator answers after 300 ms; a 50 ms deadline ends the call.
    emulator.inject(
        aliyun_ai_emulator::FaultRule::for_action(
            "GetLibraryList",
            aliyun_ai_emulator::Fault::Delay(Duration::from_millis(300)),
        )
        .times(2),
    );
    let hurried = client.with_call_timeout(Duration::from_millis(50));
    let error = hurried
        .dianjin()
        .get_library_list(list())
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
    // The original client has no deadline: it waits the 300 ms out.
    client.dianjin().get_library_list(list()).await.unwrap();
    emulator.clear_faults();

    // Retries off for one derived client: a 503 is not retried.
    emulator.inject(
        aliyun_ai_emulator::FaultRule::for_action(
            "GetLibraryList",
            aliyun_ai_emulator::Fault::Error {
                status: 503,
                code: "ServiceUnavailable".into(),
            },
        )
        .times(2),
    );
    let once = client.with_retry_policy(aliyun_ai::RetryPolicy::disabled());
    let error = once.dianjin().get_library_list(list()).await.unwrap_err();
    assert_eq!((error.status(), error.attempts()), (Some(503), 1));
}
