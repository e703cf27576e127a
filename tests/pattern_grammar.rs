//! The filter-pattern grammar, black-box: what `FilterPattern::parse` accepts (with the kind and
//! the canonical form it prints), what it rejects (with where and why), and that the canonical
//! form parses back to itself.

use cis_monitor::controls::Control;
use cis_monitor::pattern::ast::Body;
use cis_monitor::pattern::{FilterPattern, ParseError, ParseErrorKind, PatternKind};

use PatternKind::{Delimited, Empty, Json, Regex, Terms};

/// Valid patterns: (text, kind, canonical form).
const VALID: &[(&str, PatternKind, &str)] = &[
    // Empty and blank patterns match everything.
    ("", Empty, ""),
    ("   ", Empty, ""),
    ("\n\t ", Empty, ""),
    // Selectors.
    ("{ $.eventName = CreateTrail }", Json, "{ ($.eventName = CreateTrail) }"),
    (
        "{ $.userIdentity.sessionContext.sessionIssuer.type = Role }",
        Json,
        "{ ($.userIdentity.sessionContext.sessionIssuer.type = Role) }",
    ),
    ("{ $.resources[0].type = x }", Json, "{ ($.resources[0].type = x) }"),
    ("{ $[0] = x }", Json, "{ ($[0] = x) }"),
    ("{ $.resources[*].type = \"AWS::KMS::Key\" }", Json, "{ ($.resources[*].type = AWS::KMS::Key) }"),
    ("{ $.* = CreateTrail }", Json, "{ ($.* = CreateTrail) }"),
    ("{ $.userIdentity.* = Root }", Json, "{ ($.userIdentity.* = Root) }"),
    ("{ $.['key.with.dots'] = x }", Json, "{ ($.['key.with.dots'] = x) }"),
    ("{ $['top level'].inner = x }", Json, "{ ($.['top level'].inner = x) }"),
    ("{ $.['plain'] = x }", Json, "{ ($.plain = x) }"),
    // The six operators, with and without spaces.
    ("{ $.n = 1 }", Json, "{ ($.n = 1) }"),
    ("{ $.n != 1 }", Json, "{ ($.n != 1) }"),
    ("{ $.n < 1 }", Json, "{ ($.n < 1) }"),
    ("{ $.n <= 1 }", Json, "{ ($.n <= 1) }"),
    ("{ $.n > 1 }", Json, "{ ($.n > 1) }"),
    ("{ $.n >= 1 }", Json, "{ ($.n >= 1) }"),
    ("{$.latency>=100}", Json, "{ ($.latency >= 100) }"),
    ("{$.a=1&&$.b!=2}", Json, "{ ($.a = 1) && ($.b != 2) }"),
    (
        "{$.eventName=CreateTrail||$.eventName=UpdateTrail}",
        Json,
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }",
    ),
    // IS NULL, IS TRUE, IS FALSE, NOT EXISTS.
    ("{ $.SomeObject IS NULL }", Json, "{ ($.SomeObject IS NULL) }"),
    ("{ $.ThisFlag IS TRUE }", Json, "{ ($.ThisFlag IS TRUE) }"),
    ("{ $.readOnly IS FALSE }", Json, "{ ($.readOnly IS FALSE) }"),
    ("{ $.SomeOtherObject NOT EXISTS }", Json, "{ ($.SomeOtherObject NOT EXISTS) }"),
    // Values: quoted, bare, numeric, wildcard, regex.
    ("{ $.eventType = \"UpdateTrail\" }", Json, "{ ($.eventType = UpdateTrail) }"),
    ("{ $.a = \"two words\" }", Json, "{ ($.a = \"two words\") }"),
    ("{ $.a = \"say \\\"hi\\\"\" }", Json, "{ ($.a = \"say \\\"hi\\\"\") }"),
    ("{ $.a = \"back\\\\slash\" }", Json, "{ ($.a = \"back\\\\slash\") }"),
    ("{ $.a = \"\" }", Json, "{ ($.a = \"\") }"),
    ("{ $.eventSource = kms.amazonaws.com }", Json, "{ ($.eventSource = kms.amazonaws.com) }"),
    ("{ $.ip = 10.0.0.1 }", Json, "{ ($.ip = 10.0.0.1) }"),
    ("{ $.a = 1.5 }", Json, "{ ($.a = 1.5) }"),
    ("{ $.a = -2 }", Json, "{ ($.a = -2) }"),
    ("{ $.a = +3 }", Json, "{ ($.a = +3) }"),
    ("{ $.a = 1e3 }", Json, "{ ($.a = 1e3) }"),
    ("{ $.a >= 2.5E-1 }", Json, "{ ($.a >= 2.5E-1) }"),
    // A quoted number stays a string; a near-number is a string that must be quoted.
    ("{ $.a = \"7\" }", Json, "{ ($.a = \"7\") }"),
    ("{ $.a = 1. }", Json, "{ ($.a = \"1.\") }"),
    ("{ $.eventName = * }", Json, "{ ($.eventName = *) }"),
    ("{ $.eventName = \"*\" }", Json, "{ ($.eventName = *) }"),
    ("{ $.eventName = *Trail }", Json, "{ ($.eventName = *Trail) }"),
    ("{ $.eventName = St*Logging }", Json, "{ ($.eventName = St*Logging) }"),
    ("{ $.eventName = Create* }", Json, "{ ($.eventName = Create*) }"),
    ("{ $.errorCode = \"*UnauthorizedOperation\" }", Json, "{ ($.errorCode = *UnauthorizedOperation) }"),
    ("{ $.eventName = %Create% }", Json, "{ ($.eventName = %Create%) }"),
    ("{ $.eventName = %^[CD]elete[A-Za-z]+$% }", Json, "{ ($.eventName = %^[CD]elete[A-Za-z]+$%) }"),
    ("{ $.a = %a% || $.b = %b% }", Json, "{ ($.a = %a%) || ($.b = %b%) }"),
    // Precedence: () > && > ||; redundant parentheses and nesting of one connective flatten.
    ("{ $.a = 1 || $.b = 2 && $.c = 3 }", Json, "{ ($.a = 1) || (($.b = 2) && ($.c = 3)) }"),
    ("{ $.a = 1 && $.b = 2 || $.c = 3 }", Json, "{ (($.a = 1) && ($.b = 2)) || ($.c = 3) }"),
    ("{ ($.a = 1 || $.b = 2) && $.c = 3 }", Json, "{ (($.a = 1) || ($.b = 2)) && ($.c = 3) }"),
    ("{ (($.a = 1) || ($.b = 2)) || $.c = 3 }", Json, "{ ($.a = 1) || ($.b = 2) || ($.c = 3) }"),
    ("{ ((($.a = 1))) }", Json, "{ ($.a = 1) }"),
    // Multi-line patterns.
    (
        "{\n  ($.eventName = CreateTrail) ||\n  ($.eventName = UpdateTrail)\n}",
        Json,
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) }",
    ),
    ("{\r\n\t$.eventName = CreateTrail\r\n}\r\n", Json, "{ ($.eventName = CreateTrail) }"),
    // The examples of the AWS "Filter pattern syntax" pages.
    ("{ $.sourceIPAddress != 123.123.* }", Json, "{ ($.sourceIPAddress != 123.123.*) }"),
    ("{ $.arrayKey[0] = \"value\" }", Json, "{ ($.arrayKey[0] = value) }"),
    ("{ $.objectList[1].id = 2 }", Json, "{ ($.objectList[1].id = 2) }"),
    (
        "{ ($.user.id = 1) && ($.users[0].email = \"John.Doe@example.com\") }",
        Json,
        "{ ($.user.id = 1) && ($.users[0].email = John.Doe@example.com) }",
    ),
    (
        "{ ($.user.id = 2 && $.users[0].email = \"nonmatch\") || $.actions[2] = \"GET\" }",
        Json,
        "{ (($.user.id = 2) && ($.users[0].email = nonmatch)) || ($.actions[2] = GET) }",
    ),
    (
        "{ $.user.email = \"John.Stiles@example.com\" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }",
        Json,
        "{ ($.user.email = John.Stiles@example.com) || (($.coordinates[0][1] = nonmatch) && ($.actions[2] = nomatch)) }",
    ),
    (
        "{ ($.user.email = \"John.Stiles@example.com\" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }",
        Json,
        "{ (($.user.email = John.Stiles@example.com) || ($.coordinates[0][1] = nonmatch)) && ($.actions[2] = nomatch) }",
    ),
    ("{ $.latency > 1000 }", Json, "{ ($.latency > 1000) }"),
    // Terms: words, quoted phrases, `?` and `-`.
    ("ERROR", Terms, "ERROR"),
    ("ERROR   ARGUMENTS ", Terms, "ERROR ARGUMENTS"),
    ("?ERROR ?ARGUMENTS", Terms, "?ERROR ?ARGUMENTS"),
    ("ERROR -ARGUMENTS", Terms, "ERROR -ARGUMENTS"),
    ("\"INTERNAL SERVER ERROR\"", Terms, "\"INTERNAL SERVER ERROR\""),
    ("-\"BAD REQUEST\" ERROR", Terms, "-\"BAD REQUEST\" ERROR"),
    ("?\"two words\" ?one", Terms, "?\"two words\" ?one"),
    (
        "?CreateTrail ?UpdateTrail ?DeleteTrail ?StartLogging ?StopLogging",
        Terms,
        "?CreateTrail ?UpdateTrail ?DeleteTrail ?StartLogging ?StopLogging",
    ),
    // Without the opening brace a JSON-looking text is a terms pattern.
    ("$.eventName = CreateTrail }", Terms, "$.eventName = CreateTrail }"),
    // Space-delimited, with `...` and field conditions.
    (
        "[ip, user, username, timestamp, request, status_code, bytes]",
        Delimited,
        "[ip, user, username, timestamp, request, status_code, bytes]",
    ),
    (
        "[ip, user, username, timestamp, request = *.html*, status_code = 4*, bytes]",
        Delimited,
        "[ip, user, username, timestamp, request = *.html*, status_code = 4*, bytes]",
    ),
    ("[..., status_code = 4*, ...]", Delimited, "[..., status_code = 4*, ...]"),
    (
        "[ip,user,...,status_code=404||status_code=410,bytes>1000]",
        Delimited,
        "[ip, user, ..., status_code = 404 || status_code = 410, bytes > 1000]",
    ),
    ("[w1 = %^ERROR%, w2]", Delimited, "[w1 = %^ERROR%, w2]"),
    ("[a, b = 1 && b = 2 || b = 3]", Delimited, "[a, b = 1 && b = 2 || b = 3]"),
    ("[a, b = 1 && (b = 2 || b = 3)]", Delimited, "[a, b = 1 && (b = 2 || b = 3)]"),
    ("[code = \"4 0 4\"]", Delimited, "[code = \"4 0 4\"]"),
    ("  [ ip , user ]  ", Delimited, "[ip, user]"),
    // Standalone regular expressions.
    ("%AUTHORIZED%", Regex, "%AUTHORIZED%"),
    ("%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%", Regex, "%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%"),
    ("%[Ee]rror|[Ff]ail%", Regex, "%[Ee]rror|[Ff]ail%"),
    ("  %CreateTrail%  ", Regex, "%CreateTrail%"),
    (
        "%CreateTrail|UpdateTrail|DeleteTrail|StartLogging|StopLogging%",
        Regex,
        "%CreateTrail|UpdateTrail|DeleteTrail|StartLogging|StopLogging%",
    ),
    // The CIS texts, and the variants CIS and users write.
    (
        "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}",
        Json,
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    ),
    (
        "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
        Json,
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
    ),
];

