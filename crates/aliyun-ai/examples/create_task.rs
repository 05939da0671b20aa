//! ContactCenterAI CreateTask: an offline analysis task of a dialogue.
//!
//! `cargo run -p aliyun-ai --example create_task [-- --live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::contactcenterai::{ResultType, Role};

use aliyun_ai::Client;

use aliyun_ai::contactcenterai::CreateTaskRequest;
use aliyun_ai::contactcenterai::create_task::TaskType;
use aliyun_ai::contactcenterai::{Dialogue, ModelCode, Sentence};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Alibaba Cloud with `--live` (credentials and endpoints from the
    // environment, see the README); otherwise a local emulator started here.
    let (client, _emulator) = if support::live() {
        (Client::from_env()?, None)
    } else {
        let (client, emulator) = support::emulator_client().await?;
        (client, Some(emulator))
    };
    let request = CreateTaskRequest::builder()
        .workspace_id(support::ccai_workspace())
        .app_id(support::ccai_app())
        .task_type(TaskType::Text)
        .model_code(ModelCode::TyxmTurbo)
        .dialogue(
            Dialogue::builder()
                .sentences([
                    Sentence::new(Role::User, "我要退款"),
                    Sentence::new(Role::Agent, "好的,已为您提交退款"),
                ])
                .build()?,
        )
        .result_types([ResultType::Summary])
        .build()?;
    let answer = client.contact_center_ai().create_task(request).await?;
    println!(
        "task id: {}",
        answer.data.and_then(|d| d.task_id).unwrap_or_default()
    );
    Ok(())
}
