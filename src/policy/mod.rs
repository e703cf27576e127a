//! Resource policies (an SNS topic's access policy, a KMS key's key policy), evaluated for one
//! request: may CloudWatch, raising a given alarm, perform an action on a resource? No AWS
//! dependency: the policy is the JSON document the service returned.
//!
//! The evaluation follows IAM's rules for a resource policy: an applicable `Deny` wins, else an
//! applicable `Allow` is needed. A statement applies when its principal, action, resource and
//! every condition match, each decided in three-valued logic ([`crate::logic`]): a condition
//! on a key the request does not carry, or an operator not understood here, is unknown, and an
//! unknown that could change the answer makes the whole decision [`Decision::Unknown`], never
//! an allow.
//!
//! CloudWatch publishing an alarm's notification is the service principal
//! `cloudwatch.amazonaws.com` acting for the alarm's account, with the alarm's ARN and account
//! as `aws:SourceArn` and `aws:SourceAccount` (and SNS's own `AWS:SourceOwner`). It is matched by
//! `"*"`, `{"AWS": "*"}` (which is how the default topic policy lets same-account alarms
//! publish) and a `Service` list naming it; an account or role principal is not the service.
//!
//! ```
//! use cis_monitor::policy::{Decision, Policy, Request};
//!
//! let policy: Policy = r#"{"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
//!     "Action": "sns:Publish", "Resource": "*",
//!     "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:*"}}}]}"#.parse()?;
//! let request = Request::cloudwatch("sns:Publish", "arn:aws:sns:us-east-1:444455556666:alerts",
//!     "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cis", "111122223333");
//! assert_eq!(policy.decide(&request), Decision::Allowed);
//! # Ok::<(), cis_monitor::policy::PolicyError>(())
//! ```

mod condition;
mod glob;

use std::str::FromStr;

use serde_json::Value as Json;

use crate::logic::and3;

use condition::Condition;
use glob::matches_wildcards;

/// The service principal that publishes alarm notifications.
pub const CLOUDWATCH: &str = "cloudwatch.amazonaws.com";

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    statements: Vec<Statement>,
}

/// A policy document that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the policy is not a policy document: {0}")]
pub struct PolicyError(String);

/// One request to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The service principal making it.
    pub service: String,
    /// The action (`sns:Publish`).
    pub action: String,
    /// The resource's ARN.
    pub resource: String,
    /// The request's context keys, lower-cased, and their values.
    pub context: Vec<(String, String)>,
}

impl Request {
    /// CloudWatch performing `action` on `resource` for the alarm `alarm_arn` of `account`.
    pub fn cloudwatch(action: &str, resource: &str, alarm_arn: &str, account: &str) -> Self {
        Request {
            service: CLOUDWATCH.to_string(),
            action: action.to_string(),
            resource: resource.to_string(),
            context: vec![
                ("aws:sourcearn".to_string(), alarm_arn.to_string()),
                ("aws:sourceaccount".to_string(), account.to_string()),
                ("aws:sourceowner".to_string(), account.to_string()),
                ("aws:principalservicename".to_string(), CLOUDWATCH.to_string()),
            ],
        }
    }

    /// The value of the context key `key` (case-insensitive), when the request carries it.
    fn value(&self, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.context.iter().find(|(name, _)| *name == key).map(|(_, value)| value.as_str())
    }
}

/// What the policy says of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Some statement allows it and none denies it.
    Allowed,
    /// A statement denies it; the statement's `Sid` (or its position) names it.
    Denied(String),
    /// No statement allows it.
    NotAllowed,
    /// It depends on what cannot be evaluated here; the reason says what.
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Statement {
    name: String,
    allow: bool,
    principal: Option<Principals>,
    not_principal: Option<Principals>,
    action: Option<Vec<String>>,
    not_action: Option<Vec<String>>,
    resource: Option<Vec<String>>,
    not_resource: Option<Vec<String>>,
    conditions: Vec<Condition>,
}

/// A `Principal` (or `NotPrincipal`) element.
#[derive(Debug, Clone, PartialEq)]
enum Principals {
    /// `"*"`
    Everyone,
    /// `{"AWS": [...], "Service": [...], ...}`
    Listed { aws: Vec<String>, services: Vec<String> },
}

impl Principals {
    /// Whether the element names `service`.
    fn names(&self, service: &str) -> bool {
        match self {
            Principals::Everyone => true,
            Principals::Listed { aws, services } => {
                aws.iter().any(|principal| principal == "*") || services.iter().any(|name| name == service)
            }
        }
    }
}

impl FromStr for Policy {
    type Err = PolicyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Policy::parse(text)
    }
}

