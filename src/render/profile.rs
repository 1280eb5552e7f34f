//! What differs between the provider profiles: the only place that knows.
//!
//! Templates branch on these flags, never on the profile's name.

use crate::model::Profile;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Features {
    /// `aws_s3_bucket_versioning` & co. (provider >= 4) instead of inline bucket blocks.
    pub split_s3: bool,
    /// `aws_cloudwatch_event_bus_policy` (a full policy naming the role) instead of
    /// `aws_cloudwatch_event_permission` (an account principal only).
    pub bus_policy: bool,
    /// Arguments that providers < 4 do not have: bus `description` and `dead_letter_config`,
    /// Cognito `deletion_protection`, client `enable_token_revocation`, bucket ownership controls,
    /// S3 notifications to EventBridge, Lambda `architectures`, the `s3_use_path_style` provider flag.
    pub v4_arguments: bool,
    /// A Lambda runtime to use instead of the catalogue's: hashicorp/aws 3.39 checks runtimes
    /// against its 2021 list, which ends at nodejs14.x.
    pub lambda_runtime: Option<&'static str>,
    /// Firehose's `buffering_size`/`buffering_interval` (provider >= 5) vs `buffer_size`/`buffer_interval`.
    pub firehose_buffering: bool,
}

impl Features {
    pub fn of(profile: Profile) -> Features {
        let modern = profile == Profile::V6;
        Features {
            split_s3: modern,
            bus_policy: modern,
            v4_arguments: modern,
            firehose_buffering: modern,
            lambda_runtime: (!modern).then_some("nodejs14.x"),
        }
    }
}
