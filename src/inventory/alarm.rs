//! Alarms and the metrics they watch, and the rules that decide whether an alarm fires on one
//! matching event: its statistic of the filter's value over one period must breach its
//! threshold, and one breaching period must be enough. Collection uses the rules to decide
//! what else to read, evaluation to judge: they live here, below both.

use serde::Serialize;

/// A CloudWatch metric in a region: what an alarm must watch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricRef {
    /// The metric's region.
    pub region: String,
    /// The metric's namespace.
    pub namespace: String,
    /// The metric's name.
    pub name: String,
}

impl MetricRef {
    /// Whether `(namespace, name)` names this metric.
    pub fn is(&self, (namespace, name): &(String, String)) -> bool {
        *namespace == self.namespace && *name == self.name
    }
}

/// A CloudWatch metric alarm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alarm {
    /// The alarm's name.
    pub name: String,
    /// The alarm's ARN.
    pub arn: String,
    /// Whether its actions run.
    pub actions_enabled: bool,
    /// What runs when it goes into ALARM.
    pub alarm_actions: Vec<String>,
    /// The metric it watches directly, when it watches one metric.
    pub metric: Option<(String, String)>,
    /// The statistic (`Sum`, `SampleCount`...) or extended statistic (`p99`).
    pub statistic: Option<String>,
    /// The comparison operator (`GreaterThanOrEqualToThreshold`...).
    pub comparison: Option<String>,
    /// The threshold.
    pub threshold: Option<f64>,
    /// Periods evaluated.
    pub evaluation_periods: Option<i32>,
    /// Breaching periods needed to alarm (defaults to `evaluation_periods`).
    pub datapoints_to_alarm: Option<i32>,
    /// Metric-math queries, when the alarm uses them.
    pub queries: Vec<MetricQuery>,
}

/// One query of a metric-math alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricQuery {
    /// The query's id.
    pub id: String,
    /// The metric it reads, as (namespace, name), when it reads one.
    pub metric: Option<(String, String)>,
    /// The statistic it reads the metric with.
    pub statistic: Option<String>,
    /// The math expression, when it is one.
    pub expression: Option<String>,
    /// Whether its result is what the alarm compares.
    pub return_data: bool,
}

/// Why an alarm is not shown to fire on a single event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CannotFire {
    /// It provably does not fire: the reason says why.
    Never(String),
    /// Whether it fires cannot be decided from its configuration.
    Undecidable(String),
}

impl Alarm {
    /// Whether the alarm watches `metric`: directly, or through a metric-math query that
    /// reads it.
    pub fn watches(&self, metric: &MetricRef) -> bool {
        self.metric.as_ref().is_some_and(|watched| metric.is(watched))
            || self.queries.iter().any(|query| query.metric.as_ref().is_some_and(|read| metric.is(read)))
    }

    /// Whether the alarm is a metric-math alarm that reads `metric`: the kind
    /// DescribeAlarmsForMetric leaves out, found among a region's alarms.
    pub fn watches_through_math(&self, metric: &MetricRef) -> bool {
        self.metric.is_none() && self.watches(metric)
    }

    /// Whether one event, counted with the filter's `metric_value`, makes the alarm notify:
    /// its actions are enabled and it fires. When a standard alarm on a metric does, the
    /// region's metric-math alarms need not be read.
    pub fn notifies_on_one_event(&self, metric: &MetricRef, metric_value: &str) -> bool {
        self.actions_enabled && self.can_fire(metric, metric_value).is_ok()
    }

    /// Whether one event that the filter counts with `metric_value` (its `metricValue`) puts
    /// the alarm into ALARM. `Ok(())` when it does.
    ///
    /// # Errors
    ///
    /// [`CannotFire::Never`] when the statistic, threshold or datapoints rule it out,
    /// [`CannotFire::Undecidable`] when the configuration does not say.
    pub fn can_fire(&self, metric: &MetricRef, metric_value: &str) -> Result<(), CannotFire> {
        let Ok(value) = metric_value.trim().parse::<f64>() else {
            return Err(CannotFire::Undecidable(format!(
                "the filter publishes `{metric_value}`, a value read from each event, so one event's value is unknown"
            )));
        };
        let statistic = self.compared_statistic(metric)?;
        let observed = match statistic.as_str() {
            "SampleCount" => 1.0,
            "Sum" | "Average" | "Minimum" | "Maximum" => value,
            percentile if is_percentile_statistic(percentile) => value,
            other => {
                return Err(CannotFire::Undecidable(format!("the statistic `{other}` is not understood")));
            }
        };
        let threshold = self
            .threshold
            .ok_or_else(|| CannotFire::Undecidable("the alarm has no threshold".to_string()))?;
        let comparison = self.comparison.as_deref().unwrap_or_default();
        let breaches = match comparison {
            "GreaterThanOrEqualToThreshold" => observed >= threshold,
            "GreaterThanThreshold" => observed > threshold,
            "LessThanThreshold" => observed < threshold,
            "LessThanOrEqualToThreshold" => observed <= threshold,
            other => {
                return Err(CannotFire::Undecidable(format!(
                    "the comparison `{other}` depends on an anomaly-detection band"
                )));
            }
        };
        if !breaches {
            return Err(CannotFire::Never(format!(
                "one event gives {statistic} = {observed}, which does not breach `{comparison}` {threshold}"
            )));
        }
        let needed = self.datapoints_to_alarm.or(self.evaluation_periods).unwrap_or(1);
        if needed > 1 {
            return Err(CannotFire::Never(format!(
                "it needs {needed} breaching periods, and one event fills one period"
            )));
        }
        Ok(())
    }

