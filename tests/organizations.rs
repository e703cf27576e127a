//! Organizations, against moto over HTTP: an organization trail created in the management
//! account, its chain there, its alarm topic in a security member; every account gets a real
//! verdict in every region, read in the account that owns each link, and its findings in its
//! own Security Hub.

mod support;

use cis_monitor::config::{Accounts, AuditConfig};
use cis_monitor::controls::Control;
use cis_monitor::summary::AuditSummary;
use support::organization::{EU, Organization};
use support::{ACCOUNT, HOME, Proxy, TrailSpec, account_verdict, config_for, healthy};

fn organization_config(publish: bool) -> AuditConfig {
    AuditConfig { accounts: Accounts::Organization, publish, ..config_for(&[HOME, EU]) }
}

fn passed() -> (String, String) {
    ("PASSED".to_string(), String::new())
}

fn failed(code: &str) -> (String, String) {
    ("FAILED".to_string(), code.to_string())
}

/// Every (account, region, control) verdict of `summary`.
fn every_verdict(summary: &AuditSummary) -> Vec<(String, String, String, (String, String))> {
    summary
        .regions()
        .flat_map(|(account, region)| {
            region.verdicts.iter().map(move |verdict| {
                (
                    account.to_string(),
                    region.region.clone(),
                    verdict.control.to_string(),
                    (verdict.status.as_str().to_string(), verdict.reason_code.to_string()),
                )
            })
        })
        .collect()
}

#[tokio::test]
async fn the_organization_trail_gives_every_account_a_real_verdict_and_its_own_findings() {
    let organization = Organization::with_chain(&["security", "workload"], true, &Control::ALL).await;
    let summary = organization.management.audit_with(&organization_config(true)).await;
    assert_eq!(
        summary.accounts.len(),
        3,
        "{:?}",
        summary.accounts.iter().map(|a| &a.account).collect::<Vec<_>>()
    );
    for (account, region, control, outcome) in every_verdict(&summary) {
        assert_eq!(outcome, passed(), "{account} {region} {control}");
    }
    assert!(!summary.lost_findings());
    for account in organization.accounts() {
        for region in [HOME, EU] {
            let findings = account.findings(region).await;
            assert_eq!(findings.len(), 3, "{} {region}", account.id);
            for finding in &findings {
                assert_eq!(finding.aws_account_id(), Some(account.id.as_str()));
                assert_eq!(finding.record_state().map(|state| state.as_str()), Some("ACTIVE"));
                let fields = finding.product_fields().expect("evidence");
                assert_eq!(
                    fields.get("cis-monitor/evidence/TrailAccount").map(String::as_str),
                    Some(ACCOUNT)
                );
                assert_eq!(
                    fields.get("cis-monitor/evidence/ChainAccount").map(String::as_str),
                    Some(ACCOUNT)
                );
            }
        }
    }
}

#[tokio::test]
async fn a_topic_without_subscriber_fails_every_account_and_names_where_to_fix_it() {
    let organization = Organization::with_chain(&["security", "workload"], false, &Control::ALL).await;
    let summary = organization.management.audit_with(&organization_config(true)).await;
    for (account, region, control, outcome) in every_verdict(&summary) {
        assert_eq!(outcome, failed("SNS_SUBSCRIPTION_NOT_PRESENT"), "{account} {region} {control}");
    }
    let workload = organization.member("workload");
    let finding = workload.findings(HOME).await.into_iter().next().expect("a finding");
    let remediation =
        finding.remediation().and_then(|r| r.recommendation()).and_then(|r| r.text()).expect("text");
    let security = &organization.member("security").id;
    assert!(remediation.starts_with(&format!("In account {security}: ")), "{remediation}");
}

#[tokio::test]
async fn a_member_with_its_own_chain_passes_where_the_organization_chain_lacks_a_filter() {
    let organization = Organization::with_chain(
        &["security", "workload"],
        true,
        &[Control::CloudTrailChanges, Control::KmsKeyChanges],
    )
    .await;
    let workload = organization.member("workload");
    workload.trail(TrailSpec { name: "workload-trail", ..TrailSpec::default() }).await;
    let topic = workload.topic(HOME, "workload-alarms", true).await;
    workload
        .cis_filter(HOME, healthy::LOG_GROUP, Control::VpcChanges, Control::VpcChanges.canonical_pattern())
        .await;
    workload.alarm(workload.alarm_spec(Control::VpcChanges, &topic)).await;
    let summary = organization.management.audit_with(&organization_config(false)).await;
    let vpc = Control::VpcChanges;
    assert_eq!(account_verdict(&summary, &workload.id, HOME, vpc), passed());
    assert_eq!(account_verdict(&summary, &workload.id, EU, vpc), passed());
    assert_eq!(account_verdict(&summary, ACCOUNT, HOME, vpc), failed("CLOUDTRAIL_METRIC_FILTER_NOT_VALID"));
    let security = &organization.member("security").id;
    assert_eq!(account_verdict(&summary, security, HOME, vpc), failed("CLOUDTRAIL_METRIC_FILTER_NOT_VALID"));
    assert_eq!(account_verdict(&summary, security, HOME, Control::KmsKeyChanges), passed());
}

