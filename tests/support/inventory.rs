//! The healthy account as a plain inventory, for the tests of the pure core: the same names as
//! the moto account, in any partition, region and log group (`Names`).

use std::collections::BTreeMap;

use cis_monitor::controls::Control;
use cis_monitor::evaluate::{Verdict, evaluate};
use cis_monitor::identity::Identity;
use cis_monitor::inventory::{
    AccountRegion, Alarm, ClassicSelector, EventSelectors, Inventory, LogGroupRef, MetricFilter, MetricRef,
    MetricTransformation, Subscription, TopicAttributes, TopicState, Trail, TrailState, TrailStatus,
    WatchedMetric,
};
use cis_monitor::time::Timestamp;

use super::healthy::{
    ACCOUNT, HOME, LOG_GROUP, LOG_ROLE, NAMESPACE, TOPIC, TRAIL, alarm_name, filter_name, metric_name,
};

/// Where the healthy account lives.
pub struct Names {
    pub partition: &'static str,
    pub region: &'static str,
    pub group: String,
}

impl Default for Names {
    fn default() -> Self {
        Names { partition: "aws", region: HOME, group: LOG_GROUP.to_string() }
    }
}

/// The caller: a role of the account.
pub fn identity(names: &Names) -> Identity {
    Identity {
        account: ACCOUNT.to_string(),
        partition: names.partition.to_string(),
        arn: format!("arn:{}:iam::{ACCOUNT}:role/cis-monitor", names.partition),
    }
}

/// The metric of `control`'s filter.
pub fn metric(names: &Names, control: Control) -> MetricRef {
    MetricRef {
        account: ACCOUNT.to_string(),
        region: names.region.to_string(),
        namespace: NAMESPACE.to_string(),
        name: metric_name(control),
        dimensions: vec![],
    }
}

/// The topic every alarm notifies.
pub fn topic(names: &Names) -> String {
    format!("arn:{}:sns:{}:{ACCOUNT}:{TOPIC}", names.partition, names.region)
}

/// `control`'s alarm: Sum >= 1 over one period, actions enabled, notifying `actions`.
pub fn alarm(names: &Names, control: Control, actions: Vec<String>) -> Alarm {
    let metric = metric(names, control);
    Alarm {
        name: alarm_name(control),
        arn: format!(
            "arn:{}:cloudwatch:{}:{ACCOUNT}:alarm:{}",
            names.partition,
            names.region,
            alarm_name(control)
        ),
        actions_enabled: true,
        alarm_actions: actions,
        metric: Some(WatchedMetric {
            namespace: metric.namespace,
            name: metric.name,
            dimensions: metric.dimensions,
            unit: None,
        }),
        statistic: Some("Sum".to_string()),
        comparison: Some("GreaterThanOrEqualToThreshold".to_string()),
        threshold: Some(1.0),
        evaluation_periods: Some(1),
        datapoints_to_alarm: None,
        treat_missing_data: None,
        queries: vec![],
    }
}

/// When the healthy inventory was collected.
pub const COLLECTED_AT: Timestamp = Timestamp::from_millis(1_795_392_000_000);

/// A logging trail whose last delivery to CloudWatch Logs was five minutes before collection.
pub fn delivering() -> TrailStatus {
    TrailStatus {
        logging: true,
        logs_delivery_error: None,
        logs_delivered_at: Some(Timestamp::from_millis(COLLECTED_AT.millis() - 5 * 60 * 1000)),
    }
}

/// A compliant inventory: one multi-region trail, the CIS filters, alarms, a subscribed topic.
pub fn healthy(names: &Names) -> Inventory {
    let trail_arn = format!("arn:{}:cloudtrail:{}:{ACCOUNT}:trail/{TRAIL}", names.partition, names.region);
    let group_arn =
        format!("arn:{}:logs:{}:{ACCOUNT}:log-group:{}:*", names.partition, names.region, names.group);
    let trail = Trail {
        name: TRAIL.to_string(),
        arn: trail_arn.clone(),
        home_region: names.region.to_string(),
        multi_region: true,
        organization: false,
        log_group_arn: Some(group_arn.clone()),
        log_role_arn: Some(format!("arn:{}:iam::{ACCOUNT}:role/{LOG_ROLE}", names.partition)),
    };
    let group = LogGroupRef::from_arn(&group_arn).expect("log group ARN");
    let filters = Control::ALL
        .iter()
        .map(|control| MetricFilter {
            name: filter_name(*control),
            pattern: control.canonical_pattern().to_string(),
            metrics: vec![MetricTransformation {
                name: metric_name(*control),
                namespace: NAMESPACE.to_string(),
                value: "1".to_string(),
                dimensions: BTreeMap::new(),
                unit: None,
                default_value: None,
            }],
            field_selection_criteria: None,
            apply_on_transformed_logs: false,
        })
        .collect();
    let selectors = EventSelectors {
        classic: vec![ClassicSelector {
            read_write_type: "All".to_string(),
            include_management_events: true,
            exclude_management_event_sources: vec![],
        }],
        advanced: vec![],
    };
    Inventory {
        collected_at: COLLECTED_AT,
        interrupted: false,
        regions: BTreeMap::from([(AccountRegion::new(ACCOUNT, names.region), Ok(vec![trail]))]),
        trail_states: BTreeMap::from([(
            trail_arn,
            TrailState { status: Ok(delivering()), selectors: Ok(selectors) },
        )]),
        log_groups: BTreeMap::from([(group, Ok(filters))]),
        alarms: Control::ALL
            .iter()
            .map(|c| (metric(names, *c), Ok(vec![alarm(names, *c, vec![topic(names)])])))
            .collect(),
        region_alarms: BTreeMap::new(),
        topics: BTreeMap::from([(topic(names), topic_state(names))]),
        keys: BTreeMap::new(),
    }
}

/// The topic's state: SNS's default access policy, no key, one confirmed subscription
/// without a filter policy.
pub fn topic_state(names: &Names) -> TopicState {
    TopicState {
        attributes: Ok(TopicAttributes {
            kms_master_key_id: None,
            policy: Some(default_topic_policy(names)),
        }),
        subscriptions: Ok(vec![Subscription {
            arn: format!("{}:0b5f3a53-8f0f-4c5e-9a36-4f8d2a6c1e77", topic(names)),
            protocol: "email".to_string(),
            filter: Some(Ok(None)),
        }]),
    }
}

/// The access policy SNS gives a new topic.
pub fn default_topic_policy(names: &Names) -> String {
    serde_json::json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
                "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": topic(names),
            "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
        }]
    })
    .to_string()
}

/// The verdicts of every control in the names' region.
pub fn verdicts(inventory: &Inventory, names: &Names) -> Vec<Verdict> {
    evaluate(inventory, &identity(names), &[names.region.to_string()], &Control::ALL)
}
