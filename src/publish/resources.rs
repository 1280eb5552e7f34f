//! The resources part of a module's page, as data: one [`DocSection`] per resource kind the
//! module declares, laid out by `templates/docs/resources.md.j2`. Each kind's section is its
//! own function taking only the module and the catalogue, so it can live with the kind.

use super::markdown::{code, days, domain_label, esc, key_alias, statements, title_case};
use crate::model::{Catalog, ClientType, Encryption, Module, Permission};
use serde::Serialize;

/// One `##` section: a heading, an optional paragraph, a table, and any further tables.
/// Every string is Markdown (cells already escaped).
#[derive(Debug, Serialize)]
pub struct DocSection {
    pub title: String,
    /// Printed as a paragraph between the heading and the table when not empty.
    pub intro: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Tables after the first one, each under a line of its own (a user pool's app clients).
    pub more: Vec<DocTable>,
}

/// A table under a line of text, inside a [`DocSection`].
#[derive(Debug, Serialize)]
pub struct DocTable {
    pub lead: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl DocSection {
    /// A section with one table.
    pub fn new(title: &str, intro: &str, head: &[&str], rows: Vec<Vec<String>>) -> DocSection {
        DocSection {
            title: title.to_string(),
            intro: intro.to_string(),
            head: head.iter().map(|h| h.to_string()).collect(),
            rows,
            more: Vec::new(),
        }
    }
}

/// The sections of the module's resources, in page order; kinds it does not declare have none.
pub fn sections(cat: &Catalog, m: &Module) -> Vec<DocSection> {
    [
        function_section(cat, m),
        event_buses_section(cat, m),
        buckets_section(cat, m),
        kms_keys_section(m),
        firehose_streams_section(cat, m),
        user_pools_section(m),
        iam_roles_section(cat, m),
        iam_policies_section(m),
        trails_section(cat, m),
        sns_topics_section(cat, m),
        log_groups_section(cat, m),
        functions_section(cat, m),
        secrets_section(cat, m),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The Lambda function the runtime convention gives the module.
fn function_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    let f = m.function.as_ref()?;
    let d = cat.domain(&m.domain);
    let name = format!("{}-{{env}}", m.function_base_name());
    let rows = vec![
        vec!["Function".into(), code(&name)],
        vec![
            "Alias".into(),
            "`live` (blue-green: traffic moves when the new version is healthy)".into(),
        ],
        vec![
            "Role".into(),
            d.map(|d| code(&d.role)).unwrap_or_else(|| "—".into()),
        ],
        vec![
            "Runtime".into(),
            format!("{} ({})", code(&f.runtime), esc(&f.architecture)),
        ],
        vec!["Handler".into(), code(&f.handler)],
        vec![
            "Memory / timeout".into(),
            format!("{} MB / {} s", f.memory_mb, f.timeout_seconds),
        ],
        vec![
            "Reserved concurrency".into(),
            f.reserved_concurrency
                .map(|c| c.to_string())
                .unwrap_or_else(|| "unreserved".into()),
        ],
        vec![
            "Log group".into(),
            format!(
                "{}, {} retention, {} key",
                code(&format!("/aws/lambda/{name}")),
                days(f.log_retention_days),
                code(&key_alias(cat, "operational"))
            ),
        ],
        vec![
            "Code".into(),
            format!(
                "{} in {}",
                code(&f.artefact_key.replace("{module}", &m.id.to_lowercase())),
                code("bank-artefacts")
            ),
        ],
    ];
    Some(DocSection::new(
        "Function (runtime convention)",
        "",
        &["", ""],
        rows,
    ))
}

fn event_buses_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    let list = &m.resources.event_buses;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|b| {
            vec![
                code(&b.name.value),
                domain_label(cat, &b.owner.value),
                esc(&b.purpose),
                days(b.archive_retention_days.value),
            ]
        })
        .collect();
    Some(DocSection::new(
        "EventBridge buses",
        "Each bus: a resource policy for its owner domain's role, an archive, an SQS dead-letter queue.",
        &["Bus name", "Owner", "Purpose", "Archive"],
        rows,
    ))
}

fn buckets_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    let list = &m.resources.buckets;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|b| {
            let enc = match b.encryption.value {
                Encryption::Kms => format!(
                    "KMS ({} key, {})",
                    esc(&b.classification.value),
                    code(&key_alias(cat, &b.classification.value))
                ),
                Encryption::SseS3 => "SSE-S3".to_string(),
            };
            let life: Vec<String> = b
                .lifecycle
                .iter()
                .map(|l| {
                    let mut parts: Vec<String> = l
                        .transitions
                        .iter()
                        .map(|t| {
                            format!(
                                "{} after {}",
                                esc(&title_case(&t.storage_class)),
                                days(t.days)
                            )
                        })
                        .collect();
                    parts.push(format!("delete after {}", days(l.expiration_days.value)));
                    let scope = match &l.prefix {
                        Some(p) => format!("{}: ", code(p)),
                        None => String::new(),
                    };
                    format!("{scope}{}", parts.join(", "))
                })
                .collect();
            vec![
                code(&format!("{}-{{env}}", b.name.value)),
                esc(&b.purpose),
                enc,
                life.join("; "),
            ]
        })
        .collect();
    Some(DocSection::new(
        "S3 buckets",
        "All buckets: SSL-only access enforced, public access blocked, versioning enabled; the name gets `-{env}` appended.",
        &["Bucket", "Purpose", "Encryption", "Lifecycle"],
        rows,
    ))
}

