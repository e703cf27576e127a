//! The audit, end to end: discover the identity, the accounts and their regions, collect the
//! inventory, evaluate, publish, summarize. The one function both binaries call.

use std::collections::BTreeMap;

use futures::StreamExt;

use crate::clients::Clients;
use crate::collect::collect;
use crate::config::{Accounts, AuditConfig};
use crate::discover::{
    AuditedAccount, assume_member_role, discover_identity, list_organization_accounts, list_regions,
};
use crate::error::ApiFailure;
use crate::evaluate::{Verdict, evaluate, unreachable_account};
use crate::findings::FindingSettings;
use crate::identity::Identity;
use crate::publish::{publish, read_prior_findings, skipped};
use crate::regions::enabled_regions;
use crate::summary::{AccountRun, AuditSummary, summarize};
use crate::time::Timestamp;

/// Why a whole run failed (a single account, region or control never fails the run).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The caller's identity could not be read, so nothing can be attributed.
    #[error("cannot read the caller's identity: {0}")]
    Identity(ApiFailure),
    /// The enabled regions could not be listed.
    #[error("cannot list the enabled regions: {0}")]
    Regions(ApiFailure),
    /// The organization's accounts could not be listed.
    #[error("cannot list the organization's accounts: {0}")]
    Accounts(ApiFailure),
}

/// An account the run cannot act in, and why: it still gets a verdict per region and
/// control, NOT_AVAILABLE, naming the failure.
struct UnreachableAccount {
    account: String,
    regions: Vec<String>,
    failure: ApiFailure,
}

