//! What `cis-monitor pattern` reports: the coverage verdict on one pattern for one control, or
//! which CloudTrail records a pattern matches. Plain data, printable as text or JSON.

use std::fmt;

use serde::Serialize;
use serde_json::Value as Json;

use crate::controls::Control;
use crate::pattern::{Decision, EventMatch, FilterPattern, LogEvent, PatternKind};

/// The coverage verdict on one pattern, as the CLI prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageReport {
    /// The control (serialised as its id).
    pub control: Control,
    /// The pattern as given.
    pub pattern: String,
    /// The pattern's kind (`json`, `terms`, `delimited`, `regex`, `empty`).
    pub kind: &'static str,
    /// Whether the pattern catches every required event.
    pub covers: bool,
    /// Whether coverage could be decided at all.
    pub decidable: bool,
    /// Why it could not be decided, when it could not.
    pub reason: Option<String>,
    /// The names of the required events the pattern can miss.
    pub uncovered: Vec<&'static str>,
    /// For each missed event, the clause that loses it and why.
    pub uncovered_detail: Vec<UncoveredDetail>,
    /// Whether the pattern is the CIS text up to white space (what Security Hub accepts).
    pub exact_cis: bool,
    /// Whether the pattern may match records the control does not ask for.
    pub over_broad: bool,
    /// The pattern in canonical form, when it parsed.
    pub canonical: Option<String>,
    /// Why the pattern is invalid, when it is.
    pub error: Option<String>,
}

/// One missed event in a [`CoverageReport`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UncoveredDetail {
    /// The event's name.
    pub event: &'static str,
    /// The service that emits it.
    pub event_source: &'static str,
    /// The clause that loses it.
    pub clause: String,
    /// Why.
    pub reason: String,
}

impl CoverageReport {
    /// Judges `text` for `control`; an invalid pattern gives a report whose `error` is set.
    pub fn new(control: Control, text: &str) -> Self {
        let mut report = CoverageReport {
            control,
            pattern: text.to_string(),
            kind: PatternKind::of_text(text).name(),
            covers: false,
            decidable: true,
            reason: None,
            uncovered: Vec::new(),
            uncovered_detail: Vec::new(),
            exact_cis: false,
            over_broad: false,
            canonical: None,
            error: None,
        };
        let pattern = match FilterPattern::parse(text) {
            Ok(pattern) => pattern,
            Err(error) => {
                report.error = Some(error.to_string());
                return report;
            }
        };
        let coverage = pattern.coverage(control);
        report.covers = coverage.covers();
        if let Decision::Undecidable(reason) = &coverage.decision {
            report.decidable = false;
            report.reason = Some(reason.clone());
        }
        report.uncovered = coverage.uncovered.iter().map(|missed| missed.event.name).collect();
        report.uncovered_detail = coverage
            .uncovered
            .into_iter()
            .map(|missed| UncoveredDetail {
                event: missed.event.name,
                event_source: missed.event.source,
                clause: missed.clause,
                reason: missed.reason,
            })
            .collect();
        report.exact_cis = coverage.exact_cis;
        report.over_broad = coverage.over_broad;
        report.canonical = Some(pattern.to_string());
        report
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

impl fmt::Display for CoverageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "control:     {} (CIS {})", self.control, self.control.cis_number())?;
        writeln!(f, "kind:        {}", self.kind)?;
        if let Some(error) = &self.error {
            return writeln!(f, "invalid:     {error}");
        }
        if let Some(canonical) = &self.canonical {
            writeln!(f, "canonical:   {canonical}")?;
        }
        match &self.reason {
            Some(reason) => writeln!(f, "covers:      cannot decide: {reason}")?,
            None if self.covers => writeln!(f, "covers:      yes, every required event")?,
            None => {
                writeln!(
                    f,
                    "covers:      no, {} of the required events can be missed",
                    self.uncovered.len()
                )?;
                for missed in &self.uncovered_detail {
                    writeln!(f, "  - {}: {}", missed.event, missed.reason)?;
                }
            }
        }
        writeln!(f, "exact CIS:   {}", yes_no(self.exact_cis))?;
        writeln!(f, "over-broad:  {}", yes_no(self.over_broad))
    }
}

/// Which records a pattern matches.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchReport {
    /// The pattern as given.
    pub pattern: String,
    /// The pattern's kind.
    pub kind: &'static str,
    /// One entry per record, in file order.
    pub records: Vec<RecordMatch>,
    /// How many records match.
    pub matched: usize,
    /// How many records match under some readings only.
    pub depending: usize,
    /// How many records were tested.
    pub total: usize,
    /// Why the pattern is invalid, when it is.
    pub error: Option<String>,
}

/// Whether one record matched.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordMatch {
    /// The record's position in the input, from 1.
    pub index: usize,
    /// The record's `eventName`, when it has one.
    pub event_name: Option<String>,
    /// Whether the record is JSON (a JSON pattern never matches anything else).
    pub json: bool,
    /// Whether the pattern matches it, under every reading of AWS's documentation.
    pub matches: bool,
    /// When it matches under some readings only: which construct, and how.
    pub depends: Option<String>,
}

