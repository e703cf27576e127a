//! Collection, the run's second stage: fills the [`Inventory`] from AWS, every region at once
//! (bounded), each dependent read issued as soon as its input is known, each resource read once
//! however many regions lead to it. Each service's reads are one file (`cloudtrail`,
//! `logs`, `cloudwatch`, `sns`); `memo` is how a resource is read once.
//!
//! Only what a verdict can use is read: the trails a region sees; the state of multi-region
//! trails; the filters of their log groups (in the group's own region and account, when that
//! account is audited); the
//! alarms on the metric streams that the required events a filter catches publish to; those alarms' topics (this account only): attributes, subscriptions, the filter
//! policies of confirmed subscriptions until one has none, and the key that encrypts the topic.
//!
//! The SDK's futures are large; each fan-out boxes its futures so that the stack stays small.

use std::collections::{BTreeMap, BTreeSet};

use futures::StreamExt;
use futures::future::join_all;
use tokio::time::Instant;

mod cloudtrail;
mod cloudwatch;
mod kms;
mod logs;
mod memo;
mod sns;

use cloudtrail::{describe_trails, fetch_trail_state};
use cloudwatch::{fetch_alarms_for_metric, fetch_metric_alarms};
use kms::fetch_key_state;
use logs::fetch_metric_filters;
use memo::Memo;
use sns::fetch_topic;

use crate::arn::Arn;
use crate::clients::Clients;
use crate::controls::Control;
use crate::controls::RequiredEvent;
use crate::discover::AuditedAccount;
use crate::error::ApiFailure;
use crate::inventory::{
    AccountRegion, Alarm, Datapoint, Inventory, KeyRef, KeyState, LogGroupRef, MetricFilter, MetricRef,
    TopicState, Trail, TrailState,
};
use crate::pattern::{Decision, FilterPattern};
use crate::time::Timestamp;

type Fetched<T> = Result<T, ApiFailure>;

/// The run's shared state: every audited account's clients, the scope, and one memo per kind
/// of resource.
struct Collector<'a> {
    clients: BTreeMap<&'a str, &'a Clients>,
    controls: &'a [Control],
    region_trails: Memo<AccountRegion, Fetched<Vec<Trail>>>,
    trail_states: Memo<String, TrailState>,
    log_groups: Memo<LogGroupRef, Fetched<Vec<MetricFilter>>>,
    alarms: Memo<MetricRef, Fetched<Vec<Alarm>>>,
    region_alarms: Memo<AccountRegion, Fetched<Vec<Alarm>>>,
    topics: Memo<String, TopicState>,
    keys: Memo<KeyRef, KeyState>,
}

/// Reads what the verdicts of `controls` need in every region of every account of `accounts`,
/// at most `account_concurrency` accounts and, in each, `concurrency` regions at a time. A
/// resource is read with the credentials of the account that owns it, when that account is
/// audited; one in another account is left unread. Never fails: every failed read is kept in
/// the inventory, where evaluation finds it. At `deadline` the reads still under way are
/// abandoned and the inventory says so; what was read by then is kept.
pub async fn collect(
    accounts: &[AuditedAccount],
    controls: &[Control],
    concurrency: usize,
    account_concurrency: usize,
    deadline: Option<Instant>,
) -> Inventory {
    let collected_at = Timestamp::now();
    let collector = Collector {
        clients: accounts
            .iter()
            .map(|account| (account.identity.account.as_str(), &account.clients))
            .collect(),
        controls,
        region_trails: Memo::new(),
        trail_states: Memo::new(),
        log_groups: Memo::new(),
        alarms: Memo::new(),
        region_alarms: Memo::new(),
        topics: Memo::new(),
        keys: Memo::new(),
    };
    let run = futures::stream::iter(accounts)
        .map(|account| {
            let collector = &collector;
            Box::pin(async move {
                futures::stream::iter(&account.regions)
                    .map(|region| Box::pin(collector.collect_region(account, region)))
                    .buffer_unordered(concurrency.max(1))
                    .collect::<Vec<()>>()
                    .await
            })
        })
        .buffer_unordered(account_concurrency.max(1))
        .collect::<Vec<Vec<()>>>();
    let interrupted = match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, run).await.is_err(),
        None => {
            run.await;
            false
        }
    };
    Inventory {
        collected_at,
        interrupted,
        regions: collector.region_trails.into_map(),
        trail_states: collector.trail_states.into_map(),
        log_groups: collector.log_groups.into_map(),
        alarms: collector.alarms.into_map(),
        region_alarms: collector.region_alarms.into_map(),
        topics: collector.topics.into_map(),
        keys: collector.keys.into_map(),
    }
}

