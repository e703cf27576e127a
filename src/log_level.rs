//! Lambda's application log levels, as the function's `LoggingConfig.ApplicationLogLevel`
//! sets them (`AWS_LAMBDA_LOG_LEVEL`): what the code logs from ([`crate::logging`]) and what
//! the metrics records must carry to be kept ([`crate::metrics`]).

/// An application log level, lowest first. Lambda drops JSON log lines below the function's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LambdaLogLevel {
    /// TRACE.
    Trace,
    /// DEBUG.
    Debug,
    /// INFO.
    Info,
    /// WARN.
    Warn,
    /// ERROR.
    Error,
    /// FATAL.
    Fatal,
}

impl LambdaLogLevel {
    /// The level `text` names, in any case; INFO when it is missing or names none, as Lambda
    /// reads a log line whose level is missing or invalid.
    pub fn parse(text: Option<&str>) -> Self {
        match text.map(str::to_ascii_uppercase).as_deref() {
            Some("TRACE") => LambdaLogLevel::Trace,
            Some("DEBUG") => LambdaLogLevel::Debug,
            Some("WARN") => LambdaLogLevel::Warn,
            Some("ERROR") => LambdaLogLevel::Error,
            Some("FATAL") => LambdaLogLevel::Fatal,
            _ => LambdaLogLevel::Info,
        }
    }

    /// The level as Lambda spells it.
    pub fn name(self) -> &'static str {
        match self {
            LambdaLogLevel::Trace => "TRACE",
            LambdaLogLevel::Debug => "DEBUG",
            LambdaLogLevel::Info => "INFO",
            LambdaLogLevel::Warn => "WARN",
            LambdaLogLevel::Error => "ERROR",
            LambdaLogLevel::Fatal => "FATAL",
        }
    }

    /// The `tracing` level that logs what Lambda keeps at this level (`tracing` has no FATAL).
    pub fn tracing(self) -> &'static str {
        match self {
            LambdaLogLevel::Trace => "trace",
            LambdaLogLevel::Debug => "debug",
            LambdaLogLevel::Info => "info",
            LambdaLogLevel::Warn => "warn",
            LambdaLogLevel::Error | LambdaLogLevel::Fatal => "error",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_read_in_any_case_and_info_when_missing_or_unknown() {
        let cases = [
            (Some("TRACE"), LambdaLogLevel::Trace, "trace"),
            (Some("debug"), LambdaLogLevel::Debug, "debug"),
            (Some("INFO"), LambdaLogLevel::Info, "info"),
            (Some("Warn"), LambdaLogLevel::Warn, "warn"),
            (Some("ERROR"), LambdaLogLevel::Error, "error"),
            (Some("fatal"), LambdaLogLevel::Fatal, "error"),
            (Some("chatty"), LambdaLogLevel::Info, "info"),
            (None, LambdaLogLevel::Info, "info"),
        ];
        for (text, level, tracing) in cases {
            assert_eq!(LambdaLogLevel::parse(text), level, "{text:?}");
            assert_eq!(level.tracing(), tracing, "{level:?}");
            assert_eq!(LambdaLogLevel::parse(Some(level.name())), level, "{level:?} round-trips");
        }
    }
}
