//! The healthy account's names, one set for every layer of the tests: the moto account
//! (`Account::healthy`) and the pure inventory (`inventory::healthy`) are the same account.

use cis_monitor::controls::Control;

/// The account moto uses by default.
pub const ACCOUNT: &str = "123456789012";
/// The home region of the trail.
pub const HOME: &str = "us-east-1";
/// The multi-region trail.
pub const TRAIL: &str = "management-events";
/// The log group it delivers to.
pub const LOG_GROUP: &str = "CloudTrail/management-events";
/// The role CloudTrail writes to the log group with.
pub const LOG_ROLE: &str = "cloudtrail-to-logs";
/// The namespace of every CIS metric.
pub const NAMESPACE: &str = "CISBenchmark";
/// The topic every alarm notifies.
pub const TOPIC: &str = "cis-alarms";

/// The metric of `control`'s filter.
pub fn metric_name(control: Control) -> String {
    format!("cis-{}", control.id().replace('.', "-"))
}

/// The name of `control`'s metric filter.
pub fn filter_name(control: Control) -> String {
    format!("filter-{}", control.id())
}

/// The name of `control`'s alarm.
pub fn alarm_name(control: Control) -> String {
    format!("alarm-{}", control.id())
}
