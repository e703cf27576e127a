//! Log groups and their metric filters: where a trail delivers, what each filter counts, and
//! into which metric stream a required event's datapoint goes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::alarm::{Datapoint, Dimension, MetricRef};
use crate::arn::Arn;
use crate::controls::RequiredEvent;

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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricTransformation {
    /// The metric's name.
    pub name: String,
    /// The metric's namespace.
    pub namespace: String,
    /// The value published per matching event: a number, or a `$.field` selector.
    pub value: String,
    /// Its dimensions: each dimension's name, and the field of the event its value comes from
    /// (`$.eventName`). Each set of values is a stream of its own.
    pub dimensions: BTreeMap<String, String>,
    /// The unit of the published datapoints, when the filter sets one.
    pub unit: Option<String>,
    /// What the filter publishes for a log event it does not match, if anything.
    pub default_value: Option<f64>,
}

/// A dimension whose value comes from a field the control does not pin, so that the stream
/// one required event publishes to is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpinnedDimension {
    /// The dimension's name.
    pub name: String,
    /// The field its value comes from, as the filter writes it.
    pub field: String,
}

impl MetricTransformation {
    /// The datapoint one record of `event` publishes, in the account and region of the filter's
    /// `group`: its stream takes each dimension's value from the field the filter names, which
    /// is known only for the fields the control pins (`$.eventName`, `$.eventSource`).
    ///
    /// # Errors
    ///
    /// The first [`UnpinnedDimension`], when a dimension's value comes from any other field.
    pub fn datapoint(
        &self,
        group: &LogGroupRef,
        event: &RequiredEvent,
    ) -> Result<Datapoint, UnpinnedDimension> {
        let mut dimensions = Vec::with_capacity(self.dimensions.len());
        for (name, field) in &self.dimensions {
            let value = match field.trim() {
                "$.eventName" => event.name,
                "$.eventSource" => event.source,
                _ => return Err(UnpinnedDimension { name: name.clone(), field: field.clone() }),
            };
            dimensions.push(Dimension { name: name.clone(), value: value.to_string() });
        }
        Ok(Datapoint {
            metric: MetricRef {
                account: group.account.clone(),
                region: group.region.clone(),
                namespace: self.namespace.clone(),
                name: self.name.clone(),
                dimensions,
            },
            value: self.value.clone(),
            unit: self.unit.clone(),
            default_value: self.default_value,
        })
    }
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

    #[test]
    fn dimensions_on_pinned_fields_name_the_stream() {
        let transformation = |dimensions: &[(&str, &str)]| MetricTransformation {
            name: "VpcChanges".to_string(),
            namespace: "CIS".to_string(),
            value: "1".to_string(),
            dimensions: dimensions.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            unit: Some("Count".to_string()),
            default_value: None,
        };
        let event = RequiredEvent { name: "CreateVpc", source: "ec2.amazonaws.com" };
        let group = LogGroupRef {
            region: "eu-west-1".to_string(),
            account: "111122223333".to_string(),
            name: "CloudTrail/logs".to_string(),
        };
        let plain = transformation(&[]).datapoint(&group, &event).expect("known");
        assert_eq!(plain.metric.label(), "CIS/VpcChanges");
        assert_eq!(plain.unit.as_deref(), Some("Count"));
        let per_event = transformation(&[("Source", "$.eventSource"), ("EventName", " $.eventName ")])
            .datapoint(&group, &event)
            .expect("known");
        assert_eq!(
            per_event.metric.label(),
            "CIS/VpcChanges {EventName=CreateVpc, Source=ec2.amazonaws.com}"
        );
        let unpinned = transformation(&[("User", "$.userIdentity.arn")]).datapoint(&group, &event);
        assert_eq!(
            unpinned,
            Err(UnpinnedDimension { name: "User".to_string(), field: "$.userIdentity.arn".to_string() })
        );
    }
}
