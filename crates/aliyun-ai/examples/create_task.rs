//! ContactCenterAI CreateTask: an offline analysis task of a dialogue.
//!
//! `cargo run -p aliyun-ai --example create_task [-- --live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::contactcenterai::CreateTaskRequest;
use aliyun_ai::contactcenterai::create_task::TaskType;
use aliyun_ai::contactcenterai::{Dialogue, ModelCode, Sentence};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let session = support::session().await?;
    let request = CreateTaskRequest::builder()
        .task_type(TaskType::Text)
        .model_code(ModelCode::TyxmTurbo)
        .dialogue(
            Dialogue::builder()
                .sentences([
                    Sentence::new("user", "我要退款"),
                    Sentence::new("agent", "好的,已为您提交退款"),
                ])
                .build()?,
        )
        .result_types(["summary"])
        .build()?;
    let answer = session
        .client
        .contact_center_ai()
        .create_task(&session.workspace, &session.app, request)
        .await?;
    println!(
        "task id: {}",
        answer.data.and_then(|d| d.task_id).unwrap_or_default()
    );
    Ok(())
}
