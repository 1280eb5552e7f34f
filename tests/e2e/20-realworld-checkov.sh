#!/usr/bin/env bash
# The real-world corpus (tests/realworld) against checkov: bankgen lint (the third-party preset,
# no catalogue rules) and checkov (only the checks bankgen's rules name, read from `bankgen rules
# --markdown`, which docs/rules.md is) judge the same files. Per (file, resource, rule) a
# disagreement is bankgen flagging what checkov passes, or checkov failing what bankgen is silent
# on. Each disagreement must be listed in tests/realworld/disagreements.tsv, and each listed one
# must still happen. docs/realworld.md explains them. Needs scripts/toolchain.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck disable=SC1091
source .toolchain/env.sh
# scripts/test names the binary its cargo test built; alone, build it
if [ -z "${BANKGEN_E2E_BIN:-}" ]; then cargo build --quiet; fi
BIN=${BANKGEN_E2E_BIN:-$ROOT/target/debug/bankgen}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
T0=$SECONDS
step() { printf '[realworld-checkov] (t=%ds) %s\n' $((SECONDS - T0)) "$*"; }

step "the rules and their checkov checks (bankgen rules --markdown)"
"$BIN" rules --markdown > "$WORK/rules.md"
CHECKS=$(tc-python - "$WORK/rules.md" <<'PY'
import re, sys
checks = set()
for line in open(sys.argv[1]):
    m = re.match(r"\| \[(BGL\d+)\]", line)
    if m:
        checks.update(c.strip() for c in line.rstrip().rstrip("|").split("|")[-1].split(",") if c.strip())
print(",".join(sorted(checks)))
PY
)
[ -n "$CHECKS" ] || { echo "no rule names a checkov check" >&2; exit 1; }

step "bankgen lint --preset third-party --no-catalogue tests/realworld"
rc=0
"$BIN" lint --preset third-party --format json --no-catalogue tests/realworld > "$WORK/bankgen.json" || rc=$?
if [ "$rc" -gt 1 ]; then echo "bankgen lint exited $rc" >&2; exit 1; fi

# checkov's results depend only on its version, the checks and the corpus: they are recorded in
# RECORD under a key of those three, and checkov runs (about six minutes of a core) only when the
# key differs. REALWORLD_RECORD=1 writes a new record after a run; REALWORLD_RUN_CHECKOV=1 runs
# checkov whatever the record says.
RECORD=tests/realworld/checkov-results.json
VERSION=$(checkov --version)
KEY=$({
  echo "checkov $VERSION"
  echo "checks $CHECKS"
  echo "checkov --skip-download --framework terraform -d tests/realworld -o json --compact"
  find tests/realworld -type f ! -path "$RECORD" ! -name disagreements.tsv ! -name '*.md' -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum
} | sha256sum | cut -c1-64)
if [ -z "${REALWORLD_RUN_CHECKOV:-}" ] && [ -f "$RECORD" ] \
  && [ "$(tc-python -c 'import json, sys; print(json.load(open(sys.argv[1]))["key"])' "$RECORD")" = "$KEY" ]; then
  step "checkov $VERSION's recorded results for these checks and this corpus ($RECORD, key ${KEY:0:12})"
  cp "$RECORD" "$WORK/checkov.json"
else
  step "checkov $VERSION on tests/realworld, checks $CHECKS"
  # Not --quiet: with it checkov's JSON has only the failed checks, and "checkov passes" needs the
  # passed ones. checkov exits 1 when a check fails.
  checkov --skip-download --framework terraform -d tests/realworld -o json --compact \
    --check "$CHECKS" > "$WORK/checkov-full.json" 2> "$WORK/checkov.log" || true
  # What the comparison reads, with paths relative to the corpus: the record.
  tc-python - "$WORK/checkov-full.json" "$KEY" "$VERSION" "$CHECKS" "$ROOT/tests/realworld" > "$WORK/checkov.json" <<'PY'
