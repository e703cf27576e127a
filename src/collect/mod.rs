//! Collection, the run's second stage: fills each account's [`Inventory`] from AWS, every
//! region at once (bounded), each dependent read issued as soon as its input is known, each
//! resource read once however many regions and accounts lead to it. Each service's reads are
//! one file (`cloudtrail`, `logs`, `cloudwatch`, `sns`, `kms`); [`crate::memo`] is how a
//! resource is read once.
//!
//! Only what a verdict can use is read: the trails a region sees; the state of multi-region
//! trails; the filters of their log groups; the alarms on the metric streams that the required
//! events a filter catches publish to; those alarms' topics: attributes, subscriptions, the
//! filter policies of confirmed subscriptions until one has none, and the key that encrypts
//! the topic. Each is read in the account that owns it when the run audits that account (an
//! organization trail's chain in the management account), and left unread when it does not.
//!
//! What several accounts lead to (anything reached through an organization trail or another
//! account's resource) is kept for the whole run; what only one account needs is forgotten
//! when its inventory has been taken, so that memory does not grow with the accounts.
//!
//! The SDK's futures are large; each fan-out boxes its futures so that the stack stays small.

use std::collections::BTreeSet;

use futures::StreamExt;
use futures::future::join_all;
use tokio::time::Instant;

mod cloudtrail;
mod cloudwatch;
mod kms;
mod logs;
mod sns;

use cloudtrail::{describe_trails, fetch_trail_state};
use cloudwatch::{fetch_alarms_for_metric, fetch_metric_alarms};
use kms::fetch_key_state;
use logs::fetch_metric_filters;
use sns::fetch_topic;

use std::sync::Arc;

use crate::access::AccountAccess;
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
use crate::memo::{Keep, Memo};
use crate::pattern::{Decision, FilterPattern};
use crate::time::Timestamp;

type Fetched<T> = Result<T, ApiFailure>;

/// The run's collection: one memo per kind of resource, shared by every account's turn.
pub struct Collection<'a> {
    access: &'a AccountAccess<'a>,
    controls: &'a [Control],
    collected_at: Timestamp,
    region_trails: Memo<AccountRegion, Fetched<Vec<Trail>>>,
    trail_states: Memo<String, TrailState>,
    log_groups: Memo<LogGroupRef, Fetched<Vec<MetricFilter>>>,
    alarms: Memo<MetricRef, Fetched<Vec<Alarm>>>,
    region_alarms: Memo<AccountRegion, Fetched<Vec<Alarm>>>,
    topics: Memo<String, TopicState>,
    keys: Memo<KeyRef, KeyState>,
}

/// How long a resource owned by `owner` and reached on a path kept `inherited` is kept: for
/// the viewing account's turn only while the path stays in that account, for the run as soon
/// as it leaves it.
fn keep_for(inherited: &Keep, owner: &str) -> Keep {
    match inherited {
        Keep::Turn(viewer) if viewer == owner => inherited.clone(),
        Keep::Turn(_) | Keep::Run => Keep::Run,
    }
}

impl<'a> Collection<'a> {
    /// An empty collection for the verdicts of `controls`, reading through `access`.
    pub fn new(access: &'a AccountAccess<'a>, controls: &'a [Control]) -> Self {
        Collection {
            access,
            controls,
            collected_at: Timestamp::now(),
            region_trails: Memo::default(),
            trail_states: Memo::default(),
            log_groups: Memo::default(),
            alarms: Memo::default(),
            region_alarms: Memo::default(),
            topics: Memo::default(),
            keys: Memo::default(),
        }
    }

