//! `aliyun-ai-emulator`: the four services on loopback.
//!
//! ```text
//! aliyun-ai-emulator [--addr HOST:PORT] [--access-key-id ID] [--access-key-secret SECRET]
//!                    [--api-key KEY] [--task-delay-ms N] [--qps N] [--debug-signatures] [--fault-header]
//! ```
//!
//! Prints `listening on http://HOST:PORT` as its first line, then the
//! credentials to use, and logs each request to standard error.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use aliyun_ai_emulator::{Credentials, Emulator, EmulatorConfig};

const USAGE: &str = "usage: aliyun-ai-emulator [--addr HOST:PORT] [--access-key-id ID] [--access-key-secret SECRET] [--api-key KEY] [--task-delay-ms N] [--qps N] [--debug-signatures] [--fault-header]

  --addr               where to listen; port 0 picks a free one   (default 127.0.0.1:8960, env ALIYUN_AI_EMULATOR_ADDR)
  --access-key-id      the AccessKey id it accepts                 (default emulator-access-key-id, env ALIYUN_AI_EMULATOR_ACCESS_KEY_ID)
  --access-key-secret  the AccessKey secret it accepts             (default emulator-access-key-secret, env ALIYUN_AI_EMULATOR_ACCESS_KEY_SECRET)
  --api-key            the DashScope API key it accepts            (default sk-emulator-api-key, env ALIYUN_AI_EMULATOR_API_KEY)
  --task-delay-ms      how long tasks take                          (default 1500)
  --qps                throttle each operation above N requests/s (default: none)
  --debug-signatures   return the canonical request and string to sign the emulator expected with a signature error
  --fault-header       let each request's x-emulator-fault header inject a fault (default: only rules set in code)";

fn parse() -> Result<EmulatorConfig, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut addr = env("ALIYUN_AI_EMULATOR_ADDR").unwrap_or_else(|| "127.0.0.1:8960".into());
    let mut credentials = Credentials::default();
    if let Some(v) = env("ALIYUN_AI_EMULATOR_ACCESS_KEY_ID") {
        credentials.access_key_id = v;
    }
    if let Some(v) = env("ALIYUN_AI_EMULATOR_ACCESS_KEY_SECRET") {
        credentials.access_key_secret = v;
    }
    if let Some(v) = env("ALIYUN_AI_EMULATOR_API_KEY") {
        credentials.api_key = v;
    }
    let mut config = EmulatorConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--addr" => addr = value("--addr")?,
            "--access-key-id" => credentials.access_key_id = value("--access-key-id")?,
            "--access-key-secret" => credentials.access_key_secret = value("--access-key-secret")?,
            "--api-key" => credentials.api_key = value("--api-key")?,
            "--task-delay-ms" => {
                let ms = value("--task-delay-ms")?
                    .parse::<u64>()
                    .map_err(|_| "--task-delay-ms takes milliseconds")?;
                config = config.with_task_delay(Duration::from_millis(ms));
            }
            "--qps" => {
                let qps = value("--qps")?
                    .parse::<u32>()
                    .map_err(|_| "--qps takes a number")?;
                config = config.with_qps_limit(Some(qps));
            }
            "--debug-signatures" => config = config.with_debug_signatures(true),
            "--fault-header" => config = config.with_fault_header(true),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let addr: SocketAddr = addr
        .parse()
        .map_err(|_| format!("--addr `{addr}` is not HOST:PORT"))?;
    Ok(config.with_addr(addr).with_credentials(credentials))
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse() {
        Ok(config) => config,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    let emulator = match Emulator::start_with(config).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("error: cannot listen: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {}", emulator.base_url());
    for (name, value) in emulator.environment() {
        println!("{name}={value}");
    }
    match emulator.serve_until_interrupted().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
