//! Faults and throttling between the SDK and the services (scripts/aws_proxy.py in front of
//! moto): retried calls give the same findings as a fault-free run; a region cut off is
//! NOT_AVAILABLE with the reason while every other region is right; a run fails as a whole
//! only when nothing could be evaluated.

mod support;

use std::time::Duration;

use cis_monitor::clients::{CallPolicy, Clients};
use cis_monitor::config::AuditConfig;
use cis_monitor::controls::Control;
use cis_monitor::lambda::{InvocationError, handle_invocation};
use cis_monitor::summary::AuditSummary;
use support::{Account, HOME, Proxy, TrailSpec, config_for, healthy, publication};

const EU: &str = "eu-west-1";

/// The product's retry policy, with a shorter first backoff and call timeout so that the tests
/// are quick; attempts are the product's.
fn test_policy() -> CallPolicy {
    CallPolicy {
        initial_backoff: Duration::from_millis(20),
        call: Duration::from_secs(10),
        attempt: Duration::from_secs(3),
        ..CallPolicy::default()
    }
}

fn config(regions: &[&str], publish: bool) -> AuditConfig {
    AuditConfig { publish, ..config_for(regions) }
}

async fn audit_through(proxy: &Proxy, config: &AuditConfig) -> AuditSummary {
    proxy.audit(test_policy(), config).await
}

/// Every verdict as (region, control, status, reason, description).
fn verdicts(summary: &AuditSummary) -> Vec<(String, String, String, String, String)> {
    summary
        .regions()
        .flat_map(|(_, region)| {
            region.verdicts.iter().map(|v| {
                (
                    region.region.clone(),
                    v.control.to_string(),
                    v.status.as_str().to_string(),
                    v.reason_code.to_string(),
                    v.description.to_string(),
                )
            })
        })
        .collect()
}

/// An account with one control healthy and the two others broken in different ways.
async fn mixed_account() -> Account {
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let topic = account.topic(HOME, healthy::TOPIC, true).await;
    let silent = account.topic(HOME, "silent", false).await;
    let group = healthy::LOG_GROUP;
    for control in Control::ALL {
        account.cis_filter(HOME, group, control, control.canonical_pattern()).await;
    }
    account.alarm(account.alarm_spec(Control::CloudTrailChanges, &topic)).await;
    account.alarm(account.alarm_spec(Control::VpcChanges, &silent)).await;
    account.enable_security_hub(HOME).await;
    account.enable_security_hub(EU).await;
    account
}

#[tokio::test]
async fn a_fifth_of_calls_failing_changes_no_finding() {
    let account = mixed_account().await;
    let clean = Proxy::start(&account.moto.endpoint, &[]);
    let expected = verdicts(&audit_through(&clean, &config(&[HOME, EU], false)).await);
    assert_eq!(expected.iter().filter(|v| v.2 == "PASSED").count(), 2, "{expected:#?}");
    for seed in ["1", "7", "42"] {
        let faulty = Proxy::start(
            &account.moto.endpoint,
            &["--fail-share", "0.2", "--fail-kinds", "503,throttle", "--seed", seed],
        );
        let summary = audit_through(&faulty, &config(&[HOME, EU], true)).await;
        assert_eq!(verdicts(&summary), expected, "seed {seed}");
        assert_eq!(summary.totals.import_failures, 0, "seed {seed}");
        assert_eq!(summary.totals.imported, 6, "seed {seed}");
    }
    let findings = account.findings(HOME).await;
    assert_eq!(findings.len(), 3);
}

#[tokio::test]
async fn a_region_cut_off_is_not_available_and_the_others_are_right() {
    let account = Account::healthy().await;
    let proxy = Proxy::start(&account.moto.endpoint, &["--cut-region", EU]);
    let started = std::time::Instant::now();
    let summary = audit_through(&proxy, &config(&[HOME, EU], true)).await;
    let elapsed = started.elapsed();
    for verdict in verdicts(&summary) {
        if verdict.0 == EU {
            assert_eq!(
                (verdict.2.as_str(), verdict.3.as_str()),
                ("NOT_AVAILABLE", "REGION_UNREACHABLE"),
                "{verdict:?}"
            );
            assert!(verdict.4.contains("cloudtrail:DescribeTrails"), "{}", verdict.4);
        } else {
            assert_eq!(verdict.2, "PASSED", "{verdict:?}");
        }
    }
    let eu = publication(&summary, EU);
    assert!(eu.skipped.is_some() || !eu.failed.is_empty(), "the summary says what happened in {EU}: {eu:?}");
    assert_eq!(account.findings(HOME).await.len(), 3);
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
}

