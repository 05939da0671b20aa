//! What the generated `every_operation_*` tests share: an emulator and a
//! facade client signed with its credentials, and checks of an answer.

#![allow(dead_code)] // each test file uses part of it

use std::time::Duration;

use aliyun_ai::{AccessKey, ApiKey, Client, Config, EventStream, RetryPolicy, WaitPolicy};
use aliyun_ai_emulator::{Emulator, EmulatorConfig};
use futures_util::StreamExt;
use serde::Serialize;

/// Waiting for an emulated task (done after the 200 ms task delay of [`setup`]).
pub fn quick_wait() -> WaitPolicy {
    WaitPolicy::default()
        .with_interval(Duration::from_millis(50), Duration::from_millis(100))
        .with_timeout(Duration::from_secs(10))
}

/// An emulator on a loopback port and a client of it (real HTTP, real signatures).
pub async fn setup() -> (Emulator, Client) {
    let emulator = Emulator::start_with(
        EmulatorConfig::default()
            .with_stream_event_delay(Duration::from_millis(1))
            .with_task_delay(Duration::from_millis(200)),
    )
    .await
    .expect("emulator");
    let credentials = emulator.credentials();
    let config = Config::builder()
        .endpoint_for_all(emulator.base_url())
        .access_key(AccessKey::new(
            &credentials.access_key_id,
            credentials.access_key_secret.as_str(),
        ))
        .api_key(ApiKey::new(credentials.api_key.as_str()))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("config");
    (emulator, Client::new(config))
}

/// A call's outcome: an answer with at least one field, or the error the
/// emulator gives, for this service, for an id it does not hold (the example
/// request names a task or a resource this fresh emulator never created: the
/// request was still signed, verified and decoded). Anything else fails the
/// test.
pub fn assert_called<T: Serialize>(
    service: &str,
    action: &str,
    outcome: Result<T, aliyun_ai::Error>,
) {
    match outcome {
        Ok(answer) => assert_answered(action, &answer),
        Err(error) => assert!(
            error
                .code()
                .is_some_and(|code| { aliyun_ai_emulator::unknown_id_code(service) == Some(code) }),
            "{action}: {error}"
        ),
    }
}

/// The answer decoded into something: at least one field has a value.
pub fn assert_answered<T: Serialize>(action: &str, answer: &T) {
    let value = serde_json::to_value(answer).expect("answers encode");
    let fields = value
        .as_object()
        .map_or(0, |map| map.values().filter(|v| !v.is_null()).count());
    assert!(fields > 0, "{action}: an empty answer: {value}");
}

/// Reads a whole stream: every event decodes, none is an error, and there
/// are several.
pub async fn assert_streamed<T: Serialize + serde::de::DeserializeOwned>(
    action: &str,
    stream: EventStream<T>,
) {
    let events: Vec<_> = stream.collect().await;
    assert!(events.len() >= 2, "{action}: {} events", events.len());
    for event in events {
        let event = event.unwrap_or_else(|e| panic!("{action}: {e}"));
        assert_answered(action, &event);
    }
}

/// A WebSocket operation's session opened: the upgrade was signed, verified
/// and switched (the emulator counts it as handled), then the session is
/// closed by dropping it.
pub fn assert_session_opened<T>(
    action: &str,
    emulator: &Emulator,
    session: Result<T, aliyun_ai::Error>,
) {
    if let Err(error) = &session {
        panic!("{action}: the session did not open: {error}");
    }
    assert_eq!(
        emulator.handled(action),
        1,
        "{action}: the upgrade reached the emulator once"
    );
}
