//! `cis-monitor pattern`, end to end: the binary's output in text and JSON, and its exit status
//! (0 holds, 1 does not hold, 2 bad input).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cis_monitor::controls::Control;
use serde_json::Value as Json;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cloudtrail");

fn fixture_path(name: &str) -> String {
    format!("{FIXTURES}/{name}.json")
}

fn fixture_record(name: &str) -> Json {
    let text = std::fs::read_to_string(fixture_path(name)).expect("fixture");
    serde_json::from_str(&text).expect("JSON fixture")
}

/// Runs `cis-monitor ARGS`, feeding `stdin` when given.
fn run_with_input(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cis-monitor"))
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("writes stdin");
    }
    child.wait_with_output().expect("the binary ends")
}

fn run(args: &[&str]) -> Output {
    run_with_input(args, None)
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

fn json_stdout(output: &Output) -> Json {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|error| panic!("{error}: {}", stdout(output)))
}

/// A scratch directory for this test binary, removed and made anew by each caller's name.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cis-monitor-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writes the file");
    path.to_str().expect("UTF-8 path").to_string()
}

#[test]
fn coverage_in_text() {
    let cases: &[(&str, &str, i32, &[&str])] = &[
        // (control, pattern, exit status, lines the output must hold)
        (
            "CloudWatch.5",
            Control::CloudTrailChanges.canonical_pattern(),
            0,
            &[
                "control:     CloudWatch.5 (CIS 4.5)",
                "kind:        json",
                "covers:      yes",
                "exact CIS:   yes",
                "over-broad:  no",
            ],
        ),
        (
            "cloudwatch.7",
            "{ ($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion) }",
            0,
            &[
                "control:     CloudWatch.7 (CIS 4.7)",
                "covers:      yes",
                "exact CIS:   no",
                "over-broad:  no",
            ],
        ),
        (
            "CloudWatch.5",
            "{ ($.eventName = CreateTrail) && ($.errorCode NOT EXISTS) }",
            1,
            &[
                "covers:      no, 5 of the required events can be missed",
                "  - CreateTrail: ",
                "failed or denied",
            ],
        ),
        (
            "CloudWatch.14",
            "?CreateVpc ?DeleteVpc",
            1,
            &["kind:        terms", "covers:      no, 7 of the required events", "over-broad:  yes"],
        ),
        ("CloudWatch.5", "", 0, &["kind:        empty", "covers:      yes", "over-broad:  yes"]),
        (
            "CloudWatch.5",
            "[..., eventName, ...]",
            1,
            &["kind:        delimited", "covers:      cannot decide: space-delimited"],
        ),
    ];
    for (control, pattern, status, lines) in cases {
        let output = run(&["pattern", "--control", control, pattern]);
        assert_eq!(code(&output), *status, "{control} {pattern}: {}", stderr(&output));
        let text = stdout(&output);
        for line in *lines {
            assert!(text.contains(line), "{control} {pattern}: no {line:?} in\n{text}");
        }
        assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    }
}

