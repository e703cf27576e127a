//! An alarm notifies on one event only if it watches the stream the filter publishes that
//! event's datapoint to (namespace, name, dimensions), in the published unit, and the event
//! changes its state. Pure evaluation on the healthy inventory with one link changed.

mod support;

use std::collections::BTreeMap;

use cis_monitor::controls::Control;
use cis_monitor::evaluate::{Status, Verdict, evaluate};
use cis_monitor::inventory::{
    AccountRegion, Alarm, Dimension, Inventory, MetricQuery, MetricRef, WatchedMetric,
};
use support::healthy::ACCOUNT;
use support::inventory::{Names, alarm, healthy, identity, metric, topic};

const KMS: Control = Control::KmsKeyChanges;

fn judge(inventory: &Inventory, control: Control) -> Verdict {
    let names = Names::default();
    evaluate(inventory, &identity(&names), &[names.region.to_string()], &[control]).remove(0)
}

fn outcome(verdict: &Verdict) -> (Status, &str) {
    (verdict.status, verdict.reason_code.as_str())
}

fn dimensions(pairs: &[(&str, &str)]) -> Vec<Dimension> {
    let mut dimensions: Vec<Dimension> = pairs
        .iter()
        .map(|(name, value)| Dimension { name: name.to_string(), value: value.to_string() })
        .collect();
    dimensions.sort();
    dimensions
}

/// The stream of `control`'s metric with `pairs` as dimensions.
fn stream(control: Control, pairs: &[(&str, &str)]) -> MetricRef {
    MetricRef { dimensions: dimensions(pairs), ..metric(&Names::default(), control) }
}

/// `control`'s alarm, watching `stream` in `unit`.
fn alarm_on(control: Control, stream: &MetricRef, unit: Option<&str>) -> Alarm {
    let mut alarm = alarm(&Names::default(), control, vec![topic(&Names::default())]);
    alarm.metric = Some(WatchedMetric {
        namespace: stream.namespace.clone(),
        name: stream.name.clone(),
        dimensions: stream.dimensions.clone(),
        unit: unit.map(str::to_string),
    });
    alarm
}

/// Sets the dimensions (name → field), unit and default value of `control`'s filter.
fn publish(
    inventory: &mut Inventory,
    control: Control,
    fields: &[(&str, &str)],
    unit: Option<&str>,
    default: Option<f64>,
) {
    let filters = inventory.log_groups.values_mut().next().expect("a group").as_mut().expect("filters");
    let filter =
        filters.iter_mut().find(|filter| filter.pattern == control.canonical_pattern()).expect("filter");
    let transformation = &mut filter.metrics[0];
    transformation.dimensions =
        fields.iter().map(|(name, field)| (name.to_string(), field.to_string())).collect::<BTreeMap<_, _>>();
    transformation.unit = unit.map(str::to_string);
    transformation.default_value = default;
}

/// Replaces the alarms read for `control`'s streams with `alarms`, keyed by the stream each
/// was read for.
fn alarms(inventory: &mut Inventory, control: Control, alarms: Vec<(MetricRef, Vec<Alarm>)>) {
    let plain = metric(&Names::default(), control);
    inventory.alarms.retain(|key, _| key.name != plain.name);
    inventory.alarms.extend(alarms.into_iter().map(|(stream, alarms)| (stream, Ok(alarms))));
}

#[test]
fn an_alarm_with_dimensions_does_not_watch_a_dimensionless_stream() {
    let mut inventory = healthy(&Names::default());
    let prod = stream(KMS, &[("Environment", "prod")]);
    // Returned for the dimensionless stream, as moto does (it ignores dimensions).
    alarms(&mut inventory, KMS, vec![(stream(KMS, &[]), vec![alarm_on(KMS, &prod, None)])]);
    let verdict = judge(&inventory, KMS);
    assert_eq!(
        outcome(&verdict),
        (Status::Failed, "CLOUDWATCH_ALARM_STREAM_NOT_WATCHED"),
        "{}",
        verdict.description
    );
    assert!(verdict.description.contains("{Environment=prod}"), "{}", verdict.description);
    // Not returned at all, as AWS may answer a dimensionless DescribeAlarmsForMetric.
    alarms(&mut inventory, KMS, vec![(stream(KMS, &[]), vec![])]);
    assert_eq!(outcome(&judge(&inventory, KMS)), (Status::Failed, "CLOUDWATCH_ALARMS_NOT_PRESENT"));
}

