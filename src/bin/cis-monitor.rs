//! `cis-monitor`: the command line. Parses flags into the library's validated configuration,
//! calls the library, maps the outcome to an exit status: 0 when everything holds, 1 when
//! something does not, 2 for bad input or a run that could not start or evaluated nothing, 3
//! when Security Hub refused findings, 4 when `pattern --event` matches some records only under
//! some readings of AWS's documentation. `invoke` exits 0 when the function would have
//! answered, else with its error's status (1 for a run that failed).

use std::future::Future;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use cis_monitor::audit::{discover, run_audit};
use cis_monitor::clients::{CallPolicy, Clients, THREAD_STACK_BYTES};
use cis_monitor::config::{
    Accounts, AuditConfig, DEFAULT_ACCOUNT_CONCURRENCY, DEFAULT_CONCURRENCY, DEFAULT_MEMBER_ROLE, FanOut,
    MemberAccess, Origin, parse_account_id, parse_concurrency, parse_external_id, parse_region,
    parse_role_name, parse_severity,
};
use cis_monitor::controls::Control;
use cis_monitor::findings::SeverityLabel;
use cis_monitor::lambda::{InvocationError, handle_invocation};
use cis_monitor::log_level::LambdaLogLevel;
use cis_monitor::logging::log_filter;
use cis_monitor::report::controls::ControlReport;
use cis_monitor::report::pattern::{CoverageReport, MatchReport, read_records};
use cis_monitor::report::run::SummaryTable;
use cis_monitor::summary::RunOutcome;
use cis_monitor::time::Timestamp;

/// Proves the CIS AWS Foundations monitoring controls CloudWatch.5, .7 and .14.
#[derive(Debug, Parser)]
#[command(name = "cis-monitor", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Judge a metric filter pattern: does it catch every event a control requires?
    Pattern(PatternArgs),
    /// Audit the account (standard AWS configuration: profile, region, AWS_ENDPOINT_URL) and
    /// publish the findings to Security Hub.
    Run(RunArgs),
    /// Print the controls: CIS numbers, required events and canonical filter patterns.
    Controls(FormatArgs),
    /// Print the regions `run` audits by default: every enabled region of the caller's
    /// partition (standard AWS configuration).
    Regions(FormatArgs),
    /// Handle one Lambda payload as the function does (a scheduled event, a change to the
    /// chain, an SQS batch), with its settings from the environment (CIS_MONITOR_*), and print
    /// its answer as JSON: the function without a Lambda runtime.
    Invoke(InvokeArgs),
}

#[derive(Debug, clap::Args)]
struct InvokeArgs {
    /// Also write each run's metrics to standard output, before the answer, as the function
    /// writes them to its logs: CloudWatch Embedded Metric Format records, one JSON line each.
    #[arg(long)]
    metrics: bool,
    /// The payload: a JSON file (`-` for standard input), such as events/*.json.
    payload: String,
}

#[derive(Debug, clap::Args)]
struct FormatArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// A region to audit (repeatable); default: every enabled region.
    #[arg(long = "region", value_name = "REGION", value_parser = parse_region)]
    regions: Vec<String>,
    /// A control to evaluate (repeatable); default: all three.
    #[arg(long = "control", value_name = "CONTROL", value_parser = parse_control)]
    controls: Vec<Control>,
    /// Evaluate and print, but import nothing into Security Hub.
    #[arg(long)]
    no_publish: bool,
    /// Severity of FAILED findings (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL).
    #[arg(long, default_value = "LOW", value_parser = parse_severity)]
    failed_severity: SeverityLabel,
    /// Regions audited at once (1 to 64; the default audits every region at once).
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    concurrency: usize,
    /// Audit every ACTIVE account of the organization (the caller is its management account or
    /// a delegated administrator).
    #[arg(long, conflicts_with = "accounts")]
    organization: bool,
    /// An account to audit (repeatable); default: the caller's.
    #[arg(long = "account", value_name = "ACCOUNT_ID", value_parser = parse_account_id)]
    accounts: Vec<String>,
    /// The role assumed in every audited account but the caller's.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_MEMBER_ROLE, value_parser = parse_role_name)]
    member_role: String,
    /// The external id that role's trust policy asks for.
    #[arg(long, value_name = "ID", value_parser = parse_external_id)]
    external_id: Option<String>,
    /// Accounts audited at once (1 to 64).
    #[arg(long, default_value_t = DEFAULT_ACCOUNT_CONCURRENCY, value_parser = parse_concurrency)]
    account_concurrency: usize,
    /// Stop reading the account after this many seconds, evaluate what was read, and mark the
    /// rest NOT_AVAILABLE.
    #[arg(long, value_name = "SECONDS")]
    deadline: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Table)]
    format: RunFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RunFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
