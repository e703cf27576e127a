//! ASFF findings built from verdicts: pure functions of the verdict, the identity, the settings
//! and the time. The contract is stable; users build Security Hub filters on it:
//!
//! - `Id` = `cis-monitor/<account>/<region>/<control>`, `GeneratorId` = `cis-monitor/<control>`;
//! - `ProductArn` = the account's default product in the region and partition;
//! - `CreatedAt`/`FirstObservedAt` kept from the previous run, `UpdatedAt`/`LastObservedAt` now;
//! - `ProductFields` keys under `cis-monitor/evidence/` (`StatusSince`: the start of the run
//!   that first gave the status, and `ChainBefore`: the chain's names before it, a JSON list,
//!   both kept while the status stays), and under `cis-monitor/change/` the
//!   change to the chain that turned the verdict to its status, when a change-triggered run
//!   saw it.

mod attribution;
mod remediation;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::arn::Arn;
use crate::change::ChainChange;
use crate::controls::Control;
use crate::evaluate::{Link, Status, Verdict};
use crate::identity::Identity;
use crate::time::Timestamp;

pub use attribution::{CHANGE_PREFIX, change_from_fields};
use attribution::{attribution, change_fields, change_sentence};
use remediation::remediation_text;

/// The ASFF `Types` entry of every finding.
pub const FINDING_TYPE: &str =
    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";
/// The `ProductName` of every finding: what the Security Hub console shows as its source.
pub const PRODUCT_NAME: &str = "cis-monitor";
/// The `CompanyName` of every finding.
pub const COMPANY_NAME: &str = "cis-monitor";
/// The prefix of every `Id` and `GeneratorId` this tool writes.
pub const ID_PREFIX: &str = "cis-monitor/";
/// The prefix of every `ProductFields` key this tool writes.
pub const EVIDENCE_PREFIX: &str = "cis-monitor/evidence/";
/// The evidence key (after [`EVIDENCE_PREFIX`]) of the time the status was first given.
pub const STATUS_SINCE: &str = "StatusSince";
/// The evidence key (after [`EVIDENCE_PREFIX`]) of the chain's names before the status.
pub const CHAIN_BEFORE: &str = "ChainBefore";

/// An ASFF severity label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SeverityLabel {
    /// INFORMATIONAL
    Informational,
    /// LOW
    Low,
    /// MEDIUM
    Medium,
    /// HIGH
    High,
    /// CRITICAL
    Critical,
}

impl SeverityLabel {
    /// The ASFF spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLabel::Informational => "INFORMATIONAL",
            SeverityLabel::Low => "LOW",
            SeverityLabel::Medium => "MEDIUM",
            SeverityLabel::High => "HIGH",
            SeverityLabel::Critical => "CRITICAL",
        }
    }
}

impl std::str::FromStr for SeverityLabel {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            SeverityLabel::Informational,
            SeverityLabel::Low,
            SeverityLabel::Medium,
            SeverityLabel::High,
            SeverityLabel::Critical,
        ]
        .into_iter()
        .find(|label| label.as_str().eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| "expected INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL".to_string())
    }
}

/// An ASFF finding, serialised with ASFF's field names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct Finding {
    pub schema_version: &'static str,
    pub id: String,
    pub product_arn: String,
    pub generator_id: String,
    pub product_name: &'static str,
    pub company_name: &'static str,
    pub aws_account_id: String,
    pub region: String,
    pub types: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub first_observed_at: String,
    pub last_observed_at: String,
    pub severity: Severity,
    pub title: String,
    pub description: String,
    pub compliance: Compliance,
    pub remediation: Remediation,
    pub product_fields: BTreeMap<String, String>,
    pub resources: Vec<Resource>,
    pub record_state: RecordState,
    pub finding_provider_fields: FindingProviderFields,
}

/// ASFF `RecordState`: whether a finding still applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecordState {
    /// The finding is current.
    Active,
    /// The finding no longer applies (its control or region left the scope).
    Archived,
}

impl RecordState {
    /// The ASFF spelling: `ACTIVE` or `ARCHIVED`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordState::Active => "ACTIVE",
            RecordState::Archived => "ARCHIVED",
        }
    }
}

/// ASFF `Severity`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Severity {
    /// The label.
    pub label: SeverityLabel,
}

/// ASFF `Compliance`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Compliance {
    /// PASSED, WARNING, FAILED or NOT_AVAILABLE.
    pub status: Status,
    /// Why, with a reason code; empty when passed.
    pub status_reasons: Vec<StatusReason>,
    /// `CIS AWS Foundations Benchmark v1.4.0/4.5` and the other versions' numbers.
    pub related_requirements: Vec<String>,
}

