//! DashScope customer profile (the Tingwu automotive application): create a task,
//! wait for it with progress, download and decode its four result files.
//!
//! `cargo run -p aliyun-ai --example customer_profile_results [-- --live]`

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
    let tingwu = client.customer_profile();
    let request = CreateTaskRequest::builder()
        .input(
            Input::builder()
                .app_id(support::customer_profile_app())
                .text(support::CAR_SALES)
                .build()?,
        )
        .build()?;
    let data_id = tingwu
        .create_task(request)
        .await?
        .output
        .and_then(|o| o.data_id)
        .unwrap_or_default();
    let output = tingwu
        .wait_for_task(&data_id, &support::progress_policy("Tingwu task"))
        .await?;
    let results = tingwu.download_results(&output).await?;
    if let Some(profile) = results.customer_profile {
        let class = profile
            .sale_clue_classify
            .and_then(|c| c.classify)
            .unwrap_or_default();
        println!(
            "lead class {class}; {}",
            profile.one_sentence_sum_up.unwrap_or_default()
        );
    }
    for extraction in results.content_extractions.iter().flatten() {
        println!(
            "concern {}: {}",
            extraction.title.clone().unwrap_or_default(),
            extraction.result.clone().unwrap_or_default()
        );
    }
    Ok(())
}
