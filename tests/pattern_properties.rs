//! Properties of the filter-pattern engine, on generated patterns and CloudTrail records:
//!
//! - coverage is sound: an event that `coverage` does not list as uncovered is matched in every
//!   record of it, whatever the record's other fields hold; a pattern that is not over-broad
//!   matches no record of an event the control does not require;
//! - the canonical form is a fixed point and means the same as the pattern it came from;
//! - parsing never panics.
//!
//! `PROPTEST_CASES` overrides the number of cases (512 by default).

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value as Json, json};

use cis_monitor::controls::Control;
use cis_monitor::pattern::{FilterPattern, LogEvent, ParseErrorKind};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(512);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// Event names no control requires, several of them close to required ones.
const OTHER_NAMES: &[&str] = &[
    "DescribeTrails",
    "GetTrail",
    "ListTrails",
    "PutEventSelectors",
    "DisableKeyRotation",
    "EnableKey",
    "CreateKey",
    "CreateVpcEndpoint",
    "DeleteVpcEndpoints",
    "ModifyVpcEndpoint",
    "CreateSubnet",
    "ConsoleLogin",
];

const OTHER_SOURCES: &[&str] = &["iam.amazonaws.com", "s3.amazonaws.com", "signin.amazonaws.com"];

fn all_required_names() -> Vec<&'static str> {
    Control::ALL.iter().flat_map(|control| control.required_events().iter().map(|event| event.name)).collect()
}

/// Strings that values and record fields are drawn from: event names, sources, principal
/// types, error codes, and random words.
fn word() -> impl Strategy<Value = String> {
    let mut pool: Vec<&'static str> = all_required_names();
    pool.extend(OTHER_NAMES);
    pool.extend(OTHER_SOURCES);
    pool.extend([
        "cloudtrail.amazonaws.com",
        "kms.amazonaws.com",
        "ec2.amazonaws.com",
        "Root",
        "IAMUser",
        "AssumedRole",
        "AccessDenied",
        "true",
        "false",
    ]);
    prop_oneof![4 => select(pool).prop_map(str::to_string), 1 => "[A-Za-z]{1,6}"]
}

/// `text` with a `*` inserted at each of `at` (taken modulo the length).
fn with_wildcards(text: &str, at: &[Index]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for index in at {
        let position = index.index(chars.len() + 1);
        chars.insert(position, '*');
    }
    chars.into_iter().collect()
}

/// Where to insert wildcards: mostly nowhere.
fn stars() -> impl Strategy<Value = Vec<Index>> {
    prop_oneof![3 => Just(Vec::new()), 1 => prop::collection::vec(any::<Index>(), 1..3)]
}

/// A value: a word with wildcards, bare or quoted, or now and then a regex.
fn value() -> impl Strategy<Value = String> {
    let glob = (word(), stars(), any::<bool>()).prop_map(|(word, stars, quoted)| {
        let glob = with_wildcards(&word, &stars);
        if quoted { format!("\"{glob}\"") } else { glob }
    });
    let regex =
        select(vec!["%Trail%", "%^Create%", "%Key$%", "%Vpc|Logging%", "%^[A-Z]%"]).prop_map(str::to_string);
    prop_oneof![12 => glob, 1 => regex]
}

const FIELDS: &[&str] = &[
    "$.eventName",
    "$.eventName",
    "$.eventSource",
    "$.userIdentity.type",
    "$.errorCode",
    "$.requestParameters.x",
    "$.readOnly",
    "$.*",
];

/// One condition on one of the fields the generated records vary.
fn condition() -> impl Strategy<Value = String> {
    let field = select(FIELDS);
    prop_oneof![
        6 => (field.clone(), select(vec!["=", "!="]), value())
            .prop_map(|(field, operator, value)| format!("{field} {operator} {value}")),
        1 => field.clone().prop_map(|field| format!("{field} NOT EXISTS")),
        1 => (field, select(vec!["IS NULL", "IS TRUE", "IS FALSE"])).prop_map(|(field, test)| format!("{field} {test}")),
    ]
}

/// An expression of conditions under `&&` and `||`, parenthesised or not.
fn expression() -> impl Strategy<Value = String> {
    condition().prop_recursive(3, 16, 4, |inner| {
        (prop::collection::vec((inner, any::<bool>()), 2..4), prop::bool::weighted(0.5)).prop_map(
            |(parts, and)| {
                let parts: Vec<String> = parts
                    .into_iter()
                    .map(|(part, wrap)| if wrap { format!("({part})") } else { part })
                    .collect();
                parts.join(if and { " && " } else { " || " })
            },
        )
    })
}

/// A disjunction naming some or all of the control's events, with wildcards; often covering.
fn event_disjunction(control: Control) -> impl Strategy<Value = String> {
    let events = control.required_events();
    let alternatives = events
        .iter()
        .map(|event| {
            (stars(), prop::bool::weighted(0.9), any::<bool>()).prop_map(move |(stars, kept, quoted)| {
                let glob = with_wildcards(event.name, &stars);
                let value = if quoted { format!("\"{glob}\"") } else { glob };
                kept.then(|| format!("($.eventName = {value})"))
            })
        })
        .collect::<Vec<_>>();
    alternatives.prop_map(|alternatives| {
        let kept: Vec<String> = alternatives.into_iter().flatten().collect();
        if kept.is_empty() { "($.eventName = Nothing)".to_string() } else { kept.join(" || ") }
    })
}