impl Policy {
    /// Reads a policy document.
    ///
    /// # Errors
    ///
    /// [`PolicyError`] when the text is not JSON, or has no `Statement` of objects with an
    /// `Effect` of `Allow` or `Deny`.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        let document: Json = serde_json::from_str(text).map_err(|error| PolicyError(error.to_string()))?;
        let statements = match document.get("Statement") {
            Some(Json::Array(items)) => items.iter().collect(),
            Some(item @ Json::Object(_)) => vec![item],
            _ => return Err(PolicyError("no Statement".to_string())),
        };
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(index, statement)| Statement::parse(index, statement))
            .collect::<Result<_, _>>()?;
        Ok(Policy { statements })
    }

    /// Whether the policy allows `request`.
    pub fn decide(&self, request: &Request) -> Decision {
        let mut allowed = Some(false);
        let mut unknown_allow = None;
        let mut unknown_deny = None;
        for statement in &self.statements {
            let applies = statement.applies(request);
            match (statement.allow, applies) {
                (false, Some(true)) => return Decision::Denied(statement.name.clone()),
                (false, None) => unknown_deny = unknown_deny.or(Some(statement.name.clone())),
                (true, Some(true)) => allowed = Some(true),
                (true, None) => unknown_allow = unknown_allow.or(Some(statement.name.clone())),
                (_, Some(false)) => {}
            }
        }
        if let Some(name) = unknown_deny {
            return Decision::Unknown(format!(
                "whether statement {name} denies it depends on a condition that cannot be evaluated here"
            ));
        }
        match (allowed, unknown_allow) {
            (Some(true), _) => Decision::Allowed,
            (_, Some(name)) => Decision::Unknown(format!(
                "only statement {name} could allow it, on a condition that cannot be evaluated here"
            )),
            _ => Decision::NotAllowed,
        }
    }
}

impl Statement {
    fn parse(index: usize, statement: &Json) -> Result<Self, PolicyError> {
        let name = statement
            .get("Sid")
            .and_then(Json::as_str)
            .filter(|sid| !sid.is_empty())
            .map_or_else(|| format!("#{}", index + 1), |sid| format!("`{sid}`"));
        let allow = match statement.get("Effect").and_then(Json::as_str) {
            Some("Allow") => true,
            Some("Deny") => false,
            _ => return Err(PolicyError(format!("statement {name} has no Effect of Allow or Deny"))),
        };
        let conditions = match statement.get("Condition") {
            None => Vec::new(),
            Some(Json::Object(operators)) => {
                operators.iter().flat_map(|(operator, keys)| Condition::parse(operator, keys)).collect()
            }
            Some(_) => {
                return Err(PolicyError(format!("statement {name} has a Condition that is not an object")));
            }
        };
        Ok(Statement {
            name,
            allow,
            principal: statement.get("Principal").map(principals),
            not_principal: statement.get("NotPrincipal").map(principals),
            action: statement.get("Action").map(strings),
            not_action: statement.get("NotAction").map(strings),
            resource: statement.get("Resource").map(strings),
            not_resource: statement.get("NotResource").map(strings),
            conditions,
        })
    }

    /// Whether the statement applies to `request`: its principal, action, resource and every
    /// condition match.
    fn applies(&self, request: &Request) -> Option<bool> {
        let principal = match (&self.principal, &self.not_principal) {
            (Some(principal), _) => principal.names(&request.service),
            (None, Some(excluded)) => !excluded.names(&request.service),
            (None, None) => false,
        };
        let action = |patterns: &[String]| {
            patterns.iter().any(|pattern| {
                matches_wildcards(&pattern.to_ascii_lowercase(), &request.action.to_ascii_lowercase())
            })
        };
        let action = match (&self.action, &self.not_action) {
            (Some(patterns), _) => action(patterns),
            (None, Some(patterns)) => !action(patterns),
            (None, None) => false,
        };
        let resource = |patterns: &[String]| {
            patterns.iter().any(|pattern| matches_wildcards(pattern, &request.resource))
        };
        let resource = match (&self.resource, &self.not_resource) {
            (Some(patterns), _) => resource(patterns),
            (None, Some(patterns)) => !resource(patterns),
            (None, None) => false,
        };
        let mut applies = Some(principal && action && resource);
        for condition in &self.conditions {
            applies = and3(applies, condition.holds(request));
        }
        applies
    }
}

/// A `Principal` element.
fn principals(value: &Json) -> Principals {
    match value {
        Json::String(text) if text == "*" => Principals::Everyone,
        Json::Object(kinds) => Principals::Listed {
            aws: kinds.get("AWS").map(strings).unwrap_or_default(),
            services: kinds.get("Service").map(strings).unwrap_or_default(),
        },
        _ => Principals::Listed { aws: Vec::new(), services: Vec::new() },
    }
}

