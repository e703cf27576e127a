//! Who is auditing: the account and partition that discovery reads from the caller's identity,
//! and that every later stage attributes its reads, verdicts and findings to.

use serde::Serialize;

/// The caller's account and partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    /// The 12-digit account id.
    pub account: String,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`...).
    pub partition: String,
    /// The caller's ARN.
    pub arn: String,
}
