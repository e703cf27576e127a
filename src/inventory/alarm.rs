//! Alarms and the metric streams they watch, and the rules that decide whether an alarm
//! notifies on one matching event. Collection uses the rules to decide what else to read,
//! evaluation to judge: they live here, below both.
//!
//! A CloudWatch metric is a stream: namespace, name and the exact set of dimensions
//! ([`MetricRef`]); an alarm evaluates one stream, and CloudWatch keeps no aggregate over
//! dimensions. One event publishes one [`Datapoint`] into one stream. The alarm notifies on it
//! when it watches that stream, in the published unit (or none), its statistic of the period
//! breaches the threshold, one breaching period is enough, and the event changes its state:
//! CloudWatch notifies only on a change, so an alarm that sits in ALARM between events (missing
//! data treated as breaching, a default value that breaches) never tells anyone.

use serde::Serialize;

/// One dimension of a metric stream.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dimension {
    /// The dimension's name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// A CloudWatch metric stream in a region: what an alarm must watch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricRef {
    /// The account that publishes it (the log group's).
    pub account: String,
    /// The metric's region.
    pub region: String,
    /// The metric's namespace.
    pub namespace: String,
    /// The metric's name.
    pub name: String,
    /// Its dimensions, sorted by name; empty for the dimensionless stream.
    pub dimensions: Vec<Dimension>,
}

impl MetricRef {
    /// Whether `watched` reads this very stream: same namespace, name and dimensions.
    pub fn is(&self, watched: &WatchedMetric) -> bool {
        self.is_named(watched) && watched.dimensions == self.dimensions
    }

    /// Whether `watched` has this stream's namespace and name, whatever its dimensions.
    pub fn is_named(&self, watched: &WatchedMetric) -> bool {
        watched.namespace == self.namespace && watched.name == self.name
    }

    /// The stream as people read it: `Namespace/Name` and `{Dimension=value, ...}` when it
    /// has dimensions.
    pub fn label(&self) -> String {
        format!("{}/{}{}", self.namespace, self.name, dimensions_label(&self.dimensions))
    }
}

/// ` {A=1, B=2}`, or nothing for no dimensions.
pub fn dimensions_label(dimensions: &[Dimension]) -> String {
    if dimensions.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> =
        dimensions.iter().map(|dimension| format!("{}={}", dimension.name, dimension.value)).collect();
    format!(" {{{}}}", pairs.join(", "))
}

/// The metric an alarm, or one query of a metric-math alarm, reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchedMetric {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The dimensions, sorted by name.
    pub dimensions: Vec<Dimension>,
    /// The unit the alarm evaluates, when it names one: datapoints in another unit are not
    /// seen.
    pub unit: Option<String>,
}

impl WatchedMetric {
    /// The stream as people read it, as [`MetricRef::label`] writes it.
    pub fn label(&self) -> String {
        format!("{}/{}{}", self.namespace, self.name, dimensions_label(&self.dimensions))
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
    pub metric: Option<WatchedMetric>,
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
    /// How a period without data counts: `missing` (the default), `notBreaching`, `breaching`
    /// or `ignore`.
    pub treat_missing_data: Option<String>,
    /// Metric-math queries, when the alarm uses them.
    pub queries: Vec<MetricQuery>,
}

/// One query of a metric-math alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricQuery {
    /// The query's id.
    pub id: String,
    /// The metric it reads, when it reads one.
    pub metric: Option<WatchedMetric>,
    /// The statistic it reads the metric with.
    pub statistic: Option<String>,
    /// The math expression, when it is one.
    pub expression: Option<String>,
    /// Whether its result is what the alarm compares.
    pub return_data: bool,
}

/// What one matching event publishes: a datapoint of `value` in `unit` into the stream
/// `metric`. Between matches the filter publishes nothing, or `default_value` for every log
/// event that does not match.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Datapoint {
    /// The stream.
    pub metric: MetricRef,
    /// The filter's `metricValue`: a number, or a `$.field` selector.
    pub value: String,
    /// The filter's unit; `None` when it sets none (CloudWatch Logs then publishes `None`).
    pub unit: Option<String>,
    /// The filter's `defaultValue`, if it has one.
    pub default_value: Option<f64>,
}

/// Why an alarm is not shown to notify on a single event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CannotFire {
    /// It provably does not: the reason says why.
    Never(String),
    /// Whether it does cannot be decided from its configuration.
    Undecidable(String),
}

impl Alarm {
    /// Whether the alarm watches the stream `metric`: directly, or through a metric-math query
    /// that reads it.
    pub fn watches(&self, metric: &MetricRef) -> bool {
        self.metrics_read().any(|read| metric.is(read))
    }

