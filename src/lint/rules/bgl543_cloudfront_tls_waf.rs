//! BGL543: every CloudFront distribution serves HTTPS only with TLS 1.2 at least and is behind a
//! web ACL.
use super::prelude::*;

pub static RULE: Rule = Rule {
    code: "BGL543",
    name: "cloudfront-tls-waf",
    title: "CloudFront distributions use TLS 1.2+, HTTPS only and a web ACL",
    severity: Severity::Error,
    policy: "",
    checkov: &["CKV_AWS_174", "CKV_AWS_34", "CKV_AWS_68"],
    covers: &["aws_cloudfront_distribution"],
    doc: r#"## What it checks
Every `aws_cloudfront_distribution`:
- has a `viewer_certificate` with its own certificate (`acm_certificate_arn` or
  `iam_certificate_id`, not `cloudfront_default_certificate = true`, whose TLS floor is 1.0) and
  `minimum_protocol_version` `TLSv1.2_2018`, `TLSv1.2_2019`, `TLSv1.2_2021` or later
  (`TLSv1.3_…`);
- sends no cache behavior (`default_cache_behavior`, `ordered_cache_behavior`) over plain HTTP:
  `viewer_protocol_policy` is `redirect-to-https` or `https-only`;
- has a non-empty `web_acl_id` (a CLOUDFRONT-scope WAFv2 web ACL).

## Why
Seed 002: "TLS secures network connections between services and to external clients", and "A Web
Application Firewall protects public-facing APIs from common attacks". CloudFront's default
certificate and the `TLSv1`/`TLSv1.1_2016` policies accept protocol versions with known attacks.

## Example
```hcl
resource "aws_cloudfront_distribution" "static" {
  enabled = true
  viewer_certificate {
    cloudfront_default_certificate = true
  }
  default_cache_behavior {
    viewer_protocol_policy = "allow-all"
  }
}
```

## Fix
```hcl
resource "aws_cloudfront_distribution" "static" {
  enabled    = true
  web_acl_id = aws_wafv2_web_acl.edge.arn
  viewer_certificate {
    acm_certificate_arn      = aws_acm_certificate.static.arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
  default_cache_behavior {
    viewer_protocol_policy = "redirect-to-https"
  }
}
```
"#,
    terraform: Some(check),
    catalogue: None,
};

fn check(cx: &ModCtx, out: &mut Out) {
    for r in cx.m.of_type("aws_cloudfront_distribution") {
        let cert = r.body().block("viewer_certificate");
        let own = cert.is_some_and(|c| {
            c.body.attr("acm_certificate_arn").is_some() || c.body.attr("iam_certificate_id").is_some()
        });
        let default = cert
            .and_then(|c| c.body.get("cloudfront_default_certificate"))
            .and_then(|v| cx.m.resolve(v).as_bool())
            == Some(true);
        if !own || default {
            out.on(
                cx.m,
                r,
                format!("{} uses CloudFront's default certificate, whose TLS floor is 1.0", r.addr),
                "set viewer_certificate { acm_certificate_arn = <a us-east-1 ACM certificate>, ssl_support_method = \"sni-only\", minimum_protocol_version = \"TLSv1.2_2021\" }",
            );
        } else {
            let v = cert
                .and_then(|c| c.body.get("minimum_protocol_version"))
                .map(|v| cx.m.resolve(v).as_str());
            match v {
                Some(Some(p)) if p.starts_with("TLSv1.2_") || p.starts_with("TLSv1.3") => {}
                Some(None) => {}
                Some(Some(p)) => out.on_attr(
                    cx.m,
                    r,
                    &["viewer_certificate", "minimum_protocol_version"],
                    format!("{} admits TLS before 1.2 ({p})", r.addr),
                    "set minimum_protocol_version = \"TLSv1.2_2021\"",
                ),
                None => out.on(
                    cx.m,
                    r,
                    format!("{} sets no minimum_protocol_version: CloudFront's default admits TLS 1.0", r.addr),
                    "set minimum_protocol_version = \"TLSv1.2_2021\"",
                ),
            }
        }
        for b in ["default_cache_behavior", "ordered_cache_behavior"] {
            for cb in r.body().blocks(b) {
                let p = cb.body.get("viewer_protocol_policy").map(|v| cx.m.resolve(v).as_str());
                if matches!(p, Some(Some("allow-all")) | None) {
                    out.on(
                        cx.m,
                        r,
                        format!("{} serves its {b} over plain HTTP", r.addr),
                        "set viewer_protocol_policy = \"redirect-to-https\"",
                    );
                }
            }
        }
        let acl = r.get("web_acl_id").map(|v| cx.m.resolve(v));
        if acl.is_none_or(|v| v.as_str() == Some("")) {
            out.on(
                cx.m,
                r,
                format!("{} has no web ACL", r.addr),
                "set web_acl_id to a CLOUDFRONT-scope WAFv2 web ACL (created in us-east-1)",
            );
        }
    }
}
