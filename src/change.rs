//! Changes to the alarm chain, read from the events EventBridge delivers: CloudTrail's "AWS API
//! Call via CloudTrail" events for the calls that can break or mend a link
//! ([`WATCHED_CALLS`]), and CloudWatch's own "CloudWatch Alarm Configuration Change" events. A
//! change makes the function audit again at once, and names itself (the call, the resource,
//! who made it, when, from where) in the findings whose verdict it changed.
//!
//! Pure: no AWS call. Anything else (a failed call, a call outside the list, another shape of
//! event) is [`Ignored`], with the reason, never an error.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// The EventBridge `detail-type` of CloudTrail's management events.
pub const API_CALL: &str = "AWS API Call via CloudTrail";
/// The EventBridge `detail-type` of CloudWatch's alarm configuration events.
pub const ALARM_CONFIGURATION_CHANGE: &str = "CloudWatch Alarm Configuration Change";

/// The calls that can break or mend a link of the chain, by the service that logs them
/// (CloudTrail's `eventSource`): what the chain reads, changed.
///
/// - the trail: its existence, its logging, its log group and role, its event selectors;
/// - the log group and its metric filters;
/// - the alarms: their existence, metric, threshold and actions;
/// - the topic: its existence, access policy and key (attributes and permissions), its
///   subscriptions and their filter policies;
/// - the topic's key: enabled, scheduled for deletion, its policy.
pub const WATCHED_CALLS: [(&str, &[&str]); 5] = [
    (
        "cloudtrail.amazonaws.com",
        &["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging", "PutEventSelectors"],
    ),
    ("logs.amazonaws.com", &["DeleteLogGroup", "PutMetricFilter", "DeleteMetricFilter"]),
    (
        "monitoring.amazonaws.com",
        &["PutMetricAlarm", "DeleteAlarms", "DisableAlarmActions", "EnableAlarmActions"],
    ),
    (
        "sns.amazonaws.com",
        &[
            "DeleteTopic",
            "SetTopicAttributes",
            "AddPermission",
            "RemovePermission",
            "Subscribe",
            "ConfirmSubscription",
            "Unsubscribe",
            "SetSubscriptionAttributes",
        ],
    ),
    (
        "kms.amazonaws.com",
        &["DisableKey", "EnableKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "PutKeyPolicy"],
    ),
];

/// One change to the chain: what was called on what, by whom, when and from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainChange {
    /// The account the call was made in.
    pub account: String,
    /// The region it was made in.
    pub region: String,
    /// The call (`DeleteMetricFilter`), or for CloudWatch's own events the alarm operation
    /// (`DeleteAlarm`).
    pub event_name: String,
    /// What it changed, for people: `metric filter CIS-KMS of log group CloudTrail/x`.
    pub resource: String,
    /// Who made it (`userIdentity.arn`), when the event says.
    pub actor: Option<String>,
    /// When (`eventTime`, or the event's `time`).
    pub event_time: String,
    /// From where (`sourceIPAddress`), when the event says.
    pub source_ip: Option<String>,
    /// The identifiers the call named (a filter's and its log group's names, alarm names, a
    /// topic's ARN...), to tell which verdicts it can have changed.
    pub names: Vec<String>,
}

impl ChainChange {
    /// The change in one sentence: "DeleteMetricFilter of metric filter F of log group G by
    /// arn:... at 2026-12-01T10:00:00Z from 203.0.113.7".
    pub fn sentence(&self) -> String {
        let mut sentence = format!("{} of {}", self.event_name, self.resource);
        if let Some(actor) = &self.actor {
            sentence.push_str(&format!(" by {actor}"));
        }
        sentence.push_str(&format!(" at {}", self.event_time));
        if let Some(ip) = &self.source_ip {
            sentence.push_str(&format!(" from {ip}"));
        }
        sentence
    }
}

/// Why an event does not make the function audit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Ignored(pub String);

/// The changes of `changes` made in one of `accounts`: the ones a run over them can answer.
pub fn changes_in(changes: &[ChainChange], accounts: &[String]) -> Vec<ChainChange> {
    changes.iter().filter(|change| accounts.contains(&change.account)).cloned().collect()
}

/// Whether `payload` is an event of a kind [`read_change`] reads (it may still be ignored).
pub fn is_change_event(payload: &Json) -> bool {
    matches!(payload.get("detail-type").and_then(Json::as_str), Some(API_CALL | ALARM_CONFIGURATION_CHANGE))
}

