//! Every credential provider, against the mock transport and temporary
//! folders (never the real environment or home).

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aliyun_ai_auth::env::MapEnvironment;
use aliyun_ai_auth::provider::{
    AssumeRoleProvider, CliConfigProvider, CredentialsFileProvider, EcsRoleProvider,
    EnvApiKeyProvider, EnvNames, OidcProvider, TemporaryTokenProvider,
};
use aliyun_ai_auth::sign::{FixedNonce, signature_v1, string_to_sign_v1};
use aliyun_ai_auth::time::format_iso8601;
use aliyun_ai_auth::{
    AccessKey, AccessKeyProvider, ApiKey, ApiKeyProvider, CredentialsErrorKind, DefaultChain,
    EnvProvider, HttpContext,
};
use aliyun_ai_core::encoding::decode_form;
use aliyun_ai_transport::RetryPolicy;
use aliyun_ai_transport::mock::{MockResponse, MockTransport, RecordedRequest};
use common::{TempDir, TestClock};
use serde_json::json;

const NOW: u64 = 1_763_700_000; // 2025-11-21

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn context(mock: &MockTransport, clock: &Arc<TestClock>) -> HttpContext {
    HttpContext::new(Arc::new(mock.clone()))
        .with_retry(RetryPolicy::disabled())
        .with_time(clock.clone())
        .with_nonces(Arc::new(FixedNonce("nonce".into())))
}

fn sts_answer(id: &str, expires_in: u64) -> serde_json::Value {
    json!({
        "RequestId": "R",
        "Credentials": {
            "AccessKeyId": id,
            "AccessKeySecret": format!("{id}-secret"),
            "SecurityToken": format!("{id}-token"),
            "Expiration": format_iso8601(now() + Duration::from_secs(expires_in)),
        }
    })
}

fn imds_answer(id: &str, expires_in: u64) -> serde_json::Value {
    json!({
        "Code": "Success",
        "AccessKeyId": id,
        "AccessKeySecret": format!("{id}-secret"),
        "SecurityToken": format!("{id}-token"),
        "Expiration": format_iso8601(now() + Duration::from_secs(expires_in)),
        "LastUpdated": format_iso8601(now()),
    })
}

// ---------------------------------------------------------------------------
// Environment

#[tokio::test]
async fn environment_variables() {
    let env = MapEnvironment::new()
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-env")
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
        .with_var("ALIBABA_CLOUD_SECURITY_TOKEN", "env-token");
    let key = EnvProvider::new(Arc::new(env)).access_key().await.unwrap();
    assert_eq!(
        (key.id(), key.secret().expose()),
        ("LTAI-env", "env-secret")
    );
    assert_eq!(key.security_token().unwrap().expose(), "env-token");

    let error = EnvProvider::new(Arc::new(MapEnvironment::new()))
        .access_key()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::NotFound);
    let half = MapEnvironment::new().with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-env");
    let error = EnvProvider::new(Arc::new(half))
        .access_key()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfig);
    assert!(
        error
            .to_string()
            .contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    );
}

#[tokio::test]
async fn environment_variable_names_are_overridable() {
    let mut names = EnvNames::default();
    names.access_key_id = "MY_ID".into();
    names.access_key_secret = "MY_SECRET".into();
    let env = MapEnvironment::new()
        .with_var("MY_ID", "id")
        .with_var("MY_SECRET", "s");
    let key = EnvProvider::new(Arc::new(env))
        .with_names(names)
        .access_key()
        .await
        .unwrap();
    assert_eq!(key.id(), "id");
}

// ---------------------------------------------------------------------------
// The credentials file

fn file_provider(mock: &MockTransport, env: MapEnvironment) -> CredentialsFileProvider {
    let clock = Arc::new(TestClock::at(now()));
    CredentialsFileProvider::new(context(mock, &clock), Arc::new(env), EnvNames::default())
}

#[tokio::test]
async fn credentials_file_access_key_and_profiles() {
    let home = TempDir::new("ini");
    home.write(
        ".alibabacloud/credentials",
        "[default]\ntype = access_key\naccess_key_id = LTAI-default\naccess_key_secret = default-secret\n\n[dev]\naccess_key_id = LTAI-dev\naccess_key_secret = dev-secret\n",
    );
    let mock = MockTransport::new();
    let key = file_provider(&mock, MapEnvironment::new().with_home(home.path()))
        .access_key()
        .await
        .unwrap();
    assert_eq!(key.id(), "LTAI-default");
    let env = MapEnvironment::new()
        .with_home(home.path())
        .with_var("ALIBABA_CLOUD_PROFILE", "dev");
    assert_eq!(
        file_provider(&mock, env).access_key().await.unwrap().id(),
        "LTAI-dev"
    );
    let env = MapEnvironment::new()
        .with_home(home.path())
        .with_var("ALIBABA_CLOUD_PROFILE", "nope");
    assert_eq!(
        file_provider(&mock, env)
            .access_key()
            .await
            .unwrap_err()
            .kind(),
        CredentialsErrorKind::NotFound
    );
}

