//! Fuzzes the filter-pattern engine: the first line of the input is a pattern, the rest a log
//! message. Parsing must never panic; a parsed pattern must match, judge coverage for every
//! control, and print a canonical form that parses back to itself (unless that form is longer
//! than the 1024 characters CloudWatch Logs allows).

#![no_main]

use libfuzzer_sys::fuzz_target;

use cis_monitor::controls::Control;
use cis_monitor::pattern::{FilterPattern, LogEvent, ParseErrorKind};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let (text, message) = input.split_once('\n').unwrap_or((input, ""));
    let Ok(pattern) = FilterPattern::parse(text) else { return };
    pattern.matches(&LogEvent::new(message));
    for control in Control::ALL {
        let coverage = pattern.coverage(control);
        assert!(!coverage.covers() || coverage.uncovered.is_empty());
    }
    let printed = pattern.to_string();
    match FilterPattern::parse(&printed) {
        Ok(reparsed) => assert_eq!(reparsed.to_string(), printed, "pattern {text:?}"),
        Err(error) => assert!(
            matches!(error.kind, ParseErrorKind::TooLong { .. }) && printed.chars().count() > 1024,
            "the canonical form {printed:?} of {text:?} is rejected: {error}"
        ),
    }
});
