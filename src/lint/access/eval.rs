//! A small model of IAM policies and AWS's evaluation logic for one request in one account:
//! explicit deny wins; an identity-based or a resource-based allow grants (same account); a
//! service principal is granted only by a resource (or key) policy; a KMS key is used only when
//! its key policy allows the principal, or delegates to IAM (the account's root with the
//! action) and the identity policy allows too. What cannot be known before a plan (a value
//! behind a reference, a condition key nobody sets) is `Unknown`, never a guess.

use serde::Serialize;
use std::collections::BTreeMap;

/// Three-valued: a value that depends on something unknown is neither true nor false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

impl Tri {
    fn or(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::No,
        }
    }
    fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Unknown, _) | (_, Tri::Unknown) => Tri::Unknown,
            _ => Tri::Yes,
        }
    }
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Unknown => Tri::Unknown,
        }
    }
    fn from(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }
}

/// Which policy a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    Identity,
    Resource,
    Key,
}

impl PolicyKind {
    pub fn noun(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity policy",
            PolicyKind::Resource => "resource policy",
            PolicyKind::Key => "key policy",
        }
    }
}

/// Where a statement (or a policy) is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub kind: PolicyKind,
    /// `aws_iam_role_policy.bankcorerole` (with its module folder, `MOD-104`).
    pub policy: String,
    pub file: String,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `AWS`, `Service`, `Federated`, or `*`.
    pub kind: String,
    /// `None`: not known before a plan.
    pub id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// `StringEquals`, `ForAnyValue:StringLike`, `ArnLikeIfExists`, ...
    pub op: String,
    pub key: String,
    pub values: Vec<Option<String>>,
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub sid: Option<String>,
    pub allow: bool,
    /// `Some` for `Action`, `None` when the statement says `NotAction` instead.
    pub actions: Option<Vec<String>>,
    pub not_actions: Vec<String>,
    pub resources: Option<Vec<Option<String>>>,
    pub not_resources: Vec<Option<String>>,
    /// Resource-based statements only.
    pub principals: Option<Vec<Principal>>,
    pub not_principals: Vec<Principal>,
    pub conditions: Vec<Condition>,
    pub place: Place,
}

impl Statement {
    /// A short name for reports: the Sid, or the policy.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) => format!("{} ({}:{})", s, self.place.file, self.place.line),
            None => format!(
                "{} ({}:{})",
                self.place.policy, self.place.file, self.place.line
            ),
        }
    }
}

/// Who makes the request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "lowercase")]
pub enum Who {
    /// An IAM role, by ARN.
    Role(String),
    /// An AWS service principal (`events.amazonaws.com`).
    Service(String),
}

impl Who {
    pub fn id(&self) -> &str {
        match self {
            Who::Role(a) | Who::Service(a) => a,
        }
    }
}

/// One request: a principal, an action on a resource, and what the request context holds.
#[derive(Debug, Clone)]
pub struct Request {
    pub who: Who,
    pub action: String,
    pub resource: String,
    pub account: String,
    /// Condition keys known for this request (lower-case keys): their values.
    pub context: BTreeMap<String, Vec<String>>,
    /// Lower-case key prefixes whose keys are all in `context` when set at all
    /// (`aws:resourcetag/` when the resource's tags are known): a key missing there is absent.
    pub complete: Vec<String>,
}

impl Request {
    fn key(&self, key: &str) -> Option<Option<&Vec<String>>> {
        let k = key.to_ascii_lowercase();
        match self.context.get(&k) {
            Some(v) => Some(Some(v)),
            None if self.complete.iter().any(|p| k.starts_with(p.as_str())) => Some(None),
            None => None,
        }
    }
}

/// The answer for one request, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub allowed: Tri,
    /// The statements that grant (all of them that apply).
    pub allowed_by: Vec<String>,
    /// Explicit denies that apply (or may apply).
    pub denied_by: Vec<String>,
    /// Which policy lacks the grant, when refused: its kind and where it is (none: no such policy).
    pub missing: Vec<(PolicyKind, Option<Place>)>,
    /// What could not be known.
    pub unknown: Vec<String>,
}

