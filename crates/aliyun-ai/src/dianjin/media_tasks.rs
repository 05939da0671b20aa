//! Waiting for the task pairs DianJin's current SDK adds beside the
//! metadata: image detection, video creation and report tasks. The SDK lists
//! none of their status values, so a status is read leniently (any case):
//! `SUCCESS`, `SUCCEEDED`, `COMPLETED`, `FINISHED` or `DONE` ends the wait;
//! `FAIL`, `FAILED`, `ERROR`, `CANCELLED` or `CANCELED` fails it; anything
//! else is still running.

use aliyun_ai_models_dianjin::{
    GetImageDetectionTaskResultRequest, GetImageDetectionTaskResultResponse,
    GetReportTaskStatusRequest, GetReportTaskStatusResponse, GetVideoCreationTaskResultRequest,
    GetVideoCreationTaskResultResponse,
};

use super::DianJin;
use crate::error::{Error, ServiceError};
use crate::wait::{TaskState, WaitPolicy, poll_task};

/// How a status of these tasks reads (module docs).
fn verdict(
    status: Option<&str>,
    failure: impl FnOnce(&str) -> ServiceError,
) -> (TaskState, String) {
    let text = status.unwrap_or("?").to_owned();
    let state = match text.to_ascii_uppercase().as_str() {
        "SUCCESS" | "SUCCEEDED" | "COMPLETED" | "FINISHED" | "DONE" => TaskState::Done,
        "FAIL" | "FAILED" | "ERROR" | "CANCELLED" | "CANCELED" => TaskState::Failed(failure(&text)),
        _ => TaskState::Running,
    };
    (state, text)
}

/// A failed task's error: the service's reason where it gives one, else
/// its status.
fn failed(status: &str, code: Option<String>, reason: Option<String>) -> ServiceError {
    ServiceError {
        status: 200,
        code: code
            .filter(|c| !c.is_empty())
            .or_else(|| Some(status.to_owned())),
        message: Some(
            reason
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| format!("the task ended with status `{status}`")),
        ),
        ..ServiceError::default()
    }
}

impl DianJin<'_> {
    /// Polls GetImageDetectionTaskResult until the detection is done (its
    /// answer is returned, conclusion and details included), failed (a
    /// [`ErrorKind::TaskFailed`](crate::ErrorKind::TaskFailed) error with its
    /// conclusion) or the policy's deadline passes.
    pub async fn wait_for_image_detection(
        self,
        workspace_id: impl Into<String>,
        task_id: impl Into<String>,
        policy: &WaitPolicy,
    ) -> Result<GetImageDetectionTaskResultResponse, Error> {
        let workspace_id = workspace_id.into();
        let task_id = task_id.into();
        poll_task(
            self.client,
            &task_id,
            policy,
            || async {
                let request = GetImageDetectionTaskResultRequest::builder()
                    .workspace_id(workspace_id.clone())
                    .task_id(task_id.clone())
                    .build()?;
                self.get_image_detection_task_result(request).await
            },
            |answer: &GetImageDetectionTaskResultResponse| {
                let data = answer.data.as_ref();
                verdict(data.and_then(|d| d.task_status.as_deref()), |status| {
                    let reason = data
                        .and_then(|d| d.detection_result.as_ref())
                        .and_then(|r| r.description.clone());
                    failed(
                        status,
                        data.and_then(|d| d.detection_conclusion.clone()),
                        reason,
                    )
                })
            },
        )
        .await
    }

    /// Polls GetVideoCreationTaskResult until the video is done (the answer,
    /// with its `videoUrl`), failed (a `TaskFailed` error carrying its
    /// `statusReason`) or the policy's deadline passes.
    pub async fn wait_for_video_creation(
        self,
        workspace_id: impl Into<String>,
        task_id: impl Into<String>,
        policy: &WaitPolicy,
    ) -> Result<GetVideoCreationTaskResultResponse, Error> {
        let workspace_id = workspace_id.into();
        let task_id = task_id.into();
        poll_task(
            self.client,
            &task_id,
            policy,
            || async {
                let request = GetVideoCreationTaskResultRequest::builder()
                    .workspace_id(workspace_id.clone())
                    .task_id(task_id.clone())
                    .build()?;
                self.get_video_creation_task_result(request).await
            },
            |answer: &GetVideoCreationTaskResultResponse| {
                let data = answer.data.as_ref();
                verdict(data.and_then(|d| d.task_status.as_deref()), |status| {
                    failed(status, None, data.and_then(|d| d.status_reason.clone()))
                })
            },
        )
        .await
    }

    /// Polls GetReportTaskStatus until the report task is done (its status
    /// answer; read the report with `get_report_response`), failed (a
    /// `TaskFailed` error with its `errorCode` and `errorMessage`; start it
    /// again with `retry_report_task`) or the policy's deadline passes.
    pub async fn wait_for_report(
        self,
        task: &ReportTask,
        policy: &WaitPolicy,
    ) -> Result<GetReportTaskStatusResponse, Error> {
        poll_task(
            self.client,
            &task.out_request_no,
            policy,
            || async {
                let request = GetReportTaskStatusRequest::builder()
                    .workspace_id(task.workspace_id.clone())
                    .scene_code(task.scene_code.clone())
                    .fund_product(task.fund_product.clone())
                    .out_request_no(task.out_request_no.clone())
                    .build()?;
                self.get_report_task_status(request).await
            },
            |answer: &GetReportTaskStatusResponse| {
                verdict(answer.task_status.as_deref(), |status| {
                    failed(
                        status,
                        answer.error_code.clone(),
                        answer.error_message.clone(),
                    )
                })
            },
        )
        .await
    }
}

/// A report task's address: the four path parameters its three operations
/// share.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportTask {
    /// The workspace.
    pub workspace_id: String,
    /// The scene's code.
    pub scene_code: String,
    /// The fund product.
    pub fund_product: String,
    /// The caller's request number naming the task.
    pub out_request_no: String,
}

impl ReportTask {
    /// The task `out_request_no` of a workspace's scene and fund product.
    pub fn new(
        workspace_id: impl Into<String>,
        scene_code: impl Into<String>,
        fund_product: impl Into<String>,
        out_request_no: impl Into<String>,
    ) -> Self {
        Self {
            workspace_id: workspace_id.into(),
            scene_code: scene_code.into(),
            fund_product: fund_product.into(),
            out_request_no: out_request_no.into(),
        }
    }
}
