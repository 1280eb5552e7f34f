//! S3 REST calls on one bucket (`bankgen bootstrap`, the object probe of a completion check),
//! signed by [`Client::send`] with S3's signing rules.

use super::aws::{ApiError, Client, Credentials};
use sha2::{Digest, Sha256};

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
    client: Client,
}

impl Bucket {
    /// `endpoint`: one URL for every service (an emulator, path-style); `None`: AWS's regional S3.
    pub fn new(name: &str, region: &str, endpoint: Option<&str>, creds: &Credentials) -> Bucket {
        Bucket {
            name: name.to_string(),
            client: Client::new(region, endpoint, creds.clone()),
        }
    }

    /// Virtual-hosted on AWS (path-style requests are deprecated there), except a name with a dot,
    /// which would not match the wildcard certificate; path-style on an emulator.
    pub fn url(&self, query: &str) -> String {
        self.object_url("", query)
    }

    /// The URL of an object (`key` without a leading `/`, URL-safe), or of the bucket when empty.
    pub fn object_url(&self, key: &str, query: &str) -> String {
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        let region = self.client.region();
        let path_style = |base: &str| match key {
            "" => format!("{base}/{}{q}", self.name),
            _ => format!("{base}/{}/{key}{q}", self.name),
        };
        match self.client.endpoint() {
            Some(e) => path_style(e),
            None if self.name.contains('.') => {
                path_style(&format!("https://s3.{region}.amazonaws.com"))
            }
            None => format!("https://{}.s3.{region}.amazonaws.com/{key}{q}", self.name),
        }
    }

    /// One call on an object: PUT (with `body`), GET or DELETE.
    pub fn object(
        &self,
        method: &str,
        key: &str,
        body: &[u8],
        headers: &[(&str, String)],
    ) -> Result<Response, ApiError> {
        self.request(method, &self.object_url(key, ""), body, false, headers)
    }

    fn request(
        &self,
        method: &str,
        url: &str,
        body: &[u8],
        configuration: bool,
        extra: &[(&str, String)],
    ) -> Result<Response, ApiError> {
        let mut headers: Vec<(&str, String)> = extra.to_vec();
        if !body.is_empty() {
            if configuration {
                headers.push(("content-type", "application/xml".into()));
            }
            // S3 wants an integrity check on its configuration PUTs (lifecycle among them).
            headers.push((
                "x-amz-checksum-sha256",
                crate::base64::encode(&Sha256::digest(body)),
            ));
        }
        let r = self
            .client
            .send("s3", method, url, &headers, body, &["x-amz-bucket-region"])?;
        Ok(Response {
            status: r.status,
            region: r.header("x-amz-bucket-region").map(str::to_string),
            body: r.text(),
        })
    }
}

impl BucketApi for Bucket {
    fn send(&self, method: &str, query: &str, body: &[u8]) -> Result<Response, ApiError> {
        self.request(method, &self.url(query), body, true, &[])
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
