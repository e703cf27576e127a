//! The Lambda handler: one invocation payload in (a scheduled event, a direct payload, a
//! change to the chain, or an SQS batch of queued accounts or changes), its result out (the
//! audit summary, the accounts queued, the event ignored, or the messages to retry). The binary only sets up logging, configuration and clients, and
//! hands invocations here.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value as Json;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};

use crate::audit::{AuditError, audit_planned, plan_audit};
use crate::change::{Ignored, changes_in, is_change_event, read_change};
use crate::clients::Clients;
use crate::config::{AuditConfig, ConfigError, FanOut};
use crate::fan_out::{audit_queued_batch, enqueue_accounts};
use crate::metrics;
use crate::summary::{AuditSummary, NOTHING_EVALUATED, RunOutcome};
use crate::time::Timestamp;

/// Why an invocation failed. The categories are stable, for alarms on the function's errors.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// The payload was rejected before any AWS call.
    #[error("{0}")]
    BadPayload(#[from] ConfigError),
    /// The run could not start.
    #[error("{0}")]
    Audit(#[from] AuditError),
    /// Nothing could be evaluated: every verdict is NOT_AVAILABLE; the first verdicts'
    /// reasons say why.
    #[error("{NOTHING_EVALUATED} ({0})")]
    NothingEvaluated(String),
    /// Some findings were not imported: Security Hub refused them, or the call failed. The
    /// message names the first few (it is what the function's on-failure destination passes
    /// on); the summary has the rest.
    #[error("{count} finding(s) were not imported: {refused}")]
    FindingsLost {
        /// How many.
        count: usize,
        /// The first refused findings, each with its account, region and error.
        refused: String,
        /// The run's summary, as the invocation would have returned it ([`response`]).
        summary: Json,
    },
    /// SQS did not queue some accounts: this run will not audit them.
    #[error("{count} account(s) were not queued: {summary}")]
    NotQueued {
        /// How many.
        count: usize,
        /// What was queued and what was refused, as JSON.
        summary: String,
    },
}

/// Time kept back from the invocation's deadline for evaluating and publishing.
pub const PUBLISH_RESERVE: Duration = Duration::from_secs(30);

/// How long collecting may take when the invocation must end at `deadline_ms` (milliseconds
/// since the epoch, as the Lambda context gives it): the time left, less [`PUBLISH_RESERVE`].
/// `None` when the deadline is not in the future: no real invocation starts after its own
/// deadline, so such a value is not a deadline (local emulators such as `cargo lambda watch`
/// send a constant).
pub fn collection_budget(deadline_ms: u64, now: SystemTime) -> Option<Duration> {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let left = Duration::from_millis(deadline_ms).checked_sub(now).filter(|left| !left.is_zero())?;
    Some(left.saturating_sub(PUBLISH_RESERVE))
}

/// Handles one invocation with the function's settings `config` and `fan_out`, within the
/// invocation's deadline (`deadline_ms`, when known), and returns its result as JSON:
///
/// - an SQS batch of queued accounts ([`audit_queued_batch`]) or of changes to the chain
///   ([`audit_queued_changes`]): the messages to retry;
/// - a change to the chain (an EventBridge event, [`read_change`]): a run of the accounts it
///   can affect, whose findings name it; an event that changes nothing is acknowledged and
///   ignored, with the reason;
/// - a run over more accounts than `fan_out` lets one invocation audit: the accounts are
///   queued ([`enqueue_accounts`]), and what was queued is returned;
/// - any other run (a scheduled event, a direct payload): audited here, the summary returned.
///
/// # Errors
///
/// [`InvocationError`]: a bad payload (before any AWS call), a run that could not start, a run
/// that evaluated nothing, findings that were not imported, accounts that SQS did not queue.
pub async fn handle_invocation(
    clients: &Clients,
    config: &AuditConfig,
    fan_out: Option<&FanOut>,
    payload: &Json,
    deadline_ms: Option<u64>,
) -> Result<Json, InvocationError> {
    let budget = deadline_ms.and_then(|deadline_ms| {
        let budget = collection_budget(deadline_ms, SystemTime::now());
        if budget.is_none() {
            tracing::warn!(
                deadline_ms,
                "the invocation's deadline is not in the future: running without one"
            );
        }
        budget
    });
    if is_sqs_event(payload) {
        let event: SqsEvent = serde_json::from_value(payload.clone())
            .map_err(|error| ConfigError::Payload(format!("malformed SQS event: {error}")))?;
        let changes = AuditConfig { collection_deadline: budget, ..config.clone() };
        let response = if event.records.iter().any(carries_change) {
            Box::pin(audit_queued_changes(clients, &changes, fan_out, &event)).await
        } else {
            Box::pin(audit_queued_batch(clients, config, &event, budget)).await
        };
        return Ok(serde_json::to_value(response).unwrap_or(Json::Null));
    }
    if is_change_event(payload) {
        return match read_change(payload) {
            Ok(change) => {
                let config =
                    AuditConfig { collection_deadline: budget, changes: vec![change], ..config.clone() };
                Box::pin(run(clients, &config, fan_out)).await
            }
            Err(ignored) => Ok(ignore(&ignored)),
        };
    }
    let config = config.for_invocation(payload, budget)?;
    Box::pin(run(clients, &config, fan_out)).await
}

/// Runs `config`: plans it, keeps only the changes in audited accounts (a run triggered by
/// changes in none of them is ignored), queues its accounts when they are more than `fan_out`
/// lets one invocation audit, else audits them here.
async fn run(
    clients: &Clients,
    config: &AuditConfig,
    fan_out: Option<&FanOut>,
) -> Result<Json, InvocationError> {
    let plan = Box::pin(plan_audit(clients, config)).await?;
    let changes = changes_in(&config.changes, &plan.accounts);
    if !config.changes.is_empty() && changes.is_empty() {
        let accounts: Vec<&str> = config.changes.iter().map(|change| change.account.as_str()).collect();
        return Ok(ignore(&Ignored(format!(
            "the changes are in accounts this function does not audit: {}",
            accounts.join(", ")
        ))));
    }
    let config = AuditConfig { changes, ..config.clone() };
    if let Some(fan_out) = fan_out.filter(|fan_out| plan.accounts.len() > fan_out.accounts_per_invocation) {
        let enqueued = enqueue_accounts(&clients.sqs(), &fan_out.queue_url, &config, &plan.accounts).await;
        tracing::info!(
            accounts = enqueued.accounts,
            sent = enqueued.sent,
            refused = enqueued.failed.len(),
            "accounts queued"
        );
        let json = serde_json::json!({ "enqueued": enqueued });
        if !enqueued.failed.is_empty() {
            return Err(InvocationError::NotQueued {
                count: enqueued.failed.len(),
                summary: json.to_string(),
            });
        }
        return Ok(json);
    }
    let summary = Box::pin(audit_planned(clients, &config, &plan, Timestamp::now())).await;
    let json = response(&summary);
    let message =
        if config.changes.is_empty() { "audit finished" } else { "re-audit after a change finished" };
    metrics::report_run(&summary, &config, message);
    match summary.outcome() {
        RunOutcome::NothingEvaluated => {
            let reasons: Vec<&str> = summary
                .regions()
                .flat_map(|(_, region)| region.verdicts.iter().map(|verdict| &*verdict.description))
                .take(3)
                .collect();
            Err(InvocationError::NothingEvaluated(reasons.join("; ")))
        }
        RunOutcome::FindingsLost => Err(InvocationError::FindingsLost {
            count: summary.totals.import_failures,
            refused: first_refused(&summary),
            summary: json,
        }),
        RunOutcome::AllPassed | RunOutcome::NotAllPassed => Ok(json),
    }
}

/// The most bytes of summary an invocation returns. Lambda fails an invocation whose response
/// is over 6 MB, and the whole summary of about 150 accounts of 20 regions is more.
pub const RESPONSE_BYTES: usize = 5_000_000;

/// The most verdicts and refused findings a cut-down summary lists ([`response`]).
pub const RESPONSE_ITEMS: usize = 2_000;

/// The refused findings an error message names.
const REFUSED_NAMED: usize = 5;

/// The summary as the invocation returns it: whole when its JSON fits [`RESPONSE_BYTES`], else
/// [`AuditSummary::not_passed`] with at most [`RESPONSE_ITEMS`] entries and an `omitted` member
/// saying what was left out and where it is.
pub fn response(summary: &AuditSummary) -> Json {
    let size = json_size(summary);
    if size <= RESPONSE_BYTES {
        return serde_json::to_value(summary).unwrap_or(Json::Null);
    }
    let (cut, left_out) = summary.not_passed(RESPONSE_ITEMS);
    let mut json = serde_json::to_value(&cut).unwrap_or(Json::Null);
    if let Some(object) = json.as_object_mut() {
        object.insert(
            "omitted".to_string(),
            serde_json::json!({
                "entries": left_out,
                "reason": format!(
                    "the whole summary is {size} bytes, more than an invocation returns \
                     ({RESPONSE_BYTES}): this one lists only the verdicts that did not pass and the \
                     refused findings, at most {RESPONSE_ITEMS}; the totals count every verdict, and \
                     each account's Security Hub holds every finding"
                ),
            }),
        );
    }
    json
}

/// The length of `summary` as JSON, without writing it anywhere.
fn json_size(summary: &AuditSummary) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, summary).map_or(usize::MAX, |()| count.0)
}

