//! The run's configuration: what to audit, and whether to publish. Command-line flags, the
//! function's environment and invocation payloads all become one validated [`AuditConfig`]
//! before any AWS call. An error names the setting as the user gave it: the flag on the command
//! line, the variable in the environment, the key in a payload ([`Origin`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::change::ChainChange;
use crate::controls::{Control, UnknownControl};
use crate::findings::SeverityLabel;
use crate::regions::{is_known_region, is_region_name};

/// The most entries a list setting (regions, controls) accepts. AWS has fewer than 40 regions
/// per partition, and there are three controls; a longer list is a mistake.
pub const MAX_LIST_ENTRIES: usize = 64;
/// The most regions collected and published at once.
pub const MAX_CONCURRENCY: usize = 64;
/// Accounts audited at once unless configured otherwise. Each account's regions run at once
/// within it, so this bounds the calls in flight to this many times the regions.
pub const DEFAULT_ACCOUNT_CONCURRENCY: usize = 8;
/// The role cis-monitor assumes in every audited account but the caller's, unless configured.
pub const DEFAULT_MEMBER_ROLE: &str = "cis-monitor-member";
/// Regions audited at once unless configured otherwise: all of them. Each region has its own
/// endpoints and its own request quotas, so auditing every region at once costs no throttling,
/// and a run takes as long as its slowest region rather than a multiple of it.
pub const DEFAULT_CONCURRENCY: usize = MAX_CONCURRENCY;

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
    pub collection_deadline: Option<Duration>,
    /// The accounts to audit.
    pub accounts: Accounts,
    /// How cis-monitor reaches the audited accounts other than the caller's.
    pub member_access: MemberAccess,
    /// How many accounts are audited at once.
    pub account_concurrency: usize,
    /// The changes to the chain that triggered this run (empty for a scheduled run): each
    /// finding whose status they changed names the one that did it.
    pub changes: Vec<ChainChange>,
    /// Whether each run writes its figures to standard output as CloudWatch Embedded Metric
    /// Format records ([`crate::metrics`]), and the log level they carry
    /// ([`crate::metrics::record_level`]): in Lambda, where the log capture reads them.
    pub metrics_level: Option<&'static str>,
}

/// Which accounts a run audits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accounts {
    /// The caller's own account.
    Caller,
    /// Every ACTIVE account of the caller's organization (the caller is its management
    /// account or a delegated administrator), the caller's own included.
    Organization,
    /// These accounts, by 12-digit id, in order, without repeats.
    Listed(Vec<String>),
}

/// The role assumed in every audited account but the caller's:
/// `arn:<partition>:iam::<account>:role/<role_name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAccess {
    /// The role's name.
    pub role_name: String,
    /// The external id the role's trust policy asks for, if any.
    pub external_id: Option<String>,
}

impl Default for MemberAccess {
    fn default() -> Self {
        MemberAccess { role_name: DEFAULT_MEMBER_ROLE.to_string(), external_id: None }
    }
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
            accounts: Accounts::Caller,
            member_access: MemberAccess::default(),
            account_concurrency: DEFAULT_ACCOUNT_CONCURRENCY,
            changes: Vec::new(),
            metrics_level: None,
        }
    }
}

/// The accounts one invocation audits unless configured otherwise; a run over more is fanned
/// out through the function's queue, when it has one.
pub const DEFAULT_ACCOUNTS_PER_INVOCATION: usize = 100;
/// The most accounts one invocation may be given: the largest batch an SQS event source
/// mapping delivers.
pub const MAX_ACCOUNTS_PER_INVOCATION: usize = 10_000;
/// The variable naming the function's queue.
pub const QUEUE_URL_VARIABLE: &str = "CIS_MONITOR_QUEUE_URL";
/// The variable bounding the accounts of one invocation.
pub const ACCOUNTS_PER_INVOCATION_VARIABLE: &str = "CIS_MONITOR_ACCOUNTS_PER_INVOCATION";

/// How a scheduled invocation hands its accounts to the function's queue when they are more
/// than one invocation audits: one message per account, delivered back to the function in
/// batches of at most `accounts_per_invocation`. The function's own setting, from its
/// environment; the command line always audits inline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanOut {
    /// The queue's URL.
    pub queue_url: String,
    /// The most accounts one invocation audits.
    pub accounts_per_invocation: usize,
}