#[tokio::test]
async fn a_vendor_style_credentials_ini_is_read_with_its_comments_cut() {
    // Issue 21 #14: `~/.alibabacloud/credentials.ini` (the vendor's current
    // default), `:` separators, capitalised keys, inline comments.
    let home = TempDir::new("ini-vendor");
    home.write(
        ".alibabacloud/credentials.ini",
        "[default]\nType: access_key\nAccess_Key_Id = LTAI-ini # production\naccess_key_secret = 'ini-secret' ; rotated\n",
    );
    let mock = MockTransport::new();
    let key = file_provider(&mock, MapEnvironment::new().with_home(home.path()))
        .access_key()
        .await
        .unwrap();
    assert_eq!(key.id(), "LTAI-ini");
    assert_eq!(key.secret().expose(), "ini-secret");
}

#[tokio::test]
async fn credentials_file_location_and_errors() {
    let mock = MockTransport::new();
    let empty_home = TempDir::new("empty-home");
    let error = file_provider(&mock, MapEnvironment::new().with_home(empty_home.path()))
        .access_key()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::NotFound);
    // An explicit path that does not exist is a configuration error.
    let env = MapEnvironment::new().with_var(
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        empty_home.path().join("missing").to_str().unwrap(),
    );
    assert_eq!(
        file_provider(&mock, env)
            .access_key()
            .await
            .unwrap_err()
            .kind(),
        CredentialsErrorKind::InvalidConfig
    );

    let dir = TempDir::new("ini-moved");
    let file = dir.write("creds.ini", "[default]\ntype = rsa_key_pair\n");
    let env =
        MapEnvironment::new().with_var("ALIBABA_CLOUD_CREDENTIALS_FILE", file.to_str().unwrap());
    let error = file_provider(&mock, env).access_key().await.unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfig);
    assert!(error.to_string().contains("rsa_key_pair"));
    let file = dir.write("half.ini", "[default]\naccess_key_id = LTAI\n");
    let env =
        MapEnvironment::new().with_var("ALIBABA_CLOUD_CREDENTIALS_FILE", file.to_str().unwrap());
    assert!(
        file_provider(&mock, env)
            .access_key()
            .await
            .unwrap_err()
            .to_string()
            .contains("access_key_secret")
    );
}

/// Checks a V1-signed STS request by recomputing its signature with `secret`.
fn verify_v1(request: &RecordedRequest, secret: &str) {
    let mut params = decode_form(request.uri.query().unwrap()).unwrap();
    let signature = params
        .iter()
        .position(|(n, _)| n == "Signature")
        .map(|i| params.remove(i).1)
        .expect("Signature");
    params.extend(decode_form(&request.body_text()).unwrap());
    let string_to_sign =
        string_to_sign_v1("POST", params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    assert_eq!(
        signature,
        signature_v1(&string_to_sign, secret),
        "the V1 signature does not verify"
    );
}

#[tokio::test]
async fn credentials_file_ram_role_arn_assumes_the_role_with_a_v1_signature() {
    let home = TempDir::new("ini-role");
    home.write(
        ".alibabacloud/credentials",
        "[default]\ntype = ram_role_arn\naccess_key_id = LTAI-source\naccess_key_secret = source-secret\nrole_arn = acs:ram::1234:role/reader\nrole_session_name = ci\n",
    );
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, &sts_answer("STS.assumed", 3600)));
    let provider = file_provider(&mock, MapEnvironment::new().with_home(home.path()));
    let key = provider.access_key().await.unwrap();
    assert_eq!(
        (key.id(), key.security_token().unwrap().expose()),
        ("STS.assumed", "STS.assumed-token")
    );
    // Cached: a second call sends nothing.
    provider.access_key().await.unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.uri.host()),
        ("POST", Some("sts.aliyuncs.com"))
    );
    let query = decode_form(request.uri.query().unwrap()).unwrap();
    for expected in [
        ("Action", "AssumeRole"),
        ("Version", "2015-04-01"),
        ("AccessKeyId", "LTAI-source"),
        ("SignatureMethod", "HMAC-SHA1"),
    ] {
        assert!(
            query
                .iter()
                .any(|(n, v)| (n.as_str(), v.as_str()) == expected),
            "{expected:?} in {query:?}"
        );
    }
    let form = decode_form(&request.body_text()).unwrap();
    assert!(form.contains(&("RoleArn".into(), "acs:ram::1234:role/reader".into())));
    assert!(form.contains(&("RoleSessionName".into(), "ci".into())));
    assert!(form.contains(&("DurationSeconds".into(), "3600".into())));
    verify_v1(request, "source-secret");
}

