//! Nothing sensitive in logs: with the most verbose logging a user can ask for, a run prints no
//! credential, no request signature and no subscription endpoint.

mod support;

use std::process::Command;

use support::{Account, HOME};

#[tokio::test]
async fn verbose_logs_carry_no_secret_and_no_endpoint() {
    let account = Account::healthy().await;
    let secret = "Sup3rSecretAccessKeyValue0123456789abcdef";
    let output = Command::new(env!("CARGO_BIN_EXE_cis-monitor"))
        .args(["run", "--region", HOME, "--format", "json"])
        .env("AWS_ENDPOINT_URL", account.moto.aws_endpoint())
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEYID0001")
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_SESSION_TOKEN", "SessionTokenThatMustNotLeak")
        .env("AWS_REGION", HOME)
        .env("RUST_LOG", "trace")
        .output()
        .expect("the CLI runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("\"passed\": 3"), "{stdout}\n{stderr}");
    assert!(stderr.lines().count() > 10, "trace logging produced output: {stderr}");
    for (text, name) in [(stderr.as_ref(), "logs"), (stdout.as_ref(), "summary")] {
        for forbidden in [secret, "SessionTokenThatMustNotLeak", "Signature=", "security@example.com"] {
            assert!(!text.contains(forbidden), "{name} contain `{forbidden}`");
        }
    }
}