impl FanOut {
    /// The fan-out the function's environment describes: `CIS_MONITOR_QUEUE_URL` (unset or
    /// empty: none) and `CIS_MONITOR_ACCOUNTS_PER_INVOCATION` (default
    /// [`DEFAULT_ACCOUNTS_PER_INVOCATION`]).
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable that is wrong.
    pub fn from_environment(variable: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let invalid = |setting, value: &str, expected: &str| ConfigError::Invalid {
            setting,
            problem: Problem::BadValue { value: value.to_string(), expected: expected.to_string() },
        };
        let accounts_per_invocation = match variable(ACCOUNTS_PER_INVOCATION_VARIABLE) {
            None => DEFAULT_ACCOUNTS_PER_INVOCATION,
            Some(text) => text
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=MAX_ACCOUNTS_PER_INVOCATION).contains(n))
                .ok_or_else(|| {
                    invalid(
                        ACCOUNTS_PER_INVOCATION_VARIABLE,
                        &text,
                        &format!("expected a whole number from 1 to {MAX_ACCOUNTS_PER_INVOCATION}"),
                    )
                })?,
        };
        let Some(queue_url) =
            variable(QUEUE_URL_VARIABLE).map(|url| url.trim().to_string()).filter(|url| !url.is_empty())
        else {
            return Ok(None);
        };
        if !(queue_url.starts_with("https://") || queue_url.starts_with("http://")) {
            return Err(invalid(
                QUEUE_URL_VARIABLE,
                &queue_url,
                "expected an SQS queue URL (https://sqs...)",
            ));
        }
        Ok(Some(FanOut { queue_url, accounts_per_invocation }))
    }
}

/// Where a setting was given, which decides the name an error calls it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A flag of `cis-monitor run`.
    CommandLine,
    /// A variable of the function's environment.
    Environment,
    /// A key of a direct invocation payload.
    Payload,
}

/// A setting of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The regions to audit.
    Regions,
    /// The controls to evaluate.
    Controls,
    /// Whether to import nothing.
    DryRun,
    /// The severity of FAILED findings.
    FailedSeverity,
    /// Regions at once.
    Concurrency,
    /// The accounts to audit.
    Accounts,
    /// The role assumed in the other accounts.
    MemberRole,
    /// The external id of that role.
    ExternalId,
    /// Accounts at once.
    AccountConcurrency,
}

impl Setting {
    /// The setting's name where it was given: `--region`, `CIS_MONITOR_REGIONS`, `regions`.
    pub fn name(self, origin: Origin) -> &'static str {
        match (self, origin) {
            (Setting::Regions, Origin::CommandLine) => "--region",
            (Setting::Regions, Origin::Environment) => "CIS_MONITOR_REGIONS",
            (Setting::Regions, Origin::Payload) => "regions",
            (Setting::Controls, Origin::CommandLine) => "--control",
            (Setting::Controls, Origin::Environment) => "CIS_MONITOR_CONTROLS",
            (Setting::Controls, Origin::Payload) => "controls",
            (Setting::DryRun, Origin::CommandLine) => "--no-publish",
            (Setting::DryRun, Origin::Environment) => "CIS_MONITOR_DRY_RUN",
            (Setting::DryRun, Origin::Payload) => "dryRun",
            (Setting::FailedSeverity, Origin::CommandLine) => "--failed-severity",
            (Setting::FailedSeverity, Origin::Environment) => "CIS_MONITOR_FAILED_SEVERITY",
            (Setting::FailedSeverity, Origin::Payload) => "failedSeverity",
            (Setting::Concurrency, Origin::CommandLine) => "--concurrency",
            (Setting::Concurrency, Origin::Environment) => "CIS_MONITOR_CONCURRENCY",
            (Setting::Concurrency, Origin::Payload) => "concurrency",
            (Setting::Accounts, Origin::CommandLine) => "--account",
            (Setting::Accounts, Origin::Environment) => "CIS_MONITOR_ACCOUNTS",
            (Setting::Accounts, Origin::Payload) => "accounts",
            (Setting::MemberRole, Origin::CommandLine) => "--member-role",
            (Setting::MemberRole, Origin::Environment) => "CIS_MONITOR_MEMBER_ROLE",
            (Setting::MemberRole, Origin::Payload) => "memberRole",
            (Setting::ExternalId, Origin::CommandLine) => "--external-id",
            (Setting::ExternalId, Origin::Environment) => "CIS_MONITOR_EXTERNAL_ID",
            (Setting::ExternalId, Origin::Payload) => "externalId",
            (Setting::AccountConcurrency, Origin::CommandLine) => "--account-concurrency",
            (Setting::AccountConcurrency, Origin::Environment) => "CIS_MONITOR_ACCOUNT_CONCURRENCY",
            (Setting::AccountConcurrency, Origin::Payload) => "accountConcurrency",
        }
    }
}

