//! DianJin EndToEndRealTimeDialog: a live voice dialogue over WebSocket.
//! Streams 2.5 s of generated 16 kHz PCM (a tone, a pause, a tone) at
//! real-time pace, prints every event as it arrives, and writes the
//! synthesised reply audio to `realtime_reply.wav` (in the system's
//! temporary directory).
//!
//! `cargo run -p aliyun-ai --example realtime_dialog [-- --live]`
//! (`--live` needs `DIANJIN_PLAY_CODE`, the scene's code, besides the
//! credentials and workspace of the README.)

#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use aliyun_ai::Client;
use aliyun_ai::StreamExt as _;
use aliyun_ai::dianjin::EndToEndRealTimeDialogRequest;
use aliyun_ai::dianjin::realtime::{DialogEvent, StartTranscription};

/// 16 kHz, 16-bit mono: 3,200 bytes per tenth of a second.
const TENTH: usize = 3_200;

/// A tenth of a second of a 300 Hz tone, or of silence.
fn tenth_of_a_second(index: usize, speech: bool) -> Vec<u8> {
    let mut pcm = Vec::with_capacity(TENTH);
    for n in 0..TENTH / 2 {
        let t = (index * TENTH / 2 + n) as f64 / 16_000.0;
        let value = if speech {
            (t * 300.0 * std::f64::consts::TAU).sin() * 6_000.0
        } else {
            0.0
        };
        pcm.extend_from_slice(&(value as i16).to_le_bytes());
    }
    pcm
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _emulator) = if support::live() {
        (Client::from_env()?, None)
    } else {
        let (client, emulator) = support::emulator_client().await?;
        (client, Some(emulator))
    };
    let play_code = std::env::var("DIANJIN_PLAY_CODE").unwrap_or_else(|_| "c00aa8467a".into());
    let request = EndToEndRealTimeDialogRequest::builder()
        .workspace_id(support::dianjin_workspace())
        .sample_rate("SAMPLE_RATE_16K")
        .input_format("pcm")
        .output_format("wav")
        .build()?;
    let (sender, mut events) = client
        .dianjin()
        .end_to_end_real_time_dialog(request)
        .await?
        .split();
    sender
        .start(StartTranscription::new(play_code).meta_data("name", "张三"))
        .await?;
    // The caller: one task streams the audio at real-time pace, then stops.
    let feeding = tokio::spawn(async move {
        let mut pace = tokio::time::interval(Duration::from_millis(100));
        for index in 0..25 {
            pace.tick().await;
            // A tone, silence, then a tone again over the first reply.
            let speech = !(8..12).contains(&index);
            if sender
                .send_audio(tenth_of_a_second(index, speech))
                .await
                .is_err()
            {
                return;
            }
        }
        let _ = sender.stop().await;
    });
    let mut reply = Vec::new();
    while let Some(event) = events.next().await {
        match event? {
            DialogEvent::TranscriptionStarted {
                opening_remarks, ..
            } => {
                println!("opening remarks: {opening_remarks}")
            }
            DialogEvent::TranscriptionResultChanged { content, .. } => {
                println!("caller: {content}")
            }
            DialogEvent::BizProcessing(intention) => {
                let name = &intention["choices"][0]["delta"]["intentionName"];
                println!("intention: {name}");
            }
            DialogEvent::SentenceEnd { audio, .. } => {
                println!("reply audio: {} bytes", audio.len());
                if reply.is_empty() {
                    reply = audio.to_vec();
                }
            }
            DialogEvent::SentenceInterrupted => println!("(the caller spoke over the reply)"),
            DialogEvent::TranscriptionEnd => println!("(the agent would end the call here)"),
            DialogEvent::TranscriptionCompleted => {
                println!("completed");
                break;
            }
            DialogEvent::Error { code, message } => println!("error {code}: {message}"),
            other => println!("{other:?}"),
        }
    }
    feeding.await?;
    if !reply.is_empty() {
        let path = std::env::temp_dir().join("realtime_reply.wav");
        std::fs::write(&path, &reply)?;
        println!("the first reply is in {}", path.display());
    }
    Ok(())
}
