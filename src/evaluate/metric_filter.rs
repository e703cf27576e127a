//! The metric filter's link: filters of the trail's log group catch every event the control
//! requires, see every event, and publish a metric. One filter may catch them all; or several
//! share the work, one per event or a few each, and the control holds when every required
//! event is caught by some filter whose own chain completes.

use crate::controls::RequiredEvent;
use crate::error::FailureKind;
use crate::inventory::{LogGroupRef, MetricFilter};
use crate::pattern::{Coverage, Decision, FilterPattern, ParseError};

use super::chain::Walk;
use super::outcome::{Outcome, best, worst};
use super::{Evidence, Link, Status};

/// A metric filter with its pattern judged for the walk's control, once.
struct JudgedFilter<'a> {
    filter: &'a MetricFilter,
    coverage: Result<Coverage, ParseError>,
}

impl JudgedFilter<'_> {
    /// Whether the pattern is sure to catch every record of `event`.
    fn catches(&self, event: &RequiredEvent) -> bool {
        self.coverage.as_ref().is_ok_and(|coverage| {
            coverage.decision == Decision::Decided
                && !coverage.uncovered.iter().any(|missed| missed.event == *event)
        })
    }
}

impl Walk<'_> {
    /// The chain through the metric filters of `group`.
    pub(super) fn log_group(&self, group: &LogGroupRef, evidence: &Evidence) -> Outcome {
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
        let judged: Vec<JudgedFilter> = filters
            .iter()
            .map(|filter| JudgedFilter {
                filter,
                coverage: FilterPattern::parse(&filter.pattern).map(|pattern| pattern.coverage(self.control)),
            })
            .collect();
        let events = self.control.required_events();
        let Some(whole) = best(judged.iter().map(|filter| self.filter(group, filter, events, evidence)))
        else {
            return Outcome::failed(
                "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT",
                Link::MetricFilter,
                format!("Log group {} in {} has no metric filters.", group.name, group.region),
                evidence,
            );
        };
        if whole.status == Status::Passed {
            return whole;
        }
        let per_event: Vec<(&RequiredEvent, Option<Outcome>)> = events
            .iter()
            .map(|event| {
                let catching = judged.iter().filter(|filter| filter.catches(event));
                (
                    event,
                    best(
                        catching
                            .map(|filter| self.filter(group, filter, std::slice::from_ref(event), evidence)),
                    ),
                )
            })
            .collect();
        // Events that pass alone, through filters that do not all carry every event: a layout
        // of filters sharing the events. (One filter that catches every event but whose chain
        // breaks for some is best told by its own chain.)
        let mut passing: Vec<&str> = per_event
            .iter()
            .filter_map(|(_, outcome)| outcome.as_ref().filter(|outcome| outcome.status == Status::Passed))
            .filter_map(|outcome| outcome.evidence.filter_name.as_deref())
            .collect();
        passing.dedup();
        let catches_all = |name: &str| {
            judged
                .iter()
                .any(|filter| filter.filter.name == name && events.iter().all(|event| filter.catches(event)))
        };
        match passing.as_slice() {
            [] => whole,
            [only] if catches_all(only) => whole,
            _ => self.shared(group, per_event, whole, evidence),
        }
    }

    /// The verdict when no one filter's chain carries every required event, but some events
    /// reach a human through filters of their own: passed when every event does, else the
    /// weakest event's chain, naming the events left without a complete one (`nearest`, the
    /// best single filter, speaks for the events no filter catches).
    fn shared(
        &self,
        group: &LogGroupRef,
        per_event: Vec<(&RequiredEvent, Option<Outcome>)>,
        nearest: Outcome,
        evidence: &Evidence,
    ) -> Outcome {
        let mut covering: Vec<(String, Vec<&str>)> = Vec::new();
        let mut broken: Vec<(&RequiredEvent, Outcome)> = Vec::new();
        let mut uncaught: Vec<&str> = Vec::new();
        let mut passed: Option<Outcome> = None;
        for (event, outcome) in per_event {
            match outcome {
                Some(outcome) if outcome.status == Status::Passed => {
                    let filter = outcome.evidence.filter_name.clone().unwrap_or_default();
                    match covering.iter_mut().find(|(name, _)| *name == filter) {
                        Some((_, events)) => events.push(event.name),
                        None => covering.push((filter, vec![event.name])),
                    }
                    passed.get_or_insert(outcome);
                }
                Some(outcome) => broken.push((event, outcome)),
                None => uncaught.push(event.name),
            }
        }
        let layout: Vec<String> =
            covering.iter().map(|(filter, events)| format!("{filter} ({})", events.join(", "))).collect();
        let layout = layout.join(", ");
        let gaps = broken
            .iter()
            .map(|(_, outcome)| outcome.clone())
            .chain((!uncaught.is_empty()).then(|| nearest.clone()));
        let mut outcome = match (worst(gaps), passed) {
            (Some(gap), _) => gap,
            (None, Some(passed)) => passed,
            (None, None) => return nearest,
        };
        outcome.evidence.filter_coverage = Some(layout.clone());
        if outcome.status == Status::Passed {
            outcome.evidence.filter_name =
                Some(covering.iter().map(|(filter, _)| filter.as_str()).collect::<Vec<_>>().join(", "));
            outcome.evidence.filter_pattern = None;
            outcome.evidence.filter_exact_cis = Some(false);
            outcome.description = format!(
                "{} are monitored in {}: multi-region trail {} delivers to log group {}, and each required event is caught \
                 by a metric filter whose own alarm notifies a confirmed subscriber: {layout}. Security Hub's own control, \
                 which wants one filter holding the CIS text, fails this layout.",
                self.control.subject(),
                self.region,
                evidence.trail_arn.as_deref().unwrap_or_default(),
                group.name,
            );
            return outcome;
        }
        let mut missing: Vec<String> = broken
            .iter()
            .map(|(event, gap)| format!("{}: {}", event.name, gap.description.trim_end_matches('.')))
            .collect();
        if !uncaught.is_empty() {
            missing.push(format!(
                "{}: no filter catches them; the nearest: {}",
                uncaught.join(", "),
                nearest.description.trim_end_matches('.')
            ));
        }
        let gap_events: Vec<&str> =
            broken.iter().map(|(event, _)| event.name).chain(uncaught.iter().copied()).collect();
        outcome.description = format!(
            "Some required events reach a human through filters of log group {} ({layout}), but {} do not: {}.",
            group.name,
            gap_events.join(", "),
            missing.join("; ")
        );
        outcome
    }

    /// The chain through one metric filter, for the required `events` (all of the control's,
    /// or the one it is asked to carry).
    fn filter(
        &self,
        group: &LogGroupRef,
        judged: &JudgedFilter<'_>,
        events: &[RequiredEvent],
        evidence: &Evidence,
    ) -> Outcome {
        let filter = judged.filter;
        let mut evidence = Evidence {
            filter_name: Some(filter.name.clone()),
            filter_pattern: Some(filter.pattern.clone()),
            ..evidence.clone()
        };
        let name = format!("Metric filter {} of log group {}", filter.name, group.name);
        let coverage = match &judged.coverage {
            Ok(coverage) => coverage,
            Err(error) => {
                return Outcome::failed(
                    "CLOUDTRAIL_METRIC_FILTER_NOT_VALID",
                    Link::MetricFilter,
                    format!("{name} has a pattern CloudWatch Logs cannot apply: {error}."),
                    &evidence,
                );
            }
        };
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
        let uncovered: Vec<_> =
            coverage.uncovered.iter().filter(|missed| events.contains(&missed.event)).collect();
        if !uncovered.is_empty() {
            let missed: Vec<String> = uncovered.iter().map(ToString::to_string).collect();
            let never = uncovered.iter().filter(|missed| missed.never_matched).count();
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
        self.streams(group, transformation, events, &name, &evidence)
    }
}
