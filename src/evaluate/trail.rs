//! The trail's links: it is multi-region, it logs, it records the control's management events
//! (what the trail records), and it delivers to a log group this account can read (where the
//! trail delivers).

use crate::inventory::{LogGroupRef, Trail};

use super::chain::Walk;
use super::outcome::Outcome;
use super::selectors::management_gap;
use super::{Evidence, Link};

impl Walk<'_> {
    /// The chain through `trail`, as far as it goes.
    pub(super) fn trail(&self, trail: &Trail) -> Outcome {
        let mut evidence = Evidence {
            trail_arn: Some(trail.arn.clone()),
            trail_home_region: Some(trail.home_region.clone()),
            log_group_arn: trail.log_group_arn.clone(),
            ..Evidence::default()
        };
        let name = format!("Trail {} (home region {})", trail.name, trail.home_region);
        if let Some(broken) = self.records(trail, &name, &evidence) {
            return broken;
        }
        self.delivery(trail, &name, &mut evidence)
    }

    /// What the trail records: it is multi-region, logging, and its selectors keep the
    /// control's management events. `None` when all three hold, else the first broken link.
    fn records(&self, trail: &Trail, name: &str, evidence: &Evidence) -> Option<Outcome> {
        if !trail.multi_region {
            return Some(Outcome::failed(
                "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT",
                Link::MultiRegionTrail,
                format!(
                    "{name} records only its home region; no multi-region trail records {}.",
                    self.region
                ),
                evidence,
            ));
        }
        let Some(state) = self.inventory.trail_states.get(&trail.arn) else {
            return Some(self.not_collected(
                Link::Logging,
                &format!("the status of trail {}", trail.name),
                evidence,
            ));
        };
        match &state.logging {
            Err(failure) => {
                return Some(Outcome::unavailable(
                    Link::Logging,
                    &format!("the status of trail {}", trail.name),
                    failure,
                    evidence,
                ));
            }
            Ok(false) => {
                return Some(Outcome::failed(
                    "CLOUDTRAIL_NOT_LOGGING",
                    Link::Logging,
                    format!("{name} is multi-region but not logging."),
                    evidence,
                ));
            }
            Ok(true) => {}
        }
        match &state.selectors {
            Err(failure) => {
                return Some(Outcome::unavailable(
                    Link::ManagementEvents,
                    &format!("the event selectors of trail {}", trail.name),
                    failure,
                    evidence,
                ));
            }
            Ok(selectors) => {
                if let Some(gap) = management_gap(selectors, self.control) {
                    return Some(Outcome::failed(
                        gap.code,
                        Link::ManagementEvents,
                        format!("{name} {}.", gap.description),
                        evidence,
                    ));
                }
            }
        }
        None
    }

    /// Where the trail delivers: a log group named by a well-formed ARN, in this account, whose
    /// filters the chain then follows.
    fn delivery(&self, trail: &Trail, name: &str, evidence: &mut Evidence) -> Outcome {
        let Some(group_arn) = trail.log_group_arn.as_deref() else {
            return Outcome::failed(
                "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT",
                Link::LogGroup,
                format!(
                    "{name} does not deliver to CloudWatch Logs, so no metric filter can see its events."
                ),
                evidence,
            );
        };
        let Some(group) = LogGroupRef::from_arn(group_arn) else {
            return Outcome::failed(
                "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT",
                Link::LogGroup,
                format!("{name} names `{group_arn}` as its log group, which is not a log group ARN."),
                evidence,
            );
        };
        evidence.log_group_name = Some(group.name.clone());
        if group.account != self.identity.account {
            return Outcome::warning(
                "LOG_GROUP_CROSS_ACCOUNT",
                Link::LogGroup,
                format!(
                    "{name} delivers to log group {} in account {}, whose metric filters cannot be read from account {}.",
                    group.name, group.account, self.identity.account
                ),
                evidence,
            );
        }
        self.log_group(&group, evidence)
    }
}
