//! The emulator binary: what it prints, in the order a script reads it.

use std::io::{BufRead, BufReader};

#[test]
fn the_binary_prints_its_address_first_then_the_credentials() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aliyun-ai-emulator"))
        .args(["--addr", "127.0.0.1:0", "--api-key", "sk-custom"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let rest: Vec<String> = lines.by_ref().take(3).map(Result::unwrap).collect();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
    let port: u16 = first.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    assert_eq!(
        rest[0],
        "ALIBABA_CLOUD_ACCESS_KEY_ID=emulator-access-key-id"
    );
    assert_eq!(rest[2], "DASHSCOPE_API_KEY=sk-custom");
}