#[tokio::test]
async fn credentials_file_ecs_ram_role_and_oidc_role_arn() {
    let home = TempDir::new("ini-ecs");
    let token = home.write("token", "oidc-jwt\n");
    home.write(
        ".alibabacloud/credentials",
        &format!(
            "[default]\ntype = ecs_ram_role\nrole_name = worker\n\n[k8s]\ntype = oidc_role_arn\nrole_arn = acs:ram::1:role/pod\noidc_provider_arn = acs:ram::1:oidc-provider/ack\noidc_token_file_path = {}\n",
            token.display()
        ),
    );
    let mock = MockTransport::with_handler(|request| match request.uri.path() {
        "/latest/api/token" => MockResponse::new(200, "imds-token"),
        "/latest/meta-data/ram/security-credentials/worker" => {
            MockResponse::json(200, &imds_answer("STS.ecs", 3600))
        }
        "/" => MockResponse::json(200, &sts_answer("STS.oidc", 3600)),
        _ => MockResponse::status(404),
    });
    let key = file_provider(&mock, MapEnvironment::new().with_home(home.path()))
        .access_key()
        .await;
    // The provider talks to the real IMDS address; the mock answers by path.
    assert_eq!(key.unwrap().id(), "STS.ecs");
    let env = MapEnvironment::new()
        .with_home(home.path())
        .with_var("ALIBABA_CLOUD_PROFILE", "k8s");
    assert_eq!(
        file_provider(&mock, env).access_key().await.unwrap().id(),
        "STS.oidc"
    );
}

// ---------------------------------------------------------------------------
// The Aliyun CLI config

fn cli_provider(mock: &MockTransport, env: MapEnvironment) -> CliConfigProvider {
    let clock = Arc::new(TestClock::at(now()));
    CliConfigProvider::new(context(mock, &clock), Arc::new(env), EnvNames::default())
}

#[tokio::test]
async fn cli_config_modes() {
    let home = TempDir::new("cli");
    home.write(
        ".aliyun/config.json",
        &json!({
            "current": "ak",
            "profiles": [
                { "name": "ak", "mode": "AK", "access_key_id": "LTAI-cli", "access_key_secret": "cli-secret", "region_id": "cn-shanghai" },
                { "name": "sts", "mode": "StsToken", "access_key_id": "STS.cli", "access_key_secret": "s", "sts_token": "cli-token" },
                { "name": "role", "mode": "RamRoleArn", "access_key_id": "LTAI-src", "access_key_secret": "src-secret", "ram_role_arn": "acs:ram::1:role/r", "ram_session_name": "cli", "expired_seconds": 900 },
                { "name": "ecs", "mode": "EcsRamRole", "ram_role_name": "worker" },
                { "name": "odd", "mode": "External" }
            ]
        })
        .to_string(),
    );
    let mock = MockTransport::with_handler(|request| match request.uri.path() {
        "/" => MockResponse::json(200, &sts_answer("STS.role", 3600)),
        "/latest/meta-data/ram/security-credentials/worker" => {
            MockResponse::json(200, &imds_answer("STS.ecs", 3600))
        }
        _ => MockResponse::status(403),
    });
    let profile = |name: &str| {
        MapEnvironment::new()
            .with_home(home.path())
            .with_var("ALIBABA_CLOUD_PROFILE", name)
    };
    assert_eq!(
        cli_provider(&mock, MapEnvironment::new().with_home(home.path()))
            .access_key()
            .await
            .unwrap()
            .id(),
        "LTAI-cli"
    );
    let sts = cli_provider(&mock, profile("sts"))
        .access_key()
        .await
        .unwrap();
    assert_eq!(sts.security_token().unwrap().expose(), "cli-token");
    assert_eq!(
        cli_provider(&mock, profile("role"))
            .access_key()
            .await
            .unwrap()
            .id(),
        "STS.role"
    );
    let role_request = mock
        .requests()
        .into_iter()
        .find(|r| r.uri.path() == "/")
        .unwrap();
    assert!(role_request.body_text().contains("DurationSeconds=900"));
    verify_v1(&role_request, "src-secret");
    // EcsRamRole: the token PUT is refused (403), so IMDSv1 is used.
    assert_eq!(
        cli_provider(&mock, profile("ecs"))
            .access_key()
            .await
            .unwrap()
            .id(),
        "STS.ecs"
    );
    let error = cli_provider(&mock, profile("odd"))
        .access_key()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfig);
    assert!(error.to_string().contains("External"));
}

