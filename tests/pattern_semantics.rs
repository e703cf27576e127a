//! What a filter pattern matches, black-box: `FilterPattern::matches` on real CloudTrail records
//! (tests/fixtures/cloudtrail), on the example events of the AWS documentation, and on small
//! synthetic events for the corner cases of the semantics.

use cis_monitor::controls::Control;
use cis_monitor::pattern::{EventMatch, FilterPattern, LogEvent};

/// The CloudTrail fixtures, by name.
const FIXTURES: &[(&str, &str)] = &[
    ("create-trail", include_str!("fixtures/cloudtrail/create-trail.json")),
    ("create-trail-access-denied", include_str!("fixtures/cloudtrail/create-trail-access-denied.json")),
    ("stop-logging", include_str!("fixtures/cloudtrail/stop-logging.json")),
    ("root-start-logging", include_str!("fixtures/cloudtrail/root-start-logging.json")),
    ("describe-trails", include_str!("fixtures/cloudtrail/describe-trails.json")),
    ("disable-key", include_str!("fixtures/cloudtrail/disable-key.json")),
    ("schedule-key-deletion", include_str!("fixtures/cloudtrail/schedule-key-deletion.json")),
    ("disable-key-rotation", include_str!("fixtures/cloudtrail/disable-key-rotation.json")),
    ("create-vpc", include_str!("fixtures/cloudtrail/create-vpc.json")),
    ("create-vpc-peering-connection", include_str!("fixtures/cloudtrail/create-vpc-peering-connection.json")),
];

/// A JSON text without the white space outside strings: the form in which CloudTrail delivers
/// a record to CloudWatch Logs, keys in their original order.
fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn fixture(name: &str) -> LogEvent {
    let (_, text) = FIXTURES.iter().find(|(fixture, _)| *fixture == name).expect("a fixture of that name");
    LogEvent::new(compact(text))
}

fn parse(text: &str) -> FilterPattern {
    FilterPattern::parse(text).unwrap_or_else(|error| panic!("{text:?} should parse: {error}"))
}

/// Checks, for every fixture, that `pattern` matches it exactly when it is listed.
fn check_matching_fixtures(pattern: &str, matching: &[&str]) {
    let parsed = parse(pattern);
    for name in matching {
        assert!(FIXTURES.iter().any(|(fixture, _)| fixture == name), "no fixture {name}");
    }
    for (name, _) in FIXTURES {
        let expected = matching.contains(name);
        assert_eq!(parsed.matches(&fixture(name)), expected, "{pattern} on {name}");
    }
}

#[test]
fn fixtures_are_cloudtrail_records() {
    for (name, text) in FIXTURES {
        let record: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        for field in [
            "eventVersion",
            "userIdentity",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "requestParameters",
            "responseElements",
            "requestID",
            "eventID",
            "readOnly",
            "eventType",
            "managementEvent",
            "recipientAccountId",
            "eventCategory",
        ] {
            assert!(record.get(field).is_some(), "{name} lacks {field}");
        }
        let event = fixture(name);
        assert_eq!(event.json(), Some(&record), "{name}: the compact message is the same record");
        assert!(!event.message().contains('\n'), "{name}");
    }
}

#[test]
fn each_canonical_pattern_matches_exactly_its_controls_records() {
    let cases: &[(Control, &[&str])] = &[
        (
            Control::CloudTrailChanges,
            &["create-trail", "create-trail-access-denied", "stop-logging", "root-start-logging"],
        ),
        (Control::KmsKeyChanges, &["disable-key", "schedule-key-deletion"]),
        (Control::VpcChanges, &["create-vpc", "create-vpc-peering-connection"]),
    ];
    for (control, matching) in cases {
        check_matching_fixtures(control.canonical_pattern(), matching);
    }
}

