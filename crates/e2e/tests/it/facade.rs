//! The facade against the emulator, over real HTTP with real signing, for
//! every operation, plus streaming, task waiting, result downloads, retried
//! throttling, a wrong secret, truncated streams and the other faults.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aliyun_ai::auth::HttpContext;
use aliyun_ai::auth::provider::TemporaryTokenProvider;
use aliyun_ai::auth::sign::FixedNonce;
use aliyun_ai::contactcenterai::create_task::{TaskType, Transcription};
use aliyun_ai::contactcenterai::get_task_result::{RequiredField, TaskStatus};
use aliyun_ai::contactcenterai::{
    AnalyzeConversationRequest, CreateTaskRequest, GetTaskResultRequest,
};
use aliyun_ai::contactcenterai::{Dialogue, ResultType, Role, Sentence};
use aliyun_ai::contactcenterai::{Dialogue as TaskDialogue, Sentence as TaskSentence};
use aliyun_ai::customerprofile::CreateTaskRequest as CustomerProfileCreateTask;
use aliyun_ai::customerprofile::create_task::{
    ContentExtractionParameters, ExtractionContent, IdentityContent, IdentityRecognitionParameters,
    Input, Parameters,
};
use aliyun_ai::dianjin::Intention;
use aliyun_ai::dianjin::RecognizeIntentionRequest;
use aliyun_ai::dianjin::recognize_intention::BizType;
use aliyun_ai::retailbot::RecognizeMessageRequest;
use aliyun_ai::retailbot::recognize_message::ContentType;
use aliyun_ai::{
    AccessKey, ApiKey, Client, Config, ConfigBuilder, ErrorKind, RetryPolicy, RpcSignature,
};
use aliyun_ai_emulator::{Emulator, EmulatorConfig, Fault, FaultRule};
use futures_util::StreamExt;

use crate::support::quick_wait;

fn fast() -> EmulatorConfig {
    EmulatorConfig::default()
        .with_task_delay(Duration::from_millis(150))
        .with_stream_event_delay(Duration::from_millis(5))
}

fn builder(emulator: &Emulator) -> ConfigBuilder {
    let credentials = emulator.credentials();
    Config::builder()
        .endpoint_for_all(emulator.base_url())
        .access_key(AccessKey::new(
            &credentials.access_key_id,
            credentials.access_key_secret.as_str(),
        ))
        .api_key(ApiKey::new(credentials.api_key.as_str()))
        .retry_policy(
            RetryPolicy::default()
                .with_backoff(Duration::from_millis(10), Duration::from_millis(50)),
        )
}

async fn setup() -> (Emulator, Client) {
    let emulator = Emulator::start_with(fast()).await.unwrap();
    let client = Client::new(builder(&emulator).build().unwrap());
    (emulator, client)
}

fn dialogue() -> Dialogue {
    Dialogue::builder()
        .sentences([
            Sentence::new(Role::User, "你好,我的信用卡账单还款日是哪天?"),
            Sentence::new(Role::Agent, "您好,您的还款日是每月8号。"),
            Sentence::new(Role::User, "好的,谢谢"),
        ])
        .build()
        .unwrap()
}

#[tokio::test]
async fn analyze_conversation_answers_from_the_dialogue() {
    let (_emulator, client) = setup().await;
    let request = AnalyzeConversationRequest::builder()
        .workspace_id("llm-ws")
        .app_id("app-1")
        .dialogue(dialogue())
        .result_types([ResultType::Summary])
        .build()
        .unwrap();
    let answer = client
        .contact_center_ai()
        .analyze_conversation(request)
        .await
        .unwrap();
    let text = answer.text.unwrap();
    assert!(
        text.contains("客户共发言2次") && text.contains("还款日"),
        "{text}"
    );
    assert_eq!(answer.finish_reason.as_deref(), Some("stop"));
    assert!(answer.total_tokens.unwrap() > 0);

    let request = AnalyzeConversationRequest::builder()
        .workspace_id("llm-ws")
        .app_id("app-1")
        .dialogue(dialogue())
        .result_types([ResultType::Title, ResultType::Keywords])
        .build()
        .unwrap();
    let answer = client
        .contact_center_ai()
        .analyze_conversation(request)
        .await
        .unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&answer.text.unwrap()).unwrap();
    assert!(parsed["title"].as_str().unwrap().starts_with("你好"));
}

