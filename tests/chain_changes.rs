//! Re-audit on a change to the chain, against moto over HTTP: the chain is broken after a first
//! run, the function is invoked with the CloudTrail event of the change, and exactly the
//! findings it affected turn FAILED, naming the change and who made it; a later scheduled run
//! keeps that, and mending the chain drops it. Events that change nothing are acknowledged
//! and ignored. A burst of changes, queued in a FIFO queue as the template's rule does and
//! delivered by the harness as the event source mapping, costs one run per batch and leaves
//! the findings of the final state, naming the change that made it.

mod support;

use aws_sdk_securityhub::types::AwsSecurityFinding;
use cis_monitor::config::AuditConfig;
use cis_monitor::controls::Control;
use cis_monitor::lambda::handle_invocation;
use cis_monitor::time::Timestamp;
use serde_json::Value as Json;
use support::queue::{delete_done, receive, retried};
use support::{Account, HOME, config_for, healthy};

const EU: &str = "eu-west-1";
const ACTOR: &str = "arn:aws:sts::123456789012:assumed-role/ops/ops-session";

fn sample(name: &str) -> Json {
    let path = format!("{}/events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("a sample event")).expect("JSON")
}

/// The sample DeleteMetricFilter event, for `control`'s filter of the healthy account.
fn filter_deleted(control: Control) -> Json {
    let mut event = sample("delete-metric-filter.json");
    event["detail"]["requestParameters"]["filterName"] = healthy::filter_name(control).into();
    event["detail"]["requestParameters"]["logGroupName"] = healthy::LOG_GROUP.into();
    event
}

fn config() -> AuditConfig {
    config_for(&[HOME, EU])
}

fn finding(findings: &[AwsSecurityFinding], control: Control) -> AwsSecurityFinding {
    findings
        .iter()
        .find(|finding| finding.generator_id() == Some(&format!("cis-monitor/{}", control.id())))
        .cloned()
        .expect("a finding per control")
}

fn status(finding: &AwsSecurityFinding) -> &str {
    finding.compliance().and_then(|c| c.status()).map(|s| s.as_str()).unwrap_or_default()
}

fn change_field<'a>(finding: &'a AwsSecurityFinding, key: &str) -> Option<&'a str> {
    finding
        .product_fields()
        .and_then(|fields| fields.get(&format!("cis-monitor/change/{key}")))
        .map(String::as_str)
}

async fn invoke(account: &Account, payload: &Json) -> Json {
    handle_invocation(&account.clients(), &config(), None, payload, None).await.expect("handled")
}

async fn delete_filter(account: &Account, control: Control) {
    let logs = aws_sdk_cloudwatchlogs::Client::new(&account.config);
    logs.delete_metric_filter()
        .log_group_name(healthy::LOG_GROUP)
        .filter_name(healthy::filter_name(control))
        .send()
        .await
        .expect("filter deleted");
}

