//! The rule table: every rule, one file each, registered here once. A rule has a stable code,
//! a severity, the bank policy it enforces, its documentation (`bankgen explain CODE`), and a
//! check on a Terraform module, on the catalogue, or both.

use super::finding::{CatCtx, ModCtx, Out};
use crate::diag::Severity;

mod bgl001_parse_error;
mod bgl002_ignore_reason;
mod bgl003_ignore_unused;
mod bgl010_region;
mod bgl101_s3_ssl_only;
mod bgl102_s3_public_access_block;
mod bgl103_s3_versioning;
mod bgl104_s3_encryption;
mod bgl105_s3_lifecycle;
mod bgl201_kms_classification;
mod bgl202_kms_decrypt_scope;
mod bgl203_kms_rotation;
mod bgl204_kms_key_policy;
mod bgl205_classification_key;
mod bgl301_tags;
mod bgl401_bus_archive_dlq;
mod bgl402_target_dlq_retry;
mod bgl403_cross_bus_role;
mod bgl501_firehose;
mod bgl502_sqs_encryption;
mod bgl503_sns_encryption;
mod bgl504_log_encryption;
mod bgl505_log_retention;
mod bgl601_cloudtrail;
mod bgl701_cognito_mfa;
mod bgl702_cognito_tokens;
mod bgl703_cognito_public_client;
mod bgl801_iam_wildcards;
mod bgl802_role_permissions;
mod bgl901_secret_name;
mod bgl902_secret_kms;
mod bgl903_secret_rotation;
mod bgl904_secret_value;

pub type TerraformCheck = fn(&ModCtx, &mut Out);
pub type CatalogueCheck = fn(&CatCtx, &mut Out);

pub struct Rule {
    /// Stable: never reused, never renumbered.
    pub code: &'static str,
    /// A short kebab-case name.
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// The bank policy or decision it enforces (`GOV-005`, `DT-002`, `ADR-042`), or "".
    pub policy: &'static str,
    /// checkov checks that test the same thing (for the differential test).
    pub checkov: &'static [&'static str],
    /// Markdown: what it checks, why, an example, how to fix.
    pub doc: &'static str,
    pub terraform: Option<TerraformCheck>,
    pub catalogue: Option<CatalogueCheck>,
}

pub static RULES: &[&Rule] = &[
    &bgl001_parse_error::RULE,
    &bgl002_ignore_reason::RULE,
    &bgl003_ignore_unused::RULE,
    &bgl010_region::RULE,
    &bgl101_s3_ssl_only::RULE,
    &bgl102_s3_public_access_block::RULE,
    &bgl103_s3_versioning::RULE,
    &bgl104_s3_encryption::RULE,
    &bgl105_s3_lifecycle::RULE,
    &bgl201_kms_classification::RULE,
    &bgl202_kms_decrypt_scope::RULE,
    &bgl203_kms_rotation::RULE,
    &bgl204_kms_key_policy::RULE,
    &bgl205_classification_key::RULE,
    &bgl301_tags::RULE,
    &bgl401_bus_archive_dlq::RULE,
    &bgl402_target_dlq_retry::RULE,
    &bgl403_cross_bus_role::RULE,
    &bgl501_firehose::RULE,
    &bgl502_sqs_encryption::RULE,
    &bgl503_sns_encryption::RULE,
    &bgl504_log_encryption::RULE,
    &bgl505_log_retention::RULE,
    &bgl601_cloudtrail::RULE,
    &bgl701_cognito_mfa::RULE,
    &bgl702_cognito_tokens::RULE,
    &bgl703_cognito_public_client::RULE,
    &bgl801_iam_wildcards::RULE,
    &bgl802_role_permissions::RULE,
    &bgl901_secret_name::RULE,
    &bgl902_secret_kms::RULE,
    &bgl903_secret_rotation::RULE,
    &bgl904_secret_value::RULE,
];

pub const PARSE_ERROR: &str = "BGL001";
pub const IGNORE_WITHOUT_REASON: &str = "BGL002";
pub const IGNORE_UNUSED: &str = "BGL003";

/// A rule by code, case-insensitively.
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

/// Things most rules use.
mod prelude {
    pub use super::Rule;
    pub use crate::diag::Severity;
    pub use crate::lint::facts::{self, KeyClass};
    pub use crate::lint::finding::{CatCtx, ModCtx, Out};
    pub use crate::lint::index::Resource;
    pub use crate::lint::value::{Kind, Val};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_documented() {
        let mut prev = "";
        for r in RULES {
            assert!(r.code > prev, "{} out of order or duplicated", r.code);
            prev = r.code;
            for section in ["## What it checks", "## Why", "## Example", "## Fix"] {
                assert!(r.doc.contains(section), "{} doc lacks {section}", r.code);
            }
            assert!(r.code.starts_with("BGL") && r.code.len() == 6);
        }
    }
}
