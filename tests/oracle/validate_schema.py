#!/usr/bin/env python3
"""validate_schema.py: check rendered Terraform against the vendored hashicorp/aws schema subset, with
python-hcl2 as a parser independent of the one bankgen uses.

usage: hcl2-python tests/oracle/validate_schema.py [--json] SCHEMA.json DIR_OR_FILE...
       (hcl2-python is .toolchain/bin/hcl2-python from scripts/toolchain; needs python-hcl2 >= 8)

Every *.tf below each DIR (recursively, .terraform/ skipped) must parse. Every resource and data block
is checked against SCHEMA (tests/oracle/aws-6.66.0-schema-subset.json):
  - its type is in the subset (the subset must cover every type bankgen renders)
  - every argument / nested block is known; a block is written as a block, an attribute as `name = ...`
  - nesting "single" blocks appear at most once
  - required attributes and blocks are present (a `dynamic` block counts as present)
  - computed-only (exported) attributes are never set
  - meta-arguments count, for_each, depends_on, provider, lifecycle (and provisioner/connection) are allowed
Errors print as FILE:TYPE.NAME.PATH: MESSAGE. --json prints a JSON summary on stdout instead.
Exit status: 0 clean, 1 schema or parse errors, 2 usage.
"""
import difflib
import json
import os
import sys

try:
    import hcl2
except ImportError:  # pragma: no cover
    sys.exit("validate_schema.py: python-hcl2 missing; run it with .toolchain/bin/hcl2-python")

META_ARGS = {"count", "for_each", "depends_on", "provider"}
META_BLOCKS = {"lifecycle", "provisioner", "connection"}
BLOCK_MARK = "__is_block__"
OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=True, strip_string_quotes=True)


def is_block_list(value):
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and v.get(BLOCK_MARK) for v in value)


def looks_like_block(value):
    return isinstance(value, list) and any(isinstance(v, dict) and v.get(BLOCK_MARK) for v in value)


def keys_of(body):
    return [k for k in body if k != BLOCK_MARK]


