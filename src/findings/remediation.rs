//! The remediation text of a finding: the command that mends the broken link, with the user's
//! own resource names.

use crate::arn::Arn;
use crate::evaluate::{Link, Status, Verdict};
use crate::identity::Identity;

/// What to do about the verdict, naming the user's own resources and the command that mends
/// the broken link, and the account where the fix goes when it is not the finding's own (an
/// organization trail's chain lives in the management account, its topic perhaps elsewhere).
pub(super) fn remediation_text(verdict: &Verdict, identity: &Identity) -> String {
    let text = link_remediation(verdict, identity);
    match fix_account(verdict) {
        Some(account) if account != identity.account && verdict.status != Status::Passed => {
            format!("In account {account}: {text}")
        }
        _ => text,
    }
}

/// The account that owns the resource of the verdict's broken link, when the evidence names it.
fn fix_account(verdict: &Verdict) -> Option<String> {
    let evidence = &verdict.evidence;
    let arn = match verdict.link {
        Link::TopicPolicy | Link::TopicKey | Link::Subscriber => evidence.topic_arn.as_deref(),
        Link::MetricFilter | Link::Alarm | Link::AlarmAction => evidence.log_group_arn.as_deref(),
        _ => evidence.trail_arn.as_deref(),
    }?;
    Arn::parse(arn).map(|arn| arn.account.to_string()).filter(|account| !account.is_empty())
}

