//! The subscriber's link: the topic the alarm notifies exists, in this account, and has a
//! confirmed subscription.

use crate::arn::Arn;
use crate::error::FailureKind;
use crate::inventory::MetricRef;

use super::chain::Walk;
use super::outcome::Outcome;
use super::{Evidence, Link, Status};

impl Walk<'_> {
    /// The chain through one SNS topic an alarm notifies.
    pub(super) fn topic(
        &self,
        topic: &str,
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
        if arn.account != self.identity.account {
            let code = if arn.region == metric.region {
                "SNS_TOPIC_CROSS_ACCOUNT"
            } else {
                "SNS_TOPIC_CROSS_ACCOUNT_CROSS_REGION"
            };
            return Outcome::warning(
                code,
                Link::Subscriber,
                format!(
                    "{alarm_name} notifies topic {topic} of account {}, whose subscribers cannot be listed from this account.",
                    arn.account
                ),
                &evidence,
            );
        }
        let what = format!("the subscriptions of topic {topic}");
        let subscriptions = match self.inventory.topics.get(topic) {
            None => return self.not_collected(Link::Subscriber, &what, &evidence),
            Some(Err(failure)) if failure.kind == FailureKind::NotFound => {
                return Outcome::failed(
                    "SNS_TOPIC_INVALID",
                    Link::AlarmAction,
                    format!("{alarm_name} notifies topic {topic}, which does not exist."),
                    &evidence,
                );
            }
            Some(Err(failure)) => return Outcome::unavailable(Link::Subscriber, &what, failure, &evidence),
            Some(Ok(subscriptions)) => subscriptions,
        };
        let confirmed = subscriptions.iter().filter(|subscription| subscription.is_confirmed()).count();
        evidence.confirmed_subscriptions = Some(confirmed);
        if confirmed == 0 {
            let pending = subscriptions.len();
            return Outcome::failed(
                "SNS_SUBSCRIPTION_NOT_PRESENT",
                Link::Subscriber,
                format!(
                    "{alarm_name} notifies topic {topic}, which has no confirmed subscriber ({pending} pending or unconfirmed)."
                ),
                &evidence,
            );
        }
        Outcome::new(
            Status::Passed,
            "",
            Link::Complete,
            format!(
                "{} are monitored in {}: multi-region trail {} delivers to log group {}, filter {} catches every required event, \
                 and {alarm_name} notifies topic {topic}, which has {confirmed} confirmed subscriber(s).",
                self.control.subject(),
                self.region,
                evidence.trail_arn.as_deref().unwrap_or_default(),
                evidence.log_group_name.as_deref().unwrap_or_default(),
                evidence.filter_name.as_deref().unwrap_or_default(),
            ),
            &evidence,
        )
    }
}