#[tokio::test]
async fn analyze_conversation_streams_several_events_ending_in_stop() {
    let (_emulator, client) = setup().await;
    let request = AnalyzeConversationRequest::builder()
        .workspace_id("llm-ws")
        .app_id("app-1")
        .dialogue(dialogue())
        .result_types(["summary"])
        .build()
        .unwrap();
    let events: Vec<_> = client
        .contact_center_ai()
        .analyze_conversation_stream(request.clone())
        .await
        .unwrap()
        .collect()
        .await;
    assert!(events.len() >= 3, "{} events", events.len());
    let events: Vec<_> = events.into_iter().map(Result::unwrap).collect();
    assert!(
        events[..events.len() - 1]
            .iter()
            .all(|e| e.finish_reason.is_none())
    );
    assert_eq!(
        events.last().unwrap().finish_reason.as_deref(),
        Some("stop")
    );
    let full = events.last().unwrap().text.clone().unwrap();
    let deltas: Vec<String> = client
        .contact_center_ai()
        .analyze_conversation_stream(request)
        .await
        .unwrap()
        .text_deltas()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(deltas.concat(), full);
}

#[tokio::test]
async fn a_truncated_stream_is_a_typed_error() {
    let (emulator, client) = setup().await;
    emulator
        .inject(FaultRule::for_action("AnalyzeConversation", Fault::TruncateStream(1)).times(1));
    let request = AnalyzeConversationRequest::builder()
        .workspace_id("ws")
        .app_id("app")
        .dialogue(dialogue())
        .result_types(["summary"])
        .build()
        .unwrap();
    let items: Vec<_> = client
        .contact_center_ai()
        .analyze_conversation_stream(request)
        .await
        .unwrap()
        .collect()
        .await;
    assert!(items[0].is_ok());
    let error = items.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(
            error.kind(),
            ErrorKind::Transport | ErrorKind::IncompleteStream
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn ccai_create_task_then_wait_with_progress() {
    let (_emulator, client) = setup().await;
    let request = CreateTaskRequest::builder()
        .workspace_id("llm-ws")
        .app_id("app-1")
        .task_type(TaskType::Text)
        .model_code("tyxmTurbo")
        .dialogue(
            TaskDialogue::builder()
                .sentences([
                    TaskSentence::new("user", "我要办理退款"),
                    TaskSentence::new("agent", "好的,已为您提交"),
                ])
                .build()
                .unwrap(),
        )
        .result_types(["summary"])
        .build()
        .unwrap();
    let created = client
        .contact_center_ai()
        .create_task(request)
        .await
        .unwrap();
    let task_id = created.data.unwrap().task_id.unwrap();
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let seen = statuses.clone();
    let policy = quick_wait().on_progress(move |p| seen.lock().unwrap().push(p.status.clone()));
    let result = client
        .contact_center_ai()
        .wait_for_task(&task_id, [RequiredField::AsrResult], &policy)
        .await
        .unwrap();
    let data = result.data.unwrap();
    assert_eq!(data.task_status, Some(TaskStatus::Finish));
    assert!(data.text.unwrap().contains("退款"));
    assert_eq!(data.asr_result.unwrap().len(), 2);
    let statuses = statuses.lock().unwrap();
    assert_eq!(statuses.first().map(String::as_str), Some("QUEUE"));
    assert_eq!(statuses.last().map(String::as_str), Some("FINISH"));
    assert_eq!(result.success, Some(true));
}

#[tokio::test]
async fn ccai_audio_tasks_end_in_a_typed_task_error() {
    let (_emulator, client) = setup().await;
    let request = CreateTaskRequest::builder()
        .workspace_id("ws")
        .app_id("app")
        .task_type(TaskType::Audio)
        .model_code("tyxmTurbo")
        .transcription(
            Transcription::builder()
                .file_name("call.mp3")
                .voice_file_url("https://example.com/call.mp3")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let task_id = client
        .contact_center_ai()
        .create_task(request)
        .await
        .unwrap()
        .data
        .unwrap()
        .task_id
        .unwrap();
    let error = client
        .contact_center_ai()
        .wait_for_task(task_id, [], &quick_wait())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TaskFailed);
    assert!(error.message().unwrap().contains("call.mp3"));
}

#[tokio::test]
async fn unknown_task_ids_get_the_documented_error() {
    let (_emulator, client) = setup().await;
    let error = client
        .contact_center_ai()
        .get_task_result(
            GetTaskResultRequest::builder()
                .task_id("no-such-task")
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (Some(400), Some("CCAI.InvalidParam.NotExist"))
    );
}

#[tokio::test]
async fn recognize_intention_picks_the_best_matching_intention_or_other() {
    let (_emulator, client) = setup().await;
    let intentions = [
        Intention::builder()
            .intention("忘记还款")
            .description("客户表示忘记还款了")
            .intention_code("1001")
            .build(),
        Intention::builder()
            .intention("询问额度")
            .description("客户询问信用卡额度")
            .intention_code("1002")
            .build(),
    ];
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("llm-xxxx")
        .biz_type(BizType::Common)
        .conversation("##客服##:您好,您的账单已逾期\n##客户##:不好意思,我忘记还款了")
        .intention_list(intentions.clone())
        .analysis(true)
        .build()
        .unwrap();
    let data = client
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(
        (
            data.intention_code.as_deref(),
            data.intention_name.as_deref()
        ),
        (Some("1001"), Some("忘记还款"))
    );
    assert!(data.analysis_process.is_some());
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("llm-xxxx")
        .biz_type(BizType::Common)
        .conversation("##客服##:您好\n##客户##:今天天气怎么样呢?")
        .intention_list(intentions)
        .build()
        .unwrap();
    let data = client
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(data.intention_name.as_deref(), Some("其它"));
}

fn message(content: &str) -> RecognizeMessageRequest {
    RecognizeMessageRequest::builder()
        .robot_code("1cY9drMec4b2uzS2")
        .session_id("s-1")
        .chat_id("c-1")
        .round(1)
        .content(content)
        .content_type(ContentType::Text)
        .user_nick("买家")
        .staff_nick("客服")
        .seller_nick("店铺")
        .service_mode("AUTO")
        .build()
        .unwrap()
}

#[tokio::test]
async fn recognize_message_with_v3_and_v1_signatures() {
    let (emulator, client) = setup().await;
    let answer = client
        .retail_bot()
        .recognize_message(message("身高170cm穿什么尺码?"))
        .await
        .unwrap();
    let data = answer.data.unwrap();
    assert_eq!(
        data.scene.unwrap().scene_dtos.unwrap()[0]
            .scene_key
            .as_deref(),
        Some("sc_chima")
    );
    let span = &data.unit_slots.unwrap().unit_spans.unwrap()[0];
    assert_eq!(span.numeric_slot_value.as_ref().unwrap().num, Some(170.0));
    // A knowledge id above 2^53 survives the trip.
    assert_eq!(
        data.knowledges.unwrap()[0].knowledge_id.unwrap().get(),
        9_007_199_254_740_993
    );

    let v1 = Client::new(
        builder(&emulator)
            .rpc_signature(RpcSignature::V1)
            .build()
            .unwrap(),
    );
    let answer = v1
        .retail_bot()
        .recognize_message(message("你好,有货吗"))
        .await
        .unwrap();
    assert_eq!(answer.success, Some(true));
}

#[tokio::test]
async fn customer_profile_create_wait_and_download_consistent_results() {
    let (_emulator, client) = setup().await;
    let request = CustomerProfileCreateTask::builder()
        .input(
            Input::builder()
                .app_id("app-1")
                .text("销售: 您好,欢迎光临,想看看什么车?\n客户: 我想了解一下SUV,价位大概多少?\n销售: 这款落地二十万左右,可以预约试驾。\n客户: 好的,周末我来试驾一下。")
                .build()
                .unwrap(),
        )
        .parameters(
            Parameters::builder()
                .identity_recognition(IdentityRecognitionParameters::builder().identity_contents([IdentityContent::builder().name("客户").description("来买车的人").build()]).build().unwrap())
                .content_extraction(ContentExtractionParameters::builder().extraction_contents([ExtractionContent::builder().title("用车成本").content("价位 价格 多少钱").build()]).build().unwrap())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let data_id = client
        .customer_profile()
        .create_task(request)
        .await
        .unwrap()
        .output
        .unwrap()
        .data_id
        .unwrap();
    let polls = Arc::new(Mutex::new(0));
    let counter = polls.clone();
    let output = client
        .customer_profile()
        .wait_for_task(
            &data_id,
            &quick_wait().on_progress(move |_| *counter.lock().unwrap() += 1),
        )
        .await
        .unwrap();
    assert!(*polls.lock().unwrap() >= 2, "the task was running at first");
    let results = client
        .customer_profile()
        .download_results(&output)
        .await
        .unwrap();
    let paragraphs = results.transcription.unwrap().paragraphs.unwrap();
    assert_eq!(paragraphs.len(), 4);
    assert_eq!(paragraphs[1].speaker_id.as_deref(), Some("2"));
    let identities = results
        .identity_recognition
        .unwrap()
        .identity_results
        .unwrap();
    assert_eq!(
        identities
            .iter()
            .find(|i| i.speaker_id.as_deref() == Some("2"))
            .unwrap()
            .identity
            .as_deref(),
        Some("客户")
    );
    let extraction = &results.content_extractions[0][0];
    assert_eq!(extraction.title.as_deref(), Some("用车成本"));
    assert_eq!(extraction.matched_sentence_ids.as_deref(), Some(&[2][..]));
    let profile = results.customer_profile.unwrap();
    assert_eq!(
        profile.sale_clue_classify.unwrap().classify.as_deref(),
        Some("A")
    );
    assert_eq!(
        profile.try_drive_intention_evaluation.unwrap().score,
        Some(80)
    );
}

#[tokio::test]
async fn customer_profile_audio_tasks_fail_with_the_vendor_code() {
    let (_emulator, client) = setup().await;
    let request = CustomerProfileCreateTask::builder()
        .input(
            Input::builder()
                .app_id("app")
                .file_url("https://example.com/a.wav")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let data_id = client
        .customer_profile()
        .create_task(request)
        .await
        .unwrap()
        .output
        .unwrap()
        .data_id
        .unwrap();
    let error = client
        .customer_profile()
        .wait_for_task(data_id, &quick_wait())
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.code()),
        (ErrorKind::TaskFailed, Some("TSC.FileError"))
    );
}

#[tokio::test]
async fn expired_result_urls_are_reported_as_such() {
    let emulator = Emulator::start_with(fast().with_result_url_ttl(Duration::ZERO))
        .await
        .unwrap();
    let client = Client::new(builder(&emulator).build().unwrap());
    let request = CustomerProfileCreateTask::builder()
        .input(
            Input::builder()
                .app_id("app")
                .text("客户: 你好")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let data_id = client
        .customer_profile()
        .create_task(request)
        .await
        .unwrap()
        .output
        .unwrap()
        .data_id
        .unwrap();
    let output = client
        .customer_profile()
        .wait_for_task(data_id, &quick_wait())
        .await
        .unwrap();
    let error = client
        .customer_profile()
        .download_results(&output)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ResultExpired, "{error}");
}

#[tokio::test]
async fn throttling_is_retried_to_success() {
    let (emulator, client) = setup().await;
    emulator.inject(
        FaultRule::for_action(
            "RecognizeIntention",
            Fault::Error {
                status: 400,
                code: "Throttling.User".into(),
            },
        )
        .times(2),
    );
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("ws")
        .biz_type("attitude")
        .conversation("##客户##:好的,我今天就还款")
        .build()
        .unwrap();
    let data = client
        .dianjin()
        .recognize_intention(request.clone())
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(data.intention_name.as_deref(), Some("积极配合"));
    // More throttling than the retry budget: a throttling error after 3 attempts.
    emulator.inject(
        FaultRule::for_action(
            "RecognizeIntention",
            Fault::Error {
                status: 400,
                code: "Throttling.User".into(),
            },
        )
        .times(3),
    );
    let error = client
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap_err();
    assert!(error.is_throttling());
    assert_eq!(error.attempts(), 3);
}

#[tokio::test]
async fn the_qps_limit_throttles_like_the_service() {
    let emulator = Emulator::start_with(fast().with_qps_limit(Some(1)))
        .await
        .unwrap();
    let client = Client::new(
        builder(&emulator)
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap(),
    );
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("ws")
        .biz_type("attitude")
        .conversation("##客户##:嗯")
        .build()
        .unwrap();
    let results = futures_util::future::join_all(
        (0..3).map(|_| client.dianjin().recognize_intention(request.clone())),
    )
    .await;
    let throttled: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(!throttled.is_empty());
    assert!(throttled.iter().all(|e| e.is_throttling()), "{throttled:?}");
}

#[tokio::test]
async fn a_wrong_secret_is_a_typed_403_that_is_not_retried() {
    let (emulator, _) = setup().await;
    let client = Client::new(
        builder(&emulator)
            .access_key(AccessKey::new(
                &emulator.credentials().access_key_id,
                "wrong-secret",
            ))
            .build()
            .unwrap(),
    );
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("ws")
        .biz_type("attitude")
        .conversation("c")
        .build()
        .unwrap();
    let error = client
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.status(), error.code()),
        (ErrorKind::Service, Some(403), Some("SignatureDoesNotMatch"))
    );
    assert_eq!(error.attempts(), 1);
    assert!(!error.is_retryable());
    assert!(
        !error.body_excerpt().unwrap().contains("StringToSign"),
        "no debug detail unless asked"
    );

    let debug = Emulator::start_with(fast().with_debug_signatures(true))
        .await
        .unwrap();
    let client = Client::new(
        builder(&debug)
            .access_key(AccessKey::new(
                &debug.credentials().access_key_id,
                "wrong-secret",
            ))
            .build()
            .unwrap(),
    );
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("ws")
        .biz_type("attitude")
        .conversation("c")
        .build()
        .unwrap();
    let error = client
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap_err();
    assert!(
        error
            .body_excerpt()
            .unwrap()
            .contains("ACS3-HMAC-SHA256\\n"),
        "{:?}",
        error.body_excerpt()
    );
}