#[test]
fn json_patterns_on_cloudtrail_records() {
    const ALL_BUT_DENIED: &[&str] = &[
        "create-trail",
        "stop-logging",
        "root-start-logging",
        "describe-trails",
        "disable-key",
        "schedule-key-deletion",
        "disable-key-rotation",
        "create-vpc",
        "create-vpc-peering-connection",
    ];
    const KMS: &[&str] = &["disable-key", "schedule-key-deletion", "disable-key-rotation"];
    let cases: &[(&str, &[&str])] = &[
        // `!=` needs an existing scalar: false on a missing field, an object, an array, null.
        ("{ $.errorCode != AccessDenied }", &[]),
        ("{ $.errorCode != Throttling }", &["create-trail-access-denied"]),
        ("{ ($.errorCode != AccessDenied) || ($.errorCode NOT EXISTS) }", ALL_BUT_DENIED),
        ("{ $.userIdentity != Root }", &[]),
        ("{ $.resources != x }", &[]),
        ("{ $.requestParameters.trailNameList != x }", &[]),
        ("{ $.responseElements != x }", &[]),
        ("{ $.errorCode != %Denied% }", &[]),
        // `=` on an object or an array is false too, even against `*`.
        ("{ $.userIdentity = * }", &[]),
        ("{ $.resources = * }", &[]),
        // IS NULL, NOT EXISTS, IS TRUE, IS FALSE.
        ("{ $.errorCode NOT EXISTS }", ALL_BUT_DENIED),
        ("{ $.errorMessage = * }", &["create-trail-access-denied"]),
        (
            "{ $.responseElements IS NULL }",
            &[
                "create-trail-access-denied",
                "stop-logging",
                "root-start-logging",
                "describe-trails",
                "disable-key",
                "disable-key-rotation",
            ],
        ),
        ("{ $.requestParameters IS NULL }", &["create-trail-access-denied"]),
        ("{ $.responseElements NOT EXISTS }", &[]),
        ("{ $.readOnly IS TRUE }", &["describe-trails"]),
        (
            "{ $.readOnly IS FALSE }",
            &[
                "create-trail",
                "create-trail-access-denied",
                "stop-logging",
                "root-start-logging",
                "disable-key",
                "schedule-key-deletion",
                "disable-key-rotation",
                "create-vpc",
                "create-vpc-peering-connection",
            ],
        ),
        ("{ $.readOnly IS NULL }", &[]),
        // Arrays, `[*]` and `.*` are existential.
        ("{ $.resources[0].type = \"AWS::KMS::Key\" }", KMS),
        // A `*` inside a value matches only if AWS reads it as a wildcard: under every reading,
        // only the ends count (see wildcards_at_the_ends_and_inside_a_value).
        ("{ $.resources[*].ARN = \"arn:aws:kms:*:111122223333:key/*\" }", &[]),
        ("{ $.resources[*].ARN = \"arn:aws:kms:eu-central-1:111122223333:key/*\" }", KMS),
        ("{ $.resources[1].type = * }", &[]),
        (
            "{ $.responseElements.vpc.cidrBlockAssociationSet.items[*].cidrBlockState.state = associated }",
            &["create-vpc"],
        ),
        ("{ $.* = CreateTrail }", &["create-trail", "create-trail-access-denied"]),
        ("{ $.requestParameters.* = org-audit }", &["create-trail"]),
        ("{ $.requestParameters.* = *org-audit }", &["create-trail", "stop-logging", "root-start-logging"]),
        (
            "{ $.userIdentity.sessionContext.sessionIssuer.userName = *Admin }",
            &["create-trail", "stop-logging", "create-vpc", "create-vpc-peering-connection"],
        ),
        // Wildcards; whole-value, case-sensitive matching.
        ("{ $.eventName = *Trail }", &["create-trail", "create-trail-access-denied"]),
        ("{ $.eventName = *Trails }", &["describe-trails"]),
        ("{ $.eventName = *Logging }", &["stop-logging", "root-start-logging"]),
        (
            "{ $.eventName = Create* }",
            &["create-trail", "create-trail-access-denied", "create-vpc", "create-vpc-peering-connection"],
        ),
        ("{ $.eventName = *Key* }", KMS),
        ("{ $.eventName = \"Disable*\" }", &["disable-key", "disable-key-rotation"]),
        ("{ $.eventName = Create }", &[]),
        ("{ $.eventName = CreateVpc }", &["create-vpc"]),
        ("{ $.eventName = createtrail }", &[]),
        ("{ $.eventName = CREATETRAIL }", &[]),
        ("{ $.eventname = CreateTrail }", &[]),
        (
            "{ $.sourceIPAddress != 198.51.100.* }",
            &["create-trail-access-denied", "stop-logging", "describe-trails", "schedule-key-deletion"],
        ),
        // Precedence: `&&` binds tighter than `||`.
        ("{ $.eventName = CreateVpc || $.eventName = DisableKey && $.errorCode = * }", &["create-vpc"]),
        (
            "{ ($.eventName = CreateVpc || $.eventName = DisableKey) && $.errorCode NOT EXISTS }",
            &["create-vpc", "disable-key"],
        ),
        (
            "{ $.eventName = CreateTrail && $.errorCode = AccessDenied || $.eventName = StopLogging }",
            &["create-trail-access-denied", "stop-logging"],
        ),
        // Regular expressions search inside the field, unless anchored.
        ("{ $.eventName = %Trail% }", &["create-trail", "create-trail-access-denied", "describe-trails"]),
        ("{ $.eventName = %^Trail% }", &[]),
        (
            "{ $.eventName = %^Create% }",
            &["create-trail", "create-trail-access-denied", "create-vpc", "create-vpc-peering-connection"],
        ),
        ("{ $.eventName = %Logging$% }", &["stop-logging", "root-start-logging"]),
        (
            "{ $.eventName != %Key% }",
            &[
                "create-trail",
                "create-trail-access-denied",
                "stop-logging",
                "root-start-logging",
                "describe-trails",
                "create-vpc",
                "create-vpc-peering-connection",
            ],
        ),
        // Numbers compare with numbers only.
        ("{ $.requestParameters.pendingWindowInDays = 7 }", &["schedule-key-deletion"]),
        ("{ $.requestParameters.pendingWindowInDays < 30 }", &["schedule-key-deletion"]),
        ("{ $.requestParameters.pendingWindowInDays >= 7.0 }", &["schedule-key-deletion"]),
        ("{ $.requestParameters.pendingWindowInDays > 7 }", &[]),
        ("{ $.recipientAccountId = 111122223333 }", &[]),
        ("{ $.eventVersion = 1.08 }", &[]),
        ("{ $.eventVersion = \"1.08\" }", KMS),
        // The CIS root-usage pattern.
        (
            "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }",
            &["root-start-logging"],
        ),
        // The CIS KMS pattern without its eventSource clause still only matches the two events.
        (
            "{ ($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion) }",
            &["disable-key", "schedule-key-deletion"],
        ),
    ];
    for (pattern, matching) in cases {
        check_matching_fixtures(pattern, matching);
    }
}

