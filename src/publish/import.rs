//! Importing findings into a region's Security Hub, and accounting for every one it refuses.

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, FindingProviderFields, FindingProviderSeverity,
    Partition, Recommendation, RecordState, Remediation, Resource, Severity, SeverityLabel, StatusReason,
};

use crate::error::ApiFailure;
use crate::findings::Finding;
use crate::summary::{FailedImport, RegionPublication};

/// BatchImportFindings takes at most this many findings per call.
pub const IMPORT_BATCH: usize = 100;

/// Attempts per batch for findings refused with a retryable error (the SDK itself retries
/// throttled and failed calls; this covers findings refused one by one inside a successful call).
const IMPORT_ATTEMPTS: u32 = 3;

/// Imports one batch; findings refused with a retryable code are sent again with backoff,
/// the others are reported in `publication`.
pub async fn import_batch(
    client: &Client,
    region: &str,
    batch: &[Finding],
    publication: &mut RegionPublication,
) {
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
        .product_name(finding.product_name)
        .company_name(finding.company_name)
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
        .record_state(RecordState::from(finding.record_state.as_str()))
        .finding_provider_fields(
            FindingProviderFields::builder()
                .severity(FindingProviderSeverity::builder().label(severity_label).build())
                .set_types(Some(finding.types.clone()))
                .build(),
        )
        .build()
}
