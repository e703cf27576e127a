//! Least privilege, proven: the policy in template.yaml is exactly the set of actions the code
//! calls, the audit works with it under IAM enforcement, and removing any one action turns the
//! verdicts that need it into NOT_AVAILABLE (or a reported publishing failure), never into a
//! false PASSED or FAILED, never into a crash.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use cis_monitor::audit::{AuditError, run_audit};
use cis_monitor::clients::Clients;
use cis_monitor::config::AuditConfig;
use cis_monitor::config::{Accounts, FanOut, MemberAccess};
use cis_monitor::lambda::{InvocationError, handle_invocation};
use cis_monitor::summary::AuditSummary;
use support::organization::Organization;
use support::{Account, Moto, publication};

const SERVICES: [&str; 10] =
    ["sts", "ec2", "organizations", "cloudtrail", "logs", "cloudwatch", "sns", "kms", "securityhub", "sqs"];

/// `service:Action` tokens in `text`, for the audited services.
fn actions_in(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '*'))
        .filter(|token| {
            token.split_once(':').is_some_and(|(service, action)| {
                SERVICES.contains(&service)
                    && action.chars().next().is_some_and(|c| c.is_ascii_uppercase() || c == '*')
            })
        })
        .map(str::to_string)
        .collect()
}

/// The actions the inline policies of the one resource of `resource_type` in `template` grant:
/// every `Action` of their `Statement`s, read as YAML (CloudFormation's short-form tags, `!Sub`
/// and the like, are kept as tagged values). A policy under `!If` counts with both branches:
/// in the mode that turns it on, it is granted.
fn template_actions(template: &str, resource_type: &str) -> BTreeSet<String> {
    use serde_norway::Value;

    /// A list, or the one item IAM and SAM also accept in its place.
    fn items(value: &Value) -> Vec<&Value> {
        value.as_sequence().map_or_else(|| vec![value], |items| items.iter().collect())
    }

    /// The policy documents a `Policies` item holds: itself, its `PolicyDocument` (an IAM
    /// role's), or both branches of an `!If`.
    fn documents(policy: &Value) -> Vec<&Value> {
        match policy {
            Value::Tagged(tagged) if tagged.tag == "If" => {
                let branches = tagged.value.as_sequence().expect("!If [condition, then, else]");
                branches[1..].iter().flat_map(documents).collect()
            }
            Value::Tagged(tagged) if tagged.tag == "Ref" => Vec::new(),
            policy => vec![policy.get("PolicyDocument").unwrap_or(policy)],
        }
    }

    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(template)).expect("template");
    let template: Value = serde_norway::from_str(&text).expect("the template is YAML");
    let resources: Vec<&Value> = template
        .get("Resources")
        .and_then(Value::as_mapping)
        .expect("a Resources section")
        .values()
        .filter(|resource| resource.get("Type").and_then(Value::as_str) == Some(resource_type))
        .collect();
    let [resource] = resources[..] else { panic!("one {resource_type}, found {}", resources.len()) };
    let policies =
        resource.get("Properties").and_then(|p| p.get("Policies")).expect("the resource's Policies");
    let mut actions = BTreeSet::new();
    for document in items(policies).into_iter().flat_map(documents) {
        // Managed policies and SAM policy templates would grant actions not listed here.
        let statements =
            document.get("Statement").unwrap_or_else(|| panic!("an inline policy document: {document:?}"));
        for statement in items(statements) {
            assert_eq!(statement.get("Effect").and_then(Value::as_str), Some("Allow"), "{statement:?}");
            let action = statement.get("Action").unwrap_or_else(|| panic!("an Action in {statement:?}"));
            actions.extend(items(action).into_iter().map(|action| {
                action.as_str().unwrap_or_else(|| panic!("an action name: {action:?}")).to_string()
            }));
        }
    }
    actions
}

/// The function's policy (template.yaml).
fn function_actions() -> BTreeSet<String> {
    template_actions("template.yaml", "AWS::Serverless::Function")
}

/// The calls made only with the function's own credentials, never through a member role: its
/// identity, the organization's accounts, assuming the member role itself, and queueing the
/// accounts of a fan-out.
const CALLER_ONLY: [&str; 4] =
    ["sts:GetCallerIdentity", "organizations:ListAccounts", "sts:AssumeRole", "sqs:SendMessage"];

/// What Lambda's event source mapping does with the function's role, not the code: it polls
/// the queue and deletes the messages the function audited.
const EVENT_SOURCE_MAPPING: [&str; 3] = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