/// ASFF `Compliance.StatusReasons` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StatusReason {
    /// The reason code.
    pub reason_code: String,
    /// The reason, at most 2048 characters.
    pub description: String,
}

/// ASFF `Remediation`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Remediation {
    /// The recommendation.
    pub recommendation: Recommendation,
}

/// ASFF `Remediation.Recommendation`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Recommendation {
    /// What to do, naming the user's resources and the command, at most 512 characters.
    pub text: String,
    /// Security Hub's remediation page for the control.
    pub url: String,
}

/// ASFF `Resources` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// `AwsAccount`, `AwsCloudTrailTrail`, `Other` (the log group), `AwsCloudWatchAlarm`,
    /// `AwsSnsTopic`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// The resource's id (an ARN, or `AWS::::Account:<id>`).
    pub id: String,
    /// The partition.
    pub partition: String,
    /// The resource's region.
    pub region: String,
}

/// ASFF `FindingProviderFields`: the provider's own severity and types.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FindingProviderFields {
    /// Same as the finding's severity.
    pub severity: Severity,
    /// Same as the finding's types.
    pub types: Vec<String>,
}

/// What a finding takes from the run's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingSettings {
    /// The severity of FAILED findings (others are INFORMATIONAL).
    pub failed_severity: SeverityLabel,
}

/// The times a finding keeps from an earlier import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorFinding {
    /// The finding's `Id`.
    pub id: String,
    /// `CreatedAt` of the first import, as Security Hub returned it: echoed back unchanged.
    pub created_at: String,
    /// `FirstObservedAt` of the first import, when it had one.
    pub first_observed_at: Option<String>,
    /// Whether it is still active.
    pub record_state: RecordState,
    /// Its compliance status, when it had one.
    pub status: Option<Status>,
    /// The names and ARNs of the chain its evidence named (trail, log group, filter, alarm,
    /// topic, key, subscription).
    pub chain_names: Vec<String>,
    /// The change it named as the cause of its status, if any.
    pub change: Option<ChainChange>,
    /// When a run first gave it its status, if it says.
    pub status_since: Option<Timestamp>,
    /// The names of the chain before that status, as it said them.
    pub chain_before: Vec<String>,
}

/// The `Id` of the finding on `control` in `region` of `account`.
pub fn finding_id(account: &str, region: &str, control: &str) -> String {
    format!("{ID_PREFIX}{account}/{region}/{control}")
}

/// The prefix of every finding `Id` this tool writes for `account` and `region`.
pub fn region_id_prefix(account: &str, region: &str) -> String {
    format!("{ID_PREFIX}{account}/{region}/")
}

/// The account's own product ARN in `region`, where its findings are imported.
pub fn product_arn(identity: &Identity, region: &str) -> String {
    format!(
        "arn:{}:securityhub:{region}:{}:product/{}/default",
        identity.partition, identity.account, identity.account
    )
}

/// Builds the finding for `verdict`, keeping the creation times of `prior` when there is one.
pub fn build_finding(
    verdict: &Verdict,
    identity: &Identity,
    settings: FindingSettings,
    now: Timestamp,
    prior: Option<&PriorFinding>,
) -> Finding {
    let control = verdict.control;
    let severity = if verdict.status == Status::Failed {
        settings.failed_severity
    } else {
        SeverityLabel::Informational
    };
    let status_reasons = if verdict.reason_code.is_empty() {
        Vec::new()
    } else {
        vec![StatusReason {
            reason_code: verdict.reason_code.clone(),
            description: truncate(&verdict.description, 2048),
        }]
    };
    let mut finding = base_finding(identity, &verdict.region, control.id(), now, prior, severity);
    finding.title = truncate(&format!("{} {}", control.id(), control.title()), 256);
    finding.description = truncate(&verdict.description, 1024);
    finding.compliance = Compliance {
        status: verdict.status,
        status_reasons,
        related_requirements: control.cis_requirements().iter().map(|r| r.related_requirement()).collect(),
    };
    finding.remediation = Remediation {
        recommendation: Recommendation {
            text: truncate(&remediation_text(verdict, identity), 512),
            url: control.remediation_url(),
        },
    };
    finding.product_fields = product_fields(verdict);
    let (status_since, chain_before) = match prior {
        Some(prior) if prior.status == Some(verdict.status) => (prior.status_since, &prior.chain_before),
        Some(prior) => (Some(now), &prior.chain_names),
        None => (Some(now), &Vec::new()),
    };
    if let Some(since) = status_since {
        finding.product_fields.insert(format!("{EVIDENCE_PREFIX}{STATUS_SINCE}"), since.to_string());
    }
    if !chain_before.is_empty() {
        let names = serde_json::to_string(chain_before).unwrap_or_default();
        finding.product_fields.insert(format!("{EVIDENCE_PREFIX}{CHAIN_BEFORE}"), truncate(&names, 2048));
    }
    finding.resources.extend(chain_resources(verdict, identity));
    finding
}