    /// Reads what the verdicts of `account` need in each of its regions, `concurrency` regions
    /// at a time, and returns its inventory: what it needs, read now or earlier in the run.
    /// Never fails: every failed read is kept in the inventory, where evaluation finds it. At
    /// `deadline` the reads still under way are abandoned and the inventory says so; what was
    /// read by then is kept. What only this account needed is then forgotten.
    pub async fn collect_account(
        &self,
        account: &AuditedAccount,
        concurrency: usize,
        deadline: Option<Instant>,
    ) -> Inventory {
        let run = futures::stream::iter(&account.regions)
            .map(|region| Box::pin(self.collect_region(account, region)))
            .buffer_unordered(concurrency.max(1))
            .collect::<Vec<()>>();
        let interrupted = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, run).await.is_err(),
            None => {
                run.await;
                false
            }
        };
        let id = account.identity.account.as_str();
        let inventory = Inventory {
            collected_at: self.collected_at,
            interrupted,
            regions: self.region_trails.snapshot(id),
            trail_states: self.trail_states.snapshot(id),
            log_groups: self.log_groups.snapshot(id),
            alarms: self.alarms.snapshot(id),
            region_alarms: self.region_alarms.snapshot(id),
            topics: self.topics.snapshot(id),
            keys: self.keys.snapshot(id),
        };
        self.release(id);
        inventory
    }

    fn release(&self, account: &str) {
        self.region_trails.release(account);
        self.trail_states.release(account);
        self.log_groups.release(account);
        self.alarms.release(account);
        self.region_alarms.release(account);
        self.topics.release(account);
        self.keys.release(account);
    }

    /// The clients acting in `owner`, seen from `viewer`'s turn: the viewer's own, or the
    /// audited owner's; `None` when the run does not audit it.
    async fn clients_in(&self, owner: &str, viewer: &AuditedAccount) -> Option<Fetched<Arc<Clients>>> {
        if owner == viewer.identity.account {
            return Some(Ok(Arc::clone(&viewer.clients)));
        }
        if !self.access.audits(owner) {
            return None;
        }
        Some(self.access.clients(owner).await)
    }

    async fn collect_region(&self, account: &AuditedAccount, region: &str) {
        let id = &account.identity.account;
        let turn = Keep::Turn(id.clone());
        let trails = self
            .region_trails
            .get_or_fetch(&AccountRegion::new(id, region), &turn, || {
                let clients = account.clients.region(region);
                async move { describe_trails(clients.cloudtrail(), region).await }
            })
            .await;
        if let Ok(trails) = &trails {
            let multi_region = trails.iter().filter(|trail| trail.multi_region);
            join_all(multi_region.map(|trail| {
                let owner = Arn::parse(&trail.arn).map_or(id.as_str(), |arn| arn.account);
                let keep = if trail.organization { Keep::Run } else { keep_for(&turn, owner) };
                Box::pin(self.follow_trail(trail, account, keep))
            }))
            .await;
        }
    }

    /// A trail's state, read in the trail's own account when it is audited and reachable (an
    /// organization trail's in the management account), else by the account that sees it;
    /// and the filters of its log group, read in the group's account.
    async fn follow_trail(&self, trail: &Trail, viewer: &AuditedAccount, keep: Keep) {
        let state = async {
            let owner = match Arn::parse(&trail.arn) {
                Some(arn) => self.clients_in(arn.account, viewer).await.and_then(Result::ok),
                None => None,
            };
            let owner = owner.unwrap_or_else(|| Arc::clone(&viewer.clients));
            self.trail_states
                .get_or_fetch(&trail.arn, &keep, || {
                    let clients = owner.region(&trail.home_region);
                    async move { fetch_trail_state(clients.cloudtrail(), &trail.home_region, &trail.arn).await }
                })
                .await
        };
        let filters = async {
            let Some(group) = trail.log_group_arn.as_deref().and_then(LogGroupRef::from_arn) else { return };
            let Some(clients) = self.clients_in(&group.account, viewer).await else { return };
            Box::pin(self.follow_log_group(&group, clients, keep_for(&keep, &group.account))).await;
        };
        tokio::join!(state, filters);
    }

    /// The filters of `group`, read with `clients` (its account's), or the failure to reach
    /// that account, kept where evaluation looks for the filters.
    async fn follow_log_group(&self, group: &LogGroupRef, clients: Fetched<Arc<Clients>>, keep: Keep) {
        let filters = self
            .log_groups
            .get_or_fetch(group, &keep, || {
                let clients = clients.clone();
                async move {
                    let clients = clients?.region(&group.region);
                    fetch_metric_filters(clients.logs(), group).await
                }
            })
            .await;
        let (Ok(filters), Ok(clients)) = (filters, clients) else { return };
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
        join_all(needed.iter().map(|datapoint| Box::pin(self.follow_datapoint(datapoint, &clients, &keep))))
            .await;
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
    async fn follow_datapoint(&self, datapoint: &Datapoint, clients: &Clients, keep: &Keep) {
        let metric = &datapoint.metric;
        let direct = self
            .alarms
            .get_or_fetch(metric, keep, || {
                let clients = clients.region(&metric.region);
                async move { fetch_alarms_for_metric(clients.cloudwatch(), metric).await }
            })
            .await;
        let Ok(direct) = direct else { return };
        let mut alarms: Vec<Alarm> = direct.into_iter().filter(|alarm| alarm.watches(metric)).collect();
        if !alarms.iter().any(|alarm| alarm.notifies_on_one_event(datapoint)) {
            let all = self
                .region_alarms
                .get_or_fetch(&AccountRegion::new(&metric.account, &metric.region), keep, || {
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
        join_all(topics.into_iter().map(|topic| Box::pin(self.follow_topic(topic, keep)))).await;
    }

    /// A topic, read in its own account when that is audited (or the failure to reach that
    /// account), and the key that encrypts it, read in the key's account when that is
    /// audited, else by the topic's.
    async fn follow_topic(&self, topic_arn: &str, keep: &Keep) {
        let Some(arn) = Arn::parse(topic_arn).filter(|arn| arn.service == "sns") else { return };
        if !self.access.audits(arn.account) {
            return;
        }
        let clients = self.access.clients(arn.account).await;
        let region = arn.region;
        let keep = keep_for(keep, arn.account);
        let state = self
            .topics
            .get_or_fetch(&topic_arn.to_string(), &keep, || {
                let clients = clients.clone();
                async move {
                    match clients {
                        Ok(clients) => fetch_topic(clients.region(region).sns(), region, topic_arn).await,
                        Err(failure) => {
                            TopicState { attributes: Err(failure.clone()), subscriptions: Err(failure) }
                        }
                    }
                }
            })
            .await;
        let (Some(key_id), Ok(clients)) =
            (state.attributes.ok().and_then(|attributes| attributes.kms_master_key_id), clients)
        else {
            return;
        };
        let key = KeyRef::of_topic(region, arn.account, &key_id);
        if key.is_aws_managed_sns_alias() {
            return;
        }
        let key_clients = if self.access.audits(&key.account) {
            self.access.clients(&key.account).await.unwrap_or(clients)
        } else {
            clients
        };
        self.keys
            .get_or_fetch(&key, &keep_for(&keep, &key.account), || {
                let clients = key_clients.region(&key.region);
                let key = &key;
                async move { fetch_key_state(clients.kms(), key).await }
            })
            .await;
    }
}
