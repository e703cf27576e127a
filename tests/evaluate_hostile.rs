//! Hostile or unusual resource data, evaluated by the pure core: odd names, many filters,
//! metric-math alarms, other accounts and partitions. Correct verdicts, never a panic.

mod support;

use cis_monitor::controls::Control;
use cis_monitor::evaluate::{Status, Verdict, evaluate};
use cis_monitor::findings::{FindingSettings, SeverityLabel, build_finding};
use cis_monitor::inventory::{AccountRegion, Inventory, MetricFilter, MetricQuery};
use cis_monitor::time::Timestamp;
use support::healthy::{ACCOUNT, filter_name};
use support::inventory::{Names, alarm, healthy, identity, metric, topic, verdicts};

fn statuses(verdicts: &[Verdict]) -> Vec<(Status, String)> {
    verdicts.iter().map(|v| (v.status, v.reason_code.clone())).collect()
}

fn group_of(inventory: &mut Inventory) -> &mut Vec<MetricFilter> {
    inventory.log_groups.values_mut().next().expect("a group").as_mut().expect("filters")
}

#[test]
fn the_healthy_inventory_passes() {
    let names = Names::default();
    let passed = vec![(Status::Passed, String::new()); 3];
    assert_eq!(statuses(&verdicts(&healthy(&names), &names)), passed);
}

#[test]
fn other_partitions_and_unicode_names_keep_their_parts() {
    let names = Names {
        partition: "aws-cn",
        region: "cn-north-1",
        group: "日志/云迹 🚨 \u{202e}rtl\u{202c}".to_string(),
    };
    let inventory = healthy(&names);
    let verdicts = verdicts(&inventory, &names);
    assert!(verdicts.iter().all(|v| v.status == Status::Passed), "{verdicts:#?}");
    let finding = build_finding(
        &verdicts[0],
        &identity(&names),
        FindingSettings { failed_severity: SeverityLabel::Low },
        Timestamp::from_millis(1_795_392_000_000),
        None,
    );
    assert_eq!(
        finding.product_arn,
        format!("arn:aws-cn:securityhub:cn-north-1:{ACCOUNT}:product/{ACCOUNT}/default")
    );
    assert!(finding.resources.iter().all(|r| r.partition == "aws-cn"));
    assert_eq!(finding.product_fields.get("cis-monitor/evidence/LogGroupName"), Some(&names.group));
}

#[test]
fn a_hundred_filters_and_a_1024_character_pattern() {
    let names = Names::default();
    let mut inventory = healthy(&names);
    let filters = group_of(&mut inventory);
    let real = filters.remove(2);
    let mut long = String::from("{ ($.eventName = CreateVpc) || ($.eventName = \"");
    long.push_str(&"x".repeat(1024 - long.len() - 4));
    long.push_str("\") }");
    assert_eq!(long.chars().count(), 1024);
    for index in 0..99 {
        let mut decoy = real.clone();
        decoy.name = format!("decoy {index} ✓");
        decoy.pattern = if index == 50 { long.clone() } else { format!("{{ $.eventName = Decoy{index} }}") };
        filters.push(decoy);
    }
    filters.push(real);
    let verdicts = verdicts(&inventory, &names);
    assert_eq!(verdicts[2].status, Status::Passed, "{}", verdicts[2].description);
    assert_eq!(verdicts[2].evidence.filter_name.as_deref(), Some(filter_name(Control::VpcChanges).as_str()));
    group_of(&mut inventory).pop();
    let failed = evaluate(&inventory, &identity(&names), &[names.region.to_string()], &[Control::VpcChanges]);
    assert_eq!(failed[0].reason_code, "CLOUDTRAIL_METRIC_FILTER_NOT_VALID");
    assert_eq!(failed[0].evidence.filter_name.as_deref(), Some("decoy 50 ✓"), "the nearest filter is named");
}

