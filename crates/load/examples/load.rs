//! The load run, full form: `cargo run --release -p aliyun-ai-load --example load`.
//! Options: `--calls N` (10,000), `--concurrency N` (200), `--faults N`
//! (per hundred requests, at most 5), `--refreshes N` (5). Exits non-zero
//! when a check fails.

use aliyun_ai_load::{LoadConfig, run};

fn main() {
    let mut config = LoadConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|v| v.parse::<usize>().ok());
        match (flag.as_str(), value) {
            ("--calls", Some(n)) => config.calls = n,
            ("--concurrency", Some(n)) => config.concurrency = n.max(1),
            ("--faults", Some(n)) => config.faults_per_hundred = n as u64,
            ("--refreshes", Some(n)) => config.credential_refreshes = n,
            _ => {
                eprintln!("usage: load [--calls N] [--concurrency N] [--faults N] [--refreshes N]");
                std::process::exit(2);
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let report = match runtime.block_on(run(&config)) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("the load run could not start: {error}");
            std::process::exit(1);
        }
    };
    println!("{config:?}\n{report}");
    let violations = report.violations(&config);
    for violation in &violations {
        eprintln!("FAILED: {violation}");
    }
    std::process::exit(i32::from(!violations.is_empty()));
}
