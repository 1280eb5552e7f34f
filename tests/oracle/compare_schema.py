#!/usr/bin/env python3
"""compare_schema.py A.json[.gz] B.json[.gz]: report every difference between two schema files of the
shape written by scripts/vendor-schema, for the types they share (and the types only one of them has).
Exit 1 when a shared type differs. `_meta` is ignored."""
import gzip
import json
import sys


def load(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append("%s.%s: only in B" % (path, k))
            elif k not in b:
                out.append("%s.%s: only in A" % (path, k))
            else:
                diff(a[k], b[k], "%s.%s" % (path, k), out)
    elif a != b:
        out.append("%s: A=%s B=%s" % (path, json.dumps(a), json.dumps(b)))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = load(sys.argv[1]), load(sys.argv[2])
    ka, kb = set(a) - {"_meta"}, set(b) - {"_meta"}
    shared = sorted(ka & kb)
    out = []
    for k in shared:
        diff(a[k], b[k], k, out)
    print("%d shared types; only in A: %d; only in B: %d" % (len(shared), len(ka - kb), len(kb - ka)))
    if len(ka - kb) <= 60:
        print("only in A:", " ".join(sorted(ka - kb)) or "-")
    if len(kb - ka) <= 60:
        print("only in B:", " ".join(sorted(kb - ka)) or "-")
    print("\n".join(out) or "no differences in shared types")
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