#[tokio::test]
async fn a_reused_nonce_and_a_stale_date_are_refused() {
    let (emulator, _) = setup().await;
    let fixed = Client::new(
        builder(&emulator)
            .nonce_source(Arc::new(FixedNonce("same-nonce".into())))
            .build()
            .unwrap(),
    );
    let request = RecognizeIntentionRequest::builder()
        .workspace_id("ws")
        .biz_type("attitude")
        .conversation("c")
        .build()
        .unwrap();
    fixed
        .dianjin()
        .recognize_intention(request.clone())
        .await
        .unwrap();
    let error = fixed
        .dianjin()
        .recognize_intention(request.clone())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("SignatureNonceUsed"));

    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    let stale = Client::new(
        builder(&emulator)
            .time_source(Arc::new(aliyun_ai::time::ManualTimer::at(an_hour_ago)))
            .build()
            .unwrap(),
    );
    let error = stale
        .dianjin()
        .recognize_intention(request)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InvalidTimeStamp.Expired"));
}

#[tokio::test]
async fn invalid_input_gets_the_documented_codes() {
    let (emulator, client) = setup().await;
    // DashScope without an API key it knows.
    let other = Client::new(
        builder(&emulator)
            .api_key(ApiKey::new("sk-wrong"))
            .build()
            .unwrap(),
    );
    let error = other
        .customer_profile()
        .get_task(customer_profile_get_task("x"))
        .await
        .unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (Some(401), Some("InvalidApiKey"))
    );
    // An unknown Tingwu task.
    let error = client
        .customer_profile()
        .get_task(customer_profile_get_task("wkb-unknown"))
        .await
        .unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (Some(400), Some("InvalidParameter"))
    );
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let (emulator, client) = setup().await;
    emulator.inject(FaultRule::always(Fault::DropConnection));
    let error = client
        .customer_profile()
        .get_task(customer_profile_get_task("x"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    emulator.clear_faults();
    let error = client
        .customer_profile()
        .get_task(customer_profile_get_task("x"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Service);
}

#[tokio::test]
async fn temporary_tokens_issued_by_the_emulator_are_accepted() {
    let (emulator, _) = setup().await;
    let transport: Arc<dyn aliyun_ai::HttpTransport> =
        Arc::new(aliyun_ai::transport::ReqwestTransport::new().unwrap());
    let tokens = TemporaryTokenProvider::new(
        HttpContext::new(transport),
        Arc::new(ApiKey::new(emulator.credentials().api_key.as_str())),
    )
    .with_base_url(emulator.base_url())
    .with_expire_in(Duration::from_secs(60));
    let client = Client::new(
        builder(&emulator)
            .api_key_provider(Arc::new(tokens))
            .build()
            .unwrap(),
    );
    let request = CustomerProfileCreateTask::builder()
        .input(
            Input::builder()
                .app_id("app")
                .text("客户: 你好")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    assert!(client.customer_profile().create_task(request).await.is_ok());
}

#[tokio::test]
async fn the_dashscope_url_works_with_and_without_a_trailing_slash() {
    let (emulator, _) = setup().await;
    let http = reqwest_client();
    for suffix in ["", "/"] {
        let response = http
            .post(format!("{}/api/v1/services/aigc/multimodal-generation/generation{suffix}", emulator.base_url()))
            .header("authorization", format!("Bearer {}", emulator.credentials().api_key))
            .header("content-type", "application/json")
            .body(r#"{"model":"tingwu-automotive-customer-profile","input":{"task":"createTask","appId":"a","text":"客户: 你好"},"parameters":{}}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "suffix {suffix:?}");
    }
}

#[tokio::test]
async fn the_fault_header_injects_per_request() {
    // Honoured only where the emulator's config says so.
    let emulator = Emulator::start_with(fast().with_fault_header(true))
        .await
        .unwrap();
    let http = reqwest_client();
    let url = format!(
        "{}/api/v1/services/aigc/multimodal-generation/generation",
        emulator.base_url()
    );
    let body = r#"{"model":"tingwu-automotive-customer-profile","input":{"task":"createTask","appId":"a","text":"客户: 你好"},"parameters":{}}"#;
    let authorization = format!("Bearer {}", emulator.credentials().api_key);
    let response = http
        .post(url.clone())
        .header("authorization", &authorization)
        .header("x-emulator-fault", "error:429:Throttling.RateQuota")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let started = std::time::Instant::now();
    let response = http
        .post(url.clone())
        .header("authorization", &authorization)
        .header("x-emulator-fault", "delay:200")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
    let dropped = http
        .post(url)
        .header("authorization", &authorization)
        .header("x-emulator-fault", "drop")
        .body(body)
        .send()
        .await;
    assert!(dropped.is_err());
}

fn reqwest_client() -> raw_http::Client {
    raw_http::Client::new()
}

/// A tiny HTTP client over the SDK's transport, for raw requests.
mod raw_http {
    use aliyun_ai::transport::bytes::Bytes;
    use aliyun_ai::transport::{HttpTransport, ReqwestTransport, http};

    pub struct Client(ReqwestTransport);
    pub struct RequestBuilder<'a>(&'a Client, http::request::Builder, Bytes);
    pub struct Response(u16);

    impl Client {
        pub fn new() -> Self {
            Client(ReqwestTransport::new().unwrap())
        }
        pub fn post(&self, url: String) -> RequestBuilder<'_> {
            RequestBuilder(self, http::Request::post(url), Bytes::new())
        }
    }

    impl RequestBuilder<'_> {
        pub fn header(self, name: &str, value: impl AsRef<str>) -> Self {
            RequestBuilder(self.0, self.1.header(name, value.as_ref()), self.2)
        }
        pub fn body(self, body: &'static str) -> Self {
            RequestBuilder(self.0, self.1, Bytes::from_static(body.as_bytes()))
        }
        pub async fn send(self) -> Result<Response, aliyun_ai::transport::TransportError> {
            let request = self.1.body(self.2).unwrap();
            Ok(Response(self.0.0.send(request).await?.status().as_u16()))
        }
    }

    impl Response {
        pub fn status(&self) -> u16 {
            self.0
        }
    }
}

/// A Tingwu getTask request for a task id.
fn customer_profile_get_task(data_id: &str) -> aliyun_ai::customerprofile::GetTaskRequest {
    aliyun_ai::customerprofile::GetTaskRequest::builder()
        .input(aliyun_ai::customerprofile::get_task::Input::new(data_id))
        .build()
        .unwrap()
}
