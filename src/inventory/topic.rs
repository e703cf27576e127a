//! SNS topics: the subscriptions an alarm's notification reaches.

use serde::Serialize;

use crate::arn::Arn;

/// A subscription of an SNS topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// The subscription ARN, or `PendingConfirmation` before it is confirmed.
    pub arn: String,
    /// The protocol (`email`, `sqs`, `lambda`...). The endpoint is not kept: it may be personal.
    pub protocol: String,
}

impl Subscription {
    /// Whether the subscription is confirmed: its ARN is a real ARN.
    pub fn is_confirmed(&self) -> bool {
        Arn::parse(&self.arn).is_some_and(|arn| arn.service == "sns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_subscription_arns_are_confirmed() {
        let subscription = |arn: &str| Subscription { arn: arn.to_string(), protocol: "email".to_string() };
        assert!(
            subscription("arn:aws:sns:us-east-1:111122223333:alerts:6b0e71bd-7e97-4d97-80ce-4a0994e55286")
                .is_confirmed()
        );
        assert!(!subscription("PendingConfirmation").is_confirmed());
        assert!(!subscription("Deleted").is_confirmed());
        assert!(!subscription("").is_confirmed());
    }
}