#[test]
fn terms_and_regex_patterns_on_cloudtrail_messages() {
    let cases: &[(&str, &[&str])] = &[
        ("?CreateTrail ?StopLogging", &["create-trail", "create-trail-access-denied", "stop-logging"]),
        ("CreateTrail -AccessDenied", &["create-trail"]),
        ("CreateTrail AccessDenied", &["create-trail-access-denied"]),
        // A plain term makes the `?` terms beside it irrelevant.
        ("?Nowhere CreateTrail", &["create-trail", "create-trail-access-denied"]),
        ("?CreateTrail Nowhere", &[]),
        ("\"\\\"eventName\\\":\\\"CreateTrail\\\"\"", &["create-trail", "create-trail-access-denied"]),
        ("createtrail", &[]),
        ("kms.amazonaws.com", &["disable-key", "schedule-key-deletion", "disable-key-rotation"]),
        ("%StopLogging|StartLogging%", &["stop-logging", "root-start-logging"]),
        ("%^.{2}eventName%", &[]),
        ("%DisableKey[^R]%", &["disable-key"]),
    ];
    for (pattern, matching) in cases {
        check_matching_fixtures(pattern, matching);
    }
    // Every record starts with eventVersion.
    let anchored = parse("%^.{2}eventVersion%");
    assert!(FIXTURES.iter().all(|(name, _)| anchored.matches(&fixture(name))));
}