#[tokio::test]
async fn cli_config_chainable_ram_role_arn_assumes_each_role_with_its_source_profile() {
    // Issue 21 #15: the CLI mode whose credentials are another profile's.
    let home = TempDir::new("cli-chain");
    home.write(
        ".aliyun/config.json",
        &json!({
            "current": "two",
            "profiles": [
                { "name": "base", "mode": "AK", "access_key_id": "LTAI-base", "access_key_secret": "base-secret" },
                { "name": "one", "mode": "ChainableRamRoleArn", "source_profile": "base", "ram_role_arn": "acs:ram::1:role/one", "ram_session_name": "first" },
                { "name": "two", "mode": "ChainableRamRoleArn", "source_profile": "one", "ram_role_arn": "acs:ram::1:role/two", "expired_seconds": 1200 },
                { "name": "loop", "mode": "ChainableRamRoleArn", "source_profile": "loop2", "ram_role_arn": "acs:ram::1:role/x" },
                { "name": "loop2", "mode": "ChainableRamRoleArn", "source_profile": "loop", "ram_role_arn": "acs:ram::1:role/y" },
                { "name": "orphan", "mode": "ChainableRamRoleArn", "ram_role_arn": "acs:ram::1:role/z" }
            ]
        })
        .to_string(),
    );
    let mock = MockTransport::with_handler(|request| {
        let body = request.body_text();
        if body.contains("role%2Fone") {
            MockResponse::json(200, &sts_answer("STS.one", 3600))
        } else if body.contains("role%2Ftwo") {
            MockResponse::json(200, &sts_answer("STS.two", 3600))
        } else {
            MockResponse::status(403)
        }
    });
    let key = cli_provider(&mock, MapEnvironment::new().with_home(home.path()))
        .access_key()
        .await
        .unwrap();
    assert_eq!(key.id(), "STS.two");
    let requests = mock.requests();
    assert_eq!(requests.len(), 2, "one AssumeRole per link of the chain");
    // Role one with the base profile's key; role two with role one's answer.
    assert!(requests[0].body_text().contains("RoleSessionName=first"));
    verify_v1(&requests[0], "base-secret");
    let second = &requests[1];
    assert!(second.body_text().contains("DurationSeconds=1200"));
    verify_v1(second, "STS.one-secret");
    let sent = format!("{} {}", second.uri, second.body_text());
    assert!(sent.contains("SecurityToken=STS.one-token"), "{sent}");

    for (profile, expected) in [
        ("loop", "makes a cycle"),
        ("orphan", "lacks source_profile"),
    ] {
        let env = MapEnvironment::new()
            .with_home(home.path())
            .with_var("ALIBABA_CLOUD_PROFILE", profile);
        let error = cli_provider(&mock, env).access_key().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfig);
        assert!(error.to_string().contains(expected), "{error}");
    }
    assert_eq!(mock.requests().len(), 2, "nothing sent for a broken chain");
}

#[tokio::test]
async fn cli_config_malformed_json_is_reported_without_quoting_it() {
    let dir = TempDir::new("cli-bad");
    let file = dir.write(
        "config.json",
        "{\"profiles\": [{\"name\": \"x\", \"access_key_secret\": \"LEAKED-SECRET\"",
    );
    let env = MapEnvironment::new().with_var("ALIBABA_CLOUD_CONFIG_FILE", file.to_str().unwrap());
    let error = cli_provider(&MockTransport::new(), env)
        .access_key()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfig);
    assert!(!error.to_string().contains("LEAKED-SECRET"), "{error}");
}

// ---------------------------------------------------------------------------
// The ECS instance role

fn ecs(mock: &MockTransport, clock: &Arc<TestClock>) -> EcsRoleProvider {
    EcsRoleProvider::new(context(mock, clock)).with_endpoint("http://imds.test")
}