import json, os, sys
full, key, version, checks, corpus = sys.argv[1:]
runs = json.load(open(full))
runs = runs if isinstance(runs, list) else [runs]
def rel(p):
    return os.path.relpath(p, corpus) if os.path.isabs(p) else p.split("tests/realworld/", 1)[-1]
slim = []
for run in runs:
    res = run.get("results", {})
    out = {k: sorted(({"check_id": c["check_id"], "file_abs_path": rel(c["file_abs_path"]),
                       "resource": c["resource"], "caller_file_path": c.get("caller_file_path")}
                      for c in res.get(k, [])), key=lambda c: json.dumps(c, sort_keys=True))
           for k in ("failed_checks", "passed_checks")}
    out["parsing_errors"] = sorted(rel(p) for p in res.get("parsing_errors", []))
    slim.append({"check_type": run.get("check_type"), "results": out})
json.dump({"key": key, "checkov": version, "checks": checks.split(","), "runs": slim}, sys.stdout, indent=0)
print()
PY
  if [ -n "${REALWORLD_RECORD:-}" ]; then
    cp "$WORK/checkov.json" "$RECORD"
    step "recorded in $RECORD (key ${KEY:0:12})"
  else
    step "$RECORD is not this run's (checkov, checks or corpus changed): REALWORLD_RECORD=1 $0 records it"
  fi
fi

step "compare per (file, resource, rule) with tests/realworld/disagreements.tsv"
tc-python - "$WORK/rules.md" "$WORK/bankgen.json" "$WORK/checkov.json" \
  tests/realworld/disagreements.tsv "$ROOT/tests/realworld" <<'PY'
import collections, json, os, re, sys

rules_md, bankgen_json, checkov_json, table, corpus = sys.argv[1:]

# The rules, their checkov checks, and those the third-party preset leaves out.
rule_checks, left_out, in_preset_list = {}, set(), False
for line in open(rules_md):
    m = re.match(r"\| \[(BGL\d+)\]", line)
    if m:
        checks = [c.strip() for c in line.rstrip().rstrip("|").split("|")[-1].split(",") if c.strip()]
        if checks:
            rule_checks[m.group(1)] = checks
    if "preset leaves out" in line:
        in_preset_list = True
    elif in_preset_list:
        m = re.match(r"- \[(BGL\d+)\]", line)
        if m:
            left_out.add(m.group(1))
        elif line.strip():
            in_preset_list = False
rule_checks = {r: c for r, c in rule_checks.items() if r not in left_out}
rules_of = collections.defaultdict(set)
for r, cs in rule_checks.items():
    for c in cs:
        rules_of[c].add(r)

def resource(name):
    """`data.x.y[0]`, `x.y["k"]` → `x.y`: bankgen names blocks without instance keys."""
    name = re.sub(r"\[[^\]]*\]", "", name or "-")
    return name[5:] if name.startswith("data.") else name

def rel(path):
    return os.path.relpath(path, corpus) if os.path.isabs(path) else path.split("tests/realworld/", 1)[-1]

# bankgen: (file, resource, rule) → messages; folders with a file that does not parse (BGL001)
# are not checked further by bankgen, so they are not compared.
report = json.load(open(bankgen_json))
unparsed = {os.path.dirname(rel(f["file"])) for f in report["findings"] if f["code"] == "BGL001"}
bankgen = collections.defaultdict(list)
for f in report["findings"]:
    if f["code"] not in rule_checks:
        continue
    res = resource(f["resource"])
    bankgen[(rel(f["file"]), res, f["code"])].append(f["message"])
    # A finding on a bucket's separate resource (versioning, encryption, lifecycle, public access
    # block) counts for the bucket too, which checkov's graph checks report on; the message names
    # the bucket ("... of bucket aws_s3_bucket.x ...").
    m = re.search(r"\bbucket (aws_s3_bucket\.[A-Za-z0-9_-]+)", f["message"])
    if res.startswith("aws_s3_bucket_") and m:
        bankgen[(rel(f["file"]), m.group(1), f["code"])].append(f["message"])