/// A finding this run no longer produces (its control or region left the scope), re-imported
/// as ARCHIVED.
pub fn build_archived_finding(
    prior: &PriorFinding,
    identity: &Identity,
    region: &str,
    now: Timestamp,
) -> Finding {
    let control_id = prior.id.rsplit('/').next().unwrap_or_default();
    let mut finding =
        base_finding(identity, region, control_id, now, Some(prior), SeverityLabel::Informational);
    finding.id = prior.id.clone();
    let title = control_id
        .parse::<Control>()
        .map_or_else(|_| control_id.to_string(), |c| format!("{} {}", c.id(), c.title()));
    finding.title = truncate(&title, 256);
    finding.description =
        format!("{control_id} in {region} is no longer in the scope of cis-monitor's audit.");
    finding.compliance.status = Status::NotAvailable;
    finding.remediation.recommendation.text =
        "None: the control or region was removed from the audit's scope.".to_string();
    finding.record_state = RecordState::Archived;
    finding
}

fn base_finding(
    identity: &Identity,
    region: &str,
    control_id: &str,
    now: Timestamp,
    prior: Option<&PriorFinding>,
    severity: SeverityLabel,
) -> Finding {
    let now = now.to_string();
    let created_at = prior.map_or_else(|| now.clone(), |prior| prior.created_at.clone());
    let first_observed_at =
        prior.and_then(|prior| prior.first_observed_at.clone()).unwrap_or_else(|| created_at.clone());
    let types = vec![FINDING_TYPE.to_string()];
    Finding {
        schema_version: "2018-10-08",
        id: finding_id(&identity.account, region, control_id),
        product_arn: product_arn(identity, region),
        generator_id: format!("{ID_PREFIX}{control_id}"),
        product_name: PRODUCT_NAME,
        company_name: COMPANY_NAME,
        aws_account_id: identity.account.clone(),
        region: region.to_string(),
        types: types.clone(),
        created_at,
        updated_at: now.clone(),
        first_observed_at,
        last_observed_at: now,
        severity: Severity { label: severity },
        title: String::new(),
        description: String::new(),
        compliance: Compliance {
            status: Status::NotAvailable,
            status_reasons: Vec::new(),
            related_requirements: Vec::new(),
        },
        remediation: Remediation {
            recommendation: Recommendation {
                text: String::new(),
                url: format!("https://docs.aws.amazon.com/console/securityhub/{control_id}/remediation"),
            },
        },
        product_fields: BTreeMap::new(),
        resources: vec![Resource {
            kind: "AwsAccount".to_string(),
            id: format!("AWS::::Account:{}", identity.account),
            partition: identity.partition.clone(),
            region: region.to_string(),
        }],
        record_state: RecordState::Active,
        finding_provider_fields: FindingProviderFields { severity: Severity { label: severity }, types },
    }
}