#[tokio::test]
async fn a_stopped_organization_trail_fails_every_account() {
    let organization = Organization::with_chain(&["security", "workload"], true, &Control::ALL).await;
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&organization.management.config);
    cloudtrail.stop_logging().name(healthy::TRAIL).send().await.expect("stopped");
    let summary = organization.management.audit_with(&organization_config(false)).await;
    for (account, region, control, outcome) in every_verdict(&summary) {
        assert_eq!(outcome, failed("CLOUDTRAIL_NOT_LOGGING"), "{account} {region} {control}");
    }
}

#[tokio::test]
async fn a_member_whose_role_cannot_be_assumed_is_not_available_alone() {
    let organization = Organization::with_chain(&["security", "workload"], true, &Control::ALL).await;
    let workload = organization.member("workload");
    workload.delete_member_role();
    let summary = organization.management.audit_with(&organization_config(true)).await;
    let role = format!("arn:aws:iam::{}:role/{}", workload.id, cis_monitor::config::DEFAULT_MEMBER_ROLE);
    let reported = summary.account(&workload.id).expect("the member is reported");
    assert!(reported.unreachable.as_deref().is_some_and(|reason| reason.contains(&role)), "{reported:?}");
    for (account, region, control, outcome) in every_verdict(&summary) {
        if account == workload.id {
            assert_eq!(
                outcome,
                ("NOT_AVAILABLE".to_string(), "ACCESS_DENIED".to_string()),
                "{region} {control}"
            );
        } else {
            assert_eq!(outcome, passed(), "{account} {region} {control}");
        }
    }
    let description = &summary.account(&workload.id).expect("member").regions[0].verdicts[0].description;
    assert!(description.contains("sts:AssumeRole") && description.contains(&role), "{description}");
    assert_eq!(organization.member("security").findings(HOME).await.len(), 3, "the others are published");
}

#[tokio::test]
async fn a_chain_account_that_cannot_be_reached_leaves_the_verdicts_it_carries_not_available() {
    // The alarms' topic is in security, whose role is gone: no account can know whether the
    // alarms reach anyone, and each says which account and action it could not read.
    let organization = Organization::with_chain(&["security", "workload"], true, &Control::ALL).await;
    let security = organization.member("security");
    security.delete_member_role();
    let summary = organization.management.audit_with(&organization_config(false)).await;
    let role = format!("arn:aws:iam::{}:role/{}", security.id, cis_monitor::config::DEFAULT_MEMBER_ROLE);
    assert!(summary.account(&security.id).and_then(|run| run.unreachable.as_deref()).is_some());
    for (account, region, control, outcome) in every_verdict(&summary) {
        assert_eq!(
            outcome,
            ("NOT_AVAILABLE".to_string(), "ACCESS_DENIED".to_string()),
            "{account} {region} {control}"
        );
    }
    let workload = summary.account(&organization.member("workload").id).expect("workload");
    for verdict in workload.regions.iter().flat_map(|region| &region.verdicts) {
        assert!(
            verdict.description.contains("sts:AssumeRole") && verdict.description.contains(&role),
            "{}",
            verdict.description
        );
    }
}

#[tokio::test]
async fn accounts_whose_turn_comes_after_the_deadline_are_not_audited_and_keep_their_findings() {
    // A first run publishes every account's findings. Then, one account at a time; EU hangs, so the management account's turn lasts until the
    // deadline, and the members' turns come after it.
    let organization =
        Organization::with_chain(&["security", "workload"], true, &[Control::CloudTrailChanges]).await;
    let members = [organization.member("security"), organization.member("workload")];
    let proxy =
        Proxy::start(&organization.management.moto.endpoint, &["--cut-region", EU, "--cut-mode", "hang"]);
    let config = AuditConfig {
        accounts: Accounts::Listed(vec![ACCOUNT.to_string(), members[0].id.clone(), members[1].id.clone()]),
        account_concurrency: 1,
        collection_deadline: Some(std::time::Duration::from_secs(2)),
        controls: vec![Control::CloudTrailChanges],
        ..organization_config(true)
    };
    let first = organization
        .management
        .audit_with(&AuditConfig { account_concurrency: 8, collection_deadline: None, ..config.clone() })
        .await;
    assert!(first.all_passed(), "{first:?}");
    let mut earlier = Vec::new();
    for member in members {
        earlier.push(member.findings(HOME).await);
    }
    let summary = proxy.audit(cis_monitor::clients::CallPolicy::default(), &config).await;
    let management = summary.account(ACCOUNT).expect("the management account");
    assert!(management.unreachable.is_none(), "{management:?}");
    let home = management.regions.iter().find(|region| region.region == HOME).expect("home");
    assert_eq!(home.verdicts[0].status.as_str(), "PASSED", "{management:?}");
    for member in members {
        let run = summary.account(&member.id).expect("the member is reported");
        assert!(run.unreachable.as_deref().is_some_and(|reason| reason.contains("deadline")), "{run:?}");
        for region in &run.regions {
            let verdict = &region.verdicts[0];
            assert_eq!(
                (verdict.status.as_str(), &*verdict.reason_code),
                ("NOT_AVAILABLE", "DEADLINE_EXCEEDED")
            );
            assert!(region.publication.as_ref().and_then(|p| p.skipped.as_deref()).is_some(), "{region:?}");
        }
    }
    for (member, earlier) in members.iter().zip(earlier) {
        assert_eq!(
            member.findings(HOME).await,
            earlier,
            "an account not audited keeps its findings as they were"
        );
    }
}

