//! Tingwu (通义听悟) OpenAPI 2023-09-30: offline and live-meeting tasks,
//! waiting for them, downloading and decoding their eleven result documents,
//! and vocabularies (TranscriptionPhrases). The methods of the seven
//! operations are generated (`tingwu/operations.rs`).
//!
//! Not to be confused with the DashScope application built on Tingwu
//! ([`Client::customer_profile`](crate::Client::customer_profile)): a separate
//! service with its own endpoint, credentials and result files.

pub use aliyun_ai_models_tingwu::*;

#[cfg(feature = "websocket")]
pub mod meeting;
mod operations;

use aliyun_ai_core::SignedUrl;
use aliyun_ai_models_tingwu::get_task_info::{Data, TaskStatus};
use futures_util::future::try_join_all;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, ServiceError, excerpt};
use crate::results::fetch_presigned_bytes;
use crate::wait::{TaskState, WaitPolicy, poll_task};

/// Tingwu operations; from [`Client::tingwu`].
///
/// An offline task is created, waited for, and its result documents
/// downloaded:
///
/// ```no_run
/// use aliyun_ai::tingwu::CreateTaskRequest;
/// use aliyun_ai::{Client, WaitPolicy};
///
/// async fn chapters(client: &Client, request: CreateTaskRequest) -> Result<(), aliyun_ai::Error> {
///     let tingwu = client.tingwu();
///     let created = tingwu.create_task(request).await?;
///     let task_id = created.data.and_then(|d| d.task_id).unwrap_or_default();
///     let done = tingwu.wait_for_task(&task_id, &WaitPolicy::default()).await?;
///     let results = tingwu.download_results(&done).await?;
///     for chapter in results.auto_chapters.unwrap_or_default() {
///         println!("{:?}: {:?}", chapter.headline, chapter.summary);
///     }
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Tingwu<'a> {
    client: &'a Client,
}

impl Client {
    /// Tingwu OpenAPI 2023-09-30 operations (offline and live-meeting
    /// transcription, result documents, vocabularies).
    pub fn tingwu(&self) -> Tingwu<'_> {
        Tingwu { client: self }
    }
}

/// The result documents of a completed task, decoded: one field per
/// `Data.Result` key, `None` when the task has no such document (its feature
/// was not enabled, or the service omitted it).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct TingwuResults {
    /// `Transcription`: paragraphs of words.
    pub transcription: Option<TranscriptionResult>,
    /// `Translation`.
    pub translation: Option<TranslationResult>,
    /// `AutoChapters`.
    pub auto_chapters: Option<Chapters>,
    /// `MeetingAssistance`: keywords, key sentences, to-dos.
    pub meeting_assistance: Option<MeetingAssistanceResult>,
    /// `Summarization`: every requested kind (paragraph, per speaker, Q&A, mind map).
    pub summarization: Option<SummarizationResult>,
    /// `PptExtraction` (video input only).
    pub ppt_extraction: Option<PptExtractionResult>,
    /// `TextPolish`.
    pub text_polish: Option<PolishedParagraphs>,
    /// `ServiceInspection`.
    pub service_inspection: Option<InspectionResults>,
    /// `CustomPrompt`.
    pub custom_prompt: Option<CustomPromptResults>,
    /// `ContentExtraction`.
    pub content_extraction: Option<ContentExtractionResults>,
    /// `IdentityRecognition`.
    pub identity_recognition: Option<IdentityRecognitionResult>,
}

/// Decodes a result document of `kind`: the service's files are
/// `{"TaskId": .., "<kind>": <payload>}` ([docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md) §3.0); a
/// bare payload is accepted too, and a `null` payload is no document.
pub fn decode_result<T: DeserializeOwned>(kind: &str, body: &[u8]) -> Result<Option<T>, Error> {
    let decode_error = |e| Error::decode(200, None, excerpt(body), e);
    let document: Value = serde_json::from_slice(body).map_err(decode_error)?;
    let payload = match document {
        Value::Object(mut map) if map.contains_key(kind) || map.contains_key("TaskId") => {
            map.remove(kind).unwrap_or(Value::Null)
        }
        other => other,
    };
    if payload.is_null() {
        return Ok(None);
    }
    serde_json::from_value(payload)
        .map(Some)
        .map_err(decode_error)
}