/// The policies that apply to a request.
pub struct Policies<'a> {
    /// Every identity-based statement of the principal (empty for a service).
    pub identity: &'a [Statement],
    /// Where the principal's identity policies are (for "missing" in a report).
    pub identity_place: Option<Place>,
    /// The resource's policy (for a key: the key policy).
    pub resource: &'a [Statement],
    pub resource_place: Option<Place>,
    /// The resource is a KMS key: its policy is a key policy.
    pub kms: bool,
}

/// `pattern` with IAM wildcards (`*` any run, `?` one character) matches `s`.
pub fn glob(pattern: &str, s: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), s.as_bytes());
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

fn action_matches(pattern: &str, action: &str) -> bool {
    glob(&pattern.to_ascii_lowercase(), &action.to_ascii_lowercase())
}

/// ArnLike: the six colon-separated parts are matched one by one, so a wildcard never spans a
/// part (the resource part keeps its colons).
fn arn_like(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    if p.len() != a.len() {
        return p.len() == 1 && glob(pattern, arn);
    }
    p.iter().zip(&a).all(|(p, a)| glob(p, a))
}

fn resource_matches(pattern: &Option<String>, resource: &str) -> Tri {
    match pattern {
        Some(p) => Tri::from(glob(p, resource)),
        None => Tri::Unknown,
    }
}

fn any_of(items: &[Option<String>], resource: &str) -> Tri {
    items
        .iter()
        .fold(Tri::No, |acc, p| acc.or(resource_matches(p, resource)))
}

fn action_of(s: &Statement, action: &str) -> bool {
    match &s.actions {
        Some(a) => a.iter().any(|p| action_matches(p, action)),
        None => !s.not_actions.iter().any(|p| action_matches(p, action)),
    }
}

fn resource_of(s: &Statement, resource: &str) -> Tri {
    match &s.resources {
        Some(r) => any_of(r, resource),
        None if s.not_resources.is_empty() => Tri::No,
        None => any_of(&s.not_resources, resource).not(),
    }
}

/// How a principal entry names the requester: directly, through the account (root), or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    Directly,
    Account,
    No,
    Unknown,
}

fn names(p: &Principal, who: &Who, account: &str) -> Names {
    let Some(id) = &p.id else {
        return Names::Unknown;
    };
    match (p.kind.as_str(), who) {
        ("*", _) => {
            if id == "*" {
                Names::Directly
            } else {
                Names::No
            }
        }
        ("AWS", Who::Role(arn)) => {
            if id == "*" || id == arn {
                Names::Directly
            } else if id == account || *id == format!("arn:aws:iam::{account}:root") {
                Names::Account
            } else {
                Names::No
            }
        }
        ("AWS", Who::Service(_)) if id == "*" => Names::Directly,
        ("Service", Who::Service(s)) if id == s => Names::Directly,
        _ => Names::No,
    }
}

/// How a resource-based statement's principals name the requester.
fn principal_of(s: &Statement, who: &Who, account: &str) -> Names {
    let Some(ps) = &s.principals else {
        if s.not_principals.is_empty() {
            return Names::No;
        }
        return if s
            .not_principals
            .iter()
            .any(|p| matches!(names(p, who, account), Names::Directly | Names::Account))
        {
            Names::No
        } else {
            Names::Directly
        };
    };
    let all: Vec<Names> = ps.iter().map(|p| names(p, who, account)).collect();
    if all.contains(&Names::Directly) {
        Names::Directly
    } else if all.contains(&Names::Account) {
        Names::Account
    } else if all.contains(&Names::Unknown) {
        Names::Unknown
    } else {
        Names::No
    }
}