/// Cuts `text` to at most `limit` characters, marking the cut.
fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn product_fields(verdict: &Verdict) -> BTreeMap<String, String> {
    let evidence = &verdict.evidence;
    let flag = |value: Option<bool>| value.map(|flag| flag.to_string());
    let fields = [
        ("Control", Some(verdict.control.id().to_string())),
        ("Status", Some(verdict.status.as_str().to_string())),
        ("ReasonCode", Some(verdict.reason_code.clone()).filter(|code| !code.is_empty())),
        ("BrokenLink", (verdict.link != Link::Complete).then(|| verdict.link.name().to_string())),
        ("TrailArn", evidence.trail_arn.clone()),
        ("TrailAccount", account_of(evidence.trail_arn.as_deref())),
        ("ChainAccount", account_of(evidence.log_group_arn.as_deref())),
        ("TrailHomeRegion", evidence.trail_home_region.clone()),
        ("LogGroupArn", evidence.log_group_arn.clone()),
        ("LogGroupName", evidence.log_group_name.clone()),
        ("LogRoleArn", evidence.log_role_arn.clone()),
        ("LogsDeliveredAt", evidence.logs_delivered_at.clone()),
        ("FilterName", evidence.filter_name.clone()),
        ("FilterPattern", evidence.filter_pattern.clone()),
        ("FilterExactCis", flag(evidence.filter_exact_cis)),
        ("FilterOverBroad", flag(evidence.filter_over_broad)),
        ("FilterCoverage", evidence.filter_coverage.clone()),
        ("MetricNamespace", evidence.metric_namespace.clone()),
        ("MetricName", evidence.metric_name.clone()),
        ("MetricDimensions", evidence.metric_dimensions.clone()),
        ("AlarmName", evidence.alarm_name.clone()),
        ("AlarmArn", evidence.alarm_arn.clone()),
        ("TopicArn", evidence.topic_arn.clone()),
        ("TopicKmsKeyId", evidence.topic_key.clone()),
        ("ConfirmedSubscriptions", evidence.confirmed_subscriptions.map(|count| count.to_string())),
        ("SubscriptionArn", evidence.subscription_arn.clone()),
        ("Version", Some(env!("CARGO_PKG_VERSION").to_string())),
    ];
    fields
        .into_iter()
        .filter_map(|(key, value)| {
            value.map(|value| (format!("{EVIDENCE_PREFIX}{key}"), truncate(&value, 2048)))
        })
        .collect()
}

/// The account an ARN names.
fn account_of(arn: Option<&str>) -> Option<String> {
    arn.and_then(Arn::parse).map(|arn| arn.account.to_string()).filter(|account| !account.is_empty())
}

fn chain_resources(verdict: &Verdict, identity: &Identity) -> Vec<Resource> {
    let evidence = &verdict.evidence;
    let resource = |kind: &str, arn: &Option<String>| {
        let arn = arn.as_deref().filter(|arn| !arn.is_empty())?;
        let parts = Arn::parse(arn);
        Some(Resource {
            kind: kind.to_string(),
            id: arn.to_string(),
            partition: parts.map_or(identity.partition.clone(), |p| p.partition.to_string()),
            region: parts.map(|p| p.region).filter(|r| !r.is_empty()).unwrap_or(&verdict.region).to_string(),
        })
    };
    // ASFF has no type for a log group: `Other`, with its ARN (without the `:*` of the form
    // CloudTrail names it by), so that a broken filter names its resource.
    let log_group = evidence.log_group_arn.as_deref().map(|arn| arn.trim_end_matches(":*").to_string());
    [
        resource("AwsCloudTrailTrail", &evidence.trail_arn),
        resource("Other", &log_group),
        resource("AwsCloudWatchAlarm", &evidence.alarm_arn),
        resource("AwsSnsTopic", &evidence.topic_arn),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// What every finding of a run shares: the settings, when the run started, and the changes
/// that triggered it (empty for a scheduled run).
#[derive(Debug, Clone, Copy)]
pub struct FindingRun<'a> {
    /// The settings.
    pub settings: FindingSettings,
    /// When the run started.
    pub now: Timestamp,
    /// The changes that triggered the run.
    pub changes: &'a [ChainChange],
}

/// The findings of a region: one per verdict, naming the change among the run's changes that turned it to its status, or the one its earlier finding named while the
/// status stays; and an archived one for every earlier ACTIVE finding of this tool that the
/// run no longer produces.
pub fn findings_to_import(
    verdicts: &[&Verdict],
    prior: &BTreeMap<String, PriorFinding>,
    identity: &Identity,
    region: &str,
    run: FindingRun<'_>,
) -> Vec<Finding> {
    let FindingRun { settings, now, changes } = run;
    let mut findings: Vec<Finding> = verdicts
        .iter()
        .map(|verdict| {
            let id = finding_id(&identity.account, region, verdict.control.id());
            let earlier = prior.get(&id);
            let mut finding = build_finding(verdict, identity, settings, now, earlier);
            if let Some(change) = attribution(verdict, earlier, changes) {
                let sentence = change_sentence(&change, verdict.status);
                finding.description = truncate(&format!("{} {sentence}", verdict.description), 1024);
                finding.product_fields.extend(change_fields(&change));
            }
            finding
        })
        .collect();
    let stale: Vec<Finding> = prior
        .values()
        .filter(|earlier| {
            earlier.record_state == RecordState::Active
                && !findings.iter().any(|finding| finding.id == earlier.id)
        })
        .map(|earlier| build_archived_finding(earlier, identity, region, now))
        .collect();
    findings.extend(stale);
    findings
}