/// The command that mends the broken link.
fn link_remediation(verdict: &Verdict, identity: &Identity) -> String {
    let evidence = &verdict.evidence;
    let control = verdict.control;
    let trail = evidence.trail_arn.as_deref().unwrap_or("<trail-name>");
    let group = evidence.log_group_name.as_deref().unwrap_or("<cloudtrail-log-group>");
    let namespace = evidence.metric_namespace.as_deref().unwrap_or("CISBenchmark");
    let metric =
        evidence.metric_name.clone().unwrap_or_else(|| format!("cis-{}", control.id().replace('.', "-")));
    let alarm =
        evidence.alarm_name.clone().unwrap_or_else(|| format!("cis-{}", control.id().replace('.', "-")));
    let metric_region = evidence
        .log_group_arn
        .as_deref()
        .and_then(Arn::parse)
        .map(|arn| arn.region.to_string())
        .unwrap_or_else(|| verdict.region.clone());
    let topic = evidence.topic_arn.clone().unwrap_or_else(|| {
        format!("arn:{}:sns:{metric_region}:{}:<topic>", identity.partition, identity.account)
    });
    let dimensions = evidence.metric_dimensions.as_deref().map_or_else(String::new, dimensions_option);
    let alarm_command = format!(
        "aws cloudwatch put-metric-alarm --region {metric_region} --alarm-name {alarm} --metric-name {metric} \
         --namespace {namespace}{dimensions} --statistic Sum --period 300 --threshold 1 --comparison-operator \
         GreaterThanOrEqualToThreshold --evaluation-periods 1 --datapoints-to-alarm 1 --treat-missing-data notBreaching \
         --actions-enabled --alarm-actions {topic}"
    );
    match (verdict.status, verdict.link) {
        (Status::Passed, _) => {
            "No action needed: every link holds. Keep the topic's subscription confirmed.".to_string()
        }
        (Status::NotAvailable, _) => format!(
            "The verdict is unknown: {} Grant the function the read permissions in template.yaml, then run it again.",
            verdict.description
        ),
        (Status::Warning, _) => format!("Verify by hand: {}", verdict.description),
        (_, Link::Region | Link::MultiRegionTrail) => format!(
            "Make a trail multi-region and send it to CloudWatch Logs: aws cloudtrail update-trail --name {trail} \
             --is-multi-region-trail (or create-trail --is-multi-region-trail), then start-logging."
        ),
        (_, Link::Logging) => format!("Start the trail: aws cloudtrail start-logging --name {trail}"),
        (_, Link::ManagementEvents) => format!(
            "Record all management events: aws cloudtrail put-event-selectors --trail-name {trail} --event-selectors \
             '[{{\"ReadWriteType\":\"All\",\"IncludeManagementEvents\":true}}]'"
        ),
        (_, Link::LogGroup) => format!(
            "Deliver the trail to CloudWatch Logs: aws cloudtrail update-trail --name {trail} \
             --cloud-watch-logs-log-group-arn arn:{}:logs:{metric_region}:{}:log-group:{group}:* --cloud-watch-logs-role-arn <role-arn>",
            identity.partition, identity.account
        ),
        (_, Link::Delivery) => format!(
            "Let CloudTrail write to the log group: role {} must trust cloudtrail.amazonaws.com and allow \
             logs:CreateLogStream and logs:PutLogEvents on arn:{}:logs:{metric_region}:{}:log-group:{group}:log-stream:*; \
             or give the trail a role that does: aws cloudtrail update-trail --name {trail} --cloud-watch-logs-role-arn <role-arn>",
            evidence.log_role_arn.as_deref().unwrap_or("<role-arn>"),
            identity.partition,
            identity.account
        ),
        (_, Link::MetricFilter) => {
            let filter = evidence
                .filter_name
                .clone()
                .unwrap_or_else(|| format!("cis-{}", control.id().replace('.', "-")));
            let full = format!(
                "aws logs put-metric-filter --region {metric_region} --log-group-name {group} --filter-name {filter} \
                 --metric-transformations metricName={metric},metricNamespace={namespace},metricValue=1 --filter-pattern '{}'",
                control.canonical_pattern()
            );
            if full.chars().count() <= 512 {
                full
            } else {
                format!(
                    "aws logs put-metric-filter --region {metric_region} --log-group-name {group} --filter-name {filter} \
                     --metric-transformations metricName={metric},metricNamespace={namespace},metricValue=1 \
                     --filter-pattern with the CIS pattern of {} (see the URL).",
                    control.id()
                )
            }
        }
        (_, Link::Alarm | Link::AlarmAction) => alarm_command,
        (_, Link::TopicPolicy) => format!(
            "Let CloudWatch publish: give topic {topic} an access policy statement allowing Principal \
             {{\"Service\":\"cloudwatch.amazonaws.com\"}} sns:Publish on it (Condition aws:SourceArn: the alarm's ARN), and \
             no Deny that matches: aws sns set-topic-attributes --region {metric_region} --topic-arn {topic} \
             --attribute-name Policy --attribute-value file://policy.json"
        ),
        (_, Link::TopicKey) => format!(
            "Encrypt topic {topic} with a customer managed key whose policy allows Principal \
             {{\"Service\":\"cloudwatch.amazonaws.com\"}} kms:Decrypt and kms:GenerateDataKey* (aws kms put-key-policy \
             --key-id {} --policy-name default --policy file://key-policy.json), then aws sns set-topic-attributes \
             --topic-arn {topic} --attribute-name KmsMasterKeyId --attribute-value <key>",
            evidence.topic_key.as_deref().filter(|key| !key.ends_with("alias/aws/sns")).unwrap_or("<key>")
        ),
        (_, Link::Subscriber) if verdict.reason_code == "SNS_SUBSCRIPTIONS_FILTER_ALARMS" => format!(
            "Let the alarm's notification through: aws sns set-subscription-attributes --subscription-arn {} \
             --attribute-name FilterPolicyScope --attribute-value MessageBody, then --attribute-name FilterPolicy \
             --attribute-value '{{\"NewStateValue\":[\"ALARM\"]}}' (or remove the filter policy).",
            evidence.subscription_arn.as_deref().unwrap_or("<subscription-arn>")
        ),
        (_, Link::Subscriber | Link::Complete) => format!(
            "Subscribe someone and confirm: aws sns subscribe --region {metric_region} --topic-arn {topic} --protocol email \
             --notification-endpoint <address>, then confirm from the message."
        ),
    }
}

/// ` --dimensions Name=A,Value=1 Name=B,Value=2` for the evidence's `{A=1, B=2}`.
fn dimensions_option(label: &str) -> String {
    let pairs: Vec<String> = label
        .trim_start_matches('{')
        .trim_end_matches('}')
        .split(", ")
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| format!("Name={name},Value={value}"))
        .collect();
    format!(" --dimensions {}", pairs.join(" "))
}
