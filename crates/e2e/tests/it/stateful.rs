//! The emulator's state, through the facade over real HTTP: DianJin library
//! and document CRUD, DianJin task lifecycles waited for, CCAI vocabulary
//! CRUD. Each asserts what a user's own test would rely on.

use crate::support;

use std::time::Duration;

use aliyun_ai::ErrorKind;
use aliyun_ai::WaitPolicy;
use aliyun_ai::contactcenterai::{
    CreateVocabRequest, DeleteVocabRequest, GetVocabRequest, ListVocabRequest, UpdateVocabRequest,
    WordWeight,
};
use aliyun_ai::dianjin::create_dialog_analysis_task as dialog;
use aliyun_ai::dianjin::create_docs_summary_task::DocInfo;
use aliyun_ai::dianjin::create_quality_check_task as quality;
use aliyun_ai::dianjin::get_task_status::Data as TaskStatus;
use aliyun_ai::dianjin::{
    CreateDialogAnalysisTaskRequest, CreateDocsSummaryTaskRequest, CreateLibraryRequest,
    CreatePdfTranslateTaskRequest, CreateQualityCheckTaskRequest, DeleteDocumentRequest,
    DeleteLibraryRequest, EvictTaskRequest, GetDocumentListRequest, GetLibraryListRequest,
    GetLibraryRequest, GetParseResultRequest, GetTaskStatusRequest, UpdateDocumentRequest,
    UpdateLibraryRequest, UploadDocumentRequest,
};

const WS: &str = "llm-ws";

fn quick() -> WaitPolicy {
    WaitPolicy::default()
        .with_interval(Duration::from_millis(20), Duration::from_millis(50))
        .with_timeout(Duration::from_secs(10))
}

