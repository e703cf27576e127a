//! What `cis-monitor run` prints: the audit summary as a table.

use std::fmt;

use crate::summary::AuditSummary;

/// The summary as a readable table: one row per region and control, then what publishing did.
pub struct SummaryTable<'a>(pub &'a AuditSummary);

impl fmt::Display for SummaryTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = self.0;
        writeln!(f, "audited by account {} ({}), {}", summary.caller, summary.partition, summary.started_at)?;
        for account in &summary.accounts {
            writeln!(f, "\naccount {}", account.account)?;
            if let Some(reason) = &account.unreachable {
                writeln!(f, "  unreachable: {reason}")?;
            }
            writeln!(f, "{:<16} {:<14} {:<14} {:<40} DETAIL", "REGION", "CONTROL", "STATUS", "REASON")?;
            for region in &account.regions {
                for verdict in &region.verdicts {
                    let detail: String = verdict.description.chars().take(140).collect();
                    writeln!(
                        f,
                        "{:<16} {:<14} {:<14} {:<40} {detail}",
                        region.region,
                        verdict.control,
                        verdict.status.as_str(),
                        if verdict.reason_code.is_empty() { "-" } else { &verdict.reason_code },
                    )?;
                }
            }
        }
        let totals = &summary.totals;
        writeln!(
            f,
            "verdicts: {} passed, {} failed, {} warning, {} not available",
            totals.passed, totals.failed, totals.warning, totals.not_available
        )?;
        if !summary.published {
            return writeln!(f, "findings: not published (dry run)");
        }
        writeln!(
            f,
            "findings: {} imported, {} archived, {} refused; {} region(s) skipped",
            totals.imported, totals.archived, totals.import_failures, totals.skipped_regions
        )?;
        for (account, region) in summary.regions() {
            let Some(publication) = &region.publication else { continue };
            if let Some(reason) = &publication.skipped {
                writeln!(f, "  {account} {}: skipped: {reason}", region.region)?;
            }
            for failed in &publication.failed {
                writeln!(
                    f,
                    "  {account} {}: {} refused: {} {}",
                    region.region, failed.id, failed.code, failed.message
                )?;
            }
        }
        Ok(())
    }
}
