//! SNS subscription filter policies, decided for the notification a CloudWatch alarm sends when
//! it goes into ALARM. No AWS dependency.
//!
//! A policy scoped to message attributes (the default) sees none: CloudWatch's notifications
//! carry no message attributes, so every key of such a policy finds nothing, and only an
//! `{"exists": false}` condition can accept. A policy scoped to the message body sees the JSON
//! CloudWatch sends: `NewStateValue` is `ALARM`, and `AlarmName`, `AlarmArn` and
//! `AWSAccountId` are the alarm's; the other fields CloudWatch writes (`NewStateReason`,
//! `Region`, `Trigger`...) are present with values not known here, so conditions on them are
//! unknown. The result is three-valued ([`crate::logic`]): `Some(true)` when the notification
//! is delivered, `Some(false)` when it is filtered out, `None` when that depends on what is not
//! known here.
//!
//! ```
//! use cis_monitor::filter_policy::{AlarmNotification, FilterPolicy};
//!
//! let alarm = AlarmNotification { name: "cis-4.5", arn: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cis-4.5", account: "111122223333" };
//! let attributes = FilterPolicy::parse(r#"{"severity": ["critical"]}"#, None)?;
//! assert_eq!(attributes.accepts(&alarm), Some(false));
//! let body = FilterPolicy::parse(r#"{"NewStateValue": ["ALARM"]}"#, Some("MessageBody"))?;
//! assert_eq!(body.accepts(&alarm), Some(true));
//! # Ok::<(), cis_monitor::filter_policy::FilterPolicyError>(())
//! ```

use serde_json::{Map, Value as Json};

use crate::logic::{and3, any3};

/// The fields of an alarm notification whose values are known here, and the other fields
/// CloudWatch writes into every notification.
const PRESENT_FIELDS: [&str; 10] = [
    "AlarmDescription",
    "AlarmConfigurationUpdatedTimestamp",
    "NewStateReason",
    "StateChangeTime",
    "Region",
    "OldStateValue",
    "Trigger",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
];

/// What a policy is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The message attributes (`FilterPolicyScope` `MessageAttributes`, the default).
    MessageAttributes,
    /// The JSON message body (`FilterPolicyScope` `MessageBody`).
    MessageBody,
}

/// A parsed filter policy.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterPolicy {
    scope: Scope,
    rules: Map<String, Json>,
}

/// A filter policy that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the filter policy cannot be read: {0}")]
pub struct FilterPolicyError(String);

/// The alarm whose ALARM notification is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlarmNotification<'a> {
    /// `AlarmName`.
    pub name: &'a str,
    /// `AlarmArn`.
    pub arn: &'a str,
    /// `AWSAccountId`.
    pub account: &'a str,
}

/// What is known of one field of the notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field<'a> {
    /// Not in the notification.
    Absent,
    /// Present, with a value not known here.
    Unknown,
    /// Present, with this text.
    Text(&'a str),
}

impl FilterPolicy {
    /// Reads a policy and its scope (`FilterPolicyScope`; `None` is the default,
    /// `MessageAttributes`).
    ///
    /// # Errors
    ///
    /// [`FilterPolicyError`] when the policy is not a JSON object, or the scope is neither.
    pub fn parse(text: &str, scope: Option<&str>) -> Result<Self, FilterPolicyError> {
        let scope = match scope {
            None | Some("" | "MessageAttributes") => Scope::MessageAttributes,
            Some("MessageBody") => Scope::MessageBody,
            Some(other) => return Err(FilterPolicyError(format!("unknown FilterPolicyScope `{other}`"))),
        };
        match serde_json::from_str(text) {
            Ok(Json::Object(rules)) => Ok(FilterPolicy { scope, rules }),
            Ok(_) => Err(FilterPolicyError("not a JSON object".to_string())),
            Err(error) => Err(FilterPolicyError(error.to_string())),
        }
    }

    /// Whether the ALARM notification of `alarm` passes the policy.
    pub fn accepts(&self, alarm: &AlarmNotification<'_>) -> Option<bool> {
        let field = |key: &str| match self.scope {
            Scope::MessageAttributes => Field::Absent,
            Scope::MessageBody => body_field(alarm, key),
        };
        accepts_object(&self.rules, &field)
    }
}

/// A top-level field of the notification's body.
fn body_field<'a>(alarm: &AlarmNotification<'a>, key: &str) -> Field<'a> {
    match key {
        "NewStateValue" => Field::Text("ALARM"),
        "AlarmName" => Field::Text(alarm.name),
        "AlarmArn" => Field::Text(alarm.arn),
        "AWSAccountId" => Field::Text(alarm.account),
        other if PRESENT_FIELDS.contains(&other) => Field::Unknown,
        _ => Field::Absent,
    }
}

/// Every key of `rules` must accept (and each `$or` branch is an alternative).
fn accepts_object<'a>(rules: &Map<String, Json>, field: &dyn Fn(&str) -> Field<'a>) -> Option<bool> {
    let mut result = Some(true);
    for (key, rule) in rules {
        let accepted = match (key.as_str(), rule) {
            ("$or", Json::Array(branches)) => any3(branches.iter().map(|branch| match branch {
                Json::Object(branch) => accepts_object(branch, field),
                _ => None,
            })),
            (_, Json::Array(conditions)) => {
                let value = field(key);
                any3(conditions.iter().map(|condition| accepts_value(condition, value)))
            }
            (_, Json::Object(_)) => match field(key) {
                Field::Absent => Some(false),
                _ => None,
            },
            _ => None,
        };
        result = and3(result, accepted);
    }
    result
}

