//! CloudWatch Logs reads: the metric filters of one log group.

use aws_sdk_cloudwatchlogs::Client;

use crate::error::ApiFailure;
use crate::inventory::{LogGroupRef, MetricFilter, MetricTransformation};

/// Every metric filter of `group`, all pages; a failed page fails the whole read.
pub async fn fetch_metric_filters(
    client: &Client,
    group: &LogGroupRef,
) -> Result<Vec<MetricFilter>, ApiFailure> {
    let failure = |error| ApiFailure::from_sdk("logs:DescribeMetricFilters", &group.region, error);
    let mut pages = client.describe_metric_filters().log_group_name(&group.name).into_paginator().send();
    let mut filters = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failure)?;
        filters.extend(page.metric_filters().iter().map(|filter| {
            MetricFilter {
                name: filter.filter_name().unwrap_or_default().to_string(),
                pattern: filter.filter_pattern().unwrap_or_default().to_string(),
                metrics: filter
                    .metric_transformations()
                    .iter()
                    .map(|metric| MetricTransformation {
                        name: metric.metric_name().to_string(),
                        namespace: metric.metric_namespace().to_string(),
                        value: metric.metric_value().to_string(),
                        dimensions: metric
                            .dimensions()
                            .map(|dimensions| {
                                dimensions.iter().map(|(name, field)| (name.clone(), field.clone())).collect()
                            })
                            .unwrap_or_default(),
                        unit: metric.unit().map(|unit| unit.as_str().to_string()),
                        default_value: metric.default_value(),
                    })
                    .collect(),
                field_selection_criteria: filter
                    .field_selection_criteria()
                    .filter(|c| !c.trim().is_empty())
                    .map(str::to_string),
                apply_on_transformed_logs: filter.apply_on_transformed_logs(),
            }
        }));
    }
    Ok(filters)
}
