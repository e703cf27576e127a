//! Tokens of the JSON and space-delimited pattern languages, each with its byte span.
//!
//! The value after a comparison operator follows different rules from the rest (a bare value
//! may hold `.`, `*`, `:`...), so the parser asks for a value explicitly with [`Lexer::value`]
//! and for anything else with [`Lexer::next_token`].

use regex::Regex;

use super::ast::{Glob, Number, Operator, RegexValue, Selector, Step, Value};
use super::error::{ParseError, ParseErrorKind};

/// A token of the pattern languages.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `{`
    LeftBrace,
    /// `}`
    RightBrace,
    /// `(`
    LeftParen,
    /// `)`
    RightParen,
    /// `[`
    LeftBracket,
    /// `]`
    RightBracket,
    /// `,`
    Comma,
    /// `&&`
    And,
    /// `||`
    Or,
    /// A comparison operator.
    Operator(Operator),
    /// A selector such as `$.userIdentity.type`.
    Selector(Selector),
    /// `...` in a space-delimited pattern.
    Ellipsis,
    /// A word: a keyword (`IS`, `NOT`...) or a delimited field's name.
    Word(String),
    /// The end of the text.
    End,
}

/// A token and the byte range it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The token.
    pub item: T,
    /// Byte offset of its first character.
    pub start: usize,
}

/// Reads tokens from a pattern's text.
pub struct Lexer<'a> {
    source: &'a str,
    position: usize,
}

/// Characters that end a bare value.
fn ends_bare_value(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '{' | '}' | '[' | ']' | '"' | ',' | '=' | '!' | '<' | '>')
}

/// Characters allowed in a member name written as `.name`.
fn is_key_char(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            '.' | '['
                | ']'
                | '('
                | ')'
                | '{'
                | '}'
                | '='
                | '!'
                | '<'
                | '>'
                | '&'
                | '|'
                | '"'
                | '\''
                | '%'
                | ','
                | '$'
        )
}

/// Symbols the regex dialect of CloudWatch Logs accepts besides letters and digits.
const REGEX_SYMBOLS: &str = ":_#=@/;,-^$?[]{}|\\*+.";

impl<'a> Lexer<'a> {
    /// A lexer at byte `position` of `source`.
    pub fn new(source: &'a str, position: usize) -> Self {
        Lexer { source, position }
    }

    /// The text being read.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// Byte offset of the next unread character.
    pub fn position(&self) -> usize {
        self.position
    }

