//! Readings: how AWS may read what its documentation leaves open. Where the filter-pattern
//! documentation does not settle a construct's meaning, the engine evaluates the pattern under
//! each reading, and a verdict stands only when every reading gives it: a record matches only
//! if it matches under every reading, and a coverage verdict that depends on the reading is
//! undecided. Never the reading that turns a doubt into a match.
//!
//! The open constructs, and where each reading comes from:
//!
//! - **A `*` inside a value** (`St*Logging`). AWS's filter-pattern page of 2018 said such a
//!   `*` is a literal asterisk (`Ev*ent` matches only `Ev*ent`); the current page documents
//!   `*` only at the start or the end of a value and says nothing of the middle. A `*` at
//!   either end is a wildcard under both readings.
//! - **A message with more fields than a space-delimited pattern names.** The documentation
//!   gives `[w1=ERROR, w2]` as matching `ERROR 09/25/2014 12:00:02 Failed to process
//!   request`, six fields for two, without saying whether the last named field takes the rest
//!   of the message (`w2` = `09/25/2014 12:00:02 Failed to process request`) or the extra
//!   fields are ignored (`w2` = `09/25/2014`).

use std::fmt;

/// One way of reading the open constructs a pattern holds; a construct the pattern does not
/// hold has no choice (`None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reading {
    /// For a `*` inside a value: `Some(true)` if it is a wildcard, `Some(false)` if a literal.
    infix_star_wildcard: Option<bool>,
    /// For a message with more fields than a space-delimited pattern names: `Some(true)` if
    /// the last named field takes the rest, `Some(false)` if the extra fields are ignored.
    last_field_takes_rest: Option<bool>,
}

impl Reading {
    /// Every reading of a pattern holding an inner `*` (`infix_star`) and a space-delimited
    /// pattern whose message may have more fields than it names (`trailing_fields`): the one
    /// settled reading when it holds neither.
    pub fn all(infix_star: bool, trailing_fields: bool) -> Vec<Reading> {
        let choices = |open: bool| if open { vec![Some(true), Some(false)] } else { vec![None] };
        let mut readings = Vec::new();
        for infix_star_wildcard in choices(infix_star) {
            for last_field_takes_rest in choices(trailing_fields) {
                readings.push(Reading { infix_star_wildcard, last_field_takes_rest });
            }
        }
        readings
    }

    /// Whether a `*` inside a value is a wildcard under this reading.
    pub fn infix_star_is_wildcard(self) -> bool {
        self.infix_star_wildcard != Some(false)
    }

    /// Whether, under this reading, the last named field of a space-delimited pattern takes
    /// the rest of a message that has more fields than the pattern names (else the extra
    /// fields are ignored).
    pub fn last_field_takes_rest(self) -> bool {
        self.last_field_takes_rest != Some(false)
    }
}

impl fmt::Display for Reading {
    /// The reading's choices in words: `a `*` inside a value as a wildcard`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut choices = Vec::new();
        match self.infix_star_wildcard {
            Some(true) => choices.push("a `*` inside a value as a wildcard"),
            Some(false) => {
                choices.push("a `*` inside a value as a literal asterisk (AWS's documentation of 2018)")
            }
            None => {}
        }
        match self.last_field_takes_rest {
            Some(true) => choices.push("the last named field as taking the rest of the message"),
            Some(false) => choices.push("the fields after the last named one as ignored"),
            None => {}
        }
        if choices.is_empty() {
            return f.write_str("the pattern as written");
        }
        f.write_str(&choices.join(" and "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_vary_only_the_constructs_a_pattern_holds() {
        assert_eq!(Reading::all(false, false), vec![Reading::default()]);
        assert_eq!(Reading::all(true, false).len(), 2);
        assert_eq!(Reading::all(true, true).len(), 4);
        let [wildcard, literal] = Reading::all(true, false)[..] else { panic!("two readings") };
        assert!(wildcard.infix_star_is_wildcard() && !literal.infix_star_is_wildcard());
        assert!(literal.to_string().contains("literal asterisk"));
        assert!(Reading::default().infix_star_is_wildcard());
    }
}
