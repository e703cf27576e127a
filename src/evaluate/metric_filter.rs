//! The metric filter's link: some filter of the trail's log group catches every event the
//! control requires, sees every event, and publishes a metric.

use crate::error::FailureKind;
use crate::inventory::{LogGroupRef, MetricFilter};
use crate::pattern::{Decision, FilterPattern};

use super::chain::Walk;
use super::outcome::{Outcome, best};
use super::{Evidence, Link};

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
        best(filters.iter().map(|filter| self.filter(group, filter, evidence))).unwrap_or_else(|| {
            Outcome::failed(
                "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT",
                Link::MetricFilter,
                format!("Log group {} in {} has no metric filters.", group.name, group.region),
                evidence,
            )
        })
    }

    /// The chain through one metric filter.
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
        self.streams(group, transformation, &name, &evidence)
    }
}
