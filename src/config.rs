//! The run's configuration: what to audit, and whether to publish. Flags, environment values
//! and invocation payloads all become one validated [`AuditConfig`] before any AWS call.

use serde::Deserialize;
use serde_json::Value as Json;

use crate::controls::Control;
use crate::findings::SeverityLabel;
use crate::regions::{is_known_region, is_region_name};

/// The most regions a run accepts (AWS has fewer than 40 per partition).
pub const MAX_REGIONS: usize = 64;
/// Regions audited at once unless configured otherwise: all of them. Each region has its own
/// endpoints and its own request quotas, so auditing every region at once costs no throttling,
/// and a run takes as long as its slowest region rather than a multiple of it.
pub const DEFAULT_CONCURRENCY: usize = MAX_REGIONS;

/// What one run audits and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    /// The regions to audit; `None` for every enabled region.
    pub regions: Option<Vec<String>>,
    /// The controls to evaluate, in order, without repeats.
    pub controls: Vec<Control>,
    /// Whether to import findings into Security Hub (false: a dry run).
    pub publish: bool,
    /// The severity of FAILED findings.
    pub failed_severity: SeverityLabel,
    /// How many regions are collected and published at once.
    pub concurrency: usize,
    /// How long reading the account may take before the run evaluates what it has and marks
    /// the rest NOT_AVAILABLE; `None` for no limit.
    pub collection_deadline: Option<std::time::Duration>,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            regions: None,
            controls: Control::ALL.to_vec(),
            publish: true,
            failed_severity: SeverityLabel::Low,
            concurrency: DEFAULT_CONCURRENCY,
            collection_deadline: None,
        }
    }
}

/// A configuration that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A list was given empty.
    #[error("`{0}` is empty: leave it out to use the default")]
    EmptyList(&'static str),
    /// A list was longer than allowed.
    #[error("`{name}` has {count} entries; at most {max} are allowed")]
    TooMany {
        /// The list's name.
        name: &'static str,
        /// How many entries it had.
        count: usize,
        /// The most allowed.
        max: usize,
    },
    /// A region name is not shaped like one.
    #[error("`{0}` is not a region name (expected something like eu-west-1)")]
    BadRegion(String),
    /// A region name is well formed but names no region AWS has announced.
    #[error("`{0}` is not a known AWS region")]
    UnknownRegion(String),
    /// A control id is unknown.
    #[error(transparent)]
    UnknownControl(#[from] crate::controls::UnknownControl),
    /// A setting has a value it cannot take.
    #[error("{name} = `{value}`: {reason}")]
    BadSetting {
        /// The setting's name.
        name: &'static str,
        /// The value given.
        value: String,
        /// What it should be.
        reason: String,
    },
    /// The invocation payload is not one this function accepts.
    #[error("invalid invocation payload: {0}")]
    Payload(String),
}

/// A direct invocation payload: `{"regions": [...], "controls": [...], "dryRun": true}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Invocation {
    /// Regions to audit instead of the configured ones.
    pub regions: Option<Vec<String>>,
    /// Controls to evaluate instead of the configured ones.
    pub controls: Option<Vec<String>>,
    /// `true` to evaluate without importing findings.
    pub dry_run: Option<bool>,
}

/// Raw settings, as strings from flags or the environment, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Comma-separated regions; empty or `all` for every enabled region.
    pub regions: Option<String>,
    /// Comma-separated control ids; empty or `all` for all three.
    pub controls: Option<String>,
    /// `true` or `false`.
    pub dry_run: Option<String>,
    /// A severity label for FAILED findings.
    pub failed_severity: Option<String>,
    /// Regions at once, 1 to 64.
    pub concurrency: Option<String>,
}

impl AuditConfig {
    /// Validates raw settings.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first setting that is wrong.
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let mut config = AuditConfig::default();
        let list = |text: &str| -> Option<Vec<String>> {
            let trimmed = text.trim();
            if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("all") {
                None
            } else {
                Some(
                    trimmed
                        .split(',')
                        .map(|item| item.trim().to_string())
                        .filter(|item| !item.is_empty())
                        .collect(),
                )
            }
        };
        if let Some(regions) = settings.regions.as_deref().and_then(list) {
            config.regions = Some(validate_regions(regions)?);
        }
        if let Some(controls) = settings.controls.as_deref().and_then(list) {
            config.controls = validate_controls(&controls)?;
        }
        if let Some(dry_run) = &settings.dry_run {
            config.publish = !parse_bool("CIS_MONITOR_DRY_RUN", dry_run)?;
        }
        if let Some(severity) = &settings.failed_severity {
            config.failed_severity = severity.parse().map_err(|reason| ConfigError::BadSetting {
                name: "CIS_MONITOR_FAILED_SEVERITY",
                value: severity.clone(),
                reason,
            })?;
        }
        if let Some(concurrency) = &settings.concurrency {
            config.concurrency =
                concurrency.trim().parse().ok().filter(|n| (1..=MAX_REGIONS).contains(n)).ok_or_else(
                    || ConfigError::BadSetting {
                        name: "CIS_MONITOR_CONCURRENCY",
                        value: concurrency.clone(),
                        reason: format!("expected a whole number from 1 to {MAX_REGIONS}"),
                    },
                )?;
        }
        Ok(config)
    }

    /// The configuration for one Lambda invocation: an EventBridge event runs with this
    /// configuration; a direct payload overrides regions, controls and dry run.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Payload`] for a payload that is neither, or has unknown fields or wrong
    /// types; the list errors for empty, oversized or unknown entries.
    pub fn for_invocation(&self, payload: &Json) -> Result<AuditConfig, ConfigError> {
        if is_eventbridge_event(payload) {
            serde_json::from_value::<aws_lambda_events::event::eventbridge::EventBridgeEvent>(
                payload.clone(),
            )
            .map_err(|error| ConfigError::Payload(format!("malformed EventBridge event: {error}")))?;
            return Ok(self.clone());
        }
        if payload.is_null() {
            return Ok(self.clone());
        }
        let invocation: Invocation = serde_json::from_value(payload.clone()).map_err(|error| {
            ConfigError::Payload(format!(
                "{error}; expected an EventBridge scheduled event or {{\"regions\": [...], \"controls\": [...], \"dryRun\": bool}}"
            ))
        })?;
        let mut config = self.clone();
        if let Some(regions) = invocation.regions {
            if regions.is_empty() {
                return Err(ConfigError::EmptyList("regions"));
            }
            config.regions = Some(validate_regions(regions)?);
        }
        if let Some(controls) = invocation.controls {
            if controls.is_empty() {
                return Err(ConfigError::EmptyList("controls"));
            }
            config.controls = validate_controls(&controls)?;
        }
        if let Some(dry_run) = invocation.dry_run {
            config.publish = !dry_run;
        }
        Ok(config)
    }
}

