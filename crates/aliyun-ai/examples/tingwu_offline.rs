//! Tingwu OpenAPI: an offline transcription with chapters and a summary,
//! waited for with progress, its result documents downloaded and printed.
//!
//! `cargo run -p aliyun-ai --example tingwu_offline [-- --live]`
//!
//! Live, it reads `ALIYUN_AI_TINGWU_APP_KEY` (the project's AppKey) and
//! `ALIYUN_AI_TINGWU_FILE_URL` (a public URL of an audio or video file) besides
//! the AccessKey; the vendor finishes most files within minutes but allows up
//! to about three hours.

#[path = "support/mod.rs"]
mod support;

use aliyun_ai::Client;
use aliyun_ai::tingwu::create_task::{Input, Parameters, SourceLanguage, Type};
use aliyun_ai::tingwu::{CreateTaskRequest, Summarization, Type as SummaryKind};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Alibaba Cloud with `--live`; otherwise a local emulator started here.
    let (client, _emulator) = if support::live() {
        (Client::from_env()?, None)
    } else {
        let (client, emulator) = support::emulator_client().await?;
        (client, Some(emulator))
    };
    let file_url = std::env::var("ALIYUN_AI_TINGWU_FILE_URL")
        .unwrap_or_else(|_| "https://example.com/weekly-sync.mp3".into());
    let tingwu = client.tingwu();
    let request = CreateTaskRequest::builder()
        .type_(Type::Offline)
        .app_key(support::tingwu_app_key())
        .input(
            Input::builder()
                .source_language(SourceLanguage::Cn)
                .file_url(file_url)
                .build(),
        )
        .parameters(
            Parameters::builder()
                .auto_chapters_enabled(true)
                .summarization_enabled(true)
                .summarization(
                    Summarization::builder()
                        .types([SummaryKind::Paragraph, SummaryKind::MindMap])
                        .build(),
                )
                .build()?,
        )
        .build()?;
    let task_id = tingwu
        .create_task(request)
        .await?
        .data
        .and_then(|d| d.task_id)
        .unwrap_or_default();
    let done = tingwu
        .wait_for_task(&task_id, &support::progress_policy("Tingwu task"))
        .await?;
    let results = tingwu.download_results(&done).await?;
    if let Some(transcription) = &results.transcription {
        for paragraph in transcription.paragraphs.iter().flatten() {
            let text: String = paragraph
                .words
                .iter()
                .flatten()
                .filter_map(|w| w.text.as_deref())
                .collect();
            println!(
                "speaker {}: {text}",
                paragraph.speaker_id.as_deref().unwrap_or("?")
            );
        }
    }
    for chapter in results.auto_chapters.iter().flatten() {
        println!(
            "chapter {} ({}-{} ms): {}",
            chapter.headline.as_deref().unwrap_or_default(),
            chapter.start.unwrap_or_default(),
            chapter.end.unwrap_or_default(),
            chapter.summary.as_deref().unwrap_or_default()
        );
    }
    if let Some(summary) = &results.summarization {
        println!(
            "summary: {}",
            summary.paragraph_summary.as_deref().unwrap_or_default()
        );
        for node in summary.mind_map_summary.iter().flatten() {
            println!("mind map: {}", node.title.as_deref().unwrap_or_default());
        }
    }
    Ok(())
}
