//! Does a metric filter catch every event a control requires? Decided by meaning, not text.
//!
//! For each required event the fields the control pins (`eventName`, and `eventSource`, the
//! service that emits that event) are fixed and every other field of the record is unknown: it
//! may be absent or hold anything. The pattern is evaluated in three-valued (Kleene) logic; the
//! event is covered only when the result is definitely true, so that "covered" holds for every
//! record of that event, whatever its other fields say. The logic is sound, never complete:
//! a tautology over unknown fields (`($.x = 1) || ($.x != 1) || ($.x NOT EXISTS)`) is
//! reported as not covered.
//!
//! Over-breadth is the same evaluation on a record whose `eventName` is none of the required
//! names: a pattern that is not definitely false there may match records the control does
//! not ask for.

use std::fmt;

use crate::controls::{Control, RequiredEvent};

use super::FilterPattern;
use super::ast::{
    Body, Condition, Expr, Glob, Operator, RegexValue, Step, Term, TermRole, Terms, Test, Value,
};
use super::eval::{FieldValue, test_field};
use super::reading::Reading;
use crate::logic::{and3, or3};

/// The verdict on one pattern for one control.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// The control the pattern was judged for.
    pub control: Control,
    /// Whether a verdict could be reached, and why not when it could not.
    pub decision: Decision,
    /// The required events the pattern can miss, in the control's order.
    pub uncovered: Vec<UncoveredEvent>,
    /// Whether the pattern is the CIS text, up to white space (what Security Hub accepts).
    pub exact_cis: bool,
    /// Whether the pattern may match records the control does not ask for.
    pub over_broad: bool,
}

/// Whether coverage could be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The uncovered list is the verdict.
    Decided,
    /// The pattern's meaning on CloudTrail records cannot be decided; the reason says why.
    Undecidable(String),
}

/// A required event that the pattern can miss, with the clause that loses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UncoveredEvent {
    /// The event.
    pub event: RequiredEvent,
    /// The part of the pattern that loses it, in canonical form.
    pub clause: String,
    /// Why, in a sentence.
    pub reason: String,
    /// Whether the pattern matches no record of the event at all (rather than only some).
    pub never_matched: bool,
}

impl Coverage {
    /// Whether the pattern catches every required event: decided, and nothing uncovered.
    pub fn covers(&self) -> bool {
        self.decision == Decision::Decided && self.uncovered.is_empty()
    }
}

impl fmt::Display for UncoveredEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.event.name, self.reason)
    }
}

/// What the evaluation knows of the record.
#[derive(Clone, Copy)]
enum Record<'a> {
    /// A record of one required event: `eventName` and `eventSource` fixed, the rest unknown.
    Required(&'a RequiredEvent),
    /// A record whose `eventName` is none of these names, the rest unknown.
    Unrequired(&'a [RequiredEvent]),
}

/// A field of the record that the evaluation knows something about.
#[derive(Clone, Copy)]
enum Known<'a> {
    /// A string with this value.
    Text(&'a str),
    /// A string that is none of the required event names.
    OtherName(&'a [RequiredEvent]),
}

/// The nodes a selector reaches in a partly known record.
struct Reach<'a> {
    known: [Option<Known<'a>>; 2],
    /// Whether unknown parts of the record may be reached too.
    unknown: bool,
}

impl<'a> Record<'a> {
    fn member(self, key: &str) -> Option<Known<'a>> {
        match (self, key) {
            (Record::Required(event), "eventName") => Some(Known::Text(event.name)),
            (Record::Required(event), "eventSource") => Some(Known::Text(event.source)),
            (Record::Unrequired(names), "eventName") => Some(Known::OtherName(names)),
            _ => None,
        }
    }

    fn reach(self, steps: &[Step]) -> Reach<'a> {
        let nothing = Reach { known: [None, None], unknown: false };
        let Some((first, rest)) = steps.split_first() else {
            return Reach { known: [None, None], unknown: true };
        };
        let reach = match first {
            Step::Key(key) => match self.member(key) {
                Some(known) => Reach { known: [Some(known), None], unknown: false },
                None => Reach { known: [None, None], unknown: true },
            },
            Step::AnyKey => {
                Reach { known: [self.member("eventName"), self.member("eventSource")], unknown: true }
            }
            // The record is an object: array steps reach nothing.
            Step::Index(_) | Step::AnyIndex => return nothing,
        };
        if rest.is_empty() {
            reach
        } else {
            // Known members are strings and have no members; unknown ones may have anything.
            Reach { known: [None, None], unknown: reach.unknown }
        }
    }
}

/// Evaluates a JSON expression in three-valued logic: `Some(true)` means true for every
/// record the description allows, `Some(false)` false for every one, `None` it depends.
fn decide_expr(expr: &Expr, record: Record<'_>, reading: Reading) -> Option<bool> {
    match expr {
        Expr::Or(alternatives) => {
            let mut result = Some(false);
            for alternative in alternatives {
                result = or3(result, decide_expr(alternative, record, reading));
                if result == Some(true) {
                    break;
                }
            }
            result
        }
        Expr::And(parts) => {
            let mut result = Some(true);
            for part in parts {
                result = and3(result, decide_expr(part, record, reading));
                if result == Some(false) {
                    break;
                }
            }
            result
        }
        Expr::Condition(condition) => decide_condition(condition, record, reading),
    }
}

