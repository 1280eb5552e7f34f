//! The S3 backend's state bucket, made before any module can keep its state there: versioned,
//! encrypted, TLS only, no public access, old versions expired. Each setting is read first and
//! written only when missing or different, so a second run changes nothing.
//!
//! Encryption is SSE-S3 (AES256), not SSE-KMS: Terraform's s3 backend with `encrypt = true` and
//! no `kms_key_id` writes every state object with SSE-S3 anyway; the AWS managed key `aws/s3`
//! cannot be restricted (any principal S3 lets in may use it through S3), so it would add KMS
//! calls but no access control; and the bank's customer managed keys are made by MOD-104, whose
//! own state lives in this bucket. Who may read the state (it holds secrets) is decided by IAM
//! and this bucket's policy.

use super::aws::ApiError;
use super::s3::{BucketApi, Response, elements, error, first, whole_elements};

/// What happened to one setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It was not there; now it is.
    Made,
    /// It was there and right.
    Found,
    /// It was there and different; now it is right.
    Changed,
    WouldMake,
    WouldChange,
    /// Not wanted here (the emulator's TLS-only policy).
    Skipped,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Made => "made",
            Outcome::Found => "found",
            Outcome::Changed => "changed",
            Outcome::WouldMake => "would make",
            Outcome::WouldChange => "would change",
            Outcome::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub what: &'static str,
    pub outcome: Outcome,
    pub detail: String,
}

pub struct Plan<'a> {
    pub bucket: &'a str,
    pub region: &'a str,
    /// Days an old version of a state file is kept.
    pub noncurrent_days: u32,
    pub dry_run: bool,
    /// The endpoint is an emulator's, plain HTTP only: a TLS-only policy would shut the backend
    /// out (and moto applies a Deny without evaluating its `Bool` condition).
    pub plain_http: bool,
}

/// The lifecycle rule's ID, and the policy statement's Sid: how bankgen finds its own again.
pub const RULE_ID: &str = "bankgen-state-old-versions";
pub const SID: &str = "DenyInsecureTransport";
const XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Bring the bucket to the settings above, or (dry run) say what that would do. Stops at the
/// first call that fails: the steps done so far are in the error's context.
pub fn run(api: &dyn BucketApi, p: &Plan) -> Result<Vec<Step>, (Vec<Step>, ApiError)> {
    let mut steps = Vec::new();
    match bucket(api, p) {
        Ok(step) => steps.push(step),
        Err(e) => return Err((steps, e)),
    }
    // A bucket a dry run would make has no settings to read.
    let absent = steps[0].outcome == Outcome::WouldMake;
    type Setting = fn(&dyn BucketApi, &Plan, bool) -> Result<Step, ApiError>;
    let settings: [Setting; 5] = [
        versioning,
        encryption,
        public_access_block,
        policy,
        lifecycle,
    ];
    for s in settings {
        match s(api, p, absent) {
            Ok(step) => steps.push(step),
            Err(e) => return Err((steps, e)),
        }
    }
    Ok(steps)
}

fn ok(r: &Response) -> bool {
    (200..300).contains(&r.status)
}

/// Apply `body` at `query` (or say it would), as a `Made` (nothing was there) or `Changed` step.
fn put(
    api: &dyn BucketApi,
    p: &Plan,
    what: &'static str,
    query: &str,
    body: &str,
    was_there: bool,
    detail: String,
) -> Result<Step, ApiError> {
    let outcome = match (was_there, p.dry_run) {
        (false, true) => Outcome::WouldMake,
        (true, true) => Outcome::WouldChange,
        (false, false) => Outcome::Made,
        (true, false) => Outcome::Changed,
    };
    if !p.dry_run {
        let r = api.send("PUT", query, body.as_bytes())?;
        if !ok(&r) {
            return Err(error(&r));
        }
    }
    Ok(Step {
        what,
        outcome,
        detail,
    })
}

/// GET a sub-resource: `Some(body)`, or `None` when S3 says it is not configured (`missing`).
fn get(api: &dyn BucketApi, query: &str, missing: &str) -> Result<Option<String>, ApiError> {
    let r = api.send("GET", query, b"")?;
    if ok(&r) {
        return Ok(Some(r.body));
    }
    let e = error(&r);
    if r.status == 404 && e.code == missing {
        return Ok(None);
    }
    Err(e)
}

