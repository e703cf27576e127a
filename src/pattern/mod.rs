//! CloudWatch Logs filter patterns: parse them, match them against log events, and decide by
//! meaning whether a metric filter catches every event a control requires.
//!
//! This module has no AWS dependency. Its stages are one file each: [`lex`] (tokens with
//! spans), [`parse`] (recursive descent), [`ast`] (the tree, printed canonically), [`eval`]
//! (does a pattern match an event), [`terms`] (the terms language), [`coverage`] (three-valued
//! evaluation against a control's required events, in [`crate::logic`]).
//!
//! # Grammar
//!
//! The first non-blank character picks the kind: `{` a JSON pattern, `[` a space-delimited
//! pattern, `%` a regular expression, anything else terms; an empty pattern matches everything.
//!
//! ```text
//! json      := "{" or "}"
//! or        := and ( "||" and )*                  -- lowest precedence
//! and       := primary ( "&&" primary )*
//! primary   := "(" or ")" | condition
//! condition := selector op value | selector IS (NULL | TRUE | FALSE) | selector NOT EXISTS
//! op        := "=" | "!=" | "<" | "<=" | ">" | ">="
//! selector  := "$" ( "." name | ".*" | "[" digits "]" | "[*]" | ".['" key "']" )+
//! value     := "\"" chars "\"" | "%" regex "%" | number | bare
//! ```
//!
//! Limits, as CloudWatch Logs enforces them: 1024 characters, one wildcard per selector, three
//! wildcard selectors and two regular expressions per pattern, and a restricted regex dialect
//! (no parentheses, no multi-byte characters).
//!
//! ```
//! use cis_monitor::pattern::{FilterPattern, LogEvent};
//!
//! let pattern: FilterPattern = r#"{ ($.eventName = Create*) && ($.errorCode NOT EXISTS) }"#.parse()?;
//! assert!(pattern.matches(&LogEvent::new(r#"{"eventName":"CreateTrail"}"#)));
//! assert!(!pattern.matches(&LogEvent::new(r#"{"eventName":"CreateTrail","errorCode":"AccessDenied"}"#)));
//! assert!(!pattern.matches(&LogEvent::new("CreateTrail, not JSON")));
//! assert_eq!(pattern.to_string(), "{ ($.eventName = Create*) && ($.errorCode NOT EXISTS) }");
//! # Ok::<(), cis_monitor::pattern::ParseError>(())
//! ```
//!
//! Coverage is an implication, not a string compare:
//!
//! ```
//! use cis_monitor::controls::Control;
//! use cis_monitor::pattern::FilterPattern;
//!
//! let reordered: FilterPattern = "{ ($.eventName = *Logging) || ($.eventName = *Trail) }".parse()?;
//! assert!(reordered.coverage(Control::CloudTrailChanges).covers());
//!
//! // AWS's documentations disagree on a `*` inside a value: undecided, not covered.
//! let inner: FilterPattern = "{ ($.eventName = St*Logging) || ($.eventName = *Trail) }".parse()?;
//! assert!(!inner.coverage(Control::CloudTrailChanges).covers());
//!
//! let narrowed: FilterPattern =
//!     "{ ($.eventName = CreateTrail || $.eventName = DeleteTrail) && ($.userIdentity.type = Root) }".parse()?;
//! let coverage = narrowed.coverage(Control::CloudTrailChanges);
//! assert!(!coverage.covers());
//! assert_eq!(coverage.uncovered[0].clause, "($.userIdentity.type = Root)");
//! # Ok::<(), cis_monitor::pattern::ParseError>(())
//! ```

pub mod ast;
pub mod coverage;
pub mod error;
pub mod eval;
pub mod lex;
pub mod parse;
pub mod reading;
pub mod terms;

use std::fmt;
use std::str::FromStr;

use crate::controls::Control;

pub use coverage::{Coverage, Decision, UncoveredEvent};
pub use error::{ParseError, ParseErrorKind};
pub use eval::LogEvent;

pub use ast::PatternKind;
pub use reading::Reading;

use ast::{Body, DelimitedField, Expr, FieldExpr, Test, Value};

/// A parsed filter pattern, with the text it came from.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    text: String,
    body: Body,
    readings: Vec<Reading>,
}

/// Whether a pattern matches one log event, under every reading AWS's documentation allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventMatch {
    /// It matches under every reading.
    Matches,
    /// It matches under none.
    DoesNotMatch,
    /// It matches under some readings only; the text says which construct and how.
    DependsOnReading(String),
}

