//! AWS clients: the shared configuration is loaded once, and each service's client is built
//! once per region from it, on first use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use aws_config::Region;
use aws_config::SdkConfig;

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

impl Clients {
    /// Clients from the standard AWS configuration chain (environment, profile, container or
    /// instance credentials; `AWS_ENDPOINT_URL` for emulators), with adaptive retries.
    pub async fn from_environment() -> Self {
        let retry = aws_config::retry::RetryConfig::adaptive().with_max_attempts(5);
        let config =
            aws_config::defaults(aws_config::BehaviorVersion::latest()).retry_config(retry).load().await;
        Clients::new(config)
    }
}