fn bucket(api: &dyn BucketApi, p: &Plan) -> Result<Step, ApiError> {
    let r = api.send("HEAD", "", b"")?;
    let found = |detail: String| Step {
        what: "bucket",
        outcome: Outcome::Found,
        detail,
    };
    match r.status {
        200..=299 => match r.region.as_deref() {
            Some(region) if region != p.region => Err(ApiError {
                status: Some(r.status),
                code: "WrongRegion".into(),
                message: format!(
                    "bucket `{}` is in {region}, the backend says {}",
                    p.bucket, p.region
                ),
            }),
            _ => Ok(found(format!("{} in {}", p.bucket, p.region))),
        },
        404 => {
            if !p.dry_run {
                // us-east-1 refuses its own name as a LocationConstraint.
                let body = if p.region == "us-east-1" {
                    String::new()
                } else {
                    format!(
                        "<CreateBucketConfiguration xmlns=\"{XMLNS}\"><LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
                        p.region
                    )
                };
                let r = api.send("PUT", "", body.as_bytes())?;
                if !ok(&r) {
                    return Err(error(&r));
                }
            }
            Ok(Step {
                what: "bucket",
                outcome: if p.dry_run {
                    Outcome::WouldMake
                } else {
                    Outcome::Made
                },
                detail: format!("{} in {}", p.bucket, p.region),
            })
        }
        301 => Err(ApiError {
            status: Some(301),
            code: "WrongRegion".into(),
            message: format!(
                "bucket `{}` exists in {}, the backend says {}",
                p.bucket,
                r.region.as_deref().unwrap_or("another region"),
                p.region
            ),
        }),
        403 => Err(ApiError {
            status: Some(403),
            code: "Forbidden".into(),
            message: format!(
                "bucket `{}` exists but these credentials may not use it (another account's, or no s3:ListBucket)",
                p.bucket
            ),
        }),
        _ => Err(error(&r)),
    }
}

fn versioning(api: &dyn BucketApi, p: &Plan, absent: bool) -> Result<Step, ApiError> {
    let body = format!(
        "<VersioningConfiguration xmlns=\"{XMLNS}\"><Status>Enabled</Status></VersioningConfiguration>"
    );
    let status = if absent {
        None
    } else {
        get(api, "versioning", "")?
            .as_deref()
            .and_then(|x| first(x, "Status"))
            .map(str::to_string)
    };
    match status.as_deref() {
        Some("Enabled") => Ok(Step {
            what: "versioning",
            outcome: Outcome::Found,
            detail: "Enabled".into(),
        }),
        // Suspended: it was on once.
        Some(s) => put(
            api,
            p,
            "versioning",
            "versioning",
            &body,
            true,
            format!("Enabled (was {s})"),
        ),
        None => put(
            api,
            p,
            "versioning",
            "versioning",
            &body,
            false,
            "Enabled".into(),
        ),
    }
}

fn encryption(api: &dyn BucketApi, p: &Plan, absent: bool) -> Result<Step, ApiError> {
    let current = if absent {
        None
    } else {
        get(
            api,
            "encryption",
            "ServerSideEncryptionConfigurationNotFoundError",
        )?
    };
    // Any default encryption is kept: a KMS key chosen by the bank is stronger than SSE-S3.
    if let Some(alg) = current.as_deref().and_then(|x| first(x, "SSEAlgorithm")) {
        return Ok(Step {
            what: "encryption",
            outcome: Outcome::Found,
            detail: alg.to_string(),
        });
    }
    let body = format!(
        "<ServerSideEncryptionConfiguration xmlns=\"{XMLNS}\"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
    );
    put(
        api,
        p,
        "encryption",
        "encryption",
        &body,
        current.is_some(),
        "AES256 (SSE-S3) by default".into(),
    )
}

const BLOCKS: [&str; 4] = [
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
];