fn condition(c: &Condition, req: &Request, unknown: &mut Vec<String>) -> Tri {
    let mut op = c.op.as_str();
    for prefix in ["ForAnyValue:", "ForAllValues:"] {
        op = op.strip_prefix(prefix).unwrap_or(op);
    }
    let (op, if_exists) = match op.strip_suffix("IfExists") {
        Some(o) => (o, true),
        None => (op, false),
    };
    let ctx = match req.key(&c.key) {
        Some(v) => v,
        None => {
            unknown.push(format!("condition key {} is not known", c.key));
            return Tri::Unknown;
        }
    };
    if op == "Null" {
        let want_absent = match c.values.first() {
            Some(Some(v)) => v == "true",
            _ => {
                unknown.push(format!("the value of Null on {} is not known", c.key));
                return Tri::Unknown;
            }
        };
        return Tri::from(want_absent == ctx.is_none());
    }
    let negated = op.contains("Not");
    let Some(values) = ctx else {
        // A key missing from the request: IfExists passes; a negated operator is true.
        return Tri::from(if_exists || negated);
    };
    let test: fn(&str, &str) -> bool = match op {
        "StringEquals" | "StringNotEquals" | "ArnEquals" | "ArnNotEquals" => |p, v| p == v,
        "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => |p, v| p.eq_ignore_ascii_case(v),
        "StringLike" | "StringNotLike" => glob,
        "ArnLike" | "ArnNotLike" => arn_like,
        "Bool" => |p, v| p.eq_ignore_ascii_case(v),
        _ => {
            unknown.push(format!("condition operator {} is not evaluated", c.op));
            return Tri::Unknown;
        }
    };
    let mut hit = Tri::No;
    for want in &c.values {
        match want {
            Some(w) => {
                if values.iter().any(|v| test(w, v)) {
                    hit = Tri::Yes;
                }
            }
            None => {
                if hit != Tri::Yes {
                    unknown.push(format!("a value of {} on {} is not known", c.op, c.key));
                    hit = hit.or(Tri::Unknown);
                }
            }
        }
    }
    if negated { hit.not() } else { hit }
}

fn conditions(s: &Statement, req: &Request, unknown: &mut Vec<String>) -> Tri {
    s.conditions
        .iter()
        .fold(Tri::Yes, |acc, c| acc.and(condition(c, req, unknown)))
}

/// Whether a statement applies to the request (principal aside).
fn applies(s: &Statement, req: &Request, unknown: &mut Vec<String>) -> Tri {
    if !action_of(s, &req.action) {
        return Tri::No;
    }
    let r = resource_of(s, &req.resource);
    if r == Tri::No {
        return Tri::No;
    }
    if r == Tri::Unknown {
        unknown.push(format!("a Resource of {} is not known", s.label()));
    }
    r.and(conditions(s, req, unknown))
}

/// A deny that applies refuses; one that may apply (on something unknown) is said as such.
fn note_deny(d: &mut Decision, s: &Statement, t: Tri) {
    match t {
        Tri::Yes => d.denied_by.push(s.label()),
        Tri::Unknown => d.unknown.push(format!("the deny {} may apply", s.label())),
        Tri::No => {}
    }
}

