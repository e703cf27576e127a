//! AWS clients: the shared configuration is loaded once, and each service's client is built
//! once per region from it, on first use. A configuration made with [`CallPolicy::apply`] gives
//! every client one shared HTTPS connector.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{Region, SdkConfig};
use aws_smithy_async::rt::sleep::default_async_sleep;
use aws_smithy_http_client::Connector;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::{
    HttpConnectorSettings, SharedHttpClient, SharedHttpConnector, http_client_fn,
};

/// Stack size for the async runtime's threads: the SDK's futures are deep, and a stack
/// overflow is a crash, so the threads get what a main thread has (8 MiB).
pub const THREAD_STACK_BYTES: usize = 8 << 20;

/// The clients of the audited services in one region, each built on first use: most regions
/// only ever need CloudTrail and Security Hub.
#[derive(Debug)]
pub struct RegionClients {
    config: SdkConfig,
    cloudtrail: OnceLock<aws_sdk_cloudtrail::Client>,
    logs: OnceLock<aws_sdk_cloudwatchlogs::Client>,
    cloudwatch: OnceLock<aws_sdk_cloudwatch::Client>,
    sns: OnceLock<aws_sdk_sns::Client>,
    kms: OnceLock<aws_sdk_kms::Client>,
    securityhub: OnceLock<aws_sdk_securityhub::Client>,
}

impl RegionClients {
    fn new(config: SdkConfig) -> Self {
        RegionClients {
            config,
            cloudtrail: OnceLock::new(),
            logs: OnceLock::new(),
            cloudwatch: OnceLock::new(),
            sns: OnceLock::new(),
            kms: OnceLock::new(),
            securityhub: OnceLock::new(),
        }
    }

    /// CloudTrail.
    pub fn cloudtrail(&self) -> &aws_sdk_cloudtrail::Client {
        self.cloudtrail.get_or_init(|| aws_sdk_cloudtrail::Client::new(&self.config))
    }

    /// CloudWatch Logs.
    pub fn logs(&self) -> &aws_sdk_cloudwatchlogs::Client {
        self.logs.get_or_init(|| aws_sdk_cloudwatchlogs::Client::new(&self.config))
    }

    /// CloudWatch.
    pub fn cloudwatch(&self) -> &aws_sdk_cloudwatch::Client {
        self.cloudwatch.get_or_init(|| aws_sdk_cloudwatch::Client::new(&self.config))
    }

    /// SNS.
    pub fn sns(&self) -> &aws_sdk_sns::Client {
        self.sns.get_or_init(|| aws_sdk_sns::Client::new(&self.config))
    }

    /// KMS.
    pub fn kms(&self) -> &aws_sdk_kms::Client {
        self.kms.get_or_init(|| aws_sdk_kms::Client::new(&self.config))
    }

    /// Security Hub.
    pub fn securityhub(&self) -> &aws_sdk_securityhub::Client {
        self.securityhub.get_or_init(|| aws_sdk_securityhub::Client::new(&self.config))
    }
}

/// Builds and keeps one [`RegionClients`] per region, from one shared configuration.
#[derive(Debug)]
pub struct Clients {
    base: SdkConfig,
    regions: Mutex<HashMap<String, Arc<RegionClients>>>,
}

impl Clients {
    /// Clients derived from `base` (credentials, retries, timeouts, endpoint).
    pub fn new(base: SdkConfig) -> Self {
        Clients { base, regions: Mutex::new(HashMap::new()) }
    }

    /// The shared configuration.
    pub fn base(&self) -> &SdkConfig {
        &self.base
    }

