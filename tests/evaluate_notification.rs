//! The notification must leave the alarm and reach a subscriber: the topic's access policy,
//! its key and the subscriptions' filter policies. Pure evaluation on the healthy inventory
//! with one of them changed.

mod support;

use cis_monitor::error::{ApiFailure, FailureKind};
use cis_monitor::evaluate::{Link, Status, Verdict};
use cis_monitor::inventory::{
    Inventory, KeyDescription, KeyRef, KeyState, Subscription, SubscriptionFilter, TopicAttributes,
    TopicState,
};
use support::healthy::ACCOUNT;
use support::inventory::{Names, alarm, default_topic_policy, healthy, topic, topic_state, verdicts};

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/0b5f3a53-8f0f-4c5e-9a36-4f8d2a6c1e77";

fn names() -> Names {
    Names::default()
}

/// The healthy inventory with the topic's state changed by `change`.
fn with_topic(change: impl FnOnce(&mut TopicState)) -> Inventory {
    let mut inventory = healthy(&names());
    change(inventory.topics.get_mut(&topic(&names())).expect("the topic"));
    inventory
}

fn attributes(state: &mut TopicState) -> &mut TopicAttributes {
    state.attributes.as_mut().expect("attributes")
}

/// Every control's (status, reason code, link): they share the topic, so they agree.
fn outcome(inventory: &Inventory) -> (Status, String, Link) {
    let verdicts: Vec<Verdict> = verdicts(inventory, &names());
    let first = (verdicts[0].status, verdicts[0].reason_code.clone(), verdicts[0].link);
    for verdict in &verdicts {
        assert_eq!(
            (verdict.status, verdict.reason_code.clone(), verdict.link),
            first,
            "{}",
            verdict.description
        );
    }
    first
}

fn passed() -> (Status, String, Link) {
    (Status::Passed, String::new(), Link::Complete)
}

fn description(inventory: &Inventory) -> String {
    verdicts(inventory, &names()).remove(0).description
}

fn encrypted_with(policy: Option<serde_json::Value>, aws_managed: bool) -> Inventory {
    let mut inventory = with_topic(|state| attributes(state).kms_master_key_id = Some(KEY.to_string()));
    let key = KeyRef::of_topic("us-east-1", ACCOUNT, KEY);
    inventory.keys.insert(
        key,
        KeyState {
            description: Ok(KeyDescription { arn: KEY.to_string(), aws_managed }),
            policy: policy.map(|policy| Ok(policy.to_string())),
        },
    );
    inventory
}

