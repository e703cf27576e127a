//! The parsed form of a filter pattern: a plain tree, printed back in a canonical form.

use std::fmt;

use regex::Regex;

use super::reading::Reading;

/// The four kinds of filter pattern, and the empty one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// The empty pattern: matches every event.
    Empty,
    /// `{ ... }`
    Json,
    /// Words and phrases.
    Terms,
    /// `[ ... ]`
    Delimited,
    /// `%regex%`
    Regex,
}

impl PatternKind {
    /// The kind a pattern text has, from its first non-blank character, valid or not.
    pub fn of_text(text: &str) -> PatternKind {
        match text.trim_start().chars().next() {
            None => PatternKind::Empty,
            Some('{') => PatternKind::Json,
            Some('[') => PatternKind::Delimited,
            Some('%') => PatternKind::Regex,
            Some(_) => PatternKind::Terms,
        }
    }

    /// The kind's name in reports: `empty`, `json`, `terms`, `delimited`, `regex`.
    pub fn name(self) -> &'static str {
        match self {
            PatternKind::Empty => "empty",
            PatternKind::Json => "json",
            PatternKind::Terms => "terms",
            PatternKind::Delimited => "delimited",
            PatternKind::Regex => "regex",
        }
    }
}

/// The body of a parsed filter pattern, one variant per kind of pattern.
#[derive(Debug, Clone)]
pub enum Body {
    /// The empty pattern (or blanks only): every log event matches.
    Everything,
    /// `{ ... }`: conditions on the fields of a JSON log event.
    Json(Expr),
    /// Words and phrases that must (or, with `-`, must not) occur in the message.
    Terms(Terms),
    /// `[ ... ]`: conditions on the space-separated fields of the message.
    Delimited(Delimited),
    /// `%...%`: a regular expression searched for in the message.
    Regex(RegexValue),
}

/// A boolean expression over JSON conditions. `&&` binds tighter than `||`.
#[derive(Debug, Clone)]
pub enum Expr {
    /// True when any alternative is true; holds two or more expressions.
    Or(Vec<Expr>),
    /// True when every part is true; holds two or more expressions.
    And(Vec<Expr>),
    /// A single test on the field(s) a selector reaches.
    Condition(Condition),
}

/// `selector op value`, `selector IS NULL|TRUE|FALSE` or `selector NOT EXISTS`.
#[derive(Debug, Clone)]
pub struct Condition {
    /// Which field(s) of the event the test looks at.
    pub selector: Selector,
    /// What must hold of them.
    pub test: Test,
}

/// What a condition requires of the field its selector reaches.
#[derive(Debug, Clone)]
pub enum Test {
    /// A comparison with a value.
    Compare(Operator, Value),
    /// The field is present and JSON `null`.
    IsNull,
    /// The field is the JSON boolean `true`.
    IsTrue,
    /// The field is the JSON boolean `false`.
    IsFalse,
    /// The selector reaches nothing.
    NotExists,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

impl Operator {
    /// The operator as written in a pattern.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Equal => "=",
            Operator::NotEqual => "!=",
            Operator::Less => "<",
            Operator::LessOrEqual => "<=",
            Operator::Greater => ">",
            Operator::GreaterOrEqual => ">=",
        }
    }

    /// Whether the operator only compares numbers.
    pub fn is_ordering(self) -> bool {
        !matches!(self, Operator::Equal | Operator::NotEqual)
    }
}

/// A path into a JSON document: `$` followed by steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// The steps from the root, in order; never empty.
    pub steps: Vec<Step>,
}

/// One step of a selector.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `.name` or `.['name']`: an object member.
    Key(String),
    /// `.*`: any member of an object (existential).
    AnyKey,
    /// `[n]`: an array element.
    Index(usize),
    /// `[*]`: any element of an array (existential).
    AnyIndex,
}

impl Selector {
    /// How many wildcard steps (`.*`, `[*]`) the selector has.
    pub fn wildcard_count(&self) -> usize {
        self.steps.iter().filter(|step| matches!(step, Step::AnyKey | Step::AnyIndex)).count()
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string, quoted or bare, in which `*` matches any run of characters.
    Text(Glob),
    /// A number.
    Number(Number),
    /// `%regex%`: searched for inside the field's text.
    Regex(RegexValue),
}

/// A string value whose `*` characters are wildcards. Matching is case-sensitive and covers
/// the whole field value.
#[derive(Debug, Clone, PartialEq)]
pub struct Glob {
    /// The text as written, without quotes.
    pub text: String,
    /// Whether it was written in double quotes.
    pub quoted: bool,
}

impl Glob {
    /// Whether the value holds a `*` wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.text.contains('*')
    }

    /// Whether the value holds a `*` that is neither its first nor its last character, whose
    /// meaning AWS leaves open ([`Reading`]).
    pub fn has_infix_star(&self) -> bool {
        self.text.trim_start_matches('*').trim_end_matches('*').contains('*')
    }

