//! Tingwu OpenAPI: a live meeting. Creates a realtime task with translation,
//! streams 13 s of generated 16 kHz PCM to its `MeetingJoinUrl` at twice
//! real time (as the vendor's Python sample does), prints the sentences and
//! translations as they arrive, then stops the task, waits for it and
//! prints its transcript.
//!
//! `cargo run -p aliyun-ai --example tingwu_live_meeting [-- --live]`
//!
//! Live, it reads `ALIYUN_AI_TINGWU_APP_KEY` (the project's AppKey) besides
//! the AccessKey. The generated tone is no speech: the live service hears
//! little in it, so give it your own recording for a real test.

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use aliyun_ai::Client;
use aliyun_ai::StreamExt as _;
use aliyun_ai::tingwu::CreateTaskRequest;
use aliyun_ai::tingwu::create_task::{
    Input, Parameters, SourceLanguage, TargetLanguage, Transcription, Translation, Type,
};
use aliyun_ai::tingwu::meeting::{MeetingEvent, StartTranscription};

/// 16 kHz, 16-bit mono: 3,200 bytes per tenth of a second.
const TENTH: usize = 3_200;

/// `seconds` of a tone whose pitch moves, 16-bit little-endian mono.
fn generated_pcm(seconds: usize) -> Vec<u8> {
    let samples = seconds * 16_000;
    let mut pcm = Vec::with_capacity(samples * 2);
    for n in 0..samples {
        let t = n as f64 / 16_000.0;
        let pitch = 220.0 + 40.0 * (t * 0.5).sin();
        let value = (t * pitch * std::f64::consts::TAU).sin() * 6_000.0;
        pcm.extend_from_slice(&(value as i16).to_le_bytes());
    }
    pcm
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Alibaba Cloud with `--live`; otherwise a local emulator started here.
    let (client, _emulator) = if support::live() {
        (Client::from_env()?, None)
    } else {
        let (client, emulator) = support::emulator_client().await?;
        (client, Some(emulator))
    };
    let tingwu = client.tingwu();
    let app_key = support::tingwu_app_key();
    let request = CreateTaskRequest::builder()
        .type_(Type::Realtime)
        .app_key(&app_key)
        .input(
            Input::builder()
                .source_language(SourceLanguage::Cn)
                .format("pcm")
                .sample_rate(16_000)
                .build(),
        )
        .parameters(
            Parameters::builder()
                .transcription(Transcription::builder().output_level(2).build())
                .translation_enabled(true)
                .translation(
                    Translation::builder()
                        .target_languages([TargetLanguage::En])
                        .build(),
                )
                .build()?,
        )
        .build()?;
    let created = tingwu.create_task(request).await?.data.unwrap_or_default();
    let (Some(task_id), Some(join_url)) = (created.task_id, created.meeting_join_url) else {
        return Err("CreateTask answered no TaskId or MeetingJoinUrl".into());
    };
    // The URL's `mc` is the meeting's credential: printed, it is hidden.
    println!("meeting {task_id} at {join_url}");

    let (sender, mut events) = tingwu.join_meeting(&join_url).await?.split();
    sender.start(StartTranscription::new("pcm", 16_000)).await?;
    let audio = generated_pcm(13);
    let feeder = tokio::spawn(async move {
        for chunk in audio.chunks(TENTH) {
            if sender.send_audio(chunk.to_vec()).await.is_err() {
                break;
            }
            // 100 ms of audio every 50 ms: twice real time.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = sender.stop().await;
    });
    while let Some(event) = events.next().await {
        match event? {
            MeetingEvent::Started { session_id } => println!("started: session {session_id}"),
            MeetingEvent::ResultChanged(partial) => {
                println!("  … {}: {}", partial.index, partial.result)
            }
            MeetingEvent::SentenceEnd(sentence) => println!(
                "sentence {} ({}-{} ms, speaker {}): {}",
                sentence.index,
                sentence.begin_time.unwrap_or_default(),
                sentence.time,
                sentence.speaker_id.as_deref().unwrap_or("?"),
                sentence.result
            ),
            MeetingEvent::Translated(translation) => {
                for sentence in &translation.translate_result {
                    println!("  {}: {}", translation.target_lang, sentence.text);
                }
            }
            MeetingEvent::Failed {
                status,
                status_text,
            } => return Err(format!("the stream failed: {status} {status_text}").into()),
            MeetingEvent::Completed => break,
            _ => {}
        }
    }
    feeder.await?;

    // Closing the audio stream does not end the task: stop it, then wait.
    tingwu.stop_realtime_task(&app_key, &task_id).await?;
    let done = tingwu
        .wait_for_task(&task_id, &support::progress_policy("Tingwu meeting"))
        .await?;
    let results = tingwu.download_results(&done).await?;
    for paragraph in results
        .transcription
        .iter()
        .flat_map(|t| t.paragraphs.iter().flatten())
    {
        let text: String = paragraph
            .words
            .iter()
            .flatten()
            .filter_map(|w| w.text.as_deref())
            .collect();
        println!(
            "transcript, speaker {}: {text}",
            paragraph.speaker_id.as_deref().unwrap_or("?")
        );
    }
    Ok(())
}
