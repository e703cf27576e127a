//! The audit, end to end: discover regions, collect the inventory, evaluate, publish. The one
//! function both binaries call.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::Serialize;

use crate::clients::Clients;
use crate::config::AuditConfig;
use crate::error::ApiFailure;
use crate::evaluate::{Link, Status, Verdict, evaluate};
use crate::findings::FindingSettings;
use crate::inventory::{Identity, collect};
use crate::publish::{RegionPublication, publish, read_prior_findings};
use crate::regions::{discover_identity, enabled_regions, list_regions};

/// Why a whole run failed (a single region or control never fails the run).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The caller's identity could not be read, so nothing can be attributed.
    #[error("cannot read the caller's identity: {0}")]
    Identity(ApiFailure),
    /// The enabled regions could not be listed.
    #[error("cannot list the enabled regions: {0}")]
    Regions(ApiFailure),
}

/// What a run decided and did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditSummary {
    /// The audited account.
    pub account: String,
    /// Its partition.
    pub partition: String,
    /// Whether findings were published.
    pub published: bool,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// Per region: the verdicts and what publishing did.
    pub regions: Vec<RegionSummary>,
    /// Counts over every region.
    pub totals: Totals,
}

/// One region's part of the summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionSummary {
    /// The region.
    pub region: String,
    /// One verdict per control.
    pub verdicts: Vec<VerdictSummary>,
    /// What publishing did, when the run published.
    pub publication: Option<RegionPublication>,
}

/// One verdict, as the summary reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerdictSummary {
    /// The control's id.
    pub control: String,
    /// The status.
    pub status: Status,
    /// The reason code, empty when passed.
    pub reason_code: String,
    /// The first broken link.
    pub link: Link,
    /// What holds or what broke.
    pub description: String,
}

/// Counts over the whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Verdicts PASSED.
    pub passed: usize,
    /// Verdicts FAILED.
    pub failed: usize,
    /// Verdicts WARNING.
    pub warning: usize,
    /// Verdicts NOT_AVAILABLE.
    pub not_available: usize,
    /// Findings imported.
    pub imported: usize,
    /// Findings archived.
    pub archived: usize,
    /// Findings Security Hub refused.
    pub import_failures: usize,
    /// Regions whose publishing was skipped.
    pub skipped_regions: usize,
}

impl AuditSummary {
    /// Whether every verdict passed.
    pub fn all_passed(&self) -> bool {
        self.totals.passed > 0 && self.totals.passed == self.verdict_count()
    }

    /// Whether some findings were lost (refused by Security Hub).
    pub fn lost_findings(&self) -> bool {
        self.totals.import_failures > 0
    }

    /// Whether nothing at all could be evaluated: every verdict NOT_AVAILABLE.
    pub fn nothing_evaluated(&self) -> bool {
        self.totals.not_available == self.verdict_count()
    }

    fn verdict_count(&self) -> usize {
        self.totals.passed + self.totals.failed + self.totals.warning + self.totals.not_available
    }
}

/// Formats a time as ASFF wants it: RFC 3339 with milliseconds, in UTC.
pub fn rfc3339(time: SystemTime) -> String {
    let time = aws_smithy_types::DateTime::from(time);
    let millis = time.as_nanos() / 1_000_000;
    let whole =
        aws_smithy_types::DateTime::from_secs(i64::try_from(millis.div_euclid(1000)).unwrap_or_default());
    let text = whole.fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_default();
    format!("{}.{:03}Z", text.trim_end_matches('Z'), millis.rem_euclid(1000))
}