/// Whether one condition accepts the field.
fn accepts_value(condition: &Json, field: Field<'_>) -> Option<bool> {
    if let Json::Object(operator) = condition
        && let Some(Json::Bool(wanted)) = operator.get("exists")
    {
        return Some(*wanted == (field != Field::Absent));
    }
    let text = match field {
        Field::Absent => return Some(false),
        Field::Unknown => return None,
        Field::Text(text) => text,
    };
    match condition {
        Json::String(expected) => Some(expected == text),
        Json::Number(_) | Json::Null | Json::Bool(_) => Some(false),
        Json::Object(operator) => accepts_operator(operator, text),
        Json::Array(_) => None,
    }
}

/// `{"prefix": ...}`, `{"suffix": ...}`, `{"anything-but": ...}`, ... on a text value.
fn accepts_operator(operator: &Map<String, Json>, text: &str) -> Option<bool> {
    let (name, argument) = operator.iter().next()?;
    match (name.as_str(), argument) {
        ("prefix", Json::String(prefix)) => Some(text.starts_with(prefix.as_str())),
        ("suffix", Json::String(suffix)) => Some(text.ends_with(suffix.as_str())),
        ("equals-ignore-case", Json::String(expected)) => Some(expected.eq_ignore_ascii_case(text)),
        ("numeric" | "cidr", _) => Some(false),
        ("anything-but", Json::String(excluded)) => Some(excluded != text),
        ("anything-but", Json::Number(_)) => Some(true),
        ("anything-but", Json::Array(excluded)) => {
            Some(!excluded.iter().any(|value| value.as_str() == Some(text)))
        }
        ("anything-but", Json::Object(inner)) => accepts_operator(inner, text).map(|matched| !matched),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALARM: AlarmNotification<'static> = AlarmNotification {
        name: "cis-CloudWatch-7",
        arn: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cis-CloudWatch-7",
        account: "111122223333",
    };

    fn accepts(policy: &str, scope: Option<&str>) -> Option<bool> {
        FilterPolicy::parse(policy, scope).expect("a policy").accepts(&ALARM)
    }

    #[test]
    fn attribute_policies_see_no_attributes() {
        let cases = [
            (r#"{"severity": ["critical"]}"#, Some(false)),
            (r#"{"severity": [{"anything-but": "low"}]}"#, Some(false)),
            (r#"{"severity": [{"exists": false}]}"#, Some(true)),
            (r#"{"severity": [{"exists": true}]}"#, Some(false)),
            (r#"{"NewStateValue": ["ALARM"]}"#, Some(false)),
            ("{}", Some(true)),
        ];
        for (policy, expected) in cases {
            assert_eq!(accepts(policy, None), expected, "{policy}");
            assert_eq!(accepts(policy, Some("MessageAttributes")), expected, "{policy}");
        }
    }

    #[test]
    fn body_policies_see_the_notification() {
        let cases = [
            (r#"{"NewStateValue": ["ALARM"]}"#, Some(true)),
            (r#"{"NewStateValue": ["OK"]}"#, Some(false)),
            (r#"{"NewStateValue": [{"anything-but": ["OK", "INSUFFICIENT_DATA"]}]}"#, Some(true)),
            (r#"{"AlarmName": [{"prefix": "cis-"}], "AWSAccountId": ["111122223333"]}"#, Some(true)),
            (r#"{"AlarmName": [{"suffix": "-prod"}]}"#, Some(false)),
            (r#"{"AlarmArn": [{"anything-but": {"prefix": "arn:aws:cloudwatch:us-east-1:"}}]}"#, Some(false)),
            (r#"{"Region": ["US East (N. Virginia)"]}"#, None),
            (r#"{"Region": [{"exists": true}]}"#, Some(true)),
            (r#"{"Trigger": {"MetricName": ["x"]}}"#, None),
            (r#"{"severity": ["critical"]}"#, Some(false)),
            (r#"{"$or": [{"NewStateValue": ["OK"]}, {"AlarmName": ["cis-CloudWatch-7"]}]}"#, Some(true)),
            (r#"{"$or": [{"NewStateValue": ["OK"]}, {"Region": ["x"]}]}"#, None),
            (r#"{"NewStateValue": ["OK"], "Region": ["x"]}"#, Some(false)),
            (r#"{"AlarmName": [{"equals-ignore-case": "CIS-CLOUDWATCH-7"}]}"#, Some(true)),
        ];
        for (policy, expected) in cases {
            assert_eq!(accepts(policy, Some("MessageBody")), expected, "{policy}");
        }
    }

    #[test]
    fn unreadable_policies_are_errors() {
        assert!(FilterPolicy::parse("[]", None).is_err());
        assert!(FilterPolicy::parse("not json", None).is_err());
        assert!(FilterPolicy::parse("{}", Some("Everything")).is_err());
    }
}
