//! The trail's links: it is multi-region, it logs, it records the control's management events
//! (what the trail records); it names a log group this account can read, and CloudTrail really
//! delivers there (where the trail delivers).

use std::time::Duration;

use crate::inventory::{LogGroupRef, Trail, TrailStatus};

use super::chain::Walk;
use super::outcome::Outcome;
use super::selectors::management_gap;
use super::{Evidence, Link};

/// How old the trail's last delivery to CloudWatch Logs may be. CloudTrail delivers every few
/// minutes while the account is active, and every run of cis-monitor makes read calls the
/// trail records (it must record all management events to pass), so a healthy trail has
/// delivered since the previous run. A day leaves room for runs twelve hours apart and for
/// quiet accounts; an older delivery is a WARNING, not a FAILED, because a very quiet account
/// with a rarer schedule can show one.
pub const MAX_DELIVERY_AGE: Duration = Duration::from_secs(24 * 60 * 60);

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
        match self.records(trail, &name, &evidence) {
            Ok(status) => self.delivery(trail, status, &name, &mut evidence),
            Err(broken) => *broken,
        }
    }

    /// What the trail records: it is multi-region, logging, and its selectors keep the
    /// control's management events. Its status when all three hold, else the first broken link.
    fn records(&self, trail: &Trail, name: &str, evidence: &Evidence) -> Result<&TrailStatus, Box<Outcome>> {
        if !trail.multi_region {
            return Err(Box::new(Outcome::failed(
                "CLOUDTRAIL_MULTI_REGION_NOT_PRESENT",
                Link::MultiRegionTrail,
                format!(
                    "{name} records only its home region; no multi-region trail records {}.",
                    self.region
                ),
                evidence,
            )));
        }
        let Some(state) = self.inventory.trail_states.get(&trail.arn) else {
            return Err(Box::new(self.not_collected(
                Link::Logging,
                &format!("the status of trail {}", trail.name),
                evidence,
            )));
        };
        let status = match &state.status {
            Err(failure) => {
                return Err(Box::new(Outcome::unavailable(
                    Link::Logging,
                    &format!("the status of trail {}", trail.name),
                    failure,
                    evidence,
                )));
            }
            Ok(status) if !status.logging => {
                return Err(Box::new(Outcome::failed(
                    "CLOUDTRAIL_NOT_LOGGING",
                    Link::Logging,
                    format!("{name} is multi-region but not logging."),
                    evidence,
                )));
            }
            Ok(status) => status,
        };
        match &state.selectors {
            Err(failure) => {
                return Err(Box::new(Outcome::unavailable(
                    Link::ManagementEvents,
                    &format!("the event selectors of trail {}", trail.name),
                    failure,
                    evidence,
                )));
            }
            Ok(selectors) => {
                if let Some(gap) = management_gap(selectors, self.control) {
                    return Err(Box::new(Outcome::failed(
                        gap.code,
                        Link::ManagementEvents,
                        format!("{name} {}.", gap.description),
                        evidence,
                    )));
                }
            }
        }
        Ok(status)
    }

    /// Where the trail delivers: a log group named by a well-formed ARN, which CloudTrail
    /// reaches, in this account, whose filters the chain then follows.
    fn delivery(&self, trail: &Trail, status: &TrailStatus, name: &str, evidence: &mut Evidence) -> Outcome {
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
        evidence.log_role_arn = trail.log_role_arn.clone();
        evidence.logs_delivered_at = status.logs_delivered_at.map(|at| at.to_string());
        if let Some(broken) = self.logs_delivery(trail, status, &group, name, evidence) {
            return broken;
        }
        if group.account != self.identity.account && !self.inventory.log_groups.contains_key(&group) {
            return Outcome::warning(
                "LOG_GROUP_CROSS_ACCOUNT",
                Link::LogGroup,
                format!(
                    "{name} delivers to log group {} in account {}, which is not audited with account {}, so its metric filters cannot be read.",
                    group.name, group.account, self.identity.account
                ),
                evidence,
            );
        }
        self.log_group(&group, evidence)
    }

    /// Whether CloudTrail reaches the log group: no delivery error, and a delivery recent
    /// enough ([`MAX_DELIVERY_AGE`]). `None` when it does.
    fn logs_delivery(
        &self,
        trail: &Trail,
        status: &TrailStatus,
        group: &LogGroupRef,
        name: &str,
        evidence: &Evidence,
    ) -> Option<Outcome> {
        let role = trail.log_role_arn.as_deref().unwrap_or("(none)");
        if let Some(error) = &status.logs_delivery_error {
            return Some(Outcome::failed(
                "CLOUDTRAIL_LOG_DELIVERY_FAILING",
                Link::Delivery,
                format!(
                    "{name} does not deliver to log group {}: CloudTrail reports `{error}`. It writes through role \
                     {role}; without that role, or without logs:CreateLogStream and logs:PutLogEvents on the group, \
                     no event reaches the metric filters.",
                    group.name
                ),
                evidence,
            ));
        }
        let Some(delivered_at) = status.logs_delivered_at else {
            return Some(Outcome::warning(
                "CLOUDTRAIL_LOG_DELIVERY_NOT_SEEN",
                Link::Delivery,
                format!(
                    "{name} is logging and names log group {}, but CloudTrail reports no delivery to it, so no event \
                     is known to reach its metric filters.",
                    group.name
                ),
                evidence,
            ));
        };
        let age = delivered_at.elapsed_until(self.inventory.collected_at);
        (age > MAX_DELIVERY_AGE).then(|| {
            Outcome::warning(
                "CLOUDTRAIL_LOG_DELIVERY_STALE",
                Link::Delivery,
                format!(
                    "{name} last delivered to log group {} at {delivered_at}, {} hours before this run; CloudTrail \
                     delivers every few minutes while the account is active, and this run's own reads are events \
                     the trail records.",
                    group.name,
                    age.as_secs() / 3600
                ),
                evidence,
            )
        })
    }
}
