//! How far one candidate chain got, and which of several chains is the best: passing first,
//! then undecided, then failed; deeper first within each. Where every part must hold (each
//! stream of a filter), the worst decides.

use crate::error::{ApiFailure, FailureKind};

use super::{Evidence, Link, Status, unavailable_code};

/// How far one candidate chain got.
#[derive(Clone)]
pub(super) struct Outcome {
    pub status: Status,
    pub code: &'static str,
    pub link: Link,
    pub description: String,
    pub evidence: Evidence,
    /// Between failed metric filters: how many required events each never matches, then how
    /// many it may miss; the filter nearest to covering is the one to report.
    pub misses: (usize, usize),
}

impl Outcome {
    pub(super) fn new(
        status: Status,
        code: &'static str,
        link: Link,
        description: String,
        evidence: &Evidence,
    ) -> Self {
        Outcome { status, code, link, description, evidence: evidence.clone(), misses: (0, 0) }
    }

    pub(super) fn failed(code: &'static str, link: Link, description: String, evidence: &Evidence) -> Self {
        Outcome::new(Status::Failed, code, link, description, evidence)
    }

    pub(super) fn warning(code: &'static str, link: Link, description: String, evidence: &Evidence) -> Self {
        Outcome::new(Status::Warning, code, link, description, evidence)
    }

    /// A link whose read failed: the verdict is unknown, and says which permission or call.
    pub(super) fn unavailable(link: Link, what: &str, failure: &ApiFailure, evidence: &Evidence) -> Self {
        let cause = match failure.kind {
            FailureKind::AccessDenied => format!("access denied: the function lacks {}", failure.action),
            FailureKind::Throttled => format!("{} was throttled beyond the retries", failure.action),
            FailureKind::Unreachable => format!("{} could not reach {}", failure.action, failure.region),
            _ => format!("{} failed", failure.action),
        };
        let description = format!(
            "Cannot verify the {} link: reading {what} failed ({cause}): {}",
            link.name(),
            failure.message
        );
        Outcome::new(Status::NotAvailable, unavailable_code(failure), link, description, evidence)
    }

    /// Lower is better: passing first, then undecided, then failed; deeper first within each.
    fn rank(&self) -> (Status, std::cmp::Reverse<Link>, (usize, usize)) {
        (self.status, std::cmp::Reverse(self.link), self.misses)
    }
}

/// The best of several candidate chains, when there is any.
pub(super) fn best(outcomes: impl Iterator<Item = Outcome>) -> Option<Outcome> {
    outcomes.min_by_key(Outcome::rank)
}

/// The worst of several outcomes that must all hold, when there is any.
pub(super) fn worst(outcomes: impl Iterator<Item = Outcome>) -> Option<Outcome> {
    outcomes.max_by_key(Outcome::rank)
}