impl Tingwu<'_> {
    /// Ends a live meeting: CreateTask with `type=realtime&operation=stop`
    /// and only `AppKey` and `Input.TaskId` in the body, as the vendor asks
    /// ([docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md) §4.7).
    /// The task stays `ONGOING` while its documents are made: wait for it
    /// with [`Tingwu::wait_for_task`].
    pub async fn stop_realtime_task(
        self,
        app_key: impl Into<String>,
        task_id: impl Into<String>,
    ) -> Result<CreateTaskResponse, Error> {
        let request = CreateTaskRequest::builder()
            .type_(create_task::Type::Realtime)
            .operation(create_task::CreateTaskOperation::Stop)
            .app_key(app_key)
            .input(create_task::Input::builder().task_id(task_id).build())
            .build()?;
        self.create_task(request).await
    }

    /// Polls GetTaskInfo with backoff until the task is `COMPLETED` (its
    /// `Data` is returned), `FAILED` or `INVALID` (an
    /// [`ErrorKind::TaskFailed`](crate::ErrorKind::TaskFailed) error carrying
    /// its `ErrorCode`, such as `TSC.AudioFormat`), or the policy's deadline
    /// ([`ErrorKind::TaskTimeout`](crate::ErrorKind::TaskTimeout)). The
    /// vendor asks for a low polling rate ([docs/vendor/tingwu.md](https://github.com/aliyun-ai/aliyun-ai-rs/blob/main/docs/vendor/tingwu.md) §2.4): give
    /// offline tasks a policy with a long interval and deadline.
    pub async fn wait_for_task(
        self,
        task_id: impl Into<String>,
        policy: &WaitPolicy,
    ) -> Result<Data, Error> {
        let task_id = task_id.into();
        let response = poll_task(
            self.client,
            &task_id,
            policy,
            || async {
                let request = GetTaskInfoRequest::builder()
                    .task_id(task_id.clone())
                    .build()?;
                self.get_task_info(request).await
            },
            |response: &GetTaskInfoResponse| {
                let data = response.data.as_ref();
                let status = data.and_then(|d| d.task_status.as_ref());
                let text = status.map_or("?".into(), |s| s.as_str().to_owned());
                let state = match status {
                    Some(TaskStatus::Completed) => TaskState::Done,
                    Some(TaskStatus::Failed | TaskStatus::Invalid) => {
                        TaskState::Failed(ServiceError {
                            status: 200,
                            code: data.and_then(|d| d.error_code.clone()).or_else(|| {
                                // `INVALID` carries no code of its own.
                                Some(text.clone()).filter(|t| t == "INVALID")
                            }),
                            message: data.and_then(|d| d.error_message.clone()),
                            request_id: response.request_id.clone(),
                            body_excerpt: String::new(),
                        })
                    }
                    _ => TaskState::Running,
                };
                (state, text)
            },
        )
        .await?;
        Ok(response.data.unwrap_or_default())
    }

    /// Downloads and decodes every result document of a completed task,
    /// concurrently, with the same rules as the customer-profile files: a
    /// plain GET without credentials, `https` only (loopback excepted, or with
    /// `allow_insecure_http`), the configured size limit, and an expired URL
    /// reported as [`ErrorKind::ResultExpired`](crate::ErrorKind::ResultExpired)
    /// (call GetTaskInfo again for fresh URLs).
    pub async fn download_results(self, data: &Data) -> Result<TingwuResults, Error> {
        let Some(result) = data.result.as_ref() else {
            return Ok(TingwuResults::default());
        };
        let urls: Vec<(&str, &SignedUrl)> = [
            ("Transcription", &result.transcription),
            ("Translation", &result.translation),
            ("AutoChapters", &result.auto_chapters),
            ("MeetingAssistance", &result.meeting_assistance),
            ("Summarization", &result.summarization),
            ("PptExtraction", &result.ppt_extraction),
            ("TextPolish", &result.text_polish),
            ("ServiceInspection", &result.service_inspection),
            ("CustomPrompt", &result.custom_prompt),
            ("ContentExtraction", &result.content_extraction),
            ("IdentityRecognition", &result.identity_recognition),
        ]
        .into_iter()
        .filter_map(|(kind, url)| url.as_ref().map(|url| (kind, url)))
        .filter(|(_, url)| !url.expose().is_empty())
        .collect();
        let bodies = try_join_all(urls.iter().map(|(kind, url)| async move {
            // Decoded below by kind: `decode_result` unwraps `{TaskId, <Kind>}`.
            let (_, body) = fetch_presigned_bytes(self.client, url.expose()).await?;
            Ok::<_, Error>((*kind, body))
        }))
        .await?;
        let mut results = TingwuResults::default();
        for (kind, body) in bodies {
            match kind {
                "Transcription" => results.transcription = decode_result(kind, &body)?,
                "Translation" => results.translation = decode_result(kind, &body)?,
                "AutoChapters" => results.auto_chapters = decode_result(kind, &body)?,
                "MeetingAssistance" => results.meeting_assistance = decode_result(kind, &body)?,
                "Summarization" => results.summarization = decode_result(kind, &body)?,
                "PptExtraction" => results.ppt_extraction = decode_result(kind, &body)?,
                "TextPolish" => results.text_polish = decode_result(kind, &body)?,
                "ServiceInspection" => results.service_inspection = decode_result(kind, &body)?,
                "CustomPrompt" => results.custom_prompt = decode_result(kind, &body)?,
                "ContentExtraction" => results.content_extraction = decode_result(kind, &body)?,
                _ => results.identity_recognition = decode_result(kind, &body)?,
            }
        }
        Ok(results)
    }
}
