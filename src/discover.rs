//! Discovery, the run's first stage: who is auditing (account, partition, from STS), which
//! accounts of the organization there are (Organizations), how to act in each (STS
//! AssumeRole), and which regions EC2 reports in each. [`crate::regions`] decides which of
//! those a run audits.

use std::sync::Arc;

use crate::arn::Arn;
use crate::clients::Clients;
use crate::error::ApiFailure;
use crate::identity::Identity;
use crate::regions::RegionInfo;

/// An account the run can read: who it is, the clients that act in it, and its regions to
/// audit.
pub struct AuditedAccount {
    /// The account, its partition and the ARN the run acts as there.
    pub identity: Identity,
    /// Clients acting in the account.
    pub clients: Arc<Clients>,
    /// The regions audited there.
    pub regions: Vec<String>,
}

/// The caller's account and partition, from STS GetCallerIdentity.
///
/// # Errors
///
/// The STS failure, when the caller's identity cannot be read.
pub async fn discover_identity(client: &aws_sdk_sts::Client, region: &str) -> Result<Identity, ApiFailure> {
    let output = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|error| ApiFailure::from_sdk("sts:GetCallerIdentity", region, error))?;
    let arn = output.arn().unwrap_or_default().to_string();
    let account = output.account().unwrap_or_default().to_string();
    let Some(partition) = Arn::parse(&arn).map(|arn| arn.partition.to_string()) else {
        return Err(ApiFailure::other(
            "sts:GetCallerIdentity",
            region,
            format!("the caller's ARN `{arn}` is not an ARN"),
        ));
    };
    if account.is_empty() {
        return Err(ApiFailure::other(
            "sts:GetCallerIdentity",
            region,
            "the caller's identity has no account",
        ));
    }
    Ok(Identity { account, partition, arn })
}

/// Every region EC2 DescribeRegions reports, with its opt-in status;
/// [`crate::regions::enabled_regions`] keeps the ones to audit. The list needs no partition,
/// so it is read at the same time as the caller's identity.
///
/// # Errors
///
/// The EC2 failure, when the regions cannot be listed.
pub async fn list_regions(client: &aws_sdk_ec2::Client, region: &str) -> Result<Vec<RegionInfo>, ApiFailure> {
    let output = client
        .describe_regions()
        .send()
        .await
        .map_err(|error| ApiFailure::from_sdk("ec2:DescribeRegions", region, error))?;
    Ok(output
        .regions()
        .iter()
        .filter_map(|region| {
            Some(RegionInfo {
                name: region.region_name()?.to_string(),
                opt_in_status: region.opt_in_status().unwrap_or("opt-in-not-required").to_string(),
            })
        })
        .collect())
}

/// Every ACTIVE account of the caller's organization, sorted: ListAccounts, every page. Only
/// the management account and delegated administrators may list them.
///
/// # Errors
///
/// The Organizations failure, when the accounts cannot be listed.
pub async fn list_organization_accounts(
    client: &aws_sdk_organizations::Client,
    region: &str,
) -> Result<Vec<String>, ApiFailure> {
    use aws_sdk_organizations::types::{AccountState, AccountStatus};
    let mut pages = client.list_accounts().into_paginator().send();
    let mut accounts = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| ApiFailure::from_sdk("organizations:ListAccounts", region, error))?;
        accounts.extend(
            page.accounts()
                .iter()
                .filter(|account| match (account.state(), account.status()) {
                    (Some(state), _) => *state == AccountState::Active,
                    (None, status) => status == Some(&AccountStatus::Active),
                })
                .filter_map(|account| account.id().map(str::to_string)),
        );
    }
    accounts.sort();
    accounts.dedup();
    Ok(accounts)
}

/// Credentials for `role_arn` (a member account's role), asked of STS in `region`, with
/// `external_id` when the role's trust policy wants one.
///
/// # Errors
///
/// The STS failure (AccessDenied for a missing role, a trust policy that does not admit the
/// caller, or an SCP), or a malformed answer.
pub async fn assume_member_role(
    client: &aws_sdk_sts::Client,
    region: &str,
    role_arn: &str,
    external_id: Option<&str>,
) -> Result<aws_sdk_sts::config::Credentials, ApiFailure> {
    let output = client
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("cis-monitor")
        .set_external_id(external_id.map(str::to_string))
        .send()
        .await
        .map_err(|error| ApiFailure::from_sdk("sts:AssumeRole", region, error))?;
    let credentials = output.credentials().ok_or_else(|| {
        ApiFailure::other("sts:AssumeRole", region, format!("no credentials for {role_arn}"))
    })?;
    let expiry = std::time::SystemTime::try_from(*credentials.expiration()).ok();
    Ok(aws_sdk_sts::config::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token().to_string()),
        expiry,
        "cis-monitor-member-role",
    ))
}