#[test]
fn units_must_agree() {
    let cases = [
        (Some("Count"), Some("Seconds"), (Status::Failed, "CLOUDWATCH_ALARM_CANNOT_FIRE")),
        (Some("Count"), Some("Count"), (Status::Passed, "")),
        (Some("Count"), None, (Status::Passed, "")),
        (None, Some("None"), (Status::Passed, "")),
        (None, Some("Count"), (Status::Warning, "CLOUDWATCH_ALARM_UNDECIDABLE")),
    ];
    for (published, asked, expected) in cases {
        let mut inventory = healthy(&Names::default());
        publish(&mut inventory, KMS, &[], published, None);
        alarms(&mut inventory, KMS, vec![(stream(KMS, &[]), vec![alarm_on(KMS, &stream(KMS, &[]), asked)])]);
        let verdict = judge(&inventory, KMS);
        assert_eq!(
            outcome(&verdict),
            expected,
            "published {published:?}, alarm {asked:?}: {}",
            verdict.description
        );
    }
}

#[test]
fn one_stream_per_event_needs_an_alarm_on_every_stream() {
    let control = Control::CloudTrailChanges;
    let per_event = |name: &str| stream(control, &[("EventName", name)]);
    let mut inventory = healthy(&Names::default());
    publish(&mut inventory, control, &[("EventName", "$.eventName")], None, None);
    // The dimensionless alarm of the healthy account watches no stream the filter publishes.
    let plain = stream(control, &[]);
    let names: Vec<&str> = control.required_events().iter().map(|event| event.name).collect();
    alarms(
        &mut inventory,
        control,
        names.iter().map(|name| (per_event(name), vec![alarm_on(control, &plain, None)])).collect(),
    );
    let verdict = judge(&inventory, control);
    assert_eq!(
        outcome(&verdict),
        (Status::Failed, "CLOUDWATCH_ALARM_STREAM_NOT_WATCHED"),
        "{}",
        verdict.description
    );
    // An alarm on every stream: the chain completes.
    let watched = |name: &str| (per_event(name), vec![alarm_on(control, &per_event(name), None)]);
    alarms(&mut inventory, control, names.iter().map(|name| watched(name)).collect());
    let passed = judge(&inventory, control);
    assert_eq!(outcome(&passed), (Status::Passed, ""), "{}", passed.description);
    assert!(passed.description.contains("5 in all"), "{}", passed.description);
    // One stream unwatched: that event is named.
    alarms(
        &mut inventory,
        control,
        names
            .iter()
            .map(|name| if *name == "StopLogging" { (per_event(name), vec![]) } else { watched(name) })
            .collect(),
    );
    let failed = judge(&inventory, control);
    assert_eq!(
        outcome(&failed),
        (Status::Failed, "CLOUDWATCH_ALARM_STREAM_NOT_WATCHED"),
        "{}",
        failed.description
    );
    assert!(failed.description.contains("publishes StopLogging to the stream"), "{}", failed.description);
    assert_eq!(failed.evidence.metric_dimensions.as_deref(), Some("{EventName=StopLogging}"));
}

