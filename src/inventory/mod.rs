//! The account as cis-monitor saw it in one run: trails, their state, the metric filters of
//! their log groups, the alarms on those filters' metrics, and the alarms' topics with their
//! policies, keys and subscriptions. Plain data, no SDK types: collection ([`crate::collect`])
//! fills it, evaluation ([`crate::evaluate`]) judges it, and the rules both need (what an alarm
//! watches, whether it fires, which subscription receives everything) are pure functions
//! here, below both.
//!
//! Every fetch keeps its own outcome: a denied or failed call is recorded as an [`ApiFailure`]
//! beside the resources that were read, never in place of the whole inventory.

mod alarm;
mod log_group;
mod topic;
mod trail;

use std::collections::BTreeMap;

use serde::Serialize;

pub use alarm::{
    Alarm, CannotFire, Datapoint, Dimension, MetricQuery, MetricRef, WatchedMetric, dimensions_label,
};
pub use log_group::{LogGroupRef, MetricFilter, MetricTransformation, UnpinnedDimension};
pub use topic::{
    KeyDescription, KeyRef, KeyState, Subscription, SubscriptionFilter, TopicAttributes, TopicState,
};
pub use trail::{
    AdvancedSelector, ClassicSelector, EventSelectors, FieldSelector, Trail, TrailState, TrailStatus,
};

use crate::error::ApiFailure;
use crate::time::Timestamp;

/// A region of one account: where a region's trails and alarms are listed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRegion {
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
}

impl AccountRegion {
    /// `region` of `account`.
    pub fn new(account: &str, region: &str) -> Self {
        AccountRegion { account: account.to_string(), region: region.to_string() }
    }
}

/// Everything collected in one run, for every audited account. Each resource is keyed by what
/// names it (an ARN, or the account and region it lives in), so a resource seen from many
/// accounts and regions is held once.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// When collection started: what "recent" means for the times the account reports.
    pub collected_at: Timestamp,
    /// Whether the run's deadline cut the collection short: what is missing was not read.
    pub interrupted: bool,
    /// The trails each audited region of each audited account sees (shadow trails included).
    pub regions: BTreeMap<AccountRegion, Result<Vec<Trail>, ApiFailure>>,
    /// Status and event selectors of each trail, by trail ARN.
    pub trail_states: BTreeMap<String, TrailState>,
    /// The metric filters of each log group, by log group.
    pub log_groups: BTreeMap<LogGroupRef, Result<Vec<MetricFilter>, ApiFailure>>,
    /// The standard alarms on each metric, by metric.
    pub alarms: BTreeMap<MetricRef, Result<Vec<Alarm>, ApiFailure>>,
    /// Every metric alarm of a region, read only where no standard alarm on a needed metric
    /// can fire, to find metric-math alarms that use it.
    pub region_alarms: BTreeMap<AccountRegion, Result<Vec<Alarm>, ApiFailure>>,
    /// The attributes and subscriptions of each topic, by topic ARN.
    pub topics: BTreeMap<String, TopicState>,
    /// The keys that encrypt those topics.
    pub keys: BTreeMap<KeyRef, KeyState>,
}
