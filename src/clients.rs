//! AWS clients: the shared configuration is loaded once, and each service's client is built
//! once per region from it, on first use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{Region, SdkConfig};

/// The clients of every audited service in one region.
#[derive(Debug, Clone)]
pub struct RegionClients {
    /// CloudTrail.
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// CloudWatch.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// SNS.
    pub sns: aws_sdk_sns::Client,
    /// Security Hub.
    pub securityhub: aws_sdk_securityhub::Client,
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

    /// The clients of `region`, built on first use.
    pub fn region(&self, region: &str) -> Arc<RegionClients> {
        let mut regions = self.regions.lock().unwrap_or_else(PoisonError::into_inner);
        let clients = regions.entry(region.to_string()).or_insert_with(|| {
            let config = self.base.to_builder().region(Region::new(region.to_string())).build();
            Arc::new(RegionClients {
                cloudtrail: aws_sdk_cloudtrail::Client::new(&config),
                logs: aws_sdk_cloudwatchlogs::Client::new(&config),
                cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
                sns: aws_sdk_sns::Client::new(&config),
                securityhub: aws_sdk_securityhub::Client::new(&config),
            })
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
    /// Attempts per call (adaptive retries with exponential backoff between them).
    pub max_attempts: u32,
}

impl Default for CallPolicy {
    /// 3 s to connect, 10 s an attempt, 30 s a call, 5 attempts: one unreachable region
    /// costs at most 30 s, well within the Lambda's timeout.
    fn default() -> Self {
        CallPolicy {
            connect: Duration::from_secs(3),
            attempt: Duration::from_secs(10),
            call: Duration::from_secs(30),
            max_attempts: 5,
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

    /// The SDK's retry configuration for this policy: adaptive, so that throttling slows the
    /// client down instead of failing calls.
    pub fn retries(&self) -> RetryConfig {
        RetryConfig::adaptive().with_max_attempts(self.max_attempts)
    }
}

impl Clients {
    /// Clients from the standard AWS configuration chain (environment, profile, container or
    /// instance credentials; `AWS_ENDPOINT_URL` for emulators), under `policy`.
    pub async fn from_environment(policy: CallPolicy) -> Self {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .retry_config(policy.retries())
            .timeout_config(policy.timeouts())
            .load()
            .await;
        Clients::new(config)
    }
}
