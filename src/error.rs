//! Failures of AWS calls, classified where they happen so that the rest of the crate deals in
//! domain values (a denied read, a throttled call, an unreachable region), never in SDK types.

#[cfg(feature = "aws")]
use aws_sdk_sts::error::ProvideErrorMetadata;
#[cfg(feature = "aws")]
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
#[cfg(feature = "aws")]
use aws_smithy_runtime_api::client::result::SdkError;
use serde::Serialize;

/// Why an AWS call failed, as far as the verdict is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailureKind {
    /// The caller lacks the permission (IAM, SCP, an opt-in region not enabled...).
    AccessDenied,
    /// The service throttled the call, retries included.
    Throttled,
    /// The endpoint could not be reached or did not answer in time.
    Unreachable,
    /// The resource does not exist.
    NotFound,
    /// Security Hub is not enabled in the region.
    NotEnabled,
    /// Anything else: a server error, a malformed answer.
    Other,
}

/// A failed AWS call: which permission it needed, where, and why it failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{action} in {region} failed: {message}")]
pub struct ApiFailure {
    /// The IAM action of the call (`cloudtrail:GetTrailStatus`).
    pub action: String,
    /// The region the call went to.
    pub region: String,
    /// The failure's class.
    pub kind: FailureKind,
    /// The service's error code, when it gave one.
    pub code: Option<String>,
    /// What went wrong, for people.
    pub message: String,
}

#[cfg(feature = "aws")]
impl ApiFailure {
    /// Classifies an SDK error of the call `action` made in `region`. A service error without a
    /// code (some services answer a denial with a body the SDK cannot read) is classified by
    /// its HTTP status: 403 is a denial, 429 throttling.
    pub fn from_sdk<E>(action: &str, region: &str, error: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let status = error.raw_response().map(|response| response.status().as_u16());
        let (kind, code, message) = match &error {
            SdkError::ServiceError(service) => {
                let code = service.err().code().map(str::to_string);
                let message =
                    service.err().message().map(str::to_string).unwrap_or_else(|| error_chain(&error));
                let kind = match code.as_deref() {
                    Some(code) => kind_of_code(Some(code)),
                    None => kind_of_status(status),
                };
                (kind, code, message)
            }
            SdkError::TimeoutError(_) => (FailureKind::Unreachable, None, "the call timed out".to_string()),
            SdkError::DispatchFailure(_) => (FailureKind::Unreachable, None, error_chain(&error)),
            _ => (kind_of_status(status), None, error_chain(&error)),
        };
        ApiFailure { action: action.to_string(), region: region.to_string(), kind, code, message }
    }
}

impl ApiFailure {
    /// A failure the crate detects itself, such as a malformed answer.
    pub fn other(action: &str, region: &str, message: impl Into<String>) -> Self {
        ApiFailure {
            action: action.to_string(),
            region: region.to_string(),
            kind: FailureKind::Other,
            code: None,
            message: message.into(),
        }
    }
}

#[cfg(feature = "aws")]
/// The error and its sources, joined, for a message that says more than "dispatch failure".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(feature = "aws")]
/// Classifies an answer by its HTTP status alone.
fn kind_of_status(status: Option<u16>) -> FailureKind {
    match status {
        Some(401 | 403) => FailureKind::AccessDenied,
        Some(429) => FailureKind::Throttled,
        Some(404) => FailureKind::NotFound,
        _ => FailureKind::Other,
    }
}

#[cfg(feature = "aws")]
/// Classifies a service error code. The codes differ by service; all the ones the audited
/// services use for these cases are listed here, in one place.
fn kind_of_code(code: Option<&str>) -> FailureKind {
    match code.unwrap_or_default() {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "AuthorizationError"
        | "AuthorizationErrorException"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "AuthFailure"
        | "OptInRequired"
        | "UnauthorizedAccess"
        | "SignatureDoesNotMatch"
        | "ExpiredToken"
        | "ExpiredTokenException" => FailureKind::AccessDenied,
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "LimitExceededException"
        | "Throttled"
        | "RequestThrottled" => FailureKind::Throttled,
        "ResourceNotFoundException" | "NotFound" | "NotFoundException" | "TrailNotFoundException" => {
            FailureKind::NotFound
        }
        "InvalidAccessException" => FailureKind::NotEnabled,
        _ => FailureKind::Other,
    }
}

#[cfg(all(test, feature = "aws"))]
mod tests {
    use super::*;

    #[test]
    fn service_codes_map_to_kinds() {
        let cases = [
            ("AccessDeniedException", FailureKind::AccessDenied),
            ("AuthorizationError", FailureKind::AccessDenied),
            ("UnauthorizedOperation", FailureKind::AccessDenied),
            ("ThrottlingException", FailureKind::Throttled),
            ("Throttling", FailureKind::Throttled),
            ("LimitExceededException", FailureKind::Throttled),
            ("NotFound", FailureKind::NotFound),
            ("TrailNotFoundException", FailureKind::NotFound),
            ("InvalidAccessException", FailureKind::NotEnabled),
            ("InternalFailure", FailureKind::Other),
        ];
        for (code, kind) in cases {
            assert_eq!(kind_of_code(Some(code)), kind, "{code}");
        }
        assert_eq!(kind_of_code(None), FailureKind::Other);
    }
}
