//! The resources part of a module's page, as data: one [`DocSection`] per resource kind the
//! module declares, laid out by `src/publish/templates/resources.md.j2`. Each kind's section is its
//! own function taking only the module and the catalogue, so it can live with the kind.

use crate::kinds::md::{DocSection, Docs, code, days, esc};
use crate::kinds::{DomainFacts, KINDS};
use crate::model::{Catalog, Module};

/// The sections of the module's resources, in page order; kinds it does not declare have none.
/// The catalogue-wide look-ups of the docs sections, gathered once.
pub struct DocFacts {
    key_aliases: Vec<(String, String)>,
    domains: Vec<DomainFacts>,
}

impl DocFacts {
    pub fn new(cat: &Catalog) -> DocFacts {
        DocFacts {
            key_aliases: cat
                .platform
                .classifications
                .iter()
                .map(|c| (c.name.clone(), c.key_alias.clone()))
                .collect(),
            domains: cat.domain_facts(),
        }
    }

    pub fn docs<'a>(&'a self, cat: &'a Catalog) -> Docs<'a> {
        Docs {
            key_aliases: &self.key_aliases,
            domains: &self.domains,
            runtime_defaults: &cat.platform.runtime_defaults,
            region: &cat.platform.region,
            dr_region: cat.platform.dr_region.as_deref(),
        }
    }
}

/// The sections of the module's resources, in page order: the runtime convention's function,
/// then each kind's in registry order; kinds it does not declare have none.
pub fn sections(d: &Docs, cat: &Catalog, m: &Module) -> Vec<DocSection> {
    function_section(d, cat, m)
        .into_iter()
        .chain(KINDS.iter().filter_map(|k| k.docs(&m.resources, d)))
        .collect()
}

/// The Lambda function the runtime convention gives the module.
fn function_section(docs: &Docs, cat: &Catalog, m: &Module) -> Option<DocSection> {
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
                code(&docs.key_alias(&cat.platform.operational_classification))
            ),
        ],
        vec![
            "Code".into(),
            match &f.artefact {
                Some(a) => format!(
                    "{} in {}, pinned by content (SHA-256 {})",
                    code(&a.key),
                    code(&f.artefact_bucket),
                    code(&a.sha256)
                ),
                None => format!(
                    "{} in {}",
                    code(&f.artefact_key.replace("{module}", &m.id.to_lowercase())),
                    code(&f.artefact_bucket)
                ),
            },
        ],
    ];
    Some(DocSection::new(
        "Function (runtime convention)",
        "",
        &["", ""],
        rows,
    ))
}