/// The actions the code calls: the `"service:Action"` every call's failure is classified under
/// (`ApiFailure::from_sdk("sns:Publish", ...)`). Other literals (the actions a policy is
/// evaluated for) are not calls.
fn code_actions() -> BTreeSet<String> {
    fn walk(dir: &Path, into: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("source dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).expect("source");
                let code = source.split("#[cfg(test)]").next().unwrap_or_default();
                for call in code.split("ApiFailure::from_sdk(").skip(1) {
                    let literal = call.trim_start().strip_prefix('"').and_then(|rest| rest.split('"').next());
                    into.extend(
                        literal
                            .into_iter()
                            .flat_map(actions_in)
                            .filter(|action| Some(action.as_str()) == literal),
                    );
                }
            }
        }
    }
    let mut actions = BTreeSet::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut actions);
    actions
}

#[test]
fn the_member_role_grants_exactly_what_the_code_calls_through_it() {
    let granted = template_actions("member-role.yaml", "AWS::IAM::Role");
    let called: BTreeSet<String> =
        code_actions().into_iter().filter(|action| !CALLER_ONLY.contains(&action.as_str())).collect();
    assert_eq!(
        granted,
        called,
        "missing: {:?}; extra: {:?}",
        called.difference(&granted),
        granted.difference(&called)
    );
}

#[test]
fn the_template_grants_exactly_what_the_code_calls() {
    let granted = function_actions();
    let called: BTreeSet<String> =
        code_actions().into_iter().chain(EVENT_SOURCE_MAPPING.map(String::from)).collect();
    assert!(granted.iter().all(|action| !action.contains('*')), "wildcards in {granted:?}");
    assert!(called.len() >= 11, "{called:?}");
    assert_eq!(
        granted,
        called,
        "missing: {:?}; extra: {:?}",
        called.difference(&granted),
        granted.difference(&called)
    );
}

/// moto checks CloudWatch's actions under the `monitoring:` prefix, where IAM uses
/// `cloudwatch:`, and SendMessageBatch as `sqs:SendMessageBatch`, where IAM authorizes it as
/// `sqs:SendMessage`. The emulator's users get both spellings.
fn for_moto(actions: &BTreeSet<String>) -> Vec<String> {
    actions
        .iter()
        .flat_map(|action| {
            let mut spellings = vec![action.clone()];
            if let Some(name) = action.strip_prefix("cloudwatch:") {
                spellings.push(format!("monitoring:{name}"));
            }
            if action == "sqs:SendMessage" {
                spellings.push("sqs:SendMessageBatch".to_string());
            }
            spellings
        })
        .collect()
}

/// Every verdict of `summary` is NOT_AVAILABLE `ACCESS_DENIED`, naming the action `removed`.
fn every_verdict_denies(summary: &AuditSummary, removed: &str) {
    assert_eq!(statuses(summary), BTreeSet::from(["NOT_AVAILABLE".to_string()]), "{removed}");
    for (_, region) in summary.regions() {
        for verdict in &region.verdicts {
            assert_eq!(&*verdict.reason_code, "ACCESS_DENIED", "{removed}: {}", verdict.description);
            assert!(verdict.description.contains(removed), "{removed}: {}", verdict.description);
        }
    }
}

fn statuses(summary: &AuditSummary) -> BTreeSet<String> {
    summary.regions().flat_map(|(_, r)| r.verdicts.iter().map(|v| v.status.as_str().to_string())).collect()
}

