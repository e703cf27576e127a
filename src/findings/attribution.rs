//! Who changed a verdict. A run triggered by changes to the chain names, in each finding whose
//! status the run changed, the change that did it: in `ProductFields` under
//! [`CHANGE_PREFIX`] and in the description. Later runs keep that attribution while the
//! status stays the same (read back from the earlier finding), so it does not vanish at the
//! next schedule; a new status drops it, or replaces it with the change that caused it.

use std::collections::BTreeMap;

use crate::change::ChainChange;
use crate::evaluate::{Status, Verdict};
use crate::time::Timestamp;

use super::PriorFinding;

/// The prefix of the `ProductFields` keys that name the change behind a verdict.
pub const CHANGE_PREFIX: &str = "cis-monitor/change/";

/// The change to name in the finding on `verdict`, among the run's `changes` those that name a
/// resource of its chain (now, at the earlier finding, or before the earlier finding's
/// status), the latest first:
///
/// - a new status: that change; none when no change touched the chain (a guess would name an
///   innocent);
/// - the status of the earlier finding: the change it named;
/// - that status without a change named: the change, when it was made before the run that
///   first gave the status. That run read the state after the change, before the change's
///   own event arrived (a burst split across batches), so the change is what turned it.
pub fn attribution(
    verdict: &Verdict,
    prior: Option<&PriorFinding>,
    changes: &[ChainChange],
) -> Option<ChainChange> {
    let prior = prior?;
    let mut resources = prior.chain_names.clone();
    resources.extend(prior.chain_before.iter().cloned());
    resources.extend(verdict.evidence.names().map(str::to_string));
    let touches = |change: &&ChainChange| {
        change.names.iter().any(|name| resources.iter().any(|resource| names_same(resource, name)))
    };
    let touching = latest(changes.iter().filter(touches));
    if prior.status != Some(verdict.status) {
        return touching.cloned();
    }
    if prior.change.is_some() {
        return prior.change.clone();
    }
    let since = prior.status_since?;
    touching.filter(|change| Timestamp::parse(&change.event_time).is_some_and(|made| made <= since)).cloned()
}

/// The change made last, by its event time.
fn latest<'a>(changes: impl Iterator<Item = &'a ChainChange>) -> Option<&'a ChainChange> {
    changes.max_by_key(|change| Timestamp::parse(&change.event_time))
}

/// Whether `name` (from a call's parameters, a name or an ARN) names `resource` (a name or ARN
/// from the evidence) or a part of it: the same, the ARN's last part, or an ARN under it (a
/// subscription of the topic).
fn names_same(resource: &str, name: &str) -> bool {
    resource == name
        || resource.ends_with(&format!("/{name}"))
        || resource.ends_with(&format!(":{name}"))
        || name.starts_with(&format!("{resource}:"))
}

/// The `ProductFields` that name `change`.
pub fn change_fields(change: &ChainChange) -> BTreeMap<String, String> {
    [
        ("EventName", Some(change.event_name.clone())),
        ("Resource", Some(change.resource.clone())),
        ("Actor", change.actor.clone()),
        ("EventTime", Some(change.event_time.clone())),
        ("SourceIp", change.source_ip.clone()),
        ("Account", Some(change.account.clone())),
        ("Region", Some(change.region.clone())),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.map(|value| (format!("{CHANGE_PREFIX}{key}"), value)))
    .collect()
}

/// The change an earlier finding's `ProductFields` name, if any.
pub fn change_from_fields(fields: &BTreeMap<String, String>) -> Option<ChainChange> {
    let field = |key: &str| fields.get(&format!("{CHANGE_PREFIX}{key}")).cloned();
    Some(ChainChange {
        account: field("Account").unwrap_or_default(),
        region: field("Region").unwrap_or_default(),
        event_name: field("EventName")?,
        resource: field("Resource").unwrap_or_default(),
        actor: field("Actor"),
        event_time: field("EventTime").unwrap_or_default(),
        source_ip: field("SourceIp"),
        names: Vec::new(),
    })
}