/// Evaluate one request against the policies that apply to it.
pub fn evaluate(req: &Request, p: &Policies) -> Decision {
    let mut d = Decision {
        allowed: Tri::No,
        allowed_by: Vec::new(),
        denied_by: Vec::new(),
        missing: Vec::new(),
        unknown: Vec::new(),
    };
    let is_role = matches!(req.who, Who::Role(_));
    // Explicit deny, from any policy that applies.
    let mut deny = Tri::No;
    let identity: &[Statement] = if is_role { p.identity } else { &[] };
    for s in identity.iter().filter(|s| !s.allow) {
        let t = applies(s, req, &mut d.unknown);
        note_deny(&mut d, s, t);
        deny = deny.or(t);
    }
    for s in p.resource.iter().filter(|s| !s.allow) {
        let named = principal_of(s, &req.who, &req.account);
        if named == Names::No {
            continue;
        }
        let n = if named == Names::Unknown {
            Tri::Unknown
        } else {
            Tri::Yes
        };
        let t = n.and(applies(s, req, &mut d.unknown));
        note_deny(&mut d, s, t);
        deny = deny.or(t);
    }
    // Allows: identity, resource (directly), and the account delegation of a key policy.
    let mut by_identity = Tri::No;
    for s in identity.iter().filter(|s| s.allow) {
        let t = applies(s, req, &mut d.unknown);
        if t == Tri::Yes {
            d.allowed_by.push(s.label());
        }
        by_identity = by_identity.or(t);
    }
    let (mut direct, mut delegated) = (Tri::No, Tri::No);
    for s in p.resource.iter().filter(|s| s.allow) {
        let named = principal_of(s, &req.who, &req.account);
        if named == Names::No {
            continue;
        }
        let t = applies(s, req, &mut d.unknown);
        match named {
            Names::Directly => {
                if t == Tri::Yes {
                    d.allowed_by.push(s.label());
                }
                direct = direct.or(t);
            }
            Names::Account => {
                if t == Tri::Yes && p.kms {
                    d.allowed_by
                        .push(format!("{} (delegates to IAM)", s.label()));
                }
                delegated = delegated.or(t);
            }
            _ => direct = direct.or(Tri::Unknown.and(t)),
        }
    }
    let allow = if p.kms {
        // A key policy that names the account's root lets IAM policies grant; without it an
        // IAM grant alone is nothing.
        let via_iam = if is_role {
            delegated.and(by_identity)
        } else {
            Tri::No
        };
        if direct != Tri::Yes && via_iam != Tri::Yes {
            if direct == Tri::No && delegated == Tri::No {
                d.missing.push((PolicyKind::Key, p.resource_place.clone()));
            } else if is_role && delegated != Tri::No && by_identity == Tri::No {
                d.missing
                    .push((PolicyKind::Identity, p.identity_place.clone()));
            }
        }
        direct.or(via_iam)
    } else if is_role {
        // Same account: either an identity-based or a resource-based allow grants. A resource
        // policy naming only the account (root) grants through IAM, which is `by_identity`.
        let a = by_identity.or(direct);
        if a == Tri::No {
            d.missing
                .push((PolicyKind::Identity, p.identity_place.clone()));
            if p.resource_place.is_some() {
                d.missing
                    .push((PolicyKind::Resource, p.resource_place.clone()));
            }
        }
        a
    } else {
        // A service principal has no identity policy: only a resource policy can grant it.
        if direct == Tri::No {
            d.missing
                .push((PolicyKind::Resource, p.resource_place.clone()));
        }
        direct
    };
    d.allowed = allow.and(deny.not());
    d.unknown.sort();
    d.unknown.dedup();
    d
}

#[cfg(test)]
mod tests {
    //! The cases follow AWS's documented policy evaluation logic ("Policy evaluation logic",
    //! "Determining whether a request is allowed or denied within an account", "Key policies in
    //! AWS KMS": "Allows access to the AWS account and enables IAM policies").
    use super::*;

    const ACCOUNT: &str = "111122223333";

    fn place(kind: PolicyKind) -> Place {
        Place {
            kind,
            policy: "test".into(),
            file: "t.tf".into(),
            line: 1,
        }
    }

    fn st(allow: bool, actions: &[&str], resources: &[&str], kind: PolicyKind) -> Statement {
        Statement {
            sid: None,
            allow,
            actions: Some(actions.iter().map(|s| s.to_string()).collect()),
            not_actions: vec![],
            resources: Some(resources.iter().map(|s| Some(s.to_string())).collect()),
            not_resources: vec![],
            principals: None,
            not_principals: vec![],
            conditions: vec![],
            place: place(kind),
        }
    }

    fn with_principal(mut s: Statement, kind: &str, id: &str) -> Statement {
        s.principals = Some(vec![Principal {
            kind: kind.into(),
            id: Some(id.into()),
        }]);
        s
    }

