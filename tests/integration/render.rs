//! `bankgen render`: golden trees, determinism, `--check`, atomic writes that keep what bankgen
//! did not write, the counts the seeds give, and hostile catalogue values.

use crate::support::{Test, read_tree, repo};
use std::collections::BTreeMap;

fn render(t: &Test, args: &[&str]) {
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    t.cmd(all).success();
}

/// Each shipped catalogue (None: the embedded bank catalogue) and the folder of its golden trees.
const GOLDEN: &[(Option<&str>, &str)] = &[
    (None, "tests/golden"),
    (
        Some("examples/global-platform"),
        "tests/golden/global-platform",
    ),
];

/// The environments with golden trees: `tests/golden/environments`, which
/// `scripts/update-golden` reads too.
fn golden_envs() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("tests/golden/environments"))
        .expect("tests/golden/environments");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn rendered_trees_equal_the_golden_files() {
    let t = Test::new();
    let envs = golden_envs();
    assert!(
        ["dev", "local", "prod"]
            .iter()
            .all(|e| envs.iter().any(|x| x == e)),
        "dev, local and prod (unprotected, emulator, protected) have golden trees: {envs:?}"
    );
    for ((catalog, golden), env) in GOLDEN
        .iter()
        .flat_map(|g| envs.iter().map(move |env| (g, env.as_str())))
    {
        let out = format!("out/{golden}");
        let mut args = Vec::new();
        let catalog_dir = catalog.map(|c| repo().join(c).display().to_string());
        if let Some(c) = &catalog_dir {
            args.extend(["--catalog", c.as_str()]);
        }
        args.extend(["render", "--env", env, "--out", &out]);
        t.cmd(args).success();
        let got = read_tree(&t.path(&format!("{out}/{env}")));
        let want = read_tree(&repo().join(format!("{golden}/{env}")));
        let got_names: Vec<&String> = got.iter().map(|(n, _)| n).collect();
        let want_names: Vec<&String> = want.iter().map(|(n, _)| n).collect();
        assert_eq!(
            got_names, want_names,
            "{env}: the set of files differs from tests/golden (scripts/update-golden regenerates)"
        );
        let differing: Vec<&String> = got
            .iter()
            .zip(&want)
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, _)| &a.0)
            .collect();
        assert!(
            differing.is_empty(),
            "{env}: files differ from tests/golden: {differing:?}"
        );
    }
}

#[test]
fn two_renders_are_byte_identical() {
    let t = Test::new();
    render(&t, &["--all-envs", "--out", "a"]);
    render(&t, &["--all-envs", "--out", "b"]);
    let a = read_tree(&t.path("a"));
    assert!(
        a.len() > 4 * 142 * 4,
        "expected at least four files per module and environment"
    );
    assert!(a == read_tree(&t.path("b")), "two renders differ");
}

#[test]
fn check_is_clean_after_render_and_names_the_stale_file_after_an_edit() {
    let t = Test::new().with_catalog();
    render(&t, &["--env", "dev"]);
    t.cmd(["render", "--env", "dev", "--check"])
        .success()
        .stdout_has("up to date");
    let t = t.edit(
        "catalog/modules/MOD-104.yaml",
        "expiration_days: 90",
        "expiration_days: 120",
    );
    let run = t.cmd(["render", "--env", "dev", "--check"]);
    run.status(1)
        .stderr_has("stale")
        .stdout_has("dev/MOD-104/s3.tf");
    assert!(
        !run.stdout().contains("MOD-001"),
        "only the edited module's file is stale:\n{}",
        run.stdout()
    );
}

