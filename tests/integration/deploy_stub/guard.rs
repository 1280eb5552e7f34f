//! The plan guard and `bankgen drift` against the stub: a module whose plan replaces a resource
//! that holds data stops before apply, what needs it is skipped, the rest goes on;
//! `--allow-replace … --reason …` lets it through and the report says who allowed what; a
//! refresh-only plan's `resource_drift` is what `drift` reports.

use super::*;

/// MOD-103 (Phase 0) needs MOD-104, and MOD-046 needs MOD-103; MOD-102 needs only MOD-104.
const RUN: [&str; 4] = ["MOD-104", "MOD-103", "MOD-046", "MOD-102"];
const LOG_GROUP: &str = "aws_cloudwatch_log_group.bank_neon_migrations";

/// `show -json` of a plan that replaces `address` because `forced_by` changed, as Terraform
/// writes it.
fn replacing(address: &str, forced_by: &str) -> String {
    let (rtype, name) = address.split_once('.').unwrap();
    serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": [
            {"address": address, "mode": "managed", "type": rtype, "name": name,
             "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["delete", "create"],
                        "before": {"name": "old"}, "after": {"name": "new"},
                        "after_unknown": {"arn": true}, "before_sensitive": {}, "after_sensitive": {},
                        "replace_paths": [[forced_by]]},
             "action_reason": "replace_because_cannot_update"},
            {"address": "aws_ssm_parameter.x", "mode": "managed", "type": "aws_ssm_parameter",
             "name": "x", "change": {"actions": ["update"]}}
        ]
    })
    .to_string()
}

/// The entry and `FILE:LINE` render records for `address` in `module` of the run's catalogue.
fn recorded(d: &Deploy, module: &str, address: &str) -> (String, String, String) {
    let cat = crate::support::load_catalog(&d.catalog);
    let tree = bankgen::render::render_env(&cat, "local", &Default::default()).unwrap();
    let s = tree.stateful[module]
        .iter()
        .find(|s| s.address == address)
        .unwrap_or_else(|| panic!("render records no {address} in {module}"));
    let line = s
        .loc
        .file
        .text
        .lines()
        .nth(s.loc.line as usize - 1)
        .unwrap();
    (
        s.entry.clone(),
        format!("{}:{}", s.loc.file.name, s.loc.line),
        line.to_string(),
    )
}

fn module<'a>(run: &'a Run, id: &str) -> &'a Value {
    run.report["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in the report\n{}", run.stderr))
}

#[test]
fn a_replacement_stops_its_module_skips_what_needs_it_and_the_rest_applies() {
    let (run, d) = Deploy::new("apply")
        .only(&RUN)
        .jobs(1)
        .env("STUB_PLAN_JSON_MOD_103", &replacing(LOG_GROUP, "name"))
        .run();
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let st = run.status();
    assert_eq!(st["MOD-104"], "ok");
    assert_eq!(st["MOD-102"], "ok", "an independent module applies");
    assert_eq!(st["MOD-103"], "failed");
    assert_eq!(st["MOD-046"], "skipped");
    assert_eq!(
        run.cmds("MOD-103"),
        ["init", "plan", "show"],
        "nothing applied"
    );
    assert!(run.cmds("MOD-102").contains(&"apply"));
    assert!(run.cmds("MOD-046").is_empty());

    let (entry, place, line) = recorded(&d, "MOD-103", LOG_GROUP);
    let name = entry.rsplit(' ').next().unwrap();
    assert!(line.contains(name), "{place} is the entry {entry}: {line}");
    let m = module(&run, "MOD-103");
    let b = &m["blocked"][0];
    assert_eq!(b["address"], LOG_GROUP);
    assert_eq!(b["action"], "replace");
    assert_eq!(b["entry"], entry.as_str());
    assert_eq!(b["catalogue"], place.as_str());
    assert_eq!(b["replace_paths"], serde_json::json!(["name"]));
    assert!(
        m["cause"]
            .as_str()
            .unwrap()
            .starts_with("blocked by the plan guard: replace")
    );
    assert_eq!(run.report["summary"]["blocked"], 1);
    for want in [
        "MOD-103: stopped before apply",
        &format!("replace {LOG_GROUP}: {entry} at {place}"),
        "attributes forcing the replacement: name",
        "allow_replace: {reason:",
        &format!("--allow-replace MOD-103/{LOG_GROUP} --reason"),
        "renamed_from:",
    ] {
        assert!(
            run.stdout.contains(want),
            "stdout lacks {want:?}:\n{}",
            run.stdout
        );
    }
    let log = std::fs::read_to_string(run.out.join("local/.bankgen/logs/MOD-103.log")).unwrap();
    assert!(
        log.contains("attributes forcing the replacement: name"),
        "{log}"
    );
}

