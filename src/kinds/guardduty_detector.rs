//! GuardDuty (seed 002, compliance stack: "GuardDuty analyzes CloudTrail logs, VPC Flow Logs, and
//! DNS logs to identify potential security threats ... and generates findings for security
//! investigation"): the region's detector, enabled, publishing findings at the catalogue's
//! frequency, with its protection plans (S3 data events, EBS malware scans) as
//! `aws_guardduty_detector_feature`s. hashicorp/aws 3.39 has neither those nor `datasources`:
//! the legacy profile renders the detector alone (its foundational sources).

use super::md::{code, esc};
use super::names::ident;
use super::{
    Checker, DocSection, Docs, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api, known,
    raw,
};
use serde::Deserialize;
use serde_json::json;

/// `finding_publishing_frequency`'s values.
const FREQUENCIES: &[&str] = &["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"];

/// Detector features (protection plans) a detector may enable on its own.
const FEATURES: &[&str] = &[
    "S3_DATA_EVENTS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS",
    "EKS_AUDIT_LOGS",
    "RUNTIME_MONITORING",
];

/// One entry of a module's `resources: guardduty_detectors:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detector {
    pub name: Sp<String>,
    pub purpose: String,
    /// `FIFTEEN_MINUTES`, `ONE_HOUR` or `SIX_HOURS`.
    pub finding_publishing_frequency: Sp<String>,
    /// Protection plans enabled where the provider has them (`S3_DATA_EVENTS`, ...).
    pub features: Vec<Sp<String>>,
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "guardduty_detectors"
    }
    fn noun(&self) -> &'static str {
        "GuardDuty detector"
    }
    fn family(&self) -> &'static str {
        "guardduty"
    }
    fn template(&self) -> &'static str {
        "guardduty_detector.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::GUARDDUTY]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_guardduty_detector", "aws_guardduty_detector_feature"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL603"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.guardduty_detectors.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.guardduty_detectors
            .iter()
            .map(|x| ("GuardDuty detector", &x.name))
            .collect()
    }
    fn classified<'r>(&self, _: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        // It stores nothing of the platform's: findings stay in GuardDuty.
        Vec::new()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        None
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for (i, x) in r.guardduty_detectors.iter().enumerate() {
            c.name(&x.name, &n.resource);
            if i > 0 {
                c.err(
                    "BG001",
                    &x.name.referenced,
                    format!(
                        "GuardDuty detector `{}` is the module's second: an account has one detector per region",
                        x.name.value
                    ),
                    "declare one detector",
                );
            }
            let f = &x.finding_publishing_frequency;
            if !FREQUENCIES.contains(&f.value.as_str()) {
                c.err(
                    "BG001",
                    &f.referenced,
                    format!("unknown finding publishing frequency `{}`", f.value),
                    known("frequencies", FREQUENCIES.iter().copied()),
                );
            }
            for (j, feature) in x.features.iter().enumerate() {
                if !FEATURES.contains(&feature.value.as_str()) {
                    c.err(
                        "BG001",
                        &feature.referenced,
                        format!("unknown GuardDuty feature `{}`", feature.value),
                        known("features", FEATURES.iter().copied()),
                    );
                } else if x.features[..j].iter().any(|o| o.value == feature.value) {
                    c.err(
                        "BG001",
                        &feature.referenced,
                        format!("`{}` is listed twice", feature.value),
                        "list each feature once",
                    );
                }
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        for x in &m.module.resources.guardduty_detectors {
            let id = ident(&x.name.value);
            let loc = m.loc(&x.name.referenced);
            let features: Vec<_> = x
                .features
                .iter()
                .map(|f| json!({ "id": format!("{id}_{}", ident(&f.value.to_ascii_lowercase())), "name": f.value }))
                .collect();
            let ctx = json!({
                "id": id,
                "frequency": x.finding_publishing_frequency.value,
                "features": features,
            });
            m.emit(self, &loc, ctx);
            m.export(
                format!("guardduty/{}/detector_id", x.name.value),
                format!("Id of the region's GuardDuty detector: {}", x.purpose),
                raw(format!("aws_guardduty_detector.{id}.id")),
                &loc,
            );
        }
    }
    fn docs(&self, r: &Resources, _: &Docs) -> Option<DocSection> {
        if r.guardduty_detectors.is_empty() {
            return None;
        }
        Some(DocSection::new(
            "GuardDuty",
            "The region's detector, enabled (CloudTrail, VPC Flow Logs and DNS logs are its foundational sources), with its protection plans as detector features where the provider has them (hashicorp/aws 3.39, the emulator's, has none: the detector alone).",
            &[
                "Detector",
                "Purpose",
                "Findings published",
                "Protection plans",
            ],
            r.guardduty_detectors
                .iter()
                .map(|x| {
                    vec![
                        code(&x.name.value),
                        esc(&x.purpose),
                        code(&x.finding_publishing_frequency.value),
                        x.features
                            .iter()
                            .map(|f| code(&f.value))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect(),
        ))
    }
}