fn public_access_block(api: &dyn BucketApi, p: &Plan, absent: bool) -> Result<Step, ApiError> {
    let current = if absent {
        None
    } else {
        get(
            api,
            "publicAccessBlock",
            "NoSuchPublicAccessBlockConfiguration",
        )?
    };
    let off: Vec<&str> = BLOCKS
        .iter()
        .copied()
        .filter(|b| {
            current
                .as_deref()
                .and_then(|x| first(x, b))
                .is_none_or(|v| !v.trim().eq_ignore_ascii_case("true"))
        })
        .collect();
    if off.is_empty() {
        return Ok(Step {
            what: "public access block",
            outcome: Outcome::Found,
            detail: "all four on".into(),
        });
    }
    let fields: String = BLOCKS.iter().map(|b| format!("<{b}>true</{b}>")).collect();
    let body = format!(
        "<PublicAccessBlockConfiguration xmlns=\"{XMLNS}\">{fields}</PublicAccessBlockConfiguration>"
    );
    let detail = if current.is_some() {
        format!("all four on (was off: {})", off.join(", "))
    } else {
        "all four on".into()
    };
    put(
        api,
        p,
        "public access block",
        "publicAccessBlock",
        &body,
        current.is_some(),
        detail,
    )
}

/// The statement that refuses every request not made over TLS.
pub fn tls_statement(bucket: &str) -> serde_json::Value {
    serde_json::json!({
        "Sid": SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    })
}

/// A statement that denies every action when `aws:SecureTransport` is false, whatever its Sid.
fn denies_insecure(s: &serde_json::Value) -> bool {
    let all = |v: &serde_json::Value| match v {
        serde_json::Value::String(a) => a == "s3:*" || a == "*",
        serde_json::Value::Array(xs) => xs.iter().any(|a| a == "s3:*" || a == "*"),
        _ => false,
    };
    s["Effect"] == "Deny"
        && all(&s["Action"])
        && ["false", "False"]
            .iter()
            .any(|f| s["Condition"]["Bool"]["aws:SecureTransport"] == *f)
}

fn policy(api: &dyn BucketApi, p: &Plan, absent: bool) -> Result<Step, ApiError> {
    if p.plain_http {
        return Ok(Step {
            what: "bucket policy",
            outcome: Outcome::Skipped,
            detail: "the emulator serves plain HTTP: a TLS-only policy would refuse the backend"
                .into(),
        });
    }
    let current = if absent {
        None
    } else {
        get(api, "policy", "NoSuchBucketPolicy")?
    };
    let mut doc = match current
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
    {
        Some(Ok(v)) if v["Statement"].is_array() => v,
        Some(_) => {
            return Err(ApiError {
                status: None,
                code: "UnreadablePolicy".into(),
                message: format!(
                    "the policy of `{}` is not a JSON document with a Statement list; fix it by hand",
                    p.bucket
                ),
            });
        }
        None => serde_json::json!({"Version": "2012-10-17", "Statement": []}),
    };
    let statements = doc["Statement"].as_array_mut().expect("checked above");
    if statements.iter().any(denies_insecure) {
        return Ok(Step {
            what: "bucket policy",
            outcome: Outcome::Found,
            detail: "denies requests without TLS".into(),
        });
    }
    // The bucket's other statements stay: the TLS one is added beside them.
    let others = statements.len();
    statements.push(tls_statement(p.bucket));
    let body = serde_json::to_string(&doc).expect("a JSON value serialises");
    let detail = if current.is_some() {
        format!("denies requests without TLS (added to its {others} statement(s))")
    } else {
        "denies requests without TLS (aws:SecureTransport false)".into()
    };
    put(
        api,
        p,
        "bucket policy",
        "policy",
        &body,
        current.is_some(),
        detail,
    )
}

/// A rule that applies to every object: no tag, no size bound, an empty prefix.
fn whole_bucket(rule: &str) -> bool {
    ["Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan"]
        .iter()
        .all(|t| elements(rule, t).is_empty())
        && elements(rule, "Prefix").iter().all(|x| x.trim().is_empty())
}

