//! Computes an Alibaba Cloud signature from a JSON description of a request,
//! to compare with what a gateway expected when it answers
//! `SignatureDoesNotMatch`.
//!
//! ```text
//! cargo run -p aliyun-ai-auth --example sign -- request.json
//! cargo run -p aliyun-ai-auth --example sign -- --v1 params.json
//! ```
//!
//! See the crate README for the input format.

mod json;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (v1, file) = match args.as_slice() {
        [flag, file] if flag == "--v1" => (true, file),
        [file] => (false, file),
        _ => {
            eprintln!("usage: sign [--v1] FILE.json");
            return ExitCode::from(2);
        }
    };
    let result = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {file}: {e}"))
        .and_then(|text| {
            serde_json::from_str(&text).map_err(|e| format!("{file} is not JSON: {e}"))
        })
        .and_then(|input| {
            if v1 {
                json::sign_v1_json(&input)
            } else {
                json::sign_v3_json(&input)
            }
        });
    match result {
        Ok(output) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&output).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
