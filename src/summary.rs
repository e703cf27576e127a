//! What a run decided and did: the verdicts per account and region, what publishing did there,
//! the totals,
//! and the one decision of how the run ended ([`RunOutcome`]) that both entry points report.
//! Plain data, built by [`summarize`] from the stages' results.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::evaluate::{Link, Status, Verdict};
use crate::identity::Identity;
use crate::time::Timestamp;

/// What a run decided and did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditSummary {
    /// The account that ran the audit.
    pub caller: String,
    /// The partition.
    pub partition: String,
    /// Whether findings were published.
    pub published: bool,
    /// When the run started.
    pub started_at: Timestamp,
    /// Per audited account, in account order: the verdicts per region and what publishing did.
    pub accounts: Vec<AccountSummary>,
    /// Counts over every account and region.
    pub totals: Totals,
}

/// One account's part of the summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    /// The account.
    pub account: String,
    /// Why the run could not act in the account at all, when it could not (its role could not
    /// be assumed); its verdicts are then NOT_AVAILABLE.
    pub unreachable: Option<String>,
    /// Per region: the verdicts and what publishing did.
    pub regions: Vec<RegionSummary>,
}

/// What the run decided and did in one account, as the stages hand it over; the summary
/// keeps an [`AccountSummary`] of it.
#[derive(Debug, Clone)]
pub struct AccountRun {
    /// The account.
    pub account: String,
    /// Why the run could not act in it, when it could not.
    pub unreachable: Option<String>,
    /// Its verdicts, in region then control order.
    pub verdicts: Vec<Verdict>,
    /// What publishing did in each region (empty for a dry run).
    pub publications: BTreeMap<String, RegionPublication>,
}

/// One region's part of the summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionSummary {
    /// The region.
    pub region: String,
    /// One verdict per control.
    pub verdicts: Vec<VerdictSummary>,
    /// What publishing did, when the run published.
    pub publication: Option<RegionPublication>,
}

/// One verdict, as the summary reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerdictSummary {
    /// The control's id.
    pub control: String,
    /// The status.
    pub status: Status,
    /// The reason code, empty when passed.
    pub reason_code: String,
    /// The first broken link.
    pub link: Link,
    /// What holds or what broke.
    pub description: String,
}

/// Counts over the whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Verdicts PASSED.
    pub passed: usize,
    /// Verdicts FAILED.
    pub failed: usize,
    /// Verdicts WARNING.
    pub warning: usize,
    /// Verdicts NOT_AVAILABLE.
    pub not_available: usize,
    /// Findings imported.
    pub imported: usize,
    /// Findings archived.
    pub archived: usize,
    /// Findings Security Hub refused.
    pub import_failures: usize,
    /// Regions whose publishing was skipped.
    pub skipped_regions: usize,
}

/// How a run ended, as both entry points report it: the CLI as its exit status, the Lambda as
/// its result or error category. [`AuditSummary::outcome`] decides it, in this precedence:
/// nothing evaluated, then findings lost, then whether every verdict passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every verdict PASSED and every finding was imported (or none was to be).
    AllPassed,
    /// Some verdict is not PASSED; every finding was imported.
    NotAllPassed,
    /// Security Hub refused some findings: what it shows is not what the run found.
    FindingsLost,
    /// Every verdict is NOT_AVAILABLE: the run learnt nothing about the account. This comes
    /// first: the findings it could not import say nothing either.
    NothingEvaluated,
}

/// What [`RunOutcome::NothingEvaluated`] means, as both entry points say it.
pub const NOTHING_EVALUATED: &str = "nothing could be evaluated: every verdict is NOT_AVAILABLE";

impl AuditSummary {
    /// How the run ended; see [`RunOutcome`] for the precedence.
    pub fn outcome(&self) -> RunOutcome {
        if self.nothing_evaluated() {
            RunOutcome::NothingEvaluated
        } else if self.lost_findings() {
            RunOutcome::FindingsLost
        } else if self.all_passed() {
            RunOutcome::AllPassed
        } else {
            RunOutcome::NotAllPassed
        }
    }

    /// Whether every verdict passed.
    pub fn all_passed(&self) -> bool {
        self.totals.passed > 0 && self.totals.passed == self.verdict_count()
    }

