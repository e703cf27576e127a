//! CloudWatch reads: the alarms on one metric stream, and, when those are not enough, every metric
//! alarm of a region (DescribeAlarmsForMetric leaves out metric-math alarms).

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{AlarmType, Dimension as SdkDimension, MetricAlarm, MetricDataQuery};

use crate::error::ApiFailure;
use crate::inventory::{Alarm, Dimension, MetricQuery, MetricRef, WatchedMetric};

/// The standard alarms on the stream `metric`, asked with its dimensions. (Emulators may also
/// return alarms on the metric's other streams; evaluation matches streams exactly.)
pub async fn fetch_alarms_for_metric(client: &Client, metric: &MetricRef) -> Result<Vec<Alarm>, ApiFailure> {
    let dimensions = metric
        .dimensions
        .iter()
        .map(|dimension| SdkDimension::builder().name(&dimension.name).value(&dimension.value).build())
        .collect();
    let output = client
        .describe_alarms_for_metric()
        .namespace(&metric.namespace)
        .metric_name(&metric.name)
        .set_dimensions(Some(dimensions).filter(|dimensions: &Vec<SdkDimension>| !dimensions.is_empty()))
        .send()
        .await
        .map_err(|error| ApiFailure::from_sdk("cloudwatch:DescribeAlarmsForMetric", &metric.region, error))?;
    Ok(output.metric_alarms().iter().map(alarm).collect())
}

/// Every metric alarm of `region`, all pages.
pub async fn fetch_metric_alarms(client: &Client, region: &str) -> Result<Vec<Alarm>, ApiFailure> {
    let mut pages = client.describe_alarms().alarm_types(AlarmType::MetricAlarm).into_paginator().send();
    let mut alarms = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|error| ApiFailure::from_sdk("cloudwatch:DescribeAlarms", region, error))?;
        alarms.extend(page.metric_alarms().iter().map(alarm));
    }
    Ok(alarms)
}

fn alarm(alarm: &MetricAlarm) -> Alarm {
    let metric = match (alarm.namespace(), alarm.metric_name()) {
        (Some(namespace), Some(name)) => Some(WatchedMetric {
            namespace: namespace.to_string(),
            name: name.to_string(),
            dimensions: dimensions(alarm.dimensions()),
            unit: alarm.unit().map(|unit| unit.as_str().to_string()),
        }),
        _ => None,
    };
    Alarm {
        name: alarm.alarm_name().unwrap_or_default().to_string(),
        arn: alarm.alarm_arn().unwrap_or_default().to_string(),
        actions_enabled: alarm.actions_enabled().unwrap_or(true),
        alarm_actions: alarm.alarm_actions().to_vec(),
        metric,
        statistic: alarm
            .statistic()
            .map(|statistic| statistic.as_str().to_string())
            .or_else(|| alarm.extended_statistic().map(str::to_string)),
        comparison: alarm.comparison_operator().map(|operator| operator.as_str().to_string()),
        threshold: alarm.threshold(),
        evaluation_periods: alarm.evaluation_periods(),
        datapoints_to_alarm: alarm.datapoints_to_alarm(),
        treat_missing_data: alarm.treat_missing_data().map(str::to_string),
        queries: alarm.metrics().iter().map(query).collect(),
    }
}

fn query(query: &MetricDataQuery) -> MetricQuery {
    let stat = query.metric_stat();
    let metric = stat.and_then(|stat| {
        let metric = stat.metric()?;
        Some(WatchedMetric {
            namespace: metric.namespace()?.to_string(),
            name: metric.metric_name()?.to_string(),
            dimensions: dimensions(metric.dimensions()),
            unit: stat.unit().map(|unit| unit.as_str().to_string()),
        })
    });
    MetricQuery {
        id: query.id().unwrap_or_default().to_string(),
        metric,
        statistic: stat.and_then(|stat| stat.stat()).map(str::to_string),
        expression: query.expression().map(str::to_string),
        return_data: query.return_data().unwrap_or(true),
    }
}

/// An alarm's dimensions, sorted by name as a stream's are.
fn dimensions(dimensions: &[SdkDimension]) -> Vec<Dimension> {
    let mut dimensions: Vec<Dimension> = dimensions
        .iter()
        .map(|dimension| Dimension {
            name: dimension.name().unwrap_or_default().to_string(),
            value: dimension.value().unwrap_or_default().to_string(),
        })
        .collect();
    dimensions.sort();
    dimensions
}
