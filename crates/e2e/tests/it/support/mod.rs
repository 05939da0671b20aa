//! What the generated `every_operation_*` tests share: an emulator and a
//! facade client signed with its credentials, and checks of an answer.

#![allow(dead_code)] // each test file uses part of it

use std::time::Duration;

use aliyun_ai::{
    AccessKey, ApiKey, Client, Config, EventStream, Operation, RetryPolicy, StreamEvent, WaitPolicy,
};
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

/// Reads a whole stream of growing text and checks it against the table's
/// `events:` mark: several answer events after any steps, cumulative text
/// that only grows, increments that concatenate to the final text, and the
/// last event alone marked last.
pub async fn assert_grows<O>(action: &str, stream: EventStream<O::Output>)
where
    O: Operation,
    O::Output: Serialize + StreamEvent,
{
    let events: Vec<O::Output> = stream
        .map(|event| event.unwrap_or_else(|e| panic!("{action}: {e}")))
        .collect()
        .await;
    for event in &events {
        assert_answered(action, event);
    }
    let first_answer = events
        .iter()
        .position(|e| !e.is_step())
        .unwrap_or(events.len());
    assert!(
        events[first_answer..].iter().all(|e| !e.is_step()),
        "{action}: a step after the answer began"
    );
    let answer = &events[first_answer..];
    assert!(
        answer.len() >= 2,
        "{action}: {} answer events",
        answer.len()
    );
    let mut so_far = String::new();
    let mut increments = String::new();
    let mut grew = 0;
    for event in answer {
        let before = (so_far.len(), increments.len());
        if let Some(text) = event.cumulative() {
            assert!(
                text.starts_with(&so_far),
                "{action}: the text so far shrank: {so_far:?} then {text:?}"
            );
            so_far = text.to_owned();
        }
        if let Some(piece) = event.increment() {
            increments.push_str(piece);
        }
        if (so_far.len(), increments.len()) != before {
            grew += 1;
        }
    }
    assert!(grew >= 2, "{action}: the text grew in {grew} events");
    let declares_increments = answer.iter().any(|e| e.increment().is_some());
    let declares_cumulative = answer.iter().any(|e| e.cumulative().is_some());
    assert!(
        declares_increments || declares_cumulative,
        "{action}: no event carries text"
    );
    if declares_increments && declares_cumulative {
        assert_eq!(increments, so_far, "{action}: the increments make the text");
    }
    let text = if declares_cumulative {
        so_far
    } else {
        increments
    };
    assert!(
        text.chars().count() >= 2,
        "{action}: the text did not grow: {text:?}"
    );
    assert_last_only::<O>(action, &events);
}

/// Reads a whole stream of snapshots: several events, each decoded, the
/// earlier ones differing from the last (still pending), the last alone
/// marked last.
pub async fn assert_snapshots<O>(action: &str, stream: EventStream<O::Output>)
where
    O: Operation,
    O::Output: Serialize,
{
    let events: Vec<O::Output> = stream
        .map(|event| event.unwrap_or_else(|e| panic!("{action}: {e}")))
        .collect()
        .await;
    assert!(events.len() >= 2, "{action}: {} events", events.len());
    let values: Vec<serde_json::Value> = events
        .iter()
        .map(|e| serde_json::to_value(e).expect("answers encode"))
        .collect();
    let (last, earlier) = values.split_last().expect("events");
    assert!(
        earlier.iter().all(|e| e != last),
        "{action}: an earlier snapshot is already the final one"
    );
    assert_last_only::<O>(action, &events);
}

/// Where the operation marks its last event, only the last event is marked.
fn assert_last_only<O: Operation>(action: &str, events: &[O::Output]) {
    let marks: Vec<Option<bool>> = events.iter().map(O::is_final_event).collect();
    if marks.iter().all(Option::is_none) {
        return;
    }
    let (last, earlier) = marks.split_last().expect("events");
    assert_eq!(
        *last,
        Some(true),
        "{action}: the last event is not marked last"
    );
    assert!(
        earlier.iter().all(|m| *m != Some(true)),
        "{action}: an event before the last is marked last: {marks:?}"
    );
}

/// A reqwest client of the test's own (the workspace's reqwest brings no
/// crypto provider: `rustls-no-provider`; this installs ring's as the
/// process default once, as an application using reqwest that way does).
pub fn own_reqwest() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}