#[test]
fn a_dimension_on_the_pinned_event_source_names_one_stream() {
    let mut inventory = healthy(&Names::default());
    publish(&mut inventory, KMS, &[("Service", "$.eventSource")], None, None);
    let kms = stream(KMS, &[("Service", "kms.amazonaws.com")]);
    alarms(&mut inventory, KMS, vec![(kms.clone(), vec![alarm_on(KMS, &kms, None)])]);
    let verdict = judge(&inventory, KMS);
    assert_eq!(outcome(&verdict), (Status::Passed, ""), "{}", verdict.description);
    assert_eq!(verdict.evidence.metric_dimensions.as_deref(), Some("{Service=kms.amazonaws.com}"));
}

#[test]
fn a_dimension_on_an_open_field_cannot_be_decided() {
    let mut inventory = healthy(&Names::default());
    publish(&mut inventory, KMS, &[("User", "$.userIdentity.arn")], None, None);
    let verdict = judge(&inventory, KMS);
    assert_eq!(
        outcome(&verdict),
        (Status::Warning, "CLOUDWATCH_ALARM_STREAM_UNDECIDABLE"),
        "{}",
        verdict.description
    );
    assert!(verdict.description.contains("$.userIdentity.arn"), "{}", verdict.description);
}

#[test]
fn metric_math_alarms_must_read_the_published_stream() {
    let mut inventory = healthy(&Names::default());
    publish(&mut inventory, KMS, &[("Service", "$.eventSource")], None, None);
    let kms = stream(KMS, &[("Service", "kms.amazonaws.com")]);
    alarms(&mut inventory, KMS, vec![(kms.clone(), vec![])]);
    let math = |read: &MetricRef| {
        let mut math = alarm_on(KMS, read, None);
        let watched = math.metric.take();
        math.statistic = None;
        math.queries = vec![MetricQuery {
            id: "m1".to_string(),
            metric: watched,
            statistic: Some("Sum".to_string()),
            expression: None,
            return_data: true,
        }];
        math
    };
    let region = Names::default().region.to_string();
    inventory.region_alarms.insert(AccountRegion::new(ACCOUNT, &region), Ok(vec![math(&kms)]));
    assert_eq!(outcome(&judge(&inventory, KMS)), (Status::Passed, ""));
    inventory.region_alarms.insert(AccountRegion::new(ACCOUNT, &region), Ok(vec![math(&stream(KMS, &[]))]));
    assert_eq!(outcome(&judge(&inventory, KMS)), (Status::Failed, "CLOUDWATCH_ALARM_STREAM_NOT_WATCHED"));
}

#[test]
fn missing_data_and_default_values_decide_whether_the_event_changes_state() {
    let cases = [
        (None, None, (Status::Passed, "")),
        (Some("missing"), None, (Status::Passed, "")),
        (Some("notBreaching"), None, (Status::Passed, "")),
        (Some("ignore"), None, (Status::Passed, "")),
        (Some("breaching"), None, (Status::Failed, "CLOUDWATCH_ALARM_CANNOT_FIRE")),
        (None, Some(0.0), (Status::Passed, "")),
        (Some("missing"), Some(0.0), (Status::Passed, "")),
        (Some("notBreaching"), Some(0.0), (Status::Passed, "")),
        (Some("ignore"), Some(0.0), (Status::Passed, "")),
        (Some("breaching"), Some(0.0), (Status::Warning, "CLOUDWATCH_ALARM_UNDECIDABLE")),
        (Some("notBreaching"), Some(1.0), (Status::Failed, "CLOUDWATCH_ALARM_CANNOT_FIRE")),
    ];
    for (missing, default, expected) in cases {
        let mut inventory = healthy(&Names::default());
        publish(&mut inventory, KMS, &[], None, default);
        let mut alarm = alarm_on(KMS, &stream(KMS, &[]), None);
        alarm.treat_missing_data = missing.map(str::to_string);
        alarms(&mut inventory, KMS, vec![(stream(KMS, &[]), vec![alarm])]);
        let verdict = judge(&inventory, KMS);
        assert_eq!(
            outcome(&verdict),
            expected,
            "TreatMissingData {missing:?}, defaultValue {default:?}: {}",
            verdict.description
        );
    }
}
