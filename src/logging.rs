//! Log filtering shared by both binaries. The SDK's and HTTP stack's debug and trace output can
//! carry request signatures, session tokens and response bodies (subscription endpoints, such
//! as e-mail addresses): those targets are capped at INFO whatever `RUST_LOG` asks for.

use tracing_subscriber::EnvFilter;

/// Targets whose verbose output can carry secrets or personal data.
pub const CAPPED_TARGETS: &[&str] = &[
    "aws_config",
    "aws_credential_types",
    "aws_runtime",
    "aws_sigv4",
    "aws_smithy_http",
    "aws_smithy_http_client",
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "h2",
    "hyper",
    "hyper_util",
    "rustls",
];

/// The `tracing` level for Lambda's application log level (`AWS_LAMBDA_LOG_LEVEL`, set from
/// the function's `LoggingConfig.ApplicationLogLevel`): `info` when unset or unknown.
pub fn lambda_log_level(level: Option<&str>) -> &'static str {
    match level.map(str::to_ascii_uppercase).as_deref() {
        Some("TRACE") => "trace",
        Some("DEBUG") => "debug",
        Some("WARN") => "warn",
        Some("ERROR" | "FATAL") => "error",
        _ => "info",
    }
}

/// The filter for `spec` (a `RUST_LOG` value, when set; `default` otherwise), with
/// [`CAPPED_TARGETS`] held at INFO.
pub fn log_filter(spec: Option<&str>, default: &str) -> EnvFilter {
    let mut filter =
        spec.and_then(|spec| EnvFilter::try_new(spec).ok()).unwrap_or_else(|| EnvFilter::new(default));
    for target in CAPPED_TARGETS {
        if let Ok(directive) = format!("{target}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambdas_log_levels_map_to_tracing_levels() {
        let cases = [
            (Some("TRACE"), "trace"),
            (Some("debug"), "debug"),
            (Some("INFO"), "info"),
            (Some("WARN"), "warn"),
            (Some("ERROR"), "error"),
            (Some("FATAL"), "error"),
            (Some("chatty"), "info"),
            (None, "info"),
        ];
        for (level, expected) in cases {
            assert_eq!(lambda_log_level(level), expected, "{level:?}");
        }
    }
}