fn kms_keys_section(m: &Module) -> Option<DocSection> {
    let list = &m.resources.kms_keys;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|k| {
            vec![
                code(&k.alias.value),
                format!(
                    "{} — {}",
                    code(&k.classification.value),
                    esc(&k.description)
                ),
                esc(&k.used_by),
            ]
        })
        .collect();
    Some(DocSection::new(
        "KMS keys",
        "One customer-managed key per data classification; automatic annual rotation; usage granted only to the roles of domains that handle the classification.",
        &["Key alias", "Classification", "Used by"],
        rows,
    ))
}

fn firehose_streams_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    let list = &m.resources.firehose_streams;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|f| {
            vec![
                code(&f.name.value),
                esc(&f.source),
                format!(
                    "S3 {}",
                    code(&format!("{}/{}", f.destination_bucket.value, f.prefix))
                ),
                esc(&f.purpose),
                format!("{} MB / {} s", f.buffer_size_mb, f.buffer_interval_seconds),
                code(&key_alias(cat, &f.classification.value)),
            ]
        })
        .collect();
    Some(DocSection::new(
        "Kinesis Data Firehose streams",
        "Each stream: KMS encryption, CloudWatch error metrics, an SQS dead-letter queue.",
        &[
            "Stream",
            "Source",
            "Destination",
            "Purpose",
            "Buffer",
            "Key",
        ],
        rows,
    ))
}

fn user_pools_section(m: &Module) -> Option<DocSection> {
    let list = &m.resources.user_pools;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|p| {
            vec![
                code(&format!("{}-{{env}}", p.name.value)),
                esc(&p.users),
                if p.mfa.description.is_empty() {
                    if p.mfa.required {
                        "Required"
                    } else {
                        "Optional"
                    }
                    .to_string()
                } else {
                    esc(&p.mfa.description)
                },
                p.custom_attributes
                    .iter()
                    .map(|a| code(&format!("custom:{}", a.name.value)))
                    .collect::<Vec<_>>()
                    .join(", "),
                format!(
                    "ID {}h, access {}h, refresh {}d",
                    p.tokens.id_token_hours.value,
                    p.tokens.access_token_hours.value,
                    p.tokens.refresh_token_days.value
                ),
            ]
        })
        .collect();
    let clients = list
        .iter()
        .flat_map(|p| {
            p.clients.iter().map(move |c| {
                vec![
                    code(&c.name.value),
                    code(&p.name.value),
                    match c.client_type {
                        ClientType::Public => "public (PKCE)".to_string(),
                        ClientType::Confidential => "confidential".to_string(),
                    },
                    esc(&c.purpose),
                ]
            })
        })
        .collect();
    let mut section = DocSection::new(
        "Cognito user pools",
        "",
        &["Pool", "Users", "MFA", "Custom attributes", "Tokens"],
        rows,
    );
    section.more.push(DocTable {
        lead: "App clients:".into(),
        head: ["Client", "Pool", "Type", "Purpose"]
            .map(String::from)
            .to_vec(),
        rows: clients,
    });
    Some(section)
}