    fn role() -> Who {
        Who::Role(format!("arn:aws:iam::{ACCOUNT}:role/App"))
    }

    fn req(who: Who, action: &str, resource: &str) -> Request {
        Request {
            who,
            action: action.into(),
            resource: resource.into(),
            account: ACCOUNT.into(),
            context: BTreeMap::from([("aws:sourceaccount".into(), vec![ACCOUNT.into()])]),
            complete: vec![],
        }
    }

    fn run(r: &Request, identity: &[Statement], resource: &[Statement], kms: bool) -> Decision {
        evaluate(
            r,
            &Policies {
                identity,
                identity_place: Some(place(PolicyKind::Identity)),
                resource,
                resource_place: Some(place(PolicyKind::Resource)),
                kms,
            },
        )
    }

    const BUCKET: &str = "arn:aws:s3:::doc-bucket/a.txt";

    #[test]
    fn identity_allow_grants_and_nothing_is_an_implicit_deny() {
        let allow = st(
            true,
            &["s3:GetObject"],
            &["arn:aws:s3:::doc-bucket/*"],
            PolicyKind::Identity,
        );
        let r = req(role(), "s3:GetObject", BUCKET);
        assert_eq!(run(&r, &[allow], &[], false).allowed, Tri::Yes);
        let d = run(&r, &[], &[], false);
        assert_eq!(d.allowed, Tri::No);
        assert_eq!(d.missing[0].0, PolicyKind::Identity);
    }

    #[test]
    fn explicit_deny_overrides_allow() {
        let allow = st(true, &["s3:*"], &["*"], PolicyKind::Identity);
        let deny = st(
            false,
            &["s3:GetObject"],
            &["arn:aws:s3:::doc-bucket/*"],
            PolicyKind::Identity,
        );
        let r = req(role(), "s3:GetObject", BUCKET);
        let d = run(&r, &[allow.clone(), deny], &[], false);
        assert_eq!(d.allowed, Tri::No);
        assert_eq!(d.denied_by.len(), 1);
        // A deny in the resource policy wins over an identity allow too.
        let rdeny = with_principal(
            st(
                false,
                &["s3:*"],
                &["arn:aws:s3:::doc-bucket/*"],
                PolicyKind::Resource,
            ),
            "AWS",
            "*",
        );
        assert_eq!(run(&r, &[allow], &[rdeny], false).allowed, Tri::No);
    }

    #[test]
    fn not_action_allows_everything_else_and_denies_everything_else() {
        // AWS's example: NotAction with Allow grants every action except those listed.
        let mut s = st(true, &[], &["*"], PolicyKind::Identity);
        s.actions = None;
        s.not_actions = vec!["iam:*".into()];
        assert_eq!(
            run(
                &req(role(), "s3:GetObject", BUCKET),
                &[s.clone()],
                &[],
                false
            )
            .allowed,
            Tri::Yes
        );
        assert_eq!(
            run(&req(role(), "iam:CreateUser", "*"), &[s], &[], false).allowed,
            Tri::No
        );
        // Deny with NotAction: everything except the listed actions is denied.
        let allow = st(true, &["*"], &["*"], PolicyKind::Identity);
        let mut deny = st(false, &[], &["*"], PolicyKind::Identity);
        deny.actions = None;
        deny.not_actions = vec!["iam:*".into()];
        assert_eq!(
            run(
                &req(role(), "s3:GetObject", BUCKET),
                &[allow.clone(), deny.clone()],
                &[],
                false
            )
            .allowed,
            Tri::No
        );
        assert_eq!(
            run(&req(role(), "iam:GetRole", "*"), &[allow, deny], &[], false).allowed,
            Tri::Yes
        );
    }

