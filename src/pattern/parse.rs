//! Recursive-descent parser: one method per grammar rule, precedence (`()` > `&&` > `||`) in
//! [`Parser::or_expr`] and [`Parser::and_expr`] alone.

use super::ast::{
    Body, Condition, Delimited, DelimitedField, Expr, FieldExpr, Operator, PatternKind, Selector, Test, Value,
};
use super::error::{ParseError, ParseErrorKind};
use super::lex::{Lexer, Spanned, Token};
use super::terms;

/// The longest pattern CloudWatch Logs accepts, in characters.
pub const MAX_PATTERN_CHARS: usize = 1024;
/// How deeply parentheses may nest, as written or in the canonical form, before the parser gives
/// up (a guard for the stack).
pub const MAX_NESTING: usize = 64;
/// Wildcard selector steps (`.*`, `[*]`) allowed in one selector.
pub const MAX_WILDCARDS_PER_SELECTOR: usize = 1;
/// Wildcard selector steps allowed in one pattern.
pub const MAX_WILDCARDS_PER_PATTERN: usize = 3;
/// `%regex%` values allowed in one pattern.
pub const MAX_REGEXES_PER_PATTERN: usize = 2;

/// Parses a whole filter pattern, choosing its kind by its first non-blank character.
pub fn parse_body(source: &str) -> Result<Body, ParseError> {
    let length = source.chars().count();
    if length > MAX_PATTERN_CHARS {
        return Err(ParseError::new(source, 0, ParseErrorKind::TooLong { length }));
    }
    let start = source.len() - source.trim_start().len();
    match PatternKind::of_text(source) {
        PatternKind::Empty => Ok(Body::Everything),
        PatternKind::Json => Parser::new(source, start).json_pattern().map(Body::Json),
        PatternKind::Delimited => Parser::new(source, start).delimited_pattern().map(Body::Delimited),
        PatternKind::Regex => regex_pattern(source, start),
        PatternKind::Terms => terms::parse_terms(source, start).map(Body::Terms),
    }
}

/// A standalone `%regex%` over the whole message.
fn regex_pattern(source: &str, start: usize) -> Result<Body, ParseError> {
    let mut lexer = Lexer::new(source, start);
    let regex = lexer.regex()?;
    if !lexer.at_end() {
        return Err(ParseError::expected(
            source,
            lexer.position(),
            "the end of the pattern after the regular expression",
        ));
    }
    Ok(Body::Regex(regex))
}

/// Parser state: the lexer, how deep the parentheses are, and the quotas used so far.
struct Parser<'a> {
    lexer: Lexer<'a>,
    depth: usize,
    wildcards: usize,
    regexes: usize,
}

impl<'a> Parser<'a> {
    fn new(source: &'a str, start: usize) -> Self {
        Parser { lexer: Lexer::new(source, start), depth: 0, wildcards: 0, regexes: 0 }
    }

