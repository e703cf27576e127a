//! The account as cis-monitor saw it in one run: trails, their state, the metric filters of
//! their log groups, the alarms on those filters' metrics and the subscriptions of the alarms'
//! topics. Plain data, no SDK types, so that evaluation is a pure function of it.
//!
//! Every resource is fetched once per run however many regions see it ([`collect`]), and every
//! fetch keeps its own outcome: a denied or failed call is recorded as an [`ApiFailure`] beside
//! the resources that were read, never in place of the whole inventory.

#[cfg(feature = "aws")]
mod cloudtrail;
#[cfg(feature = "aws")]
mod cloudwatch;
#[cfg(feature = "aws")]
mod collect;
#[cfg(feature = "aws")]
mod logs;
#[cfg(feature = "aws")]
mod memo;
#[cfg(feature = "aws")]
mod sns;

use std::collections::BTreeMap;

use serde::Serialize;

#[cfg(feature = "aws")]
pub use collect::collect;

use crate::arn::Arn;
use crate::error::ApiFailure;

/// Who is auditing: the account and partition, from the caller's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The 12-digit account id.
    pub account: String,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`...).
    pub partition: String,
    /// The caller's ARN.
    pub arn: String,
}

/// Everything collected in one run.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// Whether the run's deadline cut the collection short: what is missing was not read.
    pub interrupted: bool,
    /// The trails each audited region sees (shadow trails included), by region.
    pub regions: BTreeMap<String, Result<Vec<Trail>, ApiFailure>>,
    /// Status and event selectors of each trail, by trail ARN.
    pub trail_states: BTreeMap<String, TrailState>,
    /// The metric filters of each log group, by log group.
    pub log_groups: BTreeMap<LogGroupRef, Result<Vec<MetricFilter>, ApiFailure>>,
    /// The standard alarms on each metric, by metric.
    pub alarms: BTreeMap<MetricRef, Result<Vec<Alarm>, ApiFailure>>,
    /// Every metric alarm of a region, read only where no standard alarm on a needed metric
    /// can fire, to find metric-math alarms that use it.
    pub region_alarms: BTreeMap<String, Result<Vec<Alarm>, ApiFailure>>,
    /// The subscriptions of each topic, by topic ARN.
    pub topics: BTreeMap<String, Result<Vec<Subscription>, ApiFailure>>,
}

/// A CloudTrail trail, as DescribeTrails reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trail {
    /// The trail's name.
    pub name: String,
    /// The trail's ARN, which names its home region and owning account.
    pub arn: String,
    /// The region the trail was created in.
    pub home_region: String,
    /// Whether the trail records every region.
    pub multi_region: bool,
    /// Whether it is an organization trail.
    pub organization: bool,
    /// The CloudWatch Logs log group ARN it delivers to, if any.
    pub log_group_arn: Option<String>,
}

/// What GetTrailStatus and GetEventSelectors said of a trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailState {
    /// Whether the trail is logging.
    pub logging: Result<bool, ApiFailure>,
    /// What the trail records.
    pub selectors: Result<EventSelectors, ApiFailure>,
}

/// A trail's event selectors: classic or advanced (AWS returns one kind or the other).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventSelectors {
    /// Classic selectors.
    pub classic: Vec<ClassicSelector>,
    /// Advanced selectors.
    pub advanced: Vec<AdvancedSelector>,
}

/// A classic event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassicSelector {
    /// `All`, `ReadOnly` or `WriteOnly` (AWS's default is `All`).
    pub read_write_type: String,
    /// Whether management events are recorded.
    pub include_management_events: bool,
    /// Event sources excluded from management events (`kms.amazonaws.com`...).
    pub exclude_management_event_sources: Vec<String>,
}

/// An advanced event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedSelector {
    /// The selector's name, if any.
    pub name: Option<String>,
    /// Its field conditions, all of which must hold.
    pub fields: Vec<FieldSelector>,
}

/// One condition of an advanced event selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSelector {
    /// The field (`eventCategory`, `readOnly`, `eventSource`...).
    pub field: String,
    /// The field equals one of these.
    pub equals: Vec<String>,
    /// The field equals none of these.
    pub not_equals: Vec<String>,
    /// The field starts with one of these.
    pub starts_with: Vec<String>,
    /// The field starts with none of these.
    pub not_starts_with: Vec<String>,
    /// The field ends with one of these.
    pub ends_with: Vec<String>,
    /// The field ends with none of these.
    pub not_ends_with: Vec<String>,
}

/// A CloudWatch Logs log group, located by region, account and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroupRef {
    /// The log group's region.
    pub region: String,
    /// The account that owns it.
    pub account: String,
    /// Its name.
    pub name: String,
}

impl LogGroupRef {
    /// Reads the log group from a trail's `CloudWatchLogsLogGroupArn`
    /// (`arn:aws:logs:<region>:<account>:log-group:<name>:*`).
    pub fn from_arn(text: &str) -> Option<Self> {
        let arn = Arn::parse(text)?;
        let name = arn.resource.strip_prefix("log-group:")?;
        let name = name.strip_suffix(":*").unwrap_or(name);
        (arn.service == "logs" && !name.is_empty() && !arn.region.is_empty()).then(|| LogGroupRef {
            region: arn.region.to_string(),
            account: arn.account.to_string(),
            name: name.to_string(),
        })
    }
}

/// A metric filter of a log group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricFilter {
    /// The filter's name.
    pub name: String,
    /// Its pattern, as stored.
    pub pattern: String,
    /// The metric it publishes (CloudWatch Logs allows one per filter).
    pub metrics: Vec<MetricTransformation>,
    /// System-field selection that narrows which events the filter sees, if any.
    pub field_selection_criteria: Option<String>,
    /// Whether it runs on transformed rather than original log events.
    pub apply_on_transformed_logs: bool,
}

/// The metric a metric filter publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricTransformation {
    /// The metric's name.
    pub name: String,
    /// The metric's namespace.
    pub namespace: String,
    /// The value published per matching event: a number, or a `$.field` selector.
    pub value: String,
}

/// A CloudWatch metric in a region: what an alarm must watch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricRef {
    /// The metric's region.
    pub region: String,
    /// The metric's namespace.
    pub namespace: String,
    /// The metric's name.
    pub name: String,
}

/// A CloudWatch metric alarm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alarm {
    /// The alarm's name.
    pub name: String,
    /// The alarm's ARN.
    pub arn: String,
    /// Whether its actions run.
    pub actions_enabled: bool,
    /// What runs when it goes into ALARM.
    pub alarm_actions: Vec<String>,
    /// The metric it watches directly, when it watches one metric.
    pub metric: Option<(String, String)>,
    /// The statistic (`Sum`, `SampleCount`...) or extended statistic (`p99`).
    pub statistic: Option<String>,
    /// The comparison operator (`GreaterThanOrEqualToThreshold`...).
    pub comparison: Option<String>,
    /// The threshold.
    pub threshold: Option<f64>,
    /// Periods evaluated.
    pub evaluation_periods: Option<i32>,
    /// Breaching periods needed to alarm (defaults to `evaluation_periods`).
    pub datapoints_to_alarm: Option<i32>,
    /// Metric-math queries, when the alarm uses them.
    pub queries: Vec<MetricQuery>,
}

/// One query of a metric-math alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricQuery {
    /// The query's id.
    pub id: String,
    /// The metric it reads, as (namespace, name), when it reads one.
    pub metric: Option<(String, String)>,
    /// The statistic it reads the metric with.
    pub statistic: Option<String>,
    /// The math expression, when it is one.
    pub expression: Option<String>,
    /// Whether its result is what the alarm compares.
    pub return_data: bool,
}

/// A subscription of an SNS topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The subscription ARN, or `PendingConfirmation` before it is confirmed.
    pub arn: String,
    /// The protocol (`email`, `sqs`, `lambda`...). The endpoint is not kept: it may be personal.
    pub protocol: String,
}

impl Subscription {
    /// Whether the subscription is confirmed: its ARN is a real ARN.
    pub fn is_confirmed(&self) -> bool {
        Arn::parse(&self.arn).is_some_and(|arn| arn.service == "sns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_arns_give_region_account_and_name() {
        let group = LogGroupRef::from_arn("arn:aws:logs:eu-west-1:111122223333:log-group:CloudTrail/Logs:*");
        assert_eq!(
            group,
            Some(LogGroupRef {
                region: "eu-west-1".to_string(),
                account: "111122223333".to_string(),
                name: "CloudTrail/Logs".to_string()
            })
        );
        let china = LogGroupRef::from_arn("arn:aws-cn:logs:cn-north-1:111122223333:log-group:a:b:*");
        assert_eq!(china.map(|g| g.name), Some("a:b".to_string()));
        assert_eq!(LogGroupRef::from_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(LogGroupRef::from_arn("not an arn"), None);
    }

    #[test]
    fn only_real_subscription_arns_are_confirmed() {
        let subscription = |arn: &str| Subscription { arn: arn.to_string(), protocol: "email".to_string() };
        assert!(
            subscription("arn:aws:sns:us-east-1:111122223333:alerts:6b0e71bd-7e97-4d97-80ce-4a0994e55286")
                .is_confirmed()
        );
        assert!(!subscription("PendingConfirmation").is_confirmed());
        assert!(!subscription("Deleted").is_confirmed());
        assert!(!subscription("").is_confirmed());
    }
}
