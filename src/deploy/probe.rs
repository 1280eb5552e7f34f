//! The probes of a completion check (seed 002's integration tests as the stacks' signals): each
//! works on one catalogue entry of the phase, found through the SSM contract its module writes,
//! and leaves nothing behind (what it puts, it deletes; a table item also expires).
//!
//! Every call is signed by [`Client`] (the official `aws-sigv4` crate).

use super::aws::{ApiError, Client};
use super::s3::Bucket;
use super::verify::Finding;
use crate::model::{Catalog, Probe, ProbeKind, TargetKind};
use crate::render::contracts::Contracts;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a delivery or a receive may take before the probe says it did not happen.
const PATIENCE: Duration = Duration::from_secs(20);

/// One probe's contract: the SSM parameter that names its resource (`/gbp/dev/s3/x/name`).
fn contract(cat: &Catalog, p: &Probe) -> String {
    let physical = |key: &str| cat.physical_name(key, &p.target).to_string();
    match p.kind {
        ProbeKind::ObjectRoundTrip => format!("s3/{}/name", physical("buckets")),
        ProbeKind::ItemRoundTrip => format!("dynamodb/{}/name", physical("dynamodb_tables")),
        ProbeKind::FifoInOrder => format!("sqs/{}/url", physical("queues")),
        ProbeKind::RecordRoundTrip => format!("kinesis/{}/name", physical("kinesis_streams")),
        ProbeKind::EventDelivered => {
            let target = cat
                .subscriptions
                .iter()
                .find(|s| s.name == p.target)
                .and_then(|s| s.target.name.clone())
                .unwrap_or_default();
            format!("sqs/{target}/url")
        }
    }
}