#[test]
fn the_rendered_bytes_do_not_depend_on_how_the_catalogue_path_is_spelt() {
    // Before: `--catalog ./catalog`, an absolute path or BANKGEN_CATALOG put that spelling into
    // every header and `# bankgen:source` comment, so `render --check` found every file stale.
    let t = Test::new().with_catalog();
    render(&t, &["--env", "dev"]);
    let want = read_tree(&t.path("out/dev"));
    assert!(
        want.iter()
            .any(|(_, text)| text.contains("# bankgen:source catalog/modules/MOD-104.yaml:")),
        "the default spelling names files as catalog/..."
    );
    let abs = t.path("catalog").to_string_lossy().into_owned();
    type Vars<'a> = Vec<(&'a str, &'a str)>;
    let runs: Vec<(&str, Vars, Vec<&str>)> = vec![
        ("", vec![], vec!["--catalog", "catalog"]),
        ("", vec![], vec!["--catalog", "./catalog"]),
        ("", vec![], vec!["--catalog", "./catalog/"]),
        ("", vec![], vec!["--catalog", &abs]),
        ("", vec![("BANKGEN_CATALOG", &abs)], vec![]),
        ("sub/dir", vec![], vec!["--catalog", "../../catalog"]),
        ("sub/dir", vec![("BANKGEN_CATALOG", &abs)], vec![]),
    ];
    for (cwd, env, flags) in runs {
        let out = if cwd.is_empty() { "out" } else { "../../out" };
        let mut args = flags.clone();
        args.extend(["render", "--env", "dev", "--out", out, "--check"]);
        t.cmd_in(cwd, &env, args.clone())
            .success()
            .stdout_has("up to date");
        let fresh = format!("{}/fresh", if cwd.is_empty() { "." } else { "../.." });
        let mut args = flags.clone();
        args.extend(["render", "--env", "dev", "--out", &fresh]);
        t.cmd_in(cwd, &env, args).success();
        assert!(
            read_tree(&t.path("fresh/dev")) == want,
            "rendered with {flags:?} {env:?} in {cwd:?}: the tree differs"
        );
        std::fs::remove_dir_all(t.path("fresh")).unwrap();
    }
}

#[test]
fn render_names_the_catalogue_it_read_on_its_first_line() {
    // Before: nothing said which one, and the README called ./catalog "the embedded catalogue".
    let first = |run: &crate::support::Run| run.stdout().lines().next().unwrap_or("").to_string();
    let t = Test::new();
    let run = t.cmd(["render", "--env", "dev"]);
    assert_eq!(first(run.success()), "catalogue: embedded");
    let t = t.with_catalog();
    for args in [
        &["render", "--env", "dev"][..],
        &["render", "--env", "dev", "--check"][..],
    ] {
        let run = t.cmd(args.iter().copied());
        assert_eq!(first(run.success()), "catalogue: ./catalog");
    }
    let abs = t.path("catalog").to_string_lossy().into_owned();
    let run = t.cmd(["--catalog", &abs, "render", "--env", "dev"]);
    assert_eq!(first(run.success()), format!("catalogue: {abs}"));
    // Also when the catalogue does not load: that is when it matters most which one it was.
    let t = t.remove("catalog/platform.yaml");
    let run = t.cmd(["render", "--env", "dev"]);
    assert_eq!(first(run.status(1)), "catalogue: ./catalog");
}

#[test]
fn diagnostics_name_catalogue_files_the_same_however_the_path_is_spelt() {
    let t = Test::new().with_catalog().edit(
        "catalog/modules/MOD-001.yaml",
        "depends_on:",
        "dependson:",
    );
    let abs = t.path("catalog").to_string_lossy().into_owned();
    for (cwd, args) in [
        ("", vec!["check", "--short"]),
        ("", vec!["--catalog", "./catalog", "check", "--short"]),
        ("", vec!["--catalog", abs.as_str(), "check", "--short"]),
        (
            "elsewhere",
            vec!["--catalog", "../catalog", "check", "--short"],
        ),
    ] {
        let run = t.cmd_in(cwd, &[], args.clone());
        run.status(1);
        let err = run.stderr();
        let located: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("MOD-001.yaml:"))
            .collect();
        assert!(
            !located.is_empty()
                && located
                    .iter()
                    .all(|l| l.starts_with("catalog/modules/MOD-001.yaml:")),
            "{args:?} in {cwd:?}:\n{err}"
        );
    }
}