    fn source(&self) -> &'a str {
        self.lexer.source()
    }

    fn expect(&mut self, wanted: Token, description: &str) -> Result<usize, ParseError> {
        let token = self.lexer.next_token()?;
        if token.item == wanted {
            Ok(token.start)
        } else {
            Err(ParseError::expected(self.source(), token.start, description))
        }
    }

    fn expect_end(&mut self, after: &str) -> Result<(), ParseError> {
        if self.lexer.at_end() {
            Ok(())
        } else {
            Err(ParseError::expected(
                self.source(),
                self.lexer.position(),
                format!("the end of the pattern after {after}"),
            ))
        }
    }

    /// `json := "{" or "}"`
    fn json_pattern(mut self) -> Result<Expr, ParseError> {
        let opening = self.expect(Token::LeftBrace, "`{`")?;
        let expr = self.or_expr()?;
        self.expect(Token::RightBrace, "`&&`, `||` or the closing `}`")?;
        self.expect_end("the closing `}`")?;
        // The canonical form can nest deeper than the text (`a || b && c` prints two deep):
        // keep it within the guard too, so that it always parses back.
        if printed_depth(&expr) > MAX_NESTING {
            return Err(ParseError::new(self.source(), opening, ParseErrorKind::TooDeep));
        }
        Ok(expr)
    }

    /// `or := and ("||" and)*`
    fn or_expr(&mut self) -> Result<Expr, ParseError> {
        let mut alternatives = vec![self.and_expr()?];
        while self.lexer.next_is("||") {
            self.lexer.next_token()?;
            alternatives.push(self.and_expr()?);
        }
        Ok(flatten(alternatives, Connective::Or))
    }

    /// `and := primary ("&&" primary)*`
    fn and_expr(&mut self) -> Result<Expr, ParseError> {
        let mut parts = vec![self.primary()?];
        while self.lexer.next_is("&&") {
            self.lexer.next_token()?;
            parts.push(self.primary()?);
        }
        Ok(flatten(parts, Connective::And))
    }

    /// `primary := "(" or ")" | condition`
    fn primary(&mut self) -> Result<Expr, ParseError> {
        let token = self.lexer.next_token()?;
        match token.item {
            Token::LeftParen => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return Err(ParseError::new(self.source(), token.start, ParseErrorKind::TooDeep));
                }
                let expr = self.or_expr()?;
                self.expect(Token::RightParen, "`&&`, `||` or `)`")?;
                self.depth -= 1;
                Ok(expr)
            }
            Token::Selector(selector) => self.condition(selector, token.start).map(Expr::Condition),
            Token::Word(word) if word.eq_ignore_ascii_case("NOT") => Err(ParseError::new(
                self.source(),
                token.start,
                ParseErrorKind::Unsupported(
                    "there is no unary NOT; write `$.field NOT EXISTS` or use `!=`".to_string(),
                ),
            )),
            _ => Err(ParseError::expected(self.source(), token.start, "a condition (`$.field ...`) or `(`")),
        }
    }

    /// `condition := selector op value | selector IS (NULL|TRUE|FALSE) | selector NOT EXISTS`
    fn condition(&mut self, selector: Selector, start: usize) -> Result<Condition, ParseError> {
        let wildcards = selector.wildcard_count();
        if wildcards > MAX_WILDCARDS_PER_SELECTOR {
            return Err(quota(
                self.source(),
                start,
                "a selector may hold at most one wildcard (`.*` or `[*]`)",
            ));
        }
        self.wildcards += wildcards;
        if self.wildcards > MAX_WILDCARDS_PER_PATTERN {
            return Err(quota(self.source(), start, "a pattern may hold at most three wildcard selectors"));
        }
        let token = self.lexer.next_token()?;
        let test = match token.item {
            Token::Operator(operator) => {
                let value = self.comparison_value(operator)?;
                Test::Compare(operator, value)
            }
            Token::Word(word) if word.eq_ignore_ascii_case("IS") => self.is_test()?,
            Token::Word(word) if word.eq_ignore_ascii_case("NOT") => match self.lexer.next_token()? {
                Spanned { item: Token::Word(word), .. } if word.eq_ignore_ascii_case("EXISTS") => {
                    Test::NotExists
                }
                other => return Err(ParseError::expected(self.source(), other.start, "EXISTS after NOT")),
            },
            Token::Word(word) if word.eq_ignore_ascii_case("EXISTS") => {
                return Err(ParseError::new(
                    self.source(),
                    token.start,
                    ParseErrorKind::Unsupported(
                        "there is no EXISTS test; write `NOT EXISTS`, or `= *` for a present value"
                            .to_string(),
                    ),
                ));
            }
            _ => {
                return Err(ParseError::expected(
                    self.source(),
                    token.start,
                    "an operator (=, !=, <, <=, >, >=), IS or NOT EXISTS after the selector",
                ));
            }
        };
        Ok(Condition { selector, test })
    }

    /// `IS` followed by `NULL`, `TRUE` or `FALSE`.
    fn is_test(&mut self) -> Result<Test, ParseError> {
        let token = self.lexer.next_token()?;
        match &token.item {
            Token::Word(word) if word.eq_ignore_ascii_case("NULL") => Ok(Test::IsNull),
            Token::Word(word) if word.eq_ignore_ascii_case("TRUE") => Ok(Test::IsTrue),
            Token::Word(word) if word.eq_ignore_ascii_case("FALSE") => Ok(Test::IsFalse),
            Token::Word(word) if word.eq_ignore_ascii_case("NOT") => Err(ParseError::new(
                self.source(),
                token.start,
                ParseErrorKind::Unsupported("`IS NOT` is not valid; write `NOT EXISTS` or `!=`".to_string()),
            )),
            _ => Err(ParseError::expected(self.source(), token.start, "NULL, TRUE or FALSE after IS")),
        }
    }

    /// The value after an operator; ordering operators take numbers only.
    fn comparison_value(&mut self, operator: Operator) -> Result<Value, ParseError> {
        let value = self.value()?;
        if operator.is_ordering() && !matches!(value.item, Value::Number(_)) {
            return Err(ParseError::expected(
                self.source(),
                value.start,
                format!("a number after `{}`", operator.symbol()),
            ));
        }
        Ok(value.item)
    }

    fn value(&mut self) -> Result<Spanned<Value>, ParseError> {
        let value = self.lexer.value()?;
        if matches!(value.item, Value::Regex(_)) {
            self.regexes += 1;
            if self.regexes > MAX_REGEXES_PER_PATTERN {
                return Err(quota(
                    self.source(),
                    value.start,
                    "a pattern may hold at most two regular expressions",
                ));
            }
        }
        Ok(value)
    }

    /// `delimited := "[" field ("," field)* "]"`
    fn delimited_pattern(mut self) -> Result<Delimited, ParseError> {
        self.expect(Token::LeftBracket, "`[`")?;
        let mut fields = Vec::new();
        loop {
            fields.push(self.delimited_field()?);
            let token = self.lexer.next_token()?;
            match token.item {
                Token::Comma => continue,
                Token::RightBracket => break,
                _ => return Err(ParseError::expected(self.source(), token.start, "`,` or the closing `]`")),
            }
        }
        self.expect_end("the closing `]`")?;
        Ok(Delimited { fields })
    }

    /// `field := "..." | name [ field_or ]`
    fn delimited_field(&mut self) -> Result<DelimitedField, ParseError> {
        let token = self.lexer.next_token()?;
        let name = match token.item {
            Token::Ellipsis => return Ok(DelimitedField::Ellipsis),
            Token::Word(name) => name,
            _ => return Err(ParseError::expected(self.source(), token.start, "a field name or `...`")),
        };
        let test = if self.lexer.next_is_operator() { Some(self.field_or(&name, true)?) } else { None };
        Ok(DelimitedField::Named { name, test })
    }

    /// `field_or := field_and ("||" field_and)*`; the first comparison's name is implicit.
    fn field_or(&mut self, name: &str, first: bool) -> Result<FieldExpr, ParseError> {
        let mut alternatives = vec![self.field_and(name, first)?];
        while self.lexer.next_is("||") {
            self.lexer.next_token()?;
            alternatives.push(self.field_and(name, false)?);
        }
        Ok(if alternatives.len() == 1 { alternatives.remove(0) } else { FieldExpr::Or(alternatives) })
    }

    /// `field_and := field_primary ("&&" field_primary)*`
    fn field_and(&mut self, name: &str, first: bool) -> Result<FieldExpr, ParseError> {
        let mut parts = vec![self.field_primary(name, first)?];
        while self.lexer.next_is("&&") {
            self.lexer.next_token()?;
            parts.push(self.field_primary(name, false)?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { FieldExpr::And(parts) })
    }

    /// `field_primary := "(" field_or ")" | [name] op value`
    fn field_primary(&mut self, name: &str, first: bool) -> Result<FieldExpr, ParseError> {
        let token = self.lexer.next_token()?;
        let operator = match token.item {
            Token::LeftParen => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return Err(ParseError::new(self.source(), token.start, ParseErrorKind::TooDeep));
                }
                let expr = self.field_or(name, false)?;
                self.expect(Token::RightParen, "`&&`, `||` or `)`")?;
                self.depth -= 1;
                return Ok(expr);
            }
            Token::Operator(operator) if first => operator,
            Token::Word(word) if word == name => {
                let next = self.lexer.next_token()?;
                match next.item {
                    Token::Operator(operator) => operator,
                    _ => return Err(ParseError::expected(self.source(), next.start, "an operator")),
                }
            }
            _ => {
                return Err(ParseError::expected(
                    self.source(),
                    token.start,
                    format!("a comparison on field `{name}`"),
                ));
            }
        };
        let value = self.comparison_value(operator)?;
        Ok(FieldExpr::Compare(operator, value))
    }
}

