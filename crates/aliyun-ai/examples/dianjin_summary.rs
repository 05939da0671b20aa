//! DianJin: summarise documents of a library with CreateDocsSummaryTask, then
//! wait for the task (GetTaskStatus, with progress) and read the summary.
//!
//! `cargo run -p aliyun-ai --example dianjin_summary [-- --live]`
//! (live: `ALIYUN_AI_DIANJIN_WORKSPACE_ID`, `ALIYUN_AI_DIANJIN_LIBRARY_ID` and
//! `ALIYUN_AI_DIANJIN_DOCUMENT_ID` of a parsed document)

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;

use aliyun_ai::dianjin::CreateDocsSummaryTaskRequest;
use aliyun_ai::dianjin::create_docs_summary_task::DocInfo;

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
    let dianjin = client.dianjin();
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let request = CreateDocsSummaryTaskRequest::builder()
        .workspace_id(support::dianjin_workspace())
        .model_id("qwen-plus")
        .instruction("总结这份年报的经营业绩与主要风险")
        .doc_infos([DocInfo::builder()
            .library_id(var("ALIYUN_AI_DIANJIN_LIBRARY_ID", "library-1"))
            .doc_id(var("ALIYUN_AI_DIANJIN_DOCUMENT_ID", "document-1"))
            .build()?])
        .build()?;
    let task = dianjin
        .create_docs_summary_task(request)
        .await?
        .data
        .ok_or("CreateDocsSummaryTask answered no task id")?;
    println!("task {task} created");
    let summary = dianjin
        .wait_for_summary(
            &support::dianjin_workspace(),
            &task,
            &support::progress_policy("summary"),
        )
        .await?;
    for choice in summary.data.and_then(|d| d.choices).unwrap_or_default() {
        if let Some(message) = choice.message {
            println!("{}", message.content.unwrap_or_default());
        }
    }
    Ok(())
}