fn decide_condition(condition: &Condition, record: Record<'_>, reading: Reading) -> Option<bool> {
    let reach = record.reach(&condition.selector.steps);
    let known = reach.known.iter().flatten();
    if let Test::NotExists = condition.test {
        return if known.count() > 0 {
            Some(false)
        } else if reach.unknown {
            None
        } else {
            Some(true)
        };
    }
    let mut result = if reach.unknown { None } else { Some(false) };
    for field in known {
        let outcome = match field {
            Known::Text(text) => Some(test_field(&condition.test, FieldValue::Text(text), reading)),
            Known::OtherName(names) => test_other_name(&condition.test, names),
        };
        result = or3(result, outcome);
    }
    result
}

/// A test on a string known only to be none of the required names.
fn test_other_name(test: &Test, names: &[RequiredEvent]) -> Option<bool> {
    match test {
        Test::Compare(Operator::Equal, Value::Text(Glob { text, .. })) if !text.contains('*') => {
            if names.iter().any(|event| event.name == text) { Some(false) } else { None }
        }
        // Any other comparison may hold for some name outside the list.
        Test::Compare(..) => None,
        Test::IsNull | Test::IsTrue | Test::IsFalse | Test::NotExists => Some(false),
    }
}

/// The fragments every CloudTrail record of `event` holds in its compact JSON message.
fn known_fragments(event: &RequiredEvent) -> [String; 2] {
    [format!("\"eventName\":\"{}\"", event.name), format!("\"eventSource\":\"{}\"", event.source)]
}

/// Decides a terms pattern on the raw message of a record of `event`.
fn decide_terms(terms: &Terms, event: &RequiredEvent) -> Option<bool> {
    let fragments = known_fragments(event);
    terms.decide(
        |text| if fragments.iter().any(|fragment| fragment.contains(text)) { Some(true) } else { None },
    )
}

/// Decides a regular expression on the raw message of a record of `event`.
fn decide_regex(regex: &RegexValue, event: &RequiredEvent) -> Option<bool> {
    let found =
        !regex.is_anchored() && known_fragments(event).iter().any(|fragment| regex.regex.is_match(fragment));
    if found { Some(true) } else { None }
}

/// Judges `pattern` against `control`, under every reading its open constructs need
/// ([`Reading`]): a verdict that differs between readings is undecided, and says why. Never
/// fails: a pattern that cannot be decided says so.
pub fn analyze(pattern: &FilterPattern, control: Control) -> Coverage {
    let readings = pattern.readings();
    let coverages: Vec<Coverage> =
        readings.iter().map(|reading| analyze_under(pattern, control, *reading)).collect();
    let mut combined = coverages[0].clone();
    for other in &coverages[1..] {
        combined.over_broad |= other.over_broad;
        for missed in &other.uncovered {
            if !combined.uncovered.iter().any(|known| known.event == missed.event) {
                combined.uncovered.push(missed.clone());
            }
        }
    }
    let position =
        |event: &RequiredEvent| control.required_events().iter().position(|required| required == event);
    combined.uncovered.sort_by_key(|missed| position(&missed.event));
    let covering = readings.iter().zip(&coverages).find(|(_, coverage)| coverage.covers());
    let missing = readings.iter().zip(&coverages).find(|(_, coverage)| !coverage.covers());
    if let (Some((covering, _)), Some((missing, missed))) = (covering, missing)
        && combined.decision == Decision::Decided
    {
        let lost: Vec<&str> = missed.uncovered.iter().map(|missed| missed.event.name).collect();
        combined.decision = Decision::Undecidable(format!(
            "whether it catches every required event depends on how AWS reads {}: reading {covering}, it catches \
             them all; reading {missing}, it misses {}",
            pattern.open_constructs().join(", "),
            lost.join(", ")
        ));
    }
    combined
}

