//! Publishing to Security Hub, one region at a time: read this tool's earlier findings of the
//! region (to keep their creation times and to archive the ones this run no longer produces),
//! import in batches of at most 100, and account for every finding that failed.
//!
//! A region where Security Hub is not enabled is skipped and reported, never fatal.

use std::collections::BTreeMap;

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, Compliance, ComplianceStatus, FindingProviderFields,
    FindingProviderSeverity, Partition, Recommendation, RecordState, Remediation, Resource, Severity,
    SeverityLabel, StatusReason, StringFilter, StringFilterComparison,
};
use serde::Serialize;

use crate::error::{ApiFailure, FailureKind};
use crate::evaluate::Verdict;
use crate::findings::FindingSettings;
use crate::findings::{Finding, PriorFinding, build_archived_finding, build_finding, region_id_prefix};
use crate::inventory::Identity;

/// BatchImportFindings takes at most this many findings per call.
pub const IMPORT_BATCH: usize = 100;

/// What publishing did in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionPublication {
    /// Findings imported (created or updated), archived ones included.
    pub imported: usize,
    /// Earlier findings archived because this run no longer produces them.
    pub archived: usize,
    /// Findings Security Hub refused, each with its error.
    pub failed: Vec<FailedImport>,
    /// Why the region was skipped, when it was (Security Hub not enabled, access denied...).
    pub skipped: Option<String>,
}

/// A finding that Security Hub did not import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedImport {
    /// The finding's Id.
    pub id: String,
    /// The error code (`InvalidInput`...), or the failure of the whole call.
    pub code: String,
    /// The error message.
    pub message: String,
}

/// Publishes the verdicts of `region` to its Security Hub.
pub async fn publish_region(
    client: &Client,
    identity: &Identity,
    region: &str,
    verdicts: &[&Verdict],
    settings: FindingSettings,
    now: &str,
) -> RegionPublication {
    let prior = match read_prior_findings(client, identity, region).await {
        Ok(prior) => prior,
        Err(failure) => return skipped(&failure),
    };
    // An empty answer may come from a region where Security Hub is off: ask it directly.
    if prior.is_empty()
        && let Err(failure) = describe_hub(client, region).await
    {
        return skipped(&failure);
    }
    let findings = findings_to_import(verdicts, &prior, identity, region, settings, now);
    let archived = findings.iter().filter(|finding| finding.record_state == "ARCHIVED").count();
    let mut publication = RegionPublication { archived, ..RegionPublication::default() };
    for batch in findings.chunks(IMPORT_BATCH) {
        import_batch(client, region, batch, &mut publication).await;
    }
    publication
}

/// The findings of a region: one per verdict, and an archived one for every earlier ACTIVE
/// finding of this tool that the run no longer produces.
pub fn findings_to_import(
    verdicts: &[&Verdict],
    prior: &BTreeMap<String, PriorFinding>,
    identity: &Identity,
    region: &str,
    settings: FindingSettings,
    now: &str,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = verdicts
        .iter()
        .map(|verdict| {
            let id = crate::findings::finding_id(&identity.account, region, verdict.control.id());
            build_finding(verdict, identity, settings, now, prior.get(&id))
        })
        .collect();
    let stale: Vec<Finding> = prior
        .values()
        .filter(|earlier| {
            earlier.record_state == "ACTIVE" && !findings.iter().any(|finding| finding.id == earlier.id)
        })
        .map(|earlier| build_archived_finding(earlier, identity, region, now))
        .collect();
    findings.extend(stale);
    findings
}

fn skipped(failure: &ApiFailure) -> RegionPublication {
    let reason = match failure.kind {
        FailureKind::NotEnabled => format!("Security Hub is not enabled in {}", failure.region),
        FailureKind::AccessDenied => {
            format!("access denied: the function lacks {} ({})", failure.action, failure.message)
        }
        _ => failure.to_string(),
    };
    RegionPublication { skipped: Some(reason), ..RegionPublication::default() }
}

async fn describe_hub(client: &Client, region: &str) -> Result<(), ApiFailure> {
    client
        .describe_hub()
        .send()
        .await
        .map(|_| ())
        .map_err(|error| ApiFailure::from_sdk("securityhub:DescribeHub", region, error))
}

/// This tool's earlier findings of `region`, by Id. The filter asks Security Hub for them
/// alone, and the same test is applied again here: in an aggregation region Security Hub also
/// returns other regions' findings, and emulators may ignore filters.
async fn read_prior_findings(
    client: &Client,
    identity: &Identity,
    region: &str,
) -> Result<BTreeMap<String, PriorFinding>, ApiFailure> {
    let prefix = region_id_prefix(&identity.account, region);
    let product = crate::findings::product_arn(identity, region);
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
            prior.insert(
                id.to_string(),
                PriorFinding {
                    id: id.to_string(),
                    created_at: finding.created_at().unwrap_or_default().to_string(),
                    first_observed_at: finding.first_observed_at().map(str::to_string),
                    record_state: finding.record_state().map_or("ACTIVE", |state| state.as_str()).to_string(),
                },
            );
        }
    }
    Ok(prior)
}

/// Attempts per batch for findings refused with a retryable error (the SDK itself retries
/// throttled and failed calls; this covers findings refused one by one inside a successful call).
const IMPORT_ATTEMPTS: u32 = 3;

