//! The audit, end to end: discover the identity and regions, collect the inventory, evaluate,
//! publish, summarize. The one function both binaries call.

use std::collections::BTreeMap;

use crate::clients::Clients;
use crate::collect::collect;
use crate::config::AuditConfig;
use crate::discover::{discover_identity, list_regions};
use crate::error::ApiFailure;
use crate::evaluate::evaluate;
use crate::findings::FindingSettings;
use crate::identity::Identity;
use crate::publish::{publish, read_prior_findings};
use crate::regions::enabled_regions;
use crate::summary::{AuditSummary, summarize};
use crate::time::Timestamp;

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
    now: Timestamp,
) -> Result<AuditSummary, AuditError> {
    let (identity, regions) = discover(clients, config.regions.as_deref()).await?;
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
    let publications = match prior {
        Some(prior) => {
            let settings = FindingSettings { failed_severity: config.failed_severity };
            Box::pin(publish(clients, &identity, &verdicts, prior, settings, now, config.concurrency)).await
        }
        None => BTreeMap::new(),
    };
    Ok(summarize(&identity, config.publish, now, &verdicts, publications))
}

/// The caller's identity and the regions to audit: `configured`, or every enabled region of
/// the caller's partition when it is `None`. Both reads are sent at once, from the
/// configuration's own region (us-east-1 when it names none).
///
/// # Errors
///
/// [`AuditError`] when the identity, or the region list that is needed, cannot be read.
pub async fn discover(
    clients: &Clients,
    configured: Option<&[String]>,
) -> Result<(Identity, Vec<String>), AuditError> {
    let home = clients.base().region().map_or_else(|| "us-east-1".to_string(), |region| region.to_string());
    let listing = async {
        match configured {
            Some(_) => None,
            None => Some(list_regions(&clients.ec2(), &home).await),
        }
    };
    let sts = clients.sts();
    let (identity, listed) = tokio::join!(discover_identity(&sts, &home), listing);
    let identity = identity.map_err(AuditError::Identity)?;
    let regions = match (listed, configured) {
        (Some(listed), _) => enabled_regions(&listed.map_err(AuditError::Regions)?, &identity.partition),
        (None, configured) => configured.map(<[String]>::to_vec).unwrap_or_default(),
    };
    Ok((identity, regions))
}
