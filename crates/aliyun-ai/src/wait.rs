//! Waiting for asynchronous tasks: polling with backoff until done, failed or
//! a deadline, with observable progress.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::client::Client;
use crate::error::{Error, ServiceError};

/// One observation of a task while waiting for it, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskProgress {
    /// The task's id.
    pub task_id: String,
    /// The status the service reported (e.g. `QUEUE`, or `1` for a running Tingwu task).
    pub status: String,
    /// How many times the task was polled so far.
    pub polls: u32,
    /// Time since waiting started.
    pub elapsed: Duration,
}

type ProgressFn = Arc<dyn Fn(&TaskProgress) + Send + Sync>;

/// How to wait for a task: poll intervals growing from `initial_interval` by
/// `multiplier` up to `max_interval`, until `timeout`.
///
/// ```
/// use std::time::Duration;
/// use aliyun_ai::WaitPolicy;
///
/// let policy = WaitPolicy::default()
///     .with_interval(Duration::from_secs(1), Duration::from_secs(10))
///     .with_timeout(Duration::from_secs(600))
///     .on_progress(|progress| eprintln!("{progress:?}"));
/// # let _ = policy;
/// ```
#[derive(Clone)]
#[must_use]
pub struct WaitPolicy {
    pub(crate) initial_interval: Duration,
    pub(crate) max_interval: Duration,
    pub(crate) multiplier: f64,
    pub(crate) timeout: Duration,
    pub(crate) progress: Option<ProgressFn>,
}

impl fmt::Debug for WaitPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitPolicy")
            .field("initial_interval", &self.initial_interval)
            .field("max_interval", &self.max_interval)
            .field("multiplier", &self.multiplier)
            .field("timeout", &self.timeout)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl Default for WaitPolicy {
    /// 1 s, growing by 1.5 up to 10 s, for at most 10 minutes.
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            multiplier: 1.5,
            timeout: Duration::from_secs(600),
            progress: None,
        }
    }
}

impl WaitPolicy {
    /// The first wait between polls, and the longest.
    pub fn with_interval(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_interval = initial;
        self.max_interval = max.max(initial);
        self
    }

    /// How much each wait grows (at least 1).
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The deadline, counted from the first poll.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called after every poll (draw a progress bar, log).
    pub fn on_progress(mut self, progress: impl Fn(&TaskProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    pub(crate) fn interval(&self, polls: u32) -> Duration {
        let factor = self.multiplier.powi(polls.saturating_sub(1).min(64) as i32);
        self.initial_interval
            .mul_f64(factor.min(1e6))
            .min(self.max_interval)
    }

    pub(crate) fn report(&self, progress: TaskProgress) {
        if let Some(callback) = &self.progress {
            callback(&progress);
        }
    }
}

/// What one poll says about a task.
pub(crate) enum TaskState {
    /// Still queued or running.
    Running,
    /// Done: the poll's answer is the result.
    Done,
    /// Ended in failure, with what the service said.
    Failed(ServiceError),
}

/// The one polling loop behind every service's `wait_for_task`: polls with
/// the policy's backoff until `state` says done (the answer is returned) or
/// failed ([`ErrorKind::TaskFailed`](crate::ErrorKind::TaskFailed)), or the
/// deadline passes ([`ErrorKind::TaskTimeout`](crate::ErrorKind::TaskTimeout)),
/// reporting progress after every poll. A failure the service reports inside
/// a successful poll (a business failure, such as a Tingwu task's status 2)
/// is the task's failure too.
pub(crate) async fn poll_task<T, F, Fut>(
    client: &Client,
    task_id: &str,
    policy: &WaitPolicy,
    mut poll: F,
    state: impl Fn(&T) -> (TaskState, String),
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let timer = client.config.time.clone();
    let started = timer.now();
    let mut polls = 0;
    loop {
        let answer = poll().await;
        polls += 1;
        let elapsed = timer.now().saturating_duration_since(started);
        let (verdict, status) = match &answer {
            Ok(answer) => state(answer),
            Err(error) if error.is_business_failure() => (
                TaskState::Failed(error.service_error().cloned().unwrap_or_default()),
                error.code().unwrap_or("failed").to_owned(),
            ),
            Err(_) => return answer,
        };
        policy.report(TaskProgress {
            task_id: task_id.to_owned(),
            status,
            polls,
            elapsed,
        });
        match verdict {
            TaskState::Done => return answer,
            TaskState::Failed(detail) => return Err(Error::task_failed(task_id, detail)),
            TaskState::Running => {}
        }
        let wait = policy.interval(polls);
        if elapsed + wait > policy.timeout {
            return Err(Error::task_timeout(format!(
                "task {task_id} was not finished after {polls} polls in {elapsed:?} (deadline {:?})",
                policy.timeout
            )));
        }
        timer.sleep(wait).await;
    }
}
