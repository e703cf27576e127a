//! Fan-out through SQS, against moto over HTTP: a scheduled invocation over more accounts than
//! one invocation audits queues one message per account; the messages, read back from the
//! queue, are fed to the function as the SQS event Lambda's event source mapping would send,
//! and only the messages to retry are reported.

mod support;

use std::collections::BTreeSet;

use cis_monitor::clients::{CallPolicy, Clients};
use cis_monitor::config::{Accounts, AuditConfig, FanOut};
use cis_monitor::controls::Control;
use cis_monitor::lambda::handle_invocation;
use serde_json::{Value as Json, json};
use support::organization::{EU, Organization};
use support::queue::{receive_all, retried};
use support::{ACCOUNT, HOME, Proxy, config_for};

/// The function's settings: the organization, both regions.
fn function_config() -> AuditConfig {
    AuditConfig { accounts: Accounts::Organization, ..config_for(&[HOME, EU]) }
}

/// A queue in the management account, and the fan-out that uses it for runs of more than
/// `accounts_per_invocation` accounts.
async fn queue(organization: &Organization, accounts_per_invocation: usize) -> (aws_sdk_sqs::Client, FanOut) {
    let sqs = aws_sdk_sqs::Client::new(&organization.management.config);
    let created = sqs.create_queue().queue_name("cis-monitor-accounts").send().await.expect("queue created");
    let queue_url = created.queue_url().expect("a queue URL").to_string();
    (sqs, FanOut { queue_url, accounts_per_invocation })
}

fn body_account(record: &Json) -> String {
    let body: Json = serde_json::from_str(record["body"].as_str().expect("a body")).expect("JSON");
    body["accounts"][0].as_str().expect("one account").to_string()
}

#[tokio::test]
async fn a_run_over_too_many_accounts_is_queued_and_each_batch_audits_its_accounts() {
    let organization =
        Organization::with_chain(&["security", "workload", "extra"], true, &Control::ALL).await;
    let (sqs, fan_out) = queue(&organization, 2).await;
    let clients = organization.management.clients();
    let scheduled: Json =
        serde_json::from_str(include_str!("../events/scheduled.json")).expect("the sample event");
    let queued = handle_invocation(&clients, &function_config(), Some(&fan_out), &scheduled, None)
        .await
        .expect("the accounts are queued");
    assert_eq!(queued["enqueued"]["accounts"], 4, "{queued}");
    assert_eq!(queued["enqueued"]["sent"], 4, "{queued}");
    let records = receive_all(&sqs, &fan_out.queue_url).await;
    let accounts: BTreeSet<String> = records.iter().map(body_account).collect();
    let expected: BTreeSet<String> = organization.accounts().map(|account| account.id.clone()).collect();
    assert_eq!(accounts, expected, "one message per account");
    let body: Json = serde_json::from_str(records[0]["body"].as_str().expect("a body")).expect("JSON");
    assert_eq!(body["regions"], json!([HOME, EU]), "{body}");
    assert_eq!(body["dryRun"], false, "{body}");

    // Two batches of two, as the event source mapping would deliver them, each through a
    // proxy that counts its calls.
    for batch in records.chunks(2) {
        let proxy = Proxy::start(&organization.management.moto.endpoint, &[]);
        let clients = Clients::new(proxy.config(CallPolicy::default()).await);
        let event = json!({ "Records": batch });
        let response = handle_invocation(&clients, &function_config(), Some(&fan_out), &event, None)
            .await
            .expect("audited");
        assert_eq!(retried(&response), BTreeSet::new(), "{response}");
        assert_eq!(proxy.calls("cloudtrail:GetTrailStatus"), 1, "the shared chain is read once per batch");
    }
    for account in organization.accounts() {
        for region in [HOME, EU] {
            assert_eq!(account.findings(region).await.len(), 3, "{} {region}", account.id);
        }
    }
}

#[tokio::test]
async fn only_the_messages_whose_audit_failed_or_that_are_malformed_are_retried() {
    let organization = Organization::with_chain(&["security", "workload"], true, &Control::ALL).await;
    let workload = organization.member("workload");
    workload.delete_member_role();
    let record = |id: &str, body: &str| json!({"messageId": id, "body": body, "eventSource": "aws:sqs"});
    let message = |account: &str| json!({"accounts": [account]}).to_string();
    let event = json!({ "Records": [
        record("management", &message(ACCOUNT)),
        record("security", &message(&organization.member("security").id)),
        record("workload", &message(&workload.id)),
        record("not-json", "{"),
        record("two-accounts", &json!({"accounts": [ACCOUNT, workload.id]}).to_string()),
        record("unknown-field", &json!({"accounts": [ACCOUNT], "account": ACCOUNT}).to_string()),
        record("bad-account", &message("12345")),
    ]});
    let (_, fan_out) = queue(&organization, 2).await;
    let clients = organization.management.clients();
    let response =
        handle_invocation(&clients, &function_config(), Some(&fan_out), &event, None).await.expect("audited");
    let expected: BTreeSet<String> =
        ["workload", "not-json", "two-accounts", "unknown-field", "bad-account"].map(String::from).into();
    assert_eq!(retried(&response), expected, "{response}");
    assert_eq!(organization.management.findings(HOME).await.len(), 3, "the rest is audited");
    assert_eq!(organization.member("security").findings(EU).await.len(), 3, "the rest is audited");
}

#[tokio::test]
async fn a_run_within_the_bound_is_audited_inline() {
    let organization = Organization::with_chain(&["security"], true, &Control::ALL).await;
    let (sqs, fan_out) = queue(&organization, 2).await;
    let clients = organization.management.clients();
    let summary = handle_invocation(&clients, &function_config(), Some(&fan_out), &json!({}), None)
        .await
        .expect("audited");
    assert_eq!(summary["accounts"].as_array().map(Vec::len), Some(2), "{summary}");
    assert_eq!(summary["totals"]["passed"], 12, "{summary}");
    assert!(receive_all(&sqs, &fan_out.queue_url).await.is_empty(), "nothing is queued");
}
