//! The topic's links: the topic the alarm notifies exists, its access policy lets CloudWatch
//! publish for this alarm, and its key (if it is encrypted) lets CloudWatch use it. Then the
//! subscriber's link (`subscriber`).

use crate::arn::Arn;
use crate::error::FailureKind;
use crate::inventory::{Alarm, KeyRef, MetricRef, TopicAttributes};
use crate::policy::{CLOUDWATCH, Decision, Policy, Request};

use super::chain::Walk;
use super::outcome::Outcome;
use super::{Evidence, Link};

/// The actions CloudWatch needs on a topic's key to publish to it.
const KEY_ACTIONS: [&str; 2] = ["kms:Decrypt", "kms:GenerateDataKey"];

impl Walk<'_> {
    /// The chain through one SNS topic `alarm` notifies.
    pub(super) fn topic(
        &self,
        topic: &str,
        alarm: &Alarm,
        metric: &MetricRef,
        alarm_name: &str,
        evidence: &Evidence,
    ) -> Outcome {
        let mut evidence = Evidence { topic_arn: Some(topic.to_string()), ..evidence.clone() };
        let Some(arn) = Arn::parse(topic) else {
            return Outcome::failed(
                "SNS_TOPIC_INVALID",
                Link::AlarmAction,
                format!("{alarm_name} notifies `{topic}`, which is not a topic ARN."),
                &evidence,
            );
        };
        let Some(state) = self.inventory.topics.get(topic) else {
            if arn.account == self.identity.account {
                return self.not_collected(Link::Subscriber, &format!("topic {topic}"), &evidence);
            }
            let code = if arn.region == metric.region {
                "SNS_TOPIC_CROSS_ACCOUNT"
            } else {
                "SNS_TOPIC_CROSS_ACCOUNT_CROSS_REGION"
            };
            return Outcome::warning(
                code,
                Link::Subscriber,
                format!(
                    "{alarm_name} notifies topic {topic} of account {}, whose policy, key and subscribers cannot be read from this account.",
                    arn.account
                ),
                &evidence,
            );
        };
        let missing = |evidence: &Evidence| {
            Outcome::failed(
                "SNS_TOPIC_INVALID",
                Link::AlarmAction,
                format!("{alarm_name} notifies topic {topic}, which does not exist."),
                evidence,
            )
        };
        let attributes = match &state.attributes {
            Err(failure) if failure.kind == FailureKind::NotFound => return missing(&evidence),
            Err(failure) => {
                return Outcome::unavailable(
                    Link::TopicPolicy,
                    &format!("the attributes of topic {topic}"),
                    failure,
                    &evidence,
                );
            }
            Ok(attributes) => attributes,
        };
        if let Some(broken) = self.topic_policy(topic, attributes, alarm, alarm_name, &evidence) {
            return broken;
        }
        if let Some(key_id) = &attributes.kms_master_key_id {
            evidence.topic_key = Some(key_id.clone());
            let key = KeyRef::of_topic(arn.region, arn.account, key_id);
            if let Some(broken) = self.topic_key(topic, &key, alarm, alarm_name, &evidence) {
                return broken;
            }
        }
        match &state.subscriptions {
            Err(failure) if failure.kind == FailureKind::NotFound => missing(&evidence),
            Err(failure) => Outcome::unavailable(
                Link::Subscriber,
                &format!("the subscriptions of topic {topic}"),
                failure,
                &evidence,
            ),
            Ok(subscriptions) => self.subscribers(topic, subscriptions, alarm, alarm_name, &evidence),
        }
    }

    /// Whether the topic's access policy lets CloudWatch publish for `alarm`. `None` when it
    /// does.
    fn topic_policy(
        &self,
        topic: &str,
        attributes: &TopicAttributes,
        alarm: &Alarm,
        alarm_name: &str,
        evidence: &Evidence,
    ) -> Option<Outcome> {
        let undecided = |why: String| {
            Some(Outcome::warning(
                "SNS_TOPIC_POLICY_UNDECIDABLE",
                Link::TopicPolicy,
                format!(
                    "Whether the policy of topic {topic} lets {CLOUDWATCH} publish for {alarm_name} cannot be decided: {why}."
                ),
                evidence,
            ))
        };
        let Some(text) = &attributes.policy else {
            return undecided("SNS returned no access policy".to_string());
        };
        let policy = match Policy::parse(text) {
            Ok(policy) => policy,
            Err(error) => return undecided(error.to_string()),
        };
        let request = Request::cloudwatch("sns:Publish", topic, &alarm.arn, alarm_account(alarm));
        let refused = |why: String| {
            Some(Outcome::failed(
                "SNS_TOPIC_POLICY_DENIES_CLOUDWATCH",
                Link::TopicPolicy,
                format!(
                    "{alarm_name} cannot publish to topic {topic}: {why}, so CloudWatch's notification is refused."
                ),
                evidence,
            ))
        };
        match policy.decide(&request) {
            Decision::Allowed => None,
            Decision::Denied(statement) => {
                refused(format!("statement {statement} of its access policy denies {CLOUDWATCH} sns:Publish"))
            }
            Decision::NotAllowed => refused(format!(
                "no statement of its access policy allows {CLOUDWATCH} sns:Publish for this alarm"
            )),
            Decision::Unknown(why) => undecided(why),
        }
    }

    /// Whether the topic's key lets CloudWatch encrypt the notification: not the AWS managed
    /// key for SNS, and a key policy allowing CloudWatch both [`KEY_ACTIONS`]. `None` when it
    /// does.
    fn topic_key(
        &self,
        topic: &str,
        key: &KeyRef,
        alarm: &Alarm,
        alarm_name: &str,
        evidence: &Evidence,
    ) -> Option<Outcome> {
        let refused = |why: String| {
            Some(Outcome::failed(
                "SNS_TOPIC_KEY_DENIES_CLOUDWATCH",
                Link::TopicKey,
                format!(
                    "Topic {topic}, which {alarm_name} notifies, is encrypted with {}: {why}, so CloudWatch cannot publish to it.",
                    key.id
                ),
                evidence,
            ))
        };
        let undecided = |why: String| {
            Some(Outcome::warning(
                "SNS_TOPIC_KEY_UNDECIDABLE",
                Link::TopicKey,
                format!(
                    "Whether key {} of topic {topic} lets {CLOUDWATCH} publish for {alarm_name} cannot be decided: {why}.",
                    key.id
                ),
                evidence,
            ))
        };
        let aws_managed =
            "the key AWS manages for SNS, whose policy AWS writes and which CloudWatch may not use";
        if key.is_aws_managed_sns_alias() {
            return refused(aws_managed.to_string());
        }
        let foreign = key.account != self.identity.account;
        let Some(state) = self.inventory.keys.get(key) else {
            return Some(self.not_collected(Link::TopicKey, &format!("key {}", key.id), evidence));
        };
        let read_failed = |what: &str, failure: &crate::error::ApiFailure| {
            if foreign && failure.kind == FailureKind::AccessDenied {
                undecided(format!("its {what} cannot be read from this account ({})", failure.message))
            } else {
                Some(Outcome::unavailable(
                    Link::TopicKey,
                    &format!("the {what} of key {}", key.id),
                    failure,
                    evidence,
                ))
            }
        };
        let description = match &state.description {
            Err(failure) if failure.kind == FailureKind::NotFound => {
                return refused("a key that does not exist".to_string());
            }
            Err(failure) => return read_failed("description", failure),
            Ok(description) => description,
        };
        if description.aws_managed {
            return refused(aws_managed.to_string());
        }
        let text = match &state.policy {
            None => {
                return Some(self.not_collected(
                    Link::TopicKey,
                    &format!("the policy of key {}", key.id),
                    evidence,
                ));
            }
            Some(Err(failure)) => return read_failed("key policy", failure),
            Some(Ok(text)) => text,
        };
        let policy = match Policy::parse(text) {
            Ok(policy) => policy,
            Err(error) => return undecided(error.to_string()),
        };
        for action in KEY_ACTIONS {
            let request = Request::cloudwatch(action, &description.arn, &alarm.arn, alarm_account(alarm));
            match policy.decide(&request) {
                Decision::Allowed => {}
                Decision::Denied(statement) => {
                    return refused(format!(
                        "statement {statement} of its key policy denies {CLOUDWATCH} {action}"
                    ));
                }
                Decision::NotAllowed => {
                    return refused(format!("its key policy does not allow {CLOUDWATCH} {action}"));
                }
                Decision::Unknown(why) => return undecided(why),
            }
        }
        None
    }
}

/// The account an alarm belongs to, from its ARN.
pub(super) fn alarm_account(alarm: &Alarm) -> &str {
    Arn::parse(&alarm.arn).map_or("", |arn| arn.account)
}