/// The change an EventBridge event reports.
///
/// # Errors
///
/// [`Ignored`], with the reason: a call that failed (`errorCode`), a call outside
/// [`WATCHED_CALLS`], an event of another shape, or one that names no account.
pub fn read_change(payload: &Json) -> Result<ChainChange, Ignored> {
    let text = |value: &Json, key: &str| value.get(key).and_then(Json::as_str).map(str::to_string);
    let detail = payload.get("detail").ok_or_else(|| Ignored("the event has no detail".to_string()))?;
    match payload.get("detail-type").and_then(Json::as_str) {
        Some(API_CALL) => {
            let source = text(detail, "eventSource").unwrap_or_default();
            let name = text(detail, "eventName").unwrap_or_default();
            if let Some(code) = text(detail, "errorCode") {
                return Err(Ignored(format!("{name} failed ({code}): it changed nothing")));
            }
            let watched = WATCHED_CALLS
                .iter()
                .any(|(service, calls)| *service == source && calls.contains(&name.as_str()));
            if !watched {
                return Err(Ignored(format!("{source} {name} cannot change the alarm chain")));
            }
            let account = text(detail, "recipientAccountId").or_else(|| text(payload, "account"));
            let parameters = detail.get("requestParameters").unwrap_or(&Json::Null);
            Ok(ChainChange {
                account: account.ok_or_else(|| Ignored(format!("{name} names no account")))?,
                region: text(detail, "awsRegion").or_else(|| text(payload, "region")).unwrap_or_default(),
                resource: resource(&name, parameters),
                names: names(parameters),
                event_name: name,
                actor: detail.get("userIdentity").and_then(|identity| text(identity, "arn")),
                event_time: text(detail, "eventTime").or_else(|| text(payload, "time")).unwrap_or_default(),
                source_ip: text(detail, "sourceIPAddress"),
            })
        }
        Some(ALARM_CONFIGURATION_CHANGE) => {
            let alarm = text(detail, "alarmName")
                .ok_or_else(|| Ignored("the alarm event names no alarm".to_string()))?;
            let operation = text(detail, "operation").unwrap_or_else(|| "change".to_string());
            Ok(ChainChange {
                account: text(payload, "account")
                    .ok_or_else(|| Ignored("the alarm event names no account".to_string()))?,
                region: text(payload, "region").unwrap_or_default(),
                event_name: format!("{}Alarm", capitalized(&operation)),
                resource: format!("alarm {alarm}"),
                names: vec![alarm],
                actor: None,
                event_time: text(payload, "time").unwrap_or_default(),
                source_ip: None,
            })
        }
        other => Err(Ignored(format!(
            "an event of type {} is not a change to the chain",
            other.unwrap_or("(none)")
        ))),
    }
}

/// The identifiers among a call's request parameters, the most specific only (a filter's
/// name, not its log group: every chain through the group would look touched); never a
/// subscription's endpoint.
fn names(parameters: &Json) -> Vec<String> {
    const KEYS: [&str; 8] = [
        "name",
        "trailName",
        "logGroupName",
        "filterName",
        "alarmName",
        "topicArn",
        "subscriptionArn",
        "keyId",
    ];
    let names_a_filter = parameters.get("filterName").is_some();
    let mut names: Vec<String> = KEYS
        .iter()
        .filter(|key| !(names_a_filter && **key == "logGroupName"))
        .filter_map(|key| parameters.get(*key).and_then(Json::as_str))
        .map(str::to_string)
        .collect();
    if let Some(alarms) = parameters.get("alarmNames").and_then(Json::as_array) {
        names.extend(alarms.iter().filter_map(Json::as_str).map(str::to_string));
    }
    names
}

