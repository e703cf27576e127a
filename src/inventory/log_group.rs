//! Log groups and their metric filters: where a trail delivers, and what each filter counts.

use serde::Serialize;

use crate::arn::Arn;

/// A CloudWatch Logs log group, located by region, account and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroupRef {
    /// The log group's region.
    pub region: String,
    /// The account that owns it.
    pub account: String,
    /// Its name.
    pub name: String,
}

impl LogGroupRef {
    /// Reads the log group from a trail's `CloudWatchLogsLogGroupArn`
    /// (`arn:aws:logs:<region>:<account>:log-group:<name>:*`).
    pub fn from_arn(text: &str) -> Option<Self> {
        let arn = Arn::parse(text)?;
        let name = arn.resource.strip_prefix("log-group:")?;
        let name = name.strip_suffix(":*").unwrap_or(name);
        (arn.service == "logs" && !name.is_empty() && !arn.region.is_empty()).then(|| LogGroupRef {
            region: arn.region.to_string(),
            account: arn.account.to_string(),
            name: name.to_string(),
        })
    }
}

/// A metric filter of a log group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricFilter {
    /// The filter's name.
    pub name: String,
    /// Its pattern, as stored.
    pub pattern: String,
    /// The metric it publishes (CloudWatch Logs allows one per filter).
    pub metrics: Vec<MetricTransformation>,
    /// System-field selection that narrows which events the filter sees, if any.
    pub field_selection_criteria: Option<String>,
    /// Whether it runs on transformed rather than original log events.
    pub apply_on_transformed_logs: bool,
}

/// The metric a metric filter publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricTransformation {
    /// The metric's name.
    pub name: String,
    /// The metric's namespace.
    pub namespace: String,
    /// The value published per matching event: a number, or a `$.field` selector.
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_arns_give_region_account_and_name() {
        let group = LogGroupRef::from_arn("arn:aws:logs:eu-west-1:111122223333:log-group:CloudTrail/Logs:*");
        assert_eq!(
            group,
            Some(LogGroupRef {
                region: "eu-west-1".to_string(),
                account: "111122223333".to_string(),
                name: "CloudTrail/Logs".to_string()
            })
        );
        let china = LogGroupRef::from_arn("arn:aws-cn:logs:cn-north-1:111122223333:log-group:a:b:*");
        assert_eq!(china.map(|g| g.name), Some("a:b".to_string()));
        assert_eq!(LogGroupRef::from_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(LogGroupRef::from_arn("not an arn"), None);
    }
}
