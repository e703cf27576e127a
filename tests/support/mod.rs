//! Test support: a moto server per test, and an account seeded through the AWS SDK.

#![allow(dead_code)]

pub mod healthy;
pub mod inventory;
pub mod organization;
pub mod queue;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, StandardUnit, Statistic};
use aws_sdk_cloudwatchlogs::types::{MetricTransformation, StandardUnit as LogsUnit};
use aws_sdk_securityhub::types::AwsSecurityFinding;
use cis_monitor::audit::run_audit;
use cis_monitor::clients::{CallPolicy, Clients};
use cis_monitor::config::AuditConfig;
use cis_monitor::controls::Control;
use cis_monitor::summary::{AuditSummary, RegionPublication, RegionSummary};

pub use healthy::{ACCOUNT, HOME};

/// A moto server on a free port, stopped when dropped, with scripts/aws_proxy.py in front of
/// it reproducing what AWS does and moto does not (the code under test talks to that).
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:<port>`: moto itself, for seeding and for proxies of a test's own.
    pub endpoint: String,
    /// The proxy every audit goes through.
    emulation: Option<Proxy>,
}

fn moto_binary() -> PathBuf {
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    if local.exists() { local } else { PathBuf::from("moto_server") }
}

impl Moto {
    /// Starts moto and waits until it answers.
    pub fn start() -> Moto {
        Moto::start_with_env(&[])
    }

    /// Starts moto with extra environment variables (`INITIAL_NO_AUTH_ACTION_COUNT`...).
    pub fn start_with_env(env: &[(&str, &str)]) -> Moto {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = Command::new(moto_binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts (run scripts/setup-venv.sh test)");
        let mut moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}"), emulation: None };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if moto.raw("GET", "/moto-api/data.json", "").is_some() {
                moto.emulation = Some(Proxy::start(&moto.endpoint, &[]));
                return moto;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not answer on port {port}");
    }

    /// The endpoint the code under test uses: moto behind the emulating proxy.
    pub fn aws_endpoint(&self) -> &str {
        &self.emulation.as_ref().expect("the proxy runs").endpoint
    }

    /// Creates an IAM role trusting `principal` (a policy Principal element) in the account
    /// of `access_key`; an existing one is kept.
    pub fn create_role(&self, access_key: &str, name: &str, principal: serde_json::Value) {
        let trust = serde_json::json!({"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]});
        let _ = self.iam_as(
            access_key,
            &[("Action", "CreateRole"), ("RoleName", name), ("AssumeRolePolicyDocument", &trust.to_string())],
        );
    }

    /// Sends a raw HTTP request; with `service`, signs it just enough for moto to route it.
    fn raw(&self, method: &str, path: &str, service: &str) -> Option<String> {
        self.raw_with_body(method, path, service, "", "")
    }

    /// Sends a raw HTTP request with a body of `content_type`, as the default account.
    pub fn raw_with_body(
        &self,
        method: &str,
        path: &str,
        service: &str,
        content_type: &str,
        body: &str,
    ) -> Option<String> {
        self.raw_as("testing", method, path, service, content_type, body)
    }

    /// Sends a raw HTTP request with a body of `content_type`, signed (just enough for moto,
    /// which then acts in that key's account) with `access_key`.
    fn raw_as(
        &self,
        access_key: &str,
        method: &str,
        path: &str,
        service: &str,
        content_type: &str,
        body: &str,
    ) -> Option<String> {
        let address = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).ok()?;
        let auth = if service.is_empty() {
            String::new()
        } else {
            format!(
                "Authorization: AWS4-HMAC-SHA256 Credential={access_key}/20260101/{HOME}/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n"
            )
        };
        let content_type =
            if content_type.is_empty() { String::new() } else { format!("Content-Type: {content_type}\r\n") };
        let length = body.len();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{auth}{content_type}Content-Length: {length}\r\nConnection: close\r\n\r\n{body}"
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        response.starts_with("HTTP/1.1 2").then_some(response)
    }

    /// Calls an IAM query action (IAM's SDK is not a dependency of the crate).
    pub fn iam(&self, parameters: &[(&str, &str)]) -> String {
        self.iam_as("testing", parameters).unwrap_or_else(|| panic!("IAM call {parameters:?} failed"))
    }

    /// Calls an IAM query action in the account of `access_key`; `None` when it fails.
    pub fn iam_as(&self, access_key: &str, parameters: &[(&str, &str)]) -> Option<String> {
        let mut body = String::from("Version=2010-05-08");
        for (key, value) in parameters {
            body.push_str(&format!("&{key}={}", percent_encode(value)));
        }
        self.raw_as(access_key, "POST", "/", "iam", "application/x-www-form-urlencoded", &body)
    }

    /// Creates an IAM user allowed exactly `actions`, and returns its access key and secret.
    pub fn user_with_policy(&self, name: &str, actions: &[String]) -> (String, String) {
        self.iam(&[("Action", "CreateUser"), ("UserName", name)]);
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
        });
        self.iam(&[
            ("Action", "PutUserPolicy"),
            ("UserName", name),
            ("PolicyName", "cis-monitor"),
            ("PolicyDocument", &policy.to_string()),
        ]);
        let answer = self.iam(&[("Action", "CreateAccessKey"), ("UserName", name)]);
        let field = |tag: &str| {
            let start = answer.find(&format!("<{tag}>")).map(|at| at + tag.len() + 2).expect("tag in answer");
            let end = answer[start..].find('<').map(|at| start + at).expect("closing tag");
            answer[start..end].to_string()
        };
        (field("AccessKeyId"), field("SecretAccessKey"))
    }

    /// Turns IAM enforcement on: from now on every call needs a user's keys and permissions.
    pub fn enforce_iam(&self) {
        self.raw_with_body("POST", "/moto-api/reset-auth", "", "text/plain", "0").expect("enforcement on");
    }

    /// The SDK configuration of a user's keys, for the code under test.
    pub async fn config_for(&self, key: &str, secret: &str) -> SdkConfig {
        sdk_config(self.aws_endpoint(), key, secret, CallPolicy::default()).await
    }

    /// Creates an S3 bucket (CloudTrail needs one); S3 is not a dependency of the crate.
    pub fn create_bucket(&self, name: &str) {
        self.raw("PUT", &format!("/{name}"), "s3").expect("bucket created");
    }

    /// The SDK configuration that reaches this server directly, for seeding.
    pub async fn config(&self) -> SdkConfig {
        sdk_config(&self.endpoint, "testing", "testing", CallPolicy::default()).await
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.emulation = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SDK configuration that reaches `endpoint` with these keys, under `policy`.
async fn sdk_config(endpoint: &str, key: &str, secret: &str, policy: CallPolicy) -> SdkConfig {
    policy
        .apply(aws_config::defaults(BehaviorVersion::latest()))
        .endpoint_url(endpoint)
        .region(Region::new(HOME))
        .credentials_provider(aws_sdk_sts::config::Credentials::new(key, secret, None, None, "tests"))
        .load()
        .await
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An account being seeded in moto.
pub struct Account {
    pub moto: Arc<Moto>,
    /// The account's id.
    pub id: String,
    /// The access key its configurations use (moto acts in the key's account).
    access_key: String,
    /// Reaches moto directly, for seeding.
    pub config: SdkConfig,
    /// Reaches moto through the emulating proxy, for the code under test.
    audited: SdkConfig,
}

fn in_region(config: &SdkConfig, region: &str) -> SdkConfig {
    config.to_builder().region(Region::new(region.to_string())).build()
}

/// Where a trail delivers and what it records.
pub struct TrailSpec<'a> {
    pub name: &'a str,
    pub region: &'a str,
    pub multi_region: bool,
    /// An organization trail (of the management account, shown to every member).
    pub organization: bool,
    pub log_group: Option<&'a str>,
    pub logging: bool,
    pub selectors: Selectors,
}

/// A trail's event selectors.
pub enum Selectors {
    None,
    Classic { read_write: ReadWriteType, exclude_kms: bool },
    AdvancedManagement,
}

impl Default for TrailSpec<'_> {
    fn default() -> Self {
        TrailSpec {
            name: healthy::TRAIL,
            region: HOME,
            multi_region: true,
            organization: false,
            log_group: Some(healthy::LOG_GROUP),
            logging: true,
            selectors: Selectors::Classic { read_write: ReadWriteType::All, exclude_kms: false },
        }
    }
}

/// An alarm's settings.
pub struct AlarmSpec<'a> {
    pub region: &'a str,
    pub name: String,
    pub namespace: &'a str,
    pub metric: String,
    pub dimensions: Vec<(&'a str, &'a str)>,
    pub unit: Option<StandardUnit>,
    pub threshold: f64,
    pub treat_missing_data: Option<&'a str>,
    pub actions_enabled: bool,
    pub actions: Vec<String>,
}

/// What a metric filter publishes besides its metric: dimensions (name, field), unit, default.
#[derive(Default)]
pub struct Publishing<'a> {
    pub dimensions: Vec<(&'a str, &'a str)>,
    pub unit: Option<LogsUnit>,
    pub default_value: Option<f64>,
}

impl Account {
    pub async fn new() -> Account {
        Account::on(Moto::start()).await
    }

    /// An account on an already started moto server.
    pub async fn on(moto: Moto) -> Account {
        let config = moto.config().await;
        let audited = sdk_config(moto.aws_endpoint(), "testing", "testing", CallPolicy::default()).await;
        moto.create_bucket("cloudtrail-logs");
        Account {
            moto: Arc::new(moto),
            id: ACCOUNT.to_string(),
            access_key: "testing".to_string(),
            config,
            audited,
        }
    }

    /// Another account on the same moto server, acting with `credentials` (a role's in it).
    pub async fn other(&self, id: &str, credentials: aws_sdk_sts::types::Credentials) -> Account {
        let config = self.config_with(&self.moto.endpoint, &credentials).await;
        let audited = self.config_with(self.moto.aws_endpoint(), &credentials).await;
        Account {
            moto: Arc::clone(&self.moto),
            id: id.to_string(),
            access_key: credentials.access_key_id().to_string(),
            config,
            audited,
        }
    }

    async fn config_with(&self, endpoint: &str, credentials: &aws_sdk_sts::types::Credentials) -> SdkConfig {
        let credentials = aws_sdk_sts::config::Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token().to_string()),
            None,
            "tests",
        );
        CallPolicy::default()
            .apply(aws_config::defaults(BehaviorVersion::latest()))
            .endpoint_url(endpoint)
            .region(Region::new(HOME))
            .credentials_provider(credentials)
            .load()
            .await
    }

    /// The access key this account's seeding configuration acts with.
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// Creates a role in this account trusting `principal`.
    pub fn create_role(&self, name: &str, principal: serde_json::Value) {
        self.moto.create_role(&self.access_key, name, principal);
    }

    /// A compliant account: a multi-region trail homed in us-east-1, the three CIS filters,
    /// their alarms on a topic with a subscriber, Security Hub in us-east-1 and eu-west-1.
    pub async fn healthy() -> Account {
        Account::healthy_on(Moto::start()).await
    }

    /// A compliant account on an already started moto server.
    pub async fn healthy_on(moto: Moto) -> Account {
        let account = Account::on(moto).await;
        account.seed_healthy().await;
        account
    }

    /// Seeds the healthy chain into this account: the trail, the CIS filters, their alarms on
    /// a subscribed topic, Security Hub in us-east-1 and eu-west-1.
    pub async fn seed_healthy(&self) {
        self.trail(TrailSpec::default()).await;
        let topic = self.topic(HOME, healthy::TOPIC, true).await;
        for control in Control::ALL {
            self.cis_filter(HOME, healthy::LOG_GROUP, control, control.canonical_pattern()).await;
            self.alarm(self.alarm_spec(control, &topic)).await;
        }
        self.enable_security_hub(HOME).await;
        self.enable_security_hub("eu-west-1").await;
    }

    /// Creates a role in this account trusting `principal`, allowed exactly `actions`.
    pub fn role_with_policy(&self, name: &str, principal: serde_json::Value, actions: &[String]) {
        self.create_role(name, principal);
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
        });
        self.moto
            .iam_as(
                &self.access_key,
                &[
                    ("Action", "PutRolePolicy"),
                    ("RoleName", name),
                    ("PolicyName", "cis-monitor"),
                    ("PolicyDocument", &policy.to_string()),
                ],
            )
            .unwrap_or_else(|| panic!("policy of role {name} set"));
    }

    pub fn alarm_spec(&self, control: Control, topic: &str) -> AlarmSpec<'static> {
        AlarmSpec {
            region: HOME,
            name: healthy::alarm_name(control),
            namespace: healthy::NAMESPACE,
            metric: healthy::metric_name(control),
            dimensions: vec![],
            unit: None,
            threshold: 1.0,
            treat_missing_data: None,
            actions_enabled: true,
            actions: vec![topic.to_string()],
        }
    }

    pub async fn trail(&self, spec: TrailSpec<'_>) -> String {
        let client = aws_sdk_cloudtrail::Client::new(&in_region(&self.config, spec.region));
        let mut request = client
            .create_trail()
            .name(spec.name)
            .s3_bucket_name("cloudtrail-logs")
            .is_multi_region_trail(spec.multi_region)
            .is_organization_trail(spec.organization);
        if let Some(group) = spec.log_group {
            self.create_role(healthy::LOG_ROLE, serde_json::json!({"Service": "cloudtrail.amazonaws.com"}));
            request = request
                .cloud_watch_logs_log_group_arn(format!(
                    "arn:aws:logs:{}:{}:log-group:{group}:*",
                    spec.region, self.id
                ))
                .cloud_watch_logs_role_arn(format!("arn:aws:iam::{}:role/{}", self.id, healthy::LOG_ROLE));
        }
        let arn = request.send().await.expect("trail created").trail_arn().unwrap_or_default().to_string();
        match spec.selectors {
            Selectors::None => {}
            Selectors::Classic { read_write, exclude_kms } => {
                let mut selector =
                    EventSelector::builder().read_write_type(read_write).include_management_events(true);
                if exclude_kms {
                    selector = selector.exclude_management_event_sources("kms.amazonaws.com");
                }
                client
                    .put_event_selectors()
                    .trail_name(spec.name)
                    .event_selectors(selector.build())
                    .send()
                    .await
                    .expect("selectors");
            }
            Selectors::AdvancedManagement => {
                let field = AdvancedFieldSelector::builder()
                    .field("eventCategory")
                    .equals("Management")
                    .build()
                    .expect("field");
                let selector = AdvancedEventSelector::builder()
                    .name("management")
                    .field_selectors(field)
                    .build()
                    .expect("selector");
                client
                    .put_event_selectors()
                    .trail_name(spec.name)
                    .advanced_event_selectors(selector)
                    .send()
                    .await
                    .expect("selectors");
            }
        }
        if spec.logging {
            client.start_logging().name(spec.name).send().await.expect("logging started");
        }
        arn
    }

    pub async fn cis_filter(&self, region: &str, group: &str, control: Control, pattern: &str) {
        self.filter(
            region,
            group,
            &healthy::filter_name(control),
            pattern,
            healthy::NAMESPACE,
            &healthy::metric_name(control),
        )
        .await;
    }

    pub async fn filter(
        &self,
        region: &str,
        group: &str,
        name: &str,
        pattern: &str,
        namespace: &str,
        metric: &str,
    ) {
        self.filter_publishing(region, group, name, pattern, namespace, metric, Publishing::default()).await;
    }

    /// A metric filter that publishes `metric` with the dimensions, unit and default value of
    /// `publishing`.
    #[allow(clippy::too_many_arguments)]
    pub async fn filter_publishing(
        &self,
        region: &str,
        group: &str,
        name: &str,
        pattern: &str,
        namespace: &str,
        metric: &str,
        publishing: Publishing<'_>,
    ) {
        let client = aws_sdk_cloudwatchlogs::Client::new(&in_region(&self.config, region));
        let _ = client.create_log_group().log_group_name(group).send().await;
        let mut transformation = MetricTransformation::builder()
            .metric_name(metric)
            .metric_namespace(namespace)
            .metric_value("1")
            .set_unit(publishing.unit)
            .set_default_value(publishing.default_value);
        for (dimension, field) in publishing.dimensions {
            transformation = transformation.dimensions(dimension, field);
        }
        let transformation = transformation.build().expect("transformation");
        client
            .put_metric_filter()
            .log_group_name(group)
            .filter_name(name)
            .filter_pattern(pattern)
            .metric_transformations(transformation)
            .send()
            .await
            .expect("filter created");
    }

    pub async fn alarm(&self, spec: AlarmSpec<'_>) {
        let client = aws_sdk_cloudwatch::Client::new(&in_region(&self.config, spec.region));
        let dimensions = spec
            .dimensions
            .iter()
            .map(|(name, value)| Dimension::builder().name(*name).value(*value).build())
            .collect();
        client
            .put_metric_alarm()
            .alarm_name(&spec.name)
            .metric_name(&spec.metric)
            .namespace(spec.namespace)
            .set_dimensions(Some(dimensions))
            .set_unit(spec.unit)
            .set_treat_missing_data(spec.treat_missing_data.map(str::to_string))
            .statistic(Statistic::Sum)
            .period(300)
            .evaluation_periods(1)
            .threshold(spec.threshold)
            .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
            .actions_enabled(spec.actions_enabled)
            .set_alarm_actions(Some(spec.actions))
            .send()
            .await
            .expect("alarm created");
    }

    pub async fn topic(&self, region: &str, name: &str, subscribed: bool) -> String {
        let client = aws_sdk_sns::Client::new(&in_region(&self.config, region));
        let arn = client
            .create_topic()
            .name(name)
            .send()
            .await
            .expect("topic")
            .topic_arn()
            .unwrap_or_default()
            .to_string();
        if subscribed {
            client
                .subscribe()
                .topic_arn(&arn)
                .protocol("email")
                .endpoint("security@example.com")
                .send()
                .await
                .expect("subscribed");
        }
        arn
    }

    /// Encrypts `topic` (in `region`) with a new customer managed key whose policy is
    /// `key_policy` (`None`: the account's root, and CloudWatch for Decrypt and
    /// GenerateDataKey*). Returns the key's ARN.
    pub async fn encrypt_topic(&self, region: &str, topic: &str, key_policy: Option<String>) -> String {
        let kms = aws_sdk_kms::Client::new(&in_region(&self.config, region));
        let policy = key_policy.unwrap_or_else(|| {
            serde_json::json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "CloudWatchAlarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
                 "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]})
            .to_string()
        });
        let key = kms.create_key().policy(policy).send().await.expect("key created");
        let arn = key.key_metadata().and_then(|metadata| metadata.arn()).expect("key ARN").to_string();
        self.set_topic_attribute(region, topic, "KmsMasterKeyId", &arn).await;
        arn
    }

    /// Sets one attribute of `topic`.
    pub async fn set_topic_attribute(&self, region: &str, topic: &str, name: &str, value: &str) {
        let sns = aws_sdk_sns::Client::new(&in_region(&self.config, region));
        sns.set_topic_attributes()
            .topic_arn(topic)
            .attribute_name(name)
            .attribute_value(value)
            .send()
            .await
            .expect("topic attribute set");
    }

    pub async fn enable_security_hub(&self, region: &str) {
        let client = aws_sdk_securityhub::Client::new(&in_region(&self.config, region));
        client.enable_security_hub().send().await.expect("security hub enabled");
    }

    /// This tool's findings in `region`, read back from Security Hub.
    pub async fn findings(&self, region: &str) -> Vec<AwsSecurityFinding> {
        let client = aws_sdk_securityhub::Client::new(&in_region(&self.config, region));
        let output = client.get_findings().max_results(100).send().await.expect("findings");
        output
            .findings()
            .iter()
            .filter(|f| f.generator_id().is_some_and(|g| g.starts_with("cis-monitor/")))
            .cloned()
            .collect()
    }

    /// The clients of the code under test.
    pub fn clients(&self) -> Clients {
        Clients::new(self.audited.clone())
    }

    /// Runs the audit of `regions`.
    pub async fn audit(&self, regions: &[&str], publish: bool) -> AuditSummary {
        self.audit_with(&AuditConfig { publish, ..config_for(regions) }).await
    }

    pub async fn audit_with(&self, config: &AuditConfig) -> AuditSummary {
        Box::pin(run_audit(&self.clients(), config, cis_monitor::time::Timestamp::now()))
            .await
            .expect("the audit runs")
    }
}

/// The default configuration, auditing `regions`.
pub fn config_for(regions: &[&str]) -> AuditConfig {
    AuditConfig { regions: Some(regions.iter().map(|r| r.to_string()).collect()), ..AuditConfig::default() }
}

/// `region` of `account` in the summary.
pub fn account_region<'a>(summary: &'a AuditSummary, account: &str, region: &str) -> &'a RegionSummary {
    let account = summary.account(account).unwrap_or_else(|| panic!("account {account} in summary"));
    account.regions.iter().find(|r| r.region == region).expect("region in summary")
}

/// `region` of the caller's own account in the summary.
pub fn region_summary<'a>(summary: &'a AuditSummary, region: &str) -> &'a RegionSummary {
    account_region(summary, &summary.caller, region)
}

/// What publishing did in `region` of the caller's account, which the run must have published to.
pub fn publication(summary: &AuditSummary, region: &str) -> RegionPublication {
    region_summary(summary, region).publication.clone().expect("published")
}

/// The (status, reason code) of `control` in `region` of `account`.
pub fn account_verdict(
    summary: &AuditSummary,
    account: &str,
    region: &str,
    control: Control,
) -> (String, String) {
    let region = account_region(summary, account, region);
    let verdict = region.verdicts.iter().find(|v| v.control == control.id()).expect("control in summary");
    (verdict.status.as_str().to_string(), verdict.reason_code.to_string())
}

/// The (status, reason code) of `control` in `region` of the caller's account.
pub fn verdict(summary: &AuditSummary, region: &str, control: Control) -> (String, String) {
    account_verdict(summary, &summary.caller, region, control)
}

/// The description of `control` in `region` of the caller's account.
pub fn description(summary: &AuditSummary, region: &str, control: Control) -> String {
    let region = region_summary(summary, region);
    region.verdicts.iter().find(|v| v.control == control.id()).expect("control").description.to_string()
}

/// scripts/aws_proxy.py between the SDK and moto: latency, injected faults, cut regions.
pub struct Proxy {
    child: Child,
    /// `http://127.0.0.1:<port>`
    pub endpoint: String,
}