/// The first [`REFUSED_NAMED`] findings that were not imported, each with where and why, and
/// how many more there are.
fn first_refused(summary: &AuditSummary) -> String {
    let refused = summary.regions().flat_map(|(account, region)| {
        let failed = region.publication.iter().flat_map(|publication| &publication.failed);
        failed.map(move |failed| (account, &region.region, failed))
    });
    let mut named = Vec::new();
    let mut more = 0;
    for (account, region, failed) in refused {
        if named.len() < REFUSED_NAMED {
            named.push(format!("{account} {region} {}: {} {}", failed.id, failed.code, failed.message));
        } else {
            more += 1;
        }
    }
    let mut named = named.join("; ");
    if more > 0 {
        named.push_str(&format!("; and {more} more"));
    }
    named
}

/// An event acknowledged without a run: logged, and answered with the reason.
fn ignore(ignored: &Ignored) -> Json {
    tracing::info!(reason = %ignored, "event ignored");
    serde_json::json!({ "ignored": ignored.to_string() })
}

/// Whether a queued message is a change event (from the change queue's EventBridge rule).
fn carries_change(record: &SqsMessage) -> bool {
    record
        .body
        .as_deref()
        .and_then(|body| serde_json::from_str::<Json>(body).ok())
        .is_some_and(|body| is_change_event(&body))
}

