//! Trails: what DescribeTrails, GetTrailStatus and GetEventSelectors say of each.

use serde::Serialize;

use crate::error::ApiFailure;
use crate::time::Timestamp;

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
    /// The role CloudTrail assumes to write to that log group, if any.
    pub log_role_arn: Option<String>,
}

/// What GetTrailStatus and GetEventSelectors said of a trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailState {
    /// Whether the trail is logging, and how its delivery to CloudWatch Logs goes.
    pub status: Result<TrailStatus, ApiFailure>,
    /// What the trail records.
    pub selectors: Result<EventSelectors, ApiFailure>,
}

/// What GetTrailStatus said of a trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailStatus {
    /// Whether the trail is logging.
    pub logging: bool,
    /// `LatestCloudWatchLogsDeliveryError`: why CloudTrail last failed to deliver to the log
    /// group, if it did.
    pub logs_delivery_error: Option<String>,
    /// `LatestCloudWatchLogsDeliveryTime`: when CloudTrail last delivered to the log group.
    pub logs_delivered_at: Option<Timestamp>,
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