/// Runs the audit `config` describes, at time `now`.
///
/// The round trips that do not depend on each other overlap: the caller's identity, its
/// regions and the organization's accounts are read at once; every account is reached (its
/// role assumed, its regions listed) at once, within the account bound; the inventory and
/// the earlier findings that publishing needs are read at once.
///
/// # Errors
///
/// [`AuditError`] only when the run cannot start: the caller's identity, its regions (when
/// none are configured) or the organization's accounts (in organization mode) cannot be read.
/// Everything else, unreachable accounts, denied regions and failed imports included, is
/// reported in the summary.
pub async fn run_audit(
    clients: &Clients,
    config: &AuditConfig,
    now: Timestamp,
) -> Result<AuditSummary, AuditError> {
    let home = clients.home_region();
    let listing_accounts = async {
        match config.accounts {
            Accounts::Organization => Some(list_organization_accounts(&clients.organizations(), &home).await),
            Accounts::Caller | Accounts::Listed(_) => None,
        }
    };
    let (discovered, listed) = tokio::join!(discover(clients, config.regions.as_deref()), listing_accounts);
    let (identity, caller_regions) = discovered?;
    let accounts = match (&config.accounts, listed) {
        (_, Some(listed)) => listed.map_err(AuditError::Accounts)?,
        (Accounts::Listed(ids), None) => ids.clone(),
        (_, None) => vec![identity.account.clone()],
    };
    tracing::info!(caller = %identity.account, accounts = accounts.len(), controls = config.controls.len(), "audit started");
    let reached: Vec<Result<AuditedAccount, UnreachableAccount>> = futures::stream::iter(&accounts)
        .map(|account| Box::pin(reach(clients, config, &identity, &caller_regions, account)))
        .buffered(config.account_concurrency.max(1))
        .collect()
        .await;
    let (audited, unreachable): (Vec<_>, Vec<_>) = reached.into_iter().partition(Result::is_ok);
    let audited: Vec<AuditedAccount> = audited.into_iter().filter_map(Result::ok).collect();
    let unreachable: Vec<UnreachableAccount> = unreachable.into_iter().filter_map(Result::err).collect();
    let deadline = config.collection_deadline.map(|limit| tokio::time::Instant::now() + limit);
    let collecting =
        collect(&audited, &config.controls, config.concurrency, config.account_concurrency, deadline);
    let reading_prior = async {
        if !config.publish {
            return None;
        }
        let prior = futures::stream::iter(&audited)
            .map(|account| {
                Box::pin(read_prior_findings(
                    &account.clients,
                    &account.identity,
                    &account.regions,
                    config.concurrency,
                    deadline,
                ))
            })
            .buffered(config.account_concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        Some(prior)
    };
    let (inventory, prior) = tokio::join!(Box::pin(collecting), Box::pin(reading_prior));
    if inventory.interrupted {
        tracing::warn!("the collection deadline passed: unread links are NOT_AVAILABLE");
    }
    let verdicts: Vec<Vec<Verdict>> = audited
        .iter()
        .map(|account| evaluate(&inventory, &account.identity, &account.regions, &config.controls))
        .collect();
    let publications = match prior {
        Some(prior) => {
            let settings = FindingSettings { failed_severity: config.failed_severity };
            let published = audited.iter().zip(&verdicts).zip(prior).map(|((account, verdicts), prior)| {
                Box::pin(publish(
                    &account.clients,
                    &account.identity,
                    verdicts,
                    prior,
                    settings,
                    now,
                    config.concurrency,
                ))
            });
            futures::stream::iter(published)
                .buffered(config.account_concurrency.max(1))
                .collect::<Vec<_>>()
                .await
        }
        None => audited.iter().map(|_| BTreeMap::new()).collect(),
    };
    let mut runs: Vec<AccountRun> = audited
        .iter()
        .zip(verdicts)
        .zip(publications)
        .map(|((account, verdicts), publications)| AccountRun {
            account: account.identity.account.clone(),
            unreachable: None,
            verdicts,
            publications,
        })
        .collect();
    runs.extend(unreachable.into_iter().map(|account| {
        let verdicts =
            unreachable_account(&account.account, &account.failure, &account.regions, &config.controls);
        let skipped = skipped(&account.failure);
        let publications = if config.publish {
            account.regions.iter().map(|region| (region.clone(), skipped.clone())).collect()
        } else {
            BTreeMap::new()
        };
        AccountRun {
            account: account.account,
            unreachable: Some(account.failure.to_string()),
            verdicts,
            publications,
        }
    }));
    runs.sort_by(|left, right| left.account.cmp(&right.account));
    Ok(summarize(&identity, config.publish, now, runs))
}

/// How the run acts in `account`: with the caller's own clients there, else by assuming the
/// member role; and which of its regions it audits: the configured ones, the caller's, or the
/// account's own enabled regions.
async fn reach(
    clients: &Clients,
    config: &AuditConfig,
    caller: &Identity,
    caller_regions: &[String],
    account: &str,
) -> Result<AuditedAccount, UnreachableAccount> {
    let home = clients.home_region();
    let unreachable = |failure: ApiFailure| UnreachableAccount {
        account: account.to_string(),
        regions: config.regions.clone().unwrap_or_else(|| vec![home.clone()]),
        failure,
    };
    if account == caller.account {
        return Ok(AuditedAccount {
            identity: caller.clone(),
            clients: Clients::new(clients.base().clone()),
            regions: caller_regions.to_vec(),
        });
    }
    let role = format!("arn:{}:iam::{account}:role/{}", caller.partition, config.member_access.role_name);
    let credentials =
        assume_member_role(&clients.sts(), &home, &role, config.member_access.external_id.as_deref())
            .await
            .map_err(|failure| {
            unreachable(ApiFailure { message: format!("{} (role {role})", failure.message), ..failure })
        })?;
    let member = clients.with_credentials(credentials);
    let regions = match &config.regions {
        Some(regions) => regions.clone(),
        None => {
            let listed = list_regions(&member.ec2(), &home).await.map_err(unreachable)?;
            enabled_regions(&listed, &caller.partition)
        }
    };
    let identity = Identity { account: account.to_string(), partition: caller.partition.clone(), arn: role };
    Ok(AuditedAccount { identity, clients: member, regions })
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
    let home = clients.home_region();
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
