//! No secret is ever printed. Everything below runs with tracing at TRACE
//! (every span opened and closed, every event), and every outcome is
//! formatted with `Debug` and `Display` into the same capture: every
//! operation with its example request (AccessKey, STS and DashScope token
//! credentials), Tingwu's presigned result URLs and their download, DianJin's
//! upload (an OSS policy and signature), the failure paths (throttling, 5xx,
//! resets, malformed answers, a wrong secret, an unknown key, no
//! credentials), and every credential provider and credential type. Then the
//! capture must hold none of: the AccessKey secrets, the security token, the
//! API key, any `st-` token issued, any request signature, any presigned
//! URL's query string, the upload policy and signature.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aliyun_ai::auth::env::MapEnvironment;
use aliyun_ai::auth::provider::{
    AssumeRoleProvider, CliConfigProvider, CredentialsFileProvider, EcsRoleProvider,
    EnvApiKeyProvider, EnvNames, OidcProvider, TemporaryTokenProvider,
};
use aliyun_ai::auth::{AccessKeyProvider, ApiKeyProvider, DefaultChain, EnvProvider, HttpContext};
use aliyun_ai::mock::{MockResponse, MockTransport};
use aliyun_ai::transport::{
    HttpRequest, HttpResponse, HttpTransport, HyperTransport, TransportError, UploadRequest,
};
use aliyun_ai::{AccessKey, ApiKey, Client, Config, RetryPolicy, WaitPolicy};
use aliyun_ai_core::server::ServerOperation;
use aliyun_ai_emulator::{Credentials, Emulator, EmulatorConfig, Fault, FaultRule, StsCredentials};
use tracing_subscriber::fmt::format::FmtSpan;

const AK_SECRET: &str = "AKSECRETq7Wm2Zx9Lp4Rt8Yv";
const STS_SECRET: &str = "STSSECRETk3Jd8Fh2Gs6Qw1";
const STS_TOKEN: &str = "STSTOKENu5Ib0Nc4Mv7Xa9Ze";
const API_KEY: &str = "sk-APIKEYr2Te6Yu8Io1Pa3Sd";
const FILE_SECRET: &str = "FILESECRETh8Jk2Lq5Wn7Ex";