/// How deeply the canonical form of a top-level expression nests parentheses: every condition
/// and every compound below the top prints in parentheses.
fn printed_depth(expr: &Expr) -> usize {
    fn nested(expr: &Expr) -> usize {
        match expr {
            Expr::Condition(_) => 1,
            Expr::Or(parts) | Expr::And(parts) => 1 + parts.iter().map(nested).max().unwrap_or(0),
        }
    }
    match expr {
        Expr::Condition(_) => 1,
        Expr::Or(parts) | Expr::And(parts) => parts.iter().map(nested).max().unwrap_or(0),
    }
}

fn quota(source: &str, offset: usize, what: &str) -> ParseError {
    ParseError::new(source, offset, ParseErrorKind::Quota(what.to_string()))
}

#[derive(Clone, Copy, PartialEq)]
enum Connective {
    Or,
    And,
}

/// Joins parts under one connective, lifting nested parts of the same connective so that
/// `(a || b) || c` and `a || b || c` have the same tree.
fn flatten(mut parts: Vec<Expr>, connective: Connective) -> Expr {
    if parts.len() == 1
        && let Some(only) = parts.pop()
    {
        return only;
    }
    let mut flat = Vec::with_capacity(parts.len());
    for part in parts {
        match (part, connective) {
            (Expr::Or(inner), Connective::Or) | (Expr::And(inner), Connective::And) => flat.extend(inner),
            (other, _) => flat.push(other),
        }
    }
    match connective {
        Connective::Or => Expr::Or(flat),
        Connective::And => Expr::And(flat),
    }
}
