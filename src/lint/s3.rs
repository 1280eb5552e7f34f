//! S3 facts in both provider profiles: the split `aws_s3_bucket_*` resources of provider 4+
//! and the inline blocks of provider 3 read as the same facts.

use super::facts::num;
use super::finding::ModCtx;
use super::iam::{PolicyDoc, document};
use super::index::Resource;
use super::value::{Block, Body, Span, Val};

/// The bucket's policies: `aws_s3_bucket_policy` resources and the legacy inline `policy`.
pub fn policies<'a>(cx: &'a ModCtx, bucket: &'a Resource) -> Vec<(&'a Resource, PolicyDoc)> {
    let mut out = Vec::new();
    for p in cx.m.bucket_parts(bucket, "aws_s3_bucket_policy") {
        if let Some(doc) = p.get("policy").and_then(|v| document(cx.m, v, p.file)) {
            out.push((p, doc));
        }
    }
    if let Some(doc) = bucket
        .get("policy")
        .and_then(|v| document(cx.m, v, bucket.file))
    {
        out.push((bucket, doc));
    }
    out
}

/// `policy` resources exist for the bucket (even if they cannot be read statically).
pub fn has_policy_resource(cx: &ModCtx, bucket: &Resource) -> bool {
    cx.m.bucket_parts(bucket, "aws_s3_bucket_policy")
        .next()
        .is_some()
        || bucket.get("policy").is_some()
}

pub struct Sse<'a> {
    pub holder: &'a Resource,
    /// The `apply_server_side_encryption_by_default` block.
    pub default: Option<&'a Block>,
}

impl Sse<'_> {
    pub fn algorithm(&self) -> Option<&Val> {
        self.default?.body.get("sse_algorithm")
    }

    pub fn key(&self) -> Option<&Val> {
        self.default?.body.get("kms_master_key_id")
    }

    pub fn span(&self) -> Span {
        self.default
            .map(|b| b.span)
            .unwrap_or(self.holder.block.span)
    }
}

fn sse_default(body: &Body) -> Option<&Block> {
    body.blocks("rule")
        .find_map(|r| r.body.block("apply_server_side_encryption_by_default"))
}

/// The bucket's default encryption: the split resource, or the legacy inline block.
pub fn sse<'a>(cx: &'a ModCtx, bucket: &'a Resource) -> Option<Sse<'a>> {
    if let Some(r) =
        cx.m.bucket_parts(bucket, "aws_s3_bucket_server_side_encryption_configuration")
            .next()
    {
        return Some(Sse {
            holder: r,
            default: sse_default(r.body()),
        });
    }
    let inline = bucket
        .body()
        .block("server_side_encryption_configuration")?;
    Some(Sse {
        holder: bucket,
        default: sse_default(&inline.body),
    })
}