#[tokio::test]
async fn a_hung_region_is_bounded_by_the_deadline() {
    let account = Account::healthy().await;
    let proxy = Proxy::start(&account.moto.endpoint, &["--cut-region", EU, "--cut-mode", "hang"]);
    let mut config = config(&[HOME, EU], true);
    config.collection_deadline = Some(Duration::from_secs(2));
    let started = std::time::Instant::now();
    let summary = audit_through(&proxy, &config).await;
    assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());
    for verdict in verdicts(&summary) {
        let expected = if verdict.0 == EU { ("NOT_AVAILABLE", "DEADLINE_EXCEEDED") } else { ("PASSED", "") };
        assert_eq!((verdict.2.as_str(), verdict.3.as_str()), expected, "{verdict:?}");
    }
    // The earlier findings are read during collection, under the same deadline: the hung
    // region's publishing is skipped and says why; the healthy region publishes.
    let skipped = publication(&summary, EU).skipped.expect("the hung region is skipped");
    assert!(skipped.contains("deadline"), "{skipped}");
    assert_eq!(publication(&summary, HOME).imported, 3);
    assert_eq!(account.findings(HOME).await.len(), 3);
}

#[tokio::test]
async fn the_run_fails_only_when_nothing_could_be_evaluated() {
    let account = Account::healthy().await;
    let proxy = Proxy::start(&account.moto.endpoint, &["--cut-region", EU]);
    let clients = Clients::new(proxy.config(test_policy()).await);
    let only_eu = config(&[EU], true);
    let error = handle_invocation(&clients, &only_eu, None, &serde_json::json!({}), None)
        .await
        .expect_err("nothing evaluated");
    assert!(matches!(error, InvocationError::NothingEvaluated(_)), "{error}");
    let both = config(&[HOME, EU], false);
    let summary = handle_invocation(&clients, &both, None, &serde_json::json!({}), None)
        .await
        .expect("one region is enough");
    assert_eq!(summary["totals"]["passed"], 3);
    assert_eq!(summary["totals"]["notAvailable"], 3);
}

#[tokio::test]
async fn findings_refused_one_by_one_are_sent_again_or_reported() {
    // Security Hub may refuse single findings inside a successful call. A retryable refusal
    // is sent again and lands; any other is reported, and the run says findings were lost.
    let account = Account::healthy().await;
    let retryable = Proxy::start(&account.moto.endpoint, &["--refuse-findings", "InternalException"]);
    let summary = retryable.audit(test_policy(), &config(&[HOME], true)).await;
    let home = publication(&summary, HOME);
    assert_eq!((home.imported, home.failed.len()), (3, 0), "{home:?}");
    assert_eq!(retryable.calls("securityhub:BatchImportFindings"), 2, "refused, then sent again");
    assert!(!summary.lost_findings());
    assert_eq!(account.findings(HOME).await.len(), 3);

    let account = Account::healthy().await;
    let invalid = Proxy::start(&account.moto.endpoint, &["--refuse-findings", "InvalidInput"]);
    let summary = invalid.audit(test_policy(), &config(&[HOME], true)).await;
    let home = publication(&summary, HOME);
    assert_eq!((home.imported, home.failed.len()), (0, 3), "{home:?}");
    assert!(home.failed.iter().all(|failure| failure.code == "InvalidInput"), "{home:?}");
    assert_eq!(invalid.calls("securityhub:BatchImportFindings"), 1, "not sent again");
    assert!(summary.lost_findings());
    assert!(account.findings(HOME).await.is_empty());
}