#[test]
fn aws_documentation_json_examples() {
    let single = LogEvent::new(
        r#"{
            "eventType": "UpdateTrail",
            "sourceIPAddress": "111.111.111.111",
            "arrayKey": ["value", "another value"],
            "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
            "SomeObject": null,
            "cluster.name": "c",
            "ThisFlag": true
        }"#,
    );
    let compound = LogEvent::new(
        r#"{
            "user": {"id": 1, "email": "John.Stiles@example.com"},
            "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
            "actions": ["GET", "PUT", "DELETE"],
            "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
        }"#,
    );
    let cases: &[(&str, &LogEvent, bool)] = &[
        ("{ $.eventType = \"UpdateTrail\" }", &single, true),
        ("{ $.sourceIPAddress != 123.123.* }", &single, true),
        ("{ $.sourceIPAddress != 111.111.* }", &single, false),
        ("{ $.arrayKey[0] = \"value\" }", &single, true),
        ("{ $.arrayKey[1] = \"value\" }", &single, false),
        ("{ $.arrayKey[*] = \"another value\" }", &single, true),
        ("{ $.objectList[1].id = 2 }", &single, true),
        ("{ $.objectList[0].id = 2 }", &single, false),
        ("{ $.SomeObject IS NULL }", &single, true),
        ("{ $.SomeOtherObject NOT EXISTS }", &single, true),
        ("{ $.SomeObject NOT EXISTS }", &single, false),
        ("{ $.ThisFlag IS TRUE }", &single, true),
        ("{ $.ThisFlag IS FALSE }", &single, false),
        ("{ $.['cluster.name'] = \"c\" }", &single, true),
        ("{ $.cluster.name = \"c\" }", &single, false),
        ("{ ($.user.id = 1) && ($.users[0].email = \"John.Doe@example.com\") }", &compound, true),
        (
            "{ ($.user.id = 2 && $.users[0].email = \"nonmatch\") || $.actions[2] = \"GET\" }",
            &compound,
            false,
        ),
        (
            "{ $.user.email = \"John.Stiles@example.com\" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }",
            &compound,
            true,
        ),
        (
            "{ ($.user.email = \"John.Stiles@example.com\" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }",
            &compound,
            false,
        ),
        ("{ $.coordinates[2][0] = 7 }", &compound, true),
        ("{ $.users[*].email = *Doe* }", &compound, true),
        ("{ $.users[*].id > 2 }", &compound, true),
        ("{ $.users[*].id > 3 }", &compound, false),
    ];
    for (pattern, event, expected) in cases {
        assert_eq!(parse(pattern).matches(event), *expected, "{pattern}");
    }
}