    fn rest(&self) -> &'a str {
        &self.source[self.position..]
    }

    fn error_here(&self, expected: &str) -> ParseError {
        ParseError::expected(self.source, self.position, expected)
    }

    /// Skips white space, line breaks included.
    pub fn skip_blanks(&mut self) {
        let rest = self.rest();
        self.position += rest.len() - rest.trim_start().len();
    }

    /// Whether only white space remains.
    pub fn at_end(&mut self) -> bool {
        self.skip_blanks();
        self.rest().is_empty()
    }

    /// Whether the next non-blank text starts with `prefix`: a look-ahead that builds no
    /// token.
    pub fn next_is(&mut self, prefix: &str) -> bool {
        self.skip_blanks();
        self.rest().starts_with(prefix)
    }

    /// Whether the next non-blank text starts a comparison operator.
    pub fn next_is_operator(&mut self) -> bool {
        self.skip_blanks();
        self.rest().starts_with(['=', '!', '<', '>'])
    }

    /// Reads the next structural token.
    pub fn next_token(&mut self) -> Result<Spanned<Token>, ParseError> {
        self.skip_blanks();
        let start = self.position;
        let rest = self.rest();
        let Some(first) = rest.chars().next() else { return Ok(Spanned { item: Token::End, start }) };
        let (token, length) = match first {
            '{' => (Token::LeftBrace, 1),
            '}' => (Token::RightBrace, 1),
            '(' => (Token::LeftParen, 1),
            ')' => (Token::RightParen, 1),
            '[' => (Token::LeftBracket, 1),
            ']' => (Token::RightBracket, 1),
            ',' => (Token::Comma, 1),
            '&' if rest.starts_with("&&") => (Token::And, 2),
            '|' if rest.starts_with("||") => (Token::Or, 2),
            '&' | '|' => return Err(self.error_here(if first == '&' { "`&&`" } else { "`||`" })),
            '=' if rest.starts_with("==") => {
                return Err(ParseError::new(
                    self.source,
                    start,
                    ParseErrorKind::Unsupported("`==` is not an operator; write `=`".to_string()),
                ));
            }
            '=' => (Token::Operator(Operator::Equal), 1),
            '!' if rest.starts_with("!=") => (Token::Operator(Operator::NotEqual), 2),
            '!' => return Err(self.error_here("`!=` (there is no unary `!`)")),
            '<' if rest.starts_with("<=") => (Token::Operator(Operator::LessOrEqual), 2),
            '<' => (Token::Operator(Operator::Less), 1),
            '>' if rest.starts_with(">=") => (Token::Operator(Operator::GreaterOrEqual), 2),
            '>' => (Token::Operator(Operator::Greater), 1),
            '.' if rest.starts_with("...") => (Token::Ellipsis, 3),
            '$' => {
                let selector = self.selector()?;
                return Ok(Spanned { item: Token::Selector(selector), start });
            }
            c if is_key_char(c) => {
                let length = rest.find(|c: char| !is_key_char(c)).unwrap_or(rest.len());
                (Token::Word(rest[..length].to_string()), length)
            }
            _ => return Err(self.error_here("a selector, an operator, `(`, `)`, `&&` or `||`")),
        };
        self.position += length;
        Ok(Spanned { item: token, start })
    }

    /// Reads a selector: `$` then `.name`, `.*`, `[n]`, `[*]` or `.['key']` steps.
    fn selector(&mut self) -> Result<Selector, ParseError> {
        self.position += 1; // the `$`
        let mut steps = Vec::new();
        loop {
            let rest = self.rest();
            if let Some(after_dot) = rest.strip_prefix('.') {
                if after_dot.starts_with('*') {
                    steps.push(Step::AnyKey);
                    self.position += 2;
                } else if after_dot.starts_with('[') {
                    self.position += 1;
                    steps.push(self.bracket_step()?);
                } else {
                    let length = after_dot.find(|c: char| !is_key_char(c)).unwrap_or(after_dot.len());
                    if length == 0 {
                        self.position += 1;
                        return Err(self.error_here("a member name, `*` or `['name']` after `.`"));
                    }
                    steps.push(Step::Key(after_dot[..length].to_string()));
                    self.position += 1 + length;
                }
            } else if rest.starts_with('[') {
                steps.push(self.bracket_step()?);
            } else {
                break;
            }
        }
        if steps.is_empty() {
            return Err(self.error_here("`.name`, `.*`, `[n]` or `[*]` after `$`"));
        }
        Ok(Selector { steps })
    }

    /// Reads `[n]`, `[*]` or `['key']`, the lexer standing on the `[`.
    fn bracket_step(&mut self) -> Result<Step, ParseError> {
        self.position += 1;
        let rest = self.rest();
        let (step, length) = if rest.starts_with('*') {
            (Step::AnyIndex, 1)
        } else if let Some(quoted) = rest.strip_prefix('\'') {
            let Some(end) = quoted.find('\'') else {
                return Err(self.error_here("a closing `'` for the quoted member name"));
            };
            (Step::Key(quoted[..end].to_string()), end + 2)
        } else {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            let index =
                rest[..digits].parse().map_err(|_| self.error_here("an index, `*` or a quoted name"))?;
            (Step::Index(index), digits)
        };
        self.position += length;
        if !self.rest().starts_with(']') {
            return Err(self.error_here("`]`"));
        }
        self.position += 1;
        Ok(step)
    }

    /// Reads the value after a comparison operator: a quoted string, `%regex%`, a number or a
    /// bare word.
    pub fn value(&mut self) -> Result<Spanned<Value>, ParseError> {
        self.skip_blanks();
        let start = self.position;
        let rest = self.rest();
        let value = match rest.chars().next() {
            Some('"') => Value::Text(Glob { text: self.quoted()?, quoted: true }),
            Some('%') => Value::Regex(self.regex()?),
            Some(c) if !ends_bare_value(c) => {
                let mut length = rest.find(ends_bare_value).unwrap_or(rest.len());
                for stop in ["&&", "||"] {
                    if let Some(at) = rest[..length].find(stop) {
                        length = length.min(at);
                    }
                }
                if length == 0 {
                    return Err(self.error_here("a value"));
                }
                let text = &rest[..length];
                self.position += length;
                match parse_number(text) {
                    Some(value) => Value::Number(Number { value, text: text.to_string() }),
                    None => Value::Text(Glob { text: text.to_string(), quoted: false }),
                }
            }
            _ => return Err(self.error_here("a value (a word, a \"quoted string\", a number or %regex%)")),
        };
        Ok(Spanned { item: value, start })
    }

    /// Reads a double-quoted string; `\"` and `\\` stand for `"` and `\`.
    pub fn quoted(&mut self) -> Result<String, ParseError> {
        let opening = self.position;
        let mut text = String::new();
        let mut chars = self.rest().char_indices().skip(1);
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    self.position += at + 1;
                    return Ok(text);
                }
                '\\' => match chars.next() {
                    Some((_, escaped @ ('"' | '\\'))) => text.push(escaped),
                    Some((_, other)) => {
                        text.push('\\');
                        text.push(other);
                    }
                    None => break,
                },
                c => text.push(c),
            }
        }
        Err(ParseError::new(
            self.source,
            opening,
            ParseErrorKind::Expected {
                expected: "a closing `\"`".to_string(),
                found: "the end of the pattern".to_string(),
            },
        ))
    }

    /// Reads `%regex%`, checking it against the dialect CloudWatch Logs accepts.
    pub fn regex(&mut self) -> Result<RegexValue, ParseError> {
        let opening = self.position;
        let body = &self.rest()[1..];
        let Some(end) = body.find('%') else {
            return Err(ParseError::new(
                self.source,
                opening,
                ParseErrorKind::Expected {
                    expected: "a closing `%` for the regular expression".to_string(),
                    found: "the end of the pattern".to_string(),
                },
            ));
        };
        let source = &body[..end];
        if source.is_empty() {
            return Err(ParseError::expected(
                self.source,
                opening + 1,
                "a regular expression between `%` signs",
            ));
        }
        if let Some((at, c)) =
            source.char_indices().find(|&(_, c)| !(c.is_ascii_alphanumeric() || REGEX_SYMBOLS.contains(c)))
        {
            let reason = match c {
                '(' | ')' => "regular expressions in filter patterns cannot use parentheses".to_string(),
                c if !c.is_ascii() => {
                    "regular expressions in filter patterns cannot hold multi-byte characters".to_string()
                }
                c => format!("regular expressions in filter patterns cannot hold `{c}`"),
            };
            return Err(ParseError::new(self.source, opening + 1 + at, ParseErrorKind::Unsupported(reason)));
        }
        let regex = Regex::new(source).map_err(|error| {
            let reason =
                format!("not a valid regular expression: {}", error.to_string().lines().last().unwrap_or(""));
            ParseError::new(self.source, opening + 1, ParseErrorKind::Unsupported(reason))
        })?;
        self.position += end + 2;
        Ok(RegexValue { source: source.to_string(), regex })
    }
}

