//! Verdicts: pure functions from the inventory to one verdict per region and control.
//!
//! A control holds in a region when some trail the region sees carries a whole chain: the trail
//! is multi-region, logging, and records the control's management events; it delivers to a
//! log group of this account; a metric filter of that group catches every required event; an
//! alarm in the group's region watches the filter's metric (same name and namespace), has its
//! actions enabled and fires on one event; one of its actions is an SNS topic; the topic has a
//! confirmed subscriber. Every trail's chain is walked as far as it goes and the best chain
//! wins: a passing one, else an undecided one (WARNING, NOT_AVAILABLE: it might pass), else
//! the one that got furthest. The verdict names the broken link and the resource.

mod alarm;
mod chain;
mod metric_filter;
mod outcome;
pub mod selectors;
mod subscriber;
mod topic;
mod trail;

use serde::Serialize;

use crate::controls::Control;
use crate::error::{ApiFailure, FailureKind};
use crate::identity::Identity;
use crate::inventory::Inventory;

/// A compliance status, as ASFF spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The chain holds.
    Passed,
    /// The chain could not be followed to the end, for a reason that is not a failure
    /// (a resource in another account, a pattern that cannot be decided).
    Warning,
    /// A read failed: the verdict is unknown.
    NotAvailable,
    /// A link is broken.
    Failed,
}

impl Status {
    /// The ASFF spelling: `PASSED`, `WARNING`, `NOT_AVAILABLE`, `FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "PASSED",
            Status::Warning => "WARNING",
            Status::NotAvailable => "NOT_AVAILABLE",
            Status::Failed => "FAILED",
        }
    }

    /// The status an ASFF spelling names.
    pub fn from_asff(text: &str) -> Option<Self> {
        [Status::Passed, Status::Warning, Status::NotAvailable, Status::Failed]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// The links of the chain, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Link {
    /// The region's trails could be listed.
    Region,
    /// A multi-region trail exists.
    MultiRegionTrail,
    /// It is logging.
    Logging,
    /// It records the control's management events.
    ManagementEvents,
    /// It delivers to a CloudWatch Logs group of this account.
    LogGroup,
    /// CloudTrail's delivery to that group works.
    Delivery,
    /// A metric filter of the group catches every required event.
    MetricFilter,
    /// An alarm on the filter's metric fires on one event.
    Alarm,
    /// One of the alarm's actions is an SNS topic.
    AlarmAction,
    /// The topic's access policy lets CloudWatch publish for the alarm.
    TopicPolicy,
    /// The topic's key, if any, lets CloudWatch use it.
    TopicKey,
    /// The topic has a confirmed subscriber.
    Subscriber,
    /// Every link holds.
    Complete,
}

impl Link {
    /// The link's name in descriptions and summaries.
    pub fn name(self) -> &'static str {
        match self {
            Link::Region => "region",
            Link::MultiRegionTrail => "multi-region trail",
            Link::Logging => "trail logging",
            Link::ManagementEvents => "management events",
            Link::LogGroup => "log group",
            Link::Delivery => "log delivery",
            Link::MetricFilter => "metric filter",
            Link::Alarm => "alarm",
            Link::AlarmAction => "alarm action",
            Link::TopicPolicy => "topic policy",
            Link::TopicKey => "topic key",
            Link::Subscriber => "subscriber",
            Link::Complete => "complete",
        }
    }
}

/// What the verdict rests on: the resources of the chain it followed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The trail's ARN.
    pub trail_arn: Option<String>,
    /// The trail's home region.
    pub trail_home_region: Option<String>,
    /// The log group's ARN, as the trail names it.
    pub log_group_arn: Option<String>,
    /// The log group's name.
    pub log_group_name: Option<String>,
    /// The role CloudTrail writes to the log group with.
    pub log_role_arn: Option<String>,
    /// When CloudTrail last delivered to the log group.
    pub logs_delivered_at: Option<String>,
    /// The metric filter's name.
    pub filter_name: Option<String>,
    /// The metric filter's pattern.
    pub filter_pattern: Option<String>,
    /// Whether that pattern is the CIS text up to white space.
    pub filter_exact_cis: Option<bool>,
    /// Whether that pattern may match records the control does not ask for.
    pub filter_over_broad: Option<bool>,
    /// When several filters share the required events: which filter catches which.
    pub filter_coverage: Option<String>,
    /// The filter's metric namespace.
    pub metric_namespace: Option<String>,
    /// The filter's metric name.
    pub metric_name: Option<String>,
    /// The dimensions of the stream the verdict rests on (`EventName=CreateVpc`), when the
    /// filter publishes any.
    pub metric_dimensions: Option<String>,
    /// The alarm's name.
    pub alarm_name: Option<String>,
    /// The alarm's ARN.
    pub alarm_arn: Option<String>,
    /// The SNS topic's ARN.
    pub topic_arn: Option<String>,
    /// The key that encrypts the topic, as the topic names it.
    pub topic_key: Option<String>,
    /// How many confirmed subscriptions the topic has.
    pub confirmed_subscriptions: Option<usize>,
    /// The subscription that receives the notification, or the first that filters it out.
    pub subscription_arn: Option<String>,
}

