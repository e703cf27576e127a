//! A run's figures as CloudWatch metrics, written as Embedded Metric Format records among the
//! function's logs: CloudWatch Logs turns each into metric data, with no call and no
//! permission. One record per control, under the dimension `Control` and under none (the
//! sum over controls), so that an alarm can watch one control or all of them.
//!
//! Pure apart from [`print_records`] and [`report_run`]: the records are built from the run's
//! summary.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Value as Json, json};

use crate::config::AuditConfig;
use crate::evaluate::Status;
use crate::findings::finding_id;
use crate::log_level::LambdaLogLevel;
use crate::summary::AuditSummary;

/// The metrics' namespace.
pub const NAMESPACE: &str = "cis-monitor";

/// The metrics of each record, all counts: verdicts by status, findings imported and lost.
pub const METRICS: [&str; 6] =
    ["Failed", "Warning", "NotAvailable", "Passed", "FindingsImported", "FindingsLost"];

/// The level the records carry, for the function's application log level `function`
/// (`AWS_LAMBDA_LOG_LEVEL`). Lambda drops JSON log lines below that level, and takes a line
/// without one as INFO: at WARN or ERROR the metrics would vanish, and an alarm on them would
/// keep its last state. So the records carry INFO, or the function's level when it is higher.
pub fn record_level(function: LambdaLogLevel) -> &'static str {
    function.max(LambdaLogLevel::Info).name()
}

/// The EMF records of the run `summary` reports, one per control it judged, timed at the
/// run's start, each at log level `level` ([`record_level`]).
pub fn emf_records(summary: &AuditSummary, level: &str) -> Vec<Json> {
    let mut counts: BTreeMap<&str, [u64; METRICS.len()]> = BTreeMap::new();
    for account in &summary.accounts {
        for region in &account.regions {
            let publication = region.publication.as_ref().filter(|publication| publication.skipped.is_none());
            for verdict in &region.verdicts {
                let count = counts.entry(verdict.control).or_default();
                let status = match verdict.status {
                    Status::Failed => 0,
                    Status::Warning => 1,
                    Status::NotAvailable => 2,
                    Status::Passed => 3,
                };
                count[status] += 1;
                if let Some(publication) = publication {
                    let id = finding_id(&account.account, &region.region, verdict.control);
                    let lost = publication.failed.iter().any(|failed| failed.id == id);
                    count[if lost { 5 } else { 4 }] += 1;
                }
            }
        }
    }
    let timestamp = summary.started_at.millis();
    counts
        .into_iter()
        .map(|(control, count)| {
            let metrics: Vec<Json> =
                METRICS.iter().map(|name| json!({"Name": name, "Unit": "Count"})).collect();
            let mut record = json!({
                "_aws": {
                    "Timestamp": timestamp,
                    "CloudWatchMetrics": [{
                        "Namespace": NAMESPACE,
                        "Dimensions": [["Control"], []],
                        "Metrics": metrics,
                    }],
                },
                "Control": control,
                "level": level,
            });
            for (name, value) in METRICS.iter().zip(count) {
                record[*name] = json!(value);
            }
            record
        })
        .collect()
}

/// Reports a finished run: its totals to the log, with `message`, and, when `config` says
/// so, its records to standard output ([`print_records`]).
pub fn report_run(summary: &AuditSummary, config: &AuditConfig, message: &str) {
    summary.log_totals(message);
    if let Some(level) = config.metrics_level {
        print_records(summary, level);
    }
}

/// Writes the records of `summary` to standard output, one JSON line each: the log stream
/// Lambda sends to CloudWatch Logs, which extracts the metrics. A failed write is logged: the
/// run's findings are published already.
pub fn print_records(summary: &AuditSummary, level: &str) {
    let mut stdout = std::io::stdout().lock();
    for record in emf_records(summary, level) {
        if let Err(error) = writeln!(stdout, "{record}") {
            tracing::warn!(%error, "the run's metrics were not written");
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::Link;
    use crate::summary::{
        AccountSummary, FailedImport, RegionPublication, RegionSummary, Totals, VerdictSummary,
    };
    use crate::time::Timestamp;

    fn verdict(control: &'static str, status: Status) -> VerdictSummary {
        VerdictSummary {
            control,
            status,
            reason_code: "".into(),
            link: Link::Complete,
            description: "".into(),
        }
    }

    fn region(name: &str, verdicts: Vec<VerdictSummary>, publication: RegionPublication) -> RegionSummary {
        RegionSummary { region: name.to_string(), verdicts, publication: Some(publication) }
    }

    #[test]
    fn records_carry_a_level_that_the_functions_log_filter_keeps() {
        for (configured, level) in
            [(None, "INFO"), (Some("DEBUG"), "INFO"), (Some("WARN"), "WARN"), (Some("FATAL"), "FATAL")]
        {
            assert_eq!(record_level(LambdaLogLevel::parse(configured)), level, "{configured:?}");
        }
    }

    #[test]
    fn each_control_counts_its_verdicts_and_findings_under_both_dimension_sets() {
        let lost = FailedImport {
            id: finding_id("123456789012", "eu-west-1", "CloudWatch.7"),
            code: "InvalidInput".to_string(),
            message: "refused".to_string(),
        };
        let regions = vec![
            region(
                "us-east-1",
                vec![verdict("CloudWatch.5", Status::Passed), verdict("CloudWatch.7", Status::Failed)],
                RegionPublication::default(),
            ),
            region(
                "eu-west-1",
                vec![verdict("CloudWatch.5", Status::Warning), verdict("CloudWatch.7", Status::Failed)],
                RegionPublication { failed: vec![lost], ..RegionPublication::default() },
            ),
            region(
                "ap-southeast-2",
                vec![verdict("CloudWatch.5", Status::NotAvailable), verdict("CloudWatch.7", Status::Passed)],
                RegionPublication {
                    skipped: Some("not enabled".to_string()),
                    ..RegionPublication::default()
                },
            ),
        ];
        let summary = AuditSummary {
            caller: "123456789012".to_string(),
            partition: "aws".to_string(),
            published: true,
            started_at: Timestamp::from_millis(1_795_400_000_123),
            accounts: vec![AccountSummary {
                account: "123456789012".to_string(),
                unreachable: None,
                regions,
            }],
            totals: Totals::default(),
        };
        let records = emf_records(&summary, "WARN");
        assert!(records.iter().all(|record| record["level"] == "WARN"));
        let figures = |control: &str| -> Vec<u64> {
            let record = records.iter().find(|record| record["Control"] == control).expect("a record");
            METRICS.iter().map(|name| record[*name].as_u64().expect("a count")).collect()
        };
        // Failed, Warning, NotAvailable, Passed, FindingsImported, FindingsLost
        assert_eq!(figures("CloudWatch.5"), [0, 1, 1, 1, 2, 0]);
        assert_eq!(figures("CloudWatch.7"), [2, 0, 0, 1, 1, 1], "the skipped region imports nothing");
        let directive = &records[0]["_aws"];
        assert_eq!(directive["Timestamp"], 1_795_400_000_123_i64);
        assert_eq!(directive["CloudWatchMetrics"][0]["Namespace"], NAMESPACE);
        assert_eq!(directive["CloudWatchMetrics"][0]["Dimensions"], json!([["Control"], []]));
        assert_eq!(
            directive["CloudWatchMetrics"][0]["Metrics"].as_array().map(Vec::len),
            Some(METRICS.len())
        );
    }
}
