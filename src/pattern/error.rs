//! Why a filter pattern was rejected, and where.

use std::fmt;

/// A filter pattern that CloudWatch Logs would reject, with the position of the fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset of the fault in the pattern text.
    pub offset: usize,
    /// One-based character position of the fault, for people.
    pub column: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// What is wrong with a rejected filter pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The parser wanted one thing and found another.
    Expected {
        /// What would have been valid here.
        expected: String,
        /// What the text holds instead.
        found: String,
    },
    /// The pattern is longer than CloudWatch Logs allows.
    TooLong {
        /// Its length in characters.
        length: usize,
    },
    /// Parentheses nest deeper than this parser follows.
    TooDeep,
    /// A quota on wildcards or regular expressions is exceeded.
    Quota(String),
    /// A construct CloudWatch Logs does not accept, with the reason.
    Unsupported(String),
}

impl ParseError {
    /// An error at byte `offset` of `source`.
    pub fn new(source: &str, offset: usize, kind: ParseErrorKind) -> Self {
        let offset = offset.min(source.len());
        let column = source[..offset].chars().count() + 1;
        ParseError { offset, column, kind }
    }

    /// "expected X, found Y" at byte `offset` of `source`.
    pub fn expected(source: &str, offset: usize, expected: impl Into<String>) -> Self {
        let found = describe_found(&source[offset.min(source.len())..]);
        ParseError::new(source, offset, ParseErrorKind::Expected { expected: expected.into(), found })
    }
}

/// Names what starts at the rest of the text, for "found ..." messages.
fn describe_found(rest: &str) -> String {
    let token: String = rest.chars().take_while(|c| !c.is_whitespace()).take(12).collect();
    if rest.is_empty() {
        "the end of the pattern".to_string()
    } else if token.is_empty() {
        "white space".to_string()
    } else {
        format!("`{token}`")
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid filter pattern at character {}: ", self.column)?;
        match &self.kind {
            ParseErrorKind::Expected { expected, found } => write!(f, "expected {expected}, found {found}"),
            ParseErrorKind::TooLong { length } => {
                write!(f, "the pattern is {length} characters long; CloudWatch Logs allows at most 1024")
            }
            ParseErrorKind::TooDeep => f.write_str("parentheses nest too deeply"),
            ParseErrorKind::Quota(what) | ParseErrorKind::Unsupported(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for ParseError {}