#[tokio::test]
async fn a_link_in_an_account_outside_the_audit_is_a_warning() {
    let organization = Organization::with_chain(&["security", "workload"], true, &Control::ALL).await;
    let workload = organization.member("workload");
    let listed = AuditConfig {
        accounts: Accounts::Listed(vec![ACCOUNT.to_string(), workload.id.clone()]),
        publish: false,
        ..config_for(&[HOME])
    };
    let summary = organization.management.audit_with(&listed).await;
    assert_eq!(summary.accounts.len(), 2);
    for (account, region, control, outcome) in every_verdict(&summary) {
        assert_eq!(
            outcome,
            ("WARNING".to_string(), "SNS_TOPIC_CROSS_ACCOUNT".to_string()),
            "{account} {region} {control}"
        );
    }
}

#[tokio::test]
async fn suspended_accounts_are_not_audited() {
    let organization =
        Organization::with_chain(&["security", "workload", "retired"], true, &Control::ALL).await;
    let retired = &organization.member("retired").id;
    let organizations = aws_sdk_organizations::Client::new(&organization.management.config);
    organizations.close_account().account_id(retired).send().await.expect("closed");
    let summary = organization.management.audit_with(&organization_config(false)).await;
    let audited: Vec<&str> = summary.accounts.iter().map(|account| account.account.as_str()).collect();
    assert_eq!(audited.len(), 3, "{audited:?}");
    assert!(!audited.contains(&retired.as_str()), "{audited:?}");
}

#[tokio::test]
async fn a_member_costs_three_calls_a_region_and_the_shared_chain_is_read_once() {
    // The calls of a run over the organization, with one member more and one less: the
    // difference is what a member whose only trail is the organization trail costs.
    let mut calls = Vec::new();
    for members in [&["security", "workload"][..], &["security", "workload", "extra"][..]] {
        let organization = Organization::with_chain(members, true, &Control::ALL).await;
        let proxy = Proxy::start(&organization.management.moto.endpoint, &[]);
        let summary =
            proxy.audit(cis_monitor::clients::CallPolicy::default(), &organization_config(true)).await;
        assert!(summary.all_passed(), "{:?}", every_verdict(&summary));
        calls.push((
            proxy.total_calls(),
            proxy.calls("cloudtrail:GetTrailStatus"),
            proxy.calls("logs:DescribeMetricFilters"),
        ));
    }
    let regions = 2;
    let per_member = calls[1].0 - calls[0].0;
    assert!(per_member <= 3 * regions + 3, "a member costs {per_member} calls: {calls:?}");
    assert_eq!((calls[0].1, calls[0].2), (1, 1), "the shared chain is read once: {calls:?}");
    assert_eq!((calls[1].1, calls[1].2), (1, 1), "and once with one member more: {calls:?}");
}

#[test]
fn the_command_line_audits_the_organization() {
    // The acceptance check, with exactly this interface: every account's ACTIVE findings, its
    // own, in its own Security Hub, in both regions.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let organization =
        runtime.block_on(Organization::with_chain(&["security", "workload"], true, &Control::ALL));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cis-monitor"))
        .args([
            "run",
            "--organization",
            "--member-role",
            "cis-monitor-member",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL", organization.management.moto.aws_endpoint())
        .env("AWS_REGION", HOME)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .expect("cis-monitor runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    for account in organization.accounts() {
        assert!(stdout.contains(&format!("account {}", account.id)), "{stdout}");
        for region in [HOME, EU] {
            let findings = runtime.block_on(account.findings(region));
            assert_eq!(findings.len(), 3, "{} {region}", account.id);
            assert!(findings.iter().all(|finding| finding.aws_account_id() == Some(account.id.as_str())));
        }
    }
}