/// Versioning: `Some(true)` enabled, `Some(false)` configured otherwise, `None` absent; with the
/// resource and span to point at.
/// Versioning of a bucket as far as it can be known: the split resource (provider 4+) or the
/// inline block (provider 3). Where both exist and disagree, the weaker one counts (a bucket
/// configured both ways is versioned only if both say so).
pub fn versioning<'a>(cx: &'a ModCtx, bucket: &'a Resource) -> Setting<'a> {
    let split = cx
        .m
        .bucket_parts(bucket, "aws_s3_bucket_versioning")
        .next()
        .map(
            |r| match r.body().path(&["versioning_configuration", "status"]) {
                Some(a) => Setting::of(cx, &a.val, r, a.span, |v| v.as_str() == Some("Enabled")),
                None => Setting::Off(r, r.block.span),
            },
        );
    let inline = bucket
        .body()
        .block("versioning")
        .map(|v| match v.body.attr("enabled") {
            Some(a) => Setting::of(cx, &a.val, bucket, a.span, |v| v.as_bool() == Some(true)),
            None => Setting::Off(bucket, v.span),
        });
    match (split, inline) {
        (Some(a), Some(b)) => a.weaker(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => Setting::Absent,
    }
}

/// A setting of a bucket, where it is written: on, off, depending on something unknown
/// before a plan (what), or not configured at all.
pub enum Setting<'a> {
    On,
    Off(&'a Resource, Span),
    Unknown(&'a Resource, Span, String),
    Absent,
}

impl<'a> Setting<'a> {
    fn of(
        cx: &ModCtx,
        v: &Val,
        r: &'a Resource,
        span: Span,
        on: impl Fn(&Val) -> bool,
    ) -> Setting<'a> {
        match super::facts::depends_on(cx, v) {
            Some(what) => Setting::Unknown(r, span, what),
            None if on(cx.m.resolve(v)) => Setting::On,
            None => Setting::Off(r, span),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Setting::Absent => 0,
            Setting::Off(..) => 1,
            Setting::Unknown(..) => 2,
            Setting::On => 3,
        }
    }

    fn weaker(self, other: Setting<'a>) -> Setting<'a> {
        if other.rank() < self.rank() {
            other
        } else {
            self
        }
    }
}

pub struct LifecycleRule<'a> {
    pub id: Option<&'a str>,
    pub enabled: bool,
    pub prefix: Option<&'a str>,
    pub expiration_days: Option<(f64, Span)>,
    pub transitions: Vec<(f64, &'a str)>,
    pub span: Span,
}

/// The bucket's lifecycle rules: the split resource's `rule` blocks, or the legacy inline
/// `lifecycle_rule` blocks; with the resource that holds them.
pub fn lifecycle<'a>(
    cx: &'a ModCtx,
    bucket: &'a Resource,
) -> Option<(&'a Resource, Vec<LifecycleRule<'a>>)> {
    let lit = |b: &'a Body, k: &str| b.get(k).and_then(Val::as_str);
    if let Some(r) =
        cx.m.bucket_parts(bucket, "aws_s3_bucket_lifecycle_configuration")
            .next()
    {
        let rules = r
            .body()
            .blocks("rule")
            .map(|b| LifecycleRule {
                id: lit(&b.body, "id"),
                enabled: lit(&b.body, "status") == Some("Enabled"),
                prefix: b
                    .body
                    .block("filter")
                    .and_then(|f| {
                        lit(&f.body, "prefix")
                            .or_else(|| f.body.block("and").and_then(|a| lit(&a.body, "prefix")))
                    })
                    .or_else(|| lit(&b.body, "prefix")),
                expiration_days: expiration(cx, &b.body),
                transitions: transitions(cx, &b.body),
                span: b.span,
            })
            .collect();
        return Some((r, rules));
    }
    let inline: Vec<_> = bucket.body().blocks("lifecycle_rule").collect();
    if inline.is_empty() {
        return None;
    }
    let rules = inline
        .into_iter()
        .map(|b| LifecycleRule {
            id: lit(&b.body, "id"),
            enabled: b
                .body
                .get("enabled")
                .map(|v| cx.m.resolve(v))
                .and_then(Val::as_bool)
                == Some(true),
            prefix: lit(&b.body, "prefix"),
            expiration_days: expiration(cx, &b.body),
            transitions: transitions(cx, &b.body),
            span: b.span,
        })
        .collect();
    Some((bucket, rules))
}

fn expiration(cx: &ModCtx, body: &Body) -> Option<(f64, Span)> {
    let e = body.block("expiration")?;
    let a = e.body.attr("days")?;
    Some((num(cx, &e.body, &["days"])?, a.span))
}

fn transitions<'a>(cx: &ModCtx, body: &'a Body) -> Vec<(f64, &'a str)> {
    body.blocks("transition")
        .filter_map(|t| {
            Some((
                num(cx, &t.body, &["days"])?,
                t.body.get("storage_class").and_then(Val::as_str)?,
            ))
        })
        .collect()
}

/// Whether a policy `Resource` entry names the bucket (`aws_s3_bucket.x.arn`, its literal
/// ARN, `"arn:aws:s3:::${aws_s3_bucket.x.id}"`), or, with `objects`, its objects (`.../*`).
/// `*` names everything.
pub fn names_bucket(cx: &ModCtx, bucket: &Resource, v: &Val, objects: bool) -> bool {
    let v = cx.m.resolve(v);
    let text = v.canonical();
    if text == "*" {
        return true;
    }
    let (base, suffix_ok) = if objects {
        match text.strip_suffix("/*") {
            Some(b) => (b.to_string(), true),
            None => (text.clone(), false),
        }
    } else {
        (text.clone(), true)
    };
    if !suffix_ok {
        return false;
    }
    let a = &bucket.addr;
    let mut forms = vec![
        format!("${{{a}.arn}}"),
        format!("arn:aws:s3:::${{{a}.id}}"),
        format!("arn:aws:s3:::${{{a}.bucket}}"),
    ];
    if let Some(n) = bucket.get("bucket").and_then(Val::as_str) {
        forms.push(format!("arn:aws:s3:::{n}"));
    }
    forms.contains(&base)
}

/// A bucket's object lock: whether it is enabled on the bucket (provider 4+:
/// `object_lock_enabled = true`; provider 3: the inline block's `object_lock_enabled =
/// "Enabled"`), and its default retention (`aws_s3_bucket_object_lock_configuration`, or the
/// inline block's `rule`).
pub struct ObjectLock<'a> {
    pub enabled: bool,
    /// The resource holding the default retention, and the `default_retention` block.
    pub retention: Option<(&'a Resource, &'a Block)>,
}

impl ObjectLock<'_> {
    pub fn mode<'v>(&'v self, cx: &'v ModCtx) -> Option<&'v str> {
        let (_, b) = self.retention?;
        b.body
            .get("mode")
            .map(|v| cx.m.resolve(v))
            .and_then(Val::as_str)
    }

    /// The retention in days (`years` counted as 365 days).
    pub fn days(&self, cx: &ModCtx) -> Option<f64> {
        let (_, b) = self.retention?;
        num(cx, &b.body, &["days"]).or_else(|| num(cx, &b.body, &["years"]).map(|y| y * 365.0))
    }
}

