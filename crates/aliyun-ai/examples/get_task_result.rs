//! ContactCenterAI GetTaskResult: one look at a task (pass its id, or one is created).
//!
//! `cargo run -p aliyun-ai --example get_task_result [-- TASK_ID] [--live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::contactcenterai::{ModelCode, Role};

use aliyun_ai::Client;

use aliyun_ai::contactcenterai::create_task::TaskType;
use aliyun_ai::contactcenterai::get_task_result::RequiredField;
use aliyun_ai::contactcenterai::{CreateTaskRequest, GetTaskResultRequest};
use aliyun_ai::contactcenterai::{Dialogue, Sentence};

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
    let ccai = client.contact_center_ai();
    let task_id = match std::env::args().skip(1).find(|a| !a.starts_with("--")) {
        Some(id) => id,
        None => {
            let request = CreateTaskRequest::builder()
                .workspace_id(support::ccai_workspace())
                .app_id(support::ccai_app())
                .task_type(TaskType::Text)
                .model_code(ModelCode::TyxmTurbo)
                .dialogue(
                    Dialogue::builder()
                        .sentences([
                            Sentence::new(Role::User, "查一下账单"),
                            Sentence::new(Role::Agent, "好的"),
                        ])
                        .build()?,
                )
                .build()?;
            ccai.create_task(request)
                .await?
                .data
                .and_then(|d| d.task_id)
                .unwrap_or_default()
        }
    };
    let request = GetTaskResultRequest::builder()
        .task_id(&task_id)
        .required_field_list([RequiredField::AsrResult])
        .build()?;
    let answer = ccai.get_task_result(request).await?;
    let data = answer.data.unwrap_or_default();
    println!(
        "task {task_id}: {}",
        data.task_status.map(|s| s.to_string()).unwrap_or_default()
    );
    Ok(())
}
