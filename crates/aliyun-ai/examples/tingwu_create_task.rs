//! Tingwu createTask: a customer-profile task from a car-sales dialogue.
//!
//! `cargo run -p aliyun-ai --example tingwu_create_task [-- --live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::tingwu::CreateTaskRequest;
use aliyun_ai::tingwu::create_task::Input;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let session = support::session().await?;
    let request = CreateTaskRequest::builder()
        .input(
            Input::builder()
                .app_id(&session.tingwu_app)
                .text(support::CAR_SALES)
                .build()?,
        )
        .build()?;
    let answer = session.client.tingwu().create_task(request).await?;
    println!(
        "data id: {}",
        answer.output.and_then(|o| o.data_id).unwrap_or_default()
    );
    Ok(())
}