/// Everything printed: the subscriber's output and every formatted value.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn print(&self, text: impl AsRef<str>) {
        let mut bytes = self.0.lock().unwrap();
        bytes.extend_from_slice(text.as_ref().as_bytes());
        bytes.push(b'\n');
    }

    /// `Debug`, `Display` and every source of an error.
    fn error(&self, error: &(dyn std::error::Error + 'static)) {
        self.print(format!("{error:?}\n{error}"));
        let mut source = error.source();
        while let Some(cause) = source {
            self.print(format!("{cause:?}\n{cause}"));
            source = cause.source();
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The real transport, recording what secrets go out: each request's
/// `Authorization` and signature headers and its query.
#[derive(Debug, Clone)]
struct Recording {
    inner: HyperTransport,
    sent: Arc<Mutex<Vec<String>>>,
}

impl Recording {
    fn record(&self, headers: &aliyun_ai::transport::http::HeaderMap, uri: &str) {
        let mut sent = self.sent.lock().unwrap();
        for name in ["authorization", "x-acs-security-token", "x-acs-signature"] {
            if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
                sent.push(value.to_owned());
            }
        }
        if let Some((_, query)) = uri.split_once('?') {
            sent.push(query.to_owned());
        }
    }
}

#[async_trait::async_trait]
impl HttpTransport for Recording {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.record(request.headers(), &request.uri().to_string());
        self.inner.send(request).await
    }

    async fn send_upload(&self, request: UploadRequest) -> Result<HttpResponse, TransportError> {
        self.record(request.headers(), &request.uri().to_string());
        self.inner.send_upload(request).await
    }
}

/// The WebSocket transport, recording the upgrade's signature the same way.
#[derive(Debug, Clone)]
struct RecordingWebSocket {
    inner: aliyun_ai::transport::websocket::TungsteniteTransport,
    sent: Arc<Mutex<Vec<String>>>,
}

#[async_trait::async_trait]
impl aliyun_ai::transport::websocket::WebSocketTransport for RecordingWebSocket {
    async fn connect(
        &self,
        request: aliyun_ai::transport::http::Request<()>,
    ) -> Result<
        aliyun_ai::transport::websocket::WebSocketConnection,
        aliyun_ai::transport::websocket::WebSocketError,
    > {
        if let Some(value) = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
        {
            self.sent.lock().unwrap().push(value.to_owned());
        }
        self.inner.connect(request).await
    }
}

/// A real-time dialogue session (issue 22): the upgrade, a start, a second
/// of audio, the stop, every event and the session printed; then one with a
/// wrong secret.
async fn realtime_session(emulator: &Emulator, recording: &Recording, capture: &Capture) {
    use aliyun_ai::dianjin::EndToEndRealTimeDialogRequest;
    use aliyun_ai::dianjin::realtime::{DialogEvent, StartTranscription};
    use futures_util::StreamExt as _;
    let websocket = RecordingWebSocket {
        inner: aliyun_ai::transport::websocket::TungsteniteTransport::new().expect("websocket"),
        sent: recording.sent.clone(),
    };
    let request = EndToEndRealTimeDialogRequest::builder()
        .workspace_id("llm-workspace")
        .output_format("wav")
        .build()
        .expect("request");
    for secret in [AK_SECRET, "not-the-secret"] {
        let config = Config::builder()
            .endpoint_for_all(emulator.base_url())
            .access_key(AccessKey::new("LTAI-nosecret", secret))
            .websocket_transport(Arc::new(websocket.clone()))
            .build()
            .expect("config");
        capture.print(format!("{config:?}"));
        let session = Client::new(config)
            .dianjin()
            .end_to_end_real_time_dialog(request.clone())
            .await;
        let mut dialog = match session {
            Ok(dialog) => dialog,
            Err(error) => {
                capture.error(&error);
                continue;
            }
        };
        capture.print(format!("{dialog:?}"));
        dialog
            .sender
            .start(StartTranscription::new("p").meta_data("name", "n"))
            .await
            .expect("start");
        for _ in 0..10 {
            dialog
                .sender
                .send_audio(vec![0u8; 3200])
                .await
                .expect("audio");
        }
        dialog.sender.stop().await.expect("stop");
        while let Some(event) = dialog.events.next().await {
            let event = event.expect("an event");
            capture.print(format!("{event:?}"));
            if matches!(event, DialogEvent::TranscriptionCompleted) {
                break;
            }
        }
    }
    let text = capture.text();
    assert!(text.contains("SentenceEnd"), "the session ran");
    assert!(
        text.contains("SignatureDoesNotMatch"),
        "the wrong secret was refused"
    );
}

/// The secret parts of what was sent: a signature after `Signature=`, a
/// Bearer key or token, a security token, a whole signed query.
fn sent_secrets(sent: &[String]) -> Vec<String> {
    let mut secrets = Vec::new();
    for value in sent {
        if let Some(key) = value.strip_prefix("Bearer ") {
            secrets.push(key.to_owned());
        } else if let Some((_, signature)) = value.split_once("Signature=") {
            let signature = signature.split([',', '&']).next().unwrap_or_default();
            secrets.push(signature.to_owned());
        } else if value.contains("Signature")
            || value.contains("security-token")
            || value.starts_with("STSTOKEN")
        {
            secrets.push(value.clone());
        }
    }
    secrets.retain(|s| s.len() >= 8);
    secrets
}

fn client_with(
    emulator: &Emulator,
    transport: &Recording,
    access_key: AccessKey,
    api_keys: Arc<dyn ApiKeyProvider>,
) -> Client {
    Client::new(
        Config::builder()
            .endpoint_for_all(emulator.base_url())
            .transport(Arc::new(transport.clone()))
            .access_key(access_key)
            .api_key_provider(api_keys)
            .retry_policy(RetryPolicy::default().with_backoff(Duration::ZERO, Duration::ZERO))
            .build()
            .expect("config"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_logs_debug_display_or_errors() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("one subscriber");

    let emulator = Emulator::start_with(
        EmulatorConfig::default()
            .with_credentials(
                Credentials::new("LTAI-nosecret", AK_SECRET, API_KEY)
                    .with_sts(StsCredentials::new("STS.nosecret", STS_SECRET, STS_TOKEN)),
            )
            .with_task_delay(Duration::from_millis(50))
            .with_stream_event_delay(Duration::from_millis(1)),
    )
    .await
    .expect("emulator");
    let transport = Recording {
        inner: HyperTransport::new().expect("hyper"),
        sent: Arc::default(),
    };
    let tokens: Arc<dyn ApiKeyProvider> = Arc::new(
        TemporaryTokenProvider::new(
            HttpContext::new(Arc::new(transport.clone())),
            Arc::new(ApiKey::new(API_KEY)),
        )
        .with_base_url(emulator.base_url()),
    );
    let plain = client_with(
        &emulator,
        &transport,
        AccessKey::new("LTAI-nosecret", AK_SECRET),
        Arc::new(ApiKey::new(API_KEY)),
    );
    let sts = client_with(
        &emulator,
        &transport,
        AccessKey::new("STS.nosecret", STS_SECRET).with_security_token(STS_TOKEN),
        tokens.clone(),
    );
    capture.print(format!("{plain:?}\n{sts:?}\n{tokens:?}"));

    // Every operation, with both credential kinds.
    for client in [&plain, &sts] {
        for (action, text) in aliyun_ai_load::call_every_operation(client).await {
            capture.print(format!("== {action}\n{text}"));
        }
    }

    // Tingwu: presigned result URLs, waited for and downloaded.
    let create =
        aliyun_ai::customerprofile::CreateTaskRequest::example_request().expect("one source");
    let created = sts
        .customer_profile()
        .create_task(create)
        .await
        .expect("createTask");
    capture.print(format!("{created:?}"));
    let data_id = created.output.and_then(|o| o.data_id).expect("a data id");
    let output = sts
        .customer_profile()
        .wait_for_task(
            &data_id,
            &WaitPolicy::default()
                .with_interval(Duration::from_millis(20), Duration::from_millis(50)),
        )
        .await
        .expect("the task ends");
    capture.print(format!("{output:?}"));
    let mut presigned = Vec::new();
    for url in [
        &output.transcription_path,
        &output.customer_profile_path,
        &output.identity_recognition_path,
    ]
    .into_iter()
    .flatten()
    {
        capture.print(format!("{url}\n{url:?}"));
        presigned.extend(url.expose().split_once('?').map(|(_, q)| q.to_owned()));
    }
    assert!(
        !presigned.is_empty(),
        "the emulator's result URLs are presigned"
    );
    let results = sts
        .customer_profile()
        .download_results(&output)
        .await
        .expect("results");
    capture.print(format!("{results:?}"));

    // DianJin's upload: an OSS policy and signature, granted and posted.
    let grant = plain
        .execute(
            &aliyun_ai::openplatform::AuthorizeFileUploadRequest::builder()
                .product("DianJin")
                .build()
                .expect("request"),
        )
        .await
        .expect("a grant");
    capture.print(format!("{grant:?}"));
    let mut upload_secrets: Vec<String> = [&grant.signature, &grant.encoded_policy]
        .into_iter()
        .flatten()
        .map(|s| s.expose().to_owned())
        .collect();
    upload_secrets.extend(grant.security_token.as_ref().map(|t| t.expose().to_owned()));
    let library = plain
        .dianjin()
        .create_library(
            aliyun_ai::dianjin::CreateLibraryRequest::builder()
                .workspace_id("ws")
                .library_name("l")
                .description("d")
                .build()
                .expect("request"),
        )
        .await
        .expect("a library")
        .data
        .expect("its id");
    let dir = std::env::temp_dir().join(format!("aliyun-ai-nosecret-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.txt");
    std::fs::write(&file, b"a document").unwrap();
    let uploaded = plain
        .dianjin()
        .upload_document_from_file("ws", &library, &file)
        .await;
    capture.print(format!("{uploaded:?}"));
    std::fs::remove_dir_all(&dir).unwrap();

    // Failure paths, each printed whole.
    let read = aliyun_ai::dianjin::GetLibraryListRequest::example_request().expect("example");
    for fault in [
        Fault::Error {
            status: 400,
            code: "Throttling.User".into(),
        },
        Fault::Error {
            status: 500,
            code: "InternalError".into(),
        },
        Fault::DropConnection,
        Fault::ResetMidBody,
        Fault::Respond {
            status: 200,
            headers: vec![],
            body: b"{not json".to_vec(),
        },
        Fault::Respond {
            status: 502,
            headers: vec![("content-type".into(), "text/html".into())],
            body: b"<html>bad gateway</html>".to_vec(),
        },
    ] {
        emulator.inject(FaultRule::always(fault));
        for client in [&plain, &sts] {
            let error = client.execute(&read).await.expect_err("the fault");
            capture.error(&error);
        }
        emulator.clear_faults();
    }
    // A wrong secret, an unknown key, a revoked token: refused by the emulator.
    for (key, api_key) in [
        (
            AccessKey::new("LTAI-nosecret", "WRONGSECRETx1y2z3w4"),
            "sk-WRONGKEYa1b2c3d4",
        ),
        (AccessKey::new("LTAI-unknown", AK_SECRET), API_KEY),
    ] {
        let client = client_with(&emulator, &transport, key, Arc::new(ApiKey::new(api_key)));
        capture.error(&client.execute(&read).await.expect_err("refused"));
        let get = aliyun_ai::customerprofile::GetTaskRequest::example_request().expect("example");
        capture.error(&client.execute(&get).await.expect_err("refused"));
    }
    // No credentials at all.
    let bare = Client::new(
        Config::builder()
            .endpoint_for_all(emulator.base_url())
            .build()
            .expect("config"),
    );
    capture.error(&bare.execute(&read).await.expect_err("no credentials"));

    // Every provider and credential type, and their failures.
    let dir = std::env::temp_dir().join(format!("aliyun-ai-nosecret-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ini = dir.join("credentials");
    std::fs::write(
        &ini,
        format!("[default]\naccess_key_id = LTAI-file\naccess_key_secret = {FILE_SECRET}\n[bad]\ntype = ram_role_arn\naccess_key_id = a\naccess_key_secret = {FILE_SECRET}\n"),
    )
    .unwrap();
    let cli = dir.join("config.json");
    std::fs::write(
        &cli,
        format!("{{\"profiles\":[{{\"name\":\"default\",\"mode\":\"AK\",\"access_key_id\":\"LTAI-cli\",\"access_key_secret\":\"{FILE_SECRET}\"}}"),
    )
    .unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, STS_TOKEN).unwrap();
    let env = Arc::new(
        MapEnvironment::new()
            .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-env")
            .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", AK_SECRET)
            .with_var("ALIBABA_CLOUD_SECURITY_TOKEN", STS_TOKEN)
            .with_var("DASHSCOPE_API_KEY", API_KEY)
            .with_var("ALIBABA_CLOUD_CREDENTIALS_FILE", ini.to_str().unwrap())
            .with_var("ALIBABA_CLOUD_CONFIG_FILE", cli.to_str().unwrap()),
    );
    // A credentials service that refuses, echoing in its message all it
    // was sent (query, headers, form): the source key's signature, the OIDC
    // token, the API key. The errors must not print what it echoes.
    let failing = MockTransport::with_handler(|request| {
        let mut echo = request.uri.query().unwrap_or_default().to_owned();
        for (name, value) in &request.headers {
            echo.push_str(&format!(" {name}={}", value.to_str().unwrap_or_default()));
        }
        echo.push(' ');
        echo.push_str(
            &aliyun_ai::auth::encoding::decode_form(&request.body_text())
                .map(|pairs| {
                    pairs
                        .into_iter()
                        .map(|(n, v)| format!("{n}={v} "))
                        .collect::<String>()
                })
                .unwrap_or_default(),
        );
        MockResponse::json(
            400,
            &serde_json::json!({"Code": "InvalidParameter", "Message": echo, "RequestId": "R"}),
        )
    });
    let http = HttpContext::new(Arc::new(failing.clone())).with_retry(RetryPolicy::disabled());
    let source = Arc::new(AccessKey::new("LTAI-source", AK_SECRET));
    let providers: Vec<Arc<dyn AccessKeyProvider>> = vec![
        Arc::new(EnvProvider::new(env.clone())),
        Arc::new(CredentialsFileProvider::new(
            http.clone(),
            env.clone(),
            EnvNames::default(),
        )),
        Arc::new(CliConfigProvider::new(
            http.clone(),
            env.clone(),
            EnvNames::default(),
        )),
        Arc::new(AssumeRoleProvider::new(
            http.clone(),
            source.clone(),
            "acs:ram::1:role/r",
        )),
        Arc::new(EcsRoleProvider::new(http.clone()).with_endpoint("http://imds.test")),
        Arc::new(OidcProvider::new(
            http.clone(),
            "acs:ram::1:role/r",
            "acs:ram::1:oidc/p",
            &token_file,
        )),
        Arc::new(DefaultChain::with_environment(
            http.clone(),
            env.clone(),
            EnvNames::default(),
        )),
    ];
    for provider in providers {
        capture.print(format!("{provider:?}"));
        match provider.access_key().await {
            Ok(key) => capture.print(format!("{key:?}\n{key}")),
            Err(error) => capture.error(&error),
        }
    }
    let bad_profile = Arc::new(
        env.as_ref()
            .clone()
            .with_var("ALIBABA_CLOUD_PROFILE", "bad"),
    );
    let provider = CredentialsFileProvider::new(http.clone(), bad_profile, EnvNames::default());
    match provider.access_key().await {
        Ok(key) => capture.print(format!("{key:?}")),
        Err(error) => capture.error(&error),
    }
    let api_key_provider = EnvApiKeyProvider::new(env.clone());
    capture.print(format!("{api_key_provider:?}"));
    let key = api_key_provider.api_key().await.expect("the key");
    capture.print(format!("{key:?}\n{key}"));
    let refused_tokens = TemporaryTokenProvider::new(http.clone(), Arc::new(key));
    capture.print(format!("{refused_tokens:?}"));
    capture.error(&refused_tokens.api_key().await.expect_err("refused"));
    std::fs::remove_dir_all(&dir).unwrap();

    realtime_session(&emulator, &transport, &capture).await;

    // What must never appear.
    let sent = transport.sent.lock().unwrap().clone();
    let mut secrets: Vec<String> = [AK_SECRET, STS_SECRET, STS_TOKEN, API_KEY, FILE_SECRET]
        .map(str::to_owned)
        .to_vec();
    let mut signatures = sent_secrets(&sent);
    // What the providers sent the refusing credentials service.
    let refused: Vec<String> = failing
        .requests()
        .iter()
        .flat_map(|r| {
            let mut values: Vec<String> = r
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .into_iter()
                .collect();
            values.extend(r.uri.query().map(str::to_owned));
            values
        })
        .collect();
    signatures.extend(sent_secrets(&refused));
    assert!(
        signatures.iter().filter(|s| s.starts_with("st-")).count() >= 1,
        "a DashScope token was used: {sent:?}"
    );
    assert!(
        signatures.len() >= 100,
        "requests were signed: {}",
        signatures.len()
    );
    secrets.extend(signatures);
    secrets.extend(presigned);
    secrets.extend(upload_secrets);
    let text = capture.text();
    assert!(
        text.len() > 100_000,
        "the capture holds the run: {} bytes",
        text.len()
    );
    assert!(text.contains("aliyun_ai.operation"), "spans were captured");
    for secret in &secrets {
        if let Some(at) = text.find(secret.as_str()) {
            let start = text.floor_char_boundary(at.saturating_sub(200));
            let end = text.ceil_char_boundary((at + secret.len() + 100).min(text.len()));
            panic!("{secret:?} was printed:\n...{}...", &text[start..end]);
        }
    }
}