#[tokio::test]
async fn a_change_turns_exactly_the_findings_it_broke_and_names_who_made_it() {
    let account = Account::healthy().await;
    let scheduled = sample("scheduled.json");
    invoke(&account, &scheduled).await;
    delete_filter(&account, Control::KmsKeyChanges).await;

    let summary = invoke(&account, &filter_deleted(Control::KmsKeyChanges)).await;
    assert_eq!(summary["totals"]["failed"], 2, "CloudWatch.7 in both regions: {summary}");
    for region in [HOME, EU] {
        let findings = account.findings(region).await;
        let broken = finding(&findings, Control::KmsKeyChanges);
        assert_eq!(status(&broken), "FAILED");
        let description = broken.description().unwrap_or_default();
        let named = format!(
            "Changed by DeleteMetricFilter of metric filter {} of log group {} by {ACTOR}",
            healthy::filter_name(Control::KmsKeyChanges),
            healthy::LOG_GROUP
        );
        assert!(description.contains(&named), "{description}");
        assert_eq!(change_field(&broken, "EventName"), Some("DeleteMetricFilter"));
        assert_eq!(change_field(&broken, "Actor"), Some(ACTOR));
        assert_eq!(change_field(&broken, "SourceIp"), Some("203.0.113.7"));
        for control in [Control::CloudTrailChanges, Control::VpcChanges] {
            let untouched = finding(&findings, control);
            assert_eq!(status(&untouched), "PASSED");
            assert_eq!(change_field(&untouched, "EventName"), None, "its status did not change");
        }
    }

    invoke(&account, &scheduled).await;
    let kept = finding(&account.findings(HOME).await, Control::KmsKeyChanges);
    assert_eq!(status(&kept), "FAILED");
    assert_eq!(change_field(&kept, "EventName"), Some("DeleteMetricFilter"), "kept while the status stays");
    assert!(kept.description().unwrap_or_default().contains(ACTOR));

    let control = Control::KmsKeyChanges;
    account.cis_filter(HOME, healthy::LOG_GROUP, control, control.canonical_pattern()).await;
    invoke(&account, &scheduled).await;
    let mended = finding(&account.findings(HOME).await, control);
    assert_eq!(status(&mended), "PASSED");
    assert_eq!(change_field(&mended, "EventName"), None, "a new status without a change drops it");
}

#[tokio::test]
async fn events_that_change_nothing_are_acknowledged_and_ignored() {
    let account = Account::healthy().await;
    for name in ["failed-call.json", "unrelated-call.json"] {
        let answer = invoke(&account, &sample(name)).await;
        assert!(answer["ignored"].is_string(), "{name}: {answer}");
    }
    let mut elsewhere = filter_deleted(Control::KmsKeyChanges);
    elsewhere["account"] = "210987654321".into();
    elsewhere["detail"]["recipientAccountId"] = "210987654321".into();
    let answer = invoke(&account, &elsewhere).await;
    assert!(answer["ignored"].as_str().is_some_and(|reason| reason.contains("210987654321")), "{answer}");
    assert!(account.findings(HOME).await.is_empty(), "no run was made");
}

#[tokio::test]
async fn the_sample_change_events_run_an_audit() {
    let account = Account::healthy().await;
    for name in ["delete-metric-filter.json", "disable-alarm-actions.json"] {
        let summary = invoke(&account, &sample(name)).await;
        assert_eq!(summary["totals"]["passed"], 6, "{name}: nothing was broken in moto: {summary}");
    }
}

/// The `index`th event of a burst of one a millisecond from `start`: a change to `control`'s
/// filter, or else a deploy putting the CloudTrail alarm again.
fn burst_event(start: Timestamp, index: usize, filter_change: Option<(&str, Control)>) -> Json {
    let offset = i64::try_from(index).expect("a small index");
    let time = Timestamp::from_millis(start.millis() + offset).to_string();
    let mut event = match filter_change {
        Some((call, control)) => {
            let mut event = filter_deleted(control);
            event["detail"]["eventName"] = call.into();
            event
        }
        None => {
            let mut event = sample("disable-alarm-actions.json");
            event["detail"]["eventName"] = "PutMetricAlarm".into();
            event["detail"]["requestParameters"] =
                serde_json::json!({"alarmName": healthy::alarm_name(Control::CloudTrailChanges)});
            event
        }
    };
    event["id"] = format!("burst-{index}").into();
    event["detail"]["eventTime"] = time.into();
    event
}

/// The time `event` says its call was made.
fn event_time(event: &Json) -> String {
    event["detail"]["eventTime"].as_str().expect("an event time").to_string()
}

