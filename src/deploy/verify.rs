//! `bankgen verify`: the completion check bankgen can make itself for a phase (seed 001's Phase 0
//! signal). Every SSM contract parameter that a module outside the phase imports from one of the
//! phase's modules exists and holds a value; every event bus the phase creates accepts a
//! `PutEvents`.

use super::aws::{ApiError, Client};
use crate::model::Catalog;
use crate::render::contracts::Contracts;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct Parameter {
    pub exporter: String,
    pub readers: Vec<String>,
}

/// What to verify for one phase in one environment.
#[derive(Debug, Default)]
pub struct Targets {
    /// Parameter name → the module that writes it and the modules outside the phase that read it.
    pub parameters: BTreeMap<String, Parameter>,
    /// Bus name → the module that creates it.
    pub buses: BTreeMap<String, String>,
}

/// `contracts`: the environment's SSM contracts (`render::contracts::ssm_contracts`).
pub fn targets(
    cat: &Catalog,
    contracts: &BTreeMap<String, Contracts>,
    env: &str,
    phase: u32,
) -> Targets {
    let in_phase = |id: &str| cat.module(id).is_some_and(|m| m.phase == Some(phase));
    let mut exported: BTreeMap<&str, &str> = BTreeMap::new();
    for (module, c) in contracts {
        if in_phase(module) {
            for (name, _) in &c.exports {
                exported.insert(name, module);
            }
        }
    }
    let mut out = Targets::default();
    for (module, c) in contracts {
        if in_phase(module) {
            continue;
        }
        for name in &c.imports {
            let Some(exporter) = exported.get(name.as_str()) else {
                continue;
            };
            out.parameters
                .entry(name.replace("{env}", env))
                .or_insert_with(|| Parameter {
                    exporter: exporter.to_string(),
                    readers: Vec::new(),
                })
                .readers
                .push(module.clone());
        }
    }
    for m in cat.modules.iter().filter(|m| m.phase == Some(phase)) {
        for b in &m.resources.event_buses {
            out.buses.insert(b.name.value.clone(), m.id.clone());
        }
    }
    out
}

/// One verified fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ok: bool,
    pub what: String,
    pub detail: String,
}

/// `GetParameters` takes at most 10 names.
const SSM_BATCH: usize = 10;

pub fn verify(t: &Targets, client: &Client, env: &str, phase: u32) -> Vec<Finding> {
    let mut out = Vec::new();
    let names: Vec<&String> = t.parameters.keys().collect();
    for batch in names.chunks(SSM_BATCH) {
        let body = serde_json::json!({ "Names": batch, "WithDecryption": false });
        match client.call("ssm", "AmazonSSM.GetParameters", &body) {
            Ok(r) => {
                let values: BTreeMap<&str, &str> = r["Parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some((p["Name"].as_str()?, p["Value"].as_str()?)))
                    .collect();
                for name in batch {
                    let p = &t.parameters[*name];
                    let readers = p.readers.join(", ");
                    out.push(match values.get(name.as_str()) {
                        Some(v) if !v.trim().is_empty() => Finding {
                            ok: true,
                            what: format!("SSM {name}"),
                            detail: format!("= {v}"),
                        },
                        Some(_) => Finding {
                            ok: false,
                            what: format!("SSM {name}"),
                            detail: format!(
                                "is empty (written by {}, read by {readers})",
                                p.exporter
                            ),
                        },
                        None => Finding {
                            ok: false,
                            what: format!("SSM {name}"),
                            detail: format!(
                                "does not exist (written by {}, read by {readers}): apply {} again",
                                p.exporter, p.exporter
                            ),
                        },
                    });
                }
            }
            Err(e) => {
                for name in batch {
                    out.push(api_failure(format!("SSM {name}"), &e));
                }
            }
        }
    }
    for (bus, owner) in &t.buses {
        let detail = serde_json::json!({ "env": env, "phase": phase, "bus": bus }).to_string();
        let body = serde_json::json!({ "Entries": [{
            "Source": "bankgen.verify",
            "DetailType": "bankgen phase check",
            "Detail": detail,
            "EventBusName": bus,
        }]});
        out.push(match client.call("events", "AWSEvents.PutEvents", &body) {
            Ok(r) if r["FailedEntryCount"].as_u64() == Some(0) => Finding {
                ok: true,
                what: format!("bus {bus}"),
                detail: format!(
                    "accepted a PutEvents (event {})",
                    r["Entries"][0]["EventId"].as_str().unwrap_or("?")
                ),
            },
            Ok(r) => Finding {
                ok: false,
                what: format!("bus {bus}"),
                detail: format!(
                    "rejected the PutEvents: {} {} (created by {owner})",
                    r["Entries"][0]["ErrorCode"].as_str().unwrap_or("?"),
                    r["Entries"][0]["ErrorMessage"].as_str().unwrap_or("")
                ),
            },
            Err(e) => api_failure(format!("bus {bus}"), &e),
        });
    }
    out
}

fn api_failure(what: String, e: &ApiError) -> Finding {
    Finding {
        ok: false,
        what,
        detail: format!("the API call failed: {e}"),
    }
}