class Checker:
    def __init__(self, schema):
        self.schema = schema
        self.errors = []   # (file, where, message)
        self.blocks = 0
        self.types = {}

    def err(self, fname, where, msg):
        self.errors.append((fname, where, msg))

    def hint(self, name, node):
        pool = list(node.get("attributes", {})) + list(node.get("blocks", {}))
        close = difflib.get_close_matches(name, pool, n=1)
        return " (did you mean %s?)" % close[0] if close else ""

    def check_object(self, fname, where, spec, value):
        """literal object values of nested-attribute arguments (type object / list(object))"""
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue  # an expression: nothing to check statically
            for k in keys_of(item):
                if k not in spec.get("attributes", {}) and k not in spec.get("blocks", {}):
                    self.err(fname, "%s[%d].%s" % (where, i, k), "unknown attribute of object" + self.hint(k, spec))
            for k, a in spec.get("attributes", {}).items():
                if a.get("required") and k not in item:
                    self.err(fname, "%s[%d].%s" % (where, i, k), "missing required attribute")

    def check_body(self, fname, where, node, body, top):
        present = set()
        for k in keys_of(body):
            v = body[k]
            path = "%s.%s" % (where, k)
            if top and k in META_ARGS:
                continue
            if top and k in META_BLOCKS:
                if not looks_like_block(v):
                    self.err(fname, path, "meta-argument %s must be a block" % k)
                continue
            if k == "dynamic" and isinstance(v, list):
                # python-hcl2: dynamic "x" { ... } -> {"dynamic": [{"x": {..., "__is_block__": true}}]}
                for dyn in v:
                    if not isinstance(dyn, dict):
                        self.err(fname, path, "dynamic must be a labelled block")
                        continue
                    for name in keys_of(dyn):
                        self.check_dynamic(fname, "%s.dynamic.%s" % (where, name), node, name, dyn[name], present)
                continue
            if k in node.get("blocks", {}):
                spec = node["blocks"][k]
                present.add(k)
                if not is_block_list(v):
                    self.err(fname, path, "%s is a block: write `%s { ... }`, not `%s = ...`" % (k, k, k))
                    continue
                if spec["nesting"] == "single" and len(v) > 1:
                    self.err(fname, path, "block %s may appear at most once (nesting single), found %d" % (k, len(v)))
                for i, item in enumerate(v):
                    self.check_body(fname, "%s[%d]" % (path, i) if len(v) > 1 else path, spec, item, False)
            elif k in node.get("attributes", {}):
                spec = node["attributes"][k]
                present.add(k)
                if looks_like_block(v) and spec.get("type") == "any":
                    # The CDK package types a block nested deeper than jsii can follow as `any`
                    # (in all of 6.66.0 only the recursive wafv2 `rule.statement` and QuickSight `definition`):
                    # a block whose inside the schema here cannot check, not an attribute.
                    pass
                elif looks_like_block(v):
                    self.err(fname, path, "%s is an attribute: write `%s = ...`, not a block" % (k, k))
                elif "attributes" in spec:
                    self.check_object(fname, path, spec, v)
            elif k in node.get("exported", {}):
                self.err(fname, path, "%s is computed-only (read-only): it cannot be set" % k)
            else:
                kind = "block" if looks_like_block(v) else "argument"
                self.err(fname, path, "unknown %s %s%s" % (kind, k, self.hint(k, node)))
        for k, a in node.get("attributes", {}).items():
            if a.get("required") and k not in present:
                self.err(fname, "%s.%s" % (where, k), "missing required attribute")
        for k, b in node.get("blocks", {}).items():
            if b.get("required") and k not in present:
                self.err(fname, "%s.%s" % (where, k), "missing required block")

    def check_dynamic(self, fname, where, node, name, dyn, present):
        if name not in node.get("blocks", {}):
            if name in node.get("attributes", {}):
                self.err(fname, where, "dynamic %s: %s is an attribute, not a block" % (name, name))
            else:
                self.err(fname, where, "dynamic block of unknown block %s%s" % (name, self.hint(name, node)))
            return
        present.add(name)
        if not isinstance(dyn, dict) or "for_each" not in dyn:
            self.err(fname, where, "dynamic block needs for_each")
        content = dyn.get("content") if isinstance(dyn, dict) else None
        if not is_block_list(content) or len(content) != 1:
            self.err(fname, where, "dynamic block needs exactly one content block")
            return
        self.check_body(fname, where + ".content", node["blocks"][name], content[0], False)

    def check_file(self, fname, doc):
        for kind, prefix in (("resource", ""), ("data", "data.")):
            for entry in doc.get(kind, []) or []:
                for rtype in keys_of(entry):
                    for name in keys_of(entry[rtype]):
                        key = prefix + rtype
                        where = "%s.%s" % (key, name)
                        self.blocks += 1
                        self.types[key] = self.types.get(key, 0) + 1
                        body = entry[rtype][name]
                        if key not in self.schema:
                            self.err(fname, where, "type %s is not in the schema subset (unknown type, or add it to "
                                                   "tests/oracle/schema-types.txt and run scripts/vendor-schema)" % key)
                            continue
                        self.check_body(fname, where, self.schema[key], body, True)


def tf_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for d, dirs, files in os.walk(p):
                dirs[:] = sorted(x for x in dirs if x != ".terraform")
                out += [os.path.join(d, f) for f in sorted(files) if f.endswith(".tf")]
        elif os.path.isfile(p):
            out.append(p)
        else:
            out.append(p)  # reported as unreadable below
    return out


def main(argv):
    args = [a for a in argv if a != "--json"]
    as_json = len(args) != len(argv)
    if len(args) < 2 or args[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        schema = json.load(fh)
    chk = Checker(schema)
    files = tf_files(args[1:])
    if not files:
        chk.err(" ".join(args[1:]), "-", "no .tf files found")
    for f in files:
        try:
            with open(f, encoding="utf-8") as fh:
                doc = hcl2.load(fh, serialization_options=OPTIONS)
        except Exception as exc:  # every rendered file must parse
            msg = " ".join(str(exc).split())
            chk.err(f, "-", "parse error: %s" % (msg[:500] or type(exc).__name__))
            continue
        chk.check_file(f, doc)
    if as_json:
        json.dump({"ok": not chk.errors, "files": len(files), "blocks": chk.blocks,
                   "types": dict(sorted(chk.types.items())),
                   "errors": [{"file": f, "path": w, "message": m} for f, w, m in chk.errors],
                   "schema": schema.get("_meta", {}).get("provider_version")}, sys.stdout, indent=1)
        print()
    else:
        for f, w, m in chk.errors:
            print("%s:%s: %s" % (f, w, m))
        print("validate_schema: %d files, %d blocks, %d errors" % (len(files), chk.blocks, len(chk.errors)),
              file=sys.stderr)
    return 1 if chk.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
