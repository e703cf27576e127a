//! The audit, end to end: discover the identity, the accounts and their regions, collect the
//! inventory, evaluate, publish, summarize. The one function both binaries call.

use std::collections::BTreeMap;

use futures::StreamExt;

use crate::access::AccountAccess;
use crate::clients::Clients;
use crate::collect::Collection;
use crate::config::{Accounts, AuditConfig};
use crate::discover::{AuditedAccount, discover_identity, list_organization_accounts, list_regions};
use crate::error::ApiFailure;
use crate::evaluate::{Unaudited, evaluate, unaudited_account};
use crate::findings::{FindingRun, FindingSettings};
use crate::identity::Identity;
use crate::publish::{publish, read_prior_findings, skipped};
use crate::regions::enabled_regions;
use crate::summary::{AccountRun, AccountSummary, AuditSummary, RegionPublication, SharedTexts, summarize};
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

/// An account the run did not audit, and why: it still gets a verdict per region and
/// control, NOT_AVAILABLE, naming the reason; no finding is published there.
struct UnauditedAccount {
    account: String,
    regions: Vec<String>,
    reason: Unaudited,
}

/// Who audits, and what: the caller, its regions, and the accounts of the run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The caller's identity.
    pub identity: Identity,
    /// The regions the caller's own account is audited in.
    pub caller_regions: Vec<String>,
    /// The accounts to audit, the caller's included when it is one of them.
    pub accounts: Vec<String>,
}

/// Runs the audit `config` describes, at time `now`: [`plan_audit`], then [`audit_planned`].
///
/// # Errors
///
/// [`AuditError`] only when the run cannot start; see [`plan_audit`].
pub async fn run_audit(
    clients: &Clients,
    config: &AuditConfig,
    now: Timestamp,
) -> Result<AuditSummary, AuditError> {
    let plan = plan_audit(clients, config).await?;
    Ok(Box::pin(audit_planned(clients, config, &plan, now)).await)
}

/// Reads who the caller is, its regions and the accounts to audit; the caller's identity, its
/// regions and the organization's accounts are read at once.
///
/// # Errors
///
/// [`AuditError`] when the caller's identity, its regions (when none are configured) or the
/// organization's accounts (in organization mode) cannot be read.
pub async fn plan_audit(clients: &Clients, config: &AuditConfig) -> Result<Plan, AuditError> {
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
    Ok(Plan { identity, caller_regions, accounts })
}

/// Audits the accounts of `plan`, at time `now`. Each account has its turn, at most
/// `account_concurrency` at a time: its role assumed and its regions listed, its inventory and
/// its earlier findings read at once, its verdicts evaluated and published. What several
/// accounts lead to (an organization trail's chain) is read once for the run; what one
/// account's turn read is dropped when the turn ends. Never fails: unreachable accounts,
/// denied regions and failed imports are reported in the summary.
pub async fn audit_planned(
    clients: &Clients,
    config: &AuditConfig,
    plan: &Plan,
    now: Timestamp,
) -> AuditSummary {
    let Plan { identity, caller_regions, accounts } = plan;
    tracing::info!(caller = %identity.account, accounts = accounts.len(), controls = config.controls.len(), "audit started");
    let access = AccountAccess::new(clients, identity, accounts, &config.member_access);
    let collection = Collection::new(&access, &config.controls);
    let deadline = config.collection_deadline.map(|limit| tokio::time::Instant::now() + limit);
    let turn = Turn { access: &access, collection: &collection, config, caller_regions, deadline, now };
    let texts = SharedTexts::default();
    let mut runs: Vec<AccountSummary> = futures::stream::iter(accounts)
        .map(|account| Box::pin(async { AccountSummary::new(turn.audit(account).await, &texts) }))
        .buffer_unordered(config.account_concurrency.max(1))
        .collect()
        .await;
    runs.sort_by(|left, right| left.account.cmp(&right.account));
    summarize(identity, config.publish, now, runs)
}

/// What every account's turn shares: the way into the accounts, the collection, the settings.
struct Turn<'a> {
    access: &'a AccountAccess<'a>,
    collection: &'a Collection<'a>,
    config: &'a AuditConfig,
    caller_regions: &'a [String],
    deadline: Option<tokio::time::Instant>,
    now: Timestamp,
}

