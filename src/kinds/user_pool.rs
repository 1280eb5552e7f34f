//! Cognito: user pools with required MFA, the custom attributes of seed 000 (jurisdiction as a
//! claim, ADR-042), and app clients with 1 h ID/access and 30 d refresh tokens.

use super::guard::{self, AllowReplace};
use super::md::DocTable;
use super::md::{code, esc};
use super::names::{self, ident};
use super::raw;
use super::{Checker, Endpoint, ExportRef, ResourceKind, Resources, Scope, Sp, api};
use super::{DocSection, Docs};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    pub name: Sp<String>,
    pub users: String,
    /// Who signs in: `customers` marks the customer pool (ADR-042: one per environment).
    #[serde(default)]
    pub audience: Option<Sp<Audience>>,
    pub classification: Sp<String>,
    pub mfa: Mfa,
    pub custom_attributes: Vec<CustomAttribute>,
    pub tokens: Tokens,
    pub clients: Vec<PoolClient>,
    /// Lets the plan guard through a delete or replacement of its resources that hold data:
    /// `allow_replace: {reason: …}` (src/kinds/guard.rs).
    #[serde(default)]
    pub allow_replace: Option<AllowReplace>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Customers,
    Staff,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mfa {
    pub required: bool,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomAttribute {
    pub name: Sp<String>,
    #[serde(default)]
    pub max_length: Option<u32>,
    #[serde(default = "yes")]
    pub mutable: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tokens {
    pub id_token_hours: Sp<u32>,
    pub access_token_hours: Sp<u32>,
    pub refresh_token_days: Sp<u32>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientType {
    Public,
    Confidential,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolClient {
    pub name: Sp<String>,
    pub purpose: String,
    #[serde(rename = "type")]
    pub client_type: ClientType,
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// The attributes the client may read (`custom:jurisdiction`, `email`); default: every
    /// custom attribute of the pool and `email`.
    #[serde(default)]
    pub read_attributes: Option<Sp<Vec<String>>>,
}

impl Pool {
    pub fn is_customer_pool(&self) -> bool {
        self.audience
            .as_ref()
            .is_some_and(|a| a.value == Audience::Customers)
    }

    /// What a client may read: its own list, or every custom attribute and `email`.
    pub fn read_attributes(&self, c: &PoolClient) -> Vec<String> {
        match &c.read_attributes {
            Some(list) => list.value.clone(),
            None => self
                .custom_attributes
                .iter()
                .map(|a| format!("custom:{}", a.name.value))
                .chain(["email".to_string()])
                .collect(),
        }
    }
}

pub struct Kind;
pub const KIND: Kind = Kind;

impl ResourceKind for Kind {
    fn key(&self) -> &'static str {
        "user_pools"
    }
    fn noun(&self) -> &'static str {
        "user pool"
    }
    fn family(&self) -> &'static str {
        "cognito"
    }
    fn template(&self) -> &'static str {
        "user_pool.tf.j2"
    }
    fn endpoints(&self) -> &'static [Endpoint] {
        &[api::COGNITO_IDP]
    }
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_cognito_user_pool", "aws_cognito_user_pool_client"]
    }
    fn stateful_types(&self) -> &'static [&'static str] {
        &["aws_cognito_user_pool"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["BGL701", "BGL702", "BGL703"]
    }
    fn count(&self, r: &Resources) -> usize {
        r.user_pools.len()
    }
    fn names<'r>(&self, r: &'r Resources) -> Vec<(&'static str, &'r Sp<String>)> {
        r.user_pools
            .iter()
            .map(|x| ("user pool", &x.name))
            .collect()
    }
    fn classified<'r>(&self, r: &'r Resources) -> Vec<(String, &'r Sp<String>)> {
        r.user_pools
            .iter()
            .map(|x| (format!("user pool {}", x.name.value), &x.classification))
            .collect()
    }
    fn renames<'r>(&self, _: &'r Resources) -> Vec<(&'r Sp<String>, &'r Sp<String>)> {
        Vec::new()
    }
    fn export_ref(&self) -> Option<ExportRef> {
        None
    }
    fn check(&self, r: &Resources, c: &mut Checker) {
        let n = c.naming;
        for pool in &r.user_pools {
            guard::check_allow(
                pool.allow_replace.as_ref(),
                &format!("user pool `{}`", pool.name.value),
                c,
            );
            c.name(&pool.name, &n.resource);
            c.classification(&pool.classification);
            for a in &pool.custom_attributes {
                c.name(&a.name, &names::ATTRIBUTE);
            }
            for client in &pool.clients {
                c.name(&client.name, &names::CLIENT_NAME);
            }
        }
    }
    fn render(&self, m: &mut Scope) {
        render(self, m)
    }
    fn docs(&self, r: &Resources, d: &Docs) -> Option<DocSection> {
        docs(r, d)
    }
}

fn render(kind: &Kind, m: &mut Scope) {
    for p in &m.module.resources.user_pools {
        let id = ident(&p.name.value);
        let loc = m.loc(&p.name.referenced);
        let clients: Vec<_> = p
            .clients
            .iter()
            .map(|c| {
                json!({
                    "id": format!("{id}_{}", ident(&c.name.value)),
                    "name": format!("{}-{}", m.env_name(&p.name.value), c.name.value),
                    "purpose": c.purpose,
                    "public": c.client_type == ClientType::Public,
                    "callback_urls": c.callback_urls.iter().map(|u| m.subst(u)).collect::<Vec<_>>(),
                    "read_attributes": p.read_attributes(c),
                })
            })
            .collect();
        let attrs: Vec<_> = p
            .custom_attributes
            .iter()
            .map(|a| json!({"name": a.name.value, "max_length": a.max_length.unwrap_or(256), "mutable": a.mutable}))
            .collect();
        let ctx = json!({
            "id": id,
            "name": m.env_name(&p.name.value),
            "users": p.users,
            "mfa_required": p.mfa.required,
            "mfa": p.mfa.description,
            "attributes": attrs,
            "clients": clients,
            "id_hours": p.tokens.id_token_hours.value,
            "access_hours": p.tokens.access_token_hours.value,
            "refresh_days": p.tokens.refresh_token_days.value,
            "tags": m.class_tags(&p.classification.value),
        });
        m.emit(kind, &loc, ctx);
        m.holds_data(
            format!("aws_cognito_user_pool.{id}"),
            format!("user pool {}", p.name.value),
            &loc,
            guard::allowance(p.allow_replace.as_ref(), m),
        );
        m.export(
            format!("cognito/{}/id", p.name.value),
            format!("Id of the {} pool: {}", p.name.value, p.users),
            raw(format!("aws_cognito_user_pool.{id}.id")),
            &loc,
        );
        m.export(
            format!("cognito/{}/arn", p.name.value),
            format!("ARN of the {} pool", p.name.value),
            raw(format!("aws_cognito_user_pool.{id}.arn")),
            &loc,
        );
        for c in &p.clients {
            m.export(
                format!("cognito/{}/{}/client-id", p.name.value, c.name.value),
                format!("Client id of {}: {}", c.name.value, c.purpose),
                raw(format!(
                    "aws_cognito_user_pool_client.{id}_{}.id",
                    ident(&c.name.value)
                )),
                &loc,
            );
        }
    }
}

fn docs(r: &Resources, _: &Docs) -> Option<DocSection> {
    let list = &r.user_pools;
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