/// Runs the audit `config` describes, at time `now`.
///
/// The round trips that do not depend on each other overlap: the caller's identity and the
/// region list are read at once, and so are the inventory and the earlier findings that
/// publishing needs.
///
/// # Errors
///
/// [`AuditError`] only when the run cannot start: the caller's identity or, when no regions
/// are configured, the enabled regions cannot be read. Everything else, denied regions and
/// failed imports included, is reported in the summary.
pub async fn run_audit(
    clients: &Clients,
    config: &AuditConfig,
    now: SystemTime,
) -> Result<AuditSummary, AuditError> {
    let home = clients.base().region().map_or_else(|| "us-east-1".to_string(), |region| region.to_string());
    let (identity, regions) = discover(clients, config, &home).await?;
    tracing::info!(account = %identity.account, regions = regions.len(), controls = config.controls.len(), "audit started");
    let deadline = config.collection_deadline.map(|limit| tokio::time::Instant::now() + limit);
    let collecting = collect(clients, &identity, &regions, &config.controls, config.concurrency, deadline);
    let reading_prior = async {
        if config.publish {
            Some(read_prior_findings(clients, &identity, &regions, config.concurrency, deadline).await)
        } else {
            None
        }
    };
    let (inventory, prior) = tokio::join!(Box::pin(collecting), Box::pin(reading_prior));
    if inventory.interrupted {
        tracing::warn!("the collection deadline passed: unread links are NOT_AVAILABLE");
    }
    let verdicts = evaluate(&inventory, &identity, &regions, &config.controls);
    let started_at = rfc3339(now);
    let publications = match prior {
        Some(prior) => {
            let settings = FindingSettings { failed_severity: config.failed_severity };
            Box::pin(publish(clients, &identity, &verdicts, prior, settings, &started_at, config.concurrency))
                .await
        }
        None => BTreeMap::new(),
    };
    Ok(summarize(&identity, config.publish, started_at, &verdicts, publications))
}

/// The caller's identity and the regions to audit: the configured ones, or every enabled
/// region of the caller's partition. Both reads are sent at once.
async fn discover(
    clients: &Clients,
    config: &AuditConfig,
    home: &str,
) -> Result<(Identity, Vec<String>), AuditError> {
    let listing = async {
        match &config.regions {
            Some(_) => None,
            None => Some(list_regions(&clients.ec2(), home).await),
        }
    };
    let sts = clients.sts();
    let (identity, listed) = tokio::join!(discover_identity(&sts, home), listing);
    let identity = identity.map_err(AuditError::Identity)?;
    let regions = match listed {
        Some(listed) => enabled_regions(&listed.map_err(AuditError::Regions)?, &identity.partition),
        None => config.regions.clone().unwrap_or_default(),
    };
    Ok((identity, regions))
}

fn summarize(
    identity: &Identity,
    published: bool,
    started_at: String,
    verdicts: &[Verdict],
    mut publications: BTreeMap<String, RegionPublication>,
) -> AuditSummary {
    let mut totals = Totals::default();
    let mut regions: Vec<RegionSummary> = Vec::new();
    for verdict in verdicts {
        match verdict.status {
            Status::Passed => totals.passed += 1,
            Status::Failed => totals.failed += 1,
            Status::Warning => totals.warning += 1,
            Status::NotAvailable => totals.not_available += 1,
        }
        if regions.last().is_none_or(|last| last.region != verdict.region) {
            let publication = publications.remove(&verdict.region);
            regions.push(RegionSummary { region: verdict.region.clone(), verdicts: Vec::new(), publication });
        }
        if let Some(region) = regions.last_mut() {
            region.verdicts.push(VerdictSummary {
                control: verdict.control.id().to_string(),
                status: verdict.status,
                reason_code: verdict.reason_code.clone(),
                link: verdict.link,
                description: verdict.description.clone(),
            });
        }
    }
    for publication in regions.iter().filter_map(|region| region.publication.as_ref()) {
        totals.imported += publication.imported;
        totals.archived += publication.archived;
        totals.import_failures += publication.failed.len();
        totals.skipped_regions += usize::from(publication.skipped.is_some());
    }
    AuditSummary {
        account: identity.account.clone(),
        partition: identity.partition.clone(),
        published,
        started_at,
        regions,
        totals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps_are_rfc3339_with_milliseconds() {
        let time = UNIX_EPOCH + Duration::from_millis(1_795_400_000_123);
        assert_eq!(rfc3339(time), "2026-11-23T02:13:20.123Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }
}