/// What is wrong with a value, wherever it was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A list was given empty.
    #[error("the list is empty: leave it out to use the default")]
    EmptyList,
    /// A list was longer than allowed.
    #[error("{count} entries; at most {max} are allowed")]
    TooMany {
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
    UnknownControl(#[from] UnknownControl),
    /// A value of another kind is not one the setting takes.
    #[error("`{value}`: {expected}")]
    BadValue {
        /// The value given.
        value: String,
        /// What it should be.
        expected: String,
    },
}

/// A configuration that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A setting has a value it cannot take.
    #[error("{setting}: {problem}")]
    Invalid {
        /// The setting, named as the user gave it (`--region`, `CIS_MONITOR_REGIONS`, `regions`).
        setting: &'static str,
        /// What is wrong with its value.
        problem: Problem,
    },
    /// The invocation payload is not one this function accepts.
    #[error("invalid invocation payload: {0}")]
    Payload(String),
}

impl ConfigError {
    fn invalid(setting: Setting, origin: Origin, problem: Problem) -> Self {
        ConfigError::Invalid { setting: setting.name(origin), problem }
    }
}

/// A direct invocation payload: `{"regions": [...], "controls": [...], "accounts": ...,
/// "dryRun": true}`. A queued account's message is one too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Invocation {
    /// Regions to audit instead of the configured ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// Controls to evaluate instead of the configured ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controls: Option<Vec<String>>,
    /// Accounts to audit instead of the configured ones: `"self"`, `"organization"`, or a list
    /// of ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts: Option<AccountsPayload>,
    /// `true` to evaluate without importing findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// The changes to the chain that triggered the run: set by a change-triggered run on the
    /// accounts it queues, so that their findings name them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<ChainChange>>,
}

/// The `accounts` of a payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum AccountsPayload {
    /// `"self"` or `"organization"`.
    Keyword(String),
    /// Account ids.
    Listed(Vec<String>),
}

/// Checks an account id: twelve digits.
///
/// # Errors
///
/// [`Problem::BadValue`] for anything else.
pub fn parse_account_id(text: &str) -> Result<String, Problem> {
    let id = text.trim();
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_string())
    } else {
        Err(Problem::BadValue {
            value: text.to_string(),
            expected: "expected a 12-digit account id".to_string(),
        })
    }
}

/// Checks an IAM role name: 1 to 64 characters of letters, digits and `+=,.@_-`.
///
/// # Errors
///
/// [`Problem::BadValue`] for anything else.
pub fn parse_role_name(text: &str) -> Result<String, Problem> {
    let name = text.trim();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if (1..=64).contains(&name.len()) && name.chars().all(allowed) {
        Ok(name.to_string())
    } else {
        Err(Problem::BadValue {
            value: text.to_string(),
            expected: "expected an IAM role name: 1 to 64 letters, digits or +=,.@_-".to_string(),
        })
    }
}

/// Checks an external id: 2 to 1224 characters of letters, digits and `+=,.@:/_-`.
///
/// # Errors
///
/// [`Problem::BadValue`] for anything else.
pub fn parse_external_id(text: &str) -> Result<String, Problem> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c);
    if (2..=1224).contains(&text.len()) && text.chars().all(allowed) {
        Ok(text.to_string())
    } else {
        Err(Problem::BadValue {
            value: text.to_string(),
            expected: "expected an external id: 2 to 1224 letters, digits or +=,.@:/_-".to_string(),
        })
    }
}

