//! ContactCenterAI (通义晓蜜 CCAI): AnalyzeConversation (plain and streamed),
//! CreateTask and GetTaskResult, and waiting for a task.

pub use aliyun_ai_models_contactcenterai::*;

use aliyun_ai_models_contactcenterai::get_task_result::{RequiredField, TaskStatus};

use crate::client::Client;
use crate::error::{Error, ServiceError};
use crate::stream::{EventStream, TextDeltas};
use crate::wait::{TaskState, WaitPolicy, poll_task};

/// ContactCenterAI operations; from [`Client::contact_center_ai`].
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
    /// Analyses a dialogue and returns the whole answer (`stream` is set to false).
    pub async fn analyze_conversation(
        self,
        workspace_id: impl Into<String>,
        app_id: impl Into<String>,
        mut request: AnalyzeConversationRequest,
    ) -> Result<AnalyzeConversationResponse, Error> {
        request.workspace_id = workspace_id.into();
        request.app_id = app_id.into();
        request.stream = false;
        self.client.execute(&request).await
    }

    /// Analyses a dialogue and streams the answer as it is generated
    /// (`stream` is set to true). An HTTP error before the first event is an
    /// ordinary typed error from this call, not a broken stream.
    ///
    /// ```no_run
    /// # async fn run(client: aliyun_ai::Client, request: aliyun_ai::contactcenterai::AnalyzeConversationRequest) -> Result<(), aliyun_ai::Error> {
    /// use futures_util::StreamExt;
    /// let stream = client.contact_center_ai().analyze_conversation_stream("llm-ws", "app", request).await?;
    /// let mut text = stream.text_deltas();
    /// while let Some(piece) = text.next().await {
    ///     print!("{}", piece?);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn analyze_conversation_stream(
        self,
        workspace_id: impl Into<String>,
        app_id: impl Into<String>,
        mut request: AnalyzeConversationRequest,
    ) -> Result<EventStream<AnalyzeConversationResponse>, Error> {
        request.workspace_id = workspace_id.into();
        request.app_id = app_id.into();
        request.stream = true;
        self.client.execute_stream(&request).await
    }

    /// Creates an offline analysis task; wait for it with [`ContactCenterAi::wait_for_task`].
    pub async fn create_task(
        self,
        workspace_id: impl Into<String>,
        app_id: impl Into<String>,
        mut request: CreateTaskRequest,
    ) -> Result<CreateTaskResponse, Error> {
        request.workspace_id = workspace_id.into();
        request.app_id = app_id.into();
        self.client.execute(&request).await
    }

    /// Reads a task's state and result; `required_fields` adds parts such as
    /// the ASR result.
    pub async fn get_task_result(
        self,
        task_id: impl Into<String>,
        required_fields: impl IntoIterator<Item = RequiredField>,
    ) -> Result<GetTaskResultResponse, Error> {
        let required: Vec<RequiredField> = required_fields.into_iter().collect();
        let mut builder = GetTaskResultRequest::builder().task_id(task_id);
        if !required.is_empty() {
            builder = builder.required_field_list(required);
        }
        self.client.execute(&builder.build()?).await
    }

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
            || self.get_task_result(task_id.clone(), required.clone()),
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

impl EventStream<AnalyzeConversationResponse> {
    /// Only the newly added text of each event, whether the service sends
    /// cumulative or delta text (which one it does is uncertain, `reference/apis.md`).
    pub fn text_deltas(self) -> TextDeltas<Self> {
        TextDeltas::new(self, |item: &Result<AnalyzeConversationResponse, Error>| {
            item.as_ref().ok().and_then(|event| event.text.as_deref())
        })
    }
}
