//! cis-monitor proves three CIS AWS Foundations Benchmark monitoring controls (CloudWatch.5,
//! CloudWatch.7 and CloudWatch.14) in every region of an AWS account, and publishes the verdicts
//! to AWS Security Hub as ASFF findings.
//!
//! Data flows one way: [`regions`] (discover) → [`inventory`] (collect, once per resource) →
//! [`evaluate`] (pure verdicts) → [`findings`] (pure ASFF) → [`publish`] (Security Hub), driven
//! by [`audit`]. The filter-pattern engine ([`pattern`]) decides by meaning whether a metric
//! filter catches every event a control requires; [`controls`] says what each control requires.
//!
//! The `aws` feature (on by default) brings the AWS side: clients, collection, publishing, the
//! audit and the Lambda. Without it the crate is its pure core, with no AWS dependency.

pub mod arn;
#[cfg(feature = "aws")]
pub mod audit;
#[cfg(feature = "aws")]
pub mod clients;
pub mod config;
pub mod controls;
pub mod error;
pub mod evaluate;
pub mod findings;
pub mod inventory;
#[cfg(feature = "aws")]
pub mod lambda;
#[cfg(feature = "aws")]
pub mod logging;
pub mod pattern;
#[cfg(feature = "aws")]
pub mod publish;
pub mod regions;
pub mod report;
