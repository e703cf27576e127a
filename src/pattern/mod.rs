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
//! let reordered: FilterPattern = "{ ($.eventName = St*Logging) || ($.eventName = *Trail) }".parse()?;
//! assert!(reordered.coverage(Control::CloudTrailChanges).covers());
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
pub mod terms;

use std::fmt;
use std::str::FromStr;

use crate::controls::Control;

pub use coverage::{Coverage, Decision, UncoveredEvent};
pub use error::{ParseError, ParseErrorKind};
pub use eval::LogEvent;

pub use ast::PatternKind;

use ast::Body;

/// A parsed filter pattern, with the text it came from.
#[derive(Debug, Clone)]
pub struct FilterPattern {
    text: String,
    body: Body,
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
        Ok(FilterPattern { text: text.to_string(), body })
    }

    /// The pattern as it was written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parsed pattern.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Whether the pattern matches one log event.
    pub fn matches(&self, event: &LogEvent) -> bool {
        match &self.body {
            Body::Everything => true,
            Body::Json(expr) => event.json().is_some_and(|json| eval::matches_expr(expr, json)),
            Body::Terms(terms) => terms.matches(event.message()),
            Body::Delimited(delimited) => eval::matches_delimited(delimited, event.message()),
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