/// Audits once for a batch of queued changes (the change queue is FIFO, so batches come one
/// at a time, and the last run sees the last state): every change the batch reports, in one
/// run, whose findings name them. Malformed or ignored events are acknowledged; the whole
/// batch is retried only when its run could not start or lost findings.
async fn audit_queued_changes(
    clients: &Clients,
    config: &AuditConfig,
    fan_out: Option<&FanOut>,
    event: &SqsEvent,
) -> SqsBatchResponse {
    let mut changes = Vec::new();
    for record in &event.records {
        let body = record.body.as_deref().and_then(|body| serde_json::from_str::<Json>(body).ok());
        match body.as_ref().map(read_change) {
            Some(Ok(change)) => changes.push(change),
            Some(Err(ignored)) => {
                ignore(&ignored);
            }
            None => {
                tracing::info!(message_id = ?record.message_id, "a queued change that is not JSON: ignored")
            }
        }
    }
    let mut response = SqsBatchResponse::default();
    if changes.is_empty() {
        return response;
    }
    let config = AuditConfig { changes, ..config.clone() };
    if let Err(error) = Box::pin(run(clients, &config, fan_out)).await {
        let retried = matches!(
            error,
            InvocationError::Audit(_)
                | InvocationError::FindingsLost { .. }
                | InvocationError::NotQueued { .. }
        );
        tracing::error!(%error, retried, "re-audit after a change failed");
        if retried {
            response.batch_item_failures = event
                .records
                .iter()
                .map(|record| {
                    let mut failure = BatchItemFailure::default();
                    failure.item_identifier = record.message_id.clone().unwrap_or_default();
                    failure
                })
                .collect();
        }
    }
    response
}