#[tokio::test]
async fn each_missing_permission_is_reported_never_guessed() {
    let moto = Moto::start_with_env(&[("INITIAL_NO_AUTH_ACTION_COUNT", "100000")]);
    let account = Account::healthy_on(moto).await;
    // The topic is encrypted with a key that lets CloudWatch use it, so that the key's reads
    // are needed too.
    let topic = format!("arn:aws:sns:{}:{}:{}", support::HOME, support::ACCOUNT, support::healthy::TOPIC);
    account.encrypt_topic(support::HOME, &topic, None).await;
    let all = function_actions();
    let users: Vec<(String, BTreeSet<String>)> = std::iter::once(("full".to_string(), all.clone()))
        .chain(
            all.iter()
                .filter(|a| *a != "sts:GetCallerIdentity" && !EVENT_SOURCE_MAPPING.contains(&a.as_str()))
                .map(|removed| {
                    let mut actions = all.clone();
                    actions.remove(removed);
                    (removed.replace(':', "-"), actions)
                }),
        )
        .collect();
    // Users are created before enforcement starts; GetCallerIdentity needs no permission on
    // AWS (nor in moto), so it is not removed.
    let mut keys = Vec::new();
    for (user, actions) in &users {
        keys.push(account.moto.user_with_policy(user, &for_moto(actions)));
    }
    account.moto.enforce_iam();
    for ((user, _), (key, secret)) in users.iter().zip(keys) {
        let clients = Clients::new(account.moto.config_for(&key, &secret).await);
        let result =
            Box::pin(run_audit(&clients, &AuditConfig::default(), cis_monitor::time::Timestamp::now())).await;
        let removed = user.replacen('-', ":", 1);
        match user.as_str() {
            "full" => {
                let summary = result.expect("the full policy runs the audit");
                assert_eq!(statuses(&summary), BTreeSet::from(["PASSED".to_string()]), "full policy");
                let publication = publication(&summary, support::HOME);
                assert_eq!((publication.imported, publication.failed.len()), (3, 0), "{publication:?}");
            }
            "ec2-DescribeRegions" => {
                let error = result.expect_err("regions cannot be listed");
                assert!(matches!(error, AuditError::Regions(_)), "{error}");
                assert!(error.to_string().contains("ec2:DescribeRegions"), "{error}");
            }
            "organizations-ListAccounts" | "sts-AssumeRole" | "sqs-SendMessage" => {
                // Only an audit of other accounts needs them (tests/organizations.rs and
                // the_functions_organization_permissions_are_reported_never_guessed).
                let summary = result.expect("runs");
                assert_eq!(statuses(&summary), BTreeSet::from(["PASSED".to_string()]), "{removed}");
            }
            "cloudwatch-DescribeAlarms" => {
                // Only read when no standard alarm on a needed metric can fire: not here.
                let summary = result.expect("runs");
                assert_eq!(statuses(&summary), BTreeSet::from(["PASSED".to_string()]), "{removed}");
            }
            "securityhub-GetFindings" => {
                let summary = result.expect("runs");
                assert_eq!(statuses(&summary), BTreeSet::from(["PASSED".to_string()]), "{removed}");
                let skipped = publication(&summary, support::HOME).skipped.expect("publishing skipped");
                assert!(skipped.contains(&removed), "{removed}: {skipped}");
            }
            "securityhub-BatchImportFindings" => {
                let summary = result.expect("runs");
                assert_eq!(statuses(&summary), BTreeSet::from(["PASSED".to_string()]), "{removed}");
                let publication = publication(&summary, support::HOME);
                assert_eq!((publication.imported, publication.failed.len()), (0, 3), "{publication:?}");
                assert!(summary.lost_findings());
            }
            _ => every_verdict_denies(&result.expect("runs"), &removed),
        }
    }
}

/// An organization with one member, `member`, whose own chain is healthy, on a moto that
/// enforces IAM once its users are made ([`Moto::enforce_iam`]).
async fn organization_with_healthy_member() -> Organization {
    let organization = Organization::new_on(
        Moto::start_with_env(&[("INITIAL_NO_AUTH_ACTION_COUNT", "100000")]),
        &["member"],
    )
    .await;
    organization.member("member").seed_healthy().await;
    organization
}

#[tokio::test]
async fn each_missing_member_permission_is_reported_never_guessed() {
    // The member role's policy, one action removed at a time, in a member with its own
    // healthy chain (its topic encrypted, so that the key's reads are needed), audited by the
    // management account with exactly the function's policy.
    let organization = organization_with_healthy_member().await;
    let member = organization.member("member");
    let topic = format!("arn:aws:sns:{}:{}:{}", support::HOME, member.id, support::healthy::TOPIC);
    member.encrypt_topic(support::HOME, &topic, None).await;
    let granted = template_actions("member-role.yaml", "AWS::IAM::Role");
    let trust = serde_json::json!({"AWS": format!("arn:aws:iam::{}:root", support::ACCOUNT)});
    let roles: Vec<(String, String)> = std::iter::once(("full".to_string(), "cm-full".to_string()))
        .chain(granted.iter().map(|removed| (removed.clone(), format!("cm-{}", removed.replace(':', "-")))))
        .collect();
    for (removed, role) in &roles {
        let actions: BTreeSet<String> = granted.iter().filter(|action| *action != removed).cloned().collect();
        member.role_with_policy(role, trust.clone(), &for_moto(&actions));
    }
    let (key, secret) =
        organization.management.moto.user_with_policy("auditor", &for_moto(&function_actions()));
    organization.management.moto.enforce_iam();
    let clients = Clients::new(organization.management.moto.config_for(&key, &secret).await);
    for (removed, role) in &roles {
        let config = AuditConfig {
            accounts: Accounts::Listed(vec![member.id.clone()]),
            member_access: MemberAccess { role_name: role.clone(), external_id: None },
            ..support::config_for(&[support::HOME])
        };
        let summary =
            Box::pin(run_audit(&clients, &config, cis_monitor::time::Timestamp::now())).await.expect("runs");
        let audited = summary.account(&member.id).expect("the member");
        assert!(audited.unreachable.is_none(), "{removed}: {audited:?}");
        let publication = audited.regions[0].publication.clone().expect("published");
        match removed.as_str() {
            "full" => {
                assert_eq!(statuses(&summary), BTreeSet::from(["PASSED".to_string()]), "full member policy");
                assert_eq!((publication.imported, publication.failed.len()), (3, 0), "{publication:?}");
            }
            // Explicit regions need no listing; metric-math alarms are read only when no
            // standard alarm can fire.
            "ec2:DescribeRegions" | "cloudwatch:DescribeAlarms" => {
                assert_eq!(statuses(&summary), BTreeSet::from(["PASSED".to_string()]), "{removed}");
            }
            "securityhub:GetFindings" => {
                assert_eq!(statuses(&summary), BTreeSet::from(["PASSED".to_string()]), "{removed}");
                assert!(
                    publication.skipped.as_deref().is_some_and(|reason| reason.contains(removed.as_str())),
                    "{publication:?}"
                );
            }
            "securityhub:BatchImportFindings" => {
                assert_eq!(statuses(&summary), BTreeSet::from(["PASSED".to_string()]), "{removed}");
                assert_eq!((publication.imported, publication.failed.len()), (0, 3), "{publication:?}");
            }
            _ => every_verdict_denies(&summary, removed),
        }
    }
}