    #[test]
    fn wildcards_in_action_and_resource() {
        let s = st(
            true,
            &["kms:GenerateDataKey*", "s3:Get?bject"],
            &[
                "arn:aws:s3:::doc-?ucket/*",
                "arn:aws:kms:*:111122223333:key/*",
            ],
            PolicyKind::Identity,
        );
        let k = "arn:aws:kms:us-east-1:111122223333:key/1234";
        assert_eq!(
            run(
                &req(role(), "kms:GenerateDataKeyWithoutPlaintext", k),
                std::slice::from_ref(&s),
                &[],
                false
            )
            .allowed,
            Tri::Yes
        );
        assert_eq!(
            run(
                &req(role(), "S3:GETOBJECT", BUCKET),
                std::slice::from_ref(&s),
                &[],
                false
            )
            .allowed,
            Tri::Yes
        );
        // Resource matching is case-sensitive; `?` is exactly one character.
        assert_eq!(
            run(
                &req(role(), "s3:GetObject", "arn:aws:s3:::DOC-bucket/a"),
                std::slice::from_ref(&s),
                &[],
                false
            )
            .allowed,
            Tri::No
        );
        assert_eq!(
            run(
                &req(role(), "s3:GetObject", "arn:aws:s3:::doc-bbucket/a"),
                std::slice::from_ref(&s),
                &[],
                false
            )
            .allowed,
            Tri::No
        );
        // A secret's ARN ends in six random characters: `name/*` does not match it, `name-*` does.
        let secret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf";
        let slash = st(
            true,
            &["secretsmanager:GetSecretValue"],
            &["arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db/*"],
            PolicyKind::Identity,
        );
        let dash = st(
            true,
            &["secretsmanager:GetSecretValue"],
            &["arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-??????"],
            PolicyKind::Identity,
        );
        assert_eq!(
            run(
                &req(role(), "secretsmanager:GetSecretValue", secret),
                &[slash],
                &[],
                false
            )
            .allowed,
            Tri::No
        );
        assert_eq!(
            run(
                &req(role(), "secretsmanager:GetSecretValue", secret),
                &[dash],
                &[],
                false
            )
            .allowed,
            Tri::Yes
        );
    }

    #[test]
    fn not_resource() {
        let mut s = st(true, &["s3:*"], &[], PolicyKind::Identity);
        s.resources = None;
        s.not_resources = vec![Some("arn:aws:s3:::secret-bucket/*".into())];
        assert_eq!(
            run(
                &req(role(), "s3:GetObject", BUCKET),
                &[s.clone()],
                &[],
                false
            )
            .allowed,
            Tri::Yes
        );
        assert_eq!(
            run(
                &req(role(), "s3:GetObject", "arn:aws:s3:::secret-bucket/x"),
                &[s],
                &[],
                false
            )
            .allowed,
            Tri::No
        );
    }

    const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd";

    #[test]
    fn key_policy_without_iam_delegation_refuses_an_iam_only_grant() {
        let iam = st(true, &["kms:Decrypt"], &[KEY], PolicyKind::Identity);
        let other = with_principal(
            st(true, &["kms:*"], &["*"], PolicyKind::Key),
            "AWS",
            "arn:aws:iam::111122223333:role/Admin",
        );
        let r = req(role(), "kms:Decrypt", KEY);
        let d = run(
            &r,
            std::slice::from_ref(&iam),
            std::slice::from_ref(&other),
            true,
        );
        assert_eq!(d.allowed, Tri::No);
        assert_eq!(d.missing[0].0, PolicyKind::Key);
        // With the root delegation the same IAM grant is enough...
        let root = with_principal(
            st(true, &["kms:*"], &["*"], PolicyKind::Key),
            "AWS",
            "arn:aws:iam::111122223333:root",
        );
        assert_eq!(
            run(&r, &[iam], &[other.clone(), root.clone()], true).allowed,
            Tri::Yes
        );
        // ...and required: delegation alone grants nothing.
        let d = run(&r, &[], &[other, root], true);
        assert_eq!(d.allowed, Tri::No);
        assert_eq!(d.missing[0].0, PolicyKind::Identity);
        // A key policy naming the role directly needs no IAM grant.
        let direct = with_principal(
            st(true, &["kms:Decrypt"], &["*"], PolicyKind::Key),
            "AWS",
            role().id(),
        );
        assert_eq!(run(&r, &[], &[direct], true).allowed, Tri::Yes);
    }