/// `create` as `Create`.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What a watched call changed, from its request parameters. Subscription endpoints (e-mail
/// addresses, URLs) are never repeated.
fn resource(name: &str, parameters: &Json) -> String {
    let field = |key: &str| parameters.get(key).and_then(Json::as_str).unwrap_or("?").to_string();
    let list = |key: &str| {
        parameters
            .get(key)
            .and_then(Json::as_array)
            .map(|items| items.iter().filter_map(Json::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_else(|| "?".to_string())
    };
    match name {
        "CreateTrail" | "UpdateTrail" | "DeleteTrail" | "StartLogging" | "StopLogging" => {
            format!("trail {}", field("name"))
        }
        "PutEventSelectors" => format!("the event selectors of trail {}", field("trailName")),
        "DeleteLogGroup" => format!("log group {}", field("logGroupName")),
        "PutMetricFilter" | "DeleteMetricFilter" => {
            format!("metric filter {} of log group {}", field("filterName"), field("logGroupName"))
        }
        "PutMetricAlarm" => format!("alarm {}", field("alarmName")),
        "DeleteAlarms" | "DisableAlarmActions" | "EnableAlarmActions" => {
            format!("alarm(s) {}", list("alarmNames"))
        }
        "SetTopicAttributes" => {
            format!("attribute {} of topic {}", field("attributeName"), field("topicArn"))
        }
        "Unsubscribe" => format!("subscription {}", field("subscriptionArn")),
        "SetSubscriptionAttributes" => {
            format!("attribute {} of subscription {}", field("attributeName"), field("subscriptionArn"))
        }
        "Subscribe" | "ConfirmSubscription" | "DeleteTopic" | "AddPermission" | "RemovePermission" => {
            format!("topic {}", field("topicArn"))
        }
        _ => format!("key {}", field("keyId")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn api_call(source: &str, name: &str, parameters: Json) -> Json {
        json!({
            "version": "0", "id": "7b6b6b1e-0000-0000-0000-000000000000",
            "detail-type": API_CALL, "source": "aws.logs", "account": "123456789012",
            "time": "2026-12-01T10:00:05Z", "region": "us-east-1", "resources": [],
            "detail": {
                "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
                "eventTime": "2026-12-01T10:00:00Z", "sourceIPAddress": "203.0.113.7",
                "recipientAccountId": "123456789012",
                "userIdentity": {"arn": "arn:aws:sts::123456789012:assumed-role/ops/ops-session"},
                "requestParameters": parameters,
            }
        })
    }

    #[test]
    fn a_watched_call_is_a_change_that_names_itself() {
        let event = api_call(
            "logs.amazonaws.com",
            "DeleteMetricFilter",
            json!({"filterName": "CIS-KMS-filter", "logGroupName": "CloudTrail/management-events"}),
        );
        let change = read_change(&event).expect("a change");
        assert_eq!(change.account, "123456789012");
        assert_eq!(change.names, ["CIS-KMS-filter"], "the filter, not every chain of its log group");
        assert_eq!(
            change.sentence(),
            "DeleteMetricFilter of metric filter CIS-KMS-filter of log group CloudTrail/management-events by arn:aws:sts::123456789012:assumed-role/ops/ops-session at 2026-12-01T10:00:00Z from 203.0.113.7"
        );
    }

    #[test]
    fn every_watched_call_names_its_resource_and_never_an_endpoint() {
        for (service, calls) in WATCHED_CALLS {
            for call in calls {
                let parameters = json!({"name": "t", "trailName": "t", "logGroupName": "g", "filterName": "f",
                    "alarmName": "a", "alarmNames": ["a", "b"], "topicArn": "arn:aws:sns:us-east-1:1:t",
                    "subscriptionArn": "arn:aws:sns:us-east-1:1:t:s", "attributeName": "Policy", "keyId": "k",
                    "endpoint": "ops@example.com", "protocol": "email"});
                let change = read_change(&api_call(service, call, parameters)).expect(call);
                assert!(!change.resource.contains('?'), "{call}: {}", change.resource);
                assert!(!change.resource.contains("example.com"), "{call}: {}", change.resource);
                assert!(!change.names.iter().any(|name| name.contains("example.com")), "{call}");
            }
        }
    }

    #[test]
    fn failed_unwatched_and_foreign_events_are_ignored_with_a_reason() {
        let mut failed = api_call("logs.amazonaws.com", "DeleteMetricFilter", json!({}));
        failed["detail"]["errorCode"] = json!("AccessDenied");
        assert!(read_change(&failed).expect_err("failed").0.contains("AccessDenied"));
        let unrelated = api_call("ec2.amazonaws.com", "RunInstances", json!({}));
        assert!(read_change(&unrelated).expect_err("unrelated").0.contains("RunInstances"));
        let listing = api_call("logs.amazonaws.com", "DescribeMetricFilters", json!({}));
        assert!(read_change(&listing).is_err(), "a read changes nothing");
        let scheduled = json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}});
        assert!(!is_change_event(&scheduled));
        assert!(read_change(&scheduled).is_err());
    }

    #[test]
    fn cloudwatchs_own_alarm_events_are_changes_without_an_actor() {
        let event = json!({"detail-type": ALARM_CONFIGURATION_CHANGE, "source": "aws.cloudwatch",
            "account": "123456789012", "region": "eu-west-1", "time": "2026-12-01T10:00:00Z",
            "detail": {"alarmName": "CIS-VPC-alarm", "operation": "delete"}});
        let change = read_change(&event).expect("a change");
        assert_eq!(change.sentence(), "DeleteAlarm of alarm CIS-VPC-alarm at 2026-12-01T10:00:00Z");
        assert_eq!(change.region, "eu-west-1");
    }
}
