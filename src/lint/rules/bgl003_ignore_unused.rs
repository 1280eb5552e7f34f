//! BGL003: a suppression that suppresses nothing (checked by the driver).
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL003",
    name: "ignore-unused",
    title: "Suppressions suppress something",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &[],
    doc: r#"## What it checks
Every code in a `# bankgen:ignore[...]` comment is a known rule that reported a finding in the
block the comment belongs to.

## Why
A stale suppression hides the next real finding of that rule on the block, and an unknown
code (a typo) suppresses nothing while looking as if it did.

## Example
```hcl
# bankgen:ignore[BGL103] versioning is off on purpose
resource "aws_s3_bucket" "x" { ... }   # ...but versioning is enabled
```

## Fix
Delete the suppression, or correct its code.
"#,
    terraform: None,
    catalogue: None,
};