    /// The statistic under which the alarm compares `metric`: its own, or that of the metric-math
    /// query it returns, when that query reads the metric directly.
    fn compared_statistic(&self, metric: &MetricRef) -> Result<String, CannotFire> {
        if self.metric.is_some() {
            return self
                .statistic
                .clone()
                .ok_or_else(|| CannotFire::Undecidable("the alarm has no statistic".to_string()));
        }
        let returned = self.queries.iter().find(|query| query.return_data);
        match returned {
            Some(query) if query.metric.as_ref().is_some_and(|read| metric.is(read)) => query
                .statistic
                .clone()
                .ok_or_else(|| CannotFire::Undecidable("the alarm's query has no statistic".to_string())),
            Some(query) => Err(CannotFire::Undecidable(format!(
                "the alarm compares the metric-math expression `{}`, whose value for one event is not evaluated",
                query.expression.as_deref().unwrap_or(&query.id)
            ))),
            None => {
                Err(CannotFire::Undecidable("the alarm's metric-math queries return no data".to_string()))
            }
        }
    }
}

/// Percentile-style extended statistics (`p99`, `tm90`, `wm99`, `tc90`, `ts90`, `pr(...)`):
/// over a single data point, each equals that point.
fn is_percentile_statistic(statistic: &str) -> bool {
    ["p", "tm", "wm", "tc", "ts", "pr", "iqm"].iter().any(|prefix| statistic.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric() -> MetricRef {
        MetricRef {
            region: "us-east-1".to_string(),
            namespace: "CISBenchmark".to_string(),
            name: "TrailChanges".to_string(),
        }
    }

    fn alarm(
        statistic: &str,
        comparison: &str,
        threshold: f64,
        periods: i32,
        datapoints: Option<i32>,
    ) -> Alarm {
        Alarm {
            name: "a".to_string(),
            arn: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:a".to_string(),
            actions_enabled: true,
            alarm_actions: vec![],
            metric: Some(("CISBenchmark".to_string(), "TrailChanges".to_string())),
            statistic: Some(statistic.to_string()),
            comparison: Some(comparison.to_string()),
            threshold: Some(threshold),
            evaluation_periods: Some(periods),
            datapoints_to_alarm: datapoints,
            queries: vec![],
        }
    }

    #[test]
    fn firing_follows_statistic_threshold_and_datapoints() {
        let ge = "GreaterThanOrEqualToThreshold";
        let cases = [
            (alarm("Sum", ge, 1.0, 1, None), "1", Ok(())),
            (alarm("SampleCount", ge, 1.0, 1, None), "5", Ok(())),
            (alarm("Maximum", "GreaterThanThreshold", 0.0, 1, Some(1)), "1", Ok(())),
            (alarm("p99", ge, 1.0, 1, None), "1", Ok(())),
            (alarm("Sum", ge, 2.0, 1, None), "1", Err(false)),
            (alarm("Sum", "GreaterThanThreshold", 1.0, 1, None), "1", Err(false)),
            (alarm("Sum", "LessThanThreshold", 1.0, 1, None), "1", Err(false)),
            (alarm("Sum", ge, 1.0, 3, None), "1", Err(false)),
            (alarm("Sum", ge, 1.0, 3, Some(1)), "1", Ok(())),
            (alarm("Sum", ge, 1.0, 1, Some(2)), "1", Err(false)),
            (alarm("Sum", ge, 1.0, 1, None), "$.bytes", Err(true)),
            (alarm("Sum", "LessThanLowerOrGreaterThanUpperThreshold", 1.0, 1, None), "1", Err(true)),
        ];
        for (index, (alarm, value, expected)) in cases.into_iter().enumerate() {
            let outcome =
                alarm.can_fire(&metric(), value).map_err(|e| matches!(e, CannotFire::Undecidable(_)));
            assert_eq!(outcome, expected, "case {index}");
        }
    }

    #[test]
    fn metric_math_alarms_count_when_they_return_the_metric() {
        let query = |id: &str, metric: Option<(&str, &str)>, expression: Option<&str>, return_data: bool| {
            MetricQuery {
                id: id.to_string(),
                metric: metric.map(|(ns, n)| (ns.to_string(), n.to_string())),
                statistic: metric.map(|_| "Sum".to_string()),
                expression: expression.map(str::to_string),
                return_data,
            }
        };
        let mut math = alarm("Sum", "GreaterThanOrEqualToThreshold", 1.0, 1, None);
        math.metric = None;
        math.statistic = None;
        math.queries = vec![query("m1", Some(("CISBenchmark", "TrailChanges")), None, true)];
        assert!(math.watches(&metric()));
        assert_eq!(math.can_fire(&metric(), "1"), Ok(()));
        math.queries = vec![
            query("m1", Some(("CISBenchmark", "TrailChanges")), None, false),
            query("e1", None, Some("m1 * 2"), true),
        ];
        assert!(math.watches(&metric()));
        assert!(matches!(math.can_fire(&metric(), "1"), Err(CannotFire::Undecidable(_))));
        math.queries = vec![query("m1", Some(("Other", "TrailChanges")), None, true)];
        assert!(!math.watches(&metric()));
    }
}