#[tokio::test]
async fn a_burst_of_changes_costs_a_run_per_batch_and_leaves_the_final_state_named() {
    let account = Account::healthy().await;
    invoke(&account, &sample("scheduled.json")).await;
    let sqs = aws_sdk_sqs::Client::new(&account.config);
    let queue_url = sqs
        .create_queue()
        .queue_name("cis-monitor-changes.fifo")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::ContentBasedDeduplication, "true")
        .send()
        .await
        .expect("queue created")
        .queue_url()
        .expect("a queue URL")
        .to_string();

    // The deploy, after that run: the KMS filter deleted and put back, the VPC filter deleted
    // last; the other 47 events re-put an alarm. The events are queued when it is over.
    let start = Timestamp::now();
    delete_filter(&account, Control::KmsKeyChanges).await;
    let kms = Control::KmsKeyChanges;
    account.cis_filter(HOME, healthy::LOG_GROUP, kms, kms.canonical_pattern()).await;
    delete_filter(&account, Control::VpcChanges).await;
    const EVENTS: usize = 50;
    let mut vpc_deleted = String::new();
    for index in 0..EVENTS {
        let filter_change = match index {
            10 => Some(("DeleteMetricFilter", Control::KmsKeyChanges)),
            20 => Some(("PutMetricFilter", Control::KmsKeyChanges)),
            45 => Some(("DeleteMetricFilter", Control::VpcChanges)),
            _ => None,
        };
        let event = burst_event(start, index, filter_change);
        if index == 45 {
            vpc_deleted = event_time(&event);
        }
        sqs.send_message()
            .queue_url(&queue_url)
            .message_group_id("chain")
            .message_body(event.to_string())
            .send()
            .await
            .expect("queued");
    }

    // The runs follow the calls they answer, as on AWS: none starts before the last event's
    // time (else it would read a state older than an event it is given).
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut runs = 0;
    loop {
        let records = receive(&sqs, &queue_url).await;
        if records.is_empty() {
            break;
        }
        let event = serde_json::json!({ "Records": records });
        let response = invoke(&account, &event).await;
        assert_eq!(retried(&response), Default::default(), "{response}");
        delete_done(&sqs, &queue_url, &records, &response).await;
        runs += 1;
    }
    assert_eq!(runs, EVENTS.div_ceil(10), "one run per batch of ten");

    for region in [HOME, EU] {
        let findings = account.findings(region).await;
        let vpc = finding(&findings, Control::VpcChanges);
        assert_eq!(status(&vpc), "FAILED", "{region}");
        assert_eq!(change_field(&vpc, "EventName"), Some("DeleteMetricFilter"), "{region}");
        assert_eq!(
            change_field(&vpc, "EventTime"),
            Some(vpc_deleted.as_str()),
            "the VPC filter's own change"
        );
        for control in [Control::CloudTrailChanges, Control::KmsKeyChanges] {
            let kept = finding(&findings, control);
            assert_eq!(status(&kept), "PASSED", "{region} {control:?}: its final state");
            assert_eq!(
                change_field(&kept, "EventName"),
                None,
                "{region} {control:?}: its status never changed"
            );
        }
    }
}

#[test]
fn the_command_line_invokes_the_function_with_an_event_file() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let account = runtime.block_on(Account::healthy());
    let dir = std::env::temp_dir().join(format!("cis-monitor-invoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let event = dir.join("event.json");
    std::fs::write(&event, filter_deleted(Control::KmsKeyChanges).to_string()).expect("event written");
    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "{ not json").expect("garbage written");
    let invoke = |payload: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_cis-monitor"))
            .arg("invoke")
            .arg(payload)
            .env_clear()
            .env("AWS_ENDPOINT_URL", account.moto.aws_endpoint())
            .env("AWS_REGION", HOME)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("CIS_MONITOR_REGIONS", HOME)
            .output()
            .expect("cis-monitor runs")
    };

    let scheduled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("events/scheduled.json");
    assert_eq!(invoke(&scheduled).status.code(), Some(0), "the first, scheduled run");
    runtime.block_on(delete_filter(&account, Control::KmsKeyChanges));
    let output = invoke(&event);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let summary: Json = serde_json::from_str(&stdout).expect("the function's answer, as JSON");
    assert_eq!(summary["totals"]["failed"], 1, "{summary}");
    let broken = finding(&runtime.block_on(account.findings(HOME)), Control::KmsKeyChanges);
    assert_eq!(change_field(&broken, "Actor"), Some(ACTOR));

    let output = invoke(&garbage);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not JSON"));
    std::fs::remove_dir_all(&dir).ok();
}
