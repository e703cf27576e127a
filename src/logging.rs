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
