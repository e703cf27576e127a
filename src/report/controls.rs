//! What `cis-monitor controls` prints: the three controls as data, for people (a table) and for
//! scripts (JSON), so that nothing outside the crate keeps its own copy of a canonical pattern.

use std::fmt;

use serde::Serialize;

use crate::controls::{Control, RequiredEvent};

/// One control, as `cis-monitor controls` reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlReport {
    /// The Security Hub id (`CloudWatch.5`).
    pub id: &'static str,
    /// The CIS number in v1.3.0 to v5.0.0 (`4.5`).
    pub cis_number: &'static str,
    /// The CIS title.
    pub title: &'static str,
    /// What the control's alarm is about, in a phrase.
    pub subject: &'static str,
    /// The CIS pattern, as Security Hub's own control insists on it.
    pub canonical_pattern: &'static str,
    /// The events its metric filter must catch.
    pub required_events: Vec<RequiredEventReport>,
    /// Security Hub's remediation page.
    pub remediation_url: String,
}

/// One required event of a [`ControlReport`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredEventReport {
    /// The record's `eventName`.
    pub name: &'static str,
    /// The record's `eventSource`.
    pub source: &'static str,
}

impl From<&RequiredEvent> for RequiredEventReport {
    fn from(event: &RequiredEvent) -> Self {
        RequiredEventReport { name: event.name, source: event.source }
    }
}

impl ControlReport {
    /// The report of `control`.
    pub fn new(control: Control) -> Self {
        ControlReport {
            id: control.id(),
            cis_number: control.cis_number(),
            title: control.title(),
            subject: control.subject(),
            canonical_pattern: control.canonical_pattern(),
            required_events: control.required_events().iter().map(RequiredEventReport::from).collect(),
            remediation_url: control.remediation_url(),
        }
    }

    /// Every control, in order.
    pub fn all() -> Vec<ControlReport> {
        Control::ALL.into_iter().map(ControlReport::new).collect()
    }
}

impl fmt::Display for ControlReport {
    /// The control's id, number and title, then its required events and canonical pattern.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} (CIS {}): {}", self.id, self.cis_number, self.title)?;
        let events: Vec<&str> = self.required_events.iter().map(|event| event.name).collect();
        writeln!(f, "  events:   {}", events.join(", "))?;
        writeln!(f, "  pattern:  {}", self.canonical_pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_carry_each_controls_facts() {
        let reports = ControlReport::all();
        let ids: Vec<&str> = reports.iter().map(|report| report.id).collect();
        assert_eq!(ids, ["CloudWatch.5", "CloudWatch.7", "CloudWatch.14"]);
        let json = serde_json::to_value(&reports[1]).expect("serialises");
        assert_eq!(json["cisNumber"], "4.7");
        assert_eq!(json["canonicalPattern"], Control::KmsKeyChanges.canonical_pattern());
        assert_eq!(json["requiredEvents"][0]["name"], "DisableKey");
        assert_eq!(json["requiredEvents"][0]["source"], "kms.amazonaws.com");
        assert!(reports[2].to_string().contains("EnableVpcClassicLink"));
    }
}
