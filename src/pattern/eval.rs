//! Does a pattern match one log event? CloudWatch Logs' semantics, as documented and observed:
//!
//! - a string value equals the whole field value, case-sensitively, `*` matching any run;
//! - every comparison, `!=` included, needs the selector to reach an existing scalar: a missing
//!   field, an object or an array makes `=` and `!=` both false;
//! - `[*]` and `.*` are existential: some element must satisfy the test;
//! - `<`, `<=`, `>`, `>=` compare numbers; a number never equals a string field;
//! - a message that is not JSON never matches a JSON pattern.

use std::borrow::Cow;

use serde_json::Value as Json;

use super::ast::{Condition, Delimited, DelimitedField, Expr, FieldExpr, Operator, Step, Test, Value};
use super::reading::Reading;

/// One log event as CloudWatch Logs sees it: the raw message, and its JSON form when the
/// message is a JSON object or array.
#[derive(Debug, Clone)]
pub struct LogEvent {
    message: String,
    json: Option<Json>,
}

impl LogEvent {
    /// A log event from its raw message; JSON is parsed once, here.
    pub fn new(message: impl Into<String>) -> Self {
        let message = message.into();
        let trimmed = message.trim_start();
        let json = if trimmed.starts_with(['{', '[']) { serde_json::from_str(trimmed).ok() } else { None };
        LogEvent { message, json }
    }

    /// A log event from a JSON record, with the compact message CloudTrail delivers for it.
    pub fn from_json(record: Json) -> Self {
        LogEvent { message: record.to_string(), json: Some(record) }
    }

    /// The raw message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message as JSON, when it is JSON.
    pub fn json(&self) -> Option<&Json> {
        self.json.as_ref()
    }
}

/// A field's value as the comparisons see it.
#[derive(Debug, Clone, Copy)]
pub enum FieldValue<'a> {
    /// A JSON string.
    Text(&'a str),
    /// A JSON number.
    Number(&'a serde_json::Number),
    /// A JSON boolean.
    Bool(bool),
    /// JSON `null`.
    Null,
    /// An object or an array: no comparison holds on it.
    Composite,
}

impl<'a> From<&'a Json> for FieldValue<'a> {
    fn from(value: &'a Json) -> Self {
        match value {
            Json::String(text) => FieldValue::Text(text),
            Json::Number(number) => FieldValue::Number(number),
            Json::Bool(flag) => FieldValue::Bool(*flag),
            Json::Null => FieldValue::Null,
            Json::Array(_) | Json::Object(_) => FieldValue::Composite,
        }
    }
}

impl FieldValue<'_> {
    /// The text string values compare against: a string's content, a number's or boolean's
    /// JSON text. Null and composites have none.
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            FieldValue::Text(text) => Some(Cow::Borrowed(text)),
            FieldValue::Number(number) => Some(Cow::Owned(number.to_string())),
            FieldValue::Bool(flag) => Some(Cow::Borrowed(if *flag { "true" } else { "false" })),
            FieldValue::Null | FieldValue::Composite => None,
        }
    }
}

/// Whether a JSON expression matches a JSON document, under `reading`.
pub fn matches_expr(expr: &Expr, root: &Json, reading: Reading) -> bool {
    match expr {
        Expr::Or(alternatives) => {
            alternatives.iter().any(|alternative| matches_expr(alternative, root, reading))
        }
        Expr::And(parts) => parts.iter().all(|part| matches_expr(part, root, reading)),
        Expr::Condition(condition) => matches_condition(condition, root, reading),
    }
}

fn matches_condition(condition: &Condition, root: &Json, reading: Reading) -> bool {
    let steps = &condition.selector.steps;
    match &condition.test {
        Test::NotExists => !any_reached(root, steps, &mut |_| true),
        test => any_reached(root, steps, &mut |node| test_field(test, FieldValue::from(node), reading)),
    }
}

/// Whether some node the steps reach from `node` satisfies `accept`.
fn any_reached(node: &Json, steps: &[Step], accept: &mut dyn FnMut(&Json) -> bool) -> bool {
    let Some((step, rest)) = steps.split_first() else { return accept(node) };
    match (step, node) {
        (Step::Key(key), Json::Object(members)) => {
            members.get(key).is_some_and(|child| any_reached(child, rest, accept))
        }
        (Step::AnyKey, Json::Object(members)) => {
            members.values().any(|child| any_reached(child, rest, accept))
        }
        (Step::Index(index), Json::Array(items)) => {
            items.get(*index).is_some_and(|child| any_reached(child, rest, accept))
        }
        (Step::AnyIndex, Json::Array(items)) => items.iter().any(|child| any_reached(child, rest, accept)),
        _ => false,
    }
}

/// Whether a field the selector reached satisfies a test (`NOT EXISTS` is decided by the
/// caller, from whether anything was reached).
pub fn test_field(test: &Test, field: FieldValue<'_>, reading: Reading) -> bool {
    match test {
        Test::Compare(operator, value) => compare(*operator, value, field, reading),
        Test::IsNull => matches!(field, FieldValue::Null),
        Test::IsTrue => matches!(field, FieldValue::Bool(true)),
        Test::IsFalse => matches!(field, FieldValue::Bool(false)),
        Test::NotExists => false,
    }
}

