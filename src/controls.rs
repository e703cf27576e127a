//! The three CIS monitoring controls, as data: identity, CIS numbers, required events and the
//! canonical filter pattern. Everything else in the crate asks this module what a control means.

use std::fmt;
use std::str::FromStr;

/// One CIS AWS Foundations Benchmark monitoring control that cis-monitor proves.
///
/// The ids are Security Hub's control ids, so that findings line up with the ones users know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Control {
    /// CloudWatch.5 (CIS 3.5 in v1.2.0, 4.5 in v1.3.0 to v5.0.0, 5.5 from v6.0.0):
    /// CloudTrail configuration changes.
    CloudTrailChanges,
    /// CloudWatch.7 (CIS 3.7 / 4.7 / 5.7): customer-managed KMS keys disabled or scheduled for
    /// deletion.
    KmsKeyChanges,
    /// CloudWatch.14 (CIS 3.14 / 4.14 / 5.14): VPC changes.
    VpcChanges,
}

/// A CloudTrail event that a control requires its metric filter to catch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequiredEvent {
    /// The record's `eventName`.
    pub name: &'static str,
    /// The record's `eventSource`: the service that emits the event.
    pub source: &'static str,
}

/// A control's number in one version of the CIS AWS Foundations Benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CisRequirement {
    /// Benchmark version, as Security Hub writes it (`v1.4.0`).
    pub version: &'static str,
    /// Recommendation number in that version (`4.5`).
    pub number: &'static str,
}

impl CisRequirement {
    /// The requirement as an ASFF `RelatedRequirements` entry:
    /// `CIS AWS Foundations Benchmark v1.4.0/4.5`.
    pub fn related_requirement(&self) -> String {
        format!("CIS AWS Foundations Benchmark {}/{}", self.version, self.number)
    }
}

const CLOUDTRAIL: &str = "cloudtrail.amazonaws.com";
const KMS: &str = "kms.amazonaws.com";
const EC2: &str = "ec2.amazonaws.com";

const fn event(name: &'static str, source: &'static str) -> RequiredEvent {
    RequiredEvent { name, source }
}

const CLOUDTRAIL_EVENTS: [RequiredEvent; 5] = [
    event("CreateTrail", CLOUDTRAIL),
    event("UpdateTrail", CLOUDTRAIL),
    event("DeleteTrail", CLOUDTRAIL),
    event("StartLogging", CLOUDTRAIL),
    event("StopLogging", CLOUDTRAIL),
];

const KMS_EVENTS: [RequiredEvent; 2] = [event("DisableKey", KMS), event("ScheduleKeyDeletion", KMS)];

const VPC_EVENTS: [RequiredEvent; 11] = [
    event("CreateVpc", EC2),
    event("DeleteVpc", EC2),
    event("ModifyVpcAttribute", EC2),
    event("AcceptVpcPeeringConnection", EC2),
    event("CreateVpcPeeringConnection", EC2),
    event("DeleteVpcPeeringConnection", EC2),
    event("RejectVpcPeeringConnection", EC2),
    event("AttachClassicLinkVpc", EC2),
    event("DetachClassicLinkVpc", EC2),
    event("DisableVpcClassicLink", EC2),
    event("EnableVpcClassicLink", EC2),
];

/// Benchmark versions and the section that holds the monitoring controls in each.
const CIS_SECTIONS: [(&str, &str); 10] = [
    ("v1.2.0", "3"),
    ("v1.3.0", "4"),
    ("v1.4.0", "4"),
    ("v1.5.0", "4"),
    ("v2.0.0", "4"),
    ("v3.0.0", "4"),
    ("v4.0.1", "4"),
    ("v5.0.0", "4"),
    ("v6.0.0", "5"),
    ("v7.0.0", "5"),
];

macro_rules! cis_numbers {
    ($item:literal) => {
        [
            CisRequirement { version: CIS_SECTIONS[0].0, number: concat!("3.", $item) },
            CisRequirement { version: CIS_SECTIONS[1].0, number: concat!("4.", $item) },
            CisRequirement { version: CIS_SECTIONS[2].0, number: concat!("4.", $item) },
            CisRequirement { version: CIS_SECTIONS[3].0, number: concat!("4.", $item) },
            CisRequirement { version: CIS_SECTIONS[4].0, number: concat!("4.", $item) },
            CisRequirement { version: CIS_SECTIONS[5].0, number: concat!("4.", $item) },
            CisRequirement { version: CIS_SECTIONS[6].0, number: concat!("4.", $item) },
            CisRequirement { version: CIS_SECTIONS[7].0, number: concat!("4.", $item) },
            CisRequirement { version: CIS_SECTIONS[8].0, number: concat!("5.", $item) },
            CisRequirement { version: CIS_SECTIONS[9].0, number: concat!("5.", $item) },
        ]
    };
}

