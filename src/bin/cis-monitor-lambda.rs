//! `cis-monitor-lambda`: the AWS Lambda entry point. Sets up JSON logs (at the function's
//! application log level, unless `RUST_LOG` says otherwise), reads the configuration (and the
//! fan-out's queue) from the environment once, builds the AWS clients once, and serves
//! invocations; each run also writes its metrics (EMF) to standard output.

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

use cis_monitor::clients::{CallPolicy, Clients};
use cis_monitor::config::{AuditConfig, FanOut};
use cis_monitor::lambda::handle_invocation;
use cis_monitor::log_level::LambdaLogLevel;
use cis_monitor::logging::log_filter;
use cis_monitor::metrics;

fn main() -> Result<(), lambda_runtime::Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(cis_monitor::clients::THREAD_STACK_BYTES)
        .build()?
        .block_on(serve())
}

async fn serve() -> Result<(), lambda_runtime::Error> {
    let log_level = LambdaLogLevel::parse(std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref());
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(log_filter(std::env::var("RUST_LOG").ok().as_deref(), log_level.tracing()))
        .with_current_span(false)
        .with_target(false)
        .init();
    let config = AuditConfig {
        metrics_level: Some(metrics::record_level(log_level)),
        ..AuditConfig::from_environment(|name| std::env::var(name).ok())?
    };
    let fan_out = FanOut::from_environment(|name| std::env::var(name).ok())?;
    let clients = Clients::from_environment(CallPolicy::default()).await;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let (clients, config, fan_out) = (&clients, &config, fan_out.as_ref());
        async move {
            handle_invocation(clients, config, fan_out, &event.payload, Some(event.context.deadline)).await
        }
    }))
    .await
}
