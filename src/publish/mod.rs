//! Publishing to Security Hub, every region at once (bounded): this tool's earlier findings of
//! each region are read while the inventory is collected ([`read_prior_findings`]), to keep
//! their creation times and to archive the ones this run no longer produces; then the findings
//! are imported in batches of at most [`IMPORT_BATCH`], and every one that failed is counted.
//!
//! A region where Security Hub is not enabled, or whose earlier findings could not be read, is
//! skipped and reported, never fatal.

mod import;
mod prior;

use std::collections::BTreeMap;

use futures::StreamExt;

pub use import::IMPORT_BATCH;
pub use prior::{RegionPrior, is_own_finding, read_prior_findings};

use crate::clients::Clients;
use crate::error::{ApiFailure, FailureKind};
use crate::evaluate::Verdict;
use crate::findings::{FindingRun, RecordState, findings_to_import};
use crate::identity::Identity;
use crate::summary::RegionPublication;

/// Publishes every verdict to its region's Security Hub, at most `concurrency` regions at a
/// time, given each region's earlier findings (`prior`, from [`read_prior_findings`]) and the
/// changes that triggered the run (empty for a scheduled run).
pub async fn publish(
    clients: &Clients,
    identity: &Identity,
    verdicts: &[Verdict],
    mut prior: BTreeMap<String, RegionPrior>,
    run: FindingRun<'_>,
    concurrency: usize,
) -> BTreeMap<String, RegionPublication> {
    let mut by_region: BTreeMap<&str, (Vec<&Verdict>, RegionPrior)> = BTreeMap::new();
    for verdict in verdicts {
        let region = verdict.region.as_str();
        by_region
            .entry(region)
            .or_insert_with(|| {
                let earlier = prior.remove(region).unwrap_or_else(|| {
                    Err(ApiFailure::other(
                        "securityhub:GetFindings",
                        region,
                        "the earlier findings were not read",
                    ))
                });
                (Vec::new(), earlier)
            })
            .0
            .push(verdict);
    }
    futures::stream::iter(by_region)
        .map(|(region, (verdicts, earlier))| {
            Box::pin(async move {
                let client = clients.region(region).securityhub().clone();
                let publication = publish_region(&client, identity, region, &verdicts, earlier, run).await;
                (region.to_string(), publication)
            })
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

/// Publishes the verdicts of `region` to its Security Hub, given its earlier findings.
async fn publish_region(
    client: &aws_sdk_securityhub::Client,
    identity: &Identity,
    region: &str,
    verdicts: &[&Verdict],
    prior: RegionPrior,
    run: FindingRun<'_>,
) -> RegionPublication {
    let prior = match prior {
        Ok(prior) => prior,
        Err(failure) => return skipped(&failure),
    };
    let findings = findings_to_import(verdicts, &prior, identity, region, run);
    let archived = findings.iter().filter(|finding| finding.record_state == RecordState::Archived).count();
    let mut publication = RegionPublication { archived, ..RegionPublication::default() };
    for batch in findings.chunks(IMPORT_BATCH) {
        import::import_batch(client, region, batch, &mut publication).await;
    }
    publication
}

/// What publishing did in a region it could not reach because of `failure`: nothing, and why.
pub fn skipped(failure: &ApiFailure) -> RegionPublication {
    let reason = match failure.kind {
        FailureKind::NotEnabled => format!("Security Hub is not enabled in {}", failure.region),
        FailureKind::AccessDenied => {
            format!("access denied: the function lacks {} ({})", failure.action, failure.message)
        }
        _ => failure.to_string(),
    };
    RegionPublication { skipped: Some(reason), ..RegionPublication::default() }
}
