//! The subscriber's link: the topic has a confirmed subscription whose filter policy (if any)
//! lets the alarm's ALARM notification through.

use crate::filter_policy::AlarmNotification;
use crate::inventory::{Alarm, Subscription};

use super::chain::Walk;
use super::outcome::Outcome;
use super::topic::alarm_account;
use super::{Evidence, Link, Status};

impl Walk<'_> {
    /// The chain through the subscriptions of `topic`, for the notification of `alarm`.
    pub(super) fn subscribers(
        &self,
        topic: &str,
        subscriptions: &[Subscription],
        alarm: &Alarm,
        alarm_name: &str,
        evidence: &Evidence,
    ) -> Outcome {
        let confirmed: Vec<&Subscription> =
            subscriptions.iter().filter(|subscription| subscription.is_confirmed()).collect();
        let mut evidence = Evidence { confirmed_subscriptions: Some(confirmed.len()), ..evidence.clone() };
        if confirmed.is_empty() {
            return Outcome::failed(
                "SNS_SUBSCRIPTION_NOT_PRESENT",
                Link::Subscriber,
                format!(
                    "{alarm_name} notifies topic {topic}, which has no confirmed subscriber ({} pending or unconfirmed).",
                    subscriptions.len()
                ),
                &evidence,
            );
        }
        let notification =
            AlarmNotification { name: &alarm.name, arn: &alarm.arn, account: alarm_account(alarm) };
        let mut filtered = Vec::new();
        let mut undecided = Vec::new();
        let mut unread = None;
        for subscription in &confirmed {
            let receives = match &subscription.filter {
                None => continue,
                Some(Err(failure)) => {
                    unread = unread.or(Some(failure));
                    continue;
                }
                Some(Ok(None)) => Some(true),
                Some(Ok(Some(filter))) => filter.accepts(&notification).unwrap_or(None),
            };
            match receives {
                Some(true) => {
                    evidence.subscription_arn = Some(subscription.arn.clone());
                    return self.passed(topic, alarm_name, confirmed.len(), &evidence);
                }
                Some(false) => filtered.push(subscription.arn.as_str()),
                None => undecided.push(subscription.arn.as_str()),
            }
        }
        if let Some(failure) = unread {
            return Outcome::unavailable(
                Link::Subscriber,
                &format!("the filter policies of the subscriptions of topic {topic}"),
                failure,
                &evidence,
            );
        }
        if let Some(first) = undecided.first() {
            evidence.subscription_arn = Some((*first).to_string());
            return Outcome::warning(
                "SNS_SUBSCRIPTION_FILTER_UNDECIDABLE",
                Link::Subscriber,
                format!(
                    "Whether the filter policies of {} let the ALARM notification of {alarm_name} through cannot be decided: \
                     they test fields of the notification whose values are not known before it is sent.",
                    undecided.join(", ")
                ),
                &evidence,
            );
        }
        evidence.subscription_arn = filtered.first().map(|arn| (*arn).to_string());
        Outcome::failed(
            "SNS_SUBSCRIPTIONS_FILTER_ALARMS",
            Link::Subscriber,
            format!(
                "{alarm_name} notifies topic {topic}, but the filter policy of every confirmed subscription ({}) drops its \
                 ALARM notification: CloudWatch sends no message attributes, and the body's NewStateValue is ALARM.",
                filtered.join(", ")
            ),
            &evidence,
        )
    }

    fn passed(&self, topic: &str, alarm_name: &str, confirmed: usize, evidence: &Evidence) -> Outcome {
        Outcome::new(
            Status::Passed,
            "",
            Link::Complete,
            format!(
                "{} are monitored in {}: multi-region trail {} delivers to log group {}, filter {} catches every required event, \
                 and {alarm_name} notifies topic {topic}, which has {confirmed} confirmed subscriber(s) receiving it.",
                self.control.subject(),
                self.region,
                evidence.trail_arn.as_deref().unwrap_or_default(),
                evidence.log_group_name.as_deref().unwrap_or_default(),
                evidence.filter_name.as_deref().unwrap_or_default(),
            ),
            evidence,
        )
    }
}