#[tokio::test]
async fn library_and_document_round_trip() {
    let (_emulator, client) = support::setup().await;
    let dianjin = client.dianjin();
    let created = dianjin
        .create_library(
            CreateLibraryRequest::builder()
                .workspace_id(WS)
                .library_name("年报")
                .description("上市公司年报")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let library = created.data.expect("a library id");

    let other = dianjin
        .create_library(
            CreateLibraryRequest::builder()
                .workspace_id(WS)
                .library_name("研报")
                .description("券商研报")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_ne!(library, other);

    let listed = dianjin
        .get_library_list(
            GetLibraryListRequest::builder()
                .workspace_id(WS)
                .query("年报")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(listed.total_records, Some(1));
    assert_eq!(
        listed.records.unwrap()[0].library_name.as_deref(),
        Some("年报")
    );

    dianjin
        .update_library(
            UpdateLibraryRequest::builder()
                .workspace_id(WS)
                .library_id(&library)
                .description("2024 年报")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();

    let upload = |name: &str| {
        UploadDocumentRequest::builder()
            .workspace_id(WS)
            .library_id(&library)
            .file_name(name)
            .file_url(format!("https://example.com/{name}"))
            .build()
            .unwrap()
    };
    let first = dianjin
        .upload_document(upload("a.pdf"))
        .await
        .unwrap()
        .data
        .unwrap();
    let second = dianjin
        .upload_document(upload("b.docx"))
        .await
        .unwrap()
        .data
        .unwrap();

    let got = dianjin
        .get_library(
            GetLibraryRequest::builder()
                .workspace_id(WS)
                .library_id(&library)
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(got.description.as_deref(), Some("2024 年报"));
    assert_eq!(got.document_count, Some(2));

    let documents = dianjin
        .get_document_list(
            GetDocumentListRequest::builder()
                .workspace_id(WS)
                .library_id(&library)
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .records
        .unwrap();
    let titles: Vec<_> = documents.iter().filter_map(|d| d.title.clone()).collect();
    assert_eq!(titles, ["a.pdf", "b.docx"]);

    dianjin
        .update_document(
            UpdateDocumentRequest::builder()
                .workspace_id(WS)
                .library_id(&library)
                .doc_id(&second)
                .title("b-renamed.docx")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let parsed = dianjin
        .get_parse_result(
            GetParseResultRequest::builder()
                .workspace_id(WS)
                .library_id(&library)
                .doc_id(&first)
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(parsed.file_type.as_deref(), Some("pdf"));

    dianjin
        .delete_document(
            DeleteDocumentRequest::builder()
                .workspace_id(WS)
                .library_id(&library)
                .doc_ids([first.clone()])
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let documents = dianjin
        .get_document_list(
            GetDocumentListRequest::builder()
                .workspace_id(WS)
                .library_id(&library)
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .records
        .unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].title.as_deref(), Some("b-renamed.docx"));

    dianjin
        .delete_library(
            DeleteLibraryRequest::builder()
                .workspace_id(WS)
                .library_id(&library)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let gone = dianjin
        .get_library(
            GetLibraryRequest::builder()
                .workspace_id(WS)
                .library_id(&library)
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        gone.status(),
        Some(200),
        "a failure inside HTTP 200: {gone}"
    );
    assert_eq!(gone.code(), Some("ResourceNotFound"));
}

#[tokio::test]
async fn summary_and_pdf_tasks_run_and_are_waited_for() {
    let (_emulator, client) = support::setup().await;
    let dianjin = client.dianjin();
    let task = dianjin
        .create_docs_summary_task(
            CreateDocsSummaryTaskRequest::builder()
                .workspace_id(WS)
                .model_id("qwen-plus")
                .instruction("对两份年报做业绩对比")
                .doc_infos([
                    DocInfo::builder()
                        .doc_id("d1")
                        .library_id("l1")
                        .build()
                        .unwrap(),
                    DocInfo::builder()
                        .doc_id("d2")
                        .library_id("l1")
                        .build()
                        .unwrap(),
                ])
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    let status = dianjin
        .get_task_status(
            GetTaskStatusRequest::builder()
                .workspace_id(WS)
                .task_id(&task)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(status.data, Some(TaskStatus::Running));
    let summary = dianjin.wait_for_summary(WS, &task, &quick()).await.unwrap();
    let content = summary.data.unwrap().choices.unwrap()[0]
        .message
        .as_ref()
        .unwrap()
        .content
        .clone()
        .unwrap();
    assert!(
        content.contains("2 份文档") && content.contains("业绩对比"),
        "{content}"
    );

    let translation = dianjin
        .create_pdf_translate_task(
            CreatePdfTranslateTaskRequest::builder()
                .workspace_id(WS)
                .doc_id("d1")
                .library_id("l1")
                .model_id("qwen-plus")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    let result = dianjin
        .wait_for_pdf_translation(WS, &translation, &quick())
        .await
        .unwrap();
    let url = result.data.unwrap()["file_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        url.ends_with(&format!("/translated/{translation}.pdf")),
        "{url}"
    );

    // An evicted task fails the wait, naming its status.
    let evicted = dianjin
        .create_pdf_translate_task(
            CreatePdfTranslateTaskRequest::builder()
                .workspace_id(WS)
                .doc_id("d1")
                .library_id("l1")
                .model_id("qwen-plus")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    dianjin
        .evict_task(
            EvictTaskRequest::builder()
                .workspace_id(WS)
                .task_id(&evicted)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let error = dianjin
        .wait_for_task(WS, &evicted, &quick())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TaskFailed);
    assert_eq!(error.code(), Some("evict"));
}

#[tokio::test]
async fn quality_check_and_dialog_analysis_are_waited_for() {
    let (_emulator, client) = support::setup().await;
    let dianjin = client.dianjin();
    let conversation = quality::ConversationList::builder()
        .dialogue_list([quality::Dialogue::builder()
            .content("您好，我是2001，很高兴为您服务！")
            .role(quality::Role::V1)
            .type_(quality::Type::Text)
            .build()
            .unwrap()])
        .build()
        .unwrap();
    let task = dianjin
        .create_quality_check_task(
            CreateQualityCheckTaskRequest::builder()
                .workspace_id(WS)
                .conversation_list(conversation)
                .gmt_service("2024-09-27 11:23:20")
                .request_id("check-1")
                .type_(quality::CreateQualityCheckTaskType::V0)
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap()
        .task_id
        .unwrap();
    let result = dianjin
        .wait_for_quality_check(WS, &task, &quick())
        .await
        .unwrap();
    let data = result.data.unwrap();
    assert_eq!(
        data.conversation_list.unwrap().dialogue_list.unwrap()[0]
            .content
            .as_deref(),
        Some("您好，我是2001，很高兴为您服务！")
    );

    let sessions = dianjin
        .create_dialog_analysis_task(
            CreateDialogAnalysisTaskRequest::builder()
                .workspace_id(WS)
                .play_code("common")
                .request_id("analysis-1")
                .conversation_list([
                    dialog::Conversation::builder()
                        .dialogue_list([dialog::Dialogue::builder()
                            .content("你好")
                            .role(dialog::Role::V0)
                            .build()
                            .unwrap()])
                        .build()
                        .unwrap(),
                    dialog::Conversation::builder()
                        .dialogue_list([dialog::Dialogue::builder()
                            .content("再见")
                            .role(dialog::Role::V1)
                            .build()
                            .unwrap()])
                        .build()
                        .unwrap(),
                ])
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(sessions.len(), 2);
    let analysis = dianjin
        .wait_for_dialog_analysis(WS, sessions.clone(), &quick())
        .await
        .unwrap();
    let items = analysis.data.unwrap().dialog_analysis_resp_list.unwrap();
    let ids: Vec<_> = items.iter().filter_map(|i| i.session_id.clone()).collect();
    assert_eq!(ids, sessions);
}

#[tokio::test]
async fn vocabulary_round_trip() {
    let (_emulator, client) = support::setup().await;
    let ccai = client.contact_center_ai();
    let created = ccai
        .create_vocab(
            CreateVocabRequest::builder()
                .workspace_id(WS)
                .name("销售热词")
                .word_weight_list([WordWeight::new("大树", 2), WordWeight::new("虹桥", 3)])
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let id = created.data.unwrap().vocabulary_id.unwrap();
    let got = ccai
        .get_vocab(
            GetVocabRequest::builder()
                .workspace_id(WS)
                .vocabulary_id(&id)
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(got.name.as_deref(), Some("销售热词"));
    assert_eq!(got.word_weight_list.unwrap().len(), 2);

    ccai.update_vocab(
        UpdateVocabRequest::builder()
            .workspace_id(WS)
            .vocabulary_id(&id)
            .description("新描述")
            .build()
            .unwrap(),
    )
    .await
    .unwrap();
    let listed = ccai
        .list_vocab(
            ListVocabRequest::builder()
                .workspace_id(WS)
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].description.as_deref(), Some("新描述"));
    // Another workspace sees none of it.
    let elsewhere = ccai
        .list_vocab(
            ListVocabRequest::builder()
                .workspace_id("llm-other")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap_or_default();
    assert!(elsewhere.is_empty());

    ccai.delete_vocab(
        DeleteVocabRequest::builder()
            .workspace_id(WS)
            .vocabulary_id(&id)
            .build()
            .unwrap(),
    )
    .await
    .unwrap();
    let gone = ccai
        .get_vocab(
            GetVocabRequest::builder()
                .workspace_id(WS)
                .vocabulary_id(&id)
                .build()
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(gone.status(), Some(400));
    assert_eq!(gone.code(), Some("CCAI.InvalidParam.NotExist"));
}