#[tokio::test]
async fn ecs_role_over_imdsv2() {
    let mock = MockTransport::with_handler(|request| {
        match (request.method.as_str(), request.uri.path()) {
            ("PUT", "/latest/api/token") => {
                assert_eq!(
                    request.header("x-aliyun-ecs-metadata-token-ttl-seconds"),
                    Some("21600")
                );
                MockResponse::new(200, "session-token")
            }
            ("GET", path)
                if request.header("x-aliyun-ecs-metadata-token") != Some("session-token") =>
            {
                panic!("{path} was requested without the IMDSv2 token")
            }
            ("GET", "/latest/meta-data/ram/security-credentials/") => {
                MockResponse::new(200, "worker-role\n")
            }
            ("GET", "/latest/meta-data/ram/security-credentials/worker-role") => {
                MockResponse::json(200, &imds_answer("STS.imds", 21600))
            }
            _ => MockResponse::status(404),
        }
    });
    let clock = Arc::new(TestClock::at(now()));
    let key = ecs(&mock, &clock).access_key().await.unwrap();
    assert_eq!(key.id(), "STS.imds");
    assert_eq!(key.expiration(), Some(now() + Duration::from_secs(21600)));
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn ecs_role_falls_back_to_imdsv1_unless_told_not_to() {
    let mock = MockTransport::with_handler(|request| match request.uri.path() {
        "/latest/api/token" => MockResponse::connect_refused(),
        "/latest/meta-data/ram/security-credentials/worker" => {
            assert_eq!(request.header("x-aliyun-ecs-metadata-token"), None);
            MockResponse::json(200, &imds_answer("STS.v1", 3600))
        }
        _ => MockResponse::status(404),
    });
    let clock = Arc::new(TestClock::at(now()));
    assert_eq!(
        ecs(&mock, &clock)
            .with_role_name("worker")
            .access_key()
            .await
            .unwrap()
            .id(),
        "STS.v1"
    );
    let error = ecs(&mock, &clock)
        .with_role_name("worker")
        .with_v1_fallback(false)
        .access_key()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Fetch);
}

#[tokio::test]
async fn ecs_role_malformed_and_failed_answers() {
    let clock = Arc::new(TestClock::at(now()));
    for (answer, expected) in [
        (
            MockResponse::new(200, "{\"Code\":\"Success\",\"AccessKeySecret\":\"LEAKED\""),
            "truncated",
        ),
        (
            MockResponse::json(200, &json!({"Code": "Failed"})),
            "Code \"Failed\"",
        ),
        (
            MockResponse::json(
                200,
                &json!({"Code": "Success", "AccessKeyId": "a", "AccessKeySecret": "LEAKED", "SecurityToken": "t"}),
            ),
            "Expiration",
        ),
        (MockResponse::status(500), "HTTP 500"),
    ] {
        let mock = MockTransport::new();
        mock.push(MockResponse::new(200, "token")).push(answer);
        let error = ecs(&mock, &clock)
            .with_role_name("r")
            .access_key()
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
        assert!(!error.to_string().contains("LEAKED"), "{error}");
    }
}

#[tokio::test]
async fn expired_credentials_from_the_service_are_refused() {
    let clock = Arc::new(TestClock::at(now()));
    let mock = MockTransport::new();
    let mut stale = imds_answer("STS.old", 0);
    stale["Expiration"] = json!(format_iso8601(now() - Duration::from_secs(60)));
    mock.push(MockResponse::new(200, "token"))
        .push(MockResponse::json(200, &stale));
    let error = ecs(&mock, &clock)
        .with_role_name("r")
        .access_key()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Expired);
}

#[tokio::test]
async fn a_failed_renewal_keeps_serving_unexpired_credentials_then_reports_expiry() {
    let clock = Arc::new(TestClock::at(now()));
    let failing = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = failing.clone();
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = issued.clone();
    let mock = MockTransport::with_handler(move |request| {
        if request.uri.path() == "/latest/api/token" {
            return MockResponse::new(200, "t");
        }
        if flag.load(Ordering::SeqCst) {
            return MockResponse::status(500);
        }
        // The n-th issue expires 1800 s after the test's start, times n + 1.
        let n = counter.fetch_add(1, Ordering::SeqCst);
        MockResponse::json(
            200,
            &imds_answer(&format!("STS.{n}"), 1800 * (n as u64 + 1)),
        )
    });
    let provider = ecs(&mock, &clock).with_role_name("r");
    assert_eq!(provider.access_key().await.unwrap().id(), "STS.0");
    // Not yet due: served from the cache.
    clock.advance(Duration::from_secs(600));
    assert_eq!(provider.access_key().await.unwrap().id(), "STS.0");
    // Due (under 5 minutes left): renewed ahead of expiry.
    clock.advance(Duration::from_secs(1000));
    assert_eq!(provider.access_key().await.unwrap().id(), "STS.1");
    // The service fails when renewal is due again (t = 3350 s, expiry at
    // 3600 s): the unexpired cached credentials are still served.
    failing.store(true, Ordering::SeqCst);
    clock.advance(Duration::from_secs(1750));
    assert_eq!(provider.access_key().await.unwrap().id(), "STS.1");
    // Once they expire, the failure is reported.
    clock.advance(Duration::from_secs(300));
    let error = provider.access_key().await.unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Expired);
    assert!(error.to_string().contains("HTTP 500"), "{error}");
}

