//! `cis-monitor`: the command line. Parses flags, calls the library, maps the outcome to an
//! exit status: 0 when everything holds, 1 when something does not, 2 for bad input or a run
//! that could not start, 3 when Security Hub refused findings.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use std::time::SystemTime;

use cis_monitor::audit::run_audit;
use cis_monitor::clients::{CallPolicy, Clients};
use cis_monitor::config::{AuditConfig, Settings};
use cis_monitor::controls::Control;
use cis_monitor::logging::log_filter;
use cis_monitor::report::pattern::{CoverageReport, MatchReport, read_records};
use cis_monitor::report::run::SummaryTable;

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
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// A region to audit (repeatable); default: every enabled region.
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// A control to evaluate (repeatable); default: all three.
    #[arg(long = "control", value_name = "CONTROL")]
    controls: Vec<String>,
    /// Evaluate and print, but import nothing into Security Hub.
    #[arg(long)]
    no_publish: bool,
    /// Severity of FAILED findings.
    #[arg(long, default_value = "LOW")]
    failed_severity: String,
    /// Regions audited at once (1 to 64; the default audits every region at once).
    #[arg(long, default_value_t = cis_monitor::config::DEFAULT_CONCURRENCY)]
    concurrency: usize,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Pattern(args) => pattern(&args),
        Command::Run(args) => run(&args),
    };
    match result {
        Ok(Outcome::Holds) => ExitCode::SUCCESS,
        Ok(Outcome::DoesNotHold) => ExitCode::from(1),
        Ok(Outcome::BadInput) => ExitCode::from(2),
        Ok(Outcome::FindingsLost) => ExitCode::from(3),
        Err(error) => {
            eprintln!("cis-monitor: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &RunArgs) -> Result<Outcome> {
    let settings = Settings {
        regions: (!args.regions.is_empty()).then(|| args.regions.join(",")),
        controls: (!args.controls.is_empty()).then(|| args.controls.join(",")),
        dry_run: Some(args.no_publish.to_string()),
        failed_severity: Some(args.failed_severity.clone()),
        concurrency: Some(args.concurrency.to_string()),
    };
    let mut config = AuditConfig::from_settings(&settings)?;
    config.collection_deadline = args.deadline.map(std::time::Duration::from_secs);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(log_filter(std::env::var("RUST_LOG").ok().as_deref(), "warn"))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(cis_monitor::clients::THREAD_STACK_BYTES)
        .build()
        .context("cannot start the async runtime")?;
    let summary = runtime.block_on(async {
        let clients = Clients::from_environment(CallPolicy::default()).await;
        run_audit(&clients, &config, SystemTime::now()).await
    })?;
    match args.format {
        RunFormat::Table => print!("{}", SummaryTable(&summary)),
        RunFormat::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
    }
    Ok(if summary.lost_findings() {
        Outcome::FindingsLost
    } else if summary.nothing_evaluated() {
        anyhow::bail!("nothing could be evaluated: every verdict is NOT_AVAILABLE")
    } else if summary.all_passed() {
        Outcome::Holds
    } else {
        Outcome::DoesNotHold
    })
}

fn pattern(args: &PatternArgs) -> Result<Outcome> {
    let (error, holds) = match (&args.event, args.control) {
        (Some(file), _) => {
            let report = MatchReport::new(&args.pattern, &read_records(&read_input(file)?));
            if report.error.is_none() && report.total == 0 {
                anyhow::bail!("{file} holds no records");
            }
            print(&report, args.format, report.error.is_some())?;
            (report.error.clone(), report.all_match())
        }
        (None, Some(control)) => {
            let report = CoverageReport::new(control, &args.pattern);
            print(&report, args.format, report.error.is_some())?;
            (report.error.clone(), report.covers)
        }
        (None, None) => anyhow::bail!("--control is required unless --event is given"),
    };
    Ok(match error {
        Some(error) => {
            eprintln!("cis-monitor: {error}");
            Outcome::BadInput
        }
        None if holds => Outcome::Holds,
        None => Outcome::DoesNotHold,
    })
}

/// Prints a report; in text form an invalid pattern prints nothing, its message going to
/// standard error alone.
fn print<T: serde::Serialize + std::fmt::Display>(report: &T, format: Format, invalid: bool) -> Result<()> {
    match format {
        Format::Text if invalid => {}
        Format::Text => print!("{report}"),
        Format::Json => println!("{}", serde_json::to_string_pretty(report)?),
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