fn lifecycle(api: &dyn BucketApi, p: &Plan, absent: bool) -> Result<Step, ApiError> {
    let current = if absent {
        None
    } else {
        get(api, "lifecycle", "NoSuchLifecycleConfiguration")?
    };
    let rules = current
        .as_deref()
        .map(|x| whole_elements(x, "Rule"))
        .unwrap_or_default();
    let covers = |tag: &str| {
        rules.iter().any(|r| {
            first(r, "Status") == Some("Enabled") && whole_bucket(r) && first(r, tag).is_some()
        })
    };
    let expires = covers("NoncurrentVersionExpiration");
    let aborts = covers("AbortIncompleteMultipartUpload");
    if expires && aborts {
        return Ok(Step {
            what: "lifecycle",
            outcome: Outcome::Found,
            detail: "expires old versions, aborts incomplete uploads".into(),
        });
    }
    // Its own rule is replaced; any other rule stays as it is.
    let kept: Vec<&String> = rules
        .iter()
        .filter(|r| first(r, "ID") != Some(RULE_ID))
        .collect();
    let ours = format!(
        "<Rule><ID>{RULE_ID}</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>\
         <NoncurrentVersionExpiration><NoncurrentDays>{}</NoncurrentDays></NoncurrentVersionExpiration>\
         <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>",
        p.noncurrent_days
    );
    let body = format!(
        "<LifecycleConfiguration xmlns=\"{XMLNS}\">{}{ours}</LifecycleConfiguration>",
        kept.iter().map(|r| r.as_str()).collect::<String>()
    );
    let detail = format!(
        "old versions expire after {} days, incomplete uploads aborted after 7{}",
        p.noncurrent_days,
        if kept.is_empty() {
            String::new()
        } else {
            format!(" (beside {} rule(s) of its own)", kept.len())
        }
    );
    put(
        api,
        p,
        "lifecycle",
        "lifecycle",
        &body,
        current.is_some(),
        detail,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    /// An S3 bucket in memory: each sub-resource is a document, absent until PUT.
    #[derive(Default)]
    struct Fake {
        exists: RefCell<bool>,
        docs: RefCell<BTreeMap<String, String>>,
        puts: RefCell<Vec<String>>,
        region: Option<String>,
    }

    const MISSING: &[(&str, &str)] = &[
        (
            "encryption",
            "ServerSideEncryptionConfigurationNotFoundError",
        ),
        ("publicAccessBlock", "NoSuchPublicAccessBlockConfiguration"),
        ("policy", "NoSuchBucketPolicy"),
        ("lifecycle", "NoSuchLifecycleConfiguration"),
    ];

    impl BucketApi for Fake {
        fn send(&self, method: &str, query: &str, body: &[u8]) -> Result<Response, ApiError> {
            let resp = |status: u16, body: String| Response {
                status,
                region: self.region.clone(),
                body,
            };
            let creates = method == "PUT" && query.is_empty();
            if !*self.exists.borrow() && !creates {
                return Ok(resp(404, "<Error><Code>NoSuchBucket</Code></Error>".into()));
            }
            match method {
                "HEAD" => Ok(resp(200, String::new())),
                "PUT" if query.is_empty() => {
                    *self.exists.borrow_mut() = true;
                    self.puts.borrow_mut().push("bucket".into());
                    Ok(resp(200, String::new()))
                }
                "PUT" => {
                    let text = String::from_utf8(body.to_vec()).unwrap();
                    self.docs.borrow_mut().insert(query.into(), text);
                    self.puts.borrow_mut().push(query.into());
                    Ok(resp(200, String::new()))
                }
                "GET" => match self.docs.borrow().get(query) {
                    Some(d) => Ok(resp(200, d.clone())),
                    // Versioning never set: an empty configuration, not an error.
                    None if query == "versioning" => {
                        Ok(resp(200, "<VersioningConfiguration/>".into()))
                    }
                    None => {
                        let code = MISSING.iter().find(|(q, _)| *q == query).unwrap().1;
                        Ok(resp(404, format!("<Error><Code>{code}</Code></Error>")))
                    }
                },
                _ => unreachable!(),
            }
        }
    }

    fn plan(dry_run: bool) -> Plan<'static> {
        Plan {
            bucket: "bank-tfstate-dev",
            region: "ap-southeast-2",
            noncurrent_days: 90,
            dry_run,
            plain_http: false,
        }
    }

    fn outcomes(steps: &[Step]) -> Vec<(&str, Outcome)> {
        steps.iter().map(|s| (s.what, s.outcome)).collect()
    }

    #[test]
    fn a_missing_bucket_is_made_with_every_setting_then_found() {
        let fake = Fake::default();
        let steps = run(&fake, &plan(false)).unwrap();
        assert!(
            steps.iter().all(|s| s.outcome == Outcome::Made),
            "{steps:?}"
        );
        assert_eq!(
            *fake.puts.borrow(),
            [
                "bucket",
                "versioning",
                "encryption",
                "publicAccessBlock",
                "policy",
                "lifecycle"
            ]
        );
        let docs = fake.docs.borrow().clone();
        assert!(docs["lifecycle"].contains("<NoncurrentDays>90</NoncurrentDays>"));
        let pol: serde_json::Value = serde_json::from_str(&docs["policy"]).unwrap();
        assert_eq!(pol["Statement"][0], tls_statement("bank-tfstate-dev"));
        // The second run reads everything and writes nothing.
        fake.puts.borrow_mut().clear();
        let again = run(&fake, &plan(false)).unwrap();
        assert!(
            again.iter().all(|s| s.outcome == Outcome::Found),
            "{again:?}"
        );
        assert!(fake.puts.borrow().is_empty());
    }

    #[test]
    fn an_emulator_bucket_gets_no_tls_policy() {
        let fake = Fake::default();
        let p = Plan {
            plain_http: true,
            ..plan(false)
        };
        let steps = run(&fake, &p).unwrap();
        assert_eq!(steps[4].outcome, Outcome::Skipped);
        assert!(!fake.docs.borrow().contains_key("policy"));
        assert_eq!(
            steps.iter().filter(|s| s.outcome == Outcome::Made).count(),
            5
        );
    }

    #[test]
    fn a_dry_run_writes_nothing() {
        let fake = Fake::default();
        let steps = run(&fake, &plan(true)).unwrap();
        assert!(steps.iter().all(|s| s.outcome == Outcome::WouldMake));
        assert!(fake.puts.borrow().is_empty() && !*fake.exists.borrow());
    }

    #[test]
    fn an_existing_bucket_keeps_its_own_rules_and_statements() {
        let fake = Fake::default();
        *fake.exists.borrow_mut() = true;
        let other_rule = "<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>";
        let pol = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        for (k, v) in [
            ("versioning", "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>".to_string()),
            ("encryption", "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>".to_string()),
            ("publicAccessBlock", "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>".to_string()),
            ("policy", pol.to_string()),
            ("lifecycle", format!("<LifecycleConfiguration>{other_rule}</LifecycleConfiguration>")),
        ] {
            fake.docs.borrow_mut().insert(k.into(), v);
        }
        let steps = run(&fake, &plan(false)).unwrap();
        assert_eq!(
            outcomes(&steps),
            [
                ("bucket", Outcome::Found),
                ("versioning", Outcome::Changed),
                ("encryption", Outcome::Found),
                ("public access block", Outcome::Changed),
                ("bucket policy", Outcome::Changed),
                ("lifecycle", Outcome::Changed),
            ]
        );
        assert!(
            steps[3].detail.contains("BlockPublicPolicy"),
            "{:?}",
            steps[3]
        );
        let docs = fake.docs.borrow().clone();
        // the prefix rule does not cover the state files: kept, and ours added
        assert!(docs["lifecycle"].contains(other_rule) && docs["lifecycle"].contains(RULE_ID));
        let pol: serde_json::Value = serde_json::from_str(&docs["policy"]).unwrap();
        assert_eq!(pol["Statement"][0]["Sid"], "Other");
        assert_eq!(pol["Statement"][1]["Sid"], SID);
        let again = run(&fake, &plan(false)).unwrap();
        assert!(
            again.iter().all(|s| s.outcome == Outcome::Found),
            "{again:?}"
        );
    }

    #[test]
    fn a_bucket_elsewhere_or_not_ours_is_an_error() {
        let fake = Fake {
            region: Some("us-west-2".into()),
            ..Fake::default()
        };
        *fake.exists.borrow_mut() = true;
        let (steps, e) = run(&fake, &plan(false)).unwrap_err();
        assert!(steps.is_empty() && e.code == "WrongRegion", "{e}");
        struct Denied;
        impl BucketApi for Denied {
            fn send(&self, _: &str, _: &str, _: &[u8]) -> Result<Response, ApiError> {
                Ok(Response {
                    status: 403,
                    ..Default::default()
                })
            }
        }
        let (_, e) = run(&Denied, &plan(false)).unwrap_err();
        assert!(e.message.contains("may not use it"), "{e}");
    }
}
