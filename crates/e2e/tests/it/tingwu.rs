//! Tingwu OpenAPI 2023-09-30 end to end against the emulator over loopback
//! HTTP with real signatures: an offline task created, waited for, its result
//! documents downloaded and read typed; a failing task; a live meeting
//! created and stopped; vocabularies created, read, listed, updated, deleted.

use std::time::Duration;

use aliyun_ai::ErrorKind;
use aliyun_ai::tingwu::create_task::{
    CreateTaskOperation, IdentityContent, IdentityRecognition, Input, Parameters, SourceLanguage,
    Type,
};
use aliyun_ai::tingwu::{
    CreateTaskRequest, CreateTranscriptionPhrasesRequest, DeleteTranscriptionPhrasesRequest,
    GetTaskInfoRequest, GetTranscriptionPhrasesRequest, ListTranscriptionPhrasesRequest,
    Summarization, Type as SummaryKind, UpdateTranscriptionPhrasesRequest,
};

use crate::support::{quick_wait, setup};

fn offline(file_url: &str, parameters: Parameters) -> CreateTaskRequest {
    CreateTaskRequest::builder()
        .type_(Type::Offline)
        .app_key("emulator-app")
        .input(
            Input::builder()
                .source_language(SourceLanguage::Cn)
                .file_url(file_url)
                .task_key("weekly-sync")
                .build(),
        )
        .parameters(parameters)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_offline_task_is_created_waited_for_and_its_documents_read_typed() {
    let (_emulator, client) = setup().await;
    let tingwu = client.tingwu();
    let parameters = Parameters::builder()
        .auto_chapters_enabled(true)
        .summarization_enabled(true)
        .summarization(
            Summarization::builder()
                .types([
                    SummaryKind::Paragraph,
                    SummaryKind::MindMap,
                    SummaryKind::QuestionsAnswering,
                ])
                .build(),
        )
        .identity_recognition_enabled(true)
        .identity_recognition(
            IdentityRecognition::builder()
                .identity_contents([
                    IdentityContent::builder()
                        .name("主持人")
                        .description("开会的人")
                        .build(),
                    IdentityContent::builder()
                        .name("参会人")
                        .description("其他人")
                        .build(),
                ])
                .build(),
        )
        .build()
        .unwrap();
    let created = tingwu
        .create_task(offline("https://example.com/meeting.mp3", parameters))
        .await
        .unwrap();
    let data = created.data.unwrap();
    let task_id = data.task_id.unwrap();
    assert_eq!(task_id.len(), 32);
    assert_eq!(data.task_status.unwrap().as_str(), "ONGOING");

    // Running before the delay: one look at it.
    let info = tingwu
        .get_task_info(
            GetTaskInfoRequest::builder()
                .task_id(&task_id)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(info.data.unwrap().task_status.unwrap().as_str(), "ONGOING");

    let done = tingwu.wait_for_task(&task_id, &quick_wait()).await.unwrap();
    assert_eq!(done.task_key.as_deref(), Some("weekly-sync"));
    let result = done.result.as_ref().unwrap();
    // Only the documents asked for, each a pre-signed URL hidden in Debug.
    assert!(result.transcription.is_some() && result.auto_chapters.is_some());
    assert!(result.translation.is_none() && result.text_polish.is_none());
    assert!(!format!("{result:?}").contains("Signature="));

    let results = tingwu.download_results(&done).await.unwrap();
    let transcription = results.transcription.unwrap();
    let paragraphs = transcription.paragraphs.unwrap();
    assert_eq!(paragraphs.len(), 4);
    let first: String = paragraphs[0]
        .words
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|w| w.text.clone())
        .collect();
    assert_eq!(first, "大家早，我们开始周会。");
    let chapters = results.auto_chapters.unwrap();
    assert_eq!(chapters.len(), 1);
    assert!(chapters[0].headline.is_some());
    let summary = results.summarization.unwrap();
    assert!(summary.paragraph_summary.unwrap().contains("预算"));
    assert!(summary.mind_map_summary.is_some());
    assert!(summary.questions_answering_summary.is_some());
    // Not asked for: absent.
    assert!(summary.conversational_summary.is_none());
    let identities = results
        .identity_recognition
        .unwrap()
        .identity_results
        .unwrap();
    let names: Vec<_> = identities
        .iter()
        .filter_map(|i| i.identity.as_deref())
        .collect();
    assert_eq!(names, ["主持人", "参会人"]);
    assert!(results.translation.is_none());
}

#[tokio::test]
async fn a_file_that_is_not_audio_fails_the_task_with_its_tsc_code() {
    let (_emulator, client) = setup().await;
    let tingwu = client.tingwu();
    let created = tingwu
        .create_task(offline(
            "https://example.com/notes.txt",
            Parameters::builder().build().unwrap(),
        ))
        .await
        .unwrap();
    let task_id = created.data.unwrap().task_id.unwrap();
    let error = tingwu
        .wait_for_task(&task_id, &quick_wait())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TaskFailed);
    assert_eq!(error.code(), Some("TSC.AudioFormat"));

    // An id the emulator never issued is INVALID, a failure too.
    let error = tingwu
        .wait_for_task("0123456789abcdef0123456789abcdef", &quick_wait())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TaskFailed);

    // An offline task without its file is refused before any task exists.
    let request = CreateTaskRequest::builder()
        .type_(Type::Offline)
        .input(Input::builder().source_language(SourceLanguage::Cn).build())
        .build()
        .unwrap();
    let error = tingwu.create_task(request).await.unwrap_err();
    assert_eq!(error.status(), Some(400));
}