impl Proxy {
    /// Starts the proxy in front of `upstream` with extra arguments (`--fail-share 0.2`...). It
    /// always reproduces what AWS does and moto does not: CloudTrail's delivery to CloudWatch
    /// Logs, organization trails shown to members, AssumeRole refused for a missing role.
    pub fn start(upstream: &str, args: &[&str]) -> Proxy {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let python = root.join(".venv/bin/python");
        let python = if python.exists() { python } else { PathBuf::from("python3") };
        let port_file =
            std::env::temp_dir().join(format!("cis-monitor-proxy-{}-{}", std::process::id(), rand_suffix()));
        let mut child = Command::new(python)
            .arg(root.join("scripts/aws_proxy.py"))
            .args(["--listen", "127.0.0.1:0", "--upstream", upstream, "--port-file"])
            .arg(&port_file)
            .args(["--trail-delivery", "--org-trails", "--assume-role-check"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the proxy starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(port) =
                std::fs::read_to_string(&port_file).ok().and_then(|text| text.trim().parse::<u16>().ok())
            {
                let _ = std::fs::remove_file(&port_file);
                return Proxy { child, endpoint: format!("http://127.0.0.1:{port}") };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the proxy did not start");
    }

    /// The SDK configuration that reaches moto through this proxy, under `policy`.
    pub async fn config(&self, policy: CallPolicy) -> SdkConfig {
        sdk_config(&self.endpoint, "testing", "testing", policy).await
    }

    /// How many calls of `key` (`service:Operation`) the proxy has seen.
    pub fn calls(&self, key: &str) -> u64 {
        self.stats()["calls"][key].as_u64().unwrap_or(0)
    }

    /// How many calls the proxy has seen in all.
    pub fn total_calls(&self) -> u64 {
        self.stats()["total"].as_u64().unwrap_or(0)
    }

    fn stats(&self) -> serde_json::Value {
        let address = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("the proxy answers");
        write!(stream, "GET /__proxy/stats HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
            .expect("stats asked");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("stats read");
        let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
        serde_json::from_str(body).expect("stats are JSON")
    }

    /// Runs the audit `config` describes through this proxy, under `policy`.
    pub async fn audit(&self, policy: CallPolicy, config: &AuditConfig) -> AuditSummary {
        let clients = Clients::new(self.config(policy).await);
        Box::pin(run_audit(&clients, config, cis_monitor::time::Timestamp::now()))
            .await
            .expect("the audit runs")
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default()
}
