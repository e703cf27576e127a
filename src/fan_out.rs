//! Fan-out through SQS, for runs over more accounts than one invocation should audit: the
//! scheduled invocation sends one message per account to the function's queue
//! ([`enqueue_accounts`]), and Lambda's event source mapping feeds the function batches of
//! them ([`audit_queued_batch`]).
//!
//! A message is a direct invocation payload naming one account (and the run's regions,
//! controls and dry run), so it is validated exactly as a payload is. The accounts of a batch
//! that share their settings are audited in one run, which reads the chain they share (an
//! organization trail's) once. Failures are reported per message (`ReportBatchItemFailures`):
//! only those messages are retried, and after the queue's `maxReceiveCount` they land in its
//! dead-letter queue.

use std::time::Duration;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures::StreamExt;
use serde::Serialize;
use serde_json::Value as Json;

use crate::audit::run_audit;
use crate::clients::Clients;
use crate::config::{Accounts, AccountsPayload, AuditConfig, Invocation};
use crate::error::ApiFailure;
use crate::metrics;
use crate::summary::AccountSummary;
use crate::time::Timestamp;

/// The most messages one SendMessageBatch call carries (SQS's limit).
pub const SEND_BATCH: usize = 10;
/// SendMessageBatch calls in flight at once.
const SEND_CONCURRENCY: usize = 8;

/// What the scheduled invocation did instead of auditing: the accounts it queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Enqueued {
    /// The queue.
    pub queue_url: String,
    /// The accounts the run covers.
    pub accounts: usize,
    /// The messages SQS accepted, one per account.
    pub sent: usize,
    /// The accounts whose message SQS refused, and why.
    pub failed: Vec<RefusedMessage>,
}

/// An account whose message was not queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedMessage {
    /// The account.
    pub account: String,
    /// SQS's error code, or the failure of the whole call.
    pub code: String,
    /// The error message.
    pub message: String,
}

/// The message that asks for `account`'s audit with `config`'s regions, controls, dry run and
/// triggering changes: a direct invocation payload.
pub fn account_message(config: &AuditConfig, account: &str) -> Json {
    let invocation = Invocation {
        regions: config.regions.clone(),
        controls: Some(config.controls.iter().map(|control| control.id().to_string()).collect()),
        accounts: Some(AccountsPayload::Listed(vec![account.to_string()])),
        dry_run: Some(!config.publish),
        changes: Some(config.changes.clone()).filter(|changes| !changes.is_empty()),
    };
    serde_json::to_value(invocation).unwrap_or(Json::Null)
}

/// Sends one message per account of `accounts` to `queue_url`, [`SEND_BATCH`] to a call, a
/// few calls at once. Never fails: every account SQS did not accept is reported.
pub async fn enqueue_accounts(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    config: &AuditConfig,
    accounts: &[String],
) -> Enqueued {
    let refused: Vec<Vec<RefusedMessage>> = futures::stream::iter(accounts.chunks(SEND_BATCH))
        .map(|chunk| Box::pin(send_batch(sqs, queue_url, config, chunk)))
        .buffer_unordered(SEND_CONCURRENCY)
        .collect()
        .await;
    let failed: Vec<RefusedMessage> = refused.into_iter().flatten().collect();
    Enqueued {
        queue_url: queue_url.to_string(),
        accounts: accounts.len(),
        sent: accounts.len() - failed.len(),
        failed,
    }
}

/// Sends the messages of `accounts` (at most [`SEND_BATCH`]) in one call; the ones refused.
async fn send_batch(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    config: &AuditConfig,
    accounts: &[String],
) -> Vec<RefusedMessage> {
    use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
    let entries = accounts.iter().enumerate().filter_map(|(index, account)| {
        SendMessageBatchRequestEntry::builder()
            .id(index.to_string())
            .message_body(account_message(config, account).to_string())
            .build()
            .ok()
    });
    let refused_all = |code: &str, message: String| {
        accounts
            .iter()
            .map(|account| RefusedMessage {
                account: account.clone(),
                code: code.to_string(),
                message: message.clone(),
            })
            .collect()
    };
    let region = sqs.config().region().map(ToString::to_string).unwrap_or_default();
    match sqs.send_message_batch().queue_url(queue_url).set_entries(Some(entries.collect())).send().await {
        Ok(output) => output
            .failed()
            .iter()
            .filter_map(|failure| {
                let account = failure.id().parse::<usize>().ok().and_then(|index| accounts.get(index))?;
                Some(RefusedMessage {
                    account: account.clone(),
                    code: failure.code().to_string(),
                    message: failure.message().unwrap_or_default().to_string(),
                })
            })
            .collect(),
        Err(error) => {
            let failure = ApiFailure::from_sdk("sqs:SendMessage", &region, error);
            refused_all(failure.code.as_deref().unwrap_or("CallFailed"), failure.to_string())
        }
    }
}