#[test]
fn numbers_scalars_and_missing_fields() {
    let event = LogEvent::new(
        r#"{"latency": 250, "ratio": 0.75, "delta": -3, "big": 1000, "text": "250", "flag": true,
            "nothing": null, "list": [1, 2, 3], "obj": {"a": 1}}"#,
    );
    let cases: &[(&str, bool)] = &[
        ("{ $.latency = 250 }", true),
        ("{ $.latency = 250.0 }", true),
        ("{ $.latency = 2.5e2 }", true),
        ("{ $.latency != 250 }", false),
        ("{ $.latency != 251 }", true),
        ("{ $.latency < 300 }", true),
        ("{ $.latency < 250 }", false),
        ("{ $.latency <= 250 }", true),
        ("{ $.latency > 249.5 }", true),
        ("{ $.latency >= 251 }", false),
        ("{ $.ratio = 0.75 }", true),
        ("{ $.ratio < 1 }", true),
        ("{ $.ratio > 0.8 }", false),
        ("{ $.delta = -3 }", true),
        ("{ $.delta < -2 }", true),
        ("{ $.delta > -4 }", true),
        ("{ $.delta >= 0 }", false),
        ("{ $.big = 1e3 }", true),
        ("{ $.big = 1E+3 }", true),
        ("{ $.big > 9.99e2 }", true),
        // A number never compares with a string-typed field (the conservative reading).
        ("{ $.text = 250 }", false),
        ("{ $.text > 100 }", false),
        ("{ $.text != 250 }", false),
        ("{ $.text = \"250\" }", true),
        // Missing, null, arrays and objects satisfy no comparison, `!=` included.
        ("{ $.missing < 1 }", false),
        ("{ $.missing != 1 }", false),
        ("{ $.nothing != 1 }", false),
        ("{ $.nothing = 1 }", false),
        ("{ $.list != 1 }", false),
        ("{ $.obj != 1 }", false),
        ("{ $.list[0] = 1 }", true),
        ("{ $.list[*] > 2 }", true),
        ("{ $.list[*] > 3 }", false),
        ("{ $.obj.a = 1 }", true),
        ("{ $.obj.* = 1 }", true),
        ("{ $.* = 250 }", true),
        ("{ $.* > 999 }", true),
        ("{ $.* > 1000 }", false),
        // `= *` needs a present scalar value.
        ("{ $.text = * }", true),
        ("{ $.nothing = * }", false),
        ("{ $.missing = * }", false),
        ("{ $.obj = * }", false),
        // IS and NOT EXISTS.
        ("{ $.flag IS TRUE }", true),
        ("{ $.flag IS FALSE }", false),
        ("{ $.text IS TRUE }", false),
        ("{ $.nothing IS NULL }", true),
        ("{ $.missing IS NULL }", false),
        ("{ $.nothing NOT EXISTS }", false),
        ("{ $.missing NOT EXISTS }", true),
        ("{ $.list[5] NOT EXISTS }", true),
        ("{ $.list[*] NOT EXISTS }", false),
        ("{ $.text.deeper NOT EXISTS }", true),
    ];
    for (pattern, expected) in cases {
        assert_eq!(parse(pattern).matches(&event), *expected, "{pattern}");
    }
}