    /// Whether `candidate` matches the whole glob under `reading`: literal characters equal, a
    /// `*` at either end standing for any run of characters (empty included), and a `*` inside
    /// the value standing for one too, or for itself, as the reading says.
    pub fn matches(&self, candidate: &str, reading: Reading) -> bool {
        if !self.has_wildcard() {
            return self.text == candidate;
        }
        if reading.infix_star_is_wildcard() {
            return wildcard_match(&self.text, candidate);
        }
        let leading = self.text.starts_with('*');
        let inner = self.text.trim_start_matches('*');
        let trailing = inner.ends_with('*');
        let inner = inner.trim_end_matches('*');
        match (leading, trailing) {
            (false, false) => candidate == inner,
            (false, true) => candidate.starts_with(inner),
            (true, false) => candidate.ends_with(inner),
            (true, true) => candidate.contains(inner),
        }
    }
}

/// `pattern` against `candidate`, every `*` a wildcard.
fn wildcard_match(pattern: &str, candidate: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = candidate.strip_prefix(first) else { return false };
    let mut parts = parts.peekable();
    if parts.peek().is_none() {
        return rest.is_empty();
    }
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// A numeric value, keeping the text it was written as for printing.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// The number's value.
    pub value: f64,
    /// The number as written.
    pub text: String,
}

/// A `%regex%` value, compiled once at parse time.
#[derive(Debug, Clone)]
pub struct RegexValue {
    /// The expression between the `%` signs.
    pub source: String,
    /// The compiled expression, unanchored.
    pub regex: Regex,
}

impl RegexValue {
    /// Whether the expression anchors to the start or end of the text (`^`, `$`, `\A`, `\z`),
    /// which makes a match inside a fragment say nothing about a match in the whole message.
    pub fn is_anchored(&self) -> bool {
        self.source.contains(['^', '$']) || self.source.contains("\\A") || self.source.contains("\\z")
    }
}

/// A terms pattern: `ERROR`, `"exact phrase"`, `?either ?or`, `-excluded`.
#[derive(Debug, Clone)]
pub struct Terms {
    /// Every term, in order.
    pub terms: Vec<Term>,
}

/// One term of a terms pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The text to look for (case-sensitive substring of the message).
    pub text: String,
    /// How the term takes part in the match.
    pub role: TermRole,
    /// Whether it was written in double quotes.
    pub quoted: bool,
}

/// How a term takes part in a terms pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermRole {
    /// Must occur.
    Required,
    /// `?term`: one of the optional terms must occur, when all terms are optional.
    Optional,
    /// `-term`: must not occur.
    Excluded,
}

impl Terms {
    /// Whether the optional (`?`) terms take part in the match: only when no term is plain;
    /// mixed with plain terms they are ignored, as AWS documents.
    pub fn optional_terms_decide(&self) -> bool {
        !self.terms.iter().any(|term| term.role == TermRole::Required)
    }
}

/// A space-delimited pattern: `[ip, user, ..., status = 4*, bytes]`.
#[derive(Debug, Clone)]
pub struct Delimited {
    /// The fields, in the order they appear in the message.
    pub fields: Vec<DelimitedField>,
}

/// One field of a space-delimited pattern.
#[derive(Debug, Clone)]
pub enum DelimitedField {
    /// `...`: any number of message fields, none included.
    Ellipsis,
    /// A named field, with an optional test on its value.
    Named {
        /// The field's name.
        name: String,
        /// A test on the field's value, if any.
        test: Option<FieldExpr>,
    },
}

/// A boolean expression over one delimited field's value.
#[derive(Debug, Clone)]
pub enum FieldExpr {
    /// Any alternative holds.
    Or(Vec<FieldExpr>),
    /// Every part holds.
    And(Vec<FieldExpr>),
    /// The field's value compared with a value.
    Compare(Operator, Value),
}

fn write_joined<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T], separator: &str) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(separator)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Everything => Ok(()),
            Body::Json(expr) => write!(f, "{{ {} }}", TopLevel(expr)),
            Body::Terms(terms) => write_joined(f, &terms.terms, " "),
            Body::Delimited(delimited) => {
                f.write_str("[")?;
                write_joined(f, &delimited.fields, ", ")?;
                f.write_str("]")
            }
            Body::Regex(regex) => write!(f, "{regex}"),
        }
    }
}

/// Prints a top-level expression without redundant parentheses around an `||` or `&&` list.
struct TopLevel<'a>(&'a Expr);

impl fmt::Display for TopLevel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Expr::Or(alternatives) => write_joined(f, alternatives, " || "),
            Expr::And(parts) => write_joined(f, parts, " && "),
            Expr::Condition(_) => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Display for Expr {
    /// Conditions print in parentheses and compound expressions are parenthesised, so that the
    /// text reads the same whatever the context it is printed in.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Condition(condition) => write!(f, "({condition})"),
            compound => write!(f, "({})", TopLevel(compound)),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.selector)?;
        match &self.test {
            Test::Compare(operator, value) => write!(f, "{} {value}", operator.symbol()),
            Test::IsNull => f.write_str("IS NULL"),
            Test::IsTrue => f.write_str("IS TRUE"),
            Test::IsFalse => f.write_str("IS FALSE"),
            Test::NotExists => f.write_str("NOT EXISTS"),
        }
    }
}

