//! Credential refresh under concurrency, through whole calls: an ECS
//! instance-role provider (its metadata service mocked, its clock driven by
//! the test) signs real requests to the emulator, which accepts only the STS
//! credentials the metadata service issued.
//!
//! - 500 concurrent calls when the cached credential is due cause exactly one
//!   refresh, and every call succeeds;
//! - a failing refresh while the old credential is valid keeps serving it;
//! - a refresh that hangs is bounded by the provider's timeout: calls go on
//!   with the old credential, and once it has expired they fail promptly
//!   instead of hanging.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aliyun_ai::auth::provider::EcsRoleProvider;
use aliyun_ai::auth::time::format_iso8601;
use aliyun_ai::auth::{CredentialsErrorKind, HttpContext};
use aliyun_ai::dianjin::GetLibraryListRequest;
use aliyun_ai::mock::{MockResponse, MockTransport};
use aliyun_ai::time::Timer;
use aliyun_ai::{Client, Config, ErrorKind, RetryPolicy};
use aliyun_ai_core::server::ServerOperation;
use aliyun_ai_emulator::{Credentials, Emulator, EmulatorConfig, StsCredentials};

/// A wall clock the test moves forward (the provider's view of time).
struct TestClock(Mutex<SystemTime>);

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Timer for TestClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn system_time(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// What the mocked metadata service does when asked for credentials.
const ISSUE: u8 = 0;
const FAIL: u8 = 1;
const HANG: u8 = 2;

/// Each STS credential lives an hour from the moment it is issued.
const LIFETIME: Duration = Duration::from_secs(3600);

struct Rig {
    client: Client,
    clock: Arc<TestClock>,
    mode: Arc<AtomicU8>,
    /// Credential requests the metadata service received (issued, failed or hung).
    asked: Arc<AtomicUsize>,
}

async fn rig() -> (Emulator, Rig) {
    let mut credentials = Credentials::default();
    for n in 0..4 {
        credentials = credentials.with_sts(StsCredentials::new(
            format!("STS.{n}"),
            format!("sts-secret-{n}"),
            format!("sts-token-{n}"),
        ));
    }
    let emulator = Emulator::start_with(EmulatorConfig::default().with_credentials(credentials))
        .await
        .expect("emulator");
    let clock = Arc::new(TestClock(Mutex::new(SystemTime::now())));
    let mode = Arc::new(AtomicU8::new(ISSUE));
    let asked = Arc::new(AtomicUsize::new(0));
    let issued = Arc::new(AtomicUsize::new(0));
    let metadata = {
        let (clock, mode, asked) = (clock.clone(), mode.clone(), asked.clone());
        MockTransport::with_handler(move |request| {
            if request.uri.path() == "/latest/api/token" {
                return MockResponse::new(200, "session");
            }
            asked.fetch_add(1, Ordering::SeqCst);
            match mode.load(Ordering::SeqCst) {
                FAIL => MockResponse::status(500),
                HANG => MockResponse::new(200, "{}").with_chunk_delay(Duration::from_secs(3600)),
                _ => {
                    let n = issued.fetch_add(1, Ordering::SeqCst);
                    MockResponse::json(
                        200,
                        &serde_json::json!({
                            "Code": "Success",
                            "AccessKeyId": format!("STS.{n}"),
                            "AccessKeySecret": format!("sts-secret-{n}"),
                            "SecurityToken": format!("sts-token-{n}"),
                            "Expiration": format_iso8601(clock.system_time() + LIFETIME),
                            "LastUpdated": format_iso8601(clock.system_time()),
                        }),
                    )
                }
            }
        })
    };
    let provider = EcsRoleProvider::new(
        HttpContext::new(Arc::new(metadata))
            .with_retry(RetryPolicy::disabled())
            .with_time(clock.clone()),
    )
    .with_endpoint("http://imds.test")
    .with_role_name("worker")
    .with_timeout(Duration::from_millis(300));
    let config = Config::builder()
        .endpoint_for_all(emulator.base_url())
        .access_key_provider(Arc::new(provider))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("config");
    let rig = Rig {
        client: Client::new(config),
        clock,
        mode,
        asked,
    };
    (emulator, rig)
}

/// `count` concurrent calls; the errors, if any.
async fn concurrent_calls(client: &Client, count: usize) -> Vec<aliyun_ai::Error> {
    let calls: Vec<_> = (0..count)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let request = GetLibraryListRequest::example_request().expect("example");
                client.execute(&request).await.err()
            })
        })
        .collect();
    let mut errors = Vec::new();
    for call in calls {
        errors.extend(call.await.expect("no panic"));
    }
    errors
}

#[track_caller]
fn assert_all_succeed(errors: Vec<aliyun_ai::Error>) {
    assert!(
        errors.is_empty(),
        "{} failed, first: {:?}",
        errors.len(),
        errors.first()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_calls_at_expiry_refresh_once_and_failures_keep_serving() {
    let (_emulator, rig) = rig().await;
    assert!(concurrent_calls(&rig.client, 1).await.is_empty());
    assert_eq!(rig.asked.load(Ordering::SeqCst), 1);

    // Renewal due (under 5 minutes left of STS.0): one refresh for 500 calls.
    rig.clock.advance(LIFETIME - Duration::from_secs(200));
    assert_all_succeed(concurrent_calls(&rig.client, 500).await);
    assert_eq!(rig.asked.load(Ordering::SeqCst), 2, "exactly one refresh");

    // Due again, and the metadata service fails: STS.1 is still valid and
    // keeps serving; the failure is tried once, then the cache stays quiet.
    rig.mode.store(FAIL, Ordering::SeqCst);
    rig.clock.advance(LIFETIME - Duration::from_secs(200));
    assert_all_succeed(concurrent_calls(&rig.client, 500).await);
    assert_eq!(rig.asked.load(Ordering::SeqCst), 3, "one failed refresh");

    // After the quiet period the service hangs: each renewal is cut at the
    // provider's 300 ms timeout and calls go on with STS.1.
    rig.mode.store(HANG, Ordering::SeqCst);
    rig.clock.advance(Duration::from_secs(30));
    let started = Instant::now();
    assert_all_succeed(concurrent_calls(&rig.client, 200).await);
    assert_eq!(rig.asked.load(Ordering::SeqCst), 4, "one hung refresh");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // STS.1 has expired and the service still hangs: one more fetch is cut
    // at the timeout, and the 500 calls fail promptly with the expiry (the
    // callers queued behind it get its answer, not a fetch each).
    rig.clock.advance(Duration::from_secs(400));
    let started = Instant::now();
    let errors = concurrent_calls(&rig.client, 500).await;
    assert_eq!(errors.len(), 500);
    for error in &errors {
        assert_eq!(error.kind(), ErrorKind::Credentials, "{error}");
    }
    assert_eq!(
        rig.asked.load(Ordering::SeqCst),
        5,
        "one fetch for 500 callers"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        errors
            .iter()
            .any(|e| credentials_kind(e) == Some(CredentialsErrorKind::Expired)),
        "{}",
        errors[0]
    );
}

fn credentials_kind(error: &aliyun_ai::Error) -> Option<CredentialsErrorKind> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(credentials) = cause.downcast_ref::<aliyun_ai::auth::CredentialsError>() {
            return Some(credentials.kind());
        }
        source = cause.source();
    }
    None
}
