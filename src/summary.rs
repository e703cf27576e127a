//! What a run decided and did: the verdicts per account and region, what publishing did there,
//! the totals,
//! and the one decision of how the run ended ([`RunOutcome`]) that both entry points report.
//! Plain data, built by [`summarize`] from the stages' results.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

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

/// One verdict, as the summary reports it. Its texts are shared ([`SharedTexts`]): the
/// members of an organization, whose verdicts rest on one chain, say the same things.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerdictSummary {
    /// The control's id.
    pub control: &'static str,
    /// The status.
    pub status: Status,
    /// The reason code, empty when passed.
    pub reason_code: Arc<str>,
    /// The first broken link.
    pub link: Link,
    /// What holds or what broke.
    pub description: Arc<str>,
}

/// One copy of each text the summary of a run holds. The summary outlives every account's
/// turn, so what it keeps per account must be small: an organization of a thousand members
/// behind one organization trail has a thousand times the same few descriptions, and keeps
/// each once.
#[derive(Debug, Default)]
pub struct SharedTexts(Mutex<HashSet<Arc<str>>>);

impl SharedTexts {
    /// The one copy of `text`.
    pub fn share(&self, text: &str) -> Arc<str> {
        let mut texts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(shared) = texts.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(text);
        texts.insert(Arc::clone(&shared));
        shared
    }
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

    /// This summary cut down to what did not go right, for when the whole is too large to hand
    /// on: the verdicts that did not pass and the findings Security Hub refused, at most
    /// `limit` of them together, in account and region order; the unreachable accounts and the
    /// skipped regions; the totals of the whole run. Also how many verdicts and refused
    /// findings it leaves out.
    pub fn not_passed(&self, limit: usize) -> (AuditSummary, usize) {
        let mut room = limit;
        let mut cut_off = 0;
        let mut take = |items: usize| {
            let taken = items.min(room);
            room -= taken;
            cut_off += items - taken;
            taken
        };
        let mut passed = 0;
        let mut accounts = Vec::new();
        for account in &self.accounts {
            let mut regions = Vec::new();
            for region in &account.regions {
                let mut verdicts: Vec<VerdictSummary> = region
                    .verdicts
                    .iter()
                    .filter(|verdict| verdict.status != Status::Passed)
                    .cloned()
                    .collect();
                passed += region.verdicts.len() - verdicts.len();
                verdicts.truncate(take(verdicts.len()));
                let publication = region.publication.as_ref().map(|publication| {
                    let mut failed = publication.failed.clone();
                    failed.truncate(take(failed.len()));
                    RegionPublication { failed, ..publication.clone() }
                });
                let troubled = publication.as_ref().is_some_and(|publication| {
                    publication.skipped.is_some() || !publication.failed.is_empty()
                });
                if !verdicts.is_empty() || troubled {
                    regions.push(RegionSummary { region: region.region.clone(), verdicts, publication });
                }
            }
            if !regions.is_empty() || account.unreachable.is_some() {
                accounts.push(AccountSummary {
                    account: account.account.clone(),
                    unreachable: account.unreachable.clone(),
                    regions,
                });
            }
        }
        let cut = AuditSummary {
            caller: self.caller.clone(),
            partition: self.partition.clone(),
            published: self.published,
            started_at: self.started_at,
            accounts,
            totals: self.totals.clone(),
        };
        (cut, passed + cut_off)
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

impl AccountSummary {
    /// What the summary keeps of an account's run: its verdicts without their evidence (the
    /// findings carry it), their texts shared through `texts`, grouped by region, with what
    /// publishing did there.
    pub fn new(run: AccountRun, texts: &SharedTexts) -> Self {
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
                    control: verdict.control.id(),
                    status: verdict.status,
                    reason_code: texts.share(&verdict.reason_code),
                    link: verdict.link,
                    description: texts.share(&verdict.description),
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A run of `accounts` accounts of `regions` regions, every third verdict FAILED, with
    /// descriptions of `description_bytes` bytes that are the same in every account.
    pub(crate) fn run_of(accounts: usize, regions: usize, description_bytes: usize) -> AuditSummary {
        let texts = SharedTexts::default();
        let caller = Identity {
            account: "000000000000".to_string(),
            partition: "aws".to_string(),
            arn: String::new(),
        };
        let runs = (0..accounts)
            .map(|index| {
                let verdicts = (0..regions * 3)
                    .map(|slot| Verdict {
                        region: format!("region-{:02}", slot / 3),
                        control: crate::controls::Control::ALL[slot % 3],
                        status: if slot % 3 == 0 { Status::Failed } else { Status::Passed },
                        reason_code: if slot % 3 == 0 { "CODE".to_string() } else { String::new() },
                        link: if slot % 3 == 0 { Link::Alarm } else { Link::Complete },
                        description: format!("{slot:>width$}", width = description_bytes),
                        evidence: crate::evaluate::Evidence::default(),
                    })
                    .collect();
                let run = AccountRun {
                    account: format!("{index:012}"),
                    unreachable: None,
                    verdicts,
                    publications: BTreeMap::new(),
                };
                AccountSummary::new(run, &texts)
            })
            .collect();
        summarize(&caller, false, Timestamp::default(), runs)
    }

    #[test]
    fn accounts_that_say_the_same_share_one_copy_of_each_text() {
        let summary = run_of(2, 1, 300);
        let [first, second] = [&summary.accounts[0], &summary.accounts[1]];
        for (one, other) in first.regions[0].verdicts.iter().zip(&second.regions[0].verdicts) {
            assert!(Arc::ptr_eq(&one.description, &other.description));
            assert!(Arc::ptr_eq(&one.reason_code, &other.reason_code));
        }
    }

    #[test]
    fn the_cut_down_summary_keeps_what_did_not_pass_up_to_its_limit_and_counts_the_rest() {
        let summary = run_of(10, 2, 10);
        assert_eq!((summary.totals.failed, summary.totals.passed), (20, 40));
        let (cut, left_out) = summary.not_passed(1_000);
        assert_eq!(left_out, 40, "the PASSED verdicts");
        assert_eq!(cut.totals, summary.totals, "the totals are the whole run's");
        assert!(cut.regions().flat_map(|(_, region)| &region.verdicts).all(|v| v.status == Status::Failed));
        assert_eq!(cut.regions().map(|(_, region)| region.verdicts.len()).sum::<usize>(), 20);
        let (cut, left_out) = summary.not_passed(5);
        assert_eq!(left_out, 40 + 15);
        assert_eq!(cut.accounts.len(), 3, "5 FAILED verdicts, two per account");
    }
}
