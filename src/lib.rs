//! cis-monitor proves three CIS AWS Foundations Benchmark monitoring controls (CloudWatch.5,
//! CloudWatch.7 and CloudWatch.14) in every region of an AWS account, and publishes the verdicts
//! to AWS Security Hub as ASFF findings.
//!
//! Data flows one way, one stage per module, driven by [`audit`]:
//!
//! 1. [`discover`]: the caller's [`identity`], the organization's accounts and the regions EC2
//!    reports ([`regions`] decides which are audited); [`access`] is the way into each audited
//!    account;
//! 2. [`collect`]: each account's [`inventory`], every resource read once per run
//!    ([`memo`]);
//! 3. [`evaluate`]: pure verdicts, one per region and control;
//! 4. [`findings`] (pure ASFF) and [`publish`] (Security Hub);
//! 5. [`summary`]: what the run decided and did, and how it ended.
//!
//! Each account has its turn through stages 2 to 4, a bounded number at a time; what its turn
//! read is dropped when the turn ends, but for what other accounts share.
//!
//! Below the stages: the filter-pattern engine ([`pattern`]), which decides by meaning whether
//! a metric filter catches every event a control requires; the [`controls`] as data; the plain
//! [`inventory`] model with the rules collection and evaluation share; [`error`], [`arn`],
//! [`time`] and [`log_level`]. Around them: [`config`] (validated settings), [`lambda`] (the
//! handler), [`fan_out`] (runs too large for one invocation, through SQS), [`metrics`] (a
//! run's figures as EMF records) and [`report`] (what the CLI prints).
//!
//! The `aws` feature (on by default) brings the AWS side: clients, discovery, collection,
//! publishing, the audit and the Lambda. Without it the crate is its pure core, with no AWS
//! dependency.

#[cfg(feature = "aws")]
pub mod access;
pub mod arn;
#[cfg(feature = "aws")]
pub mod audit;
pub mod change;
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
#[cfg(feature = "aws")]
pub mod fan_out;
pub mod filter_policy;
pub mod findings;
pub mod identity;
pub mod inventory;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod log_level;
#[cfg(feature = "aws")]
pub mod logging;
pub mod logic;
#[cfg(feature = "aws")]
pub mod memo;
pub mod metrics;
pub mod pattern;
pub mod policy;
#[cfg(feature = "aws")]
pub mod publish;
pub mod regions;
pub mod report;
pub mod summary;
pub mod time;
