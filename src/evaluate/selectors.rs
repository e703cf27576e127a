//! Does a trail record the management events a control needs? Classic selectors need
//! `IncludeManagementEvents` and `ReadWriteType All`; advanced selectors need
//! `eventCategory = Management` with neither `readOnly` nor `eventSource` restricted so as to
//! drop the control's events. CloudWatch.7 also needs KMS events not excluded.

use crate::controls::Control;
use crate::inventory::{AdvancedSelector, ClassicSelector, EventSelectors, FieldSelector};

/// Why the trail's selectors lose the control's events, when they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorGap {
    /// The reason code.
    pub code: &'static str,
    /// What is missing, in a sentence.
    pub description: String,
}

/// The reason code when a trail records no (or not all) management events.
pub const MANAGEMENT_EVENTS_NOT_RECORDED: &str = "CLOUDTRAIL_MANAGEMENT_EVENTS_NOT_RECORDED";
/// The reason code when a trail excludes KMS events (CloudWatch.7 only).
pub const KMS_EVENTS_EXCLUDED: &str = "CLOUDTRAIL_KMS_EVENTS_EXCLUDED";

/// `None` when some selector records every management event of the control's sources.
pub fn management_gap(selectors: &EventSelectors, control: Control) -> Option<SelectorGap> {
    let sources: Vec<&str> = control.required_events().iter().map(|event| event.source).collect();
    if selectors.classic.iter().any(|selector| classic_records(selector, &sources))
        || selectors.advanced.iter().any(|selector| advanced_records(selector, &sources))
    {
        return None;
    }
    let excludes_sources = selectors.classic.iter().any(|selector| {
        classic_records(selector, &[]) && sources.iter().any(|source| excluded_by_classic(selector, source))
    }) || selectors.advanced.iter().any(|selector| {
        advanced_records(selector, &[])
            && sources.iter().any(|source| !field_admits(selector, "eventSource", source))
    });
    if excludes_sources {
        return Some(SelectorGap {
            code: if control.needs_kms_events() {
                KMS_EVENTS_EXCLUDED
            } else {
                MANAGEMENT_EVENTS_NOT_RECORDED
            },
            description: format!("excludes the management events of {}", sources.join(", ")),
        });
    }
    let description = if selectors.classic.is_empty() && selectors.advanced.is_empty() {
        "has no event selectors, so it records no management events".to_string()
    } else {
        "has no event selector that records all management events (read and write)".to_string()
    };
    Some(SelectorGap { code: MANAGEMENT_EVENTS_NOT_RECORDED, description })
}

fn classic_records(selector: &ClassicSelector, sources: &[&str]) -> bool {
    selector.include_management_events
        && selector.read_write_type == "All"
        && !sources.iter().any(|source| excluded_by_classic(selector, source))
}

fn excluded_by_classic(selector: &ClassicSelector, source: &str) -> bool {
    selector.exclude_management_event_sources.iter().any(|excluded| excluded == source)
}

fn advanced_records(selector: &AdvancedSelector, sources: &[&str]) -> bool {
    let management = selector.fields.iter().any(|field| {
        field.field == "eventCategory" && field.equals.iter().any(|value| value == "Management")
    }) && field_admits(selector, "eventCategory", "Management");
    let every_read_write = selector
        .fields
        .iter()
        .filter(|field| field.field == "readOnly")
        .all(|field| admits(field, "true") && admits(field, "false"));
    let other_fields_unrestricted = selector.fields.iter().all(|field| {
        matches!(field.field.as_str(), "eventCategory" | "readOnly" | "eventSource") || !restricts(field)
    });
    management
        && every_read_write
        && other_fields_unrestricted
        && sources.iter().all(|source| field_admits(selector, "eventSource", source))
}

/// Whether every condition the selector puts on `name` admits `value`.
fn field_admits(selector: &AdvancedSelector, name: &str, value: &str) -> bool {
    selector.fields.iter().filter(|field| field.field == name).all(|field| admits(field, value))
}