impl MatchReport {
    /// Tests `text` against every event; an invalid pattern gives a report whose `error` is set.
    pub fn new(text: &str, events: &[LogEvent]) -> Self {
        let mut report = MatchReport {
            pattern: text.to_string(),
            kind: PatternKind::of_text(text).name(),
            records: Vec::new(),
            matched: 0,
            depending: 0,
            total: events.len(),
            error: None,
        };
        let pattern = match FilterPattern::parse(text) {
            Ok(pattern) => pattern,
            Err(error) => {
                report.error = Some(error.to_string());
                return report;
            }
        };
        report.records = events
            .iter()
            .enumerate()
            .map(|(index, event)| {
                let decided = pattern.decide(event);
                RecordMatch {
                    index: index + 1,
                    event_name: event
                        .json()
                        .and_then(|json| json.get("eventName"))
                        .and_then(Json::as_str)
                        .map(str::to_string),
                    json: event.json().is_some(),
                    matches: decided == EventMatch::Matches,
                    depends: match decided {
                        EventMatch::DependsOnReading(reason) => Some(reason),
                        EventMatch::Matches | EventMatch::DoesNotMatch => None,
                    },
                }
            })
            .collect();
        report.matched = report.records.iter().filter(|record| record.matches).count();
        report.depending = report.records.iter().filter(|record| record.depends.is_some()).count();
        report
    }

    /// Whether every record matched (and there was at least one).
    pub fn all_match(&self) -> bool {
        self.error.is_none() && self.total > 0 && self.matched == self.total
    }

    /// Whether every record that is not sure to match depends on how AWS reads the pattern.
    pub fn only_readings_differ(&self) -> bool {
        self.error.is_none() && self.depending > 0 && self.matched + self.depending == self.total
    }
}

impl fmt::Display for MatchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(error) = &self.error {
            return writeln!(f, "invalid: {error}");
        }
        for record in &self.records {
            let name =
                record.event_name.as_deref().unwrap_or(if record.json { "no eventName" } else { "not JSON" });
            match (&record.depends, record.matches) {
                (Some(reason), _) => writeln!(f, "record {} ({name}): {reason}", record.index)?,
                (None, true) => writeln!(f, "record {} ({name}): matches", record.index)?,
                (None, false) => writeln!(f, "record {} ({name}): does not match", record.index)?,
            }
        }
        if self.depending > 0 {
            writeln!(
                f,
                "{} of {} records match, {} more depending on how AWS reads the pattern",
                self.matched, self.total, self.depending
            )
        } else {
            writeln!(f, "{} of {} records match", self.matched, self.total)
        }
    }
}

/// Reads CloudTrail records: one JSON document (a record, an array of records, or a CloudTrail
/// log file's `{"Records": [...]}`), or one record per line. A line that is not JSON is kept as
/// a raw message, so that terms patterns can be tried on plain text too.
pub fn read_records(text: &str) -> Vec<LogEvent> {
    match serde_json::from_str::<Json>(text) {
        Ok(Json::Object(mut file)) if file.get("Records").is_some_and(Json::is_array) => {
            match file.remove("Records") {
                Some(Json::Array(records)) => records.into_iter().map(LogEvent::from_json).collect(),
                _ => Vec::new(),
            }
        }
        Ok(Json::Array(records)) => records.into_iter().map(LogEvent::from_json).collect(),
        Ok(record @ Json::Object(_)) => vec![LogEvent::from_json(record)],
        _ => text.lines().filter(|line| !line.trim().is_empty()).map(LogEvent::new).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_from_every_file_shape() {
        assert_eq!(read_records(r#"{"eventName":"CreateTrail"}"#).len(), 1);
        assert_eq!(read_records(r#"[{"eventName":"A"},{"eventName":"B"}]"#).len(), 2);
        assert_eq!(read_records(r#"{"Records":[{"eventName":"A"},{"eventName":"B"},{}]}"#).len(), 3);
        let lines = read_records("{\"eventName\":\"A\"}\n\n{\"eventName\":\"B\"}\nplain text\n");
        assert_eq!(lines.len(), 3);
        assert!(lines[2].json().is_none());
        assert!(read_records("").is_empty());
    }

    #[test]
    fn coverage_report_names_the_lost_events() {
        let report = CoverageReport::new(Control::CloudTrailChanges, "{ $.eventName = CreateTrail }");
        assert!(!report.covers);
        assert_eq!(report.uncovered, vec!["UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"]);
        assert!(report.to_string().contains("UpdateTrail"));
        let invalid = CoverageReport::new(Control::CloudTrailChanges, "{ $.eventName == CreateTrail }");
        assert!(invalid.error.as_deref().is_some_and(|e| e.contains("character 15")), "{:?}", invalid.error);
    }
}
