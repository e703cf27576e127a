//! KMS reads: who manages the key that encrypts a topic, and its key policy.

use aws_sdk_kms::Client;
use aws_sdk_kms::types::KeyManagerType;

use crate::error::ApiFailure;
use crate::inventory::{KeyDescription, KeyRef, KeyState};

/// What KMS says of `key`, asked in its region: DescribeKey (which resolves aliases), then, for
/// a customer managed key, GetKeyPolicy.
pub async fn fetch_key_state(client: &Client, key: &KeyRef) -> KeyState {
    let description = client
        .describe_key()
        .key_id(&key.id)
        .send()
        .await
        .map_err(|error| ApiFailure::from_sdk("kms:DescribeKey", &key.region, error))
        .and_then(|output| {
            let metadata = output.key_metadata().ok_or_else(|| {
                ApiFailure::other("kms:DescribeKey", &key.region, "the answer describes no key")
            })?;
            Ok(KeyDescription {
                arn: metadata.arn().unwrap_or_else(|| metadata.key_id()).to_string(),
                aws_managed: metadata.key_manager() == Some(&KeyManagerType::Aws),
            })
        });
    let policy = match &description {
        Ok(described) if !described.aws_managed => Some(
            client
                .get_key_policy()
                .key_id(&described.arn)
                .policy_name("default")
                .send()
                .await
                .map(|output| output.policy().unwrap_or_default().to_string())
                .map_err(|error| ApiFailure::from_sdk("kms:GetKeyPolicy", &key.region, error)),
        ),
        _ => None,
    };
    KeyState { description, policy }
}