#[tokio::test]
async fn a_hundred_concurrent_callers_cause_one_fetch() {
    let clock = Arc::new(TestClock::at(now()));
    let mock = MockTransport::with_handler(|request| match request.uri.path() {
        "/latest/api/token" => {
            MockResponse::new(200, "t").with_chunk_delay(Duration::from_millis(20))
        }
        _ => MockResponse::json(200, &imds_answer("STS.shared", 3600))
            .with_chunk_delay(Duration::from_millis(20)),
    });
    let provider = Arc::new(ecs(&mock, &clock).with_role_name("r"));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.access_key().await.map(|k| k.id().to_owned()) })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "STS.shared");
    }
    assert_eq!(
        mock.requests().len(),
        2,
        "one token request and one credentials request"
    );
}

// ---------------------------------------------------------------------------
// STS

#[tokio::test]
async fn sts_errors_and_malformed_answers() {
    let clock = Arc::new(TestClock::at(now()));
    let source: Arc<dyn AccessKeyProvider> = Arc::new(AccessKey::new("LTAI", "source-secret"));
    for (answer, expected) in [
        (
            MockResponse::pop_error(403, "NoPermission", "You are not authorized"),
            "HTTP 403 NoPermission",
        ),
        (
            MockResponse::json(200, &json!({"RequestId": "R"})),
            "without Credentials",
        ),
        (MockResponse::new(200, "<html>"), "not valid JSON"),
    ] {
        let mock = MockTransport::new();
        mock.push(answer);
        let provider =
            AssumeRoleProvider::new(context(&mock, &clock), source.clone(), "acs:ram::1:role/r")
                .with_endpoint("https://sts.cn-shanghai.aliyuncs.com/");
        let error = provider.access_key().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::Fetch);
        assert!(error.to_string().contains(expected), "{error}");
        assert_eq!(
            mock.requests()[0].uri.host(),
            Some("sts.cn-shanghai.aliyuncs.com")
        );
    }
}

#[tokio::test]
async fn oidc_sends_the_token_file_unsigned() {
    let dir = TempDir::new("oidc");
    let token_file = dir.write("token", "eyJ.oidc.jwt\n");
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, &sts_answer("STS.rrsa", 3600)));
    let clock = Arc::new(TestClock::at(now()));
    let provider = OidcProvider::new(
        context(&mock, &clock),
        "acs:ram::1:role/pod",
        "acs:ram::1:oidc-provider/ack",
        &token_file,
    )
    .with_session_name("pod-1");
    assert_eq!(provider.access_key().await.unwrap().id(), "STS.rrsa");
    let request = mock.last_request().unwrap();
    let query = decode_form(request.uri.query().unwrap()).unwrap();
    assert!(query.contains(&("Action".into(), "AssumeRoleWithOIDC".into())));
    assert!(!query.iter().any(|(n, _)| n == "Signature"));
    assert_eq!(request.header("authorization"), None);
    let form = decode_form(&request.body_text()).unwrap();
    assert!(form.contains(&("OIDCToken".into(), "eyJ.oidc.jwt".into())));
    assert!(form.contains(&("RoleSessionName".into(), "pod-1".into())));

    let missing = OidcProvider::new(context(&mock, &clock), "r", "p", dir.path().join("absent"));
    assert_eq!(
        missing.access_key().await.unwrap_err().kind(),
        CredentialsErrorKind::InvalidConfig
    );
}

// ---------------------------------------------------------------------------
// DashScope

#[tokio::test]
async fn dashscope_api_key_from_env_file_path_and_home() {
    let env = MapEnvironment::new().with_var("DASHSCOPE_API_KEY", "sk-env");
    assert_eq!(
        EnvApiKeyProvider::new(Arc::new(env))
            .api_key()
            .await
            .unwrap()
            .secret()
            .expose(),
        "sk-env"
    );
    let dir = TempDir::new("dashscope");
    let file = dir.write("key", "sk-file\n");
    let env = MapEnvironment::new().with_var("DASHSCOPE_API_KEY_FILE_PATH", file.to_str().unwrap());
    assert_eq!(
        EnvApiKeyProvider::new(Arc::new(env))
            .api_key()
            .await
            .unwrap()
            .secret()
            .expose(),
        "sk-file"
    );
    dir.write(".dashscope/api_key", "sk-home");
    let env = MapEnvironment::new().with_home(dir.path());
    assert_eq!(
        EnvApiKeyProvider::new(Arc::new(env))
            .api_key()
            .await
            .unwrap()
            .secret()
            .expose(),
        "sk-home"
    );
    let error = EnvApiKeyProvider::new(Arc::new(MapEnvironment::new()))
        .api_key()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::NotFound);
}