#[test]
fn allow_replace_with_a_reason_lets_it_through_and_the_report_says_who() {
    let (run, _) = Deploy::new("apply")
        .only(&RUN)
        .args(&[
            "--allow-replace",
            &format!("MOD-103/{LOG_GROUP}"),
            "--allow-replace",
            "aws_s3_bucket.nothing_like_it",
            "--reason",
            "log group renamed, old logs exported",
        ])
        .env("STUB_PLAN_JSON_MOD_103", &replacing(LOG_GROUP, "name"))
        .env("USER", "ops-alice")
        .env("GITHUB_ACTOR", "")
        .run();
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(run.cmds("MOD-103").contains(&"apply"));
    assert_eq!(run.status()["MOD-046"], "ok");
    let a = &module(&run, "MOD-103")["allowed"][0];
    assert_eq!(a["address"], LOG_GROUP);
    assert_eq!(a["allowed"]["by"], "command line");
    assert_eq!(
        a["allowed"]["reason"],
        "log group renamed, old logs exported"
    );
    assert_eq!(a["allowed"]["flag"], format!("MOD-103/{LOG_GROUP}"));
    assert_eq!(a["allowed"]["user"], "ops-alice");
    assert_eq!(run.report["summary"]["allowed_replacements"], 1);
    assert_eq!(
        run.report["allowances_unused"],
        serde_json::json!(["aws_s3_bucket.nothing_like_it"])
    );
    assert!(
        run.stderr
            .contains("warning: --allow-replace aws_s3_bucket.nothing_like_it matched no delete or replacement"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("allowed by command line, ops-alice: log group renamed"),
        "{}",
        run.stdout
    );
}

#[test]
fn allow_replace_on_the_entry_lets_it_through_and_the_report_names_its_line() {
    let (run, d) = Deploy::new("apply")
        .only(&["MOD-104", "MOD-103"])
        .edit_catalog(|c| {
            let f = c.join("modules/MOD-103.yaml");
            let text = std::fs::read_to_string(&f).unwrap().replace(
                "      retention_days: 365\n",
                "      retention_days: 365\n      allow_replace: {reason: \"migration logs are kept in the artefact bucket\"}\n",
            );
            std::fs::write(&f, text).unwrap();
        })
        .env("STUB_PLAN_JSON_MOD_103", &replacing(LOG_GROUP, "name"))
        .run();
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(run.cmds("MOD-103").contains(&"apply"));
    let (_, place, _) = recorded(&d, "MOD-103", LOG_GROUP);
    let file = place.rsplit_once(':').unwrap().0;
    let a = &module(&run, "MOD-103")["allowed"][0];
    assert_eq!(a["address"], LOG_GROUP);
    assert_eq!(
        a["allowed"]["reason"],
        "migration logs are kept in the artefact bucket"
    );
    assert_eq!(a["allowed"]["by"], format!("catalogue {file}:21"));
    assert!(a["allowed"].get("flag").is_none());
    assert!(
        run.stdout
            .contains(&format!("allowed by catalogue {file}:21: migration logs")),
        "{}",
        run.stdout
    );
}

#[test]
fn a_plan_is_blocked_too_and_exits_1() {
    let pool = "aws_cognito_user_pool.bank_customers";
    let (run, d) = Deploy::new("plan")
        .only(&["MOD-104"])
        .env("STUB_PLAN_JSON_MOD_104", &replacing(pool, "schema"))
        .run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let (entry, place, _) = recorded(&d, "MOD-104", pool);
    assert!(entry.contains("bank-customers"), "{entry}");
    assert!(place.ends_with("modules/MOD-104.yaml:127"), "{place}");
    let b = &module(&run, "MOD-104")["blocked"][0];
    assert_eq!(b["catalogue"], place.as_str());
    assert_eq!(b["replace_paths"], serde_json::json!(["schema"]));
}

#[test]
fn apply_of_saved_plans_is_guarded_and_plans_of_blocked_modules_are_not_saved() {
    let plans = tempfile::tempdir().unwrap();
    let p = plans.path().to_str().unwrap();
    let json = replacing(LOG_GROUP, "name");
    // Blocked: no saved plan for MOD-103.
    let (plan, _) = Deploy::new("plan")
        .only(&["MOD-104", "MOD-103"])
        .args(&["--plans", p])
        .env("STUB_PLAN_JSON_MOD_103", &json)
        .run();
    assert_eq!(plan.code, Some(1));
    assert!(!plans.path().join("MOD-103.tfplan").exists());
    // Allowed on the pull request's plan ...
    let (plan, _) = Deploy::new("plan")
        .only(&["MOD-104", "MOD-103"])
        .args(&["--plans", p, "--allow-replace", LOG_GROUP, "--reason", "r"])
        .env("STUB_PLAN_JSON_MOD_103", &json)
        .run();
    plan.ok();
    assert!(plans.path().join("MOD-103.tfplan").exists());
    // ... is not an allowance for the apply of the saved plan.
    let (apply, _) = Deploy::new("apply")
        .args(&["--plans", p])
        .env("STUB_PLAN_JSON_MOD_103", &json)
        .run();
    assert_eq!(apply.code, Some(1), "{}", apply.stderr);
    assert_eq!(apply.status()["MOD-103"], "failed");
    assert!(!apply.cmds("MOD-103").contains(&"apply"));
    assert!(apply.cmds("MOD-104").contains(&"apply"));
}

#[test]
fn guard_flags_are_checked() {
    // --allow-replace needs --reason
    let (run, _) = Deploy::new("plan")
        .only(&["MOD-104"])
        .args(&["--allow-replace", LOG_GROUP])
        .run();
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--reason"), "{}", run.stderr);
    let (run, _) = Deploy::new("plan")
        .args(&[
            "--allow-replace",
            "MOD-999/aws_s3_bucket.x",
            "--reason",
            "r",
        ])
        .run();
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("`MOD-999` is not a module"),
        "{}",
        run.stderr
    );
    // destroy keeps its confirmation; the guard is not for it
    let (run, _) = Deploy::new("destroy")
        .args(&[
            "--auto-approve",
            "--allow-replace",
            LOG_GROUP,
            "--reason",
            "r",
        ])
        .run();
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains("destroy asks for the environment's name"),
        "{}",
        run.stderr
    );
    assert!(run.calls.is_empty());
}

