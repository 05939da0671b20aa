//! ContactCenterAI (通义晓蜜 CCAI): every operation of the 2024-06-03 API, one
//! method each (generated from the doc tables, `contactcenterai/operations.rs`),
//! streamed variants, and waiting for a task.

pub use aliyun_ai_models_contactcenterai::*;

mod operations;

use aliyun_ai_models_contactcenterai::get_task_result::{RequiredField, TaskStatus};

use crate::client::Client;
use crate::error::{Error, ServiceError};
use crate::wait::{TaskState, WaitPolicy, poll_task};

/// ContactCenterAI operations; from [`Client::contact_center_ai`].
///
/// Every operation is a method taking its request (built with the
/// request's builder, which refuses a missing field), plus a `_stream`
/// variant where the service streams:
///
/// ```no_run
/// use aliyun_ai::contactcenterai::{AnalyzeConversationRequest, Dialogue, ResultType, Role, Sentence};
/// use aliyun_ai::{Client, StreamExt as _};
///
/// # async fn run(client: Client) -> Result<(), aliyun_ai::Error> {
/// let request = AnalyzeConversationRequest::builder()
///     .workspace_id("llm-workspace")
///     .app_id("app-id")
///     .dialogue(Dialogue::builder().sentences([
///         Sentence::new(Role::User, "我的账单还款日是哪天?"),
///         Sentence::new(Role::Agent, "每月8号。"),
///     ]).build()?)
///     .result_types([ResultType::Summary])
///     .build()?;
/// // The whole answer...
/// let answer = client.contact_center_ai().analyze_conversation(request.clone()).await?;
/// println!("{}", answer.text.unwrap_or_default());
/// // ...or its text as it is generated.
/// let mut text = client.contact_center_ai().analyze_conversation_stream(request).await?.text_deltas();
/// while let Some(delta) = text.next().await {
///     print!("{}", delta?);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ContactCenterAi<'a> {
    client: &'a Client,
}

impl Client {
    /// ContactCenterAI (CCAI) operations.
    pub fn contact_center_ai(&self) -> ContactCenterAi<'_> {
        ContactCenterAi { client: self }
    }
}

impl ContactCenterAi<'_> {
    /// Polls GetTaskResult with backoff until the task is `FINISH` (returned),
    /// `ERROR` (an [`ErrorKind::TaskFailed`](crate::ErrorKind::TaskFailed)
    /// error with its `taskErrorMessage`) or the policy's deadline
    /// ([`ErrorKind::TaskTimeout`](crate::ErrorKind::TaskTimeout)).
    pub async fn wait_for_task(
        self,
        task_id: impl Into<String>,
        required_fields: impl IntoIterator<Item = RequiredField>,
        policy: &WaitPolicy,
    ) -> Result<GetTaskResultResponse, Error> {
        let task_id = task_id.into();
        let required: Vec<RequiredField> = required_fields.into_iter().collect();
        poll_task(
            self.client,
            &task_id,
            policy,
            || {
                let mut builder = GetTaskResultRequest::builder().task_id(task_id.clone());
                if !required.is_empty() {
                    builder = builder.required_field_list(required.clone());
                }
                async move { self.get_task_result(builder.build()?).await }
            },
            |response: &GetTaskResultResponse| {
                let data = response.data.as_ref();
                let status = data.and_then(|d| d.task_status.as_ref());
                let text = status.map_or("?".to_owned(), |s| s.as_str().to_owned());
                let state = match status {
                    Some(TaskStatus::Finish) => TaskState::Done,
                    Some(TaskStatus::Error) => TaskState::Failed(ServiceError {
                        status: 200,
                        message: data.and_then(|d| d.task_error_message.clone()),
                        request_id: response.request_id.clone(),
                        ..ServiceError::default()
                    }),
                    _ => TaskState::Running,
                };
                (state, text)
            },
        )
        .await
    }
}