fn iam_roles_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    fn permission(p: &Permission) -> String {
        let list = |v: &Vec<crate::catalog::raw::Sp<String>>, sep: &str| {
            v.iter()
                .map(|x| esc(&x.value))
                .collect::<Vec<_>>()
                .join(sep)
        };
        match p {
            Permission::SecretsRead(v) => format!("Secrets read ({})", list(v, ", ")),
            Permission::EventsPut(v) => format!("EventBridge put ({} bus)", list(v, ", ")),
            Permission::EventsRead(v) => format!("Event buses read ({})", list(v, ", ")),
            Permission::S3Put(v) => format!("S3 put ({})", list(v, ", ")),
            Permission::S3ReadWrite(v) => format!("S3 read/write ({})", list(v, " + ")),
            Permission::FirehosePut(v) => format!("Firehose put ({})", list(v, ", ")),
            Permission::KmsDecrypt(v) => format!("KMS decrypt ({})", list(v, " + ")),
            Permission::CognitoAdmin(v) => format!("Cognito admin ({})", list(v, ", ")),
        }
    }
    let list = &m.resources.iam_roles;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|role| {
            let repo = cat
                .domain(&role.domain.value)
                .map(|d| d.repo.clone())
                .unwrap_or_else(|| role.domain.value.clone());
            vec![
                code(&role.name.value),
                format!("{} ({})", esc(&title_case(&role.trust.value)), esc(&repo)),
                role.permissions
                    .iter()
                    .map(permission)
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    Some(DocSection::new(
        "IAM Lambda execution roles",
        "All roles: requests outside the platform region are denied (`aws:RequestedRegion`), tagging enforced.",
        &["Role", "Trust", "Key permissions"],
        rows,
    ))
}

fn iam_policies_section(m: &Module) -> Option<DocSection> {
    let list = &m.resources.iam_policies;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|p| {
            vec![
                code(&p.name.value),
                esc(&p.description),
                statements(&p.statements),
            ]
        })
        .collect();
    Some(DocSection::new(
        "IAM policies",
        "",
        &["Policy", "Description", "Statements"],
        rows,
    ))
}

fn trails_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    let list = &m.resources.trails;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|t| {
            vec![
                code(&t.name.value),
                code(&format!("{}/{}/", t.bucket.value, t.prefix)),
                code(&key_alias(cat, &t.classification.value)),
                if t.multi_region { "yes" } else { "no" }.to_string(),
                if t.data_events {
                    "management + data events"
                } else {
                    "management events"
                }
                .to_string(),
            ]
        })
        .collect();
    Some(DocSection::new(
        "CloudTrail",
        "",
        &["Trail", "Logs to", "Key", "Multi-region", "Logged"],
        rows,
    ))
}

fn sns_topics_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    let list = &m.resources.sns_topics;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|t| {
            vec![
                code(&t.name.value),
                esc(&t.purpose),
                code(&key_alias(cat, &t.classification.value)),
            ]
        })
        .collect();
    Some(DocSection::new(
        "SNS topics",
        "",
        &["Topic", "Purpose", "Key"],
        rows,
    ))
}

fn log_groups_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    let list = &m.resources.log_groups;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|l| {
            vec![
                code(&l.name.value),
                esc(&l.purpose),
                code(&key_alias(cat, &l.classification.value)),
                days(l.retention_days.value),
            ]
        })
        .collect();
    Some(DocSection::new(
        "Log groups",
        "",
        &["Log group", "Purpose", "Key", "Retention"],
        rows,
    ))
}

/// Functions declared as resources (not the runtime convention's): the platform's runtime
/// defaults fill in what they leave out.
fn functions_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    let list = &m.resources.functions;
    if list.is_empty() {
        return None;
    }
    let rt = &cat.platform.runtime_defaults;
    let rows = list
        .iter()
        .map(|f| {
            vec![
                code(&format!("{}-{{env}}", f.name.value)),
                esc(&f.purpose),
                format!(
                    "{} MB / {} s",
                    f.memory_mb.unwrap_or(rt.memory_mb),
                    f.timeout_seconds.unwrap_or(rt.timeout_seconds)
                ),
                days(
                    f.log_retention_days
                        .as_ref()
                        .map(|d| d.value)
                        .unwrap_or(rt.log_retention_days),
                ),
                statements(&f.statements),
            ]
        })
        .collect();
    Some(DocSection::new(
        "Functions",
        "Each with its own role, limited to the statements listed.",
        &[
            "Function",
            "Purpose",
            "Memory / timeout",
            "Log retention",
            "Permissions",
        ],
        rows,
    ))
}

fn secrets_section(cat: &Catalog, m: &Module) -> Option<DocSection> {
    let list = &m.resources.secrets;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .map(|x| {
            vec![
                code(&x.name.value),
                esc(&x.purpose),
                code(&key_alias(cat, &x.classification.value)),
                format!("every {}", days(x.rotation_days.value)),
                code(&x.rotation_function.value),
            ]
        })
        .collect();
    Some(DocSection::new(
        "Secrets",
        "",
        &["Secret", "Purpose", "Key", "Rotation", "Rotation function"],
        rows,
    ))
}
