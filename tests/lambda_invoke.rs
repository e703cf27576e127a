//! The Lambda handler with the sample events: the scheduled event runs the configured audit,
//! a bad payload is rejected before any AWS call.

mod support;

use cis_monitor::clients::Clients;
use cis_monitor::config::AuditConfig;
use cis_monitor::lambda::{InvocationError, handle_invocation};
use serde_json::Value;
use support::{Account, HOME, config_for};

fn event(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("event file")).expect("event JSON")
}

#[tokio::test]
async fn scheduled_event_runs_the_configured_audit() {
    let account = Account::healthy().await;
    let config = config_for(&[HOME, "eu-west-1"]);
    let summary = handle_invocation(&account.clients(), &config, None, &event("scheduled.json"), None)
        .await
        .expect("the invocation succeeds");
    assert_eq!(summary["totals"]["passed"], 6);
    assert_eq!(summary["totals"]["imported"], 6);
    assert_eq!(account.findings("eu-west-1").await.len(), 3);
}

#[tokio::test]
async fn dry_run_and_one_region_events_narrow_the_run() {
    let account = Account::healthy().await;
    let config = config_for(&[HOME]);
    let dry = handle_invocation(&account.clients(), &config, None, &event("dry-run.json"), None)
        .await
        .expect("dry run");
    assert_eq!(dry["published"], false);
    assert!(account.findings(HOME).await.is_empty());
    let one = handle_invocation(&account.clients(), &config, None, &event("one-region.json"), None)
        .await
        .expect("one region");
    let regions: Vec<&str> = one["accounts"][0]["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .filter_map(|r| r["region"].as_str())
        .collect();
    assert_eq!(regions, ["eu-west-1"]);
}

#[tokio::test]
async fn malformed_payload_is_rejected_before_any_aws_call() {
    // Clients pointed at a closed port: any AWS call would fail with a dispatch error instead.
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url("http://127.0.0.1:9")
        .region(aws_config::Region::new(HOME))
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .load()
        .await;
    let clients = Clients::new(config);
    for payload in [
        serde_json::json!({"regions": ["eu-west-1"], "controls": ["CloudWatch.7"], "dryRun": "yes"}),
        serde_json::json!({"regions": [], "dryRun": true}),
        serde_json::json!({"regionz": ["eu-west-1"]}),
        serde_json::json!({"controls": ["CloudWatch.8"]}),
    ] {
        let error = handle_invocation(&clients, &AuditConfig::default(), None, &payload, None)
            .await
            .expect_err("rejected");
        assert!(matches!(error, InvocationError::BadPayload(_)), "{payload}: {error}");
    }
}
