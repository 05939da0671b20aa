//! DashScope Tingwu automotive customer profile: createTask, getTask, waiting,
//! and downloading the four result files.

pub use aliyun_ai_models_customerprofile::*;

mod operations;

use aliyun_ai_core::SignedUrl;
use aliyun_ai_models_customerprofile::get_task::{Input, TaskOutput, TaskStatus};
use futures_util::future::{try_join_all, try_join4};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::results::fetch_presigned;
use crate::wait::{TaskState, WaitPolicy, poll_task};

/// Tingwu operations; from [`Client::customer_profile`].
///
/// A task is created, waited for, and its result files downloaded:
///
/// ```no_run
/// use aliyun_ai::customerprofile::CreateTaskRequest;
/// use aliyun_ai::{Client, WaitPolicy};
///
/// async fn profile(client: &Client, request: CreateTaskRequest) -> Result<(), aliyun_ai::Error> {
///     let tingwu = client.customer_profile();
///     let created = tingwu.create_task(request).await?;
///     let data_id = created.output.and_then(|o| o.data_id).unwrap_or_default();
///     let output = tingwu.wait_for_task(data_id, &WaitPolicy::default()).await?;
///     let results = tingwu.download_results(&output).await?;
///     println!("{:?}", results.customer_profile);
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CustomerProfileApp<'a> {
    client: &'a Client,
}

impl Client {
    /// DashScope Tingwu (automotive customer profile) operations.
    pub fn customer_profile(&self) -> CustomerProfileApp<'_> {
        CustomerProfileApp { client: self }
    }
}

/// The four result files of a finished task, decoded.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct CustomerProfileResults {
    /// The transcription (`transcriptionPath`).
    pub transcription: Option<Transcription>,
    /// The customer profile (`customerProfilePath`).
    pub customer_profile: Option<CustomerProfile>,
    /// Who each speaker is (`identityRecognitionPath`).
    pub identity_recognition: Option<IdentityRecognition>,
    /// The extracted concerns, one document per URL of `contentExtractionsPath`.
    pub content_extractions: Vec<ContentExtractions>,
}

impl CustomerProfileApp<'_> {
    /// Polls getTask with backoff until the task is done (its output is
    /// returned), failed (an [`ErrorKind::TaskFailed`](crate::ErrorKind::TaskFailed)
    /// error carrying its `errorCode`, such as `TSC.FileError`) or the
    /// policy's deadline ([`ErrorKind::TaskTimeout`](crate::ErrorKind::TaskTimeout)).
    pub async fn wait_for_task(
        self,
        data_id: impl Into<String>,
        policy: &WaitPolicy,
    ) -> Result<TaskOutput, Error> {
        let data_id = data_id.into();
        let response = poll_task(
            self.client,
            &data_id,
            policy,
            || async {
                let request = GetTaskRequest::builder()
                    .input(Input::new(data_id.clone()))
                    .build()?;
                self.get_task(request).await
            },
            |response: &GetTaskResponse| {
                let status = response.output.as_ref().and_then(|o| o.status.as_ref());
                // The wire's own status ("1" running, "0" done), as CCAI's
                // progress reports its wire `QUEUE`/`FINISH` (issue 14 #2).
                let text = status.map_or("?".into(), |s| s.as_str().to_owned());
                let state = if matches!(status, Some(TaskStatus::Done)) {
                    TaskState::Done
                } else {
                    // A failed task (status 2) is a business failure of getTask.
                    TaskState::Running
                };
                (state, text)
            },
        )
        .await?;
        Ok(response.output.unwrap_or_default())
    }

    /// Downloads and decodes the four result files of a done task,
    /// concurrently. The URLs are pre-signed: they are fetched with a plain
    /// GET and no `Authorization` header or credential; only `https` is
    /// accepted (loopback excepted, or with `allow_insecure_http`); each file
    /// is limited to the configured size; an expired URL is reported as
    /// [`ErrorKind::ResultExpired`](crate::ErrorKind::ResultExpired).
    pub async fn download_results(
        self,
        output: &TaskOutput,
    ) -> Result<CustomerProfileResults, Error> {
        let extraction_urls: Vec<String> = output
            .content_extractions_path
            .as_ref()
            .map(|paths| paths.entries())
            .unwrap_or_default();
        let (transcription, customer_profile, identity_recognition, content_extractions) =
            try_join4(
                self.fetch_optional::<Transcription>(
                    output.transcription_path.as_ref().map(SignedUrl::expose),
                ),
                self.fetch_optional::<CustomerProfile>(
                    output.customer_profile_path.as_ref().map(SignedUrl::expose),
                ),
                self.fetch_optional::<IdentityRecognition>(
                    output
                        .identity_recognition_path
                        .as_ref()
                        .map(SignedUrl::expose),
                ),
                try_join_all(
                    extraction_urls
                        .iter()
                        .map(|url| self.fetch::<ContentExtractions>(url)),
                ),
            )
            .await?;
        Ok(CustomerProfileResults {
            transcription,
            customer_profile,
            identity_recognition,
            content_extractions,
        })
    }

    async fn fetch_optional<T: DeserializeOwned>(
        self,
        url: Option<&str>,
    ) -> Result<Option<T>, Error> {
        match url.filter(|u| !u.is_empty()) {
            Some(url) => self.fetch(url).await.map(Some),
            None => Ok(None),
        }
    }

    /// Fetches one result file (pre-signed, see [`Self::download_results`]).
    pub async fn fetch<T: DeserializeOwned>(self, url: &str) -> Result<T, Error> {
        fetch_presigned(self.client, url).await
    }
}