    /// Whether the alarm reads a metric of `metric`'s namespace and name, on any stream.
    pub fn watches_named(&self, metric: &MetricRef) -> bool {
        self.metrics_read().any(|read| metric.is_named(read))
    }

    /// Whether the alarm is a metric-math alarm that reads `metric`: the kind
    /// DescribeAlarmsForMetric leaves out, found among a region's alarms.
    pub fn watches_through_math(&self, metric: &MetricRef) -> bool {
        self.metric.is_none() && self.watches(metric)
    }

    /// Whether one event's `datapoint` makes the alarm notify: it watches the stream, its
    /// actions are enabled, and it fires. When a standard alarm on a stream does, the region's
    /// metric-math alarms need not be read.
    pub fn notifies_on_one_event(&self, datapoint: &Datapoint) -> bool {
        self.actions_enabled && self.watches(&datapoint.metric) && self.can_fire(datapoint).is_ok()
    }

    /// Whether the one event `datapoint` stands for puts the alarm, watching its stream, into
    /// ALARM from a state other than ALARM. `Ok(())` when it does.
    ///
    /// # Errors
    ///
    /// [`CannotFire::Never`] when the unit, statistic, threshold, datapoints or missing-data
    /// rule rule it out, [`CannotFire::Undecidable`] when the configuration does not say.
    pub fn can_fire(&self, datapoint: &Datapoint) -> Result<(), CannotFire> {
        let Ok(value) = datapoint.value.trim().parse::<f64>() else {
            return Err(CannotFire::Undecidable(format!(
                "the filter publishes `{}`, a value read from each event, so one event's value is unknown",
                datapoint.value
            )));
        };
        let (statistic, unit) = self.compared_metric(&datapoint.metric)?;
        check_unit(unit.as_deref(), datapoint.unit.as_deref())?;
        let threshold = self
            .threshold
            .ok_or_else(|| CannotFire::Undecidable("the alarm has no threshold".to_string()))?;
        let comparison = Comparison { operator: self.comparison.as_deref().unwrap_or_default(), threshold };
        let with_event = period_with_event(&statistic, value, datapoint.default_value)?;
        match comparison.breaches(&with_event)? {
            Some(true) => {}
            Some(false) => {
                return Err(CannotFire::Never(format!(
                    "one event gives {statistic} = {}, which does not breach {comparison}",
                    describe(&with_event)
                )));
            }
            None => {
                return Err(CannotFire::Undecidable(format!(
                    "with the filter's defaultValue, the period of the event gives {statistic} between {}, \
                     which breaches {comparison} only for some counts of other log events",
                    describe(&with_event)
                )));
            }
        }
        let needed = self.datapoints_to_alarm.or(self.evaluation_periods).unwrap_or(1);
        if needed > 1 {
            return Err(CannotFire::Never(format!(
                "it needs {needed} breaching periods, and one event fills one period"
            )));
        }
        self.changes_state(&statistic, datapoint.default_value, &comparison)
    }

    /// Whether the alarm is out of ALARM when the event comes, so that the event changes its
    /// state: neither the periods whose log events all miss the pattern (`default_value`
    /// datapoints) nor the periods without data may breach.
    fn changes_state(
        &self,
        statistic: &str,
        default_value: Option<f64>,
        comparison: &Comparison<'_>,
    ) -> Result<(), CannotFire> {
        if let Some(default) = default_value {
            let quiet = period_without_event(statistic, default)?;
            match comparison.breaches(&quiet)? {
                Some(false) => {}
                Some(true) => {
                    return Err(CannotFire::Never(format!(
                        "the filter's defaultValue {default} gives {statistic} = {} in every period without a match, \
                         which breaches too: the alarm sits in ALARM, and the event changes no state",
                        describe(&quiet)
                    )));
                }
                None => {
                    return Err(CannotFire::Undecidable(format!(
                        "the filter's defaultValue {default} gives {statistic} between {} in a period without a match, \
                         which breaches for some counts of log events: the alarm may sit in ALARM when the event comes",
                        describe(&quiet)
                    )));
                }
            }
        }
        if self.treat_missing_data.as_deref() != Some("breaching") {
            return Ok(());
        }
        match default_value {
            None => Err(CannotFire::Never(
                "it treats missing data as breaching, and the filter publishes nothing while no record matches \
                 (no defaultValue): every quiet period breaches, the alarm sits in ALARM, and the event changes \
                 no state, so CloudWatch sends nothing"
                    .to_string(),
            )),
            Some(_) => Err(CannotFire::Undecidable(
                "it treats missing data as breaching: a period in which the log group receives no record at all \
                 puts it in ALARM, and an event right after such a period changes no state"
                    .to_string(),
            )),
        }
    }

