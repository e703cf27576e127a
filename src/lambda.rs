//! The Lambda handler: one invocation payload in (a scheduled event, a direct payload, or an
//! SQS batch of queued accounts), its result out (the audit summary, the accounts queued, or
//! the messages to retry). The binary only sets up logging, configuration and clients, and
//! hands invocations here.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value as Json;

use aws_lambda_events::event::sqs::SqsEvent;

use crate::audit::{AuditError, audit_planned, plan_audit};
use crate::clients::Clients;
use crate::config::{AuditConfig, ConfigError, FanOut};
use crate::fan_out::{audit_queued_batch, enqueue_accounts};
use crate::summary::{NOTHING_EVALUATED, RunOutcome};
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
    /// Security Hub refused some findings.
    #[error("{count} finding(s) were not imported: {summary}")]
    FindingsLost {
        /// How many.
        count: usize,
        /// The run's summary, as JSON.
        summary: String,
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
/// - an SQS batch of queued accounts ([`audit_queued_batch`]): the messages to retry;
/// - a run over more accounts than `fan_out` lets one invocation audit: the accounts are
///   queued ([`enqueue_accounts`]), and what was queued is returned;
/// - any other run (a scheduled event, a direct payload): audited here, the summary returned.
///
/// # Errors
///
/// [`InvocationError`]: a bad payload (before any AWS call), a run that could not start, a run
/// that evaluated nothing, findings that Security Hub refused, accounts that SQS did not queue.
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
        let response = Box::pin(audit_queued_batch(clients, config, &event, budget)).await;
        return Ok(serde_json::to_value(response).unwrap_or(Json::Null));
    }
    let config = config.for_invocation(payload, budget)?;
    let plan = Box::pin(plan_audit(clients, &config)).await?;
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
    let json = serde_json::to_value(&summary).unwrap_or(Json::Null);
    summary.log_totals("audit finished");
    match summary.outcome() {
        RunOutcome::NothingEvaluated => {
            let reasons: Vec<&str> = summary
                .regions()
                .flat_map(|(_, region)| region.verdicts.iter().map(|verdict| verdict.description.as_str()))
                .take(3)
                .collect();
            Err(InvocationError::NothingEvaluated(reasons.join("; ")))
        }
        RunOutcome::FindingsLost => Err(InvocationError::FindingsLost {
            count: summary.totals.import_failures,
            summary: json.to_string(),
        }),
        RunOutcome::AllPassed | RunOutcome::NotAllPassed => Ok(json),
    }
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
}