/// How a description names the change: "Changed by DeleteMetricFilter of ... at ...".
pub fn change_sentence(change: &ChainChange, status: Status) -> String {
    let verb = if status == Status::Passed { "Mended by" } else { "Changed by" };
    format!("{verb} {}.", change.sentence())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::Control;
    use crate::evaluate::{Evidence, Link};
    use crate::findings::RecordState;

    fn change(event_name: &str, names: &[&str], event_time: &str) -> ChainChange {
        ChainChange {
            account: "123456789012".to_string(),
            region: "us-east-1".to_string(),
            event_name: event_name.to_string(),
            resource: format!("something named {}", names.join(", ")),
            actor: Some("arn:aws:sts::123456789012:assumed-role/ops/ops-session".to_string()),
            event_time: event_time.to_string(),
            source_ip: None,
            names: names.iter().map(ToString::to_string).collect(),
        }
    }

    fn verdict(status: Status, filter: Option<&str>) -> Verdict {
        Verdict {
            region: "us-east-1".to_string(),
            control: Control::KmsKeyChanges,
            status,
            reason_code: String::new(),
            link: Link::Complete,
            description: String::new(),
            evidence: Evidence { filter_name: filter.map(str::to_string), ..Evidence::default() },
        }
    }

    fn prior(status: Status, chain_names: &[&str], change: Option<ChainChange>) -> PriorFinding {
        PriorFinding {
            id: "cis-monitor/123456789012/us-east-1/CloudWatch.7".to_string(),
            created_at: "2026-11-30T00:00:00Z".to_string(),
            first_observed_at: None,
            record_state: RecordState::Active,
            status: Some(status),
            chain_names: chain_names.iter().map(ToString::to_string).collect(),
            change,
            status_since: Timestamp::parse("2026-12-01T10:00:03.000Z"),
            chain_before: Vec::new(),
        }
    }

    #[test]
    fn a_new_status_names_the_change_that_touched_its_chain() {
        let deleted = change("DeleteMetricFilter", &["CloudTrail/x", "cis-kms"], "2026-12-01T10:00:00Z");
        let unrelated = change("DeleteAlarms", &["cis-vpc-alarm"], "2026-12-01T10:00:09Z");
        let before = prior(Status::Passed, &["cis-kms", "arn:aws:sns:us-east-1:123456789012:cis"], None);
        let changes = [unrelated.clone(), deleted.clone()];
        let named = attribution(&verdict(Status::Failed, None), Some(&before), &changes);
        assert_eq!(named, Some(deleted), "the deleted filter was in the earlier chain");
        let stranger = prior(Status::Passed, &["other-filter"], None);
        let guessed = attribution(&verdict(Status::Failed, None), Some(&stranger), &changes);
        assert_eq!(guessed, None, "none touched it: no change is blamed");
        let unsubscribed = change(
            "Unsubscribe",
            &["arn:aws:sns:us-east-1:123456789012:cis:0f1e2d3c"],
            "2026-12-01T10:00:00Z",
        );
        let named =
            attribution(&verdict(Status::Failed, None), Some(&before), std::slice::from_ref(&unsubscribed));
        assert_eq!(named, Some(unsubscribed), "a subscription of the chain's topic");
        let other_topic = change(
            "Unsubscribe",
            &["arn:aws:sns:us-east-1:123456789012:cis-other:0f1e"],
            "2026-12-01T10:00:00Z",
        );
        assert_eq!(attribution(&verdict(Status::Failed, None), Some(&before), &[other_topic]), None);
    }

    #[test]
    fn an_unchanged_status_keeps_its_change_and_a_new_one_without_changes_drops_it() {
        let deleted = change("DeleteMetricFilter", &["cis-kms"], "2026-12-01T10:00:00Z");
        let failed = prior(Status::Failed, &[], Some(deleted.clone()));
        assert_eq!(attribution(&verdict(Status::Failed, None), Some(&failed), &[]), Some(deleted));
        assert_eq!(attribution(&verdict(Status::Passed, Some("cis-kms")), Some(&failed), &[]), None);
        assert_eq!(attribution(&verdict(Status::Failed, None), None, &[]), None, "no earlier finding");
    }

    #[test]
    fn a_change_whose_event_came_after_the_run_that_turned_the_status_is_named_then() {
        let before = change("DeleteMetricFilter", &["cis-kms"], "2026-12-01T10:00:00Z");
        let after = change("DeleteMetricFilter", &["cis-kms"], "2026-12-01T10:05:00Z");
        let turned =
            PriorFinding { chain_before: vec!["cis-kms".to_string()], ..prior(Status::Failed, &[], None) };
        let failed = verdict(Status::Failed, None);
        assert_eq!(attribution(&failed, Some(&turned), std::slice::from_ref(&before)), Some(before));
        assert_eq!(attribution(&failed, Some(&turned), &[after]), None, "made after: it turned nothing");
        let unrelated = change("DeleteAlarms", &["cis-vpc-alarm"], "2026-12-01T10:00:00Z");
        assert_eq!(attribution(&failed, Some(&turned), &[unrelated]), None, "not its chain");
        let unknown = PriorFinding { status_since: None, ..turned };
        let early = change("DeleteMetricFilter", &["cis-kms"], "2026-12-01T09:00:00Z");
        assert_eq!(attribution(&failed, Some(&unknown), &[early]), None, "since when, unknown");
    }

    #[test]
    fn the_change_survives_a_round_trip_through_the_findings_fields() {
        let mended = change("PutMetricFilter", &["cis-kms"], "2026-12-01T11:00:00Z");
        let read = change_from_fields(&change_fields(&mended)).expect("read back");
        assert_eq!(read, ChainChange { names: Vec::new(), ..mended.clone() });
        assert!(change_sentence(&read, Status::Passed).starts_with("Mended by PutMetricFilter of "));
        assert!(change_sentence(&read, Status::Failed).starts_with("Changed by PutMetricFilter of "));
        assert_eq!(change_from_fields(&BTreeMap::new()), None);
    }
}
