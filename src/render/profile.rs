//! What differs between the provider profiles: the only place that knows.
//!
//! Templates branch on the [`Features`] flags, never on the profile's name.

use crate::kinds::Features;
use crate::model::Profile;

pub fn features(profile: Profile) -> Features {
    let modern = profile == Profile::V6;
    Features {
        split_s3: modern,
        bus_policy: modern,
        v4_arguments: modern,
        firehose_buffering: modern,
        guardduty_features: modern,
        lambda_runtime: (!modern).then_some("nodejs14.x"),
    }
}
