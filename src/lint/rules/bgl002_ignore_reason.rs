//! BGL002: a `# bankgen:ignore[CODE]` suppression without a reason (checked by the driver).
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL002",
    name: "ignore-without-reason",
    title: "Suppressions give a reason",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &[],
    doc: r#"## What it checks
A suppression comment, `# bankgen:ignore[CODE] reason`, on or just above a block (or on the
first lines inside it) names the rule codes it suppresses and says why. A suppression without a
reason still suppresses, and is itself reported.

## Why
An exception to a bank policy needs a recorded justification a reviewer can challenge.

## Example
```hcl
# bankgen:ignore[BGL103]
resource "aws_s3_bucket" "scratch" {
  bucket = "bank-scratch-dev"
}
```

## Fix
```hcl
# bankgen:ignore[BGL103] scratch space, rebuilt daily; approved in CHG-1234
resource "aws_s3_bucket" "scratch" {
  bucket = "bank-scratch-dev"
}
```
"#,
    terraform: None,
    catalogue: None,
};
