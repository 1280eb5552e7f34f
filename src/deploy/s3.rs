//! S3 REST calls on one bucket for `bankgen bootstrap`, signed with AWS's own `aws-sigv4` (S3's
//! signing rules: the payload hash header, no path normalisation, single percent-encoding).

use super::aws::{ApiError, Credentials};
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// An S3 answer: the status, the response headers that matter here, and the body.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    /// `x-amz-bucket-region` of a HeadBucket.
    pub region: Option<String>,
    pub body: String,
}

/// The calls the bootstrap makes on its bucket: `query` is a sub-resource (`versioning`) or empty.
pub trait BucketApi {
    fn send(&self, method: &str, query: &str, body: &[u8]) -> Result<Response, ApiError>;
}

pub struct Bucket {
    name: String,
    region: String,
    endpoint: Option<String>,
    creds: aws_credential_types::Credentials,
    agent: ureq::Agent,
}

impl Bucket {
    /// `endpoint`: one URL for every service (an emulator, path-style); `None`: AWS's regional S3.
    pub fn new(name: &str, region: &str, endpoint: Option<&str>, creds: &Credentials) -> Bucket {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build()
            .into();
        let creds = aws_credential_types::Credentials::new(
            &creds.access_key,
            &creds.secret_key,
            creds.session_token.clone(),
            None,
            "environment",
        );
        Bucket {
            name: name.to_string(),
            region: region.to_string(),
            endpoint: endpoint.map(|e| e.trim_end_matches('/').to_string()),
            creds,
            agent,
        }
    }

    /// Virtual-hosted on AWS (path-style requests are deprecated there), except a name with a dot,
    /// which would not match the wildcard certificate; path-style on an emulator.
    pub fn url(&self, query: &str) -> String {
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        match &self.endpoint {
            Some(e) => format!("{e}/{}{q}", self.name),
            None if self.name.contains('.') => {
                format!("https://s3.{}.amazonaws.com/{}{q}", self.region, self.name)
            }
            None => format!("https://{}.s3.{}.amazonaws.com/{q}", self.name, self.region),
        }
    }
}

fn failed(url: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError {
        status: None,
        code: "RequestFailed".into(),
        message: format!("{url}: {e}"),
    }
}

impl BucketApi for Bucket {
    fn send(&self, method: &str, query: &str, body: &[u8]) -> Result<Response, ApiError> {
        let url = self.url(query);
        let mut headers: Vec<(&str, String)> = Vec::new();
        if !body.is_empty() {
            // S3 wants an integrity check on its configuration PUTs (lifecycle among them).
            headers.push(("content-type", "application/xml".into()));
            headers.push((
                "x-amz-checksum-sha256",
                crate::base64::encode(&Sha256::digest(body)),
            ));
        }
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        // The signer's identity type comes from `aws-credential-types`' conversion.
        let identity = self.creds.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| failed(&url, e))?
            .into();
        let signable = SignableRequest::new(
            method,
            url.as_str(),
            headers.iter().map(|(k, v)| (*k, v.as_str())),
            SignableBody::Bytes(body),
        )
        .map_err(|e| failed(&url, e))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| failed(&url, e))?
            .into_parts();
        let mut req = ureq::http::Request::builder().method(method).uri(&url);
        for (k, v) in &headers {
            req = req.header(*k, v);
        }
        for (k, v) in instructions.headers() {
            req = req.header(k, v);
        }
        let resp = if body.is_empty() {
            req.body(()).map(|r| self.agent.run(r))
        } else {
            req.body(body.to_vec()).map(|r| self.agent.run(r))
        };
        let mut resp = resp
            .map_err(|e| failed(&url, e))?
            .map_err(|e| failed(&url, e))?;
        let status = resp.status().as_u16();
        let region = resp
            .headers()
            .get("x-amz-bucket-region")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = if method == "HEAD" {
            String::new()
        } else {
            resp.body_mut()
                .read_to_string()
                .map_err(|e| failed(&url, e))?
        };
        Ok(Response {
            status,
            region,
            body: text,
        })
    }
}