    /// Whether some findings were lost (refused by Security Hub).
    pub fn lost_findings(&self) -> bool {
        self.totals.import_failures > 0
    }

    /// Whether nothing at all could be evaluated: every verdict NOT_AVAILABLE.
    pub fn nothing_evaluated(&self) -> bool {
        self.totals.not_available == self.verdict_count()
    }

    fn verdict_count(&self) -> usize {
        self.totals.passed + self.totals.failed + self.totals.warning + self.totals.not_available
    }

    /// Logs the run's totals, one JSON line in the function's logs, under `message`.
    pub fn log_totals(&self, message: &str) {
        let totals = &self.totals;
        tracing::info!(
            accounts = self.accounts.len(),
            passed = totals.passed,
            failed = totals.failed,
            warning = totals.warning,
            not_available = totals.not_available,
            imported = totals.imported,
            archived = totals.archived,
            import_failures = totals.import_failures,
            skipped_regions = totals.skipped_regions,
            "{message}"
        );
    }

    /// The summary of `account`, when it was audited.
    pub fn account(&self, account: &str) -> Option<&AccountSummary> {
        self.accounts.iter().find(|summary| summary.account == account)
    }

    /// Every region of every account, with its account.
    pub fn regions(&self) -> impl Iterator<Item = (&str, &RegionSummary)> {
        self.accounts
            .iter()
            .flat_map(|account| account.regions.iter().map(move |region| (account.account.as_str(), region)))
    }
}

/// What publishing did in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionPublication {
    /// Findings imported (created or updated), archived ones included.
    pub imported: usize,
    /// Earlier findings archived because this run no longer produces them.
    pub archived: usize,
    /// Findings Security Hub refused, each with its error.
    pub failed: Vec<FailedImport>,
    /// Why the region was skipped, when it was (Security Hub not enabled, access denied...).
    pub skipped: Option<String>,
}

/// A finding that Security Hub did not import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedImport {
    /// The finding's Id.
    pub id: String,
    /// The error code (`InvalidInput`...), or the failure of the whole call.
    pub code: String,
    /// The error message.
    pub message: String,
}

impl From<AccountRun> for AccountSummary {
    /// What the summary keeps of an account's run: its verdicts without their evidence (the
    /// findings carry it), grouped by region, with what publishing did there.
    fn from(run: AccountRun) -> Self {
        let AccountRun { account, unreachable, verdicts, mut publications } = run;
        let mut regions: Vec<RegionSummary> = Vec::new();
        for verdict in verdicts {
            if regions.last().is_none_or(|last| last.region != verdict.region) {
                let publication = publications.remove(&verdict.region);
                regions.push(RegionSummary {
                    region: verdict.region.clone(),
                    verdicts: Vec::new(),
                    publication,
                });
            }
            if let Some(region) = regions.last_mut() {
                region.verdicts.push(VerdictSummary {
                    control: verdict.control.id().to_string(),
                    status: verdict.status,
                    reason_code: verdict.reason_code,
                    link: verdict.link,
                    description: verdict.description,
                });
            }
        }
        AccountSummary { account, unreachable, regions }
    }
}

/// The summary of a run made by `caller`, from each account's part, in account order.
pub fn summarize(
    caller: &Identity,
    published: bool,
    started_at: Timestamp,
    accounts: Vec<AccountSummary>,
) -> AuditSummary {
    let mut totals = Totals::default();
    for region in accounts.iter().flat_map(|account| &account.regions) {
        for verdict in &region.verdicts {
            match verdict.status {
                Status::Passed => totals.passed += 1,
                Status::Failed => totals.failed += 1,
                Status::Warning => totals.warning += 1,
                Status::NotAvailable => totals.not_available += 1,
            }
        }
        if let Some(publication) = &region.publication {
            totals.imported += publication.imported;
            totals.archived += publication.archived;
            totals.import_failures += publication.failed.len();
            totals.skipped_regions += usize::from(publication.skipped.is_some());
        }
    }
    AuditSummary {
        caller: caller.account.clone(),
        partition: caller.partition.clone(),
        published,
        started_at,
        accounts,
        totals,
    }
}
