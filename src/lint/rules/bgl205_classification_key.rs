//! BGL205 (catalogue): every classification used by a catalogue resource has a CMK.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL205",
    name: "classification-has-key",
    title: "Every classification in use has a CMK",
    severity: Severity::Error,
    policy: "DT-002",
    checkov: &[],
    covers: &["catalogue: classifications"],
    doc: r#"## What it checks
In the catalogue, every `classification:` of a bucket, Firehose stream, user pool, trail, SNS
topic, log group or secret is the classification of a `kms_keys` entry of some module, and has a
key alias in `policies/kms.yaml`. Reported at the YAML line of the classification.

## Why
Seed 000: one CMK per data classification. A resource whose classification has no key cannot
be encrypted with it, and the renderer would have nothing to point at.

## Example
```yaml
buckets:
  - name: bank-archive
    classification: restricted   # no kms_keys entry has classification: restricted
```

## Fix
Add a `kms_keys` entry for the classification to the module that holds the platform's keys (and its alias to `policies/kms.yaml`), or use an existing classification.
"#,
    terraform: None,
    catalogue: Some(check_catalogue),
};

fn check_catalogue(cx: &CatCtx, out: &mut Out) {
    let keyed: Vec<&str> = cx
        .cat
        .modules
        .iter()
        .flat_map(|m| {
            m.resources
                .kms_keys
                .iter()
                .map(|k| k.classification.value.as_str())
        })
        .collect();
    for m in &cx.cat.modules {
        let used = crate::kinds::KINDS
            .iter()
            .flat_map(|k| k.classified(&m.resources));
        for (what, class) in used {
            let c = class.value.as_str();
            let problem = if !keyed.contains(&c) {
                Some("no module declares a KMS key for it")
            } else if !cx.p.kms.classifications.contains_key(c) {
                Some("policies/kms.yaml has no key alias for it")
            } else {
                None
            };
            if let Some(p) = problem {
                out.at_loc(
                    &m.loc_of(&class.referenced),
                    Some(what.clone()),
                    format!("{what} is classified `{c}`, but {p}"),
                    "add a kms_keys entry for it to the module that holds the platform's keys (and its alias to policies/kms.yaml), or use an existing classification",
                );
            }
        }
    }
}