#[tokio::test]
async fn the_functions_organization_permissions_are_reported_never_guessed() {
    // The function's own policy without organizations:ListAccounts, then without
    // sts:AssumeRole, auditing the organization from its management account; then queueing
    // its accounts, with the whole policy and without sqs:SendMessage.
    let organization = organization_with_healthy_member().await;
    let member = organization.member("member");
    let moto = &organization.management.moto;
    let without = |removed: &str| {
        let actions: BTreeSet<String> =
            function_actions().into_iter().filter(|action| action != removed).collect();
        moto.user_with_policy(&removed.replace(':', "-"), &for_moto(&actions))
    };
    let (no_list_key, no_list_secret) = without("organizations:ListAccounts");
    let (no_assume_key, no_assume_secret) = without("sts:AssumeRole");
    let (no_send_key, no_send_secret) = without("sqs:SendMessage");
    let (full_key, full_secret) = moto.user_with_policy("function", &for_moto(&function_actions()));
    let sqs = aws_sdk_sqs::Client::new(&organization.management.config);
    let queue_url = sqs.create_queue().queue_name("accounts").send().await.expect("queue").queue_url;
    let fan_out = FanOut { queue_url: queue_url.expect("a queue URL"), accounts_per_invocation: 1 };
    moto.enforce_iam();
    let config = AuditConfig { accounts: Accounts::Organization, ..support::config_for(&[support::HOME]) };

    let clients = Clients::new(moto.config_for(&no_list_key, &no_list_secret).await);
    let error = Box::pin(run_audit(&clients, &config, cis_monitor::time::Timestamp::now()))
        .await
        .expect_err("the organization's accounts cannot be listed");
    assert!(matches!(error, AuditError::Accounts(_)), "{error}");
    assert!(error.to_string().contains("organizations:ListAccounts"), "{error}");

    let clients = Clients::new(moto.config_for(&no_assume_key, &no_assume_secret).await);
    let summary =
        Box::pin(run_audit(&clients, &config, cis_monitor::time::Timestamp::now())).await.expect("runs");
    let reported = summary.account(&member.id).expect("the member is reported");
    assert!(
        reported.unreachable.as_deref().is_some_and(|reason| reason.contains("sts:AssumeRole")),
        "{reported:?}"
    );
    let management = summary.account(support::ACCOUNT).expect("the management account is audited");
    assert!(management.unreachable.is_none(), "{management:?}");
    assert!(
        management
            .regions
            .iter()
            .flat_map(|region| &region.verdicts)
            .all(|verdict| &*verdict.reason_code != "ACCESS_DENIED"),
        "{management:?}"
    );

    let scheduled = serde_json::json!({});
    let clients = Clients::new(moto.config_for(&full_key, &full_secret).await);
    let queued =
        handle_invocation(&clients, &config, Some(&fan_out), &scheduled, None).await.expect("queued");
    assert_eq!(queued["enqueued"]["sent"], 2, "{queued}");
    let clients = Clients::new(moto.config_for(&no_send_key, &no_send_secret).await);
    let error = handle_invocation(&clients, &config, Some(&fan_out), &scheduled, None)
        .await
        .expect_err("the accounts cannot be queued");
    assert!(matches!(error, InvocationError::NotQueued { count: 2, .. }), "{error}");
    assert!(error.to_string().contains("sqs:SendMessage"), "{error}");
}