fn key_policy(cloudwatch: bool) -> serde_json::Value {
    let mut statements = vec![serde_json::json!({"Sid": "Root", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"})];
    if cloudwatch {
        statements.push(
            serde_json::json!({"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}),
        );
    }
    serde_json::json!({"Version": "2012-10-17", "Statement": statements})
}

#[test]
fn the_healthy_topic_passes() {
    assert_eq!(outcome(&healthy(&names())), passed());
}

#[test]
fn the_aws_managed_key_for_sns_never_lets_cloudwatch_publish() {
    let alias = with_topic(|state| attributes(state).kms_master_key_id = Some("alias/aws/sns".to_string()));
    let failed = (Status::Failed, "SNS_TOPIC_KEY_DENIES_CLOUDWATCH".to_string(), Link::TopicKey);
    assert_eq!(outcome(&alias), failed);
    assert!(description(&alias).contains("the key AWS manages for SNS"), "{}", description(&alias));
    assert_eq!(outcome(&encrypted_with(None, true)), failed, "the same key named by its id");
}

#[test]
fn a_customer_managed_key_must_let_cloudwatch_use_it() {
    assert_eq!(outcome(&encrypted_with(Some(key_policy(true)), false)), passed());
    let refused = encrypted_with(Some(key_policy(false)), false);
    assert_eq!(
        outcome(&refused),
        (Status::Failed, "SNS_TOPIC_KEY_DENIES_CLOUDWATCH".to_string(), Link::TopicKey)
    );
    assert!(description(&refused).contains("kms:Decrypt"), "{}", description(&refused));
}

#[test]
fn a_key_in_another_account_that_cannot_be_read_is_undecided() {
    let foreign = "arn:aws:kms:us-east-1:999988887777:key/0b5f3a53-8f0f-4c5e-9a36-4f8d2a6c1e77";
    let mut inventory = with_topic(|state| attributes(state).kms_master_key_id = Some(foreign.to_string()));
    let denied = ApiFailure {
        action: "kms:DescribeKey".to_string(),
        region: "us-east-1".to_string(),
        kind: FailureKind::AccessDenied,
        code: Some("AccessDeniedException".to_string()),
        message: "not authorized".to_string(),
    };
    inventory.keys.insert(
        KeyRef::of_topic("us-east-1", ACCOUNT, foreign),
        KeyState { description: Err(denied), policy: None },
    );
    assert_eq!(
        outcome(&inventory),
        (Status::Warning, "SNS_TOPIC_KEY_UNDECIDABLE".to_string(), Link::TopicKey)
    );
}

#[test]
fn the_topic_policy_must_let_cloudwatch_publish() {
    let deny = serde_json::json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sns:*", "Resource": "*"},
        {"Sid": "NoAlarms", "Effect": "Deny", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": "*"}]});
    let denied = with_topic(|state| attributes(state).policy = Some(deny.to_string()));
    let failed = (Status::Failed, "SNS_TOPIC_POLICY_DENIES_CLOUDWATCH".to_string(), Link::TopicPolicy);
    assert_eq!(outcome(&denied), failed);
    assert!(description(&denied).contains("`NoAlarms`"), "{}", description(&denied));
    let others = serde_json::json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish", "Resource": "*"}]});
    assert_eq!(outcome(&with_topic(|state| attributes(state).policy = Some(others.to_string()))), failed);
    let org = serde_json::json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish",
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]});
    let undecided = with_topic(|state| attributes(state).policy = Some(org.to_string()));
    assert_eq!(
        outcome(&undecided),
        (Status::Warning, "SNS_TOPIC_POLICY_UNDECIDABLE".to_string(), Link::TopicPolicy)
    );
}

#[test]
fn a_topic_of_another_account_passes_when_read_there_and_its_policy_allows_cloudwatch() {
    let central = "arn:aws:sns:us-east-1:999988887777:central-alerts".to_string();
    let mut inventory = healthy(&names());
    for alarms in inventory.alarms.values_mut() {
        for alarm in alarms.as_mut().expect("alarms") {
            alarm.alarm_actions = vec![central.clone()];
        }
    }
    // Not read: the topic's own account was not audited.
    let codes: Vec<String> = verdicts(&inventory, &names()).into_iter().map(|v| v.reason_code).collect();
    assert_eq!(codes, vec!["SNS_TOPIC_CROSS_ACCOUNT"; 3]);
    // Read in its account: the default policy admits its own account's alarms only.
    let mut state = topic_state(&names());
    state.attributes = Ok(TopicAttributes {
        kms_master_key_id: None,
        policy: Some(default_topic_policy(&names()).replace(ACCOUNT, "999988887777")),
    });
    inventory.topics.insert(central.clone(), state.clone());
    assert_eq!(outcome(&inventory).1, "SNS_TOPIC_POLICY_DENIES_CLOUDWATCH");
    let cross_account = serde_json::json!({"Statement": [{"Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": central,
        "Condition": {"ArnLike": {"aws:SourceArn": format!("arn:aws:cloudwatch:*:{ACCOUNT}:alarm:*")}}}]});
    state.attributes =
        Ok(TopicAttributes { kms_master_key_id: None, policy: Some(cross_account.to_string()) });
    inventory.topics.insert(central, state);
    assert_eq!(outcome(&inventory), passed());
}

fn subscription(suffix: &str, filter: Option<(&str, Option<&str>)>) -> Subscription {
    Subscription {
        arn: format!("{}:{suffix}", topic(&names())),
        protocol: "email".to_string(),
        filter: Some(Ok(filter.map(|(policy, scope)| SubscriptionFilter {
            policy: policy.to_string(),
            scope: scope.map(str::to_string),
        }))),
    }
}

fn subscribed(subscriptions: Vec<Subscription>) -> Inventory {
    with_topic(|state| state.subscriptions = Ok(subscriptions))
}

#[test]
fn filter_policies_must_let_the_alarm_notification_through() {
    let attributes = subscribed(vec![subscription("a", Some((r#"{"severity": ["critical"]}"#, None)))]);
    assert_eq!(
        outcome(&attributes),
        (Status::Failed, "SNS_SUBSCRIPTIONS_FILTER_ALARMS".to_string(), Link::Subscriber)
    );
    let body =
        subscribed(vec![subscription("a", Some((r#"{"NewStateValue": ["ALARM"]}"#, Some("MessageBody"))))]);
    assert_eq!(outcome(&body), passed());
    let one_of_two = subscribed(vec![
        subscription("a", Some((r#"{"severity": ["critical"]}"#, None))),
        subscription("b", Some((r#"{"AlarmName": [{"prefix": "alarm-"}]}"#, Some("MessageBody")))),
    ]);
    assert_eq!(outcome(&one_of_two), passed());
    let undecided =
        subscribed(vec![subscription("a", Some((r#"{"Region": ["EU (Ireland)"]}"#, Some("MessageBody"))))]);
    assert_eq!(
        outcome(&undecided),
        (Status::Warning, "SNS_SUBSCRIPTION_FILTER_UNDECIDABLE".to_string(), Link::Subscriber)
    );
    let unread = ApiFailure {
        action: "sns:GetSubscriptionAttributes".to_string(),
        region: "us-east-1".to_string(),
        kind: FailureKind::AccessDenied,
        code: Some("AuthorizationError".to_string()),
        message: "not authorized".to_string(),
    };
    let mut denied = subscription("a", None);
    denied.filter = Some(Err(unread));
    let denied = subscribed(vec![denied]);
    assert_eq!(outcome(&denied), (Status::NotAvailable, "ACCESS_DENIED".to_string(), Link::Subscriber));
    assert!(description(&denied).contains("sns:GetSubscriptionAttributes"));
}

#[test]
fn the_alarm_it_is_judged_for_is_the_one_that_notifies() {
    // A body-scoped filter on one alarm's name lets that alarm's notification through only.
    let filter = format!(
        r#"{{"AlarmName": ["{}"]}}"#,
        alarm(&names(), cis_monitor::controls::Control::KmsKeyChanges, vec![]).name
    );
    let inventory = subscribed(vec![subscription("a", Some((&filter, Some("MessageBody"))))]);
    let statuses: Vec<Status> = verdicts(&inventory, &names()).into_iter().map(|v| v.status).collect();
    assert_eq!(statuses, vec![Status::Failed, Status::Passed, Status::Failed]);
}