/// A JSON pattern for `control`: a disjunction of its events, maybe combined with a random
/// expression, or a random expression alone.
fn json_pattern(control: Control) -> impl Strategy<Value = String> {
    prop_oneof![
        2 => event_disjunction(control).prop_map(|core| format!("{{ {core} }}")),
        3 => (event_disjunction(control), expression(), prop::bool::weighted(0.6)).prop_map(
            |(core, other, either)| {
                let connective = if either { "||" } else { "&&" };
                format!("{{ ({core}) {connective} ({other}) }}")
            }
        ),
        2 => expression().prop_map(|expression| format!("{{ {expression} }}")),
    ]
}

/// A JSON value of any type, for the fields a record may or may not carry.
fn any_value() -> impl Strategy<Value = Json> {
    prop_oneof![
        4 => word().prop_map(Json::String),
        1 => Just(Json::Null),
        1 => any::<bool>().prop_map(Json::Bool),
        1 => (-3i64..3).prop_map(Json::from),
        1 => word().prop_map(|word| json!([word])),
        1 => word().prop_map(|word| json!({ "type": word })),
    ]
}

/// Absent, or a value of any type.
fn maybe(value: impl Strategy<Value = Json>) -> impl Strategy<Value = Option<Json>> {
    prop::option::weighted(0.6, value)
}

/// A CloudTrail record with this event name and source, its other fields present or absent and
/// of any type.
fn record(
    name: impl Strategy<Value = String>,
    source: impl Strategy<Value = String>,
) -> impl Strategy<Value = Json> {
    let identity = prop_oneof![
        3 => word().prop_map(|kind| json!({ "type": kind, "accountId": "111122223333" })),
        1 => any_value(),
    ];
    let request = prop_oneof![
        3 => any_value().prop_map(|x| json!({ "x": x, "name": "org-audit" })),
        1 => any_value(),
    ];
    let read_only = prop_oneof![3 => any::<bool>().prop_map(Json::Bool), 1 => any_value()];
    (name, source, maybe(identity), maybe(any_value()), maybe(request), maybe(read_only), maybe(any_value()))
        .prop_map(|(name, source, identity, error, request, read_only, extra)| {
            let mut record = Map::new();
            record.insert("eventVersion".into(), json!("1.09"));
            if let Some(identity) = identity {
                record.insert("userIdentity".into(), identity);
            }
            record.insert("eventTime".into(), json!("2025-03-04T09:14:02Z"));
            record.insert("eventSource".into(), Json::String(source));
            record.insert("eventName".into(), Json::String(name));
            record.insert("awsRegion".into(), json!("us-east-1"));
            if let Some(error) = error {
                record.insert("errorCode".into(), error);
            }
            if let Some(request) = request {
                record.insert("requestParameters".into(), request);
            }
            if let Some(read_only) = read_only {
                record.insert("readOnly".into(), read_only);
            }
            if let Some(extra) = extra {
                record.insert("additionalEventData".into(), extra);
            }
            record.insert("eventType".into(), json!("AwsApiCall"));
            Json::Object(record)
        })
}

/// Records of the control's required events, each with the event's real source.
fn required_records(control: Control) -> impl Strategy<Value = Vec<Json>> {
    let events = control.required_events().to_vec();
    let one = select(events)
        .prop_flat_map(|event| record(Just(event.name.to_string()), Just(event.source.to_string())));
    prop::collection::vec(one, 1..6)
}

/// Records of events the control does not require, from any source.
fn unrequired_records(control: Control) -> impl Strategy<Value = Vec<Json>> {
    let required: Vec<&str> = control.required_events().iter().map(|event| event.name).collect();
    let mut names: Vec<&'static str> = all_required_names();
    names.extend(OTHER_NAMES);
    names.retain(|name| !required.contains(name));
    let name = prop_oneof![4 => select(names).prop_map(str::to_string), 1 => "[A-Za-z]{1,12}"]
        .prop_filter("not a required name", move |name| !required.contains(&name.as_str()));
    let mut sources = vec!["cloudtrail.amazonaws.com", "kms.amazonaws.com", "ec2.amazonaws.com"];
    sources.extend(OTHER_SOURCES);
    let source = select(sources).prop_map(str::to_string);
    prop::collection::vec(record(name, source), 1..6)
}

fn control() -> impl Strategy<Value = Control> {
    select(Control::ALL.to_vec())
}

/// A control, a pattern for it, records it requires and records it does not.
fn scenario() -> impl Strategy<Value = (Control, String, Vec<Json>, Vec<Json>)> {
    control().prop_flat_map(|control| {
        (Just(control), json_pattern(control), required_records(control), unrequired_records(control))
    })
}

