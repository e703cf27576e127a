//! Terms patterns: words and quoted phrases looked for in the raw message.
//!
//! `ERROR` needs the word; `ERROR WARN` needs both; `?ERROR ?WARN` needs either (only when
//! every term has `?`: mixed with plain terms the `?` terms are ignored); `-DEBUG` forbids a
//! word. Matching is a case-sensitive substring search.

use super::ast::{Term, TermRole, Terms};
use super::error::ParseError;
use super::lex::Lexer;
use crate::logic::{and3, or3};

/// Parses a terms pattern from byte `start` of `source`.
pub fn parse_terms(source: &str, start: usize) -> Result<Terms, ParseError> {
    let mut lexer = Lexer::new(source, start);
    let mut terms = Vec::new();
    while !lexer.at_end() {
        let rest = &source[lexer.position()..];
        let (role, prefix) = match rest.chars().next() {
            Some('?') => (TermRole::Optional, 1),
            Some('-') => (TermRole::Excluded, 1),
            _ => (TermRole::Required, 0),
        };
        let body_start = lexer.position() + prefix;
        let mut body = Lexer::new(source, body_start);
        let term = if source[body_start..].starts_with('"') {
            let text = body.quoted()?;
            Term { text, role, quoted: true }
        } else {
            let word = &source[body_start..];
            let length = word.find(char::is_whitespace).unwrap_or(word.len());
            if length == 0 {
                return Err(ParseError::expected(source, body_start, "a term after the prefix"));
            }
            body = Lexer::new(source, body_start + length);
            Term { text: word[..length].to_string(), role, quoted: false }
        };
        terms.push(term);
        lexer = body;
    }
    Ok(Terms { terms })
}

impl Terms {
    /// Whether the raw message matches: every required term present (or, when every
    /// non-excluded term is optional, at least one of them), and no excluded term present.
    pub fn matches(&self, message: &str) -> bool {
        self.decide(|text| Some(message.contains(text))) == Some(true)
    }

    /// Decides the match when `contains` may not know whether a text occurs (`None`), in
    /// three-valued logic: `Some(true)` is a match for every message the oracle describes.
    pub fn decide(&self, contains: impl Fn(&str) -> Option<bool>) -> Option<bool> {
        let optional_decide = self.optional_terms_decide();
        let mut result = Some(true);
        let mut any_optional = Some(false);
        for term in &self.terms {
            let present = contains(&term.text);
            match term.role {
                TermRole::Required => result = and3(result, present),
                TermRole::Excluded => result = and3(result, present.map(|p| !p)),
                TermRole::Optional if optional_decide => any_optional = or3(any_optional, present),
                TermRole::Optional => {}
            }
        }
        if optional_decide && self.terms.iter().any(|term| term.role == TermRole::Optional) {
            result = and3(result, any_optional);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Terms {
        parse_terms(text, 0).expect("parses")
    }

    #[test]
    fn terms_parse_roles_and_phrases() {
        let terms = parse(r#"ERROR ?warn -"not this" "two words""#).terms;
        let summary: Vec<_> = terms.iter().map(|t| (t.text.as_str(), t.role, t.quoted)).collect();
        assert_eq!(
            summary,
            vec![
                ("ERROR", TermRole::Required, false),
                ("warn", TermRole::Optional, false),
                ("not this", TermRole::Excluded, true),
                ("two words", TermRole::Required, true),
            ]
        );
        assert!(parse_terms("\"unclosed", 0).is_err());
        assert!(parse_terms("a ? b", 0).is_err());
    }

    #[test]
    fn terms_match_as_aws_documents() {
        let cases: &[(&str, &str, bool)] = &[
            ("ERROR", "an ERROR here", true),
            ("ERROR", "an error here", false),
            ("ERROR Exception", "ERROR with Exception", true),
            ("ERROR Exception", "ERROR alone", false),
            ("?ERROR ?WARN", "a WARN", true),
            ("?ERROR ?WARN", "INFO", false),
            ("ERROR ?WARN", "ERROR only", true),
            ("ERROR ?WARN", "WARN only", false),
            ("ERROR -Exception", "ERROR fine", true),
            ("ERROR -Exception", "ERROR Exception", false),
            ("-DEBUG", "INFO", true),
            ("?a ?b -c", "a c", false),
            ("?a ?b -c", "b", true),
            ("\"Connection lost\"", "xx Connection lost yy", true),
            ("\"Connection lost\"", "Connection  lost", false),
            ("\"\"", "anything", true),
        ];
        for (pattern, message, expected) in cases {
            assert_eq!(parse(pattern).matches(message), *expected, "{pattern} on {message}");
        }
    }
}
