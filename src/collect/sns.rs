//! SNS reads: the subscriptions of one topic. Endpoints (email addresses, URLs) are not kept.

use aws_sdk_sns::Client;

use crate::error::ApiFailure;
use crate::inventory::Subscription;

/// Every subscription of `topic_arn`, all pages, asked in the topic's region.
pub async fn fetch_subscriptions(
    client: &Client,
    region: &str,
    topic_arn: &str,
) -> Result<Vec<Subscription>, ApiFailure> {
    let mut pages = client.list_subscriptions_by_topic().topic_arn(topic_arn).into_paginator().send();
    let mut subscriptions = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|error| ApiFailure::from_sdk("sns:ListSubscriptionsByTopic", region, error))?;
        subscriptions.extend(page.subscriptions().iter().map(|subscription| Subscription {
            arn: subscription.subscription_arn().unwrap_or_default().to_string(),
            protocol: subscription.protocol().unwrap_or_default().to_string(),
        }));
    }
    Ok(subscriptions)
}