/// `field <operator> value`; false whenever the field is not a scalar of a comparable type.
pub fn compare(operator: Operator, value: &Value, field: FieldValue<'_>, reading: Reading) -> bool {
    match value {
        Value::Number(number) => match field {
            FieldValue::Number(actual) => {
                actual.as_f64().is_some_and(|actual| compare_numbers(operator, actual, number.value))
            }
            FieldValue::Text(_) => NUMBER_MATCHES_TEXT_FIELD,
            _ => false,
        },
        Value::Text(glob) => {
            field.text().is_some_and(|text| equality(operator, glob.matches(&text, reading)))
        }
        Value::Regex(regex) => {
            field.text().is_some_and(|text| equality(operator, regex.regex.is_match(&text)))
        }
    }
}

/// `=` keeps a match, `!=` inverts it; ordering operators never apply to strings.
fn equality(operator: Operator, matched: bool) -> bool {
    match operator {
        Operator::Equal => matched,
        Operator::NotEqual => !matched,
        _ => false,
    }
}

fn compare_numbers(operator: Operator, actual: f64, expected: f64) -> bool {
    match operator {
        Operator::Equal => actual == expected,
        Operator::NotEqual => actual != expected,
        Operator::Less => actual < expected,
        Operator::LessOrEqual => actual <= expected,
        Operator::Greater => actual > expected,
        Operator::GreaterOrEqual => actual >= expected,
    }
}

/// What a number compared with a string-typed field gives (`{ $.eventName = 5 }` on
/// `"eventName": "5"`), whatever the operator. AWS does not document the case, so the
/// conservative reading is kept here, in one place: the comparison is false, so such a
/// condition never makes a pattern cover an event.
const NUMBER_MATCHES_TEXT_FIELD: bool = false;

/// Whether a space-delimited pattern matches a raw message, under `reading`.
pub fn matches_delimited(pattern: &Delimited, message: &str, reading: Reading) -> bool {
    let fields = split_delimited(message);
    let mut failed = vec![false; (pattern.fields.len() + 1) * (fields.len() + 1)];
    match_fields(&pattern.fields, &fields, 0, 0, &mut failed, reading)
}

/// Splits a message into space-delimited fields; `"..."` and `[...]` group a field that
/// holds spaces, and lose their delimiters.
pub fn split_delimited(message: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let mut rest = message.trim_start();
    while !rest.is_empty() {
        let closing = match rest.as_bytes()[0] {
            b'"' => Some('"'),
            b'[' => Some(']'),
            _ => None,
        };
        let (field, after) = match closing.and_then(|c| rest[1..].find(c).map(|end| (c, end))) {
            Some((_, end)) => (&rest[1..1 + end], &rest[end + 2..]),
            None => {
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            }
        };
        fields.push(field);
        rest = after.trim_start();
    }
    fields
}

/// Matches pattern fields from `p` against message fields from `m`, under `reading`; `failed`
/// memoises the states already known to fail, so ellipses cost O(fields²) rather than
/// exponential time.
fn match_fields(
    pattern: &[DelimitedField],
    message: &[&str],
    p: usize,
    m: usize,
    failed: &mut [bool],
    reading: Reading,
) -> bool {
    let state = p * (message.len() + 1) + m;
    if failed[state] {
        return false;
    }
    let matched = match pattern.get(p) {
        // Fields left over after the last named one: ignored under one reading.
        None => m == message.len() || !reading.last_field_takes_rest(),
        Some(DelimitedField::Ellipsis) => {
            (m..=message.len()).any(|next| match_fields(pattern, message, p + 1, next, failed, reading))
        }
        // The last named field, with more than one message field left: it takes them all
        // under the other reading.
        Some(DelimitedField::Named { test, .. })
            if p + 1 == pattern.len() && m + 1 < message.len() && reading.last_field_takes_rest() =>
        {
            let rest = message[m..].join(" ");
            test.as_ref().is_none_or(|test| matches_field_expr(test, &rest, reading))
        }
        Some(DelimitedField::Named { test, .. }) => {
            m < message.len()
                && test.as_ref().is_none_or(|test| matches_field_expr(test, message[m], reading))
                && match_fields(pattern, message, p + 1, m + 1, failed, reading)
        }
    };
    if !matched {
        failed[state] = true;
    }
    matched
}

fn matches_field_expr(expr: &FieldExpr, field: &str, reading: Reading) -> bool {
    match expr {
        FieldExpr::Or(alternatives) => {
            alternatives.iter().any(|alternative| matches_field_expr(alternative, field, reading))
        }
        FieldExpr::And(parts) => parts.iter().all(|part| matches_field_expr(part, field, reading)),
        FieldExpr::Compare(operator, value) => {
            let number;
            let field_value = match (value, field.parse::<serde_json::Number>()) {
                (Value::Number(_), Ok(parsed)) => {
                    number = parsed;
                    FieldValue::Number(&number)
                }
                _ => FieldValue::Text(field),
            };
            compare(*operator, value, field_value, reading)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimited_messages_split_on_spaces_quotes_and_brackets() {
        let message =
            r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#;
        assert_eq!(
            split_delimited(message),
            vec![
                "127.0.0.1",
                "-",
                "frank",
                "10/Oct/2000:13:25:15 -0700",
                "GET /apache_pb.gif HTTP/1.0",
                "200",
                "1534"
            ]
        );
        assert_eq!(split_delimited("  a   b "), vec!["a", "b"]);
        assert_eq!(split_delimited("\"unclosed quote"), vec!["\"unclosed", "quote"]);
        assert!(split_delimited("").is_empty());
    }
}