/// A string, or a list of strings (anything else counts as none).
fn strings(value: &Json) -> Vec<String> {
    match value {
        Json::String(text) => vec![text.clone()],
        Json::Array(items) => items.iter().filter_map(Json::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:alerts";
    const ALARM: &str = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:cis-CloudWatch-5";

    fn publish(account: &str) -> Request {
        Request::cloudwatch("sns:Publish", TOPIC, ALARM, account)
    }

    fn decide(policy: &str, request: &Request) -> Decision {
        policy.parse::<Policy>().expect("a policy").decide(request)
    }

    /// SNS's default topic policy, as CreateTopic writes it.
    const DEFAULT: &str = r#"{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID",
        "Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes",
        "SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic",
        "SNS:Publish"],"Resource":"arn:aws:sns:us-east-1:111122223333:alerts",
        "Condition":{"StringEquals":{"AWS:SourceOwner":"111122223333"}}}]}"#;

    #[test]
    fn the_default_policy_lets_same_account_alarms_publish() {
        assert_eq!(decide(DEFAULT, &publish("111122223333")), Decision::Allowed);
        assert_eq!(decide(DEFAULT, &publish("444455556666")), Decision::NotAllowed);
    }

    #[test]
    fn denies_win_and_other_principals_do_not_count() {
        let deny = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:*","Resource":"*"},
            {"Sid":"NoCloudWatch","Effect":"Deny","Principal":{"Service":["cloudwatch.amazonaws.com"]},"Action":"SNS:Publish","Resource":"*"}]}"#;
        assert_eq!(decide(deny, &publish("111122223333")), Decision::Denied("`NoCloudWatch`".to_string()));
        let others = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"*"},
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sns:Publish","Resource":"*"}]}"#;
        assert_eq!(decide(others, &publish("111122223333")), Decision::NotAllowed);
        let wrong_action =
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sns:Subscribe","Resource":"*"}}"#;
        assert_eq!(decide(wrong_action, &publish("111122223333")), Decision::NotAllowed);
        let other_topic = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:aws:sns:*:*:other"}}"#;
        assert_eq!(decide(other_topic, &publish("111122223333")), Decision::NotAllowed);
        let not_action =
            r#"{"Statement":{"Effect":"Deny","Principal":"*","NotAction":"sns:Publish","Resource":"*"}}"#;
        assert_eq!(decide(not_action, &publish("111122223333")), Decision::NotAllowed);
    }

    #[test]
    fn conditions_on_the_alarm_are_evaluated_and_others_are_unknown() {
        let cross_account = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},
            "Action":"sns:Publish","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:*:111122223333:alarm:*"},
            "StringEquals":{"aws:SourceAccount":["111122223333","999988887777"]}}}]}"#;
        assert_eq!(decide(cross_account, &publish("111122223333")), Decision::Allowed);
        assert_eq!(decide(cross_account, &publish("444455556666")), Decision::NotAllowed);
        let org = r#"{"Statement":[{"Sid":"Org","Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*",
            "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}"#;
        assert!(
            matches!(decide(org, &publish("111122223333")), Decision::Unknown(reason) if reason.contains("Org"))
        );
        let deny_unless_tls = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*"},
            {"Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        assert!(matches!(decide(deny_unless_tls, &publish("111122223333")), Decision::Unknown(_)));
        let not_like = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*",
            "Condition":{"ArnNotLike":{"aws:SourceArn":"arn:aws:cloudwatch:*:*:alarm:test-*"}}}]}"#;
        assert_eq!(decide(not_like, &publish("111122223333")), Decision::Allowed);
    }

    #[test]
    fn key_policies_must_name_cloudwatch() {
        let key = "arn:aws:kms:us-east-1:111122223333:key/0b5f3a53-8f0f-4c5e-9a36-4f8d2a6c1e77";
        let root_only = r#"{"Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",
            "Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;
        let decrypt = Request::cloudwatch("kms:Decrypt", key, ALARM, "111122223333");
        assert_eq!(decide(root_only, &decrypt), Decision::NotAllowed);
        let granted = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},
            "Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}"#;
        assert_eq!(decide(granted, &decrypt), Decision::Allowed);
        let generate = Request::cloudwatch("kms:GenerateDataKey", key, ALARM, "111122223333");
        assert_eq!(decide(granted, &generate), Decision::Allowed);
    }

    #[test]
    fn documents_that_are_not_policies_are_errors() {
        for bad in ["", "[]", r#"{"Statement": 1}"#, r#"{"Statement": [{"Effect": "Maybe"}]}"#, "not json"] {
            assert!(bad.parse::<Policy>().is_err(), "{bad:?}");
        }
    }
}