const CLOUDTRAIL_CIS: [CisRequirement; 10] = cis_numbers!("5");
const KMS_CIS: [CisRequirement; 10] = cis_numbers!("7");
const VPC_CIS: [CisRequirement; 10] = cis_numbers!("14");

impl Control {
    /// Every control, in Security Hub's order.
    pub const ALL: [Control; 3] = [Control::CloudTrailChanges, Control::KmsKeyChanges, Control::VpcChanges];

    /// Security Hub's control id, such as `CloudWatch.5`.
    pub fn id(self) -> &'static str {
        match self {
            Control::CloudTrailChanges => "CloudWatch.5",
            Control::KmsKeyChanges => "CloudWatch.7",
            Control::VpcChanges => "CloudWatch.14",
        }
    }

    /// The CIS recommendation's title.
    pub fn title(self) -> &'static str {
        match self {
            Control::CloudTrailChanges => {
                "Ensure a log metric filter and alarm exist for CloudTrail configuration changes"
            }
            Control::KmsKeyChanges => {
                "Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer created CMKs"
            }
            Control::VpcChanges => "Ensure a log metric filter and alarm exist for VPC changes",
        }
    }

    /// What a change of this kind is, in a few words, for descriptions.
    pub fn subject(self) -> &'static str {
        match self {
            Control::CloudTrailChanges => "CloudTrail configuration changes",
            Control::KmsKeyChanges => "KMS customer keys disabled or scheduled for deletion",
            Control::VpcChanges => "VPC changes",
        }
    }

    /// The control's number in every CIS benchmark version that has it, oldest first.
    pub fn cis_requirements(self) -> &'static [CisRequirement] {
        match self {
            Control::CloudTrailChanges => &CLOUDTRAIL_CIS,
            Control::KmsKeyChanges => &KMS_CIS,
            Control::VpcChanges => &VPC_CIS,
        }
    }

    /// The number in CIS v1.4.0 to v5.0.0 (`4.5`), the one most users quote.
    pub fn cis_number(self) -> &'static str {
        self.cis_requirements()[2].number
    }

    /// The events the metric filter must catch, each with the service that emits it.
    pub fn required_events(self) -> &'static [RequiredEvent] {
        match self {
            Control::CloudTrailChanges => &CLOUDTRAIL_EVENTS,
            Control::KmsKeyChanges => &KMS_EVENTS,
            Control::VpcChanges => &VPC_EVENTS,
        }
    }

    /// The filter pattern the CIS benchmark prescribes, as Security Hub demands it.
    pub fn canonical_pattern(self) -> &'static str {
        match self {
            Control::CloudTrailChanges => {
                "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}"
            }
            Control::KmsKeyChanges => {
                "{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}"
            }
            Control::VpcChanges => {
                "{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}"
            }
        }
    }

    /// Whether the trail must record this control's management events from KMS: CloudWatch.7
    /// fails when the trail excludes `kms.amazonaws.com`.
    pub fn needs_kms_events(self) -> bool {
        self == Control::KmsKeyChanges
    }

    /// The page of Security Hub's documentation on remediating this control.
    pub fn remediation_url(self) -> String {
        format!("https://docs.aws.amazon.com/console/securityhub/{}/remediation", self.id())
    }
}

impl serde::Serialize for Control {
    /// A control serialises as its id (`"CloudWatch.5"`).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl fmt::Display for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The text named no control.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown control `{0}`: expected one of CloudWatch.5, CloudWatch.7, CloudWatch.14")]
pub struct UnknownControl(pub String);

impl FromStr for Control {
    type Err = UnknownControl;

    /// Accepts the Security Hub id in any letter case (`CloudWatch.7`, `cloudwatch.7`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Control::ALL
            .into_iter()
            .find(|control| control.id().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownControl(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_from_str() {
        for control in Control::ALL {
            assert_eq!(control.id().parse::<Control>(), Ok(control));
            assert_eq!(control.id().to_lowercase().parse::<Control>(), Ok(control));
        }
        assert!("CloudWatch.6".parse::<Control>().is_err());
        assert!("".parse::<Control>().is_err());
    }

    #[test]
    fn cis_numbers_follow_the_benchmark_sections() {
        let numbers: Vec<_> = Control::VpcChanges.cis_requirements().iter().map(|r| r.number).collect();
        assert_eq!(numbers[0], "3.14");
        assert_eq!(numbers[2], "4.14");
        assert_eq!(numbers[9], "5.14");
        assert_eq!(Control::KmsKeyChanges.cis_number(), "4.7");
        assert_eq!(
            Control::CloudTrailChanges.cis_requirements()[2].related_requirement(),
            "CIS AWS Foundations Benchmark v1.4.0/4.5"
        );
    }

    #[test]
    fn every_canonical_pattern_names_every_required_event() {
        for control in Control::ALL {
            for event in control.required_events() {
                assert!(control.canonical_pattern().contains(event.name), "{control} {}", event.name);
            }
        }
    }
}