/// The accounts a keyword or a list names: `self`, `organization`, or account ids.
fn parse_accounts(words: &[String]) -> Result<Accounts, Problem> {
    match words {
        [word] if word.trim().eq_ignore_ascii_case("self") => Ok(Accounts::Caller),
        [word] if word.trim().eq_ignore_ascii_case("organization") => Ok(Accounts::Organization),
        ids => {
            check_length(ids.len())?;
            let mut valid: Vec<String> = Vec::with_capacity(ids.len());
            for id in ids {
                let id = parse_account_id(id)?;
                if !valid.contains(&id) {
                    valid.push(id);
                }
            }
            Ok(Accounts::Listed(valid))
        }
    }
}

/// Checks one region name: shaped like one, and announced by AWS.
///
/// # Errors
///
/// [`Problem::BadRegion`] or [`Problem::UnknownRegion`].
pub fn parse_region(text: &str) -> Result<String, Problem> {
    let region = text.trim();
    if !is_region_name(region) {
        return Err(Problem::BadRegion(region.to_string()));
    }
    if !is_known_region(region) {
        return Err(Problem::UnknownRegion(region.to_string()));
    }
    Ok(region.to_string())
}

/// Checks a concurrency: a whole number from 1 to [`MAX_CONCURRENCY`].
///
/// # Errors
///
/// [`Problem::BadValue`] for anything else.
pub fn parse_concurrency(text: &str) -> Result<usize, Problem> {
    text.trim().parse().ok().filter(|n| (1..=MAX_CONCURRENCY).contains(n)).ok_or_else(|| Problem::BadValue {
        value: text.to_string(),
        expected: format!("expected a whole number from 1 to {MAX_CONCURRENCY}"),
    })
}

/// Checks a severity label for FAILED findings.
///
/// # Errors
///
/// [`Problem::BadValue`] for a label ASFF does not have.
pub fn parse_severity(text: &str) -> Result<SeverityLabel, Problem> {
    text.parse().map_err(|expected| Problem::BadValue { value: text.to_string(), expected })
}

fn parse_bool(text: &str) -> Result<bool, Problem> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        _ => {
            Err(Problem::BadValue { value: text.to_string(), expected: "expected true or false".to_string() })
        }
    }
}

/// The entries of a comma-separated environment list; `None` for empty or `all` (the default).
fn environment_list(text: &str) -> Option<Vec<String>> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("all") {
        return None;
    }
    Some(trimmed.split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_string).collect())
}

impl AuditConfig {
    /// The configuration the function's environment describes: `variable(name)` is the value
    /// of the variable `name`, if set (the binary passes `std::env::var`). Unset variables keep
    /// the defaults.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the first variable that is wrong.
    pub fn from_environment(variable: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let origin = Origin::Environment;
        let read = |setting: Setting| variable(setting.name(origin));
        let invalid = |setting: Setting| move |problem| ConfigError::invalid(setting, origin, problem);
        let mut config = AuditConfig::default();
        if let Some(regions) = read(Setting::Regions).as_deref().and_then(environment_list) {
            config = config.with_regions(&regions, origin)?;
        }
        if let Some(controls) = read(Setting::Controls).as_deref().and_then(environment_list) {
            let controls: Vec<Control> = controls
                .iter()
                .map(|control| control.parse().map_err(Problem::UnknownControl))
                .collect::<Result<_, _>>()
                .map_err(invalid(Setting::Controls))?;
            config = config.with_controls(&controls, origin)?;
        }
        if let Some(dry_run) = read(Setting::DryRun) {
            config.publish = !parse_bool(&dry_run).map_err(invalid(Setting::DryRun))?;
        }
        if let Some(severity) = read(Setting::FailedSeverity) {
            config.failed_severity = parse_severity(&severity).map_err(invalid(Setting::FailedSeverity))?;
        }
        if let Some(concurrency) = read(Setting::Concurrency) {
            config.concurrency = parse_concurrency(&concurrency).map_err(invalid(Setting::Concurrency))?;
        }
        if let Some(accounts) = read(Setting::Accounts).filter(|text| !text.trim().is_empty()) {
            let words: Vec<String> = accounts.split(',').map(str::trim).map(str::to_string).collect();
            config.accounts = parse_accounts(&words).map_err(invalid(Setting::Accounts))?;
        }
        if let Some(role) = read(Setting::MemberRole).filter(|text| !text.trim().is_empty()) {
            config.member_access.role_name = parse_role_name(&role).map_err(invalid(Setting::MemberRole))?;
        }
        if let Some(external_id) = read(Setting::ExternalId).filter(|text| !text.is_empty()) {
            config.member_access.external_id =
                Some(parse_external_id(&external_id).map_err(invalid(Setting::ExternalId))?);
        }
        if let Some(concurrency) = read(Setting::AccountConcurrency) {
            config.account_concurrency =
                parse_concurrency(&concurrency).map_err(invalid(Setting::AccountConcurrency))?;
        }
        Ok(config)
    }