/// The error of a non-2xx answer: S3's `<Error><Code>` and `<Message>`, or the status alone.
pub fn error(resp: &Response) -> ApiError {
    let code = first(&resp.body, "Code").unwrap_or(match resp.status {
        404 => "NotFound",
        403 => "Forbidden",
        301 => "PermanentRedirect",
        _ => "Error",
    });
    ApiError {
        status: Some(resp.status),
        code: code.to_string(),
        message: first(&resp.body, "Message").unwrap_or_default().to_string(),
    }
}

/// The inner text of every `<tag>…</tag>` (or `<tag/>`: empty) in `xml`, in order. S3's
/// configuration documents are small and never nest an element in one of the same name.
pub fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(end) = after.find('>') else { break };
        // `<Rules>` is not `<Rule>`: the name ends at `>`, `/` or a space.
        if !matches!(after.as_bytes().first(), Some(b'>' | b'/' | b' ')) {
            rest = after;
            continue;
        }
        if after[..end].ends_with('/') {
            out.push("");
            rest = &after[end + 1..];
            continue;
        }
        let inner = &after[end + 1..];
        let Some(j) = inner.find(&close) else { break };
        out.push(&inner[..j]);
        rest = &inner[j + close.len()..];
    }
    out
}

pub fn first<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    elements(xml, tag).into_iter().next()
}

/// `<Rule>…</Rule>` chunks with their tags, to put back unchanged beside a new rule.
pub fn whole_elements(xml: &str, tag: &str) -> Vec<String> {
    elements(xml, tag)
        .into_iter()
        .map(|inner| format!("<{tag}>{inner}</{tag}>"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_elements_by_exact_name() {
        let xml = "<LifecycleConfiguration><Rule><ID>a</ID><Filter><Prefix/></Filter></Rule>\
                   <Rule><ID>b</ID></Rule><Rules>x</Rules></LifecycleConfiguration>";
        assert_eq!(elements(xml, "ID"), ["a", "b"]);
        assert_eq!(elements(xml, "Rule").len(), 2);
        assert_eq!(elements(xml, "Prefix"), [""]);
        assert_eq!(first(xml, "Status"), None);
        assert_eq!(
            whole_elements(xml, "Rule")[1],
            "<Rule><ID>b</ID></Rule>".to_string()
        );
        // an attribute on the tag, and broken input
        assert_eq!(
            first(r#"<Status xmlns="x">Enabled</Status>"#, "Status"),
            Some("Enabled")
        );
        assert!(elements("<Rule><ID>a", "Rule").is_empty());
    }

    #[test]
    fn urls_by_style() {
        let c = Credentials::emulator();
        let b = Bucket::new("bank-tfstate-dev", "ap-southeast-2", None, &c);
        assert_eq!(
            b.url("versioning"),
            "https://bank-tfstate-dev.s3.ap-southeast-2.amazonaws.com/?versioning"
        );
        let b = Bucket::new("a.b", "eu-west-1", None, &c);
        assert_eq!(b.url(""), "https://s3.eu-west-1.amazonaws.com/a.b");
        let b = Bucket::new("s", "ap-southeast-2", Some("http://127.0.0.1:5000/"), &c);
        assert_eq!(b.url("policy"), "http://127.0.0.1:5000/s?policy");
    }

    #[test]
    fn an_error_document_gives_code_and_message() {
        let r = Response {
            status: 404,
            region: None,
            body: "<Error><Code>NoSuchBucketPolicy</Code><Message>none</Message></Error>".into(),
        };
        let e = error(&r);
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("NoSuchBucketPolicy", "none")
        );
        let e = error(&Response {
            status: 404,
            ..Default::default()
        });
        assert_eq!(e.code, "NotFound");
    }
}