/// Judges `pattern` against `control` under one reading.
fn analyze_under(pattern: &FilterPattern, control: Control, reading: Reading) -> Coverage {
    let exact_cis = same_text_ignoring_blanks(pattern.text(), control.canonical_pattern());
    let events = control.required_events();
    let mut coverage = Coverage {
        control,
        decision: Decision::Decided,
        uncovered: Vec::new(),
        exact_cis,
        over_broad: false,
    };
    match pattern.body() {
        Body::Everything => coverage.over_broad = true,
        Body::Json(expr) => {
            for event in events {
                let outcome = decide_expr(expr, Record::Required(event), reading);
                if outcome != Some(true) {
                    coverage.uncovered.push(explain_json(expr, event, outcome == Some(false), reading));
                }
            }
            coverage.over_broad = decide_expr(expr, Record::Unrequired(events), reading) != Some(false);
        }
        Body::Terms(terms) => {
            for event in events {
                if decide_terms(terms, event) != Some(true) {
                    coverage.uncovered.push(explain_terms(terms, event));
                }
            }
            coverage.over_broad = true;
        }
        Body::Regex(regex) => {
            for event in events {
                if decide_regex(regex, event) != Some(true) {
                    let reason = if regex.is_anchored() {
                        format!(
                            "the anchored expression `{regex}` is not sure to match {} records",
                            event.name
                        )
                    } else {
                        format!("the expression `{regex}` need not match {} records", event.name)
                    };
                    let clause = regex.to_string();
                    coverage.uncovered.push(UncoveredEvent {
                        event: *event,
                        clause,
                        reason,
                        never_matched: false,
                    });
                }
            }
            coverage.over_broad = true;
        }
        Body::Delimited(_) => {
            coverage.decision = Decision::Undecidable(
                "space-delimited patterns split the CloudTrail JSON record at arbitrary spaces, so which \
                 events they catch cannot be decided; use a JSON pattern"
                    .to_string(),
            );
        }
    }
    coverage
}

/// Whether two patterns are the same text once every white-space character is removed.
pub fn same_text_ignoring_blanks(left: &str, right: &str) -> bool {
    left.chars().filter(|c| !c.is_whitespace()).eq(right.chars().filter(|c| !c.is_whitespace()))
}

/// Finds the clause that loses `event` and says why.
fn explain_json(expr: &Expr, event: &RequiredEvent, never_matched: bool, reading: Reading) -> UncoveredEvent {
    let (clause, outcome) = blame(expr, Record::Required(event), reading);
    let text = clause.to_string();
    let reason = match (clause, outcome) {
        (Expr::Or(_), _) => format!("no alternative of `{text}` matches {} records", event.name),
        (_, Some(false)) => format!("`{text}` is false for every {} record", event.name),
        _ => {
            let fields = selectors_in(clause);
            let mut reason = format!(
                "`{text}` depends on {fields}, which {} records do not fix: the alarm stays silent for records where it does not hold",
                event.name
            );
            if fields.contains("$.errorCode") || fields.contains("$.errorMessage") {
                reason.push_str(" (such as failed or denied calls)");
            }
            reason
        }
    };
    UncoveredEvent { event: *event, clause: text, reason, never_matched }
}

/// The innermost clause responsible for `expr` not being definitely true.
fn blame<'e>(expr: &'e Expr, record: Record<'_>, reading: Reading) -> (&'e Expr, Option<bool>) {
    match expr {
        Expr::Condition(condition) => (expr, decide_condition(condition, record, reading)),
        Expr::And(parts) => {
            let outcomes: Vec<_> = parts.iter().map(|part| decide_expr(part, record, reading)).collect();
            let culprit = outcomes
                .iter()
                .position(|outcome| *outcome == Some(false))
                .or_else(|| outcomes.iter().position(|outcome| outcome.is_none()));
            match culprit {
                Some(index) => blame(&parts[index], record, reading),
                None => (expr, Some(true)),
            }
        }
        Expr::Or(alternatives) => {
            match alternatives.iter().find(|alternative| decide_expr(alternative, record, reading).is_none())
            {
                Some(undecided) => blame(undecided, record, reading),
                None => (expr, decide_expr(expr, record, reading)),
            }
        }
    }
}

/// The selectors an expression reads, listed for a reason text.
fn selectors_in(expr: &Expr) -> String {
    let mut selectors: Vec<String> = Vec::new();
    collect_selectors(expr, &mut selectors);
    selectors.iter().map(|selector| format!("`{selector}`")).collect::<Vec<_>>().join(", ")
}

fn collect_selectors(expr: &Expr, into: &mut Vec<String>) {
    match expr {
        Expr::Or(parts) | Expr::And(parts) => parts.iter().for_each(|part| collect_selectors(part, into)),
        Expr::Condition(condition) => {
            let text = condition.selector.to_string();
            if !into.contains(&text) {
                into.push(text);
            }
        }
    }
}

/// Names the term that loses `event`.
fn explain_terms(terms: &Terms, event: &RequiredEvent) -> UncoveredEvent {
    let fragments = known_fragments(event);
    let known = |term: &Term| fragments.iter().any(|fragment| fragment.contains(&term.text));
    let culprit = terms.terms.iter().find(|term| match term.role {
        TermRole::Required => !known(term),
        TermRole::Excluded => true,
        TermRole::Optional => false,
    });
    let (clause, reason) = match culprit {
        Some(term) if term.role == TermRole::Excluded => (
            term.to_string(),
            format!("the excluded term `{term}` may occur in {} records, which then go unseen", event.name),
        ),
        Some(term) => {
            (term.to_string(), format!("the term `{term}` need not occur in {} records", event.name))
        }
        None => {
            let optional: Vec<String> = terms.terms.iter().map(Term::to_string).collect();
            (
                optional.join(" "),
                format!("none of the optional terms is sure to occur in {} records", event.name),
            )
        }
    };
    UncoveredEvent { event: *event, clause, reason, never_matched: false }
}
