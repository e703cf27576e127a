//! Regions as AWS names them: which exist, which partition each belongs to, and which of the
//! ones EC2 reports a run audits. Pure rules, shared by the configuration (which checks the
//! regions a user names) and discovery (which lists the enabled ones).

use serde::Serialize;

/// A region EC2 reports, and whether this account may use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionInfo {
    /// The region's name.
    pub name: String,
    /// `opt-in-not-required`, `opted-in` or `not-opted-in`.
    pub opt_in_status: String,
}

/// The regions of `partition` that are enabled (not `not-opted-in`), sorted and unique.
pub fn enabled_regions(regions: &[RegionInfo], partition: &str) -> Vec<String> {
    let mut names: Vec<String> = regions
        .iter()
        .filter(|region| {
            region.opt_in_status != "not-opted-in" && partition_of_region(&region.name) == partition
        })
        .map(|region| region.name.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The partition a region belongs to, from its name.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

/// Every region AWS has announced, in every partition, as of November 2026. Explicitly
/// configured regions must be among them, so that a typo is an error before any AWS call
/// rather than a region that silently cannot be reached. (The default, every enabled region,
/// comes from EC2 and is not limited to this list.)
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "eusc-de-east-1",
];

/// Whether `name` is a region AWS has announced.
pub fn is_known_region(name: &str) -> bool {
    KNOWN_REGIONS.contains(&name)
}

/// Whether `name` is shaped like a region name (`eu-west-1`, `us-gov-east-1`).
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|part| {
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts.last().is_some_and(|last| last.bytes().all(|b| b.is_ascii_digit()))
        && parts[..parts.len() - 1].iter().all(|part| part.bytes().all(|b| b.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_enabled_regions_of_the_partition_are_kept() {
        let info = |name: &str, status: &str| RegionInfo {
            name: name.to_string(),
            opt_in_status: status.to_string(),
        };
        let regions = [
            info("us-east-1", "opt-in-not-required"),
            info("af-south-1", "not-opted-in"),
            info("me-south-1", "opted-in"),
            info("cn-north-1", "opt-in-not-required"),
            info("us-gov-west-1", "opt-in-not-required"),
            info("eu-west-1", "opt-in-not-required"),
        ];
        assert_eq!(enabled_regions(&regions, "aws"), vec!["eu-west-1", "me-south-1", "us-east-1"]);
        assert_eq!(enabled_regions(&regions, "aws-cn"), vec!["cn-north-1"]);
    }

    #[test]
    fn known_regions_are_well_formed() {
        assert!(KNOWN_REGIONS.iter().all(|region| is_region_name(region)));
        assert!(is_known_region("eu-west-1"));
        assert!(!is_known_region("eu-west-9"));
    }

    #[test]
    fn region_names_are_recognised_by_shape() {
        for good in ["eu-west-1", "us-gov-east-1", "ap-southeast-4", "cn-northwest-1"] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in ["eu-west", "EU-WEST-1", "eu_west_1", "eu-west-1a", "", "-1", "eu--1", "1-2-3"] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }
}
