//! The load run's short form, part of `cargo test --workspace`: 2,000 calls
//! over every operation at concurrency 50 with 5% injected faults and two
//! credential refreshes; every check of the full form must hold.

use aliyun_ai_load::{LoadConfig, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_calls_under_faults_are_all_accounted_for() {
    let config = LoadConfig {
        calls: 2_000,
        concurrency: 50,
        faults_per_hundred: 5,
        credential_refreshes: 2,
    };
    let report = run(&config).await.expect("the run starts");
    println!("{report}");
    assert_eq!(report.calls, 2_000);
    // The faults did happen, and the SDK recovered from most of them.
    let ok = report.outcomes.get("ok").copied().unwrap_or(0);
    assert!(ok > 1_000, "{report}");
    assert!(report.operations >= 60, "{report}");
    assert!(
        report.token_fetches >= 2,
        "the DashScope token was renewed: {report}"
    );
    let violations = report.violations(&config);
    assert!(violations.is_empty(), "{violations:#?}\n{report}");
}
