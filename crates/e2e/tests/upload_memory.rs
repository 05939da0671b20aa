//! An upload from a local file keeps memory flat: the file is streamed from
//! disk to the (emulated) bucket, which hashes it as it arrives. Alone in its
//! test binary, so that the process's peak memory is this test's.

#[path = "it/support/mod.rs"]
mod support;

/// The process's peak resident memory (`VmHWM`), in KiB (Linux only).
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// `ALIYUN_AI_UPLOAD_TEST_MIB` (default 48): the file's size; the issue's
/// 1 GiB is `ALIYUN_AI_UPLOAD_TEST_MIB=1024` (a release build takes seconds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_upload_keeps_memory_flat() {
    let Some(before) = peak_kib() else {
        eprintln!("no /proc/self/status: skipped");
        return;
    };
    let mib: u64 = std::env::var("ALIYUN_AI_UPLOAD_TEST_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    let (_emulator, client) = support::setup().await;
    let dir = std::env::temp_dir().join(format!("aliyun-ai-upload-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("large.bin");
    // A sparse file: no disk written, every byte still read and sent.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(mib << 20)
        .unwrap();
    let library = client
        .dianjin()
        .create_library(
            aliyun_ai::dianjin::CreateLibraryRequest::builder()
                .workspace_id("llm-ws")
                .library_name("big")
                .description("big files")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    let result = client
        .dianjin()
        .upload_document_from_file("llm-ws", &library, &path)
        .await;
    let _ = std::fs::remove_dir_all(&dir);
    result.unwrap();
    let after = peak_kib().unwrap();
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!("peak memory {before} KiB -> {after} KiB for a {mib} MiB upload");
    assert!(
        grown_mib < 24,
        "peak memory grew by {grown_mib} MiB for a {mib} MiB file"
    );
}