#[test]
fn coverage_in_json() {
    let output = run(&[
        "pattern",
        "--control",
        "CloudWatch.7",
        "--format",
        "json",
        Control::KmsKeyChanges.canonical_pattern(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = json_stdout(&output);
    for key in ["control", "kind", "covers", "uncovered", "exactCis", "overBroad", "error"] {
        assert!(report.get(key).is_some(), "no {key} in {report}");
    }
    assert_eq!(report["control"], "CloudWatch.7");
    assert_eq!(report["kind"], "json");
    assert_eq!(report["covers"], true);
    assert_eq!(report["uncovered"], serde_json::json!([]));
    assert_eq!(report["exactCis"], true);
    assert_eq!(report["overBroad"], false);
    assert_eq!(report["error"], Json::Null);
    assert_eq!(report["pattern"], Control::KmsKeyChanges.canonical_pattern());

    let output = run(&[
        "pattern",
        "--control",
        "CloudWatch.5",
        "--format",
        "json",
        "{ $.eventName = CreateTrail || $.eventName = *Logging }",
    ]);
    assert_eq!(code(&output), 1);
    let report = json_stdout(&output);
    assert_eq!(report["covers"], false);
    assert_eq!(report["uncovered"], serde_json::json!(["UpdateTrail", "DeleteTrail"]));
    assert_eq!(report["exactCis"], false);
    assert_eq!(report["overBroad"], true);
    assert_eq!(report["uncoveredDetail"][0]["eventSource"], "cloudtrail.amazonaws.com");
    assert_eq!(report["canonical"], "{ ($.eventName = CreateTrail) || ($.eventName = *Logging) }");

    let output = run(&["pattern", "--control", "CloudWatch.14", "--format", "json", "[a, b]"]);
    assert_eq!(code(&output), 1);
    let report = json_stdout(&output);
    assert_eq!(report["kind"], "delimited");
    assert_eq!(report["decidable"], false);
    assert!(report["reason"].as_str().is_some_and(|reason| reason.contains("space-delimited")), "{report}");
}

#[test]
fn invalid_patterns_exit_2_with_the_message_on_stderr() {
    let output = run(&["pattern", "--control", "CloudWatch.5", "{ $.eventName == CreateTrail }"]);
    assert_eq!(code(&output), 2);
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(message.contains("invalid filter pattern at character 15"), "{message}");
    assert!(message.contains("`==`"), "{message}");

    let output = run(&["pattern", "--control", "CloudWatch.5", "--format", "json", "{ $.a = 1"]);
    assert_eq!(code(&output), 2);
    let report = json_stdout(&output);
    assert!(report["error"].as_str().is_some_and(|error| error.contains("character 10")), "{report}");
    assert_eq!(report["covers"], false);
    assert!(stderr(&output).contains("invalid filter pattern"), "{}", stderr(&output));

    let output = run(&["pattern", "--event", &fixture_path("create-trail"), "{ $.a IS NOT NULL }"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("IS NOT"), "{}", stderr(&output));
}

#[test]
fn bad_arguments_exit_2() {
    let output = run(&["pattern", "--control", "CloudWatch.6", "{ $.eventName = CreateTrail }"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("unknown control `CloudWatch.6`"), "{}", stderr(&output));

    let output = run(&["pattern", "{ $.eventName = CreateTrail }"]);
    assert_eq!(code(&output), 2, "neither --control nor --event");

    let missing = format!("{FIXTURES}/no-such-record.json");
    let output = run(&["pattern", "--event", &missing, "{ $.eventName = CreateTrail }"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("cannot read") && stderr(&output).contains("no-such-record.json"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());

    let dir = scratch("empty");
    let empty = write(&dir, "empty.jsonl", "\n\n");
    let output = run(&["pattern", "--event", &empty, "{ $.eventName = CreateTrail }"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("holds no records"), "{}", stderr(&output));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn one_record_file() {
    let canonical = Control::CloudTrailChanges.canonical_pattern();
    let output = run(&["pattern", "--event", &fixture_path("stop-logging"), canonical]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "record 1 (StopLogging): matches\n1 of 1 records match\n");

    let output = run(&["pattern", "--event", &fixture_path("describe-trails"), canonical]);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "record 1 (DescribeTrails): does not match\n0 of 1 records match\n");

    let output = run(&[
        "pattern",
        "--event",
        &fixture_path("disable-key"),
        "--format",
        "json",
        Control::KmsKeyChanges.canonical_pattern(),
    ]);
    assert_eq!(code(&output), 0);
    let report = json_stdout(&output);
    assert_eq!(report["matched"], 1);
    assert_eq!(report["total"], 1);
    assert_eq!(report["records"][0]["eventName"], "DisableKey");
    assert_eq!(report["records"][0]["matches"], true);
}

#[test]
fn json_lines_file() {
    let dir = scratch("jsonl");
    let lines: Vec<String> =
        ["create-trail", "describe-trails", "stop-logging", "create-trail-access-denied"]
            .iter()
            .map(|name| fixture_record(name).to_string())
            .collect();
    let path = write(&dir, "records.jsonl", &(lines.join("\n") + "\nnot JSON at all\n"));
    let pattern = "{ ($.eventName = CreateTrail || $.eventName = StopLogging) && $.errorCode NOT EXISTS }";

    let output = run(&["pattern", "--event", &path, pattern]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        stdout(&output),
        "record 1 (CreateTrail): matches\n\
         record 2 (DescribeTrails): does not match\n\
         record 3 (StopLogging): matches\n\
         record 4 (CreateTrail): does not match\n\
         record 5 (not JSON): does not match\n\
         2 of 5 records match\n"
    );

    let output = run(&["pattern", "--event", &path, "--format", "json", pattern]);
    assert_eq!(code(&output), 1);
    let report = json_stdout(&output);
    assert_eq!(report["matched"], 2);
    assert_eq!(report["total"], 5);
    let matches: Vec<bool> = report["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|record| record["matches"] == true)
        .collect();
    assert_eq!(matches, [true, false, true, false, false]);
    assert_eq!(report["records"][4]["json"], false);

    // A terms pattern reads the plain-text line too.
    let output = run(&["pattern", "--event", &path, "JSON"]);
    assert!(stdout(&output).contains("record 5 (not JSON): matches"), "{}", stdout(&output));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn cloudtrail_log_file_and_standard_input() {
    let dir = scratch("records");
    let records = serde_json::json!({
        "Records": [fixture_record("create-vpc"), fixture_record("create-vpc-peering-connection")]
    });
    let path = write(&dir, "111122223333_CloudTrail_us-west-2_20250307T1020Z_abc.json", &records.to_string());
    let canonical = Control::VpcChanges.canonical_pattern();

    let output = run(&["pattern", "--event", &path, canonical]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "record 1 (CreateVpc): matches\nrecord 2 (CreateVpcPeeringConnection): matches\n2 of 2 records match\n"
    );

    let output = run(&["pattern", "--event", &path, "{ $.eventName = CreateVpc }"]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).ends_with("1 of 2 records match\n"), "{}", stdout(&output));

    let output = run_with_input(
        &["pattern", "--event", "-", "--format", "json", canonical],
        Some(&records.to_string()),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_stdout(&output)["matched"], 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_record_matched_under_one_reading_only_says_so_and_exits_4() {
    let pattern = "{ $.eventName = St*Logging }";
    let output = run(&["pattern", "--event", &fixture_path("stop-logging"), pattern]);
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("record 1 (StopLogging): depends on how AWS reads `St*Logging`"), "{text}");
    assert!(text.contains("0 of 1 records match, 1 more depending on how AWS reads the pattern"), "{text}");
    let output = run(&["pattern", "--event", &fixture_path("stop-logging"), "--format", "json", pattern]);
    let report = json_stdout(&output);
    assert_eq!(report["depending"], 1);
    assert!(
        report["records"][0]["depends"].as_str().is_some_and(|reason| reason.contains("literal asterisk"))
    );
    // A record that fails under every reading still fails.
    let output = run(&["pattern", "--event", &fixture_path("create-trail"), pattern]);
    assert_eq!(code(&output), 1);
}

#[test]
fn space_delimited_patterns_match_text_lines_as_aws_documents() {
    let path = std::env::temp_dir().join(format!("cis-monitor-lines-{}.log", std::process::id()));
    std::fs::write(
        &path,
        "ERROR 09/25/2014 12:00:02 Failed to process request\nINFO 09/25/2014 12:00:04 Done\n",
    )
    .expect("written");
    let path = path.to_string_lossy().to_string();
    let output = run(&["pattern", "--event", &path, "[w1=ERROR || w1=WARNING, w2]"]);
    let text = stdout(&output);
    assert!(text.contains("record 1 (not JSON): matches"), "{text}");
    assert!(text.contains("record 2 (not JSON): does not match"), "{text}");
    assert_eq!(code(&output), 1);
    let output = run(&["pattern", "--event", &path, "[w1=ERROR, w2=09/25/2014]"]);
    assert!(stdout(&output).contains("depends on how AWS reads fields after the last one the pattern names"));
    let _ = std::fs::remove_file(&path);
}
