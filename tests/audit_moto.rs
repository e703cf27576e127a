//! The audit end to end against moto's server: one test per way the chain breaks, the passing
//! cases the peers get wrong, and the publishing contract read back from Security Hub.

mod support;

use aws_sdk_cloudtrail::types::ReadWriteType;
use aws_sdk_cloudwatch::types::StandardUnit;
use aws_sdk_cloudwatchlogs::types::StandardUnit as LogsUnit;
use cis_monitor::clients::CallPolicy;
use cis_monitor::config::AuditConfig;
use cis_monitor::controls::Control;
use support::{
    ACCOUNT, Account, HOME, Proxy, Publishing, Selectors, TrailSpec, config_for, description, healthy,
    publication, verdict,
};

const EU: &str = "eu-west-1";

fn status(summary: &cis_monitor::summary::AuditSummary, region: &str, control: Control) -> (String, String) {
    verdict(summary, region, control)
}

fn passed() -> (String, String) {
    ("PASSED".to_string(), String::new())
}

fn failed(code: &str) -> (String, String) {
    ("FAILED".to_string(), code.to_string())
}

#[tokio::test]
async fn healthy_account_passes_in_every_region_and_findings_keep_the_contract() {
    let account = Account::healthy().await;
    let summary = account.audit(&[HOME, EU], true).await;
    for region in [HOME, EU] {
        for control in Control::ALL {
            assert_eq!(
                status(&summary, region, control),
                passed(),
                "{region} {control}: {}",
                description(&summary, region, control)
            );
        }
    }
    assert_eq!(summary.totals.imported, 6);
    let findings = account.findings(EU).await;
    assert_eq!(findings.len(), 3);
    let finding = findings
        .iter()
        .find(|f| f.generator_id() == Some("cis-monitor/CloudWatch.5"))
        .expect("CloudWatch.5 finding");
    assert_eq!(finding.id(), Some(format!("cis-monitor/{ACCOUNT}/{EU}/CloudWatch.5").as_str()));
    assert_eq!(
        finding.product_arn(),
        Some(format!("arn:aws:securityhub:{EU}:{ACCOUNT}:product/{ACCOUNT}/default").as_str())
    );
    assert_eq!(
        finding.types(),
        ["Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"]
    );
    assert_eq!(finding.severity().and_then(|s| s.label()).map(|l| l.as_str()), Some("INFORMATIONAL"));
    let compliance = finding.compliance().expect("compliance");
    assert_eq!(compliance.status().map(|s| s.as_str()), Some("PASSED"));
    assert!(
        compliance.related_requirements().iter().any(|r| r == "CIS AWS Foundations Benchmark v1.4.0/4.5")
    );
    let kinds: Vec<&str> = finding.resources().iter().filter_map(|r| r.r#type()).collect();
    assert_eq!(kinds, ["AwsAccount", "AwsCloudTrailTrail", "Other", "AwsCloudWatchAlarm", "AwsSnsTopic"]);
    let log_group = finding.resources().iter().find(|r| r.r#type() == Some("Other")).and_then(|r| r.id());
    let group = healthy::LOG_GROUP;
    assert_eq!(log_group, Some(format!("arn:aws:logs:{HOME}:{ACCOUNT}:log-group:{group}").as_str()));
    assert_eq!((finding.product_name(), finding.company_name()), (Some("cis-monitor"), Some("cis-monitor")));
    let fields = finding.product_fields().expect("product fields");
    assert_eq!(fields.get("cis-monitor/evidence/TrailHomeRegion").map(String::as_str), Some(HOME));
    assert_eq!(fields.get("cis-monitor/evidence/FilterExactCis").map(String::as_str), Some("true"));
    assert!(
        finding
            .remediation()
            .and_then(|r| r.recommendation())
            .and_then(|r| r.url())
            .is_some_and(|u| u.contains("CloudWatch.5"))
    );
}

#[tokio::test]
async fn single_region_trail_fails_multi_region() {
    let account = Account::new().await;
    account.trail(TrailSpec { multi_region: false, ..TrailSpec::default() }).await;
    let summary = account.audit(&[HOME, EU], false).await;
    assert_eq!(
        status(&summary, HOME, Control::CloudTrailChanges),
        failed("CLOUDTRAIL_MULTI_REGION_NOT_PRESENT")
    );
    assert_eq!(status(&summary, EU, Control::VpcChanges), failed("CLOUDTRAIL_MULTI_REGION_NOT_PRESENT"));
}

#[tokio::test]
async fn stopped_trail_fails_logging() {
    let account = Account::new().await;
    account.trail(TrailSpec { logging: false, ..TrailSpec::default() }).await;
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(status(&summary, HOME, Control::KmsKeyChanges), failed("CLOUDTRAIL_NOT_LOGGING"));
}

#[tokio::test]
async fn trails_without_management_events_fail() {
    let account = Account::new().await;
    account.trail(TrailSpec { selectors: Selectors::None, ..TrailSpec::default() }).await;
    account
        .trail(TrailSpec {
            name: "write-only",
            selectors: Selectors::Classic { read_write: ReadWriteType::WriteOnly, exclude_kms: false },
            ..TrailSpec::default()
        })
        .await;
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(
        status(&summary, HOME, Control::VpcChanges),
        failed("CLOUDTRAIL_MANAGEMENT_EVENTS_NOT_RECORDED")
    );
}

#[tokio::test]
async fn excluding_kms_fails_only_the_kms_control() {
    let account = Account::healthy().await;
    account
        .trail(TrailSpec {
            selectors: Selectors::Classic { read_write: ReadWriteType::All, exclude_kms: true },
            ..TrailSpec::default()
        })
        .await;
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(status(&summary, HOME, Control::KmsKeyChanges), failed("CLOUDTRAIL_KMS_EVENTS_EXCLUDED"));
    assert_eq!(status(&summary, HOME, Control::CloudTrailChanges), passed());
}

#[tokio::test]
async fn advanced_event_selectors_pass() {
    let account = Account::healthy().await;
    account.trail(TrailSpec { selectors: Selectors::AdvancedManagement, ..TrailSpec::default() }).await;
    let summary = account.audit(&[HOME], false).await;
    for control in Control::ALL {
        assert_eq!(status(&summary, HOME, control), passed(), "{}", description(&summary, HOME, control));
    }
}

#[tokio::test]
async fn trail_without_log_group_fails() {
    let account = Account::new().await;
    account.trail(TrailSpec { log_group: None, ..TrailSpec::default() }).await;
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(
        status(&summary, HOME, Control::CloudTrailChanges),
        failed("CLOUDTRAIL_LOG_GROUP_NOT_PRESENT")
    );
}

#[tokio::test]
async fn filter_on_another_log_group_does_not_count() {
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let topic = account.topic(HOME, healthy::TOPIC, true).await;
    account
        .cis_filter(HOME, "application-logs", Control::VpcChanges, Control::VpcChanges.canonical_pattern())
        .await;
    account.alarm(account.alarm_spec(Control::VpcChanges, &topic)).await;
    let summary = account.audit(&[HOME], false).await;
    let (status, code) = status(&summary, HOME, Control::VpcChanges);
    assert_eq!(status, "FAILED");
    assert_eq!(
        code,
        "CLOUDTRAIL_METRIC_FILTERS_NOT_PRESENT",
        "{}",
        description(&summary, HOME, Control::VpcChanges)
    );
}

#[tokio::test]
async fn patterns_are_judged_by_meaning() {
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let topic = account.topic(HOME, healthy::TOPIC, true).await;
    let group = healthy::LOG_GROUP;
    // Reordered, split over lines and with wildcards: passes (Security Hub would fail it).
    let trail_pattern = "{\n  ($.eventName = *Logging) ||\n  ($.eventName = \"*Trail\")\n}";
    // KMS without the eventSource clause: broader, still complete.
    let kms_pattern = "{ ($.eventName = ScheduleKeyDeletion) || ($.eventName = DisableKey) }";
    // A narrowing clause loses every non-root change.
    let vpc_pattern = "{ (($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || \
        ($.eventName = *VpcPeeringConnection) || ($.eventName = *ClassicLink*)) && ($.userIdentity.type = Root) }";
    for (control, pattern) in [
        (Control::CloudTrailChanges, trail_pattern),
        (Control::KmsKeyChanges, kms_pattern),
        (Control::VpcChanges, vpc_pattern),
    ] {
        account.cis_filter(HOME, group, control, pattern).await;
        account.alarm(account.alarm_spec(control, &topic)).await;
    }
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(
        status(&summary, HOME, Control::CloudTrailChanges),
        passed(),
        "{}",
        description(&summary, HOME, Control::CloudTrailChanges)
    );
    assert_eq!(status(&summary, HOME, Control::KmsKeyChanges), passed());
    assert_eq!(status(&summary, HOME, Control::VpcChanges), failed("CLOUDTRAIL_METRIC_FILTER_NOT_VALID"));
    assert!(description(&summary, HOME, Control::VpcChanges).contains("$.userIdentity.type"));
}

#[tokio::test]
async fn alarm_must_be_in_the_log_groups_region_and_namespace() {
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let topic = account.topic(HOME, healthy::TOPIC, true).await;
    let group = healthy::LOG_GROUP;
    for control in Control::ALL {
        account.cis_filter(HOME, group, control, control.canonical_pattern()).await;
    }
    let mut elsewhere = account.alarm_spec(Control::CloudTrailChanges, &topic);
    elsewhere.region = EU;
    account.alarm(elsewhere).await;
    let mut other_namespace = account.alarm_spec(Control::KmsKeyChanges, &topic);
    other_namespace.namespace = "OtherNamespace";
    account.alarm(other_namespace).await;
    let mut disabled = account.alarm_spec(Control::VpcChanges, &topic);
    disabled.actions_enabled = false;
    account.alarm(disabled).await;
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(status(&summary, HOME, Control::CloudTrailChanges), failed("CLOUDWATCH_ALARMS_NOT_PRESENT"));
    assert_eq!(status(&summary, HOME, Control::KmsKeyChanges), failed("CLOUDWATCH_ALARMS_NOT_PRESENT"));
    assert_eq!(status(&summary, HOME, Control::VpcChanges), failed("CLOUDWATCH_ALARM_ACTIONS_DISABLED"));
}

#[tokio::test]
async fn alarm_that_cannot_fire_and_topic_without_subscriber_fail() {
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let subscribed = account.topic(HOME, healthy::TOPIC, true).await;
    let silent = account.topic(HOME, "nobody-listens", false).await;
    let group = healthy::LOG_GROUP;
    for control in Control::ALL {
        account.cis_filter(HOME, group, control, control.canonical_pattern()).await;
    }
    let mut high_threshold = account.alarm_spec(Control::CloudTrailChanges, &subscribed);
    high_threshold.threshold = 5.0;
    account.alarm(high_threshold).await;
    account.alarm(account.alarm_spec(Control::KmsKeyChanges, &silent)).await;
    let mut no_sns = account.alarm_spec(Control::VpcChanges, &subscribed);
    no_sns.actions = vec![format!("arn:aws:automate:{HOME}:ec2:stop")];
    account.alarm(no_sns).await;
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(status(&summary, HOME, Control::CloudTrailChanges), failed("CLOUDWATCH_ALARM_CANNOT_FIRE"));
    assert_eq!(status(&summary, HOME, Control::KmsKeyChanges), failed("SNS_SUBSCRIPTION_NOT_PRESENT"));
    assert_eq!(status(&summary, HOME, Control::VpcChanges), failed("CLOUDWATCH_ALARM_ACTIONS_NOT_VALID"));
}

#[tokio::test]
async fn of_two_trails_the_qualifying_one_wins_and_covers_other_regions() {
    let account = Account::healthy().await;
    let local = account
        .trail(TrailSpec { name: "eu-local", region: EU, multi_region: false, ..TrailSpec::default() })
        .await;
    let summary = account.audit(&[EU], true).await;
    assert_eq!(
        status(&summary, EU, Control::VpcChanges),
        passed(),
        "{}",
        description(&summary, EU, Control::VpcChanges)
    );
    let finding = account
        .findings(EU)
        .await
        .into_iter()
        .find(|f| f.generator_id() == Some("cis-monitor/CloudWatch.14"))
        .expect("finding");
    let fields = finding.product_fields().expect("fields");
    let trail = fields.get("cis-monitor/evidence/TrailArn").expect("trail evidence");
    assert_ne!(trail, &local);
    assert!(trail.contains(":us-east-1:"), "{trail}");
}

#[tokio::test]
async fn rerun_keeps_ids_and_creation_time_and_advances_update_time() {
    let account = Account::healthy().await;
    account.audit(&[HOME], true).await;
    let first = account.findings(HOME).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    account.audit(&[HOME], true).await;
    let second = account.findings(HOME).await;
    assert_eq!(first.len(), 3);
    assert_eq!(second.len(), 3);
    for earlier in &first {
        let later = second.iter().find(|f| f.id() == earlier.id()).expect("same Id");
        assert_eq!(later.created_at(), earlier.created_at());
        assert_eq!(later.first_observed_at(), earlier.first_observed_at());
        assert!(
            later.updated_at() > earlier.updated_at(),
            "{:?} !> {:?}",
            later.updated_at(),
            earlier.updated_at()
        );
    }
}

#[tokio::test]
async fn dry_run_imports_nothing() {
    let account = Account::healthy().await;
    let summary = account.audit(&[HOME], false).await;
    assert!(!summary.published);
    assert_eq!(summary.totals.imported, 0);
    assert!(account.findings(HOME).await.is_empty());
}

#[tokio::test]
async fn region_without_security_hub_is_skipped_and_reported() {
    // moto accepts Security Hub calls in a region where the hub is not enabled; AWS refuses
    // them with InvalidAccessException, which the proxy's --hub-check reproduces.
    let account = Account::healthy().await;
    let proxy = Proxy::start(&account.moto.endpoint, &["--hub-check"]);
    let config = config_for(&[HOME, "ap-southeast-2"]);
    let summary = proxy.audit(CallPolicy::default(), &config).await;
    let reason = publication(&summary, "ap-southeast-2").skipped.expect("skipped");
    assert!(reason.contains("not enabled"), "{reason}");
    assert_eq!(summary.totals.skipped_regions, 1);
    assert_eq!(status(&summary, "ap-southeast-2", Control::CloudTrailChanges), passed());
    assert_eq!(account.findings(HOME).await.len(), 3);
    assert!(account.findings("ap-southeast-2").await.is_empty());
}

#[tokio::test]
async fn controls_dropped_from_scope_are_archived() {
    let account = Account::healthy().await;
    account.audit(&[HOME], true).await;
    let only_kms = AuditConfig { controls: vec![Control::KmsKeyChanges], ..config_for(&[HOME]) };
    let summary = account.audit_with(&only_kms).await;
    assert_eq!(summary.totals.archived, 2);
    let findings = account.findings(HOME).await;
    let state = |control: &str| {
        findings
            .iter()
            .find(|f| f.generator_id() == Some(&format!("cis-monitor/{control}")))
            .and_then(|f| f.record_state())
            .map(|s| s.as_str().to_string())
    };
    assert_eq!(state("CloudWatch.7").as_deref(), Some("ACTIVE"));
    assert_eq!(state("CloudWatch.5").as_deref(), Some("ARCHIVED"));
    assert_eq!(state("CloudWatch.14").as_deref(), Some("ARCHIVED"));
}

#[tokio::test]
async fn failed_findings_carry_the_configured_severity_and_remediation() {
    let account = Account::new().await;
    account.trail(TrailSpec { logging: false, ..TrailSpec::default() }).await;
    account.enable_security_hub(HOME).await;
    let config =
        AuditConfig { failed_severity: cis_monitor::findings::SeverityLabel::High, ..config_for(&[HOME]) };
    account.audit_with(&config).await;
    let findings = account.findings(HOME).await;
    assert_eq!(findings.len(), 3);
    for finding in findings {
        assert_eq!(finding.severity().and_then(|s| s.label()).map(|l| l.as_str()), Some("HIGH"));
        let reasons = finding.compliance().map(|c| c.status_reasons().to_vec()).unwrap_or_default();
        assert_eq!(reasons.first().and_then(|r| r.reason_code()), Some("CLOUDTRAIL_NOT_LOGGING"));
        let text = finding
            .remediation()
            .and_then(|r| r.recommendation())
            .and_then(|r| r.text())
            .unwrap_or_default()
            .to_string();
        assert!(text.contains("aws cloudtrail start-logging --name arn:aws:cloudtrail:us-east-1:"), "{text}");
    }
}

#[tokio::test]
async fn an_alarm_must_watch_the_stream_the_filter_publishes_and_change_state() {
    // The four ways issue 15 found an alarm that never notifies, reported PASSED before.
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let topic = account.topic(HOME, healthy::TOPIC, true).await;
    let group = healthy::LOG_GROUP;
    let publish = |control: Control, publishing: Publishing<'static>| {
        let account = &account;
        async move {
            account
                .filter_publishing(
                    HOME,
                    group,
                    &healthy::filter_name(control),
                    control.canonical_pattern(),
                    healthy::NAMESPACE,
                    &healthy::metric_name(control),
                    publishing,
                )
                .await;
        }
    };
    // CloudWatch.7: a dimensionless filter, an alarm on the Environment=prod stream.
    publish(Control::KmsKeyChanges, Publishing::default()).await;
    let mut prod = account.alarm_spec(Control::KmsKeyChanges, &topic);
    prod.dimensions = vec![("Environment", "prod")];
    account.alarm(prod).await;
    // CloudWatch.5: the filter publishes in Count, the alarm asks for Seconds.
    publish(Control::CloudTrailChanges, Publishing { unit: Some(LogsUnit::Count), ..Publishing::default() })
        .await;
    let mut seconds = account.alarm_spec(Control::CloudTrailChanges, &topic);
    seconds.unit = Some(StandardUnit::Seconds);
    account.alarm(seconds).await;
    // CloudWatch.14: one stream per event, the alarm on the dimensionless metric.
    let per_event = Publishing { dimensions: vec![("EventName", "$.eventName")], ..Publishing::default() };
    publish(Control::VpcChanges, per_event).await;
    account.alarm(account.alarm_spec(Control::VpcChanges, &topic)).await;
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(status(&summary, HOME, Control::KmsKeyChanges), failed("CLOUDWATCH_ALARM_STREAM_NOT_WATCHED"));
    assert!(description(&summary, HOME, Control::KmsKeyChanges).contains("{Environment=prod}"));
    assert_eq!(status(&summary, HOME, Control::CloudTrailChanges), failed("CLOUDWATCH_ALARM_CANNOT_FIRE"));
    assert!(description(&summary, HOME, Control::CloudTrailChanges).contains("unit Seconds"));
    assert_eq!(status(&summary, HOME, Control::VpcChanges), failed("CLOUDWATCH_ALARM_STREAM_NOT_WATCHED"));

    // Missing data treated as breaching, and the filter publishes no default value.
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let topic = account.topic(HOME, healthy::TOPIC, true).await;
    account.cis_filter(HOME, group, Control::KmsKeyChanges, Control::KmsKeyChanges.canonical_pattern()).await;
    let mut breaching = account.alarm_spec(Control::KmsKeyChanges, &topic);
    breaching.treat_missing_data = Some("breaching");
    account.alarm(breaching).await;
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(status(&summary, HOME, Control::KmsKeyChanges), failed("CLOUDWATCH_ALARM_CANNOT_FIRE"));
    assert!(description(&summary, HOME, Control::KmsKeyChanges).contains("breaching"));
}

#[tokio::test]
async fn alarms_on_every_per_event_stream_complete_the_chain() {
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let topic = account.topic(HOME, healthy::TOPIC, true).await;
    let control = Control::CloudTrailChanges;
    let per_event = Publishing { dimensions: vec![("EventName", "$.eventName")], ..Publishing::default() };
    account
        .filter_publishing(
            HOME,
            healthy::LOG_GROUP,
            &healthy::filter_name(control),
            control.canonical_pattern(),
            healthy::NAMESPACE,
            &healthy::metric_name(control),
            per_event,
        )
        .await;
    for event in control.required_events() {
        let mut spec = account.alarm_spec(control, &topic);
        spec.name = format!("{}-{}", spec.name, event.name);
        spec.dimensions = vec![("EventName", event.name)];
        account.alarm(spec).await;
    }
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(status(&summary, HOME, control), passed(), "{}", description(&summary, HOME, control));
}

#[tokio::test]
async fn a_deleted_log_role_fails_the_delivery_link_on_the_next_run() {
    let account = Account::healthy().await;
    let first = account.audit(&[HOME], false).await;
    for control in Control::ALL {
        assert_eq!(status(&first, HOME, control), passed(), "{}", description(&first, HOME, control));
    }
    account.moto.iam(&[("Action", "DeleteRole"), ("RoleName", healthy::LOG_ROLE)]);
    let second = account.audit(&[HOME], false).await;
    for control in Control::ALL {
        assert_eq!(status(&second, HOME, control), failed("CLOUDTRAIL_LOG_DELIVERY_FAILING"));
        assert!(description(&second, HOME, control).contains(healthy::LOG_ROLE));
    }
}

#[tokio::test]
async fn the_notification_must_reach_a_subscriber_through_key_policy_and_filter() {
    // The four ways issue 14 found a notification that never arrives, reported PASSED before:
    // each account has one topic per control, each broken in one way.
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let group = healthy::LOG_GROUP;
    let aws_key = account.topic(HOME, "aws-managed-key", true).await;
    account.set_topic_attribute(HOME, &aws_key, "KmsMasterKeyId", "alias/aws/sns").await;
    let own_key = account.topic(HOME, "own-key", true).await;
    let root_only = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "kms:*", "Resource": "*"}]});
    account.encrypt_topic(HOME, &own_key, Some(root_only.to_string())).await;
    let denying = account.topic(HOME, "denies-cloudwatch", true).await;
    let deny = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoCloudWatch", "Effect": "Deny",
        "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": denying}]});
    account.set_topic_attribute(HOME, &denying, "Policy", &deny.to_string()).await;
    let topics = [
        (Control::CloudTrailChanges, aws_key),
        (Control::KmsKeyChanges, own_key),
        (Control::VpcChanges, denying),
    ];
    for (control, topic) in &topics {
        account.cis_filter(HOME, group, *control, control.canonical_pattern()).await;
        account.alarm(account.alarm_spec(*control, topic)).await;
    }
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(status(&summary, HOME, Control::CloudTrailChanges), failed("SNS_TOPIC_KEY_DENIES_CLOUDWATCH"));
    assert_eq!(status(&summary, HOME, Control::KmsKeyChanges), failed("SNS_TOPIC_KEY_DENIES_CLOUDWATCH"));
    assert!(description(&summary, HOME, Control::KmsKeyChanges).contains("kms:Decrypt"));
    assert_eq!(status(&summary, HOME, Control::VpcChanges), failed("SNS_TOPIC_POLICY_DENIES_CLOUDWATCH"));
    assert!(description(&summary, HOME, Control::VpcChanges).contains("NoCloudWatch"));

    // Every confirmed subscription filters on message attributes, which alarms do not send;
    // then a second subscription filters on the notification's body and receives it.
    let account = Account::healthy().await;
    let topic = format!("arn:aws:sns:{HOME}:{ACCOUNT}:{}", healthy::TOPIC);
    let sns = aws_sdk_sns::Client::new(&account.config);
    let subscriptions = sns.list_subscriptions_by_topic().topic_arn(&topic).send().await.expect("listed");
    let first = subscriptions.subscriptions()[0].subscription_arn().expect("an ARN").to_string();
    sns.set_subscription_attributes()
        .subscription_arn(&first)
        .attribute_name("FilterPolicy")
        .attribute_value(r#"{"severity": ["critical"]}"#)
        .send()
        .await
        .expect("filter set");
    let summary = account.audit(&[HOME], false).await;
    for control in Control::ALL {
        assert_eq!(status(&summary, HOME, control), failed("SNS_SUBSCRIPTIONS_FILTER_ALARMS"));
    }
    let second = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("email")
        .endpoint("oncall@example.com")
        .return_subscription_arn(true)
        .send()
        .await
        .expect("subscribed");
    let second = second.subscription_arn().expect("an ARN").to_string();
    for (name, value) in
        [("FilterPolicyScope", "MessageBody"), ("FilterPolicy", r#"{"NewStateValue": ["ALARM"]}"#)]
    {
        sns.set_subscription_attributes()
            .subscription_arn(&second)
            .attribute_name(name)
            .attribute_value(value)
            .send()
            .await
            .expect("filter set");
    }
    let summary = account.audit(&[HOME], false).await;
    for control in Control::ALL {
        assert_eq!(status(&summary, HOME, control), passed(), "{}", description(&summary, HOME, control));
    }
}

#[tokio::test]
async fn one_filter_per_event_each_with_its_alarm_passes() {
    let account = Account::new().await;
    account.trail(TrailSpec::default()).await;
    let topic = account.topic(HOME, healthy::TOPIC, true).await;
    let control = Control::CloudTrailChanges;
    for event in control.required_events() {
        let metric = format!("cis-{}", event.name);
        let pattern = format!("{{ $.eventName = {} }}", event.name);
        account.filter(HOME, healthy::LOG_GROUP, &metric, &pattern, healthy::NAMESPACE, &metric).await;
        let mut spec = account.alarm_spec(control, &topic);
        spec.name = metric.clone();
        spec.metric = metric;
        account.alarm(spec).await;
    }
    let summary = account.audit(&[HOME], false).await;
    assert_eq!(status(&summary, HOME, control), passed(), "{}", description(&summary, HOME, control));
    assert!(description(&summary, HOME, control).contains("cis-StopLogging (StopLogging)"));
}
