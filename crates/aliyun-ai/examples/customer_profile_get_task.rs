//! Tingwu getTask: one look at a task (pass its data id, or one is created).
//!
//! `cargo run -p aliyun-ai --example customer_profile_get_task [-- DATA_ID] [--live]`

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use aliyun_ai::customerprofile::create_task::Input;
use aliyun_ai::customerprofile::{CreateTaskRequest, GetTaskRequest, get_task};

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
    let tingwu = client.customer_profile();
    let data_id = match std::env::args().skip(1).find(|a| !a.starts_with("--")) {
        Some(id) => id,
        None => {
            let request = CreateTaskRequest::builder()
                .input(
                    Input::builder()
                        .app_id(support::customer_profile_app())
                        .text(support::CAR_SALES)
                        .build()?,
                )
                .build()?;
            tingwu
                .create_task(request)
                .await?
                .output
                .and_then(|o| o.data_id)
                .unwrap_or_default()
        }
    };
    let request = GetTaskRequest::builder()
        .input(get_task::Input::new(&data_id))
        .build()?;
    let answer = tingwu.get_task(request).await?;
    let status = answer
        .output
        .and_then(|o| o.status)
        .map(|s| format!("{s:?}"))
        .unwrap_or_default();
    println!("task {data_id}: {status}");
    Ok(())
}
