//! This tool's earlier findings, read from each region's Security Hub while the inventory is
//! still being collected, so that publishing waits for no read of its own.
//!
//! The answer also tells whether Security Hub is enabled in the region: AWS refuses every call
//! of a region where it is not with `InvalidAccessException` ("not subscribed"), which
//! [`crate::error::FailureKind::NotEnabled`] names.

use std::collections::BTreeMap;

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AwsSecurityFindingFilters, RecordState as SdkRecordState, StringFilter, StringFilterComparison,
};
use futures::StreamExt;
use tokio::time::Instant;

use crate::clients::Clients;
use crate::error::ApiFailure;
use crate::evaluate::Status;
use crate::findings::{
    CHAIN_BEFORE, EVIDENCE_PREFIX, PriorFinding, RecordState, STATUS_SINCE, change_from_fields, product_arn,
    region_id_prefix,
};
use crate::identity::Identity;
use crate::time::Timestamp;

/// The evidence fields that name a resource of the chain.
const CHAIN_NAME_FIELDS: [&str; 9] = [
    "TrailArn",
    "LogGroupArn",
    "LogGroupName",
    "FilterName",
    "AlarmName",
    "AlarmArn",
    "TopicArn",
    "TopicKmsKeyId",
    "SubscriptionArn",
];

/// The earlier findings of one region, by `Id`, or why they could not be read.
pub type RegionPrior = Result<BTreeMap<String, PriorFinding>, ApiFailure>;

/// The earlier findings of every region in `regions`, at most `concurrency` regions at a time.
/// A region whose read is still under way at `deadline` gets a failure saying so.
pub async fn read_prior_findings(
    clients: &Clients,
    identity: &Identity,
    regions: &[String],
    concurrency: usize,
    deadline: Option<Instant>,
) -> BTreeMap<String, RegionPrior> {
    futures::stream::iter(regions)
        .map(|region| {
            Box::pin(async move {
                let client = clients.region(region).securityhub().clone();
                let read = read_region(&client, identity, region);
                let prior = match deadline {
                    Some(deadline) => tokio::time::timeout_at(deadline, read).await.unwrap_or_else(|_| {
                        Err(ApiFailure::other(
                            "securityhub:GetFindings",
                            region,
                            "the collection deadline passed before the earlier findings were read",
                        ))
                    }),
                    None => read.await,
                };
                (region.clone(), prior)
            })
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

/// This tool's earlier findings of `region`, by Id. The filter asks Security Hub for them
/// alone, and the same test is applied again here: in an aggregation region Security Hub also
/// returns other regions' findings, and emulators may ignore filters.
async fn read_region(client: &Client, identity: &Identity, region: &str) -> RegionPrior {
    let prefix = region_id_prefix(&identity.account, region);
    let product = product_arn(identity, region);
    let filters = AwsSecurityFindingFilters::builder()
        .id(StringFilter::builder().value(&prefix).comparison(StringFilterComparison::Prefix).build())
        .product_arn(
            StringFilter::builder().value(&product).comparison(StringFilterComparison::Equals).build(),
        )
        .build();
    let mut pages = client.get_findings().filters(filters).max_results(100).into_paginator().send();
    let mut prior = BTreeMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| ApiFailure::from_sdk("securityhub:GetFindings", region, error))?;
        for finding in page.findings() {
            let Some(id) = finding.id() else { continue };
            if !is_own_finding(id, finding.product_arn(), identity, region) {
                continue;
            }
            let fields: BTreeMap<String, String> =
                finding.product_fields().cloned().unwrap_or_default().into_iter().collect();
            prior.insert(
                id.to_string(),
                PriorFinding {
                    id: id.to_string(),
                    created_at: finding.created_at().unwrap_or_default().to_string(),
                    first_observed_at: finding.first_observed_at().map(str::to_string),
                    record_state: match finding.record_state() {
                        Some(SdkRecordState::Archived) => RecordState::Archived,
                        _ => RecordState::Active,
                    },
                    status: finding
                        .compliance()
                        .and_then(|compliance| compliance.status())
                        .and_then(|status| Status::from_asff(status.as_str())),
                    chain_names: CHAIN_NAME_FIELDS
                        .iter()
                        .filter_map(|key| fields.get(&format!("{EVIDENCE_PREFIX}{key}")).cloned())
                        .collect(),
                    change: change_from_fields(&fields),
                    status_since: fields
                        .get(&format!("{EVIDENCE_PREFIX}{STATUS_SINCE}"))
                        .and_then(|since| Timestamp::parse(since)),
                    chain_before: fields
                        .get(&format!("{EVIDENCE_PREFIX}{CHAIN_BEFORE}"))
                        .and_then(|names| serde_json::from_str(names).ok())
                        .unwrap_or_default(),
                },
            );
        }
    }
    Ok(prior)
}

/// Whether a finding Security Hub returned is this tool's, for this account and region: its
/// Id has this tool's prefix for the region, and it was imported under the region's product
/// ARN. An aggregation region also returns other regions' findings; they are never touched.
pub fn is_own_finding(id: &str, product_arn: Option<&str>, identity: &Identity, region: &str) -> bool {
    id.starts_with(&region_id_prefix(&identity.account, region))
        && product_arn == Some(self::product_arn(identity, region).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_tools_findings_of_the_region_are_its_own() {
        let identity = Identity {
            account: "111122223333".to_string(),
            partition: "aws".to_string(),
            arn: "arn:aws:iam::111122223333:role/x".to_string(),
        };
        let product =
            |region: &str| format!("arn:aws:securityhub:{region}:111122223333:product/111122223333/default");
        let own = "cis-monitor/111122223333/us-east-1/CloudWatch.5";
        assert!(is_own_finding(own, Some(&product("us-east-1")), &identity, "us-east-1"));
        let aggregated = "cis-monitor/111122223333/eu-west-1/CloudWatch.5";
        assert!(!is_own_finding(aggregated, Some(&product("eu-west-1")), &identity, "us-east-1"));
        assert!(!is_own_finding(own, Some(&product("eu-west-1")), &identity, "us-east-1"));
        assert!(!is_own_finding(
            "arn:aws:securityhub:us-east-1::control/CloudWatch.5",
            Some(&product("us-east-1")),
            &identity,
            "us-east-1"
        ));
        assert!(!is_own_finding(
            "cis-monitor/999999999999/us-east-1/CloudWatch.5",
            Some(&product("us-east-1")),
            &identity,
            "us-east-1"
        ));
        assert!(!is_own_finding(own, None, &identity, "us-east-1"));
    }
}
