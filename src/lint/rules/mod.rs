//! The rule table: every rule, one file each, registered here once. A rule has a stable code,
//! a severity, the bank policy it enforces, its documentation (`bankgen explain CODE`), and a
//! check on a Terraform module, on the catalogue, or both.

use super::finding::{CatCtx, ModCtx, Out};
use crate::diag::Severity;

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
    /// What it inspects, for the compliance report: Terraform resource types of the rendered
    /// tree (`*`: every resource, `backend`), and catalogue entries (`catalogue: buckets`).
    pub covers: &'static [&'static str],
    /// Markdown: what it checks, why, an example, how to fix.
    pub doc: &'static str,
    pub terraform: Option<TerraformCheck>,
    pub catalogue: Option<CatalogueCheck>,
}

/// Declares each rule module and lists its `RULE` in [`RULES`], so that a rule is registered
/// by one line (`scripts/new-rule` inserts it). Keep the list sorted by code.
macro_rules! rules {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*

        pub static RULES: &[&Rule] = &[$(&$module::RULE),*];

        /// The module names, in the order of `RULES` (a test matches them with the codes).
        #[cfg(test)]
        const MODULES: &[&str] = &[$(stringify!($module)),*];
    };
}

rules! {
    bgl001_parse_error,
    bgl002_ignore_reason,
    bgl003_ignore_unused,
    bgl010_region,
    bgl101_s3_ssl_only,
    bgl102_s3_public_access_block,
    bgl103_s3_versioning,
    bgl104_s3_encryption,
    bgl105_s3_lifecycle,
    bgl106_s3_object_lock,
    bgl107_s3_access_logging,
    bgl108_s3_replication,
    bgl110_prevent_destroy,
    bgl111_s3_force_destroy,
    bgl112_kms_deletion_window,
    bgl113_cognito_deletion_protection,
    bgl201_kms_classification,
    bgl202_kms_decrypt_scope,
    bgl203_kms_rotation,
    bgl204_kms_key_policy,
    bgl205_classification_key,
    bgl301_tags,
    bgl310_vpc_flow_logs,
    bgl311_open_ingress,
    bgl320_waf_public_entry,
    bgl401_bus_archive_dlq,
    bgl402_target_dlq_retry,
    bgl403_cross_bus_role,
    bgl501_firehose,
    bgl502_sqs_encryption,
    bgl503_sns_encryption,
    bgl504_log_encryption,
    bgl505_log_retention,
    bgl506_dynamodb_protected,
    bgl507_aurora_protected,
    bgl508_redis_encrypted,
    bgl509_kinesis_encryption,
    bgl510_fifo_dlq,
    bgl520_alarm_routes_to_topic,
    bgl521_sampling_traces,
    bgl530_ecs_no_privileged,
    bgl531_ecs_read_only_root,
    bgl532_ecs_logging,
    bgl533_ecs_non_root_user,
    bgl534_mesh_egress_retries,
    bgl540_apigw_stage_observed,
    bgl541_apigw_method_authorized,
    bgl542_alb_https_listeners,
    bgl543_cloudfront_tls_waf,
    bgl544_route53_failover_health,
    bgl545_accelerator_https_only,
    bgl550_dr_protected_replicated,
    bgl551_budget_notified,
    bgl553_aurora_global_password,
    bgl554_dynamodb_replica_cmk,
    bgl555_tgw_peering_accepted,
    bgl601_cloudtrail,
    bgl602_config_recorder,
    bgl603_guardduty_enabled,
    bgl701_cognito_mfa,
    bgl702_cognito_tokens,
    bgl703_cognito_public_client,
    bgl704_customer_pool,
    bgl705_jurisdiction_claim,
    bgl706_jurisdiction_split,
    bgl801_iam_wildcards,
    bgl802_role_permissions,
    bgl803_policy_json,
    bgl804_access_wire,
    bgl805_unattached_policy,
    bgl901_secret_name,
    bgl902_secret_kms,
    bgl903_secret_rotation,
    bgl904_secret_value,
}

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
        for (r, module) in RULES.iter().zip(MODULES) {
            let prefix = format!("{}_", r.code.to_lowercase());
            assert!(module.starts_with(&prefix), "{module} holds {}", r.code);
        }
    }

    /// A rule file left out of `rules!` would not even be compiled.
    #[test]
    fn every_rule_file_is_registered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lint/rules");
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(module) = name.strip_suffix(".rs")
                && module != "mod"
            {
                assert!(MODULES.contains(&module), "{name} is not in rules!");
            }
        }
    }
}