fn parse(text: &str) -> FilterPattern {
    FilterPattern::parse(text).unwrap_or_else(|error| panic!("{text:?} should parse: {error}"))
}

/// The kind of tree the parser built.
fn parsed_kind(pattern: &FilterPattern) -> PatternKind {
    match pattern.body() {
        Body::Everything => PatternKind::Empty,
        Body::Json(_) => PatternKind::Json,
        Body::Terms(_) => PatternKind::Terms,
        Body::Delimited(_) => PatternKind::Delimited,
        Body::Regex(_) => PatternKind::Regex,
    }
}

#[test]
fn valid_patterns_parse_to_their_kind_and_canonical_form() {
    for (text, kind, canonical) in VALID {
        let pattern = parse(text);
        assert_eq!(parsed_kind(&pattern), *kind, "kind of {text:?}");
        assert_eq!(PatternKind::of_text(text), *kind, "kind of the text {text:?}");
        assert_eq!(pattern.to_string(), *canonical, "canonical form of {text:?}");
        assert_eq!(pattern.text(), *text, "the pattern keeps its text");
    }
}

#[test]
fn canonical_form_is_a_fixed_point() {
    let canonical_patterns = Control::ALL.iter().map(|control| control.canonical_pattern());
    for text in VALID.iter().map(|(text, _, _)| *text).chain(canonical_patterns) {
        let printed = parse(text).to_string();
        let reparsed = FilterPattern::parse(&printed)
            .unwrap_or_else(|error| panic!("canonical form {printed:?} of {text:?} is rejected: {error}"));
        assert_eq!(reparsed.to_string(), printed, "canonical form of {text:?} is not a fixed point");
        assert_eq!(parsed_kind(&reparsed), parsed_kind(&parse(text)), "{text:?}");
    }
}

