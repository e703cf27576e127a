//! cis-monitor proves three CIS AWS Foundations Benchmark monitoring controls (CloudWatch.5,
//! CloudWatch.7 and CloudWatch.14) in every region of an AWS account, and publishes the verdicts
//! to AWS Security Hub as ASFF findings.
//!
//! Data flows one way, one stage per module, driven by [`audit`]:
//!
//! 1. [`discover`]: the caller's [`identity`] and the regions EC2 reports ([`regions`] decides
//!    which are audited);
//! 2. [`collect`]: the [`inventory`], every resource read once;
//! 3. [`evaluate`]: pure verdicts, one per region and control;
//! 4. [`findings`] (pure ASFF) and [`publish`] (Security Hub);
//! 5. [`summary`]: what the run decided and did, and how it ended.
//!
//! Below the stages: the filter-pattern engine ([`pattern`]), which decides by meaning whether
//! a metric filter catches every event a control requires; the [`controls`] as data; the plain
//! [`inventory`] model with the rules collection and evaluation share; [`error`], [`arn`] and
//! [`time`]. Around them: [`config`] (validated settings), [`lambda`] (the handler) and
//! [`report`] (what the CLI prints).
//!
//! The `aws` feature (on by default) brings the AWS side: clients, discovery, collection,
//! publishing, the audit and the Lambda. Without it the crate is its pure core, with no AWS
//! dependency.

pub mod arn;
#[cfg(feature = "aws")]
pub mod audit;
#[cfg(feature = "aws")]
pub mod clients;
#[cfg(feature = "aws")]
pub mod collect;
pub mod config;
pub mod controls;
#[cfg(feature = "aws")]
pub mod discover;
pub mod error;
pub mod evaluate;
pub mod filter_policy;
pub mod findings;
pub mod identity;
pub mod inventory;
#[cfg(feature = "aws")]
pub mod lambda;
#[cfg(feature = "aws")]
pub mod logging;
pub mod logic;
pub mod pattern;
pub mod policy;
#[cfg(feature = "aws")]
pub mod publish;
pub mod regions;
pub mod report;
pub mod summary;
pub mod time;