impl Evidence {
    /// The names and ARNs of the chain's resources: what a change to the chain names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [
            &self.trail_arn,
            &self.log_group_arn,
            &self.log_group_name,
            &self.filter_name,
            &self.alarm_name,
            &self.alarm_arn,
            &self.topic_arn,
            &self.topic_key,
            &self.subscription_arn,
        ]
        .into_iter()
        .filter_map(Option::as_deref)
    }
}

/// The verdict on one control in one region.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// The region.
    pub region: String,
    /// The control.
    pub control: Control,
    /// The compliance status.
    pub status: Status,
    /// The reason code: Security Hub's where one fits, cis-monitor's own otherwise.
    pub reason_code: String,
    /// The first link that does not hold (`Complete` when the control passes).
    pub link: Link,
    /// What holds or what broke, naming the resource.
    pub description: String,
    /// The chain the verdict rests on.
    pub evidence: Evidence,
}

/// One verdict per region and control, in region then control order.
pub fn evaluate(
    inventory: &Inventory,
    identity: &Identity,
    regions: &[String],
    controls: &[Control],
) -> Vec<Verdict> {
    let mut regions: Vec<&String> = regions.iter().collect();
    regions.sort();
    regions.dedup();
    regions
        .into_iter()
        .flat_map(|region| {
            controls.iter().map(move |control| evaluate_control(inventory, identity, region, *control))
        })
        .collect()
}

/// The verdict on `control` in `region`.
pub fn evaluate_control(
    inventory: &Inventory,
    identity: &Identity,
    region: &str,
    control: Control,
) -> Verdict {
    let outcome = chain::best_chain(inventory, identity, region, control);
    Verdict {
        region: region.to_string(),
        control,
        status: outcome.status,
        reason_code: outcome.code.to_string(),
        link: outcome.link,
        description: outcome.description,
        evidence: outcome.evidence,
    }
}

/// The reason code of a verdict that a failed read left unknown.
pub fn unavailable_code(failure: &ApiFailure) -> &'static str {
    match failure.kind {
        FailureKind::Throttled => "THROTTLING_ERROR",
        FailureKind::AccessDenied => "ACCESS_DENIED",
        FailureKind::Unreachable => "REGION_UNREACHABLE",
        FailureKind::NotFound | FailureKind::NotEnabled | FailureKind::Other => "INTERNAL_SERVICE_ERROR",
    }
}

/// Why the run did not audit an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unaudited {
    /// The run could not act in it: its role could not be assumed, or its regions could not
    /// be listed.
    #[error("{0}")]
    Unreachable(ApiFailure),
    /// The run's deadline passed before the account's turn came.
    #[error("the run's deadline passed before this account's turn")]
    OutOfTime,
}

/// The verdicts of `account`, which the run did not audit for `reason`: NOT_AVAILABLE in
/// every region and control, naming the reason.
pub fn unaudited_account(
    account: &str,
    reason: &Unaudited,
    regions: &[String],
    controls: &[Control],
) -> Vec<Verdict> {
    let (code, description) = match reason {
        Unaudited::Unreachable(failure) => (
            unavailable_code(failure),
            format!("Cannot audit account {account}: {} failed: {}", failure.action, failure.message),
        ),
        Unaudited::OutOfTime => {
            ("DEADLINE_EXCEEDED", format!("Account {account} was not audited: {reason}."))
        }
    };
    regions
        .iter()
        .flat_map(|region| {
            controls.iter().map(|control| Verdict {
                region: region.clone(),
                control: *control,
                status: Status::NotAvailable,
                reason_code: code.to_string(),
                link: Link::Region,
                description: description.clone(),
                evidence: Evidence::default(),
            })
        })
        .collect()
}
