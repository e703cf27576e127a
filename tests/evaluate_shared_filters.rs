//! Several filters may share a control's required events, each with its own alarm: the control
//! holds when every required event reaches a human through some filter's complete chain.

mod support;

use std::collections::BTreeMap;

use cis_monitor::controls::Control;
use cis_monitor::evaluate::{Link, Status, Verdict, evaluate};
use cis_monitor::inventory::{Inventory, MetricFilter, MetricRef, MetricTransformation};
use support::healthy::NAMESPACE;
use support::inventory::{Names, alarm, healthy, identity, topic};

const C5: Control = Control::CloudTrailChanges;

fn judge(inventory: &Inventory) -> Verdict {
    let names = Names::default();
    evaluate(inventory, &identity(&names), &[names.region.to_string()], &[C5]).remove(0)
}

/// The healthy inventory with CloudWatch.5's one filter replaced by `filters`, each a name and a
/// pattern publishing its own metric; `alarmed` names the filters whose metric has an alarm.
fn with_filters(filters: &[(&str, String)], alarmed: &[&str]) -> Inventory {
    let names = Names::default();
    let mut inventory = healthy(&names);
    let group = inventory.log_groups.values_mut().next().expect("a group").as_mut().expect("filters");
    group.retain(|filter| filter.pattern != C5.canonical_pattern());
    for (name, pattern) in filters {
        group.push(MetricFilter {
            name: name.to_string(),
            pattern: pattern.clone(),
            metrics: vec![MetricTransformation {
                name: format!("metric-{name}"),
                namespace: NAMESPACE.to_string(),
                value: "1".to_string(),
                dimensions: BTreeMap::new(),
                unit: None,
                default_value: None,
            }],
            field_selection_criteria: None,
            apply_on_transformed_logs: false,
        });
        let metric = MetricRef {
            account: support::healthy::ACCOUNT.to_string(),
            region: names.region.to_string(),
            namespace: NAMESPACE.to_string(),
            name: format!("metric-{name}"),
            dimensions: vec![],
        };
        let alarms = if alarmed.contains(name) {
            let mut alarm = alarm(&names, C5, vec![topic(&names)]);
            alarm.name = format!("alarm-{name}");
            if let Some(watched) = alarm.metric.as_mut() {
                watched.name = metric.name.clone();
            }
            vec![alarm]
        } else {
            vec![]
        };
        inventory.alarms.insert(metric, Ok(alarms));
    }
    inventory
}

fn one_per_event() -> Vec<(&'static str, String)> {
    C5.required_events()
        .iter()
        .map(|event| (event.name, format!("{{ $.eventName = {} }}", event.name)))
        .collect()
}

#[test]
fn one_filter_per_event_each_with_its_alarm_passes() {
    let filters = one_per_event();
    let all: Vec<&str> = filters.iter().map(|(name, _)| *name).collect();
    let verdict = judge(&with_filters(&filters, &all));
    assert_eq!((verdict.status, verdict.link), (Status::Passed, Link::Complete), "{}", verdict.description);
    assert!(verdict.description.contains("Security Hub's own control"), "{}", verdict.description);
    assert_eq!(
        verdict.evidence.filter_coverage.as_deref(),
        Some(
            "CreateTrail (CreateTrail), UpdateTrail (UpdateTrail), DeleteTrail (DeleteTrail), StartLogging (StartLogging), \
             StopLogging (StopLogging)"
        )
    );
}

#[test]
fn an_event_without_a_complete_chain_is_named() {
    let filters = one_per_event();
    let verdict =
        judge(&with_filters(&filters, &["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging"]));
    assert_eq!(
        (verdict.status, verdict.reason_code.as_str()),
        (Status::Failed, "CLOUDWATCH_ALARMS_NOT_PRESENT")
    );
    assert!(verdict.description.contains("but StopLogging do not: StopLogging:"), "{}", verdict.description);
    assert!(verdict.description.contains("StartLogging (StartLogging)"), "{}", verdict.description);
}

#[test]
fn filters_may_share_the_events_unevenly() {
    let filters = vec![
        ("trails", "{ $.eventName = *Trail }".to_string()),
        ("logging", "{ ($.eventName = StartLogging) || ($.eventName = StopLogging) }".to_string()),
    ];
    let verdict = judge(&with_filters(&filters, &["trails", "logging"]));
    assert_eq!(verdict.status, Status::Passed, "{}", verdict.description);
    assert_eq!(
        verdict.evidence.filter_coverage.as_deref(),
        Some("trails (CreateTrail, UpdateTrail, DeleteTrail), logging (StartLogging, StopLogging)")
    );
    // One event left to no filter at all: named, at the filter link.
    let filters = vec![filters[0].clone(), ("start", "{ $.eventName = StartLogging }".to_string())];
    let verdict = judge(&with_filters(&filters, &["trails", "start"]));
    assert_eq!(
        (verdict.status, verdict.link),
        (Status::Failed, Link::MetricFilter),
        "{}",
        verdict.description
    );
    assert!(
        verdict.description.contains("StopLogging: no filter catches them; the nearest:"),
        "{}",
        verdict.description
    );
}

#[test]
fn a_single_filter_reads_as_before() {
    // No event reaches a human through any filter: the nearest filter is reported, as when
    // one filter is judged alone.
    let filters =
        vec![("narrow", "{ ($.eventName = CreateTrail) && ($.userIdentity.type = Root) }".to_string())];
    let verdict = judge(&with_filters(&filters, &["narrow"]));
    assert_eq!(verdict.reason_code, "CLOUDTRAIL_METRIC_FILTER_NOT_VALID");
    assert_eq!(verdict.evidence.filter_name.as_deref(), Some("narrow"));
    assert!(verdict.evidence.filter_coverage.is_none());
}