/// Whether a payload is an SQS event: records whose source is `aws:sqs`.
fn is_sqs_event(payload: &Json) -> bool {
    payload
        .get("Records")
        .and_then(Json::as_array)
        .and_then(|records| records.first())
        .and_then(|record| record.get("eventSource"))
        .is_some_and(|source| source == "aws:sqs")
}

impl From<InvocationError> for lambda_runtime::Diagnostic {
    fn from(error: InvocationError) -> Self {
        let error_type = match &error {
            InvocationError::BadPayload(_) => "BadPayload",
            InvocationError::Audit(_) => "AuditFailed",
            InvocationError::NothingEvaluated(_) => "NothingEvaluated",
            InvocationError::FindingsLost { .. } => "FindingsLost",
            InvocationError::NotQueued { .. } => "NotQueued",
        };
        lambda_runtime::Diagnostic { error_type: error_type.to_string(), error_message: error.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collection_budget_keeps_time_for_publishing() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(collection_budget(1_000_000 + 300_000, now), Some(Duration::from_secs(270)));
        assert_eq!(collection_budget(1_000_000 + 10_000, now), Some(Duration::ZERO));
        assert_eq!(collection_budget(1_000_000, now), None);
        assert_eq!(collection_budget(600_000, now), None, "cargo lambda watch's constant");
    }

    #[test]
    fn a_summary_too_large_to_return_is_cut_down_to_what_did_not_pass() {
        let small = crate::summary::tests::run_of(10, 17, 300);
        assert_eq!(response(&small), serde_json::to_value(&small).expect("JSON"), "returned whole");
        let large = crate::summary::tests::run_of(1_000, 17, 300);
        assert!(json_size(&large) > 6_000_000, "more than Lambda returns: {}", json_size(&large));
        let json = response(&large);
        let size = json.to_string().len();
        assert!(size <= RESPONSE_BYTES, "{size} bytes");
        assert_eq!(json["totals"]["failed"], 17_000, "the totals are the whole run's");
        assert_eq!(json["omitted"]["entries"], 34_000 + 15_000, "{}", json["omitted"]);
        let listed: usize = json["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .flat_map(|account| account["regions"].as_array().expect("regions"))
            .map(|region| region["verdicts"].as_array().expect("verdicts").len())
            .sum();
        assert_eq!(listed, RESPONSE_ITEMS);
    }

    #[test]
    fn the_error_of_lost_findings_names_the_first_few_and_counts_the_rest() {
        let mut summary = crate::summary::tests::run_of(1, 1, 10);
        let failed = (0..7)
            .map(|index| crate::summary::FailedImport {
                id: format!("finding-{index}"),
                code: "TimeoutError".to_string(),
                message: "the call timed out".to_string(),
            })
            .collect();
        summary.accounts[0].regions[0].publication =
            Some(crate::summary::RegionPublication { failed, ..Default::default() });
        let named = first_refused(&summary);
        assert!(
            named.starts_with("000000000000 region-00 finding-0: TimeoutError the call timed out; "),
            "{named}"
        );
        assert!(named.contains("finding-4") && !named.contains("finding-5"), "{named}");
        assert!(named.ends_with("; and 2 more"), "{named}");
    }
}
