//! DianJin (通义点金): every operation of the 2024-06-28 API, one method each
//! (generated from the doc tables, `dianjin/operations.rs`).

pub use aliyun_ai_models_dianjin::*;
pub use media_tasks::ReportTask;

mod media_tasks;
mod operations;
#[cfg(feature = "websocket")]
pub mod realtime;
mod upload;

use crate::client::Client;

/// DianJin operations; from [`Client::dianjin`].
///
/// Every operation is a method taking its request; the workspace is a field
/// of each request, set by its builder:
///
/// ```no_run
/// use aliyun_ai::dianjin::{GetLibraryListRequest, RecognizeIntentionRequest};
/// use aliyun_ai::Client;
///
/// # async fn run(client: Client) -> Result<(), aliyun_ai::Error> {
/// let dianjin = client.dianjin();
/// let intention = dianjin
///     .recognize_intention(
///         RecognizeIntentionRequest::builder()
///             .workspace_id("llm-workspace")
///             .biz_type("attitude")
///             .conversation("##客户##:好的,我今天就还")
///             .build()?,
///     )
///     .await?;
/// println!("{:?}", intention.data.and_then(|d| d.intention_name));
/// let libraries = dianjin
///     .get_library_list(GetLibraryListRequest::builder().workspace_id("llm-workspace").build()?)
///     .await?;
/// println!("{:?}", libraries.data.and_then(|d| d.total_records));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DianJin<'a> {
    client: &'a Client,
}

impl Client {
    /// DianJin operations.
    pub fn dianjin(&self) -> DianJin<'_> {
        DianJin { client: self }
    }
}

use aliyun_ai_models_dianjin::get_dialog_analysis_result::Status as DialogStatus;
use aliyun_ai_models_dianjin::get_quality_check_task_result::Status as QualityStatus;
use aliyun_ai_models_dianjin::get_task_status::Data as TaskStatus;

use crate::error::{Error, ServiceError};
use crate::wait::{TaskState, WaitPolicy, poll_task};

/// A failed task: its status as the service's "code".
fn task_failure(status: &str, request_id: Option<String>) -> ServiceError {
    ServiceError {
        status: 200,
        code: Some(status.to_owned()),
        message: Some(format!("the task ended with status `{status}`")),
        request_id,
        ..ServiceError::default()
    }
}

