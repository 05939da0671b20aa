//! The emulator binary: what it prints, in the order a script reads it, and
//! that what it prints is all the SDK needs.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::sync::Arc;

struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary; its address line and the variables it prints.
fn start(args: &[&str]) -> (Running, String, Vec<(String, String)>) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aliyun-ai-emulator"))
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let mut variables = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let (name, value) = line.split_once('=').unwrap();
        variables.push((name.to_owned(), value.to_owned()));
        if name == "ALIYUN_AI_OSS_ENDPOINT" {
            break;
        }
    }
    (Running(child), first, variables)
}

#[test]
fn the_binary_prints_its_address_first_then_the_credentials() {
    let (_running, first, variables) = start(&["--api-key", "sk-custom"]);
    assert!(
        first.starts_with("listening on http://127.0.0.1:"),
        "{first}"
    );
    let port: u16 = first.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    assert_eq!(
        variables[0],
        (
            "ALIBABA_CLOUD_ACCESS_KEY_ID".to_owned(),
            "emulator-access-key-id".to_owned()
        )
    );
    assert_eq!(
        variables[2],
        ("DASHSCOPE_API_KEY".to_owned(), "sk-custom".to_owned())
    );
}

#[tokio::test]
async fn an_upload_from_a_file_works_configured_only_from_what_the_binary_prints() {
    // Issue 21 #8: no OpenPlatform or OSS endpoint was printed, so the
    // upload went to https://emulator-bucket.127.0.0.1:PORT.
    let (_running, _, variables) = start(&[]);
    let names: Vec<&str> = variables.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "ALIYUN_AI_CONTACTCENTERAI_ENDPOINT",
        "ALIYUN_AI_DIANJIN_ENDPOINT",
        "ALIYUN_AI_OPENPLATFORM_ENDPOINT",
        "ALIYUN_AI_RETAILBOT_ENDPOINT",
        "ALIYUN_AI_CUSTOMERPROFILE_ENDPOINT",
        "ALIYUN_AI_OSS_ENDPOINT",
    ] {
        assert!(names.contains(&expected), "{expected} missing: {names:?}");
    }
    let env: BTreeMap<_, _> = variables.into_iter().collect();
    assert!(env["ALIYUN_AI_OSS_ENDPOINT"].starts_with("http://127.0.0.1:"));
    let config = aliyun_ai::Config::builder()
        .from_environment(Arc::new(mapped(&env)))
        .build()
        .unwrap();
    let client = aliyun_ai::Client::new(config);
    let dianjin = client.dianjin();
    let library = dianjin
        .create_library(
            aliyun_ai::dianjin::CreateLibraryRequest::builder()
                .workspace_id("llm-ws")
                .library_name("reports")
                .description("annual reports")
                .build()
                .unwrap(),
        )
        .await
        .unwrap()
        .data
        .unwrap();
    let dir = std::env::temp_dir().join(format!("aliyun-ai-binary-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.pdf");
    std::fs::write(&file, b"%PDF-1.4 a small report").unwrap();
    let uploaded = dianjin
        .upload_document_from_file("llm-ws", &library, &file)
        .await;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(uploaded.unwrap().data.is_some());
}

/// The printed variables as the process environment of an app would hold
/// them (and nothing else of this test's environment).
fn mapped(env: &BTreeMap<String, String>) -> aliyun_ai::auth::env::MapEnvironment {
    env.iter().fold(
        aliyun_ai::auth::env::MapEnvironment::new(),
        |env, (k, v)| env.with_var(k, v),
    )
}
