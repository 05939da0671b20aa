//! What every example shares: a client for the local emulator (started in
//! this process, no credentials needed) or, with `--live`, for Alibaba Cloud
//! configured from the environment.
#![allow(dead_code)]

use std::time::Duration;

use aliyun_ai::{AccessKey, ApiKey, Client, Config, WaitPolicy};
use aliyun_ai_emulator::{Emulator, EmulatorConfig};

/// A client and the ids the examples need.
pub struct Session {
    pub client: Client,
    /// The CCAI and DianJin workspace id.
    pub workspace: String,
    /// The CCAI application id.
    pub app: String,
    /// The Tingwu application id.
    pub tingwu_app: String,
    pub live: bool,
    _emulator: Option<Emulator>,
}

fn var(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// `--live`: Alibaba Cloud, from the environment (see the crate README);
/// otherwise the emulator on an ephemeral loopback port.
pub async fn session() -> Result<Session, Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--live") {
        return Ok(Session {
            client: Client::from_env()?,
            workspace: var("ALIYUN_AI_WORKSPACE_ID", ""),
            app: var("ALIYUN_AI_CCAI_APP_ID", ""),
            tingwu_app: var("ALIYUN_AI_TINGWU_APP_ID", ""),
            live: true,
            _emulator: None,
        });
    }
    let emulator = Emulator::start_with(
        EmulatorConfig::default().with_task_delay(Duration::from_millis(1200)),
    )
    .await?;
    let credentials = emulator.credentials().clone();
    let config = Config::builder()
        .endpoint_for_all(emulator.base_url())
        .access_key(AccessKey::new(
            credentials.access_key_id,
            credentials.access_key_secret,
        ))
        .api_key(ApiKey::new(credentials.api_key))
        .build()?;
    println!(
        "(running against the local emulator at {}; pass --live to call Alibaba Cloud)\n",
        emulator.base_url()
    );
    Ok(Session {
        client: Client::new(config),
        workspace: "llm-emulator-workspace".into(),
        app: "emulator-app".into(),
        tingwu_app: "emulator-tingwu-app".into(),
        live: false,
        _emulator: Some(emulator),
    })
}

/// Waiting with a one-line progress report per poll.
pub fn progress_policy(label: &'static str) -> WaitPolicy {
    WaitPolicy::default()
        .with_interval(Duration::from_millis(400), Duration::from_secs(5))
        .on_progress(move |p| {
            println!(
                "   {label} {}: {} (poll {}, {:.1}s)",
                p.task_id,
                p.status,
                p.polls,
                p.elapsed.as_secs_f32()
            )
        })
}

/// A car-sales dialogue for Tingwu.
pub const CAR_SALES: &str = "销售: 您好,欢迎光临,想看看什么车?
客户: 我想了解一下SUV,价位大概多少?
销售: 这款落地二十万左右,续航也不错,可以预约试驾。
客户: 好的,周末我来试驾一下。";