#[test]
fn canonical_cis_patterns_parse() {
    for control in Control::ALL {
        let pattern = parse(control.canonical_pattern());
        assert_eq!(parsed_kind(&pattern), Json, "{control}");
    }
}

#[test]
fn from_str_is_parse() {
    let pattern: FilterPattern = "{ $.eventName = CreateTrail }".parse().expect("parses");
    assert_eq!(pattern.to_string(), "{ ($.eventName = CreateTrail) }");
    assert!("{ $.eventName == CreateTrail }".parse::<FilterPattern>().is_err());
}

/// Where a rejection must point.
#[derive(Debug, Clone, Copy)]
enum At {
    /// At the first occurrence of this text.
    First(&'static str),
    /// At the last occurrence of this text.
    Last(&'static str),
    /// At this byte offset.
    Offset(usize),
    /// At the end of the pattern.
    End,
}

/// What a rejection must say: the kind of fault and a fragment of its message.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Expected(&'static str),
    Unsupported(&'static str),
    Quota(&'static str),
    TooLong,
    TooDeep,
}

fn check_rejection(text: &str, at: At, fault: Fault) {
    let error: ParseError = match FilterPattern::parse(text) {
        Ok(pattern) => panic!("{text:?} should be rejected, parsed as {pattern}"),
        Err(error) => error,
    };
    let offset = match at {
        At::First(marker) => text.find(marker).unwrap_or_else(|| panic!("{marker:?} not in {text:?}")),
        At::Last(marker) => text.rfind(marker).unwrap_or_else(|| panic!("{marker:?} not in {text:?}")),
        At::Offset(offset) => offset,
        At::End => text.len(),
    };
    assert_eq!(error.offset, offset, "{text:?}: wrong position for {error}");
    assert_eq!(error.column, text[..offset].chars().count() + 1, "{text:?}: column of {error}");
    assert!(
        error.to_string().starts_with(&format!("invalid filter pattern at character {}: ", error.column)),
        "{error}"
    );
    let right_kind = match (fault, &error.kind) {
        (Fault::Expected(fragment), ParseErrorKind::Expected { expected, .. }) => expected.contains(fragment),
        (Fault::Unsupported(fragment), ParseErrorKind::Unsupported(why)) => why.contains(fragment),
        (Fault::Quota(fragment), ParseErrorKind::Quota(why)) => why.contains(fragment),
        (Fault::TooLong, ParseErrorKind::TooLong { .. }) => true,
        (Fault::TooDeep, ParseErrorKind::TooDeep) => true,
        _ => false,
    };
    assert!(right_kind, "{text:?}: expected {fault:?}, got {:?}", error.kind);
}

#[test]
fn invalid_patterns_are_rejected_where_the_fault_is() {
    use At::{End, First, Last, Offset};
    use Fault::{Expected, Quota, Unsupported};
    let cases: &[(&str, At, Fault)] = &[
        // Operators and keywords AWS does not have.
        ("{ $.eventName == CreateTrail }", First("=="), Unsupported("`==`")),
        ("{ $.a IS NOT NULL }", First("NOT"), Unsupported("IS NOT")),
        ("{ $.a EXISTS }", First("EXISTS"), Unsupported("no EXISTS test")),
        ("{ NOT $.a = 1 }", First("NOT"), Unsupported("unary NOT")),
        ("{ NOT ($.a = 1) }", First("NOT"), Unsupported("unary NOT")),
        ("{ !($.a = 1) }", First("!"), Expected("unary `!`")),
        ("{ $.a IS MAYBE }", First("MAYBE"), Expected("NULL, TRUE or FALSE")),
        ("{ $.a NOT NULL }", First("NULL"), Expected("EXISTS after NOT")),
        ("{ $.a = 1 & $.b = 2 }", First("& $"), Expected("`&&`")),
        ("{ $.a = 1 | $.b = 2 }", First("| $"), Expected("`||`")),
        // Unbalanced braces, parentheses and brackets.
        ("{ $.a = 1", End, Expected("closing `}`")),
        ("{ $.a = 1 }}", Last("}"), Expected("end of the pattern")),
        ("{ ($.a = 1 }", First("}"), Expected("`)`")),
        ("{ (($.a = 1) }", First("}"), Expected("`)`")),
        ("{ $.a = 1) }", First(")"), Expected("closing `}`")),
        ("{ $.a[0 = 1 }", First(" = 1"), Expected("`]`")),
        ("{ $.a[x] = 1 }", First("x]"), Expected("an index")),
        ("{ $.['unterminated = 1 }", First("'unterminated"), Expected("closing `'`")),
        ("[a, b", End, Expected("`,` or the closing `]`")),
        ("[a, b]]", Last("]"), Expected("end of the pattern")),
        ("[a b]", First("b]"), Expected("`,` or the closing `]`")),
        // Empty braces and brackets, and selectors without a step.
        ("{ }", First("}"), Expected("a condition")),
        ("{}", First("}"), Expected("a condition")),
        ("[]", First("]"), Expected("a field name")),
        ("{ $. = 1 }", First(" = 1"), Expected("a member name")),
        ("{ $ = 1 }", First(" = 1"), Expected("after `$`")),
        // Missing values and operands.
        ("{ $.a = }", First("}"), Expected("a value")),
        ("{ $.a =", End, Expected("a value")),
        ("{ $.a = && $.b = 1 }", First("&&"), Expected("a value")),
        ("{ $.a }", First("}"), Expected("an operator")),
        ("{ $.a = 1 && }", First("}"), Expected("a condition")),
        ("{ $.a = 1 || || $.b = 2 }", Last("||"), Expected("a condition")),
        ("{ ($.a = 1) ($.b = 2) }", Last("($.b"), Expected("closing `}`")),
        ("{ $.a = \"x\" \"y\" }", First("\"y\""), Expected("a selector")),
        // Ordering operators take numbers only.
        ("{ $.a > abc }", First("abc"), Expected("a number after `>`")),
        ("{ $.a >= \"5\" }", First("\"5\""), Expected("a number after `>=`")),
        ("{ $.a < * }", First("*"), Expected("a number after `<`")),
        ("{ $.a <= %1% }", First("%1%"), Expected("a number after `<=`")),
        // Trailing garbage after the closing brace.
        ("{ $.a = 1 } x", First("x"), Expected("end of the pattern")),
        ("{ $.a = 1 } { $.b = 2 }", Last("{"), Expected("end of the pattern")),
        // Unterminated quotes.
        ("{ $.a = \"abc }", First("\"abc"), Expected("closing `\"`")),
        ("\"unterminated phrase", Offset(0), Expected("closing `\"`")),
        ("ERROR \"unterminated", First("\"unter"), Expected("closing `\"`")),
        // Terms prefixes need a term.
        ("? a", Offset(1), Expected("a term after the prefix")),
        ("ERROR -", End, Expected("a term after the prefix")),
        // Delimited field conditions name their own field.
        ("[a = 1 || c = 2]", First("c = 2"), Expected("a comparison on field `a`")),
        // Quotas: one wildcard per selector, three per pattern, two regexes per pattern.
        ("{ $.a[*].* = 1 }", First("$.a"), Quota("one wildcard")),
        ("{ $.*.* = 1 }", First("$.*"), Quota("one wildcard")),
        ("{ $.a[*] = 1 || $.b[*] = 2 || $.c.* = 3 || $.d.* = 4 }", First("$.d.*"), Quota("three wildcard")),
        ("{ $.a = %a% || $.b = %b% || $.c = %c% }", First("%c%"), Quota("two regular")),
        ("[a = %a%, b = %b%, c = %c%]", First("%c%"), Quota("two regular")),
        // The regex dialect: no parentheses, no multi-byte characters, no other symbols.
        ("%(a|b)%", First("(a"), Unsupported("parentheses")),
        ("{ $.a = %x(y)% }", First("(y"), Unsupported("parentheses")),
        ("%café%", First("é"), Unsupported("multi-byte")),
        ("%something!%", First("!"), Unsupported("cannot hold `!`")),
        ("%[%", First("[%"), Unsupported("not a valid regular expression")),
        ("%abc", Offset(0), Expected("closing `%`")),
        ("%%", Offset(1), Expected("a regular expression between")),
        ("%abc% x", First("x"), Expected("end of the pattern")),
    ];
    for (text, at, fault) in cases {
        check_rejection(text, *at, *fault);
    }
}

#[test]
fn positions_count_characters_not_bytes() {
    let text = "{ $.café = ü == x }";
    let error = FilterPattern::parse(text).expect_err("`==` is rejected");
    assert_eq!(error.offset, text.find("==").expect("has =="));
    assert_eq!(error.column, 14);
    assert!(error.to_string().contains("character 14"), "{error}");
}

#[test]
fn patterns_are_at_most_1024_characters() {
    let body = |length: usize| format!("{{ $.a = \"{}\" }}", "x".repeat(length - 12));
    assert_eq!(body(1024).chars().count(), 1024);
    parse(&body(1024));
    check_rejection(&body(1025), At::Offset(0), Fault::TooLong);
    let error = FilterPattern::parse(&body(1025)).expect_err("too long");
    assert_eq!(error.kind, ParseErrorKind::TooLong { length: 1025 });
    check_rejection(&"a".repeat(1025), At::Offset(0), Fault::TooLong);
    // The limit counts characters, not bytes.
    let accented = "é".repeat(1024);
    assert_eq!(parsed_kind(&parse(&accented)), Terms);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let nested = |depth: usize| format!("{{ {}$.a = 1{} }}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(parse(&nested(60)).to_string(), "{ ($.a = 1) }");
    // The guard trips on the 65th parenthesis.
    check_rejection(&nested(200), At::Offset(2 + 64), Fault::TooDeep);
    check_rejection(&nested(1000), At::Offset(0), Fault::TooLong);
    let delimited = format!("[a = 1 && {}a = 2{}]", "(".repeat(200), ")".repeat(200));
    check_rejection(&delimited, At::Offset(10 + 64), Fault::TooDeep);
}

#[test]
fn canonical_nesting_is_bounded_too() {
    // `a || b && (c || d && (...))` nests one parenthesis per level as written, but its
    // canonical form nests two: the parser rejects what it could not read back.
    let nested = |levels: usize| {
        let mut text = "$.z = 0".to_string();
        for _ in 0..levels {
            text = format!("$.a = 1 || $.b = 2 && ({text})");
        }
        format!("{{ {text} }}")
    };
    // `levels` levels print 2 * `levels` deep.
    let deepest = parse(&nested(32));
    assert_eq!(parse(&deepest.to_string()).to_string(), deepest.to_string());
    check_rejection(&nested(33), At::Offset(0), Fault::TooDeep);
}