/// Whether a member name can be written as `.name` rather than `.['name']`.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '@'))
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for step in &self.steps {
            match step {
                Step::Key(key) if is_plain_key(key) => write!(f, ".{key}")?,
                Step::Key(key) => write!(f, ".['{key}']")?,
                Step::AnyKey => f.write_str(".*")?,
                Step::Index(index) => write!(f, "[{index}]")?,
                Step::AnyIndex => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

/// Whether a string value can be printed without quotes and read back the same.
fn is_plain_text(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | '-' | ':' | '/' | '@'))
        && text.parse::<f64>().is_err()
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(glob) => write!(f, "{glob}"),
            Value::Number(number) => f.write_str(&number.text),
            Value::Regex(regex) => write!(f, "{regex}"),
        }
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_plain_text(&self.text) {
            f.write_str(&self.text)
        } else {
            write!(f, "\"{}\"", self.text.replace('\\', "\\\\").replace('"', "\\\""))
        }
    }
}

impl fmt::Display for RegexValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}%", self.source)
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.role {
            TermRole::Required => {}
            TermRole::Optional => f.write_str("?")?,
            TermRole::Excluded => f.write_str("-")?,
        }
        if self.quoted {
            write!(f, "\"{}\"", self.text.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            f.write_str(&self.text)
        }
    }
}

impl fmt::Display for DelimitedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DelimitedField::Ellipsis => f.write_str("..."),
            DelimitedField::Named { name, test: None } => f.write_str(name),
            DelimitedField::Named { name, test: Some(test) } => FieldExprDisplay { name, expr: test }.fmt(f),
        }
    }
}

/// Prints a field test with the field's name before each comparison.
struct FieldExprDisplay<'a> {
    name: &'a str,
    expr: &'a FieldExpr,
}

impl fmt::Display for FieldExprDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (parts, separator) = match self.expr {
            FieldExpr::Compare(operator, value) => {
                return write!(f, "{} {} {value}", self.name, operator.symbol());
            }
            FieldExpr::Or(parts) => (parts, " || "),
            FieldExpr::And(parts) => (parts, " && "),
        };
        for (index, part) in parts.iter().enumerate() {
            if index > 0 {
                f.write_str(separator)?;
            }
            let nested = FieldExprDisplay { name: self.name, expr: part };
            // `&&` binds tighter than `||`: an `&&` group inside `||` needs no parentheses, and
            // printing them would put `(` where the parser wants the field's name.
            let bare = match part {
                FieldExpr::Compare(..) => true,
                FieldExpr::And(_) => matches!(self.expr, FieldExpr::Or(_)),
                FieldExpr::Or(_) => false,
            };
            if bare { write!(f, "{nested}")? } else { write!(f, "({nested})")? }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(text: &str) -> Glob {
        Glob { text: text.to_string(), quoted: false }
    }

    #[test]
    fn glob_matching_is_whole_value_under_either_reading() {
        // (glob, candidate, with an inner `*` a wildcard, with it a literal asterisk)
        let cases: &[(&str, &str, bool, bool)] = &[
            ("CreateTrail", "CreateTrail", true, true),
            ("Create", "CreateTrail", false, false),
            ("CreateTrail", "createtrail", false, false),
            ("Create*", "CreateTrail", true, true),
            ("*Trail", "CreateTrail", true, true),
            ("*Trail", "DescribeTrails", false, false),
            ("*Vpc*", "CreateVpcPeeringConnection", true, true),
            ("St*Logging", "StartLogging", true, false),
            ("St*Logging", "StopLogging", true, false),
            ("St*Logging", "St*Logging", true, true),
            ("St*Logging", "Logging", false, false),
            ("*", "", true, true),
            ("*", "anything", true, true),
            ("a*a", "a", false, false),
            ("a*a", "aa", true, false),
            ("a**b", "ab", true, false),
            ("*a*b*", "xxaxxbxx", true, false),
            ("*a*b*", "xa*bx", true, true),
            ("*a*b*", "xxbxxaxx", false, false),
            ("", "", true, true),
            ("", "x", false, false),
        ];
        let [wildcard, literal] = Reading::all(true, false)[..] else { panic!("two readings") };
        for (pattern, candidate, as_wildcard, as_literal) in cases {
            assert_eq!(
                glob(pattern).matches(candidate, wildcard),
                *as_wildcard,
                "{pattern} vs {candidate}, wildcard"
            );
            assert_eq!(
                glob(pattern).matches(candidate, literal),
                *as_literal,
                "{pattern} vs {candidate}, literal"
            );
        }
        assert!(glob("St*Logging").has_infix_star());
        assert!(!glob("*Logging*").has_infix_star());
    }
}
