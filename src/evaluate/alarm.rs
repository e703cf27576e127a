//! The alarm's links: every required event's datapoint goes to a metric stream that some alarm
//! in the log group's region watches, with its actions enabled, firing on one event and
//! changing state; one of that alarm's actions is an SNS topic.

use crate::arn::Arn;
use crate::controls::RequiredEvent;
use crate::inventory::{
    AccountRegion, Alarm, CannotFire, Datapoint, LogGroupRef, MetricTransformation, WatchedMetric,
    dimensions_label,
};

use super::chain::Walk;
use super::outcome::{Outcome, best, worst};
use super::{Evidence, Link, Status};

/// A stream and the required events that publish to it.
struct Stream {
    datapoint: Datapoint,
    events: Vec<&'static str>,
}

impl Walk<'_> {
    /// The chain through the streams `transformation` publishes `events` to: each stream must
    /// be watched by an alarm that notifies, so the weakest stream decides.
    pub(super) fn streams(
        &self,
        group: &LogGroupRef,
        transformation: &MetricTransformation,
        events: &[RequiredEvent],
        filter_name: &str,
        evidence: &Evidence,
    ) -> Outcome {
        let mut streams: Vec<Stream> = Vec::new();
        for event in events {
            let datapoint = match transformation.datapoint(group, event) {
                Ok(datapoint) => datapoint,
                Err(unpinned) => {
                    return Outcome::warning(
                        "CLOUDWATCH_ALARM_STREAM_UNDECIDABLE",
                        Link::Alarm,
                        format!(
                            "{filter_name} publishes its metric {}/{} with dimension {} taken from {}, a field \
                             the control leaves open: which stream a required event goes to, and so whether an \
                             alarm watches it, cannot be decided.",
                            transformation.namespace, transformation.name, unpinned.name, unpinned.field
                        ),
                        evidence,
                    );
                }
            };
            match streams.iter_mut().find(|stream| stream.datapoint.metric == datapoint.metric) {
                Some(stream) => stream.events.push(event.name),
                None => streams.push(Stream { datapoint, events: vec![event.name] }),
            }
        }
        let several = streams.len() > 1;
        let outcomes = streams.iter().map(|stream| {
            let dimensions = &stream.datapoint.metric.dimensions;
            let evidence = Evidence {
                metric_dimensions: (!dimensions.is_empty())
                    .then(|| dimensions_label(dimensions).trim().to_string()),
                ..evidence.clone()
            };
            self.stream(stream, several, filter_name, &evidence)
        });
        let mut outcome = worst(outcomes).unwrap_or_else(|| {
            Outcome::failed(
                "CLOUDWATCH_ALARMS_NOT_PRESENT",
                Link::Alarm,
                format!("{filter_name} publishes no datapoint for the control's events."),
                evidence,
            )
        });
        if several && outcome.status == Status::Passed {
            outcome.description.push_str(&format!(
                " The filter publishes each required event to its own stream ({} in all), and every one is \
                 watched alike.",
                streams.len()
            ));
        }
        outcome
    }

    /// The chain through the alarms on one stream, standard and metric-math.
    fn stream(&self, stream: &Stream, several: bool, filter_name: &str, evidence: &Evidence) -> Outcome {
        let metric = &stream.datapoint.metric;
        let what = format!("the alarms on metric {} in {}", metric.label(), metric.region);
        let returned: Vec<&Alarm> = match self.inventory.alarms.get(metric) {
            None => return self.not_collected(Link::Alarm, &what, evidence),
            Some(Err(failure)) => return Outcome::unavailable(Link::Alarm, &what, failure, evidence),
            Some(Ok(alarms)) => alarms.iter().collect(),
        };
        let region_alarms =
            self.inventory.region_alarms.get(&AccountRegion::new(&metric.account, &metric.region));
        let math = region_alarms.and_then(|all| all.as_ref().ok()).into_iter().flatten();
        let mut alarms: Vec<&Alarm> =
            returned.iter().copied().filter(|alarm| alarm.watches(metric)).collect();
        alarms.extend(math.clone().filter(|alarm| alarm.watches_through_math(metric)));
        let outcome = best(alarms.into_iter().map(|alarm| self.alarm(alarm, &stream.datapoint, evidence)));
        match (outcome, region_alarms) {
            (Some(outcome), _) if outcome.status == Status::Passed => outcome,
            (_, Some(Err(failure))) => Outcome::unavailable(
                Link::Alarm,
                &format!("the metric alarms of {}", metric.region),
                failure,
                evidence,
            ),
            (Some(outcome), _) => outcome,
            (None, _) => {
                let elsewhere: Vec<String> = returned
                    .into_iter()
                    .chain(math)
                    .filter(|alarm| alarm.watches_named(metric) && !alarm.watches(metric))
                    .map(|alarm| {
                        let streams: Vec<String> = alarm.metrics_read().map(WatchedMetric::label).collect();
                        format!("{} watches {}", alarm.name, streams.join(" and "))
                    })
                    .collect();
                if elsewhere.is_empty() && !several {
                    return Outcome::failed(
                        "CLOUDWATCH_ALARMS_NOT_PRESENT",
                        Link::Alarm,
                        format!(
                            "{filter_name} catches every required event, but no alarm in {} watches its metric {}.",
                            metric.region,
                            metric.label()
                        ),
                        evidence,
                    );
                }
                let instead = if elsewhere.is_empty() {
                    String::new()
                } else {
                    format!(": {}, a stream that never receives these datapoints", elsewhere.join("; "))
                };
                Outcome::failed(
                    "CLOUDWATCH_ALARM_STREAM_NOT_WATCHED",
                    Link::Alarm,
                    format!(
                        "{filter_name} publishes {} to the stream {}, which no alarm in {} watches{instead}.",
                        stream.events.join(", "),
                        metric.label(),
                        metric.region,
                    ),
                    evidence,
                )
            }
        }
    }

    /// The chain through one alarm that watches the datapoint's stream.
    fn alarm(&self, alarm: &Alarm, datapoint: &Datapoint, evidence: &Evidence) -> Outcome {
        let metric = &datapoint.metric;
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
                format!("{name} watches metric {} but its actions are disabled.", metric.label()),
                &evidence,
            );
        }
        match alarm.can_fire(datapoint) {
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
        best(topics.into_iter().map(|topic| self.topic(topic, alarm, metric, &name, &evidence)))
            .unwrap_or_else(|| {
                Outcome::failed(
                    "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID",
                    Link::AlarmAction,
                    format!("{name} fires on one event but none of its alarm actions is an SNS topic."),
                    &evidence,
                )
            })
    }
}