    #[test]
    fn a_resource_policy_alone_grants_a_service_cross_service_access() {
        let topic = "arn:aws:sns:us-east-1:111122223333:alerts";
        let alarm = "arn:aws:cloudwatch:us-east-1:111122223333:alarm:high";
        let mut s = with_principal(
            st(true, &["sns:Publish"], &[topic], PolicyKind::Resource),
            "Service",
            "cloudwatch.amazonaws.com",
        );
        s.conditions = vec![Condition {
            op: "ArnLike".into(),
            key: "aws:SourceArn".into(),
            values: vec![Some(
                "arn:aws:cloudwatch:us-east-1:111122223333:alarm:*".into(),
            )],
        }];
        let mut r = req(
            Who::Service("cloudwatch.amazonaws.com".into()),
            "sns:Publish",
            topic,
        );
        r.context.insert("aws:sourcearn".into(), vec![alarm.into()]);
        assert_eq!(run(&r, &[], &[s.clone()], false).allowed, Tri::Yes);
        // An identity policy cannot grant a service; another service is not named.
        let iam = st(true, &["sns:Publish"], &["*"], PolicyKind::Identity);
        assert_eq!(run(&r, &[iam], &[], false).allowed, Tri::No);
        let mut other = r.clone();
        other.who = Who::Service("events.amazonaws.com".into());
        assert_eq!(run(&other, &[], &[s.clone()], false).allowed, Tri::No);
        // The condition's key not in the request: unknown, said as such.
        let mut blind = r.clone();
        blind.context.clear();
        let d = run(&blind, &[], &[s], false);
        assert_eq!(d.allowed, Tri::Unknown);
        assert!(d.unknown[0].contains("aws:SourceArn"));
    }

    #[test]
    fn conditions() {
        let mut deny = st(false, &["*"], &["*"], PolicyKind::Identity);
        deny.conditions = vec![Condition {
            op: "StringNotEquals".into(),
            key: "aws:RequestedRegion".into(),
            values: vec![Some("ap-southeast-2".into())],
        }];
        let allow = st(true, &["*"], &["*"], PolicyKind::Identity);
        let mut r = req(role(), "s3:GetObject", BUCKET);
        r.context
            .insert("aws:requestedregion".into(), vec!["ap-southeast-2".into()]);
        assert_eq!(
            run(&r, &[allow.clone(), deny.clone()], &[], false).allowed,
            Tri::Yes
        );
        r.context
            .insert("aws:requestedregion".into(), vec!["us-east-1".into()]);
        assert_eq!(run(&r, &[allow.clone(), deny], &[], false).allowed, Tri::No);
        // Null: a tag that is absent (tags known) matches "true".
        let mut untagged = st(false, &["*"], &["*"], PolicyKind::Identity);
        untagged.conditions = vec![Condition {
            op: "Null".into(),
            key: "aws:ResourceTag/module_id".into(),
            values: vec![Some("true".into())],
        }];
        let mut r = req(role(), "s3:GetObject", BUCKET);
        r.complete = vec!["aws:resourcetag/".into()];
        assert_eq!(
            run(&r, &[allow.clone(), untagged.clone()], &[], false).allowed,
            Tri::No
        );
        r.context
            .insert("aws:resourcetag/module_id".into(), vec!["MOD-1".into()]);
        assert_eq!(
            run(&r, &[allow.clone(), untagged.clone()], &[], false).allowed,
            Tri::Yes
        );
        // Tags not known: the deny may apply, so the answer is unknown.
        r.context.clear();
        r.complete.clear();
        assert_eq!(
            run(&r, &[allow, untagged], &[], false).allowed,
            Tri::Unknown
        );
    }
}
