//! The trail must really deliver to CloudWatch Logs: a delivery error fails the link, a
//! delivery older than a day or none at all leaves it undecided. Pure evaluation on the
//! healthy inventory with the trail's status changed.

mod support;

use cis_monitor::evaluate::{Link, Status};
use cis_monitor::inventory::{Inventory, TrailStatus};
use cis_monitor::time::Timestamp;
use support::inventory::{COLLECTED_AT, Names, delivering, healthy, verdicts};

fn with_status(status: TrailStatus) -> Inventory {
    let mut inventory = healthy(&Names::default());
    for state in inventory.trail_states.values_mut() {
        state.status = Ok(status.clone());
    }
    inventory
}

/// The (status, reason code, link) of every control, which agree here.
fn outcomes(inventory: &Inventory) -> Vec<(Status, String, Link)> {
    verdicts(inventory, &Names::default()).into_iter().map(|v| (v.status, v.reason_code, v.link)).collect()
}

fn hours_before_collection(hours: i64) -> Option<Timestamp> {
    Some(Timestamp::from_millis(COLLECTED_AT.millis() - hours * 3_600_000))
}

#[test]
fn a_recent_delivery_passes_and_is_evidence() {
    let verdicts = verdicts(&healthy(&Names::default()), &Names::default());
    assert!(verdicts.iter().all(|v| v.status == Status::Passed), "{verdicts:#?}");
    assert_eq!(verdicts[0].evidence.logs_delivered_at.as_deref(), Some("2026-11-22T23:55:00.000Z"));
    let day_old = with_status(TrailStatus { logs_delivered_at: hours_before_collection(23), ..delivering() });
    assert!(outcomes(&day_old).iter().all(|o| o.0 == Status::Passed));
}

#[test]
fn a_delivery_error_fails_the_delivery_link_and_names_the_role() {
    let error = "AccessDeniedException: CloudTrail cannot assume role arn:aws:iam::123456789012:role/cloudtrail-to-logs";
    let failing = with_status(TrailStatus { logs_delivery_error: Some(error.to_string()), ..delivering() });
    let expected = (Status::Failed, "CLOUDTRAIL_LOG_DELIVERY_FAILING".to_string(), Link::Delivery);
    assert_eq!(outcomes(&failing), vec![expected; 3]);
    let verdict = &verdicts(&failing, &Names::default())[0];
    assert!(verdict.description.contains(error), "{}", verdict.description);
    assert!(
        verdict.description.contains("role arn:aws:iam::123456789012:role/cloudtrail-to-logs;"),
        "{}",
        verdict.description
    );
    assert_eq!(
        verdict.evidence.log_role_arn.as_deref(),
        Some("arn:aws:iam::123456789012:role/cloudtrail-to-logs")
    );
}

#[test]
fn an_old_or_missing_delivery_is_a_warning() {
    let stale = with_status(TrailStatus { logs_delivered_at: hours_before_collection(25), ..delivering() });
    let expected = (Status::Warning, "CLOUDTRAIL_LOG_DELIVERY_STALE".to_string(), Link::Delivery);
    assert_eq!(outcomes(&stale), vec![expected; 3]);
    assert!(verdicts(&stale, &Names::default())[0].description.contains("25 hours before this run"));
    let never = with_status(TrailStatus { logs_delivered_at: None, ..delivering() });
    let expected = (Status::Warning, "CLOUDTRAIL_LOG_DELIVERY_NOT_SEEN".to_string(), Link::Delivery);
    assert_eq!(outcomes(&never), vec![expected; 3]);
}

#[test]
fn a_stopped_trail_fails_logging_before_delivery() {
    let stopped = with_status(TrailStatus { logging: false, logs_delivered_at: None, ..delivering() });
    let expected = (Status::Failed, "CLOUDTRAIL_NOT_LOGGING".to_string(), Link::Logging);
    assert_eq!(outcomes(&stopped), vec![expected; 3]);
}
