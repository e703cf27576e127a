//! Discovery, the run's first stage: who is auditing (account, partition, from STS) and which
//! regions EC2 reports. [`crate::regions`] decides which of those a run audits.

use crate::arn::Arn;
use crate::error::ApiFailure;
use crate::identity::Identity;
use crate::regions::RegionInfo;

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