    /// This configuration auditing the accounts `words` names (`self`, `organization`, or
    /// account ids), as given at `origin`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for an empty or oversized list or a bad account id.
    pub fn with_accounts(mut self, words: &[String], origin: Origin) -> Result<Self, ConfigError> {
        self.accounts = parse_accounts(words)
            .map_err(|problem| ConfigError::invalid(Setting::Accounts, origin, problem))?;
        Ok(self)
    }

    /// This configuration auditing `regions` (each checked with [`parse_region`], repeats
    /// dropped), as given at `origin`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for an empty or oversized list or a bad region.
    pub fn with_regions(mut self, regions: &[String], origin: Origin) -> Result<Self, ConfigError> {
        let invalid = |problem| ConfigError::invalid(Setting::Regions, origin, problem);
        check_length(regions.len()).map_err(invalid)?;
        let mut valid: Vec<String> = Vec::with_capacity(regions.len());
        for region in regions {
            let region = parse_region(region).map_err(invalid)?;
            if !valid.contains(&region) {
                valid.push(region);
            }
        }
        self.regions = Some(valid);
        Ok(self)
    }

    /// This configuration evaluating `controls` (repeats dropped), as given at `origin`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for an empty or oversized list.
    pub fn with_controls(mut self, controls: &[Control], origin: Origin) -> Result<Self, ConfigError> {
        check_length(controls.len())
            .map_err(|problem| ConfigError::invalid(Setting::Controls, origin, problem))?;
        let mut valid = Vec::new();
        for control in controls {
            if !valid.contains(control) {
                valid.push(*control);
            }
        }
        self.controls = valid;
        Ok(self)
    }

    /// The configuration for one Lambda invocation: an EventBridge event runs with this
    /// configuration; a direct payload overrides regions, controls and dry run. Either way the
    /// run reads the account for at most `collection_deadline` (from the invocation's own
    /// deadline), or without a limit when it is `None`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Payload`] for a payload that is neither, or has unknown fields or wrong
    /// types; [`ConfigError::Invalid`] for empty, oversized or unknown entries.
    pub fn for_invocation(
        &self,
        payload: &Json,
        collection_deadline: Option<Duration>,
    ) -> Result<AuditConfig, ConfigError> {
        let mut config = AuditConfig { collection_deadline, ..self.clone() };
        if payload.is_null() {
            return Ok(config);
        }
        if is_eventbridge_event(payload) {
            serde_json::from_value::<aws_lambda_events::event::eventbridge::EventBridgeEvent>(
                payload.clone(),
            )
            .map_err(|error| ConfigError::Payload(format!("malformed EventBridge event: {error}")))?;
            return Ok(config);
        }
        let invocation: Invocation = serde_json::from_value(payload.clone()).map_err(|error| {
            ConfigError::Payload(format!(
                "{error}; expected an EventBridge scheduled event or {{\"regions\": [...], \"controls\": [...], \"accounts\": ..., \"dryRun\": bool}}"
            ))
        })?;
        let origin = Origin::Payload;
        if let Some(regions) = invocation.regions {
            config = config.with_regions(&regions, origin)?;
        }
        if let Some(controls) = invocation.controls {
            let controls: Vec<Control> = controls
                .iter()
                .map(|control| control.parse())
                .collect::<Result<_, UnknownControl>>()
                .map_err(|unknown| ConfigError::invalid(Setting::Controls, origin, unknown.into()))?;
            config = config.with_controls(&controls, origin)?;
        }
        if let Some(accounts) = invocation.accounts {
            let words = match accounts {
                AccountsPayload::Keyword(word) => vec![word],
                AccountsPayload::Listed(ids) => ids,
            };
            config = config.with_accounts(&words, origin)?;
        }
        if let Some(dry_run) = invocation.dry_run {
            config.publish = !dry_run;
        }
        if let Some(changes) = invocation.changes {
            config.changes = changes;
        }
        Ok(config)
    }
}

