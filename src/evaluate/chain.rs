//! Walks the chain of one control in one region, link by link, for every candidate trail,
//! filter, alarm and topic, and keeps the best outcome. Each link's checks are a file of their
//! own: `trail`, `metric_filter`, `alarm`, `topic`.

use crate::controls::Control;
use crate::identity::Identity;
use crate::inventory::{AccountRegion, Inventory};

use super::outcome::{Outcome, best};
use super::{Evidence, Link, Status};

/// What one walk needs to know.
pub(super) struct Walk<'a> {
    pub inventory: &'a Inventory,
    pub identity: &'a Identity,
    pub region: &'a str,
    pub control: Control,
}

/// The best chain of `control` in `region`.
pub(super) fn best_chain(
    inventory: &Inventory,
    identity: &Identity,
    region: &str,
    control: Control,
) -> Outcome {
    let none = Evidence::default();
    let walk = Walk { inventory, identity, region, control };
    let trails = match inventory.regions.get(&AccountRegion::new(&identity.account, region)) {
        None => return walk.not_collected(Link::Region, &format!("the trail list of {region}"), &none),
        Some(Err(failure)) => {
            return Outcome::unavailable(Link::Region, &format!("the trails of {region}"), failure, &none);
        }
        Some(Ok(trails)) => trails,
    };
    best(trails.iter().map(|trail| walk.trail(trail))).unwrap_or_else(|| {
        Outcome::failed(
            "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT",
            Link::MultiRegionTrail,
            format!("No CloudTrail trail records {region}, so no {} can reach anyone.", control.subject()),
            &none,
        )
    })
}

impl Walk<'_> {
    /// A resource the collection did not read: cut off by the run's deadline, or (never, in a
    /// consistent inventory) skipped.
    pub(super) fn not_collected(&self, link: Link, what: &str, evidence: &Evidence) -> Outcome {
        let (code, why) = if self.inventory.interrupted {
            ("DEADLINE_EXCEEDED", "the run's deadline passed before it was read")
        } else {
            ("INTERNAL_SERVICE_ERROR", "it was not read in this run")
        };
        let description = format!("Cannot verify the {} link: {what}: {why}.", link.name());
        Outcome::new(Status::NotAvailable, code, link, description, evidence)
    }
}