impl<'a> Collector<'a> {
    /// The clients of `account`, when it is audited.
    fn clients_of(&self, account: &str) -> Option<&'a Clients> {
        self.clients.get(account).copied()
    }

    async fn collect_region(&self, account: &AuditedAccount, region: &str) {
        let key = AccountRegion::new(&account.identity.account, region);
        let trails = self
            .region_trails
            .get_or_fetch(&key, || {
                let clients = account.clients.region(region);
                async move { describe_trails(clients.cloudtrail(), region).await }
            })
            .await;
        if let Ok(trails) = &trails {
            let multi_region = trails.iter().filter(|trail| trail.multi_region);
            join_all(multi_region.map(|trail| self.follow_trail(trail, &account.clients))).await;
        }
    }

    /// A trail's state, read in the trail's own account when it is audited (an organization
    /// trail's in the management account), else by the account that sees it; and the filters
    /// of its log group, read in the group's account when that is audited.
    async fn follow_trail(&self, trail: &Trail, viewer: &'a Clients) {
        let owner = Arn::parse(&trail.arn).and_then(|arn| self.clients_of(arn.account)).unwrap_or(viewer);
        let state = self.trail_states.get_or_fetch(&trail.arn, || {
            let clients = owner.region(&trail.home_region);
            async move { fetch_trail_state(clients.cloudtrail(), &trail.home_region, &trail.arn).await }
        });
        let filters = async {
            let Some(group) = trail.log_group_arn.as_deref().and_then(LogGroupRef::from_arn) else { return };
            let Some(clients) = self.clients_of(&group.account) else { return };
            Box::pin(self.follow_log_group(&group, clients)).await;
        };
        tokio::join!(state, filters);
    }

    async fn follow_log_group(&self, group: &LogGroupRef, clients: &'a Clients) {
        let filters = self
            .log_groups
            .get_or_fetch(group, || {
                let clients = clients.region(&group.region);
                async move { fetch_metric_filters(clients.logs(), group).await }
            })
            .await;
        let Ok(filters) = filters else { return };
        let mut needed: Vec<Datapoint> = Vec::new();
        for filter in &filters {
            for event in self.events_caught(filter) {
                for datapoint in
                    filter.metrics.iter().filter_map(|metric| metric.datapoint(group, event).ok())
                {
                    if !needed.contains(&datapoint) {
                        needed.push(datapoint);
                    }
                }
            }
        }
        join_all(needed.iter().map(|datapoint| Box::pin(self.follow_datapoint(datapoint, clients)))).await;
    }

    /// The required events of the controls in scope that `filter`'s pattern is sure to catch:
    /// a filter may carry some events of a control while others carry the rest.
    fn events_caught(&self, filter: &MetricFilter) -> Vec<&'static RequiredEvent> {
        let Ok(pattern) = FilterPattern::parse(&filter.pattern) else { return Vec::new() };
        self.controls
            .iter()
            .flat_map(|control| {
                let coverage = pattern.coverage(*control);
                control.required_events().iter().filter(move |event| {
                    coverage.decision == Decision::Decided
                        && !coverage.uncovered.iter().any(|missed| missed.event == **event)
                })
            })
            .collect()
    }

    /// The alarms on the stream of `datapoint` and the topics they notify; the region's
    /// metric-math alarms too, unless a standard alarm already notifies on the event. The
    /// alarms are read with `clients`, the metric's account's.
    async fn follow_datapoint(&self, datapoint: &Datapoint, clients: &'a Clients) {
        let metric = &datapoint.metric;
        let direct = self
            .alarms
            .get_or_fetch(metric, || {
                let clients = clients.region(&metric.region);
                async move { fetch_alarms_for_metric(clients.cloudwatch(), metric).await }
            })
            .await;
        let Ok(direct) = direct else { return };
        let mut alarms: Vec<Alarm> = direct.into_iter().filter(|alarm| alarm.watches(metric)).collect();
        if !alarms.iter().any(|alarm| alarm.notifies_on_one_event(datapoint)) {
            let all = self
                .region_alarms
                .get_or_fetch(&AccountRegion::new(&metric.account, &metric.region), || {
                    let clients = clients.region(&metric.region);
                    async move { fetch_metric_alarms(clients.cloudwatch(), &metric.region).await }
                })
                .await;
            if let Ok(all) = all {
                alarms.extend(all.into_iter().filter(|alarm| alarm.watches_through_math(metric)));
            }
        }
        let topics: BTreeSet<&str> =
            alarms.iter().flat_map(|alarm| &alarm.alarm_actions).map(String::as_str).collect();
        join_all(topics.into_iter().map(|topic| Box::pin(self.follow_topic(topic)))).await;
    }

    /// A topic, read in its own account when that is audited, and the key that encrypts it,
    /// read in the key's account when that is audited, else by the topic's.
    async fn follow_topic(&self, topic_arn: &str) {
        let Some(arn) = Arn::parse(topic_arn) else { return };
        let Some(clients) = self.clients_of(arn.account).filter(|_| arn.service == "sns") else { return };
        let region = arn.region;
        let state = self
            .topics
            .get_or_fetch(&topic_arn.to_string(), || {
                let clients = clients.region(region);
                async move { fetch_topic(clients.sns(), region, topic_arn).await }
            })
            .await;
        let Some(key_id) = state.attributes.ok().and_then(|attributes| attributes.kms_master_key_id) else {
            return;
        };
        let key = KeyRef::of_topic(region, arn.account, &key_id);
        if key.is_aws_managed_sns_alias() {
            return;
        }
        let key_clients = self.clients_of(&key.account).unwrap_or(clients);
        self.keys
            .get_or_fetch(&key, || {
                let clients = key_clients.region(&key.region);
                let key = &key;
                async move { fetch_key_state(clients.kms(), key).await }
            })
            .await;
    }
}
