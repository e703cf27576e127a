//! CloudTrail reads: the trails a region sees, and each trail's status and event selectors.

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, EventSelector};

use crate::error::ApiFailure;
use crate::inventory::{
    AdvancedSelector, ClassicSelector, EventSelectors, FieldSelector, Trail, TrailState, TrailStatus,
};
use crate::time::Timestamp;

/// The trails `region` sees, shadow copies of other regions' multi-region trails included.
pub async fn describe_trails(client: &Client, region: &str) -> Result<Vec<Trail>, ApiFailure> {
    let output = client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
        .map_err(|error| ApiFailure::from_sdk("cloudtrail:DescribeTrails", region, error))?;
    Ok(output
        .trail_list()
        .iter()
        .filter_map(|trail| {
            let arn = trail.trail_arn()?.to_string();
            Some(Trail {
                name: trail.name().unwrap_or_default().to_string(),
                home_region: trail.home_region().unwrap_or(region).to_string(),
                multi_region: trail.is_multi_region_trail().unwrap_or(false),
                organization: trail.is_organization_trail().unwrap_or(false),
                log_group_arn: trail
                    .cloud_watch_logs_log_group_arn()
                    .filter(|arn| !arn.is_empty())
                    .map(str::to_string),
                log_role_arn: trail
                    .cloud_watch_logs_role_arn()
                    .filter(|arn| !arn.is_empty())
                    .map(str::to_string),
                arn,
            })
        })
        .collect())
}

/// Whether the trail logs, how its delivery to CloudWatch Logs goes, and what it records,
/// asked in its home region, by ARN.
pub async fn fetch_trail_state(client: &Client, home_region: &str, trail_arn: &str) -> TrailState {
    let status = async {
        client
            .get_trail_status()
            .name(trail_arn)
            .send()
            .await
            .map(|output| TrailStatus {
                logging: output.is_logging().unwrap_or(false),
                logs_delivery_error: output
                    .latest_cloud_watch_logs_delivery_error()
                    .filter(|error| !error.trim().is_empty())
                    .map(str::to_string),
                logs_delivered_at: output.latest_cloud_watch_logs_delivery_time().map(|time| {
                    let millis = i64::from(time.subsec_nanos() / 1_000_000);
                    Timestamp::from_millis(time.secs().saturating_mul(1000).saturating_add(millis))
                }),
            })
            .map_err(|error| ApiFailure::from_sdk("cloudtrail:GetTrailStatus", home_region, error))
    };
    let selectors = async {
        client
            .get_event_selectors()
            .trail_name(trail_arn)
            .send()
            .await
            .map(|output| EventSelectors {
                classic: output.event_selectors().iter().map(classic_selector).collect(),
                advanced: output.advanced_event_selectors().iter().map(advanced_selector).collect(),
            })
            .map_err(|error| ApiFailure::from_sdk("cloudtrail:GetEventSelectors", home_region, error))
    };
    let (status, selectors) = tokio::join!(status, selectors);
    TrailState { status, selectors }
}

fn classic_selector(selector: &EventSelector) -> ClassicSelector {
    ClassicSelector {
        read_write_type: selector.read_write_type().map_or("All", |kind| kind.as_str()).to_string(),
        include_management_events: selector.include_management_events().unwrap_or(true),
        exclude_management_event_sources: selector.exclude_management_event_sources().to_vec(),
    }
}

fn advanced_selector(selector: &AdvancedEventSelector) -> AdvancedSelector {
    AdvancedSelector {
        name: selector.name().map(str::to_string),
        fields: selector
            .field_selectors()
            .iter()
            .map(|field| FieldSelector {
                field: field.field().to_string(),
                equals: field.equals().to_vec(),
                not_equals: field.not_equals().to_vec(),
                starts_with: field.starts_with().to_vec(),
                not_starts_with: field.not_starts_with().to_vec(),
                ends_with: field.ends_with().to_vec(),
                not_ends_with: field.not_ends_with().to_vec(),
            })
            .collect(),
    }
}
