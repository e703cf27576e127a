//! Policy conditions: one operator on one context key, against a list of values (any of which
//! may match). Only the keys a [`Request`] carries can be decided; on any other key, with an
//! operator not understood here, or with a policy variable in a value, the answer is unknown.

use serde_json::Value as Json;

use super::Request;
use super::glob::matches_wildcards;

/// How a condition compares the key's value with its own values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    /// `StringEquals`, `StringEqualsIgnoreCase` (`ignore_case`).
    Equals { ignore_case: bool },
    /// `StringLike`, `ArnEquals`, `ArnLike`: `*` and `?` wildcards.
    Like,
    /// `Null`: whether the key is absent.
    Null,
}

/// One condition: `Operator: {key: values}`. The `ForAnyValue:`/`ForAllValues:` qualifiers
/// and the `IfExists` suffix change nothing here: every key a request carries has one value,
/// and whether any other key is present is unknown anyway.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Condition {
    key: String,
    values: Vec<String>,
    /// `None` for an operator not understood here.
    comparison: Option<Comparison>,
    /// A `...Not...` operator: true when no value matches.
    negated: bool,
}

impl Condition {
    /// The conditions of one operator block, one per key (all must hold).
    pub(super) fn parse(operator: &str, keys: &Json) -> Vec<Condition> {
        let base = operator
            .strip_prefix("ForAnyValue:")
            .or_else(|| operator.strip_prefix("ForAllValues:"))
            .unwrap_or(operator);
        let base = base.strip_suffix("IfExists").unwrap_or(base);
        let (comparison, negated) = match base {
            "StringEquals" => (Some(Comparison::Equals { ignore_case: false }), false),
            "StringNotEquals" => (Some(Comparison::Equals { ignore_case: false }), true),
            "StringEqualsIgnoreCase" => (Some(Comparison::Equals { ignore_case: true }), false),
            "StringNotEqualsIgnoreCase" => (Some(Comparison::Equals { ignore_case: true }), true),
            "StringLike" | "ArnEquals" | "ArnLike" => (Some(Comparison::Like), false),
            "StringNotLike" | "ArnNotEquals" | "ArnNotLike" => (Some(Comparison::Like), true),
            "Null" => (Some(Comparison::Null), false),
            _ => (None, false),
        };
        let Json::Object(keys) = keys else {
            return vec![Condition {
                key: String::new(),
                values: Vec::new(),
                comparison: None,
                negated: false,
            }];
        };
        keys.iter()
            .map(|(key, values)| Condition {
                key: key.clone(),
                values: match values {
                    Json::Array(items) => items.iter().map(scalar).collect(),
                    value => vec![scalar(value)],
                },
                comparison,
                negated,
            })
            .collect()
    }

    /// Whether the condition holds for `request`; `None` when that cannot be decided.
    pub(super) fn holds(&self, request: &Request) -> Option<bool> {
        let comparison = self.comparison?;
        if self.values.iter().any(|value| value.contains("${")) {
            return None;
        }
        let actual = request.value(&self.key)?;
        let matched = match comparison {
            Comparison::Null => return Some(self.values.iter().all(|value| value == "false")),
            Comparison::Equals { ignore_case: false } => self.values.iter().any(|value| value == actual),
            Comparison::Equals { ignore_case: true } => {
                self.values.iter().any(|value| value.eq_ignore_ascii_case(actual))
            }
            Comparison::Like => self.values.iter().any(|value| matches_wildcards(value, actual)),
        };
        Some(matched != self.negated)
    }
}

/// A condition value as text (policies write numbers and booleans bare or quoted).
fn scalar(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}
