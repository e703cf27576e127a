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

#[test]
fn each_run_writes_emf_records_that_match_its_summary() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let account = runtime.block_on(Account::healthy());
    let logs = aws_sdk_cloudwatchlogs::Client::new(&account.config);
    let kms = cis_monitor::controls::Control::KmsKeyChanges;
    runtime
        .block_on(
            logs.delete_metric_filter()
                .log_group_name(support::healthy::LOG_GROUP)
                .filter_name(support::healthy::filter_name(kms))
                .send(),
        )
        .expect("filter deleted");
    let scheduled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events/scheduled.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cis-monitor"))
        .args(["invoke", "--metrics"])
        .arg(&scheduled)
        .env_clear()
        .env("AWS_ENDPOINT_URL", account.moto.aws_endpoint())
        .env("AWS_REGION", HOME)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("CIS_MONITOR_REGIONS", format!("{HOME},eu-west-1"))
        .env("AWS_LAMBDA_LOG_LEVEL", "WARN")
        .output()
        .expect("cis-monitor runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let record =
        |line: &str| serde_json::from_str::<Value>(line).ok().filter(|value| value.get("_aws").is_some());
    let (records, answer): (Vec<&str>, Vec<&str>) = stdout.lines().partition(|line| record(line).is_some());
    let summary: Value = serde_json::from_str(&answer.join("\n")).expect("the summary follows the records");
    let records: Vec<Value> = records.into_iter().filter_map(record).collect();
    assert_eq!(records.len(), 3, "one per control: {stdout}");
    let verdicts: Vec<&Value> = summary["accounts"][0]["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .flat_map(|region| region["verdicts"].as_array().expect("verdicts"))
        .collect();
    for record in &records {
        let control = record["Control"].as_str().expect("a control");
        let count = |status: &str| {
            verdicts.iter().filter(|v| v["control"] == control && v["status"] == status).count()
        };
        assert_eq!(record["Failed"], count("FAILED"), "{control}");
        assert_eq!(record["Passed"], count("PASSED"), "{control}");
        assert_eq!(record["Warning"], count("WARNING"), "{control}");
        assert_eq!(record["NotAvailable"], count("NOT_AVAILABLE"), "{control}");
        assert_eq!(record["FindingsImported"], 2, "{control}: one finding in each region");
        assert_eq!(record["FindingsLost"], 0, "{control}");
        let metrics = &record["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(metrics["Namespace"], "cis-monitor");
        assert_eq!(record["level"], "WARN", "kept by Lambda's filter at the function's level");
        assert_eq!(metrics["Dimensions"], serde_json::json!([["Control"], []]));
    }
    let kms_record =
        records.iter().find(|record| record["Control"] == kms.id()).expect("CloudWatch.7's record");
    assert_eq!(kms_record["Failed"], 2, "its filter is gone in both regions");
    let failed: u64 = records.iter().map(|record| record["Failed"].as_u64().unwrap_or_default()).sum();
    assert_eq!(summary["totals"]["failed"], failed);
}
