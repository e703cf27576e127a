//! cis-monitor proves three CIS AWS Foundations Benchmark monitoring controls (CloudWatch.5,
//! CloudWatch.7 and CloudWatch.14) in every region of an AWS account, and publishes the verdicts
//! to AWS Security Hub as ASFF findings.
//!
//! The filter-pattern engine ([`pattern`]) decides by meaning whether a metric filter catches
//! every event a control requires; [`controls`] holds what each control requires; [`report`]
//! turns results into what the command line prints.

pub mod controls;
pub mod pattern;
pub mod report;
