//! Per-module rendering state: the blocks written so far, the SSM parameters the module imports
//! and exports, and the helpers every resource kind uses to name and reference things.

use super::engine::Engine;
use super::hcl::raw;
use super::profile::Features;
use crate::diag::{Loc, Problem};
use crate::model::names::ident;
use crate::model::{Catalog, Environment, Module, Subscription};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The Terraform file a block goes to.
pub type Family = &'static str;

pub struct Export {
    /// Below `/bank/{env}/`.
    pub path: String,
    pub description: String,
    pub value: Value,
    pub loc: Loc,
}

pub struct ModuleCtx<'a> {
    pub cat: &'a Catalog,
    pub module: &'a Module,
    /// The subscriptions this module consumes.
    pub subscriptions: &'a [&'a Subscription],
    pub env: &'a Environment,
    pub features: Features,
    engine: &'a Engine,
    /// The module-wide values every block's template sees (`f`, `env`, `region`, …), built once.
    shared: minijinja::Value,
    pub blocks: Vec<(Family, String)>,
    /// label → full SSM path.
    pub imports: BTreeMap<String, String>,
    pub exports: Vec<Export>,
    pub problems: Vec<Problem>,
}

impl<'a> ModuleCtx<'a> {
    pub fn new(
        cat: &'a Catalog,
        module: &'a Module,
        subscriptions: &'a [&'a Subscription],
        env: &'a Environment,
        features: Features,
        engine: &'a Engine,
    ) -> Self {
        ModuleCtx {
            cat,
            module,
            subscriptions,
            env,
            features,
            engine,
            shared: Engine::shared(json!({
                "f": features,
                "env": env.name,
                "region": cat.platform.region,
                "account": env.account_id,
                "emulator": env.emulator.is_some(),
            })),
            blocks: Vec::new(),
            imports: BTreeMap::new(),
            exports: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Render one template into `family`'s file. `ctx` gets the module-wide values added.
    pub fn emit(&mut self, family: Family, template: &str, loc: &Loc, mut ctx: Value) {
        if let Value::Object(map) = &mut ctx {
            map.insert("src".into(), json!(source_comment(loc)));
        }
        match self.engine.render_shared(template, &self.shared, ctx) {
            Ok(text) => self.blocks.push((family, text)),
            Err(mut p) => {
                p.loc = Some(loc.clone());
                self.problems.push(p);
            }
        }
    }

    /// `bank-iceberg` → `bank-iceberg-dev`: per-environment names of the seeds.
    pub fn env_name(&self, base: &str) -> String {
        format!("{base}-{}", self.env.name)
    }

    /// Fill in `{env}`, `{account}` and `{region}` in a catalogue value.
    pub fn subst(&self, s: &str) -> String {
        s.replace("{env}", &self.env.name)
            .replace("{account}", &self.env.account_id)
            .replace("{region}", &self.cat.platform.region)
    }

    pub fn ssm_path(&self, below_env: &str) -> String {
        format!("/bank/{}/{below_env}", self.env.name)
    }

    /// Look a contract parameter up by SSM path (never a hard-coded ARN): `data.aws_ssm_parameter.X.value`.
    pub fn import(&mut self, below_env: &str) -> Value {
        let label = ident(below_env);
        self.imports.insert(label.clone(), self.ssm_path(below_env));
        raw(format!("data.aws_ssm_parameter.{label}.value"))
    }

    pub fn export(
        &mut self,
        path: String,
        description: impl Into<String>,
        value: Value,
        loc: &Loc,
    ) {
        self.exports.push(Export {
            path,
            description: description.into(),
            value,
            loc: loc.clone(),
        });
    }

    /// The ARN of the CMK for a classification: the module's own key, else the SSM contract.
    pub fn key_arn(&mut self, classification: &str) -> Value {
        let own = self
            .module
            .resources
            .kms_keys
            .iter()
            .find(|k| k.classification.value == classification);
        match own {
            Some(k) => raw(format!("aws_kms_key.{}.arn", ident(&k.alias.value))),
            None => self.import(&format!("kms/{classification}/arn")),
        }
    }

    /// The ARN of a domain bus: a local reference in the module that owns it, else by SSM.
    pub fn bus_arn(&mut self, bus: &str) -> Value {
        if self
            .module
            .resources
            .event_buses
            .iter()
            .any(|b| b.name.value == bus)
        {
            raw(format!("aws_cloudwatch_event_bus.{}.arn", ident(bus)))
        } else {
            self.import(&format!("eventbridge/{bus}/arn"))
        }
    }

    /// The ARN of a domain's Lambda execution role.
    pub fn role_arn(&mut self, role: &str) -> Value {
        if self
            .module
            .resources
            .iam_roles
            .iter()
            .any(|r| r.name.value == role)
        {
            raw(format!("aws_iam_role.{}.arn", ident(role)))
        } else {
            self.import(&format!("iam/{}/arn", role.to_lowercase()))
        }
    }

    pub fn bucket_name(&mut self, bucket: &str) -> Value {
        if self
            .module
            .resources
            .buckets
            .iter()
            .any(|b| b.name.value == bucket)
        {
            raw(format!("aws_s3_bucket.{}.id", ident(bucket)))
        } else {
            self.import(&format!("s3/{bucket}/name"))
        }
    }

    pub fn firehose_arn(&mut self, stream: &str) -> Value {
        if self
            .module
            .resources
            .firehose_streams
            .iter()
            .any(|s| s.name.value == stream)
        {
            raw(format!(
                "aws_kinesis_firehose_delivery_stream.{}.arn",
                ident(stream)
            ))
        } else {
            self.import(&format!("firehose/{stream}/arn"))
        }
    }

    /// The SNS topic that receives platform alerts, when this module owns one.
    pub fn alert_topic(&self) -> Option<Value> {
        self.module
            .resources
            .sns_topics
            .first()
            .map(|t| raw(format!("aws_sns_topic.{}.arn", ident(&t.name.value))))
    }

    pub fn loc(&self, location: &serde_saphyr::Location) -> Loc {
        self.module.loc_of(location)
    }

    /// Extra tags for a classified resource (the required tags come from `default_tags`).
    pub fn class_tags(&self, classification: &str) -> Value {
        json!({ "data_classification": classification })
    }
}

/// `# bankgen:source catalog/modules/MOD-104.yaml:57:9`, with the file name kept on one line.
pub fn source_comment(loc: &Loc) -> String {
    let name: String = loc
        .file
        .name
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect();
    format!("# bankgen:source {name}:{}:{}", loc.line, loc.column)
}