# checkov: (file, resource, rule) → failed / passed checks. Results of a module call (a module's
# resources seen through an example that calls it) are left out: bankgen lints each folder on
# its own, and checkov checks the module's folder on its own too.
ck = json.load(open(checkov_json))
ck = ck["runs"] if "runs" in ck else ck if isinstance(ck, list) else [ck]   # the record, or one run
failed, passed = collections.defaultdict(set), collections.defaultdict(set)
evaluated = 0
for run in ck:
    res = run.get("results", {})
    for kind, into in (("failed_checks", failed), ("passed_checks", passed)):
        for c in res.get(kind, []):
            if c.get("caller_file_path") or c["resource"].startswith("module."):
                continue
            evaluated += 1
            for r in rules_of.get(c["check_id"], ()):
                into[(rel(c["file_abs_path"]), resource(c["resource"]), r)].add(c["check_id"])
    skipped_files = [rel(p) for p in res.get("parsing_errors", [])]

def compared(key):
    return os.path.dirname(key[0]) not in unparsed

# The disagreements: (file, resource, rule, checkov check, flagged by).
found, unchecked = set(), []
both_flag = both_pass = 0
for key in filter(compared, bankgen):
    if key in failed:
        both_flag += 1
    elif key in passed:
        found.add(key + ("+".join(sorted(passed[key])), "bankgen"))
    else:
        unchecked.append(key)
for key in filter(compared, failed):
    if key not in bankgen:
        for check in sorted(failed[key]):
            found.add(key + (check, "checkov"))
for key in filter(compared, passed):
    if key not in bankgen and key not in failed:
        both_pass += 1

listed, problems = {}, []
for n, line in enumerate(open(table), 1):
    if not line.strip() or line.startswith("#") or line.startswith("file\t"):
        continue
    cols = line.rstrip("\n").split("\t")
    if len(cols) != 7:
        problems.append(f"disagreements.tsv:{n}: {len(cols)} columns, 7 expected")
        continue
    if cols[5] not in ("bankgen", "checkov", "both", "neither"):
        problems.append(f"disagreements.tsv:{n}: who is right must be bankgen, checkov, both or neither")
    key = tuple(cols[:5])
    if key in listed:
        problems.append(f"disagreements.tsv:{n}: listed twice")
    listed[key] = cols[5:]

new = sorted(found - set(listed))
gone = sorted(set(listed) - found)
print("rules compared: " + ", ".join(r + " (" + "+".join(c) + ")" for r, c in sorted(rule_checks.items())))
print(f"checkov results compared: {evaluated} (module-call results left out)")
if skipped_files:
    print(f"files checkov could not parse (it checks nothing in them): {', '.join(sorted(skipped_files))}")
if unparsed:
    print(f"folders not compared (a file does not parse, bankgen BGL001): {', '.join(sorted(unparsed))}")
print(f"both flag: {both_flag}; both pass: {both_pass}; bankgen flags what no mapped checkov check "
      f"evaluated: {len(unchecked)}; disagreements: {len(found)} ({len(found) - len(new)} listed)")
by = collections.Counter((k[2], k[4]) for k in found)
for (rule, who), n in sorted(by.items()):
    print(f"  {rule}: {n} flagged by {who} only")
if unchecked:
    print("bankgen findings on resources checkov has no result of a mapped check for (not compared):")
    for k in sorted(unchecked):
        print("  " + "  ".join(k))
for p in problems:
    print(p)
if new:
    print(f"\n{len(new)} disagreement(s) not in tests/realworld/disagreements.tsv (look at each, then add it "
          "with who is right and why):")
    for k in new:
        msgs = "; ".join(bankgen.get(k[:3], [])) or "bankgen silent"
        print("\t".join(k) + "\t?\t" + msgs)
if gone:
    print(f"\n{len(gone)} listed disagreement(s) no longer happen (remove them from "
          "tests/realworld/disagreements.tsv and docs/realworld.md):")
    for k in gone:
        print("\t".join(k))
sys.exit(1 if new or gone or problems else 0)
PY
step "ok"