#[tokio::test]
async fn a_live_meeting_gets_a_join_url_and_completes_after_stop() {
    let (_emulator, client) = setup().await;
    let tingwu = client.tingwu();
    let realtime = CreateTaskRequest::builder()
        .type_(Type::Realtime)
        .input(
            Input::builder()
                .source_language(SourceLanguage::Cn)
                .format("pcm")
                .sample_rate(16000)
                .build(),
        )
        .build()
        .unwrap();
    let created = tingwu.create_task(realtime).await.unwrap().data.unwrap();
    let join = created.meeting_join_url.unwrap();
    assert!(
        join.expose().starts_with("ws://127.0.0.1:"),
        "{}",
        join.expose()
    );
    assert!(join.expose().contains("mc="));
    // The join URL's credential is hidden when printed.
    assert!(!join.to_string().contains("mc="));
    let task_id = created.task_id.unwrap();

    // Still ONGOING while the meeting runs (well past the task delay).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let info = tingwu
        .get_task_info(
            GetTaskInfoRequest::builder()
                .task_id(&task_id)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(info.data.unwrap().task_status.unwrap().as_str(), "ONGOING");

    let stop = CreateTaskRequest::builder()
        .type_(Type::Realtime)
        .operation(CreateTaskOperation::Stop)
        .input(Input::builder().task_id(&task_id).build())
        .build()
        .unwrap();
    tingwu.create_task(stop.clone()).await.unwrap();
    let done = tingwu.wait_for_task(&task_id, &quick_wait()).await.unwrap();
    assert!(done.result.unwrap().transcription.is_some());
    // Stopping twice is refused.
    let error = tingwu.create_task(stop).await.unwrap_err();
    assert_eq!(error.status(), Some(400));
}

#[tokio::test]
async fn vocabularies_are_created_read_listed_updated_and_deleted() {
    let (_emulator, client) = setup().await;
    let tingwu = client.tingwu();
    let created = tingwu
        .create_transcription_phrases(
            CreateTranscriptionPhrasesRequest::builder()
                .name("cars")
                .description("car models")
                .word_weights(r#"{"问界": 3, "理想": 2}"#)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let id = created.data.unwrap().phrase_id.unwrap();

    let read = tingwu
        .get_transcription_phrases(
            GetTranscriptionPhrasesRequest::builder()
                .phrase_id(&id)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let phrases = read.data.unwrap().phrases.unwrap();
    assert_eq!(
        phrases[0].word_weights.as_deref(),
        Some(r#"{"问界": 3, "理想": 2}"#)
    );

    tingwu
        .update_transcription_phrases(
            UpdateTranscriptionPhrasesRequest::builder()
                .phrase_id(&id)
                .name("cars-2")
                .word_weights(r#"{"小鹏": 4}"#)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let listed = tingwu
        .list_transcription_phrases(ListTranscriptionPhrasesRequest::builder().build())
        .await
        .unwrap();
    let listed = listed.data.unwrap().phrases.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name.as_deref(), Some("cars-2"));
    // The list leaves the words out (its type has no such field).
    let raw = serde_json::to_value(&listed[0]).unwrap();
    assert!(raw.get("WordWeights").is_none());

    tingwu
        .delete_transcription_phrases(
            DeleteTranscriptionPhrasesRequest::builder()
                .phrase_id(&id)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let error = tingwu
        .get_transcription_phrases(
            GetTranscriptionPhrasesRequest::builder()
                .phrase_id(&id)
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("ResourceNotFound"));

    // WordWeights must be a JSON object in a string.
    let error = tingwu
        .create_transcription_phrases(
            CreateTranscriptionPhrasesRequest::builder()
                .name("bad")
                .word_weights("问界:3")
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
}