impl FilterPattern {
    /// Parses a pattern as CloudWatch Logs would.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] giving the position and what was expected, for every pattern AWS
    /// rejects: bad syntax (`==`, `IS NOT`, unbalanced braces...), more than 1024 characters,
    /// too many wildcards or regular expressions, a regex outside the supported dialect, or
    /// parentheses nested beyond [`parse::MAX_NESTING`].
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let body = parse::parse_body(text)?;
        let readings = Reading::all(!open_values(&body).is_empty(), may_have_trailing_fields(&body));
        Ok(FilterPattern { text: text.to_string(), body, readings })
    }

    /// The readings the pattern must be judged under: all of them when it holds a construct
    /// whose meaning AWS leaves open, else the one.
    pub fn readings(&self) -> &[Reading] {
        &self.readings
    }

    /// The constructs of the pattern whose meaning AWS leaves open, as they are written
    /// (`` `St*Logging` ``).
    pub fn open_constructs(&self) -> Vec<String> {
        let mut constructs: Vec<String> =
            open_values(&self.body).into_iter().map(|value| format!("`{value}`")).collect();
        if may_have_trailing_fields(&self.body) {
            constructs.push("fields after the last one the pattern names".to_string());
        }
        constructs
    }

    /// The pattern as it was written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parsed pattern.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Whether the pattern matches one log event under every reading.
    pub fn matches(&self, event: &LogEvent) -> bool {
        self.decide(event) == EventMatch::Matches
    }

    /// Whether the pattern matches one log event, and whether that depends on the reading.
    pub fn decide(&self, event: &LogEvent) -> EventMatch {
        let outcomes: Vec<(Reading, bool)> =
            self.readings.iter().map(|reading| (*reading, self.matches_under(event, *reading))).collect();
        match outcomes.iter().find(|(_, matched)| *matched != outcomes[0].1) {
            None if outcomes[0].1 => EventMatch::Matches,
            None => EventMatch::DoesNotMatch,
            Some(_) => {
                let under = |wanted: bool| {
                    let readings: Vec<String> = outcomes
                        .iter()
                        .filter(|(_, matched)| *matched == wanted)
                        .map(|(reading, _)| reading.to_string())
                        .collect();
                    readings.join(" or ")
                };
                EventMatch::DependsOnReading(format!(
                    "depends on how AWS reads {}: reading {}, it matches; reading {}, it does not",
                    self.open_constructs().join(", "),
                    under(true),
                    under(false)
                ))
            }
        }
    }

    /// Whether the pattern matches one log event under `reading`.
    fn matches_under(&self, event: &LogEvent, reading: Reading) -> bool {
        match &self.body {
            Body::Everything => true,
            Body::Json(expr) => event.json().is_some_and(|json| eval::matches_expr(expr, json, reading)),
            Body::Terms(terms) => terms.matches(event.message()),
            Body::Delimited(delimited) => eval::matches_delimited(delimited, event.message(), reading),
            Body::Regex(regex) => regex.regex.is_match(event.message()),
        }
    }

    /// Whether the pattern catches every event `control` requires, and what else is known.
    pub fn coverage(&self, control: Control) -> Coverage {
        coverage::analyze(self, control)
    }
}

impl FromStr for FilterPattern {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        FilterPattern::parse(text)
    }
}

impl fmt::Display for FilterPattern {
    /// The canonical form: single spaces, every condition in parentheses, bare values where
    /// they read back the same.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.body.fmt(f)
    }
}

/// Whether `body` is a space-delimited pattern that ends with a named field, so that a message
/// with more fields than it names is read one of two ways.
fn may_have_trailing_fields(body: &Body) -> bool {
    matches!(body, Body::Delimited(delimited) if matches!(delimited.fields.last(), Some(DelimitedField::Named { .. })))
}

/// The text values of `body` holding a `*` whose meaning AWS leaves open.
fn open_values(body: &Body) -> Vec<String> {
    fn in_expr(expr: &Expr, into: &mut Vec<String>) {
        match expr {
            Expr::Or(parts) | Expr::And(parts) => parts.iter().for_each(|part| in_expr(part, into)),
            Expr::Condition(condition) => {
                if let Test::Compare(_, Value::Text(glob)) = &condition.test
                    && glob.has_infix_star()
                {
                    into.push(glob.text.clone());
                }
            }
        }
    }
    fn in_field(expr: &FieldExpr, into: &mut Vec<String>) {
        match expr {
            FieldExpr::Or(parts) | FieldExpr::And(parts) => {
                parts.iter().for_each(|part| in_field(part, into))
            }
            FieldExpr::Compare(_, Value::Text(glob)) if glob.has_infix_star() => into.push(glob.text.clone()),
            FieldExpr::Compare(..) => {}
        }
    }
    let mut values = Vec::new();
    match body {
        Body::Json(expr) => in_expr(expr, &mut values),
        Body::Delimited(delimited) => {
            for field in &delimited.fields {
                if let DelimitedField::Named { test: Some(test), .. } = field {
                    in_field(test, &mut values);
                }
            }
        }
        Body::Everything | Body::Terms(_) | Body::Regex(_) => {}
    }
    values.dedup();
    values
}