impl Turn<'_> {
    /// `account`'s turn: reached, collected, evaluated, published; what it read is dropped
    /// when it ends, but for what other accounts share.
    async fn audit(&self, account: &str) -> AccountRun {
        let config = self.config;
        let audited = match self.reach(account).await {
            Ok(audited) => audited,
            Err(unaudited) => return self.unaudited(unaudited),
        };
        let reading_prior = async {
            if !config.publish {
                return None;
            }
            let (clients, identity, regions) = (&audited.clients, &audited.identity, &audited.regions);
            Some(read_prior_findings(clients, identity, regions, config.concurrency, self.deadline).await)
        };
        let collecting = self.collection.collect_account(&audited, config.concurrency, self.deadline);
        let (inventory, prior) = tokio::join!(Box::pin(collecting), Box::pin(reading_prior));
        if inventory.interrupted {
            tracing::warn!(account, "the collection deadline passed: unread links are NOT_AVAILABLE");
        }
        let verdicts = evaluate(&inventory, &audited.identity, &audited.regions, &config.controls);
        drop(inventory);
        let publications = match prior {
            Some(prior) => {
                let settings = FindingSettings { failed_severity: config.failed_severity };
                let run = FindingRun { settings, now: self.now, changes: &config.changes };
                let (clients, identity) = (&audited.clients, &audited.identity);
                Box::pin(publish(clients, identity, &verdicts, prior, run, config.concurrency)).await
            }
            None => BTreeMap::new(),
        };
        self.access.release(account);
        AccountRun { account: account.to_string(), unreachable: None, verdicts, publications }
    }

    /// How the run acts in `account`, and which of its regions it audits: the configured
    /// ones, the caller's, or the account's own enabled regions. An account whose turn comes
    /// after the deadline is not audited.
    async fn reach(&self, account: &str) -> Result<AuditedAccount, UnauditedAccount> {
        let config = self.config;
        let caller = self.access.caller();
        let unaudited = |reason: Unaudited| UnauditedAccount {
            account: account.to_string(),
            regions: config.regions.clone().unwrap_or_else(|| vec![self.access.home_region()]),
            reason,
        };
        if self.deadline.is_some_and(|deadline| tokio::time::Instant::now() >= deadline) {
            return Err(unaudited(Unaudited::OutOfTime));
        }
        let clients = self
            .access
            .clients(account)
            .await
            .map_err(|failure| unaudited(Unaudited::Unreachable(failure)))?;
        if account == caller.account {
            return Ok(AuditedAccount {
                identity: caller.clone(),
                clients,
                regions: self.caller_regions.to_vec(),
            });
        }
        let regions = match &config.regions {
            Some(regions) => regions.clone(),
            None => {
                let listed = list_regions(&clients.ec2(), &self.access.home_region())
                    .await
                    .map_err(|failure| unaudited(Unaudited::Unreachable(failure)))?;
                enabled_regions(&listed, &caller.partition)
            }
        };
        let identity = Identity {
            account: account.to_string(),
            partition: caller.partition.clone(),
            arn: self.access.role_arn(account),
        };
        Ok(AuditedAccount { identity, clients, regions })
    }

    /// The run of an account that was not audited: NOT_AVAILABLE everywhere, publishing
    /// skipped.
    fn unaudited(&self, account: UnauditedAccount) -> AccountRun {
        let config = self.config;
        self.access.release(&account.account);
        let verdicts =
            unaudited_account(&account.account, &account.reason, &account.regions, &config.controls);
        let publications = if config.publish {
            let skipped = match &account.reason {
                Unaudited::Unreachable(failure) => skipped(failure),
                Unaudited::OutOfTime => RegionPublication {
                    skipped: Some(account.reason.to_string()),
                    ..RegionPublication::default()
                },
            };
            account.regions.iter().map(|region| (region.clone(), skipped.clone())).collect()
        } else {
            BTreeMap::new()
        };
        AccountRun {
            account: account.account,
            unreachable: Some(account.reason.to_string()),
            verdicts,
            publications,
        }
    }
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
