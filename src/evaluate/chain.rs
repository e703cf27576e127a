//! Walks the chain of one control in one region, link by link, for every candidate trail,
//! filter, alarm and topic, and keeps the best outcome.

use crate::arn::Arn;
use crate::controls::Control;
use crate::error::{ApiFailure, FailureKind};
use crate::inventory::{Alarm, Identity, Inventory, LogGroupRef, MetricFilter, MetricRef, Trail};
use crate::pattern::{Decision, FilterPattern};

use super::alarm::{CannotFire, alarm_watches, can_fire};
use super::selectors::management_gap;
use super::{Evidence, Link, Status, unavailable_code};

/// How far one candidate chain got.
pub(super) struct Outcome {
    pub status: Status,
    pub code: &'static str,
    pub link: Link,
    pub description: String,
    pub evidence: Evidence,
    /// Between failed metric filters: how many required events each never matches, then how
    /// many it may miss; the filter nearest to covering is the one to report.
    pub misses: (usize, usize),
}

impl Outcome {
    fn new(status: Status, code: &'static str, link: Link, description: String, evidence: &Evidence) -> Self {
        Outcome { status, code, link, description, evidence: evidence.clone(), misses: (0, 0) }
    }

    fn failed(code: &'static str, link: Link, description: String, evidence: &Evidence) -> Self {
        Outcome::new(Status::Failed, code, link, description, evidence)
    }

    fn warning(code: &'static str, link: Link, description: String, evidence: &Evidence) -> Self {
        Outcome::new(Status::Warning, code, link, description, evidence)
    }

    /// A link whose read failed: the verdict is unknown, and says which permission or call.
    fn unavailable(link: Link, what: &str, failure: &ApiFailure, evidence: &Evidence) -> Self {
        let cause = match failure.kind {
            FailureKind::AccessDenied => format!("access denied: the function lacks {}", failure.action),
            FailureKind::Throttled => format!("{} was throttled beyond the retries", failure.action),
            FailureKind::Unreachable => format!("{} could not reach {}", failure.action, failure.region),
            _ => format!("{} failed", failure.action),
        };
        let description = format!(
            "Cannot verify the {} link: reading {what} failed ({cause}): {}",
            link.name(),
            failure.message
        );
        Outcome::new(Status::NotAvailable, unavailable_code(failure), link, description, evidence)
    }

    /// Lower is better: passing first, then undecided, then failed; deeper first within each.
    fn rank(&self) -> (Status, std::cmp::Reverse<Link>, (usize, usize)) {
        (self.status, std::cmp::Reverse(self.link), self.misses)
    }
}

fn best(outcomes: impl Iterator<Item = Outcome>) -> Option<Outcome> {
    outcomes.min_by_key(Outcome::rank)
}

/// What one walk needs to know.
struct Walk<'a> {
    inventory: &'a Inventory,
    identity: &'a Identity,
    region: &'a str,
    control: Control,
}

/// The best chain of `control` in `region`.
pub(super) fn best_chain(
    inventory: &Inventory,
    identity: &Identity,
    region: &str,
    control: Control,
) -> Outcome {
    let none = Evidence::default();
    let walk = Walk { inventory, identity, region, control };
    let trails = match inventory.regions.get(region) {
        None => return walk.not_collected(Link::Region, &format!("the trail list of {region}"), &none),
        Some(Err(failure)) => {
            return Outcome::unavailable(Link::Region, &format!("the trails of {region}"), failure, &none);
        }
        Some(Ok(trails)) => trails,
    };
    best(trails.iter().map(|trail| walk.trail(trail))).unwrap_or_else(|| {
        Outcome::failed(
            "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT",
            Link::MultiRegionTrail,
            format!("No CloudTrail trail records {region}, so no {} can reach anyone.", control.subject()),
            &none,
        )
    })
}