    /// The metrics the alarm reads: its own, or its queries'.
    pub fn metrics_read(&self) -> impl Iterator<Item = &WatchedMetric> {
        self.metric.iter().chain(self.queries.iter().filter_map(|query| query.metric.as_ref()))
    }

    /// The statistic and unit under which the alarm compares `metric`: its own, or those of
    /// the metric-math query it returns, when that query reads the metric directly.
    fn compared_metric(&self, metric: &MetricRef) -> Result<(String, Option<String>), CannotFire> {
        if let Some(watched) = &self.metric {
            let statistic = self
                .statistic
                .clone()
                .ok_or_else(|| CannotFire::Undecidable("the alarm has no statistic".to_string()))?;
            return Ok((statistic, watched.unit.clone()));
        }
        let returned = self.queries.iter().find(|query| query.return_data);
        match returned {
            Some(query) if query.metric.as_ref().is_some_and(|read| metric.is(read)) => {
                let statistic = query.statistic.clone().ok_or_else(|| {
                    CannotFire::Undecidable("the alarm's query has no statistic".to_string())
                })?;
                Ok((statistic, query.metric.as_ref().and_then(|read| read.unit.clone())))
            }
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

/// An alarm that names a unit sees only datapoints published in that unit (AWS: otherwise it
/// stays in INSUFFICIENT_DATA). A filter without a unit publishes `None`; whether an alarm
/// asking for another unit then sees them is not documented clearly, so that is undecided.
fn check_unit(alarm: Option<&str>, published: Option<&str>) -> Result<(), CannotFire> {
    match (alarm, published) {
        (None, _) => Ok(()),
        (Some(asked), Some(published)) if asked == published => Ok(()),
        (Some("None"), None) => Ok(()),
        (Some(asked), Some(published)) => Err(CannotFire::Never(format!(
            "it evaluates only datapoints in unit {asked}, and the filter publishes in {published}: \
             the alarm stays in INSUFFICIENT_DATA"
        ))),
        (Some(asked), None) => Err(CannotFire::Undecidable(format!(
            "it evaluates only datapoints in unit {asked}, and the filter sets no unit (CloudWatch Logs publishes \
             None); AWS does not document that such an alarm sees them"
        ))),
    }
}

/// The alarm's statistic over the period of the event, for every count of other log events in
/// that period: its range, as the two ends (a threshold comparison holds over a range exactly
/// when it holds at both ends). Without a default value the event's datapoint is alone.
fn period_with_event(statistic: &str, value: f64, default: Option<f64>) -> Result<Vec<f64>, CannotFire> {
    let Some(default) = default else {
        return single_datapoint(statistic, value).map(|observed| vec![observed]);
    };
    Ok(match statistic {
        "SampleCount" => vec![1.0, f64::INFINITY],
        "Sum" if default == 0.0 => vec![value],
        "Sum" => vec![value, f64::INFINITY.copysign(default)],
        "Maximum" => vec![value, value.max(default)],
        "Minimum" => vec![value, value.min(default)],
        other if other == "Average" || is_percentile_statistic(other) => vec![value, default],
        other => return Err(unknown_statistic(other)),
    })
}

/// The statistic over a period in which log events arrive and none matches: the filter
/// publishes `default` for each of them (at least one).
fn period_without_event(statistic: &str, default: f64) -> Result<Vec<f64>, CannotFire> {
    Ok(match statistic {
        "SampleCount" => vec![1.0, f64::INFINITY],
        "Sum" if default == 0.0 => vec![0.0],
        "Sum" => vec![default, f64::INFINITY.copysign(default)],
        other if ["Average", "Minimum", "Maximum"].contains(&other) || is_percentile_statistic(other) => {
            vec![default]
        }
        other => return Err(unknown_statistic(other)),
    })
}

/// The statistic of a period that holds one datapoint of `value`.
fn single_datapoint(statistic: &str, value: f64) -> Result<f64, CannotFire> {
    match statistic {
        "SampleCount" => Ok(1.0),
        "Sum" | "Average" | "Minimum" | "Maximum" => Ok(value),
        percentile if is_percentile_statistic(percentile) => Ok(value),
        other => Err(unknown_statistic(other)),
    }
}

fn unknown_statistic(statistic: &str) -> CannotFire {
    CannotFire::Undecidable(format!("the statistic `{statistic}` is not understood"))
}

/// An alarm's comparison with its threshold.
struct Comparison<'a> {
    operator: &'a str,
    threshold: f64,
}

impl Comparison<'_> {
    /// Whether every observation breaches (`Some(true)`), none does (`Some(false)`), or some do.
    fn breaches(&self, observed: &[f64]) -> Result<Option<bool>, CannotFire> {
        let breach = |value: f64| match self.operator {
            "GreaterThanOrEqualToThreshold" => Ok(value >= self.threshold),
            "GreaterThanThreshold" => Ok(value > self.threshold),
            "LessThanThreshold" => Ok(value < self.threshold),
            "LessThanOrEqualToThreshold" => Ok(value <= self.threshold),
            other => Err(CannotFire::Undecidable(format!(
                "the comparison `{other}` depends on an anomaly-detection band"
            ))),
        };
        let outcomes = observed.iter().map(|value| breach(*value)).collect::<Result<Vec<bool>, _>>()?;
        Ok(if outcomes.iter().all(|b| *b) {
            Some(true)
        } else if outcomes.iter().all(|b| !*b) {
            Some(false)
        } else {
            None
        })
    }
}

impl std::fmt::Display for Comparison<'_> {
    /// `` `GreaterThanOrEqualToThreshold` 1 ``
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` {}", self.operator, self.threshold)
    }
}

/// `1`, or `1 and inf` for a range.
fn describe(observed: &[f64]) -> String {
    let values: Vec<String> = observed.iter().map(ToString::to_string).collect();
    values.join(" and ")
}

/// Percentile-style extended statistics (`p99`, `tm90`, `wm99`, `tc90`, `ts90`, `pr(...)`):
/// over a single data point, each equals that point, and over several each lies between the
/// smallest and the largest.
fn is_percentile_statistic(statistic: &str) -> bool {
    ["p", "tm", "wm", "tc", "ts", "pr", "iqm"].iter().any(|prefix| statistic.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric() -> MetricRef {
        MetricRef {
            account: "111122223333".to_string(),
            region: "us-east-1".to_string(),
            namespace: "CISBenchmark".to_string(),
            name: "TrailChanges".to_string(),
            dimensions: vec![],
        }
    }

    fn watched(dimensions: Vec<Dimension>, unit: Option<&str>) -> WatchedMetric {
        WatchedMetric {
            namespace: "CISBenchmark".to_string(),
            name: "TrailChanges".to_string(),
            dimensions,
            unit: unit.map(str::to_string),
        }
    }

    fn datapoint(value: &str) -> Datapoint {
        Datapoint { metric: metric(), value: value.to_string(), unit: None, default_value: None }
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
            metric: Some(watched(vec![], None)),
            statistic: Some(statistic.to_string()),
            comparison: Some(comparison.to_string()),
            threshold: Some(threshold),
            evaluation_periods: Some(periods),
            datapoints_to_alarm: datapoints,
            treat_missing_data: None,
            queries: vec![],
        }
    }

    const GE: &str = "GreaterThanOrEqualToThreshold";

    /// `Ok(())`, `Err(false)` for never, `Err(true)` for undecidable.
    fn fires(alarm: &Alarm, datapoint: &Datapoint) -> Result<(), bool> {
        alarm.can_fire(datapoint).map_err(|e| matches!(e, CannotFire::Undecidable(_)))
    }

    #[test]
    fn firing_follows_statistic_threshold_and_datapoints() {
        let cases = [
            (alarm("Sum", GE, 1.0, 1, None), "1", Ok(())),
            (alarm("SampleCount", GE, 1.0, 1, None), "5", Ok(())),
            (alarm("Maximum", "GreaterThanThreshold", 0.0, 1, Some(1)), "1", Ok(())),
            (alarm("p99", GE, 1.0, 1, None), "1", Ok(())),
            (alarm("Sum", GE, 2.0, 1, None), "1", Err(false)),
            (alarm("Sum", "GreaterThanThreshold", 1.0, 1, None), "1", Err(false)),
            (alarm("Sum", "LessThanThreshold", 1.0, 1, None), "1", Err(false)),
            (alarm("Sum", GE, 1.0, 3, None), "1", Err(false)),
            (alarm("Sum", GE, 1.0, 3, Some(1)), "1", Ok(())),
            (alarm("Sum", GE, 1.0, 1, Some(2)), "1", Err(false)),
            (alarm("Sum", GE, 1.0, 1, None), "$.bytes", Err(true)),
            (alarm("Sum", "LessThanLowerOrGreaterThanUpperThreshold", 1.0, 1, None), "1", Err(true)),
        ];
        for (index, (alarm, value, expected)) in cases.into_iter().enumerate() {
            assert_eq!(fires(&alarm, &datapoint(value)), expected, "case {index}");
        }
    }

    #[test]
    fn an_alarm_watches_one_stream_in_one_unit() {
        let prod = vec![Dimension { name: "Environment".to_string(), value: "prod".to_string() }];
        let mut on_prod = alarm("Sum", GE, 1.0, 1, None);
        on_prod.metric = Some(watched(prod.clone(), None));
        assert!(!on_prod.watches(&metric()), "a dimensioned alarm does not watch the dimensionless stream");
        assert!(on_prod.watches_named(&metric()));
        assert!(!on_prod.notifies_on_one_event(&datapoint("1")));
        let prod_stream = MetricRef { dimensions: prod, ..metric() };
        assert!(on_prod.watches(&prod_stream));
        assert_eq!(prod_stream.label(), "CISBenchmark/TrailChanges {Environment=prod}");

        let units = [
            (None, Some("Count"), Ok(())),
            (Some("Count"), Some("Count"), Ok(())),
            (Some("Seconds"), Some("Count"), Err(false)),
            (Some("None"), None, Ok(())),
            (Some("Count"), None, Err(true)),
        ];
        for (asked, published, expected) in units {
            let mut alarm = alarm("Sum", GE, 1.0, 1, None);
            alarm.metric = Some(watched(vec![], asked));
            let datapoint = Datapoint { unit: published.map(str::to_string), ..datapoint("1") };
            assert_eq!(fires(&alarm, &datapoint), expected, "alarm unit {asked:?}, published {published:?}");
        }
    }

    #[test]
    fn the_event_must_change_the_alarms_state() {
        let with_default = |default: Option<f64>| Datapoint { default_value: default, ..datapoint("1") };
        let treating = |missing: Option<&str>, statistic: &str| {
            let mut alarm = alarm(statistic, GE, 1.0, 1, None);
            alarm.treat_missing_data = missing.map(str::to_string);
            alarm
        };
        let cases = [
            (None, "Sum", None, Ok(())),
            (Some("missing"), "Sum", None, Ok(())),
            (Some("notBreaching"), "Sum", None, Ok(())),
            (Some("ignore"), "Sum", None, Ok(())),
            (Some("breaching"), "Sum", None, Err(false)),
            (Some("breaching"), "Sum", Some(0.0), Err(true)),
            (None, "Sum", Some(0.0), Ok(())),
            (Some("notBreaching"), "Sum", Some(0.0), Ok(())),
            (None, "Maximum", Some(0.0), Ok(())),
            (None, "Sum", Some(1.0), Err(false)),
            (None, "SampleCount", Some(0.0), Err(false)),
            (None, "Average", Some(0.0), Err(true)),
            (None, "Minimum", Some(0.0), Err(true)),
        ];
        for (missing, statistic, default, expected) in cases {
            let outcome = fires(&treating(missing, statistic), &with_default(default));
            assert_eq!(
                outcome, expected,
                "TreatMissingData {missing:?}, {statistic}, defaultValue {default:?}"
            );
        }
    }

    #[test]
    fn metric_math_alarms_count_when_they_return_the_stream() {
        let query = |id: &str, metric: Option<WatchedMetric>, expression: Option<&str>, return_data: bool| {
            MetricQuery {
                id: id.to_string(),
                statistic: metric.as_ref().map(|_| "Sum".to_string()),
                metric,
                expression: expression.map(str::to_string),
                return_data,
            }
        };
        let mut math = alarm("Sum", GE, 1.0, 1, None);
        math.metric = None;
        math.statistic = None;
        math.queries = vec![query("m1", Some(watched(vec![], None)), None, true)];
        assert!(math.watches(&metric()));
        assert!(math.watches_through_math(&metric()));
        assert_eq!(math.can_fire(&datapoint("1")), Ok(()));
        math.queries = vec![query("m1", Some(watched(vec![], Some("Seconds"))), None, true)];
        let counted = Datapoint { unit: Some("Count".to_string()), ..datapoint("1") };
        assert!(matches!(math.can_fire(&counted), Err(CannotFire::Never(_))), "the query's unit counts");
        math.queries = vec![
            query("m1", Some(watched(vec![], None)), None, false),
            query("e1", None, Some("m1 * 2"), true),
        ];
        assert!(math.watches(&metric()));
        assert!(matches!(math.can_fire(&datapoint("1")), Err(CannotFire::Undecidable(_))));
        let other = WatchedMetric { namespace: "Other".to_string(), ..watched(vec![], None) };
        math.queries = vec![query("m1", Some(other), None, true)];
        assert!(!math.watches(&metric()));
    }
}
