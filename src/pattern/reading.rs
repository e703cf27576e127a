//! Readings: how AWS may read what its documentation leaves open. Where the filter-pattern
//! documentation does not settle a construct's meaning, the engine evaluates it under each
//! reading, and a verdict stands only when every reading gives it: a record matches only if it
//! matches under every reading, and a coverage verdict that depends on the reading is
//! undecided. Never the reading that turns a doubt into a match.
//!
//! One construct is open today: a `*` inside a value (`St*Logging`). AWS's filter-pattern
//! page of 2018 said such a `*` is a literal asterisk (`Ev*ent` matches only `Ev*ent`); the
//! current page documents `*` only at the start or the end of a value and says nothing of the
//! middle. A `*` at either end is a wildcard under both readings.

use std::fmt;

/// One way of reading the constructs AWS leaves open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Whether a `*` inside a value is a wildcard (`true`) or a literal asterisk.
    pub infix_star_is_wildcard: bool,
}

impl Reading {
    /// The one reading a pattern without open constructs needs.
    pub const SETTLED: [Reading; 1] = [Reading { infix_star_is_wildcard: true }];
    /// Every reading, for a pattern with an open construct.
    pub const ALL: [Reading; 2] =
        [Reading { infix_star_is_wildcard: true }, Reading { infix_star_is_wildcard: false }];
}

impl fmt::Display for Reading {
    /// The reading in words: `the * inside a value as a wildcard`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.infix_star_is_wildcard {
            f.write_str("a `*` inside a value as a wildcard")
        } else {
            f.write_str("a `*` inside a value as a literal asterisk (AWS's documentation of 2018)")
        }
    }
}
