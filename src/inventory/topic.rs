//! SNS topics and the KMS keys that encrypt them: what stands between an alarm's notification
//! and a person. A topic has an access policy, perhaps a key, and subscriptions, each perhaps
//! with a filter policy.

use serde::Serialize;

use crate::arn::Arn;
use crate::error::ApiFailure;
use crate::filter_policy::{AlarmNotification, FilterPolicy, FilterPolicyError};

/// What SNS said of a topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicState {
    /// GetTopicAttributes: its key and its access policy.
    pub attributes: Result<TopicAttributes, ApiFailure>,
    /// ListSubscriptionsByTopic, with the filter policies read.
    pub subscriptions: Result<Vec<Subscription>, ApiFailure>,
}

/// A topic's attributes that decide whether CloudWatch can publish to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicAttributes {
    /// `KmsMasterKeyId`: the key that encrypts it, as the topic names it, if any.
    pub kms_master_key_id: Option<String>,
    /// `Policy`: its access policy document.
    pub policy: Option<String>,
}

/// A subscription of an SNS topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The subscription ARN, or `PendingConfirmation` before it is confirmed.
    pub arn: String,
    /// The protocol (`email`, `sqs`, `lambda`...). The endpoint is not kept: it may be personal.
    pub protocol: String,
    /// Its filter policy, once read: `Ok(None)` when it has none. `None` when it was not read:
    /// collection stops reading at the first confirmed subscription without a filter policy.
    pub filter: Option<Result<Option<SubscriptionFilter>, ApiFailure>>,
}

/// A subscription's filter policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionFilter {
    /// `FilterPolicy`.
    pub policy: String,
    /// `FilterPolicyScope`, when set.
    pub scope: Option<String>,
}

impl SubscriptionFilter {
    /// Whether the ALARM notification of `alarm` passes the filter; `None` when that cannot be
    /// decided.
    ///
    /// # Errors
    ///
    /// [`FilterPolicyError`] when the policy cannot be read.
    pub fn accepts(&self, alarm: &AlarmNotification<'_>) -> Result<Option<bool>, FilterPolicyError> {
        Ok(FilterPolicy::parse(&self.policy, self.scope.as_deref())?.accepts(alarm))
    }
}

impl Subscription {
    /// Whether the subscription is confirmed: its ARN is a real ARN.
    pub fn is_confirmed(&self) -> bool {
        Arn::parse(&self.arn).is_some_and(|arn| arn.service == "sns")
    }

    /// Whether its attributes were read and it has no filter policy: it receives every
    /// notification, so no further subscription needs reading.
    pub fn receives_everything(&self) -> bool {
        matches!(self.filter, Some(Ok(None)))
    }
}

/// A KMS key, as a topic names it: by id, key ARN, alias or alias ARN, in the topic's region
/// and account unless an ARN says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRef {
    /// The key's region.
    pub region: String,
    /// The key's account.
    pub account: String,
    /// The key as the topic names it.
    pub id: String,
}

impl KeyRef {
    /// The key `kms_master_key_id` of a topic in `topic_region` and `topic_account`.
    pub fn of_topic(topic_region: &str, topic_account: &str, kms_master_key_id: &str) -> Self {
        let id = kms_master_key_id.trim().to_string();
        match Arn::parse(&id) {
            Some(arn) if arn.service == "kms" => {
                KeyRef { region: arn.region.to_string(), account: arn.account.to_string(), id: id.clone() }
            }
            _ => KeyRef { region: topic_region.to_string(), account: topic_account.to_string(), id },
        }
    }

    /// Whether it names `alias/aws/sns`, the key AWS manages for SNS: its policy is AWS's and
    /// does not let CloudWatch use it.
    pub fn is_aws_managed_sns_alias(&self) -> bool {
        self.id == "alias/aws/sns" || self.id.ends_with(":alias/aws/sns")
    }
}

/// What KMS said of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyState {
    /// DescribeKey: the key's ARN and who manages it.
    pub description: Result<KeyDescription, ApiFailure>,
    /// GetKeyPolicy, read for a customer managed key only.
    pub policy: Option<Result<String, ApiFailure>>,
}

/// What DescribeKey said of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyDescription {
    /// The key's ARN.
    pub arn: String,
    /// Whether AWS manages it (`KeyManager` `AWS`): its policy is AWS's.
    pub aws_managed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subscription(arn: &str) -> Subscription {
        Subscription { arn: arn.to_string(), protocol: "email".to_string(), filter: None }
    }

    #[test]
    fn only_real_subscription_arns_are_confirmed() {
        assert!(
            subscription("arn:aws:sns:us-east-1:111122223333:alerts:6b0e71bd-7e97-4d97-80ce-4a0994e55286")
                .is_confirmed()
        );
        assert!(!subscription("PendingConfirmation").is_confirmed());
        assert!(!subscription("Deleted").is_confirmed());
        assert!(!subscription("").is_confirmed());
    }

    #[test]
    fn keys_are_located_by_their_arn_or_the_topic() {
        let by_alias = KeyRef::of_topic("eu-west-1", "111122223333", "alias/cis");
        assert_eq!((by_alias.region.as_str(), by_alias.account.as_str()), ("eu-west-1", "111122223333"));
        let elsewhere = KeyRef::of_topic(
            "eu-west-1",
            "111122223333",
            "arn:aws:kms:us-east-1:999988887777:key/0b5f3a53-8f0f-4c5e-9a36-4f8d2a6c1e77",
        );
        assert_eq!((elsewhere.region.as_str(), elsewhere.account.as_str()), ("us-east-1", "999988887777"));
        assert!(KeyRef::of_topic("eu-west-1", "111122223333", "alias/aws/sns").is_aws_managed_sns_alias());
        assert!(
            KeyRef::of_topic("eu-west-1", "1", "arn:aws:kms:eu-west-1:111122223333:alias/aws/sns")
                .is_aws_managed_sns_alias()
        );
        assert!(!by_alias.is_aws_managed_sns_alias());
    }
}
