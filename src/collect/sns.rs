//! SNS reads: a topic's attributes, its subscriptions, and a subscription's filter policy.
//! Endpoints (email addresses, URLs) are never kept, nor asked for where they can be avoided.

use std::collections::HashMap;

use aws_sdk_sns::Client;

use crate::error::ApiFailure;
use crate::inventory::{Subscription, SubscriptionFilter, TopicAttributes, TopicState};

/// The attributes of `topic_arn` that decide whether CloudWatch can publish: its key and its
/// access policy, asked in the topic's region.
async fn fetch_topic_attributes(
    client: &Client,
    region: &str,
    topic_arn: &str,
) -> Result<TopicAttributes, ApiFailure> {
    let output = client
        .get_topic_attributes()
        .topic_arn(topic_arn)
        .send()
        .await
        .map_err(|error| ApiFailure::from_sdk("sns:GetTopicAttributes", region, error))?;
    let read = |name| attribute(output.attributes(), name);
    Ok(TopicAttributes { kms_master_key_id: read("KmsMasterKeyId"), policy: read("Policy") })
}

/// Every subscription of `topic_arn`, all pages, asked in the topic's region; their filter
/// policies are not read yet.
async fn fetch_subscriptions(
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
            filter: None,
        }));
    }
    Ok(subscriptions)
}

/// The filter policy of `subscription_arn`, if it has one. (The answer also holds the
/// endpoint; it is dropped here.)
async fn fetch_subscription_filter(
    client: &Client,
    region: &str,
    subscription_arn: &str,
) -> Result<Option<SubscriptionFilter>, ApiFailure> {
    let output = client
        .get_subscription_attributes()
        .subscription_arn(subscription_arn)
        .send()
        .await
        .map_err(|error| ApiFailure::from_sdk("sns:GetSubscriptionAttributes", region, error))?;
    let read = |name| attribute(output.attributes(), name);
    Ok(read("FilterPolicy").map(|policy| SubscriptionFilter { policy, scope: read("FilterPolicyScope") }))
}

/// Everything about `topic_arn` the chain needs: its attributes and subscriptions at once, then
/// the filter policies of its confirmed subscriptions, one by one, until one has none.
pub async fn fetch_topic(client: &Client, region: &str, topic_arn: &str) -> TopicState {
    let (attributes, subscriptions) = tokio::join!(
        fetch_topic_attributes(client, region, topic_arn),
        fetch_subscriptions(client, region, topic_arn)
    );
    let subscriptions = match subscriptions {
        Ok(mut subscriptions) => {
            for subscription in subscriptions.iter_mut().filter(|subscription| subscription.is_confirmed()) {
                subscription.filter =
                    Some(fetch_subscription_filter(client, region, &subscription.arn).await);
                if subscription.receives_everything() {
                    break;
                }
            }
            Ok(subscriptions)
        }
        Err(failure) => Err(failure),
    };
    TopicState { attributes, subscriptions }
}

/// The attribute `name` of an SNS answer, when it is set and not empty.
fn attribute(attributes: Option<&HashMap<String, String>>, name: &str) -> Option<String> {
    attributes.and_then(|attributes| attributes.get(name)).filter(|value| !value.is_empty()).cloned()
}