    /// The STS client of the configuration's own region.
    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.base)
    }

    /// The EC2 client of the configuration's own region, for discovering regions.
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.base)
    }

    /// The Organizations client, for listing the organization's accounts.
    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(&self.base)
    }

    /// The SQS client of the configuration's own region, where the function's queue is.
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        aws_sdk_sqs::Client::new(&self.base)
    }

    /// Clients like these (endpoint, region, retries, timeouts, HTTPS connector) acting with
    /// `credentials`, such as a member account role's.
    pub fn with_credentials(&self, credentials: aws_sdk_sts::config::Credentials) -> Clients {
        let provider = aws_sdk_sts::config::SharedCredentialsProvider::new(credentials);
        Clients::new(self.base.to_builder().credentials_provider(provider).build())
    }

    /// The configuration's own region: where account-wide reads are sent (us-east-1 when it
    /// names none).
    pub fn home_region(&self) -> String {
        self.base.region().map_or_else(|| "us-east-1".to_string(), ToString::to_string)
    }

    /// The clients of `region`, built on first use.
    pub fn region(&self, region: &str) -> Arc<RegionClients> {
        let mut regions = self.regions.lock().unwrap_or_else(PoisonError::into_inner);
        let clients = regions.entry(region.to_string()).or_insert_with(|| {
            Arc::new(RegionClients::new(
                self.base.to_builder().region(Region::new(region.to_string())).build(),
            ))
        });
        Arc::clone(clients)
    }
}

/// How long one AWS call may take, and how often it is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallPolicy {
    /// Connecting to an endpoint.
    pub connect: Duration,
    /// One attempt of a call.
    pub attempt: Duration,
    /// A call, retries included.
    pub call: Duration,
    /// Attempts per call (retries with exponential backoff between them).
    pub max_attempts: u32,
    /// The first backoff; each retry doubles it, with jitter, up to 20 s.
    pub initial_backoff: Duration,
}

impl Default for CallPolicy {
    /// 3 s to connect, 10 s an attempt, 30 s a call, 8 attempts from 1 s of backoff: a call
    /// that fails one time in five still succeeds but once in 390,000; one unreachable region
    /// costs at most 30 s, well within the Lambda's timeout.
    fn default() -> Self {
        CallPolicy {
            connect: Duration::from_secs(3),
            attempt: Duration::from_secs(10),
            call: Duration::from_secs(30),
            max_attempts: 8,
            initial_backoff: Duration::from_secs(1),
        }
    }
}

impl CallPolicy {
    /// The SDK's timeout configuration for this policy.
    pub fn timeouts(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.call)
            .build()
    }

    /// Sets this policy's retries, timeouts and HTTPS client on a configuration loader.
    pub fn apply(&self, loader: aws_config::ConfigLoader) -> aws_config::ConfigLoader {
        loader.retry_config(self.retries()).timeout_config(self.timeouts()).http_client(self.https_client())
    }

    /// One HTTPS connector (rustls with aws-lc, the system's root certificates, this policy's
    /// connect timeout, `HTTPS_PROXY`/`NO_PROXY` from the environment: the SDK's defaults),
    /// built once and shared by every client and so by one connection pool. The SDK's default
    /// client builds a throwaway connector, root certificates included, for every client it
    /// validates: dozens per run, measured at a fifth of the run's CPU time.
    pub fn https_client(&self) -> SharedHttpClient {
        let settings = HttpConnectorSettings::builder().connect_timeout(self.connect).build();
        let mut builder = Connector::builder().connector_settings(settings);
        builder.set_sleep_impl(default_async_sleep());
        builder.set_proxy_config(Some(ProxyConfig::from_env()));
        let connector =
            SharedHttpConnector::new(builder.tls_provider(Provider::Rustls(CryptoMode::AwsLc)).build());
        http_client_fn(move |_, _| connector.clone())
    }

    /// The SDK's retry configuration for this policy: standard (exponential backoff with
    /// jitter, throttling and transient errors retried). Adaptive mode's client-side rate
    /// limiter was measured to stall this tool's few, bursty calls past their timeouts under
    /// 20% injected throttling, so it is not used.
    pub fn retries(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff)
    }
}

impl Clients {
    /// Clients from the standard AWS configuration chain (environment, profile, container or
    /// instance credentials; `AWS_ENDPOINT_URL` for emulators), under `policy`.
    pub async fn from_environment(policy: CallPolicy) -> Self {
        Clients::new(policy.apply(aws_config::defaults(aws_config::BehaviorVersion::latest())).load().await)
    }
}