#[tokio::test]
async fn dashscope_temporary_tokens_are_cached_and_renewed() {
    let clock = Arc::new(TestClock::at(now()));
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = issued.clone();
    let mock = MockTransport::with_handler(move |request| {
        assert_eq!(request.uri.path(), "/api/v1/tokens");
        assert_eq!(request.uri.query(), Some("expire_in_seconds=60"));
        assert_eq!(
            request.header("authorization"),
            Some("Bearer sk-long-lived")
        );
        assert!(request.body.is_empty());
        let n = counter.fetch_add(1, Ordering::SeqCst);
        MockResponse::json(
            200,
            &json!({ "token": format!("st-{n}"), "expires_at": NOW + 60 * (n as u64 + 1) }),
        )
    });
    let provider = TemporaryTokenProvider::new(
        context(&mock, &clock),
        Arc::new(ApiKey::new("sk-long-lived")),
    )
    .with_base_url("http://dashscope.test/")
    .with_expire_in(Duration::from_secs(60));
    let token = provider.api_key().await.unwrap();
    assert_eq!(token.secret().expose(), "st-0");
    assert!(token.is_temporary());
    clock.advance(Duration::from_secs(30));
    assert_eq!(provider.api_key().await.unwrap().secret().expose(), "st-0");
    // A 60-second token is renewed when a third of its life is left.
    clock.advance(Duration::from_secs(15));
    assert_eq!(provider.api_key().await.unwrap().secret().expose(), "st-1");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn dashscope_token_errors() {
    let clock = Arc::new(TestClock::at(now()));
    for (answer, expected) in [
        (
            MockResponse::json(
                401,
                &json!({"code": "InvalidApiKey", "message": "Invalid API-key provided.", "request_id": "R"}),
            ),
            "HTTP 401 InvalidApiKey",
        ),
        (
            MockResponse::json(
                200,
                &json!({"token": "sk-not-temporary", "expires_at": NOW + 60}),
            ),
            "no st- token",
        ),
        (
            MockResponse::json(200, &json!({"token": "st-x"})),
            "lacks expires_at",
        ),
    ] {
        let mock = MockTransport::new();
        mock.push(answer);
        let provider =
            TemporaryTokenProvider::new(context(&mock, &clock), Arc::new(ApiKey::new("sk-key")));
        let error = provider.api_key().await.unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
        assert!(!error.to_string().contains("sk-key"));
    }
}

// ---------------------------------------------------------------------------
// The default chain

#[tokio::test]
async fn the_default_chain_order_and_reuse() {
    let home = TempDir::new("chain");
    home.write(
        ".alibabacloud/credentials",
        "[default]\naccess_key_id = LTAI-file\naccess_key_secret = file-secret\n",
    );
    let mock = MockTransport::new();
    let clock = Arc::new(TestClock::at(now()));
    let disabled = MapEnvironment::new()
        .with_home(home.path())
        .with_var("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    let chain = DefaultChain::with_environment(
        context(&mock, &clock),
        Arc::new(disabled.clone()),
        EnvNames::default(),
    );
    assert_eq!(
        chain.provider_names(),
        ["environment", "aliyun-cli-config", "credentials-file"]
    );
    assert_eq!(chain.access_key().await.unwrap().id(), "LTAI-file");
    // The file is gone, but the chain reuses the provider that succeeded.
    std::fs::remove_file(home.path().join(".alibabacloud/credentials")).unwrap();
    assert_eq!(chain.access_key().await.unwrap().id(), "LTAI-file");

    let env = disabled
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-env")
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "r")
        .with_var("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "p")
        .with_var("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/t");
    let chain =
        DefaultChain::with_environment(context(&mock, &clock), Arc::new(env), EnvNames::default());
    assert_eq!(
        chain.provider_names(),
        [
            "environment",
            "oidc",
            "aliyun-cli-config",
            "credentials-file"
        ]
    );
    assert_eq!(chain.access_key().await.unwrap().id(), "LTAI-env");

    let nothing = MapEnvironment::new()
        .with_home(TempDir::new("chain-empty").path())
        .with_var("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    let chain = DefaultChain::with_environment(
        context(&mock, &clock),
        Arc::new(nothing),
        EnvNames::default(),
    );
    let error = chain.access_key().await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("environment: ALIBABA_CLOUD_ACCESS_KEY_ID is not set"),
        "{error}"
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn the_default_chain_ends_with_the_instance_role() {
    let mock = MockTransport::with_handler(|request| match request.uri.path() {
        "/latest/api/token" => MockResponse::new(200, "t"),
        "/latest/meta-data/ram/security-credentials/named" => {
            MockResponse::json(200, &imds_answer("STS.chain-ecs", 3600))
        }
        _ => MockResponse::status(404),
    });
    let clock = Arc::new(TestClock::at(now()));
    let env = MapEnvironment::new()
        .with_home(TempDir::new("chain-ecs").path())
        .with_var("ALIBABA_CLOUD_ECS_METADATA", "named");
    let chain =
        DefaultChain::with_environment(context(&mock, &clock), Arc::new(env), EnvNames::default());
    assert_eq!(chain.provider_names().last(), Some(&"ecs-instance-role"));
    assert_eq!(chain.access_key().await.unwrap().id(), "STS.chain-ecs");
}

#[tokio::test]
async fn the_vendors_switches_and_the_credentials_uri_shape_the_chain() {
    // Issue 21 #15: the CLI-profile and IMDSv1 switches, and the URI source.
    let mock = MockTransport::with_handler(|request| match request.uri.path() {
        // IMDSv2's token refused: only IMDSv1 could go on.
        "/latest/api/token" => MockResponse::status(403),
        "/latest/meta-data/ram/security-credentials/named" => {
            MockResponse::json(200, &imds_answer("STS.via-v1", 3600))
        }
        "/creds" => MockResponse::json(200, &imds_answer("STS.via-uri", 3600)),
        _ => MockResponse::status(404),
    });
    let clock = Arc::new(TestClock::at(now()));
    let env = MapEnvironment::new()
        .with_home(TempDir::new("chain-switches").path())
        .with_var("ALIBABA_CLOUD_ECS_METADATA", "named")
        .with_var("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
        .with_var("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")
        .with_var("ALIBABA_CLOUD_CREDENTIALS_URI", "http://127.0.0.1:9/creds");
    let chain =
        DefaultChain::with_environment(context(&mock, &clock), Arc::new(env), EnvNames::default());
    assert_eq!(
        chain.provider_names(),
        [
            "environment",
            "credentials-file",
            "ecs-instance-role",
            "credentials-uri"
        ]
    );
    // IMDSv1 is forbidden, so the instance role fails and the URI serves.
    let key = chain.access_key().await.unwrap();
    assert_eq!(key.id(), "STS.via-uri");
    assert!(key.security_token().is_some() && key.expiration().is_some());
    let paths: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.uri.path().to_owned())
        .collect();
    assert!(
        !paths.iter().any(|p| p.ends_with("/named")),
        "IMDSv1 was used: {paths:?}"
    );

    // A URI answering another Code is a fetch error naming the source.
    let failing = MockTransport::new();
    failing.push(MockResponse::json(200, &json!({"Code": "Failed"})));
    let error = aliyun_ai_auth::provider::UriProvider::new(
        context(&failing, &clock),
        "http://127.0.0.1:9/creds",
    )
    .access_key()
    .await
    .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::Fetch, "{error}");
    assert!(error.to_string().contains("credentials URI"), "{error}");
}

#[tokio::test]
async fn rrsa_in_a_vpc_only_pod_asks_the_regional_vpc_sts_endpoint() {
    // Issue 14 #6: ACK's RRSA webhook injects these into pods that may only
    // reach VPC endpoints.
    let dir = TempDir::new("rrsa-vpc");
    let token_file = dir.write("token", "eyJ.oidc.jwt\n");
    let mock = MockTransport::new();
    mock.push(MockResponse::json(200, &sts_answer("STS.vpc", 3600)));
    let clock = Arc::new(TestClock::at(now()));
    let env = MapEnvironment::new()
        .with_home(dir.path())
        .with_var("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/pod")
        .with_var(
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "acs:ram::1:oidc-provider/ack",
        )
        .with_var(
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            token_file.to_str().unwrap(),
        )
        .with_var("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou")
        .with_var("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true");
    let chain =
        DefaultChain::with_environment(context(&mock, &clock), Arc::new(env), EnvNames::default());
    assert_eq!(chain.access_key().await.unwrap().id(), "STS.vpc");
    assert_eq!(
        mock.last_request().unwrap().uri.host(),
        Some("sts-vpc.cn-hangzhou.aliyuncs.com")
    );
}