impl Walk<'_> {
    /// A resource the collection did not read: cut off by the run's deadline, or (never, in a
    /// consistent inventory) skipped.
    fn not_collected(&self, link: Link, what: &str, evidence: &Evidence) -> Outcome {
        let (code, why) = if self.inventory.interrupted {
            ("DEADLINE_EXCEEDED", "the run's deadline passed before it was read")
        } else {
            ("INTERNAL_SERVICE_ERROR", "it was not read in this run")
        };
        let description = format!("Cannot verify the {} link: {what}: {why}.", link.name());
        Outcome::new(Status::NotAvailable, code, link, description, evidence)
    }

    fn trail(&self, trail: &Trail) -> Outcome {
        let mut evidence = Evidence {
            trail_arn: Some(trail.arn.clone()),
            trail_home_region: Some(trail.home_region.clone()),
            log_group_arn: trail.log_group_arn.clone(),
            ..Evidence::default()
        };
        let name = format!("Trail {} (home region {})", trail.name, trail.home_region);
        if !trail.multi_region {
            return Outcome::failed(
                "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT",
                Link::MultiRegionTrail,
                format!(
                    "{name} records only its home region; no multi-region trail records {}.",
                    self.region
                ),
                &evidence,
            );
        }
        let Some(state) = self.inventory.trail_states.get(&trail.arn) else {
            return self.not_collected(
                Link::Logging,
                &format!("the status of trail {}", trail.name),
                &evidence,
            );
        };
        match &state.logging {
            Err(failure) => {
                return Outcome::unavailable(
                    Link::Logging,
                    &format!("the status of trail {}", trail.name),
                    failure,
                    &evidence,
                );
            }
            Ok(false) => {
                return Outcome::failed(
                    "CLOUDTRAIL_NOT_LOGGING",
                    Link::Logging,
                    format!("{name} is multi-region but not logging."),
                    &evidence,
                );
            }
            Ok(true) => {}
        }
        match &state.selectors {
            Err(failure) => {
                return Outcome::unavailable(
                    Link::ManagementEvents,
                    &format!("the event selectors of trail {}", trail.name),
                    failure,
                    &evidence,
                );
            }
            Ok(selectors) => {
                if let Some(gap) = management_gap(selectors, self.control) {
                    return Outcome::failed(
                        gap.code,
                        Link::ManagementEvents,
                        format!("{name} {}.", gap.description),
                        &evidence,
                    );
                }
            }
        }
        let Some(group_arn) = trail.log_group_arn.as_deref() else {
            return Outcome::failed(
                "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT",
                Link::LogGroup,
                format!(
                    "{name} does not deliver to CloudWatch Logs, so no metric filter can see its events."
                ),
                &evidence,
            );
        };
        let Some(group) = LogGroupRef::from_arn(group_arn) else {
            return Outcome::failed(
                "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT",
                Link::LogGroup,
                format!("{name} names `{group_arn}` as its log group, which is not a log group ARN."),
                &evidence,
            );
        };
        evidence.log_group_name = Some(group.name.clone());
        if group.account != self.identity.account {
            return Outcome::warning(
                "LOG_GROUP_CROSS_ACCOUNT",
                Link::LogGroup,
                format!(
                    "{name} delivers to log group {} in account {}, whose metric filters cannot be read from account {}.",
                    group.name, group.account, self.identity.account
                ),
                &evidence,
            );
        }
        self.log_group(&group, &evidence)
    }

    fn log_group(&self, group: &LogGroupRef, evidence: &Evidence) -> Outcome {
        let what = format!("the metric filters of log group {} in {}", group.name, group.region);
        let filters = match self.inventory.log_groups.get(group) {
            None => return self.not_collected(Link::MetricFilter, &what, evidence),
            Some(Err(failure)) if failure.kind == FailureKind::NotFound => {
                return Outcome::failed(
                    "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT",
                    Link::LogGroup,
                    format!(
                        "The trail delivers to log group {} in {}, which does not exist.",
                        group.name, group.region
                    ),
                    evidence,
                );
            }
            Some(Err(failure)) => return Outcome::unavailable(Link::MetricFilter, &what, failure, evidence),
            Some(Ok(filters)) => filters,
        };
        best(filters.iter().map(|filter| self.filter(group, filter, evidence))).unwrap_or_else(|| {
            Outcome::failed(
                "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT",
                Link::MetricFilter,
                format!("Log group {} in {} has no metric filters.", group.name, group.region),
                evidence,
            )
        })
    }

    fn filter(&self, group: &LogGroupRef, filter: &MetricFilter, evidence: &Evidence) -> Outcome {
        let mut evidence = Evidence {
            filter_name: Some(filter.name.clone()),
            filter_pattern: Some(filter.pattern.clone()),
            ..evidence.clone()
        };
        let name = format!("Metric filter {} of log group {}", filter.name, group.name);
        let pattern = match FilterPattern::parse(&filter.pattern) {
            Ok(pattern) => pattern,
            Err(error) => {
                return Outcome::failed(
                    "CLOUDTRAIL_METRIC_FILTER_NOT_VALID",
                    Link::MetricFilter,
                    format!("{name} has a pattern CloudWatch Logs cannot apply: {error}."),
                    &evidence,
                );
            }
        };
        let coverage = pattern.coverage(self.control);
        evidence.filter_exact_cis = Some(coverage.exact_cis);
        evidence.filter_over_broad = Some(coverage.over_broad);
        if let Decision::Undecidable(reason) = &coverage.decision {
            return Outcome::warning(
                "METRIC_FILTER_PATTERN_UNDECIDABLE",
                Link::MetricFilter,
                format!("{name}: {reason}."),
                &evidence,
            );
        }
        if !coverage.covers() {
            let missed: Vec<String> = coverage.uncovered.iter().map(ToString::to_string).collect();
            let never = coverage.uncovered.iter().filter(|missed| missed.never_matched).count();
            let mut outcome = Outcome::failed(
                "CLOUDTRAIL_METRIC_FILTER_NOT_VALID",
                Link::MetricFilter,
                format!("{name} misses {} of the required events: {}.", missed.len(), missed.join("; ")),
                &evidence,
            );
            outcome.misses = (never, missed.len());
            return outcome;
        }
        if let Some(criteria) = &filter.field_selection_criteria {
            return Outcome::warning(
                "METRIC_FILTER_NARROWED",
                Link::MetricFilter,
                format!(
                    "{name} catches every required event, but only sees events selected by `{criteria}`."
                ),
                &evidence,
            );
        }
        if filter.apply_on_transformed_logs {
            return Outcome::warning(
                "METRIC_FILTER_ON_TRANSFORMED_LOGS",
                Link::MetricFilter,
                format!("{name} runs on transformed log events, whose shape cis-monitor cannot see."),
                &evidence,
            );
        }
        let Some(transformation) = filter.metrics.first() else {
            return Outcome::failed(
                "CLOUDTRAIL_METRIC_FILTER_NOT_VALID",
                Link::MetricFilter,
                format!("{name} publishes no metric."),
                &evidence,
            );
        };
        evidence.metric_namespace = Some(transformation.namespace.clone());
        evidence.metric_name = Some(transformation.name.clone());
        let metric = MetricRef {
            region: group.region.clone(),
            namespace: transformation.namespace.clone(),
            name: transformation.name.clone(),
        };
        self.alarms(&metric, &transformation.value, &name, &evidence)
    }

    fn alarms(&self, metric: &MetricRef, value: &str, filter_name: &str, evidence: &Evidence) -> Outcome {
        let what = format!("the alarms on metric {}/{} in {}", metric.namespace, metric.name, metric.region);
        let mut alarms: Vec<&Alarm> = match self.inventory.alarms.get(metric) {
            None => return self.not_collected(Link::Alarm, &what, evidence),
            Some(Err(failure)) => return Outcome::unavailable(Link::Alarm, &what, failure, evidence),
            Some(Ok(alarms)) => alarms.iter().collect(),
        };
        let region_alarms = self.inventory.region_alarms.get(&metric.region);
        if let Some(Ok(all)) = region_alarms {
            alarms.extend(all.iter().filter(|alarm| alarm.metric.is_none() && alarm_watches(alarm, metric)));
        }
        let outcome = best(alarms.into_iter().map(|alarm| self.alarm(alarm, metric, value, evidence)));
        match (outcome, region_alarms) {
            (Some(outcome), _) if outcome.status == Status::Passed => outcome,
            (_, Some(Err(failure))) => Outcome::unavailable(
                Link::Alarm,
                &format!("the metric alarms of {}", metric.region),
                failure,
                evidence,
            ),
            (Some(outcome), _) => outcome,
            (None, _) => Outcome::failed(
                "CLOUDWATCH_ALARMS_NOT_PRESENT",
                Link::Alarm,
                format!(
                    "{filter_name} catches every required event, but no alarm in {} watches its metric {}/{}.",
                    metric.region, metric.namespace, metric.name
                ),
                evidence,
            ),
        }
    }

    fn alarm(&self, alarm: &Alarm, metric: &MetricRef, value: &str, evidence: &Evidence) -> Outcome {
        let evidence = Evidence {
            alarm_name: Some(alarm.name.clone()),
            alarm_arn: Some(alarm.arn.clone()),
            ..evidence.clone()
        };
        let name = format!("Alarm {} in {}", alarm.name, metric.region);
        if !alarm.actions_enabled {
            return Outcome::failed(
                "CLOUDWATCH_ALARM_ACTIONS_DISABLED",
                Link::Alarm,
                format!(
                    "{name} watches metric {}/{} but its actions are disabled.",
                    metric.namespace, metric.name
                ),
                &evidence,
            );
        }
        match can_fire(alarm, metric, value) {
            Ok(()) => {}
            Err(CannotFire::Never(reason)) => {
                return Outcome::failed(
                    "CLOUDWATCH_ALARM_CANNOT_FIRE",
                    Link::Alarm,
                    format!("{name} does not fire on a single event: {reason}."),
                    &evidence,
                );
            }
            Err(CannotFire::Undecidable(reason)) => {
                return Outcome::warning(
                    "CLOUDWATCH_ALARM_UNDECIDABLE",
                    Link::Alarm,
                    format!("Whether {name} fires on a single event cannot be decided: {reason}."),
                    &evidence,
                );
            }
        }
        let topics: Vec<&str> = alarm
            .alarm_actions
            .iter()
            .map(String::as_str)
            .filter(|action| Arn::parse(action).is_some_and(|arn| arn.service == "sns"))
            .collect();
        best(topics.into_iter().map(|topic| self.topic(topic, metric, &name, &evidence))).unwrap_or_else(
            || {
                Outcome::failed(
                    "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID",
                    Link::AlarmAction,
                    format!("{name} fires on one event but none of its alarm actions is an SNS topic."),
                    &evidence,
                )
            },
        )
    }

    fn topic(&self, topic: &str, metric: &MetricRef, alarm_name: &str, evidence: &Evidence) -> Outcome {
        let mut evidence = Evidence { topic_arn: Some(topic.to_string()), ..evidence.clone() };
        let Some(arn) = Arn::parse(topic) else {
            return Outcome::failed(
                "SNS_TOPIC_INVALID",
                Link::AlarmAction,
                format!("{alarm_name} notifies `{topic}`, which is not a topic ARN."),
                &evidence,
            );
        };
        if arn.account != self.identity.account {
            let code = if arn.region == metric.region {
                "SNS_TOPIC_CROSS_ACCOUNT"
            } else {
                "SNS_TOPIC_CROSS_ACCOUNT_CROSS_REGION"
            };
            return Outcome::warning(
                code,
                Link::Subscriber,
                format!(
                    "{alarm_name} notifies topic {topic} of account {}, whose subscribers cannot be listed from this account.",
                    arn.account
                ),
                &evidence,
            );
        }
        let what = format!("the subscriptions of topic {topic}");
        let subscriptions = match self.inventory.topics.get(topic) {
            None => return self.not_collected(Link::Subscriber, &what, &evidence),
            Some(Err(failure)) if failure.kind == FailureKind::NotFound => {
                return Outcome::failed(
                    "SNS_TOPIC_INVALID",
                    Link::AlarmAction,
                    format!("{alarm_name} notifies topic {topic}, which does not exist."),
                    &evidence,
                );
            }
            Some(Err(failure)) => return Outcome::unavailable(Link::Subscriber, &what, failure, &evidence),
            Some(Ok(subscriptions)) => subscriptions,
        };
        let confirmed = subscriptions.iter().filter(|subscription| subscription.is_confirmed()).count();
        evidence.confirmed_subscriptions = Some(confirmed);
        if confirmed == 0 {
            let pending = subscriptions.len();
            return Outcome::failed(
                "SNS_SUBSCRIPTION_NOT_PRESENT",
                Link::Subscriber,
                format!(
                    "{alarm_name} notifies topic {topic}, which has no confirmed subscriber ({pending} pending or unconfirmed)."
                ),
                &evidence,
            );
        }
        Outcome::new(
            Status::Passed,
            "",
            Link::Complete,
            format!(
                "{} are monitored in {}: multi-region trail {} delivers to log group {}, filter {} catches every required event, \
                 and {alarm_name} notifies topic {topic}, which has {confirmed} confirmed subscriber(s).",
                self.control.subject(),
                self.region,
                evidence.trail_arn.as_deref().unwrap_or_default(),
                evidence.log_group_name.as_deref().unwrap_or_default(),
                evidence.filter_name.as_deref().unwrap_or_default(),
            ),
            &evidence,
        )
    }
}
