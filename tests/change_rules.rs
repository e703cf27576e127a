//! The EventBridge rules that start a re-audit (template.yaml's `ChangeRule`, forwarder.yaml's
//! `ForwardRule`) match exactly the changes the function reads: every call of
//! `WATCHED_CALLS`, by its service, successful ones only, and CloudWatch's own alarm
//! configuration events. The sample events in `events/` are matched or not as the function
//! treats them. And the change queue is one that serializes and coalesces runs.

use std::collections::BTreeSet;
use std::path::Path;

use cis_monitor::change::{
    ALARM_CONFIGURATION_CHANGE, API_CALL, WATCHED_CALLS, is_change_event, read_change,
};
use serde_json::Value as Json;
use serde_norway::Value;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect(path)
}

/// The resource `name` of `template`, as YAML (short-form tags kept as tagged values).
fn resource(template: &str, name: &str) -> Value {
    let template: Value = serde_norway::from_str(&read(template)).expect("the template is YAML");
    template["Resources"][name].clone()
}

/// The rule's event pattern, as the JSON EventBridge is given.
fn pattern(template: &str, rule: &str) -> Json {
    let rule = resource(template, rule);
    assert_eq!(rule["Type"].as_str(), Some("AWS::Events::Rule"), "{template}: {rule:?}");
    serde_json::to_value(&rule["Properties"]["EventPattern"]).expect("a JSON pattern")
}

fn strings(value: &Json) -> BTreeSet<&str> {
    value.as_array().expect("a list").iter().map(|item| item.as_str().expect("a string")).collect()
}

/// Whether `event` matches `pattern`: the part of EventBridge's matching these rules use
/// (`$or`, nested fields, lists of values, `{"exists": bool}`).
fn matches(pattern: &Json, event: &Json) -> bool {
    let object = pattern.as_object().expect("a pattern is an object");
    object.iter().all(|(key, expected)| {
        if key == "$or" {
            return expected
                .as_array()
                .expect("$or lists patterns")
                .iter()
                .any(|branch| matches(branch, event));
        }
        let field = event.get(key);
        match expected {
            Json::Object(_) => field.is_some_and(|field| matches(expected, field)),
            Json::Array(values) => values.iter().any(|value| match value.get("exists") {
                Some(exists) => exists.as_bool() == Some(field.is_some()),
                None => field == Some(value),
            }),
            other => panic!("an unexpected pattern value {other}"),
        }
    })
}

fn sample(name: &str) -> Json {
    serde_json::from_str(&read(&format!("events/{name}"))).expect("a JSON sample event")
}

const RULES: [(&str, &str); 2] = [("template.yaml", "ChangeRule"), ("forwarder.yaml", "ForwardRule")];

#[test]
fn the_rules_match_exactly_the_watched_calls_and_alarm_events() {
    let watched: BTreeSet<(&str, &str)> = WATCHED_CALLS
        .iter()
        .flat_map(|(service, calls)| calls.iter().map(move |call| (*service, *call)))
        .collect();
    for (template, rule) in RULES {
        let pattern = pattern(template, rule);
        let mut matched = BTreeSet::new();
        let mut alarm_events = 0;
        for branch in pattern["$or"].as_array().expect("one branch per service") {
            match strings(&branch["detail-type"]).into_iter().collect::<Vec<_>>()[..] {
                [API_CALL] => {
                    let detail = &branch["detail"];
                    assert_eq!(
                        detail["errorCode"],
                        serde_json::json!([{"exists": false}]),
                        "{rule}: {branch}"
                    );
                    for service in strings(&detail["eventSource"]) {
                        for call in strings(&detail["eventName"]) {
                            assert!(matched.insert((service, call)), "{rule}: {service} {call} twice");
                        }
                    }
                }
                [ALARM_CONFIGURATION_CHANGE] => alarm_events += 1,
                ref other => panic!("{rule}: an unexpected detail-type {other:?}"),
            }
        }
        let matched: BTreeSet<(&str, &str)> = matched.into_iter().collect();
        assert_eq!(matched, watched, "{template} {rule} against src/change.rs");
        assert_eq!(alarm_events, 1, "{rule}: CloudWatch's alarm configuration events");
    }
    assert_eq!(pattern(RULES[0].0, RULES[0].1), pattern(RULES[1].0, RULES[1].1), "one pattern");
}

#[test]
fn the_rules_pass_the_sample_changes_and_drop_what_changes_nothing() {
    let pattern = pattern(RULES[0].0, RULES[0].1);
    for name in ["delete-metric-filter.json", "disable-alarm-actions.json"] {
        let event = sample(name);
        assert!(read_change(&event).is_ok(), "{name} is a change");
        assert!(matches(&pattern, &event), "{name} is matched");
    }
    for name in ["failed-call.json", "unrelated-call.json", "scheduled.json"] {
        let event = sample(name);
        assert!(read_change(&event).is_err(), "{name} changes nothing");
        assert!(!matches(&pattern, &event), "{name} is not matched");
    }
    let alarm = serde_json::json!({"detail-type": ALARM_CONFIGURATION_CHANGE, "source": "aws.cloudwatch",
        "account": "123456789012", "region": "eu-west-1", "time": "2026-12-01T10:00:00Z",
        "detail": {"alarmName": "cis-vpc", "operation": "delete"}});
    assert!(is_change_event(&alarm) && matches(&pattern, &alarm));
}

#[test]
fn the_change_queue_serializes_and_coalesces_runs() {
    let rule = resource("template.yaml", "ChangeRule");
    let target = &rule["Properties"]["Targets"][0];
    assert!(target["SqsParameters"]["MessageGroupId"].is_string(), "one message group: one batch in flight");
    let queue = resource("template.yaml", "ChangeQueue");
    assert_eq!(queue["Properties"]["FifoQueue"].as_bool(), Some(true));
    let dead_letters = &queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"];
    assert!(matches!(dead_letters, Value::Tagged(_)), "a dead-letter queue: {dead_letters:?}");
    let mapping = resource("template.yaml", "ChangeQueueMapping");
    assert_eq!(mapping["Properties"]["BatchSize"].as_u64(), Some(10), "a batch of changes, one run");
    assert_eq!(
        strings(&serde_json::to_value(&mapping["Properties"]["FunctionResponseTypes"]).expect("JSON")),
        { BTreeSet::from(["ReportBatchItemFailures"]) }
    );
}