#[test]
fn metric_math_alarms_count_when_they_return_the_metric() {
    let names = Names::default();
    let mut inventory = healthy(&names);
    let control = Control::KmsKeyChanges;
    let metric = metric(&names, control);
    inventory.alarms.insert(metric.clone(), Ok(vec![]));
    let mut math = alarm(&names, control, vec![topic(&names)]);
    math.statistic = None;
    math.queries = vec![MetricQuery {
        id: "m1".to_string(),
        metric: math.metric.take(),
        statistic: Some("Sum".to_string()),
        expression: None,
        return_data: true,
    }];
    inventory.region_alarms.insert(AccountRegion::new(ACCOUNT, names.region), Ok(vec![math.clone()]));
    assert_eq!(verdicts(&inventory, &names)[1].status, Status::Passed);
    math.queries[0].return_data = false;
    math.queries.push(MetricQuery {
        id: "e1".to_string(),
        metric: None,
        statistic: None,
        expression: Some("RATE(m1)".to_string()),
        return_data: true,
    });
    inventory.region_alarms.insert(AccountRegion::new(ACCOUNT, names.region), Ok(vec![math]));
    let verdict = &verdicts(&inventory, &names)[1];
    assert_eq!(
        (verdict.status, verdict.reason_code.as_str()),
        (Status::Warning, "CLOUDWATCH_ALARM_UNDECIDABLE")
    );
}

#[test]
fn topics_and_log_groups_in_other_accounts_warn() {
    let names = Names::default();
    let mut inventory = healthy(&names);
    let foreign = "arn:aws:sns:eu-west-1:999999999999:central-alerts".to_string();
    for alarms in inventory.alarms.values_mut() {
        for alarm in alarms.as_mut().expect("alarms") {
            alarm.alarm_actions = vec![foreign.clone()];
        }
    }
    let codes: Vec<String> = verdicts(&inventory, &names).into_iter().map(|v| v.reason_code).collect();
    assert_eq!(codes, vec!["SNS_TOPIC_CROSS_ACCOUNT_CROSS_REGION"; 3]);
    let mut inventory = healthy(&names);
    for trails in inventory.regions.values_mut() {
        for trail in trails.as_mut().expect("trails") {
            trail.log_group_arn = Some("arn:aws:logs:us-east-1:999999999999:log-group:central:*".to_string());
        }
    }
    assert!(
        verdicts(&inventory, &names)
            .iter()
            .all(|v| v.status == Status::Warning && v.reason_code == "LOG_GROUP_CROSS_ACCOUNT")
    );
}

#[test]
fn garbage_arns_break_the_link_they_name() {
    let names = Names::default();
    let mut inventory = healthy(&names);
    for alarms in inventory.alarms.values_mut() {
        for alarm in alarms.as_mut().expect("alarms") {
            alarm.alarm_actions = vec!["not an arn".to_string(), String::new(), "arn:aws:lambda".to_string()];
        }
    }
    assert!(
        verdicts(&inventory, &names).iter().all(|v| v.reason_code == "CLOUDWATCH_ALARM_ACTIONS_NOT_VALID")
    );
    let mut inventory = healthy(&names);
    for trails in inventory.regions.values_mut() {
        for trail in trails.as_mut().expect("trails") {
            trail.log_group_arn = Some("log-group:CloudTrail/logs".to_string());
        }
    }
    assert!(verdicts(&inventory, &names).iter().all(|v| v.reason_code == "CLOUDTRAIL_LOG_GROUP_NOT_PRESENT"));
}

#[test]
fn a_deadline_leaves_unread_links_not_available() {
    let names = Names::default();
    let mut inventory = healthy(&names);
    inventory.interrupted = true;
    inventory.topics.clear();
    let verdicts = evaluate(
        &inventory,
        &identity(&names),
        &[names.region.to_string(), "eu-west-1".to_string()],
        &Control::ALL,
    );
    assert!(
        verdicts.iter().all(|v| v.status == Status::NotAvailable && v.reason_code == "DEADLINE_EXCEEDED"),
        "{verdicts:#?}"
    );
    assert_eq!(verdicts.len(), 6);
}