/// Imports one batch; findings refused with a retryable code are sent again with backoff,
/// the others are reported.
/// Whether a finding Security Hub returned is this tool's, for this account and region: its
/// Id has this tool's prefix for the region, and it was imported under the region's product
/// ARN. An aggregation region also returns other regions' findings; they are never touched.
pub fn is_own_finding(id: &str, product_arn: Option<&str>, identity: &Identity, region: &str) -> bool {
    id.starts_with(&region_id_prefix(&identity.account, region))
        && product_arn == Some(crate::findings::product_arn(identity, region).as_str())
}

async fn import_batch(client: &Client, region: &str, batch: &[Finding], publication: &mut RegionPublication) {
    let mut pending: Vec<&Finding> = batch.iter().collect();
    for attempt in 1..=IMPORT_ATTEMPTS {
        let refused = send_batch(client, region, &pending).await;
        publication.imported += pending.len().saturating_sub(refused.len());
        let last = attempt == IMPORT_ATTEMPTS;
        let (retry, final_failures): (Vec<FailedImport>, Vec<FailedImport>) =
            refused.into_iter().partition(|failure| !last && is_retryable(&failure.code));
        publication.failed.extend(final_failures);
        if retry.is_empty() {
            return;
        }
        pending.retain(|finding| retry.iter().any(|failure| failure.id == finding.id));
        tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await;
    }
}

/// Sends findings once; returns the ones refused, each with its error.
async fn send_batch(client: &Client, region: &str, findings: &[&Finding]) -> Vec<FailedImport> {
    let request = client
        .batch_import_findings()
        .set_findings(Some(findings.iter().map(|finding| to_sdk_finding(finding)).collect()));
    match request.send().await {
        Ok(output) => {
            let mut refused: Vec<FailedImport> = output
                .failed_findings()
                .iter()
                .map(|failure| FailedImport {
                    id: failure.id().unwrap_or_default().to_string(),
                    code: failure.error_code().unwrap_or_default().to_string(),
                    message: failure.error_message().unwrap_or_default().to_string(),
                })
                .collect();
            let counted = usize::try_from(output.failed_count().unwrap_or(0)).unwrap_or(0);
            if counted > refused.len() {
                // A failure count without entries: the unnamed ones cannot be told apart.
                refused.extend(findings.iter().skip(refused.len()).take(counted - refused.len()).map(
                    |finding| FailedImport {
                        id: finding.id.clone(),
                        code: "Unknown".to_string(),
                        message: "counted as failed without an entry".to_string(),
                    },
                ));
            }
            refused
        }
        Err(error) => {
            let failure = ApiFailure::from_sdk("securityhub:BatchImportFindings", region, error);
            findings
                .iter()
                .map(|finding| FailedImport {
                    id: finding.id.clone(),
                    code: failure.code.clone().unwrap_or_else(|| format!("{:?}", failure.kind)),
                    message: failure.message.clone(),
                })
                .collect()
        }
    }
}

/// Whether Security Hub may accept a refused finding when it is sent again.
fn is_retryable(code: &str) -> bool {
    ["Internal", "Limit", "Throttl", "Unavailable", "Timeout"].iter().any(|part| code.contains(part))
}

/// The SDK's form of a finding.
fn to_sdk_finding(finding: &Finding) -> AwsSecurityFinding {
    let severity_label = SeverityLabel::from(finding.severity.label.as_str());
    let compliance = Compliance::builder()
        .status(ComplianceStatus::from(finding.compliance.status.as_str()))
        .set_status_reasons(Some(
            finding
                .compliance
                .status_reasons
                .iter()
                .map(|reason| {
                    StatusReason::builder()
                        .reason_code(&reason.reason_code)
                        .description(&reason.description)
                        .build()
                })
                .collect(),
        ))
        .set_related_requirements(Some(finding.compliance.related_requirements.clone()))
        .build();
    let remediation = Remediation::builder()
        .recommendation(
            Recommendation::builder()
                .text(&finding.remediation.recommendation.text)
                .url(&finding.remediation.recommendation.url)
                .build(),
        )
        .build();
    let resources = finding
        .resources
        .iter()
        .map(|resource| {
            Resource::builder()
                .r#type(&resource.kind)
                .id(&resource.id)
                .partition(Partition::from(resource.partition.as_str()))
                .region(&resource.region)
                .build()
        })
        .collect();
    AwsSecurityFinding::builder()
        .schema_version(finding.schema_version)
        .id(&finding.id)
        .product_arn(&finding.product_arn)
        .generator_id(&finding.generator_id)
        .aws_account_id(&finding.aws_account_id)
        .region(&finding.region)
        .set_types(Some(finding.types.clone()))
        .created_at(&finding.created_at)
        .updated_at(&finding.updated_at)
        .first_observed_at(&finding.first_observed_at)
        .last_observed_at(&finding.last_observed_at)
        .severity(Severity::builder().label(severity_label.clone()).build())
        .title(&finding.title)
        .description(&finding.description)
        .compliance(compliance)
        .remediation(remediation)
        .set_product_fields(Some(finding.product_fields.clone().into_iter().collect()))
        .set_resources(Some(resources))
        .record_state(RecordState::from(finding.record_state))
        .finding_provider_fields(
            FindingProviderFields::builder()
                .severity(FindingProviderSeverity::builder().label(severity_label).build())
                .set_types(Some(finding.types.clone()))
                .build(),
        )
        .build()
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