#[test]
fn wildcards_at_the_ends_and_inside_a_value() {
    // A `*` at either end is a wildcard; one inside a value is a wildcard or a literal
    // asterisk depending on which of AWS's documentations is right, so a record it matches
    // only as a wildcard depends on the reading.
    use EventMatch::{DependsOnReading as Depends, DoesNotMatch as No, Matches as Yes};
    let event = LogEvent::new(r#"{"name": "StartLogging", "star": "St*ing", "empty": ""}"#);
    let cases: &[(&str, &str, EventMatch)] = &[
        ("name", "*Logging", Yes),
        ("name", "Start*", Yes),
        ("name", "*art*", Yes),
        ("name", "*", Yes),
        ("name", "**", Yes),
        ("name", "StartLogging", Yes),
        ("name", "St*ing", Depends(String::new())),
        ("name", "Start*Logging*", Depends(String::new())),
        ("name", "*t*L*g", Depends(String::new())),
        ("name", "*Trail", No),
        ("name", "S*x", No),
        ("name", "Start", No),
        ("name", "*start*", No),
        ("name", "StartLogging?", No),
        ("name", "StartLoggingX*", No),
        ("star", "St*ing", Yes),
    ];
    for (field, value, expected) in cases {
        for text in [format!("{{ $.{field} = {value} }}"), format!("{{ $.{field} = \"{value}\" }}")] {
            let decided = parse(&text).decide(&event);
            match (expected, &decided) {
                (Depends(_), Depends(reason)) => {
                    assert!(
                        reason.contains(&format!("`{value}`")) && reason.contains("literal asterisk"),
                        "{reason}"
                    );
                    assert!(!parse(&text).matches(&event), "{text} matches only under every reading");
                }
                _ => assert_eq!(&decided, expected, "{text}"),
            }
        }
    }
}

#[test]
fn json_patterns_never_match_other_messages() {
    let not_json = [
        "CreateTrail is not JSON",
        "",
        r#"{"eventName":"CreateTrail""#,
        r#"{"eventName":"CreateTrail"} trailing"#,
        "eventName=CreateTrail",
    ];
    for message in not_json {
        let event = LogEvent::new(message);
        assert!(event.json().is_none(), "{message:?}");
        for pattern in ["{ $.eventName = CreateTrail }", "{ $.x NOT EXISTS }", "{ $.eventName != x }"] {
            assert!(!parse(pattern).matches(&event), "{pattern} on {message:?}");
        }
        assert!(parse("").matches(&event), "the empty pattern matches {message:?}");
    }
    let padded = LogEvent::new("  \n{\"eventName\":\"CreateTrail\"}\n");
    assert!(parse("{ $.eventName = CreateTrail }").matches(&padded));
    assert!(parse("{ $.x NOT EXISTS }").matches(&padded));
}

#[test]
fn terms_on_the_aws_documentation_messages() {
    let messages = [
        "[ERROR 400] BAD REQUEST",
        "[ERROR 401] UNAUTHORIZED REQUEST",
        "[ERROR 419] MISSING ARGUMENTS",
        "[ERROR 420] INVALID ARGUMENTS",
        "[SUCCESS 200] AUTHORIZED REQUEST",
    ];
    let cases: &[(&str, &[usize])] = &[
        ("ERROR", &[0, 1, 2, 3]),
        ("ERROR ARGUMENTS", &[2, 3]),
        ("?ERROR ?ARGUMENTS", &[0, 1, 2, 3]),
        ("?SUCCESS ?ARGUMENTS", &[2, 3, 4]),
        ("ERROR -ARGUMENTS", &[0, 1]),
        ("-ERROR", &[4]),
        ("\"BAD REQUEST\"", &[0]),
        ("\"REQUEST BAD\"", &[]),
        ("?SUCCESS ERROR", &[0, 1, 2, 3]),
        ("error", &[]),
        ("", &[0, 1, 2, 3, 4]),
        ("%AUTHORIZED%", &[1, 4]),
        ("%^\\[SUCCESS%", &[4]),
        ("%4[0-9]{2}\\]%", &[0, 1, 2, 3]),
        ("%[Ee]rror|[Ff]ail%", &[]),
        ("%ARGUMENTS$%", &[2, 3]),
    ];
    for (pattern, matching) in cases {
        let parsed = parse(pattern);
        for (index, message) in messages.iter().enumerate() {
            assert_eq!(
                parsed.matches(&LogEvent::new(*message)),
                matching.contains(&index),
                "{pattern:?} on {message:?}"
            );
        }
    }
}

#[test]
fn delimited_patterns_on_apache_log_lines() {
    let lines = [
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#,
        r#"127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /index.html HTTP/1.0" 404 -"#,
        r#"10.0.0.7 - - [10/Oct/2000:13:55:36 -0700] "POST /login.html HTTP/1.1" 500 12"#,
    ];
    let cases: &[(&str, &[usize])] = &[
        ("[ip, user, username, timestamp, request, status_code, bytes]", &[0, 1, 2]),
        ("[ip, user, username, timestamp, request = *.html*, status_code = 4*, bytes]", &[1]),
        ("[..., status_code = 4*, ...]", &[1]),
        ("[ip, user, username, timestamp, request, status_code = 5* || status_code = 4*, bytes]", &[1, 2]),
        ("[ip, user, username, timestamp, request, status_code = 404 || status_code = 500, bytes]", &[1, 2]),
        ("[ip, ..., bytes > 1000]", &[0]),
        ("[ip, ..., bytes < 1000]", &[2]),
        ("[ip, user, username = frank, ...]", &[0, 1]),
        ("[ip = 10.*, ...]", &[2]),
        ("[..., request = %^POST%, status_code, bytes]", &[2]),
        ("[ip, user, username, timestamp, request, status_code, bytes, extra]", &[]),
        ("[ip, user, username, timestamp = \"10/Oct/2000:13:25:15 -0700\", ...]", &[0]),
        ("[...]", &[0, 1, 2]),
    ];
    for (pattern, matching) in cases {
        let parsed = parse(pattern);
        for (index, line) in lines.iter().enumerate() {
            assert_eq!(
                parsed.matches(&LogEvent::new(*line)),
                matching.contains(&index),
                "{pattern} on line {index}"
            );
        }
    }
}

#[test]
fn the_doc_example_of_the_module() {
    let pattern = parse(r#"{ ($.eventName = Create*) && ($.errorCode NOT EXISTS) }"#);
    assert!(pattern.matches(&fixture("create-trail")));
    assert!(!pattern.matches(&fixture("create-trail-access-denied")));
    assert!(pattern.matches(&fixture("create-vpc")));
    assert!(!pattern.matches(&fixture("disable-key")));
}

#[test]
fn delimited_patterns_on_the_documentations_examples() {
    // The examples of AWS's filter-pattern page for space-delimited log events, and the cases
    // its text leaves open (a message with more fields than the pattern names).
    use EventMatch::{DependsOnReading as Depends, DoesNotMatch as No, Matches as Yes};
    let error = "ERROR 09/25/2014 12:00:02 Failed to process request";
    let warning = "WARNING 09/25/2014 12:00:03 Retrying";
    let info = "INFO 09/25/2014 12:00:04 Done";
    let apache = r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534"#;
    let cases: &[(&str, &str, EventMatch)] = &[
        ("[w1=ERROR, w2]", error, Yes),
        ("[w1=ERROR, w2]", warning, No),
        ("[w1=ERROR || w1=WARNING, w2]", error, Yes),
        ("[w1=ERROR || w1=WARNING, w2]", warning, Yes),
        ("[w1=ERROR || w1=WARNING, w2]", info, No),
        ("[w1!=ERROR && w1!=WARNING, w2]", error, No),
        ("[w1!=ERROR && w1!=WARNING, w2]", info, Yes),
        ("[ip, user, username, timestamp, request, status_code, bytes]", apache, Yes),
        ("[ip, user, username, timestamp, request, status_code = 2*, bytes]", apache, Yes),
        ("[ip, user, username, timestamp, request = %GET%, ...]", apache, Yes),
        ("[..., status_code, bytes = 1534]", apache, Yes),
        // Open: does the last named field take the rest, or are the extra fields ignored?
        ("[w1=ERROR, w2=09/25/2014]", error, Depends(String::new())),
        ("[w1=ERROR, w2=*request]", error, Depends(String::new())),
        ("[w1=ERROR, w2=01/01/2000]", error, No),
    ];
    for (pattern, message, expected) in cases {
        let decided = parse(pattern).decide(&LogEvent::new(*message));
        match (expected, &decided) {
            (Depends(_), Depends(reason)) => {
                assert!(reason.contains("fields after the last one the pattern names"), "{reason}");
            }
            _ => assert_eq!(&decided, expected, "{pattern} on {message:?}"),
        }
    }
}
