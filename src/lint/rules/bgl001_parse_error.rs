//! BGL001: a `.tf` file that does not parse (reported by the index, not by a check).
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL001",
    name: "parse-error",
    title: "Terraform file parses",
    severity: Severity::Error,
    policy: "",
    checkov: &[],
    covers: &[],
    doc: r#"## What it checks
Every `.tf` file under the linted paths parses as HCL. A folder with a file that does not parse
is not checked further: the other rules would see half a module.

## Why
A file that Terraform cannot read cannot be planned, and its resources cannot be checked.

## Example
```hcl
resource "aws_s3_bucket" "x" {
  bucket =
}
```

## Fix
Correct the syntax at the reported line (`terraform fmt` points at the same place).
"#,
    terraform: None,
    catalogue: None,
};