/// `show -json` of a refresh-only plan: a tag of a queue and its retention changed in the
/// console.
const DRIFT: &str = r#"{"format_version":"1.2","resource_drift":[
  {"address":"aws_sqs_queue.bank_core_dlq","mode":"managed","type":"aws_sqs_queue","name":"bank_core_dlq",
   "change":{"actions":["update"],
     "before":{"name":"bank-core-dlq-local","message_retention_seconds":1209600,"tags":{"module_id":"MOD-104"}},
     "after":{"name":"bank-core-dlq-local","message_retention_seconds":86400,"tags":{"module_id":"MOD-104","owner":"console"}},
     "after_unknown":{},"before_sensitive":{},"after_sensitive":{}}}],
  "resource_changes":[]}"#;

#[test]
fn drift_reports_each_drifted_attribute_and_exits_1() {
    let (run, _) = Deploy::new("drift")
        .only(&["MOD-104", "MOD-103"])
        .args(&["--format", "json"])
        .env("STUB_DRIFT_MOD_104", DRIFT)
        .run();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let plan = run.calls.iter().find(|c| c.cmd == "plan").unwrap();
    for flag in ["-refresh-only", "-detailed-exitcode", "-out=drift.tfplan"] {
        assert!(plan.args.contains(flag), "{}", plan.args);
    }
    assert!(run.calls.iter().all(|c| c.cmd != "apply"));
    assert_eq!(
        run.cmds("MOD-103"),
        ["init", "plan"],
        "no drift: nothing to show"
    );
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["env"], "local");
    assert_eq!(doc["drift"], true);
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(doc["summary"]["drifted"], 1);
    assert_eq!(doc["summary"]["clean"], 1);
    assert_eq!(doc["summary"]["resources"], 1);
    let m = &doc["modules"][0];
    assert_eq!(
        (m["id"].as_str(), m["status"].as_str()),
        (Some("MOD-104"), Some("drifted"))
    );
    let r = &m["resources"][0];
    assert_eq!(r["address"], "aws_sqs_queue.bank_core_dlq");
    assert_eq!(r["type"], "aws_sqs_queue");
    let paths: Vec<&str> = r["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["message_retention_seconds", "tags.owner"]);
    assert_eq!(r["attributes"][0]["before"], 1209600);
    assert_eq!(r["attributes"][0]["after"], 86400);
    assert_eq!(doc["modules"][1]["status"], "clean");
    assert_eq!(run.report["action"], "drift");

    // human: a table per module with drift
    let (run, _) = Deploy::new("drift")
        .only(&["MOD-104"])
        .env("STUB_DRIFT_MOD_104", DRIFT)
        .run();
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout
            .contains("MOD-104: 1 resource(s) changed outside Terraform"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("aws_sqs_queue.bank_core_dlq  message_retention_seconds  1209600"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("tags.owner"));
    assert!(
        run.stdout
            .contains("drift local: 1 modules: 1 with drift (1 resources)"),
        "{}",
        run.stdout
    );
}

#[test]
fn drift_exits_0_without_drift_and_1_when_a_module_fails() {
    let (run, _) = Deploy::new("drift").only(&PHASE0).run();
    run.ok();
    assert!(
        run.stdout
            .contains("drift local: 6 modules: 0 with drift (0 resources), 6 without, 0 failed"),
        "{}",
        run.stdout
    );
    let (run, _) = Deploy::new("drift")
        .only(&["MOD-104", "MOD-103", "MOD-102"])
        .env("STUB_FAIL", "MOD-103:plan")
        .run();
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout
            .contains("MOD-103: failed: plan failed (exit 1); log "),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("something went wrong in MOD-103"),
        "the log's tail: {}",
        run.stderr
    );
}