/// Pieces that pattern-like strings are built from, to reach deep into the grammar.
const PIECES: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    " ",
    " ",
    "\n",
    "$",
    ".",
    "*",
    "[*]",
    "[0]",
    ".*",
    "$.a",
    "$.eventName",
    ".['k.k']",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "&",
    "|",
    "IS",
    "NULL",
    "NOT",
    "EXISTS",
    "TRUE",
    "FALSE",
    "\"",
    "\\",
    "'",
    "%",
    "%a%",
    "%^C%",
    "CreateTrail",
    "1",
    "-2.5e3",
    "-",
    "?",
    ",",
    "...",
    "é",
    "x",
    "ab*",
    "\"q w\"",
];

fn pattern_like() -> impl Strategy<Value = String> {
    prop::collection::vec(select(PIECES), 0..60).prop_map(|pieces| pieces.concat())
}

/// Parses, prints and re-parses `text`, and exercises matching and coverage; panics on any
/// broken promise.
fn check_any_text(text: &str) -> Result<(), TestCaseError> {
    let Ok(pattern) = FilterPattern::parse(text) else { return Ok(()) };
    let printed = pattern.to_string();
    match FilterPattern::parse(&printed) {
        Ok(reparsed) => prop_assert_eq!(reparsed.to_string(), printed.clone(), "{:?}", text),
        Err(error) => prop_assert!(
            matches!(error.kind, ParseErrorKind::TooLong { .. }) && printed.chars().count() > 1024,
            "the canonical form {:?} of {:?} is rejected: {}",
            printed,
            text,
            error
        ),
    }
    pattern.matches(&LogEvent::new(text));
    pattern.matches(&LogEvent::new(r#"{"eventName":"CreateTrail","a":[1,{"k.k":null}]}"#));
    for control in Control::ALL {
        pattern.coverage(control);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn coverage_is_sound(scenario in scenario()) {
        let (control, text, required, unrequired) = scenario;
        // Only the quotas on wildcards and regexes can reject a generated pattern.
        let Ok(pattern) = FilterPattern::parse(&text) else { return Err(TestCaseError::reject("over a quota")) };
        let coverage = pattern.coverage(control);
        for record in &required {
            let name = record["eventName"].as_str().expect("a name");
            let missed = coverage.uncovered.iter().any(|missed| missed.event.name == name);
            if !missed {
                prop_assert!(
                    pattern.matches(&LogEvent::from_json(record.clone())),
                    "{} covers {} for {} but does not match {}", text, name, control, record
                );
            }
        }
        if coverage.covers() {
            prop_assert!(coverage.uncovered.is_empty());
        }
        if !coverage.over_broad {
            for record in &unrequired {
                prop_assert!(
                    !pattern.matches(&LogEvent::from_json(record.clone())),
                    "{} is not over-broad for {} but matches {}", text, control, record
                );
            }
        }
    }

    #[test]
    fn canonical_form_is_a_fixed_point_with_the_same_meaning(scenario in scenario()) {
        let (control, text, required, unrequired) = scenario;
        let Ok(pattern) = FilterPattern::parse(&text) else { return Err(TestCaseError::reject("over a quota")) };
        let printed = pattern.to_string();
        let reparsed = FilterPattern::parse(&printed);
        prop_assert!(reparsed.is_ok(), "{:?} prints as {:?}, rejected: {:?}", text, printed, reparsed.err());
        let reparsed = reparsed.expect("checked");
        prop_assert_eq!(reparsed.to_string(), printed.clone());
        for record in required.iter().chain(&unrequired) {
            let event = LogEvent::from_json(record.clone());
            prop_assert_eq!(reparsed.matches(&event), pattern.matches(&event), "{} vs {} on {}", text, printed, record);
        }
        let (before, after) = (pattern.coverage(control), reparsed.coverage(control));
        prop_assert_eq!(&before.uncovered, &after.uncovered);
        prop_assert_eq!(before.over_broad, after.over_broad);
        prop_assert_eq!(before.decision, after.decision);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(text in ".{0,1100}") {
        check_any_text(&text)?;
    }

    #[test]
    fn parsing_pattern_like_text_never_panics(text in pattern_like()) {
        check_any_text(&text)?;
    }
}

/// The generators must exercise both outcomes, or the soundness property says little.
#[test]
fn generated_patterns_often_cover_and_often_do_not() {
    let mut runner = TestRunner::deterministic();
    let strategy = scenario();
    let (mut parsed, mut covering, mut narrow) = (0, 0, 0);
    for _ in 0..400 {
        let (control, text, _, _) = strategy.new_tree(&mut runner).expect("a scenario").current();
        if let Ok(pattern) = FilterPattern::parse(&text) {
            parsed += 1;
            let coverage = pattern.coverage(control);
            covering += usize::from(coverage.covers());
            narrow += usize::from(!coverage.over_broad);
        }
    }
    assert!(parsed >= 360, "only {parsed} of 400 generated patterns parse");
    assert!(covering >= 60 && covering <= parsed - 60, "{covering} of {parsed} cover");
    assert!(narrow >= 40, "only {narrow} of {parsed} are not over-broad");
}
