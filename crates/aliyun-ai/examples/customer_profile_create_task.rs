//! Tingwu createTask: a customer-profile task from a car-sales dialogue.
//!
//! `cargo run -p aliyun-ai --example customer_profile_create_task [-- --live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use aliyun_ai::customerprofile::CreateTaskRequest;
use aliyun_ai::customerprofile::create_task::Input;

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
        .input(
            Input::builder()
                .app_id(support::customer_profile_app())
                .text(support::CAR_SALES)
                .build()?,
        )
        .build()?;
    let answer = client.customer_profile().create_task(request).await?;
    println!(
        "data id: {}",
        answer.output.and_then(|o| o.data_id).unwrap_or_default()
    );
    Ok(())
}