fn label(p: &Probe) -> String {
    let kind = serde_json::to_value(p.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    format!("probe {kind} {}", p.target)
}

/// A value no other run uses: the probe's object key, item key, message group.
fn nonce() -> String {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!("bankgen-probe-{}-{:09}", t.as_secs(), t.subsec_nanos())
}

/// Run every probe of `phase`'s check against `client`'s account.
/// `contracts`: the environment's SSM contracts (`render::contracts::ssm_contracts`).
pub fn run(
    cat: &Catalog,
    contracts: &BTreeMap<String, Contracts>,
    env: &str,
    phase: u32,
    client: &Client,
    bucket_of: &dyn Fn(&str) -> Bucket,
) -> Vec<Finding> {
    let probes = cat
        .phase(phase)
        .and_then(|p| p.check.as_ref())
        .map(|c| c.probes.clone())
        .unwrap_or_default();
    let exported: Vec<String> = contracts
        .values()
        .flat_map(|c| c.exports.iter().map(|(n, _)| n.replace("{env}", env)))
        .collect();
    let unserved = cat
        .environment(env)
        .map(|e| e.unserved_probes.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for p in &probes {
        let below = contract(cat, p);
        let what = label(p);
        if unserved.contains(&p.kind) {
            out.push(Finding {
                ok: true,
                what,
                detail: format!(
                    "not run: {env} is an emulator that cannot serve it (emulator.unserved_probes in platform.yaml)"
                ),
            });
            continue;
        }
        let Some(param) = exported.iter().find(|n| n.ends_with(&format!("/{below}"))) else {
            out.push(Finding {
                ok: false,
                what,
                detail: format!("no module writes a contract `{below}` in {env}"),
            });
            continue;
        };
        let value = match parameter(client, param) {
            Ok(v) => v,
            Err(e) => {
                out.push(fail(what, format!("reading {param}: {e}")));
                continue;
            }
        };
        let result = match p.kind {
            ProbeKind::ObjectRoundTrip => object(cat, p, &bucket_of(&value)),
            ProbeKind::ItemRoundTrip => item(cat, p, client, &value),
            ProbeKind::FifoInOrder => fifo(client, &value),
            ProbeKind::RecordRoundTrip => record(client, &value),
            ProbeKind::EventDelivered => event(cat, p, client, &value),
        };
        out.push(match result {
            Ok(detail) => Finding {
                ok: true,
                what,
                detail,
            },
            Err(detail) => fail(what, detail),
        });
    }
    out
}

fn fail(what: String, detail: String) -> Finding {
    Finding {
        ok: false,
        what,
        detail,
    }
}

fn parameter(client: &Client, name: &str) -> Result<String, ApiError> {
    let r = client.call(
        "ssm",
        "AmazonSSM.GetParameter",
        &json!({ "Name": name, "WithDecryption": false }),
    )?;
    Ok(r["Parameter"]["Value"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

fn api(step: &str, e: ApiError) -> String {
    format!("{step} failed: {e}")
}

fn object(cat: &Catalog, p: &Probe, bucket: &Bucket) -> Result<String, String> {
    let key = format!("bankgen-probe/{}", nonce());
    let body = key.as_bytes();
    // A bucket that denies uploads without SSE-KMS gets the header its policy asks for.
    let kms = cat.modules.iter().any(|m| {
        m.resources.buckets.iter().any(|b| {
            b.name.value == p.target && b.encryption.value == crate::kinds::bucket::Encryption::Kms
        })
    });
    let headers: Vec<(&str, String)> = if kms {
        vec![("x-amz-server-side-encryption", "aws:kms".into())]
    } else {
        Vec::new()
    };
    let put = bucket
        .object("PUT", &key, body, &headers)
        .map_err(|e| api("PutObject", e))?;
    if put.status != 200 {
        return Err(format!("PutObject: {}", super::s3::error(&put)));
    }
    let get = bucket
        .object("GET", &key, &[], &[])
        .map_err(|e| api("GetObject", e))?;
    let same = get.status == 200 && get.body.as_bytes() == body;
    let del = bucket
        .object("DELETE", &key, &[], &[])
        .map_err(|e| api("DeleteObject", e))?;
    if !same {
        return Err(format!(
            "GetObject {key}: HTTP {}, not the object put",
            get.status
        ));
    }
    if del.status != 204 && del.status != 200 {
        return Err(format!("DeleteObject {key}: {}", super::s3::error(&del)));
    }
    Ok(format!("put, read back and deleted {key}"))
}

fn item(cat: &Catalog, p: &Probe, client: &Client, table: &str) -> Result<String, String> {
    let entry = cat
        .modules
        .iter()
        .flat_map(|m| m.resources.dynamodb_tables.iter())
        .find(|t| t.name.value == p.target)
        .ok_or("the table left the catalogue")?;
    let id = nonce();
    let hash = entry.hash_key.value.as_str();
    let expires = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        + 3600;
    let mut item = serde_json::Map::new();
    item.insert(hash.into(), json!({ "S": id }));
    item.insert("bankgen_probe".into(), json!({ "S": "completion check" }));
    if let Some(ttl) = &entry.ttl_attribute {
        item.insert(ttl.clone(), json!({ "N": expires.to_string() }));
    }
    let key = json!({ hash: { "S": id } });
    client
        .call(
            "dynamodb",
            "DynamoDB_20120810.PutItem",
            &json!({ "TableName": table, "Item": item }),
        )
        .map_err(|e| api("PutItem", e))?;
    let got = client
        .call(
            "dynamodb",
            "DynamoDB_20120810.GetItem",
            &json!({ "TableName": table, "Key": key, "ConsistentRead": true }),
        )
        .map_err(|e| api("GetItem", e))?;
    client
        .call(
            "dynamodb",
            "DynamoDB_20120810.DeleteItem",
            &json!({ "TableName": table, "Key": key }),
        )
        .map_err(|e| api("DeleteItem", e))?;
    if got["Item"][hash]["S"].as_str() != Some(id.as_str()) {
        return Err(format!("GetItem of {hash} = {id} in {table} found nothing"));
    }
    Ok(format!(
        "put, read back and deleted {hash} = {id} in {table}"
    ))
}

/// Receive until `expected` of the probe's messages (those `ours` accepts) arrived and were
/// deleted, or [`PATIENCE`] ran out; how many arrived. Messages that are not the probe's are left
/// for their consumer (visible again at once).
fn receive(
    client: &Client,
    url: &str,
    expected: usize,
    mut ours: impl FnMut(&str) -> bool,
) -> Result<usize, String> {
    let start = std::time::Instant::now();
    let mut got = 0;
    while got < expected && start.elapsed() < PATIENCE {
        let r = client
            .call(
                "sqs",
                "AmazonSQS.ReceiveMessage",
                &json!({ "QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1,
                         "VisibilityTimeout": 10 }),
            )
            .map_err(|e| api("ReceiveMessage", e))?;
        for m in r["Messages"].as_array().into_iter().flatten() {
            let body = m["Body"].as_str().unwrap_or_default();
            let handle = m["ReceiptHandle"].as_str().unwrap_or_default();
            if ours(body) {
                got += 1;
                client
                    .call(
                        "sqs",
                        "AmazonSQS.DeleteMessage",
                        &json!({ "QueueUrl": url, "ReceiptHandle": handle }),
                    )
                    .map_err(|e| api("DeleteMessage", e))?;
            } else {
                // Not ours: back to the queue for its consumer.
                let _ = client.call(
                    "sqs",
                    "AmazonSQS.ChangeMessageVisibility",
                    &json!({ "QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": 0 }),
                );
            }
        }
    }
    Ok(got)
}

fn fifo(client: &Client, url: &str) -> Result<String, String> {
    let group = nonce();
    let bodies: Vec<String> = (1..=3).map(|i| format!("{group} message {i}")).collect();
    for (i, b) in bodies.iter().enumerate() {
        client
            .call(
                "sqs",
                "AmazonSQS.SendMessage",
                &json!({ "QueueUrl": url, "MessageBody": b, "MessageGroupId": group,
                         "MessageDeduplicationId": format!("{group}-{i}") }),
            )
            .map_err(|e| api("SendMessage", e))?;
    }
    let mut got: Vec<String> = Vec::new();
    receive(client, url, bodies.len(), |body| {
        let ours = body.starts_with(&group);
        if ours {
            got.push(body.to_string());
        }
        ours
    })?;
    if got != bodies {
        return Err(format!(
            "sent {} messages in group {group}, received {:?}",
            bodies.len(),
            got
        ));
    }
    Ok(format!(
        "sent and received 3 messages in order (group {group})"
    ))
}

fn record(client: &Client, stream: &str) -> Result<String, String> {
    let id = nonce();
    let data = crate::base64::encode(id.as_bytes());
    let put = client
        .call(
            "kinesis",
            "Kinesis_20131202.PutRecord",
            &json!({ "StreamName": stream, "Data": data, "PartitionKey": id }),
        )
        .map_err(|e| api("PutRecord", e))?;
    let (Some(shard), Some(seq)) = (put["ShardId"].as_str(), put["SequenceNumber"].as_str()) else {
        return Err(format!("PutRecord answered no shard and sequence: {put}"));
    };
    let it = client
        .call(
            "kinesis",
            "Kinesis_20131202.GetShardIterator",
            &json!({ "StreamName": stream, "ShardId": shard,
                     "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": seq }),
        )
        .map_err(|e| api("GetShardIterator", e))?;
    let iterator = it["ShardIterator"].as_str().unwrap_or_default();
    let got = client
        .call(
            "kinesis",
            "Kinesis_20131202.GetRecords",
            &json!({ "ShardIterator": iterator, "Limit": 1 }),
        )
        .map_err(|e| api("GetRecords", e))?;
    if got["Records"][0]["Data"].as_str() != Some(data.as_str()) {
        return Err(format!(
            "GetRecords at {seq} on {shard} did not return the record put"
        ));
    }
    Ok(format!("put and read back a record on {shard} of {stream}"))
}

fn event(cat: &Catalog, p: &Probe, client: &Client, url: &str) -> Result<String, String> {
    let s = cat
        .subscriptions
        .iter()
        .find(|s| s.name == p.target && s.target.kind == TargetKind::Queue)
        .ok_or("the subscription left the catalogue")?;
    let first = |k: &str| -> Option<String> {
        match &s.pattern[k] {
            Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_string),
            Value::String(v) => Some(v.clone()),
            _ => None,
        }
    };
    let (Some(source), Some(detail_type)) = (first("source"), first("detail-type")) else {
        return Err(format!(
            "the subscription's pattern names no source and detail-type to send: {}",
            s.pattern
        ));
    };
    let id = nonce();
    let put = client
        .call(
            "events",
            "AWSEvents.PutEvents",
            &json!({ "Entries": [{ "Source": source, "DetailType": detail_type,
                                   "Detail": json!({ "bankgen_probe": id }).to_string(),
                                   "EventBusName": s.bus }] }),
        )
        .map_err(|e| api("PutEvents", e))?;
    if put["FailedEntryCount"].as_u64() != Some(0) {
        return Err(format!("PutEvents on {} was refused: {put}", s.bus));
    }
    let arrived = receive(client, url, 1, |body| body.contains(&id))?;
    if arrived == 0 {
        return Err(format!(
            "an event {source}/{detail_type} put on {} did not reach the queue within {} s",
            s.bus,
            PATIENCE.as_secs()
        ));
    }
    Ok(format!(
        "an event {source}/{detail_type} on {} reached its target queue",
        s.bus
    ))
}