struct PatternArgs {
    /// The control to judge the pattern for (CloudWatch.5, CloudWatch.7, CloudWatch.14).
    #[arg(long, required_unless_present = "event")]
    control: Option<Control>,
    /// Instead of judging coverage, test the pattern against the CloudTrail record(s) in FILE
    /// (`-` for standard input): one JSON record, a CloudTrail log file, or one record per line.
    #[arg(long, value_name = "FILE")]
    event: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The filter pattern, as given to CloudWatch Logs.
    pattern: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// How a command ended.
enum Outcome {
    Holds,
    DoesNotHold,
    BadInput,
    FindingsLost,
    DependsOnReading,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Pattern(args) => pattern(&args),
        Command::Run(args) => run(&args),
        Command::Controls(args) => controls(args.format),
        Command::Regions(args) => regions(args.format),
        Command::Invoke(args) => invoke(&args),
    };
    match result {
        Ok(Outcome::Holds) => ExitCode::SUCCESS,
        Ok(Outcome::DoesNotHold) => ExitCode::from(1),
        Ok(Outcome::BadInput) => ExitCode::from(2),
        Ok(Outcome::FindingsLost) => ExitCode::from(3),
        Ok(Outcome::DependsOnReading) => ExitCode::from(4),
        Err(error) => {
            eprintln!("cis-monitor: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// A control id, as `--control` takes it.
fn parse_control(text: &str) -> Result<Control, cis_monitor::controls::UnknownControl> {
    text.parse()
}

/// Runs `work` on a multi-threaded runtime with the library's thread stacks, logging warnings
/// (or what `RUST_LOG` says) to standard error, with clients from the standard configuration.
fn with_clients<T, F: Future<Output = T>>(work: impl FnOnce(Clients) -> F) -> Result<T> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(log_filter(std::env::var("RUST_LOG").ok().as_deref(), "warn"))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK_BYTES)
        .build()
        .context("cannot start the async runtime")?;
    Ok(runtime.block_on(async { work(Clients::from_environment(CallPolicy::default()).await).await }))
}

fn run(args: &RunArgs) -> Result<Outcome> {
    let mut config = AuditConfig {
        publish: !args.no_publish,
        failed_severity: args.failed_severity,
        concurrency: args.concurrency,
        collection_deadline: args.deadline.map(Duration::from_secs),
        member_access: MemberAccess {
            role_name: args.member_role.clone(),
            external_id: args.external_id.clone(),
        },
        account_concurrency: args.account_concurrency,
        ..AuditConfig::default()
    };
    if args.organization {
        config.accounts = Accounts::Organization;
    }
    if !args.accounts.is_empty() {
        config = config.with_accounts(&args.accounts, Origin::CommandLine)?;
    }
    if !args.regions.is_empty() {
        config = config.with_regions(&args.regions, Origin::CommandLine)?;
    }
    if !args.controls.is_empty() {
        config = config.with_controls(&args.controls, Origin::CommandLine)?;
    }
    let summary =
        with_clients(|clients| async move { run_audit(&clients, &config, Timestamp::now()).await })??;
    match args.format {
        RunFormat::Table => emit(|out| write!(out, "{}", SummaryTable(&summary)))?,
        RunFormat::Json => emit(|out| json(out, &summary, true))?,
    }
    Ok(match summary.outcome() {
        RunOutcome::NothingEvaluated => anyhow::bail!(cis_monitor::summary::NOTHING_EVALUATED),
        RunOutcome::FindingsLost => Outcome::FindingsLost,
        RunOutcome::AllPassed => Outcome::Holds,
        RunOutcome::NotAllPassed => Outcome::DoesNotHold,
    })
}

fn invoke(args: &InvokeArgs) -> Result<Outcome> {
    let text = read_input(&args.payload)?;
    let payload: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", args.payload))?;
    let config = AuditConfig {
        metrics_level: args.metrics.then(|| {
            let function = LambdaLogLevel::parse(std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref());
            cis_monitor::metrics::record_level(function)
        }),
        ..AuditConfig::from_environment(|name| std::env::var(name).ok())?
    };
    let fan_out = FanOut::from_environment(|name| std::env::var(name).ok())?;
    let answer = with_clients(|clients| async move {
        handle_invocation(&clients, &config, fan_out.as_ref(), &payload, None).await
    })?;
    match answer {
        Ok(answer) => {
            emit(|out| json(out, &answer, true))?;
            Ok(Outcome::Holds)
        }
        Err(InvocationError::BadPayload(error)) => {
            eprintln!("cis-monitor: {error}");
            Ok(Outcome::BadInput)
        }
        Err(InvocationError::FindingsLost { count, summary, .. }) => {
            eprintln!("cis-monitor: {count} finding(s) were not imported");
            emit(|out| json(out, &summary, true))?;
            Ok(Outcome::FindingsLost)
        }
        Err(error) => {
            eprintln!("cis-monitor: {error}");
            Ok(Outcome::DoesNotHold)
        }
    }
}

fn controls(format: Format) -> Result<Outcome> {
    let reports = ControlReport::all();
    match format {
        Format::Text => emit(|out| reports.iter().try_for_each(|report| write!(out, "{report}")))?,
        Format::Json => emit(|out| json(out, &reports, true))?,
    }
    Ok(Outcome::Holds)
}

fn regions(format: Format) -> Result<Outcome> {
    let (_, regions) = with_clients(|clients| async move { discover(&clients, None).await })??;
    match format {
        Format::Text => emit(|out| regions.iter().try_for_each(|region| writeln!(out, "{region}")))?,
        Format::Json => emit(|out| json(out, &regions, false))?,
    }
    Ok(Outcome::Holds)
}

fn pattern(args: &PatternArgs) -> Result<Outcome> {
    let (error, outcome) = match (&args.event, args.control) {
        (Some(file), _) => {
            let report = MatchReport::new(&args.pattern, &read_records(&read_input(file)?));
            if report.error.is_none() && report.total == 0 {
                anyhow::bail!("{file} holds no records");
            }
            print(&report, args.format, report.error.is_some())?;
            let outcome = if report.all_match() {
                Outcome::Holds
            } else if report.only_readings_differ() {
                Outcome::DependsOnReading
            } else {
                Outcome::DoesNotHold
            };
            (report.error.clone(), outcome)
        }
        (None, Some(control)) => {
            let report = CoverageReport::new(control, &args.pattern);
            print(&report, args.format, report.error.is_some())?;
            (report.error.clone(), if report.covers { Outcome::Holds } else { Outcome::DoesNotHold })
        }
        (None, None) => anyhow::bail!("--control is required unless --event is given"),
    };
    Ok(match error {
        Some(error) => {
            eprintln!("cis-monitor: {error}");
            Outcome::BadInput
        }
        None => outcome,
    })
}

/// Prints a report; in text form an invalid pattern prints nothing, its message going to
/// standard error alone.
fn print<T: serde::Serialize + std::fmt::Display>(report: &T, format: Format, invalid: bool) -> Result<()> {
    match format {
        Format::Text if invalid => {}
        Format::Text => emit(|out| write!(out, "{report}"))?,
        Format::Json => emit(|out| json(out, report, true))?,
    }
    Ok(())
}

fn read_input(file: &str) -> Result<String> {
    if file == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("cannot read standard input")?;
        Ok(text)
    } else {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))
    }
}

/// Writes to standard output with `write`, buffered, so that a large summary is never held
/// whole in memory. A reader that went away (`cis-monitor controls | head`) is not an error:
/// there is no one left to tell.
fn emit(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(error).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}

/// `value` as JSON (indented when `pretty`), then a newline.
fn json(out: &mut dyn Write, value: &impl serde::Serialize, pretty: bool) -> std::io::Result<()> {
    if pretty {
        serde_json::to_writer_pretty(&mut *out, value)?;
    } else {
        serde_json::to_writer(&mut *out, value)?;
    }
    writeln!(out)
}
