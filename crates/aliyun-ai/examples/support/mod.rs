//! What every example shares: a client for the local emulator (started in
//! this process, no credentials needed) or, with `--live`, for Alibaba Cloud
//! configured from the environment.
#![allow(dead_code)]

use std::time::Duration;

use aliyun_ai::{AccessKey, ApiKey, Client, Config, WaitPolicy};
use aliyun_ai_emulator::{Emulator, EmulatorConfig};

fn var(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// Whether the example was run with `--live` (Alibaba Cloud, configured
/// from the environment: see the README).
pub fn live() -> bool {
    std::env::args().any(|a| a == "--live")
}

/// A client of a local emulator started here on an ephemeral loopback port,
/// signed with the emulator's own credentials: no account needed. Keep the
/// emulator alive as long as the client is used.
pub async fn emulator_client() -> Result<(Client, Emulator), Box<dyn std::error::Error>> {
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
    Ok((Client::new(config), emulator))
}

/// The CCAI workspace: `ALIYUN_AI_CCAI_WORKSPACE_ID` when live.
pub fn ccai_workspace() -> String {
    if live() {
        var("ALIYUN_AI_CCAI_WORKSPACE_ID", "")
    } else {
        "llm-emulator-ccai".into()
    }
}

/// The CCAI application: `ALIYUN_AI_CCAI_APP_ID` when live.
pub fn ccai_app() -> String {
    if live() {
        var("ALIYUN_AI_CCAI_APP_ID", "")
    } else {
        "emulator-app".into()
    }
}

/// The DianJin workspace: `ALIYUN_AI_DIANJIN_WORKSPACE_ID` when live (a
/// different workspace from CCAI's).
pub fn dianjin_workspace() -> String {
    if live() {
        var("ALIYUN_AI_DIANJIN_WORKSPACE_ID", "")
    } else {
        "llm-emulator-dianjin".into()
    }
}

/// The Tingwu OpenAPI project's AppKey: `ALIYUN_AI_TINGWU_APP_KEY` when live.
pub fn tingwu_app_key() -> String {
    if live() {
        var("ALIYUN_AI_TINGWU_APP_KEY", "")
    } else {
        "emulator-tingwu-app".into()
    }
}

/// The customer-profile application: `ALIYUN_AI_CUSTOMERPROFILE_APP_ID` when live.
pub fn customer_profile_app() -> String {
    if live() {
        var("ALIYUN_AI_CUSTOMERPROFILE_APP_ID", "")
    } else {
        "emulator-tingwu-app".into()
    }
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