/// A message of the batch, read: its id, and the run it asks for, or why it cannot be used.
struct QueuedAccount {
    message_id: String,
    request: Result<(String, AuditConfig), String>,
}

/// Reads a queued message: a direct invocation payload naming exactly one account.
fn read_message(
    config: &AuditConfig,
    body: Option<&str>,
    budget: Option<Duration>,
) -> Result<(String, AuditConfig), String> {
    let payload: Json =
        serde_json::from_str(body.unwrap_or_default()).map_err(|error| format!("not JSON: {error}"))?;
    let config = config.for_invocation(&payload, budget).map_err(|error| error.to_string())?;
    match &config.accounts {
        Accounts::Listed(ids) if ids.len() == 1 => {
            let account = ids[0].clone();
            Ok((account, AuditConfig { accounts: Accounts::Caller, ..config }))
        }
        _ => Err("a queued message names exactly one account in `accounts`".to_string()),
    }
}

/// Why an account's queued audit must be tried again, if it must: the run did not act in it
/// (its role, its regions, the deadline) or some of its findings were not imported (refused
/// by Security Hub, or the call itself failed: the first one's error says which).
/// NOT_AVAILABLE verdicts are not retried: they are published, and say why.
fn retry_reason(summary: Option<&AccountSummary>) -> Option<String> {
    let Some(summary) = summary else { return Some("the run did not report the account".to_string()) };
    if let Some(reason) = &summary.unreachable {
        return Some(reason.clone());
    }
    let failed: Vec<_> = summary
        .regions
        .iter()
        .filter_map(|region| region.publication.as_ref().map(|publication| (&region.region, publication)))
        .flat_map(|(region, publication)| publication.failed.iter().map(move |failed| (region, failed)))
        .collect();
    let (region, first) = failed.first()?;
    Some(format!(
        "{} finding(s) were not imported (the first in {region}: {}: {})",
        failed.len(),
        first.code,
        first.message
    ))
}

/// Audits the accounts of an SQS batch, with `config` (the function's) and the time
/// `budget` of the invocation, and reports the messages to try again: malformed ones, and
/// those of accounts whose audit must be retried ([`retry_reason`]). Each run's summary goes
/// to the logs.
pub async fn audit_queued_batch(
    clients: &Clients,
    config: &AuditConfig,
    event: &SqsEvent,
    budget: Option<Duration>,
) -> SqsBatchResponse {
    let queued: Vec<QueuedAccount> = event
        .records
        .iter()
        .map(|record| QueuedAccount {
            message_id: record.message_id.clone().unwrap_or_default(),
            request: read_message(config, record.body.as_deref(), budget),
        })
        .collect();
    let mut retry: Vec<String> = Vec::new();
    let mut runs: Vec<(AuditConfig, Vec<(&str, &str)>)> = Vec::new();
    for message in &queued {
        match &message.request {
            Err(reason) => {
                tracing::error!(message_id = %message.message_id, reason, "malformed queued message");
                retry.push(message.message_id.clone());
            }
            Ok((account, settings)) => match runs.iter_mut().find(|(shared, _)| shared == settings) {
                Some((_, accounts)) => accounts.push((message.message_id.as_str(), account.as_str())),
                None => runs.push((settings.clone(), vec![(message.message_id.as_str(), account.as_str())])),
            },
        }
    }
    for (settings, messages) in runs {
        let mut ids: Vec<String> = messages.iter().map(|(_, account)| account.to_string()).collect();
        ids.sort();
        ids.dedup();
        let run = AuditConfig { accounts: Accounts::Listed(ids), ..settings };
        match Box::pin(run_audit(clients, &run, Timestamp::now())).await {
            Ok(summary) => {
                metrics::report_run(&summary, &run, "queued batch audited");
                for (message_id, account) in messages {
                    if let Some(reason) = retry_reason(summary.account(account)) {
                        tracing::warn!(message_id, account, reason, "queued account to be retried");
                        retry.push(message_id.to_string());
                    }
                }
            }
            Err(error) => {
                tracing::error!(%error, accounts = messages.len(), "queued batch could not start");
                retry.extend(messages.iter().map(|(message_id, _)| message_id.to_string()));
            }
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = retry
        .into_iter()
        .map(|message_id| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            failure
        })
        .collect();
    response
}