impl DianJin<'_> {
    /// Polls GetTaskStatus with backoff until the task is `success`
    /// (returned), `error`, `invalid` or `evict` (an
    /// [`ErrorKind::TaskFailed`](crate::ErrorKind::TaskFailed) error naming
    /// the status) or the policy's deadline
    /// ([`ErrorKind::TaskTimeout`](crate::ErrorKind::TaskTimeout)). It serves
    /// every task the metadata polls through GetTaskStatus: the summary tasks
    /// (CreateDocsSummaryTask, CreateAnnualDocSummaryTask,
    /// CreateFinReportSummaryTask) and CreatePdfTranslateTask; the
    /// `wait_for_*` methods below then read the result.
    pub async fn wait_for_task(
        self,
        workspace_id: impl Into<String>,
        task_id: impl Into<String>,
        policy: &WaitPolicy,
    ) -> Result<GetTaskStatusResponse, Error> {
        let workspace_id = workspace_id.into();
        let task_id = task_id.into();
        poll_task(
            self.client,
            &task_id,
            policy,
            || async {
                let request = GetTaskStatusRequest::builder()
                    .workspace_id(workspace_id.clone())
                    .task_id(task_id.clone())
                    .build()?;
                self.get_task_status(request).await
            },
            |answer: &GetTaskStatusResponse| {
                let status = answer.data.as_ref();
                let text = status.map_or("?".to_owned(), |s| s.as_str().to_owned());
                let state = match status {
                    Some(TaskStatus::Success) => TaskState::Done,
                    Some(TaskStatus::Error | TaskStatus::Invalid | TaskStatus::Evict) => {
                        TaskState::Failed(task_failure(&text, answer.request_id.clone()))
                    }
                    _ => TaskState::Running,
                };
                (state, text)
            },
        )
        .await
    }

    /// Waits for a summary task (CreateDocsSummaryTask,
    /// CreateAnnualDocSummaryTask or CreateFinReportSummaryTask) with
    /// [`DianJin::wait_for_task`], then reads its result (GetSummaryTaskResult).
    pub async fn wait_for_summary(
        self,
        workspace_id: impl Into<String>,
        task_id: impl Into<String>,
        policy: &WaitPolicy,
    ) -> Result<GetSummaryTaskResultResponse, Error> {
        let workspace_id = workspace_id.into();
        let task_id = task_id.into();
        self.wait_for_task(&workspace_id, &task_id, policy).await?;
        let request = GetSummaryTaskResultRequest::builder()
            .workspace_id(&workspace_id)
            .task_id(task_id)
            .build()?;
        self.get_summary_task_result(request).await
    }

    /// Waits for a PDF translation (CreatePdfTranslateTask) with
    /// [`DianJin::wait_for_task`], then reads its result (GetTaskResult: the
    /// translated file's URL).
    pub async fn wait_for_pdf_translation(
        self,
        workspace_id: impl Into<String>,
        task_id: impl Into<String>,
        policy: &WaitPolicy,
    ) -> Result<GetTaskResultResponse, Error> {
        let workspace_id = workspace_id.into();
        let task_id = task_id.into();
        self.wait_for_task(&workspace_id, &task_id, policy).await?;
        let request = GetTaskResultRequest::builder()
            .workspace_id(&workspace_id)
            .task_id(task_id)
            .build()?;
        self.get_task_result(request).await
    }

    /// Polls GetQualityCheckTaskResult until the check is `COMPLETED`
    /// (returned), `FAIL` or `CANCELLED` (a `TaskFailed` error) or the
    /// policy's deadline passes.
    pub async fn wait_for_quality_check(
        self,
        workspace_id: impl Into<String>,
        task_id: impl Into<String>,
        policy: &WaitPolicy,
    ) -> Result<GetQualityCheckTaskResultResponse, Error> {
        let workspace_id = workspace_id.into();
        let task_id = task_id.into();
        poll_task(
            self.client,
            &task_id,
            policy,
            || async {
                let request = GetQualityCheckTaskResultRequest::builder()
                    .workspace_id(workspace_id.clone())
                    .task_id(task_id.clone())
                    .build()?;
                self.get_quality_check_task_result(request).await
            },
            |answer: &GetQualityCheckTaskResultResponse| {
                let status = answer.data.as_ref().and_then(|d| d.status.as_ref());
                let text = status.map_or("?".to_owned(), |s| s.as_str().to_owned());
                let state = match status {
                    Some(QualityStatus::Completed) => TaskState::Done,
                    Some(QualityStatus::Fail | QualityStatus::Cancelled) => {
                        TaskState::Failed(task_failure(&text, answer.request_id.clone()))
                    }
                    _ => TaskState::Running,
                };
                (state, text)
            },
        )
        .await
    }

    /// Polls GetDialogAnalysisResult for the sessions CreateDialogAnalysisTask
    /// returned until every one is `success` (returned), one is `error` (a
    /// `TaskFailed` error) or the policy's deadline passes.
    pub async fn wait_for_dialog_analysis(
        self,
        workspace_id: impl Into<String>,
        session_ids: impl IntoIterator<Item = impl Into<String>>,
        policy: &WaitPolicy,
    ) -> Result<GetDialogAnalysisResultResponse, Error> {
        let workspace_id = workspace_id.into();
        let session_ids: Vec<String> = session_ids.into_iter().map(Into::into).collect();
        let label = session_ids.join(",");
        poll_task(
            self.client,
            &label,
            policy,
            || async {
                let request = GetDialogAnalysisResultRequest::builder()
                    .workspace_id(workspace_id.clone())
                    .session_ids(session_ids.clone())
                    .build()?;
                self.get_dialog_analysis_result(request).await
            },
            |answer: &GetDialogAnalysisResultResponse| {
                let items = answer
                    .data
                    .as_ref()
                    .and_then(|d| d.dialog_analysis_resp_list.as_deref())
                    .unwrap_or_default();
                let statuses: Vec<Option<&DialogStatus>> =
                    items.iter().map(|i| i.status.as_ref()).collect();
                let text = statuses
                    .iter()
                    .map(|s| s.map_or("?", |s| s.as_str()))
                    .collect::<Vec<_>>()
                    .join(",");
                let state = if statuses.contains(&Some(&DialogStatus::Error)) {
                    TaskState::Failed(task_failure("error", answer.request_id.clone()))
                } else if !statuses.is_empty()
                    && statuses.iter().all(|s| *s == Some(&DialogStatus::Success))
                {
                    TaskState::Done
                } else {
                    TaskState::Running
                };
                (state, text)
            },
        )
        .await
    }
}