#[test]
fn render_keeps_what_it_did_not_write_and_drops_modules_that_are_gone() {
    let t = Test::new().with_catalog();
    render(&t, &["--env", "dev"]);
    let t = t
        .file("out/dev/MOD-166/terraform.tfstate", "{\"version\": 4}\n")
        .file("out/dev/MOD-104/team-notes.tf", "# written by hand\n")
        .file("out/dev/MOD-104/.terraform/marker", "x");
    // MOD-166 leaves the catalogue: nothing depends on it.
    let t = t.remove("catalog/modules/MOD-166.yaml");
    let before = read_tree(&t.path("out"));
    // Its folder holds state: removing its configuration needs --prune.
    t.cmd(["render", "--env", "dev"])
        .status(1)
        .stderr_has("error: out/dev/MOD-166 holds Terraform state (terraform.tfstate)")
        .stderr_has("--prune");
    assert!(
        read_tree(&t.path("out")) == before,
        "a refused render changes nothing"
    );
    t.cmd(["render", "--env", "dev", "--prune"])
        .success()
        .stderr_has("dev/MOD-166 is no longer in the catalogue");
    assert!(
        !t.path("out/dev/MOD-166/lambda.tf").exists(),
        "generated files of a removed module are removed"
    );
    assert_eq!(
        std::fs::read_to_string(t.path("out/dev/MOD-166/terraform.tfstate")).unwrap(),
        "{\"version\": 4}\n"
    );
    assert!(
        t.path("out/dev/MOD-104/team-notes.tf").exists(),
        "a hand-written file is kept"
    );
    assert!(
        t.path("out/dev/MOD-104/.terraform/marker").exists(),
        "Terraform's working folder is kept"
    );
    assert!(t.path("out/dev/MOD-104/kms.tf").exists());
    let leftovers: Vec<_> = std::fs::read_dir(t.path("out"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no staging folders remain: {leftovers:?}"
    );
}

#[test]
fn a_gone_module_initialised_with_a_remote_backend_needs_prune_one_without_state_does_not() {
    let t = Test::new().with_catalog();
    render(&t, &["--env", "dev"]);
    let t = t
        .file(
            "out/dev/MOD-166/.terraform/terraform.tfstate",
            r#"{"version": 3, "backend": {"type": "s3", "config": {"bucket": "bank-tfstate-dev"}}}"#,
        )
        .remove("catalog/modules/MOD-166.yaml");
    t.cmd(["render", "--env", "dev"])
        .status(1)
        .stderr_has("out/dev/MOD-166 holds Terraform state (.terraform/ with a remote backend)");
    assert!(t.path("out/dev/MOD-166/lambda.tf").exists());
    // A working folder of the local backend with no state file holds nothing to lose.
    let t = t.file(
        "out/dev/MOD-166/.terraform/terraform.tfstate",
        r#"{"version": 3, "backend": {"type": "local"}}"#,
    );
    t.cmd(["render", "--env", "dev"])
        .success()
        .stderr_has("dev/MOD-166 is no longer in the catalogue");
    assert!(!t.path("out/dev/MOD-166/lambda.tf").exists());
}

#[test]
fn a_catalogue_without_modules_is_an_error_and_render_leaves_the_tree() {
    // Before: "catalogue OK", and `render` removed every generated module.
    let t = Test::new().with_catalog();
    render(&t, &["--env", "dev"]);
    let before = read_tree(&t.path("out"));
    std::fs::rename(t.path("catalog/modules"), t.path("modules-elsewhere")).unwrap();
    for (setup, why) in [
        (None, "it has no modules/ folder"),
        (
            Some("catalog/modules/README.md"),
            "its modules/ folder holds no module files (*.yaml)",
        ),
    ] {
        if let Some(rel) = setup {
            std::fs::create_dir_all(t.path("catalog/modules")).unwrap();
            std::fs::write(t.path(rel), "nothing yet\n").unwrap();
        }
        t.cmd(["check", "--short"])
            .status(1)
            .stderr_has("error[BG008]: the catalogue (catalog) has no modules")
            .stderr_has(why);
        t.cmd(["render", "--env", "dev", "--short"])
            .status(1)
            .stderr_has("error[BG008]");
        assert!(read_tree(&t.path("out")) == before, "the tree is untouched");
    }
}

/// Resource blocks per type, counted by parsing every rendered file with hcl-rs.
fn resource_counts(dir: &std::path::Path) -> (BTreeMap<String, usize>, usize) {
    let mut counts = BTreeMap::new();
    let mut modules = std::collections::BTreeSet::new();
    for (rel, text) in read_tree(dir) {
        modules.insert(rel.split('/').next().unwrap().to_string());
        let body: hcl::Body =
            hcl::from_str(&text).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
        for block in body.blocks().filter(|b| b.identifier() == "resource") {
            *counts
                .entry(block.labels()[0].as_str().to_string())
                .or_insert(0) += 1;
        }
    }
    (counts, modules.len())
}

#[test]
fn every_environment_has_the_seed_counts() {
    let t = Test::new();
    render(&t, &["--all-envs", "--out", "out"]);
    for env in ["local", "dev", "uat", "prod"] {
        let (counts, modules) = resource_counts(&t.path(&format!("out/{env}")));
        let n = |ty: &str| counts.get(ty).copied().unwrap_or(0);
        assert_eq!(modules, 142, "{env}: one stack per catalogue module");
        assert_eq!(n("aws_cloudwatch_event_bus"), 8, "{env}: buses");
        assert_eq!(n("aws_cloudwatch_event_archive"), 8, "{env}: archives");
        assert_eq!(n("aws_s3_bucket"), 5, "{env}: buckets");
        assert_eq!(n("aws_kms_key"), 3, "{env}: CMKs");
        assert_eq!(n("aws_kms_alias"), 3, "{env}: aliases");
        assert_eq!(
            n("aws_kinesis_firehose_delivery_stream"),
            2,
            "{env}: Firehose streams"
        );
        assert_eq!(n("aws_cognito_user_pool"), 2, "{env}: user pools");
        assert_eq!(n("aws_cognito_user_pool_client"), 4, "{env}: app clients");
        assert_eq!(n("aws_cloudtrail"), 1, "{env}: trail");
        // MOD-045's probe and AML-007 key, the six domains' Neon credentials and two Snowflake keys.
        assert_eq!(n("aws_secretsmanager_secret"), 10, "{env}: MOD-045 secrets");
        // Every runtime module's function and `live` alias, plus MOD-045's two Lambdas.
        let runtime = 142 - 6 - 1; // every module but the six of Phase 0 and MOD-156 (iac)
        assert_eq!(n("aws_lambda_function"), runtime + 2, "{env}: functions");
        assert_eq!(n("aws_lambda_alias"), runtime + 2, "{env}: aliases");
        assert_eq!(
            n("aws_cloudwatch_event_rule"),
            29,
            "{env}: one rule per subscription"
        );
        assert_eq!(
            n("aws_cloudwatch_event_target"),
            29,
            "{env}: one target per subscription"
        );
    }
    let roles = std::fs::read_to_string(t.path("out/dev/MOD-104/iam.tf")).unwrap();
    let domain_roles = roles
        .lines()
        .filter(|l| l.starts_with("resource \"aws_iam_role\" \"bank"))
        .count();
    assert_eq!(domain_roles, 8, "eight domain roles");
}

/// The values a hostile catalogue author might try: every HCL metacharacter at once.
const HOSTILE: &str =
    "quote \" backslash \\ interp ${var.x} directive %{ if true }x%{ endif } newline\nEOT\nend";

#[test]
fn hostile_values_render_as_literal_text() {
    let yaml_value = serde_json::to_string(HOSTILE).unwrap(); // a JSON string is a YAML string
    let t = Test::new()
        .with_catalog()
        .edit(
            "catalog/modules/MOD-104.yaml",
            "purpose: Kinesis Firehose landing zone",
            &format!("purpose: {yaml_value}"),
        )
        .edit(
            "catalog/modules/MOD-001.yaml",
            "title: \"Double-entry posting engine\"",
            &format!("title: {yaml_value}"),
        );
    render(&t, &["--env", "dev"]);
    let functions = std::fs::read_to_string(t.path("out/dev/MOD-001/lambda.tf")).unwrap();
    let body: hcl::Body = hcl::from_str(&functions).expect("still valid HCL");
    let f = body
        .blocks()
        .find(|b| b.labels().len() == 2 && b.labels()[0].as_str() == "aws_lambda_function")
        .unwrap();
    let desc = f
        .body()
        .attributes()
        .find(|a| a.key() == "description")
        .unwrap();
    // hcl-rs keeps the escaped template text; evaluating it must give the literal back.
    let value: hcl::Value = hcl::eval::Evaluate::evaluate(desc.expr(), &hcl::eval::Context::new())
        .expect("no interpolation to resolve");
    assert_eq!(value, hcl::Value::from(HOSTILE));
    let bucket_tags = std::fs::read_to_string(t.path("out/dev/MOD-104/s3.tf")).unwrap();
    hcl::from_str::<hcl::Body>(&bucket_tags).expect("s3.tf still valid HCL");
}

#[test]
fn hostile_names_are_rejected_with_a_diagnostic() {
    let t = Test::new().with_catalog().edit(
        "catalog/modules/MOD-104.yaml",
        "name: bank-reports",
        "name: \"bank-reports\\\"${x}\"",
    );
    t.args(["render", "--env", "dev", "--short"])
        .run()
        .status(1)
        .stderr_has("MOD-104.yaml")
        .stderr_has("BG030");
}

#[test]
fn a_template_that_prints_a_value_without_escaping_is_an_error() {
    let t = Test::new();
    for f in render_templates() {
        let text = std::fs::read_to_string(f.path()).unwrap();
        let text = if f.file_name() == "log_group.tf.j2" {
            text.replace("{{ name | q }}", "\"{{ name }}\"")
        } else {
            text
        };
        std::fs::create_dir_all(t.path("tpl")).unwrap();
        std::fs::write(t.path("tpl").join(f.file_name()), text).unwrap();
    }
    t.args(["render", "--env", "dev", "--templates", "tpl", "--short"])
        .run()
        .status(2)
        .stderr_has("BGR001")
        .stderr_has("without an escaping filter");
}

/// Every file under `dir`, by relative path.
fn tree_of(dir: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

/// The Terraform templates: the files of `templates/` (its `docs/` folder holds the pages'
/// templates).
fn render_templates() -> Vec<std::fs::DirEntry> {
    std::fs::read_dir(repo().join("templates"))
        .unwrap()
        .map(|f| f.unwrap())
        .filter(|f| f.file_type().unwrap().is_file())
        .collect()
}

/// The embedded templates in `tpl/`, with `after` written after each log group's retention.
fn templates_with_retention(t: &Test, after: &str) {
    std::fs::create_dir_all(t.path("tpl")).unwrap();
    for f in render_templates() {
        let text = std::fs::read_to_string(f.path()).unwrap();
        let text = if f.file_name() == "log_group.tf.j2" {
            text.replace(
                "retention_in_days = {{ retention }}",
                &format!("retention_in_days = {{{{ retention }}}}{after}"),
            )
        } else {
            text
        };
        std::fs::write(t.path("tpl").join(f.file_name()), text).unwrap();
    }
}

#[test]
fn the_problems_of_every_environment_are_reported_not_only_the_first() {
    let t = Test::new();
    templates_with_retention(
        &t,
        "{% if env == \"uat\" %}{{ no_such_in_uat }}{% elif env == \"prod\" %}{{ no_such_in_prod }}{% endif %}",
    );
    t.cmd(["render", "--out", "out", "--templates", "tpl", "--short"])
        .status(2)
        .stderr_has("no_such_in_uat")
        .stderr_has("no_such_in_prod");
    assert!(!t.path("out").join("dev").exists(), "nothing is swapped in");
}

#[test]
fn a_render_that_fails_in_one_environment_changes_no_environment() {
    let t = Test::new();
    t.cmd(["render", "--out", "out"]).success();
    let before = tree_of(&t.path("out"));
    // Templates that render differently everywhere, and break in prod alone (strict undefined).
    templates_with_retention(
        &t,
        "{% if env == \"prod\" %}{{ no_such_value }}{% else %}0{% endif %}",
    );
    t.cmd(["render", "--out", "out", "--templates", "tpl", "--short"])
        .status(2)
        .stderr_has("no_such_value");
    // Nothing was swapped in (dev, local and uat rendered before prod failed) and no staging
    // folder is left.
    assert!(before == tree_of(&t.path("out")), "the trees changed");
    // The same templates do render dev alone, and change it.
    t.cmd([
        "render",
        "--out",
        "out",
        "--templates",
        "tpl",
        "--env",
        "dev",
    ])
    .success();
    let after = tree_of(&t.path("out"));
    let changed = after
        .iter()
        .filter(|(rel, text)| before.get(*rel) != Some(*text))
        .count();
    assert!(changed > 0 && after.keys().all(|k| !k.starts_with('.')));
}

#[test]
fn a_catalogue_larger_than_one_part_renders_checks_and_rerenders_file_by_file() {
    // 600 modules: `render` stages them in two parts (512 + 88).
    let t = Test::new();
    t.cmd(["synth", "--modules", "600", "--out", "syn"])
        .success();
    let render = ["--catalog", "syn", "render", "--env", "dev", "--out", "out"];
    let run = t.cmd(render);
    let first = tree_of(&t.path("out/dev"));
    let n = first.len();
    run.success()
        .stdout_has(&format!("({n} written, 0 unchanged"));
    let modules: std::collections::BTreeSet<&str> =
        first.keys().filter_map(|k| k.split('/').next()).collect();
    assert_eq!(modules.len(), 600);
    t.cmd(render)
        .success()
        .stdout_has(&format!("(0 written, {n} unchanged"));

    // A file changed by hand in the second part (the first part's files then come over from
    // the live tree), and a file of the user's.
    let late = first
        .keys()
        .filter(|k| k.ends_with("/backend.tf"))
        .nth(590)
        .unwrap()
        .clone();
    let t = t
        .file(&format!("out/dev/{late}"), "# edited\n")
        .file("out/dev/notes.md", "mine\n");
    let mut check = render.to_vec();
    check.push("--check");
    t.cmd(check.clone())
        .status(1)
        .stdout_has(&format!("dev/{late}"));
    t.cmd(render)
        .success()
        .stdout_has(&format!("(1 written, {} unchanged", n - 1));
    let mut after = tree_of(&t.path("out/dev"));
    assert_eq!(after.remove("notes.md").as_deref(), Some("mine\n"));
    assert!(
        after == first,
        "the re-rendered tree differs from the first render"
    );
    t.cmd(check).success().stdout_has("up to date");
}

/// Each `resource "TYPE" "NAME" { … }` of a rendered file (formatted: the block closes with a `}`
/// alone on a line), as (type, name, body).
fn resource_blocks(text: &str) -> Vec<(&str, &str, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("resource \"") else {
            continue;
        };
        let mut parts = rest.split('"');
        let (Some(rtype), _, Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "}").collect();
        out.push((rtype, name, body.join("\n")));
    }
    out
}

/// `prevent_destroy = true` inside the block's `lifecycle { … }`.
fn prevents_destroy(body: &str) -> bool {
    body.lines()
        .skip_while(|l| *l != "  lifecycle {")
        .skip(1)
        .take_while(|l| *l != "  }")
        .any(|l| {
            let mut kv = l.splitn(2, '=').map(str::trim);
            kv.next() == Some("prevent_destroy") && kv.next() == Some("true")
        })
}

#[test]
fn protected_environments_keep_every_resource_that_holds_data_and_only_they_do() {
    let stateful = bankgen::kinds::stateful_types();
    let t = Test::new();
    for (catalog, _) in GOLDEN {
        let dir = repo().join(catalog.unwrap_or("catalog"));
        let cat = crate::support::load_catalog(&dir);
        let out = t.path(&format!("protected/{}", catalog.unwrap_or("catalog")));
        let (dir_s, out_s) = (dir.display().to_string(), out.display().to_string());
        t.cmd(["--catalog", &dir_s, "render", "--all-envs", "--out", &out_s])
            .success();
        let mut protected = Vec::new();
        for env in &cat.platform.environments {
            let mut wrong = Vec::new();
            let mut seen = 0;
            for (file, text) in read_tree(&out.join(&env.name)) {
                for (rtype, name, body) in resource_blocks(&text) {
                    if !stateful.contains(&rtype) {
                        continue;
                    }
                    seen += 1;
                    if prevents_destroy(&body) != env.protected {
                        wrong.push(format!("{file}: {rtype}.{name}"));
                    }
                }
            }
            assert!(
                seen > 10,
                "{dir_s} {}: only {seen} stateful blocks",
                env.name
            );
            assert!(
                wrong.is_empty(),
                "{dir_s} {} (protected: {}): prevent_destroy is {} on {} of {seen} blocks that hold data:\n{}",
                env.name,
                env.protected,
                if env.protected { "missing" } else { "present" },
                wrong.len(),
                wrong.join("\n")
            );
            if env.protected {
                protected.push(env.name.as_str());
            }
        }
        assert_eq!(protected, ["prod"], "{dir_s}: the protected environments");
    }
}

#[test]
fn the_lifecycle_scan_sees_a_missing_or_misplaced_prevent_destroy() {
    let text = "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"a\"\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n  prevent_destroy = true\n}\n\nresource \"aws_s3_bucket\" \"c\" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n";
    let blocks = resource_blocks(text);
    let got: Vec<(&str, bool)> = blocks
        .iter()
        .map(|(_, n, b)| (*n, prevents_destroy(b)))
        .collect();
    assert_eq!(got, [("a", true), ("b", false), ("c", false)]);
}

/// SHA-256 of two builds, as the CI step writes them.
const BUILD_A: &str = "a3f1c2d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00";
const BUILD_B: &str = "0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddeeff1";

fn function_block(dir: &std::path::Path, module: &str, label: &str) -> String {
    let text =
        std::fs::read_to_string(dir.join(format!("local/{module}/lambda.tf"))).expect("lambda.tf");
    resource_blocks(&text)
        .into_iter()
        .find(|(t, l, _)| *t == "aws_lambda_function" && *l == label)
        .map(|(_, _, body)| squeeze(&body))
        .unwrap_or_else(|| panic!("{module} has no aws_lambda_function.{label}"))
}

/// The text with every run of white space one space (the renderer aligns `=`).
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_pinned_artefact_names_its_build_by_content_and_an_unpinned_one_does_not() {
    let pinned = |sha: &str| {
        format!(
            "      invoked_by_secretsmanager: true\n      artefact:\n        key: lambda/MOD-045/bank-secrets-rotation/{sha}.zip\n        sha256: {sha}\n"
        )
    };
    let render_with = |sha: &str| {
        let t = Test::new()
            .with_catalog()
            .edit(
                "catalog/modules/MOD-045.yaml",
                "      invoked_by_secretsmanager: true\n",
                &pinned(sha),
            )
            .edit(
                "catalog/modules/MOD-001.yaml",
                "kind: runtime\n",
                &format!(
                    "kind: runtime\nruntime:\n  artefact:\n    key: lambda/MOD-001/{sha}.zip\n    sha256: {sha}\n"
                ),
            );
        render(&t, &["--env", "local", "--out", "out"]);
        let out = t.path("out");
        (
            function_block(&out, "MOD-045", "bank_secrets_rotation"),
            function_block(&out, "MOD-045", "bank_secrets_anomaly"),
            function_block(&out, "MOD-001", "app"),
        )
    };
    let (rotation, anomaly, app) = render_with(BUILD_A);
    assert!(
        rotation.contains(&format!(
            "s3_key = \"lambda/MOD-045/bank-secrets-rotation/{BUILD_A}.zip\""
        )),
        "{rotation}"
    );
    // Lambda's CodeSha256: the base64 of the same digest
    assert!(
        rotation.contains("source_code_hash = \"o/HC1OX2BxgpOktcbX6PkBEiM0RVZneImaq7zN3u/wA=\""),
        "{rotation}"
    );
    assert!(
        app.contains(&format!("s3_key = \"lambda/MOD-001/{BUILD_A}.zip\""))
            && app.contains("source_code_hash"),
        "{app}"
    );
    assert!(
        anomaly.contains("s3_key = \"lambda/MOD-045/bank-secrets-anomaly.zip\"")
            && !anomaly.contains("source_code_hash"),
        "{anomaly}"
    );
    let (rotation_b, _, app_b) = render_with(BUILD_B);
    assert!(
        rotation_b.contains(BUILD_B) && !rotation_b.contains(BUILD_A),
        "{rotation_b}"
    );
    assert!(app_b.contains(BUILD_B), "{app_b}");
    // the alias serves what was published: the function's version, never $LATEST
    let lambda =
        std::fs::read_to_string(repo().join("tests/golden/local/MOD-045/lambda.tf")).unwrap();
    let alias = resource_blocks(&lambda)
        .into_iter()
        .find(|(t, l, _)| *t == "aws_lambda_alias" && *l == "bank_secrets_rotation")
        .expect("the rotation function's alias")
        .2;
    assert!(
        squeeze(&alias)
            .contains("function_version = aws_lambda_function.bank_secrets_rotation.version"),
        "{alias}"
    );
    assert!(rotation.contains("publish = true"), "{rotation}");
}

#[test]
fn an_artefact_not_named_by_its_hash_is_a_catalogue_error() {
    for (artefact, says) in [
        (
            "      artefact:\n        key: lambda/MOD-045/rotation.zip\n        sha256: "
                .to_string()
                + BUILD_A
                + "\n",
            "does not contain its sha256",
        ),
        (
            "      artefact:\n        key: lambda/MOD-045/abc.zip\n        sha256: abc\n"
                .to_string(),
            "is not a SHA-256 in lower-case hex",
        ),
    ] {
        let t = Test::new().with_catalog().edit(
            "catalog/modules/MOD-045.yaml",
            "      invoked_by_secretsmanager: true\n",
            &format!("      invoked_by_secretsmanager: true\n{artefact}"),
        );
        t.cmd(["check", "--short"])
            .status(1)
            .stderr_has("BG005")
            .stderr_has(says)
            .stderr_has("MOD-045.yaml:");
    }
    let t = Test::new().with_catalog().edit(
        "catalog/platform.yaml",
        "  reserved_concurrency: 5\n",
        &format!("  reserved_concurrency: 5\n  artefact:\n    key: lambda/x/{BUILD_A}.zip\n    sha256: {BUILD_A}\n"),
    );
    t.cmd(["check", "--short"])
        .status(1)
        .stderr_has("runtime_defaults cannot pin an artefact");
}

#[test]
fn an_emulator_environment_with_an_s3_backend_names_the_emulator_for_its_state() {
    let t = Test::new().with_catalog().edit(
        "catalog/platform.yaml",
        "    backend:\n      kind: local\n",
        "    backend:\n      kind: s3\n      bucket: bank-tfstate-local\n      region: ap-southeast-2\n",
    );
    render(&t, &["--env", "local", "--out", "out"]);
    let backend = std::fs::read_to_string(t.path("out/local/MOD-104/backend.tf")).unwrap();
    let squeezed = squeeze(&backend);
    for line in [
        "endpoints = { s3 = \"http://127.0.0.1:4566\" }",
        "use_path_style = true",
        "skip_requesting_account_id = true",
        "key = \"bankgen/MOD-104/terraform.tfstate\"",
    ] {
        assert!(
            squeezed.contains(line),
            "backend.tf lacks {line:?}:\n{backend}"
        );
    }
    // dev's (no emulator) stays AWS's
    let dev = std::fs::read_to_string(repo().join("tests/golden/dev/MOD-104/backend.tf")).unwrap();
    assert!(!dev.contains("endpoints") && dev.contains("bank-tfstate-dev"));
}