/// Whether a payload is an EventBridge event (it carries `detail-type` and `source`).
fn is_eventbridge_event(payload: &Json) -> bool {
    payload.get("detail-type").is_some() && payload.get("source").is_some()
}

fn validate_regions(regions: Vec<String>) -> Result<Vec<String>, ConfigError> {
    if regions.len() > MAX_REGIONS {
        return Err(ConfigError::TooMany { name: "regions", count: regions.len(), max: MAX_REGIONS });
    }
    let mut valid = Vec::with_capacity(regions.len());
    for region in regions {
        let region = region.trim().to_string();
        if !is_region_name(&region) {
            return Err(ConfigError::BadRegion(region));
        }
        if !is_known_region(&region) {
            return Err(ConfigError::UnknownRegion(region));
        }
        if !valid.contains(&region) {
            valid.push(region);
        }
    }
    Ok(valid)
}

fn validate_controls(controls: &[String]) -> Result<Vec<Control>, ConfigError> {
    if controls.len() > MAX_REGIONS {
        return Err(ConfigError::TooMany { name: "controls", count: controls.len(), max: MAX_REGIONS });
    }
    let mut valid = Vec::new();
    for control in controls {
        let control: Control = control.parse()?;
        if !valid.contains(&control) {
            valid.push(control);
        }
    }
    Ok(valid)
}

fn parse_bool(name: &'static str, text: &str) -> Result<bool, ConfigError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        _ => Err(ConfigError::BadSetting {
            name,
            value: text.to_string(),
            reason: "expected true or false".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_are_validated() {
        let settings = Settings {
            regions: Some("eu-west-1, us-east-1,eu-west-1".to_string()),
            controls: Some("cloudwatch.7".to_string()),
            dry_run: Some("true".to_string()),
            failed_severity: Some("high".to_string()),
            concurrency: Some("4".to_string()),
        };
        let config = AuditConfig::from_settings(&settings).expect("valid");
        assert_eq!(config.regions, Some(vec!["eu-west-1".to_string(), "us-east-1".to_string()]));
        assert_eq!(config.controls, vec![Control::KmsKeyChanges]);
        assert!(!config.publish);
        assert_eq!(config.failed_severity, SeverityLabel::High);
        assert_eq!(config.concurrency, 4);
        let all = Settings { regions: Some("all".to_string()), ..Settings::default() };
        assert_eq!(AuditConfig::from_settings(&all).map(|c| c.regions), Ok(None));
        for bad in [
            Settings { regions: Some("eu-west".to_string()), ..Settings::default() },
            Settings { controls: Some("CloudWatch.99".to_string()), ..Settings::default() },
            Settings { dry_run: Some("maybe".to_string()), ..Settings::default() },
            Settings { failed_severity: Some("URGENT".to_string()), ..Settings::default() },
            Settings { concurrency: Some("0".to_string()), ..Settings::default() },
        ] {
            assert!(AuditConfig::from_settings(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn payloads_override_or_are_rejected() {
        let base = AuditConfig::default();
        let scheduled = json!({
            "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "123456789012", "time": "2026-11-23T00:00:00Z",
            "region": "us-east-1", "resources": ["arn:aws:events:us-east-1:123456789012:rule/cis-monitor"], "detail": {}
        });
        assert_eq!(base.for_invocation(&scheduled), Ok(base.clone()));
        let direct = base
            .for_invocation(&json!({"regions": ["eu-west-1"], "controls": ["CloudWatch.7"], "dryRun": true}));
        let direct = direct.expect("valid payload");
        assert_eq!(direct.regions, Some(vec!["eu-west-1".to_string()]));
        assert_eq!(direct.controls, vec![Control::KmsKeyChanges]);
        assert!(!direct.publish);
        let rejected = [
            json!({"region": ["eu-west-1"]}),
            json!({"regions": "eu-west-1"}),
            json!({"regions": []}),
            json!({"controls": []}),
            json!({"controls": ["CloudWatch.6"]}),
            json!({"regions": ["mars-north-1x"]}),
            json!({"regions": ["eu-west-9"]}),
            json!({"regions": ["eu-west-1", 7]}),
            json!({"controls": null, "dryRun": true, "extra": 1}),
            json!({"dryRun": "yes"}),
            json!({"regions": vec!["eu-west-1"; 65]}),
            json!([1, 2, 3]),
            json!("run"),
        ];
        for payload in rejected {
            assert!(base.for_invocation(&payload).is_err(), "{payload}");
        }
    }
}
