//! Amazon Resource Names, split into their parts.

/// The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`...
    pub partition: &'a str,
    /// The service namespace (`sns`, `logs`...).
    pub service: &'a str,
    /// The region; empty for global resources.
    pub region: &'a str,
    /// The owning account; empty for some resources.
    pub account: &'a str,
    /// The rest, which may itself hold `:` characters.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits an ARN; `None` when the text is not one.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let arn = Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        };
        (!arn.partition.is_empty() && !arn.service.is_empty()).then_some(arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_split_into_parts() {
        let arn = Arn::parse("arn:aws-us-gov:sns:us-gov-west-1:111122223333:alerts:sub-id").expect("an ARN");
        assert_eq!(arn.partition, "aws-us-gov");
        assert_eq!(arn.service, "sns");
        assert_eq!(arn.region, "us-gov-west-1");
        assert_eq!(arn.account, "111122223333");
        assert_eq!(arn.resource, "alerts:sub-id");
        assert_eq!(Arn::parse("arn:aws:iam::111122223333:root").map(|a| a.region), Some(""));
        for bad in ["", "PendingConfirmation", "arn:aws:sns", "urn:aws:sns:r:a:x", "arn::sns:r:a:x"] {
            assert_eq!(Arn::parse(bad), None, "{bad}");
        }
    }
}