/// Reads a number as the pattern grammar writes it: `[+-]digits[.digits][e[+-]digits]`.
fn parse_number(text: &str) -> Option<f64> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| all_digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if all_digits(whole) && fraction.is_none_or(all_digits) && exponent_ok { text.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_pattern_grammar() {
        let cases: &[(&str, Option<f64>)] = &[
            ("1", Some(1.0)),
            ("-5", Some(-5.0)),
            ("+5", Some(5.0)),
            ("1.5", Some(1.5)),
            ("1e3", Some(1000.0)),
            ("2.5E-1", Some(0.25)),
            ("1.", None),
            (".5", None),
            ("1.2.3", None),
            ("10.0.0.1", None),
            ("kms.amazonaws.com", None),
            ("1e", None),
            ("inf", None),
            ("NaN", None),
            ("-", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_number(text), *expected, "{text}");
        }
    }

    fn tokens(text: &str) -> Vec<Token> {
        let mut lexer = Lexer::new(text, 0);
        let mut tokens = Vec::new();
        loop {
            let token = lexer.next_token().expect("lexes").item;
            if token == Token::End {
                return tokens;
            }
            tokens.push(token);
        }
    }

    #[test]
    fn selectors_read_every_step_form() {
        let key = |k: &str| Step::Key(k.to_string());
        let cases: Vec<(&str, Vec<Step>)> = vec![
            ("$.eventName", vec![key("eventName")]),
            ("$.a.b.c", vec![key("a"), key("b"), key("c")]),
            ("$.a[0]", vec![key("a"), Step::Index(0)]),
            ("$.a[*].b", vec![key("a"), Step::AnyIndex, key("b")]),
            ("$.*", vec![Step::AnyKey]),
            ("$.['key.with.dots']", vec![key("key.with.dots")]),
            ("$['x y']", vec![key("x y")]),
            ("$[12]", vec![Step::Index(12)]),
            ("$.a-b_c@d", vec![key("a-b_c@d")]),
        ];
        for (text, steps) in cases {
            assert_eq!(tokens(text), vec![Token::Selector(Selector { steps })], "{text}");
        }
    }

    #[test]
    fn operators_and_connectives() {
        assert_eq!(
            tokens("= != < <= > >= && || ( ) { }"),
            vec![
                Token::Operator(Operator::Equal),
                Token::Operator(Operator::NotEqual),
                Token::Operator(Operator::Less),
                Token::Operator(Operator::LessOrEqual),
                Token::Operator(Operator::Greater),
                Token::Operator(Operator::GreaterOrEqual),
                Token::And,
                Token::Or,
                Token::LeftParen,
                Token::RightParen,
                Token::LeftBrace,
                Token::RightBrace,
            ]
        );
    }

    #[test]
    fn rejected_tokens_name_the_position() {
        for (text, column) in
            [("  ==", 3), ("a & b", 3), ("x | y", 3), ("!x", 1), ("$", 2), ("$.", 3), ("$[x]", 3)]
        {
            let mut lexer = Lexer::new(text, 0);
            let error = loop {
                match lexer.next_token() {
                    Ok(token) if token.item == Token::End => panic!("{text} lexed"),
                    Ok(_) => continue,
                    Err(error) => break error,
                }
            };
            assert_eq!(error.column, column, "{text}: {error}");
        }
    }

    #[test]
    fn values_stop_at_connectives_and_brackets() {
        let value = |text: &str| Lexer::new(text, 0).value().expect("value").item.to_string();
        assert_eq!(value("kms.amazonaws.com)"), "kms.amazonaws.com");
        assert_eq!(value("Create*&&x"), "Create*");
        assert_eq!(value("\"quoted \\\"value\\\"\""), "\"quoted \\\"value\\\"\"");
        assert_eq!(value("42 }"), "42");
        assert_eq!(value("%^Create[A-Z]+%"), "%^Create[A-Z]+%");
    }

    #[test]
    fn regex_dialect_is_enforced() {
        for bad in ["%(a|b)%", "%a!%", "%é%", "%%", "%open", "%[%"] {
            assert!(Lexer::new(bad, 0).value().is_err(), "{bad}");
        }
    }
}
