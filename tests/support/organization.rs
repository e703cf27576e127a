//! An AWS Organization in moto: the management account (moto's default one) and named member
//! accounts, each with cis-monitor's member role and Security Hub, and a way to seed each.

use cis_monitor::config::DEFAULT_MEMBER_ROLE;

use cis_monitor::controls::Control;

use super::{ACCOUNT, Account, HOME, Moto, TrailSpec, healthy};

/// The second region every account enables Security Hub in.
pub const EU: &str = "eu-west-1";

/// An organization being seeded.
pub struct Organization {
    /// The management account.
    pub management: Account,
    /// The members, by name, in creation order.
    pub members: Vec<(String, Account)>,
}

impl Organization {
    /// A new organization with members `names`. Every account has Security Hub in HOME and
    /// EU; every member has cis-monitor's member role, trusting the management account.
    pub async fn new(names: &[&str]) -> Organization {
        Organization::new_on(Moto::start(), names).await
    }

    /// The same, on an already started moto server.
    pub async fn new_on(moto: Moto, names: &[&str]) -> Organization {
        let management = Account::on(moto).await;
        let organizations = aws_sdk_organizations::Client::new(&management.config);
        organizations
            .create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await
            .expect("organization created");
        let mut members = Vec::new();
        for name in names {
            let created = organizations
                .create_account()
                .account_name(*name)
                .email(format!("{name}@example.com"))
                .send()
                .await
                .expect("account created");
            let id = created.create_account_status().and_then(|status| status.account_id()).expect("an id");
            let sts = aws_sdk_sts::Client::new(&management.config);
            let assumed = sts
                .assume_role()
                .role_arn(format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole"))
                .role_session_name("seeding")
                .send()
                .await
                .expect("role assumed");
            let member = management.other(id, assumed.credentials().expect("credentials").clone()).await;
            member.create_role(
                DEFAULT_MEMBER_ROLE,
                serde_json::json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}),
            );
            members.push((name.to_string(), member));
        }
        let organization = Organization { management, members };
        for account in organization.accounts() {
            account.enable_security_hub(HOME).await;
            account.enable_security_hub(EU).await;
        }
        organization
    }

    /// An organization with members `names` (`security` among them), an organization trail
    /// in the management account with the CIS filters and alarms of `controls` on its log
    /// group, and the alarms' topic in `security` (`subscribed` or not), whose policy lets the
    /// management account's alarms publish.
    pub async fn with_chain(names: &[&str], subscribed: bool, controls: &[Control]) -> Organization {
        let organization = Organization::new(names).await;
        let management = &organization.management;
        management.trail(TrailSpec { organization: true, ..TrailSpec::default() }).await;
        let topic = alarm_topic(organization.member("security"), "org-alarms", subscribed).await;
        for control in controls {
            management.cis_filter(HOME, healthy::LOG_GROUP, *control, control.canonical_pattern()).await;
            management.alarm(management.alarm_spec(*control, &topic)).await;
        }
        organization
    }

    /// The member called `name`.
    pub fn member(&self, name: &str) -> &Account {
        self.members.iter().find(|(member, _)| member == name).map(|(_, account)| account).expect("a member")
    }

    /// Every account, the management account first.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        std::iter::once(&self.management).chain(self.members.iter().map(|(_, account)| account))
    }
}

impl Account {
    /// Deletes cis-monitor's member role in this account, as its own administrator would.
    pub fn delete_member_role(&self) {
        let deleted = self
            .moto
            .iam_as(self.access_key(), &[("Action", "DeleteRole"), ("RoleName", DEFAULT_MEMBER_ROLE)]);
        assert!(deleted.is_some(), "the member role of {} is deleted", self.id);
    }
}

/// A topic of `account` that the management account's alarms may publish to.
pub async fn alarm_topic(account: &Account, name: &str, subscribed: bool) -> String {
    let topic = account.topic(HOME, name, subscribed).await;
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "ManagementAlarms",
        "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
        "Resource": topic, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]});
    account.set_topic_attribute(HOME, &topic, "Policy", &policy.to_string()).await;
    topic
}
