//! The alarm's links: an alarm in the log group's region watches the filter's metric, has its
//! actions enabled and fires on one event, and one of its actions is an SNS topic.

use crate::arn::Arn;
use crate::inventory::{Alarm, CannotFire, MetricRef};

use super::chain::Walk;
use super::outcome::{Outcome, best};
use super::{Evidence, Link, Status};

impl Walk<'_> {
    /// The chain through the alarms on `metric`, standard and metric-math.
    pub(super) fn alarms(
        &self,
        metric: &MetricRef,
        value: &str,
        filter_name: &str,
        evidence: &Evidence,
    ) -> Outcome {
        let what = format!("the alarms on metric {}/{} in {}", metric.namespace, metric.name, metric.region);
        let mut alarms: Vec<&Alarm> = match self.inventory.alarms.get(metric) {
            None => return self.not_collected(Link::Alarm, &what, evidence),
            Some(Err(failure)) => return Outcome::unavailable(Link::Alarm, &what, failure, evidence),
            Some(Ok(alarms)) => alarms.iter().collect(),
        };
        let region_alarms = self.inventory.region_alarms.get(&metric.region);
        if let Some(Ok(all)) = region_alarms {
            alarms.extend(all.iter().filter(|alarm| alarm.watches_through_math(metric)));
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

    /// The chain through one alarm.
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
        match alarm.can_fire(metric, value) {
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
}