/// A list setting has at least one and at most [`MAX_LIST_ENTRIES`] entries.
fn check_length(count: usize) -> Result<(), Problem> {
    match count {
        0 => Err(Problem::EmptyList),
        count if count > MAX_LIST_ENTRIES => Err(Problem::TooMany { count, max: MAX_LIST_ENTRIES }),
        _ => Ok(()),
    }
}

/// Whether a payload is an EventBridge event (it carries `detail-type` and `source`).
fn is_eventbridge_event(payload: &Json) -> bool {
    payload.get("detail-type").is_some() && payload.get("source").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn environment(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
    }

    #[test]
    fn the_fan_out_needs_a_queue_and_a_sane_batch() {
        assert_eq!(FanOut::from_environment(environment(&[])), Ok(None));
        assert_eq!(FanOut::from_environment(environment(&[(QUEUE_URL_VARIABLE, " ")])), Ok(None));
        let url = "https://sqs.us-east-1.amazonaws.com/123456789012/cis-monitor-accounts";
        assert_eq!(
            FanOut::from_environment(environment(&[(QUEUE_URL_VARIABLE, url)])),
            Ok(Some(FanOut {
                queue_url: url.to_string(),
                accounts_per_invocation: DEFAULT_ACCOUNTS_PER_INVOCATION
            }))
        );
        let sized = FanOut::from_environment(environment(&[
            (QUEUE_URL_VARIABLE, url),
            (ACCOUNTS_PER_INVOCATION_VARIABLE, "25"),
        ]));
        assert_eq!(sized.map(|fan_out| fan_out.map(|fan_out| fan_out.accounts_per_invocation)), Ok(Some(25)));
        for (name, value) in [
            (QUEUE_URL_VARIABLE, "cis-monitor-accounts"),
            (ACCOUNTS_PER_INVOCATION_VARIABLE, "0"),
            (ACCOUNTS_PER_INVOCATION_VARIABLE, "10001"),
            (ACCOUNTS_PER_INVOCATION_VARIABLE, "many"),
        ] {
            let queue = if name == QUEUE_URL_VARIABLE { value } else { url };
            let error = FanOut::from_environment(environment(&[(QUEUE_URL_VARIABLE, queue), (name, value)]))
                .expect_err(value);
            assert!(error.to_string().starts_with(name), "{error}");
        }
    }

    #[test]
    fn environment_settings_are_validated() {
        let config = AuditConfig::from_environment(environment(&[
            ("CIS_MONITOR_REGIONS", "eu-west-1, us-east-1,eu-west-1"),
            ("CIS_MONITOR_CONTROLS", "cloudwatch.7"),
            ("CIS_MONITOR_DRY_RUN", "true"),
            ("CIS_MONITOR_FAILED_SEVERITY", "high"),
            ("CIS_MONITOR_CONCURRENCY", "4"),
        ]))
        .expect("valid");
        assert_eq!(config.regions, Some(vec!["eu-west-1".to_string(), "us-east-1".to_string()]));
        assert_eq!(config.controls, vec![Control::KmsKeyChanges]);
        assert!(!config.publish);
        assert_eq!(config.failed_severity, SeverityLabel::High);
        assert_eq!(config.concurrency, 4);
        let all = AuditConfig::from_environment(environment(&[("CIS_MONITOR_REGIONS", "all")]));
        assert_eq!(all.map(|c| c.regions), Ok(None));
        for (name, value) in [
            ("CIS_MONITOR_REGIONS", "eu-west"),
            ("CIS_MONITOR_CONTROLS", "CloudWatch.99"),
            ("CIS_MONITOR_DRY_RUN", "maybe"),
            ("CIS_MONITOR_FAILED_SEVERITY", "URGENT"),
            ("CIS_MONITOR_CONCURRENCY", "0"),
        ] {
            let error = AuditConfig::from_environment(environment(&[(name, value)])).expect_err(name);
            assert!(error.to_string().starts_with(&format!("{name}: ")), "{error}");
        }
    }

    #[test]
    fn errors_name_the_setting_as_the_user_gave_it() {
        let bad = ["eu-west".to_string()];
        for (origin, name) in [
            (Origin::CommandLine, "--region"),
            (Origin::Environment, "CIS_MONITOR_REGIONS"),
            (Origin::Payload, "regions"),
        ] {
            let error = AuditConfig::default().with_regions(&bad, origin).expect_err("bad region");
            assert_eq!(
                error,
                ConfigError::Invalid { setting: name, problem: Problem::BadRegion("eu-west".to_string()) }
            );
        }
        let too_many = vec![Control::VpcChanges; MAX_LIST_ENTRIES + 1];
        let error =
            AuditConfig::default().with_controls(&too_many, Origin::CommandLine).expect_err("too many");
        assert_eq!(error.to_string(), "--control: 65 entries; at most 64 are allowed");
        assert_eq!(
            parse_concurrency("65").map_err(|e| e.to_string()),
            Err("`65`: expected a whole number from 1 to 64".to_string())
        );
    }

    #[test]
    fn accounts_are_self_the_organization_or_ids() {
        let config =
            |value: &str| AuditConfig::from_environment(environment(&[("CIS_MONITOR_ACCOUNTS", value)]));
        assert_eq!(config("self").map(|c| c.accounts), Ok(Accounts::Caller));
        assert_eq!(config("Organization").map(|c| c.accounts), Ok(Accounts::Organization));
        assert_eq!(
            config("111111111111, 222222222222,111111111111").map(|c| c.accounts),
            Ok(Accounts::Listed(vec!["111111111111".to_string(), "222222222222".to_string()]))
        );
        for bad in ["11111111111", "1111111111111", "abcdefghijkl", "111111111111,everyone"] {
            let error = config(bad).expect_err(bad);
            assert!(error.to_string().starts_with("CIS_MONITOR_ACCOUNTS: "), "{error}");
        }
        let roles = AuditConfig::from_environment(environment(&[
            ("CIS_MONITOR_MEMBER_ROLE", "audit-role"),
            ("CIS_MONITOR_EXTERNAL_ID", "cis:monitor/1"),
            ("CIS_MONITOR_ACCOUNT_CONCURRENCY", "3"),
        ]))
        .expect("valid");
        assert_eq!(roles.member_access.role_name, "audit-role");
        assert_eq!(roles.member_access.external_id.as_deref(), Some("cis:monitor/1"));
        assert_eq!(roles.account_concurrency, 3);
        assert!(
            AuditConfig::from_environment(environment(&[("CIS_MONITOR_MEMBER_ROLE", "no spaces")])).is_err()
        );
        assert!(AuditConfig::from_environment(environment(&[("CIS_MONITOR_EXTERNAL_ID", "x")])).is_err());
        let payload = AuditConfig::default().for_invocation(&json!({"accounts": "organization"}), None);
        assert_eq!(payload.map(|c| c.accounts), Ok(Accounts::Organization));
        let payload = AuditConfig::default().for_invocation(&json!({"accounts": ["333333333333"]}), None);
        assert_eq!(payload.map(|c| c.accounts), Ok(Accounts::Listed(vec!["333333333333".to_string()])));
        let error =
            AuditConfig::default().for_invocation(&json!({"accounts": ["3"]}), None).expect_err("bad id");
        assert!(error.to_string().starts_with("accounts: "), "{error}");
    }

    #[test]
    fn payloads_override_or_are_rejected() {
        let base = AuditConfig::default();
        let scheduled = json!({
            "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "123456789012", "time": "2026-11-23T00:00:00Z",
            "region": "us-east-1", "resources": ["arn:aws:events:us-east-1:123456789012:rule/cis-monitor"], "detail": {}
        });
        assert_eq!(base.for_invocation(&scheduled, None), Ok(base.clone()));
        let deadline = Some(Duration::from_secs(270));
        assert_eq!(base.for_invocation(&scheduled, deadline).map(|c| c.collection_deadline), Ok(deadline));
        let direct = base.for_invocation(
            &json!({"regions": ["eu-west-1"], "controls": ["CloudWatch.7"], "dryRun": true}),
            None,
        );
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
            assert!(base.for_invocation(&payload, None).is_err(), "{payload}");
        }
        let error = base.for_invocation(&json!({"controls": ["CloudWatch.6"]}), None).expect_err("unknown");
        assert!(error.to_string().starts_with("controls: unknown control `CloudWatch.6`"), "{error}");
    }
}