pub fn object_lock<'a>(cx: &'a ModCtx, bucket: &'a Resource) -> ObjectLock<'a> {
    let retention_of = |body: &'a Body| {
        body.block("rule")
            .and_then(|r| r.body.block("default_retention"))
    };
    if let Some(inline) = bucket.body().block("object_lock_configuration") {
        let enabled = inline
            .body
            .get("object_lock_enabled")
            .map(|v| cx.m.resolve(v))
            .and_then(Val::as_str)
            == Some("Enabled");
        return ObjectLock {
            enabled,
            retention: retention_of(&inline.body).map(|b| (bucket, b)),
        };
    }
    let enabled = bucket
        .get("object_lock_enabled")
        .map(|v| cx.m.resolve(v))
        .and_then(Val::as_bool)
        == Some(true);
    let retention =
        cx.m.bucket_parts(bucket, "aws_s3_bucket_object_lock_configuration")
            .find_map(|r| retention_of(r.body()).map(|b| (r, b)));
    ObjectLock { enabled, retention }
}

/// A bucket's server access logging: the resource that holds it and its `target_bucket`.
pub fn logging<'a>(
    cx: &'a ModCtx,
    bucket: &'a Resource,
) -> Option<(&'a Resource, Option<&'a Val>)> {
    if let Some(r) = cx.m.bucket_parts(bucket, "aws_s3_bucket_logging").next() {
        return Some((r, r.get("target_bucket")));
    }
    let inline = bucket.body().block("logging")?;
    Some((bucket, inline.body.get("target_bucket")))
}

/// One replication rule: enabled, and its destination bucket.
pub struct ReplicationRule<'a> {
    pub enabled: bool,
    pub destination: Option<&'a Val>,
    pub span: Span,
}

pub struct Replication<'a> {
    pub holder: &'a Resource,
    pub role: Option<&'a Val>,
    pub rules: Vec<ReplicationRule<'a>>,
    pub span: Span,
}

/// A bucket's replication: `aws_s3_bucket_replication_configuration` (`rule` blocks, `status =
/// "Enabled"`), or the legacy inline `replication_configuration` (`rules` blocks).
pub fn replication<'a>(cx: &'a ModCtx, bucket: &'a Resource) -> Option<Replication<'a>> {
    let rule = |b: &'a Block| ReplicationRule {
        enabled: b
            .body
            .get("status")
            .map(|v| cx.m.resolve(v))
            .and_then(Val::as_str)
            == Some("Enabled"),
        destination: b
            .body
            .block("destination")
            .and_then(|d| d.body.get("bucket")),
        span: b.span,
    };
    if let Some(r) =
        cx.m.bucket_parts(bucket, "aws_s3_bucket_replication_configuration")
            .next()
    {
        return Some(Replication {
            holder: r,
            role: r.get("role"),
            rules: r.body().blocks("rule").map(rule).collect(),
            span: r.block.span,
        });
    }
    let inline = bucket.body().block("replication_configuration")?;
    Some(Replication {
        holder: bucket,
        role: inline.body.get("role"),
        rules: inline.body.blocks("rules").map(rule).collect(),
        span: inline.span,
    })
}

/// The buckets of the module that are the destination of a replication rule (replicas).
pub fn replicas<'a>(cx: &'a ModCtx) -> Vec<&'a Resource> {
    let mut out: Vec<&Resource> = Vec::new();
    for b in cx.m.of_type("aws_s3_bucket") {
        let Some(r) = replication(cx, b) else {
            continue;
        };
        for rule in &r.rules {
            if let Some(d) = rule.destination
                && let Some(t) = bucket_of(cx, d)
                && !out.iter().any(|x| x.addr == t.addr)
            {
                out.push(t);
            }
        }
    }
    out
}

/// The bucket of the module a value names: `aws_s3_bucket.x.arn`/`.id`, or its literal name or
/// ARN.
pub fn bucket_of<'a>(cx: &'a ModCtx, v: &'a Val) -> Option<&'a Resource> {
    if let Some((r, _)) = cx.m.target_of(v) {
        return (r.rtype == "aws_s3_bucket").then_some(r);
    }
    let s = cx.m.resolve(v).as_str()?;
    cx.m.bucket_by_name(s.strip_prefix("arn:aws:s3:::").unwrap_or(s))
}

/// The bucket's policy lets the S3 server access logging service write objects: it is a log
/// target.
pub fn receives_access_logs(cx: &ModCtx, bucket: &Resource) -> bool {
    policies(cx, bucket).iter().any(|(_, d)| {
        d.statements.iter().any(|s| {
            s.allow
                && s.covers_action("s3:PutObject")
                && s.principals.iter().any(|p| {
                    p.kind == "Service"
                        && p.id
                            .items()
                            .iter()
                            .any(|i| i.as_str() == Some(LOGGING_SERVICE))
                })
        })
    })
}

/// The service principal that delivers S3 server access logs.
pub const LOGGING_SERVICE: &str = "logging.s3.amazonaws.com";