/// Whether one field condition admits `value`.
fn admits(field: &FieldSelector, value: &str) -> bool {
    (field.equals.is_empty() || field.equals.iter().any(|v| v == value))
        && !field.not_equals.iter().any(|v| v == value)
        && (field.starts_with.is_empty() || field.starts_with.iter().any(|p| value.starts_with(p.as_str())))
        && !field.not_starts_with.iter().any(|p| value.starts_with(p.as_str()))
        && (field.ends_with.is_empty() || field.ends_with.iter().any(|s| value.ends_with(s.as_str())))
        && !field.not_ends_with.iter().any(|s| value.ends_with(s.as_str()))
}

fn restricts(field: &FieldSelector) -> bool {
    !(field.equals.is_empty()
        && field.not_equals.is_empty()
        && field.starts_with.is_empty()
        && field.not_starts_with.is_empty()
        && field.ends_with.is_empty()
        && field.not_ends_with.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classic(read_write: &str, management: bool, excluded: &[&str]) -> EventSelectors {
        EventSelectors {
            classic: vec![ClassicSelector {
                read_write_type: read_write.to_string(),
                include_management_events: management,
                exclude_management_event_sources: excluded.iter().map(|s| s.to_string()).collect(),
            }],
            advanced: vec![],
        }
    }

    fn field(name: &str, equals: &[&str], not_equals: &[&str]) -> FieldSelector {
        FieldSelector {
            field: name.to_string(),
            equals: equals.iter().map(|s| s.to_string()).collect(),
            not_equals: not_equals.iter().map(|s| s.to_string()).collect(),
            starts_with: vec![],
            not_starts_with: vec![],
            ends_with: vec![],
            not_ends_with: vec![],
        }
    }

    fn advanced(fields: Vec<FieldSelector>) -> EventSelectors {
        EventSelectors { classic: vec![], advanced: vec![AdvancedSelector { name: None, fields }] }
    }

    fn code(selectors: &EventSelectors, control: Control) -> Option<&'static str> {
        management_gap(selectors, control).map(|gap| gap.code)
    }

    #[test]
    fn classic_selectors_need_all_management_events() {
        let kms = Control::KmsKeyChanges;
        let trail = Control::CloudTrailChanges;
        assert_eq!(code(&classic("All", true, &[]), trail), None);
        assert_eq!(code(&classic("WriteOnly", true, &[]), trail), Some(MANAGEMENT_EVENTS_NOT_RECORDED));
        assert_eq!(code(&classic("All", false, &[]), trail), Some(MANAGEMENT_EVENTS_NOT_RECORDED));
        assert_eq!(code(&classic("All", true, &["kms.amazonaws.com"]), trail), None);
        assert_eq!(code(&classic("All", true, &["kms.amazonaws.com"]), kms), Some(KMS_EVENTS_EXCLUDED));
        assert_eq!(code(&EventSelectors::default(), trail), Some(MANAGEMENT_EVENTS_NOT_RECORDED));
    }

    #[test]
    fn advanced_selectors_are_read_by_their_fields() {
        let kms = Control::KmsKeyChanges;
        let vpc = Control::VpcChanges;
        let management = field("eventCategory", &["Management"], &[]);
        assert_eq!(code(&advanced(vec![management.clone()]), kms), None);
        assert_eq!(
            code(&advanced(vec![management.clone(), field("readOnly", &["true"], &[])]), vpc),
            Some(MANAGEMENT_EVENTS_NOT_RECORDED)
        );
        assert_eq!(
            code(&advanced(vec![management.clone(), field("readOnly", &["true", "false"], &[])]), vpc),
            None
        );
        assert_eq!(
            code(&advanced(vec![management.clone(), field("eventSource", &[], &["kms.amazonaws.com"])]), kms),
            Some(KMS_EVENTS_EXCLUDED)
        );
        assert_eq!(
            code(&advanced(vec![management.clone(), field("eventSource", &[], &["kms.amazonaws.com"])]), vpc),
            None
        );
        assert_eq!(
            code(&advanced(vec![management, field("eventSource", &["s3.amazonaws.com"], &[])]), vpc),
            Some(MANAGEMENT_EVENTS_NOT_RECORDED)
        );
        assert_eq!(
            code(&advanced(vec![field("eventCategory", &["Data"], &[])]), vpc),
            Some(MANAGEMENT_EVENTS_NOT_RECORDED)
        );
    }
}
