//! A minimal AWS JSON-protocol client (SSM, EventBridge) for the completion checks: SigV4-signed
//! POSTs, credentials from the standard environment variables.
//!
//! Why not the AWS SDK: two calls (`GetParameters`, `PutEvents`) do not justify its build time
//! on CI; the provider and `tofu` do every other AWS call.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// Credentials of the emulator environment when none are exported (the rendered provider's).
pub const EMULATOR_KEY: &str = "testing";

#[derive(Clone)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, as exported by a CI
    /// job's OIDC step or `aws configure export-credentials`.
    pub fn from_env() -> Option<Credentials> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Some(Credentials {
            access_key: var("AWS_ACCESS_KEY_ID")?,
            secret_key: var("AWS_SECRET_ACCESS_KEY")?,
            session_token: var("AWS_SESSION_TOKEN"),
        })
    }

    pub fn emulator() -> Credentials {
        Credentials {
            access_key: EMULATOR_KEY.into(),
            secret_key: EMULATOR_KEY.into(),
            session_token: None,
        }
    }
}

/// An API error: the HTTP status and AWS's error type and message, or a transport failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(s) => write!(f, "{} (HTTP {s}): {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

pub struct Client {
    region: String,
    endpoint: Option<String>,
    creds: Credentials,
    agent: ureq::Agent,
}

impl Client {
    /// `endpoint`: one URL for every service (an emulator); `None`: AWS's regional endpoints.
    pub fn new(region: &str, endpoint: Option<&str>, creds: Credentials) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            region: region.to_string(),
            endpoint: endpoint.map(|e| e.trim_end_matches('/').to_string()),
            creds,
            agent,
        }
    }

    fn url(&self, service: &str) -> String {
        match &self.endpoint {
            Some(e) => format!("{e}/"),
            None => format!("https://{service}.{}.amazonaws.com/", self.region),
        }
    }

    /// One JSON 1.1 call: `service` is the signing name (`ssm`, `events`), `target` the
    /// `X-Amz-Target` (`AmazonSSM.GetParameters`).
    pub fn call(
        &self,
        service: &str,
        target: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        let url = self.url(service);
        let host = host_of(&url);
        let payload = serde_json::to_vec(body).expect("a JSON value serialises");
        let now = amz_date(SystemTime::now());
        let mut headers = vec![
            ("content-type", "application/x-amz-json-1.1".to_string()),
            ("host", host),
            ("x-amz-date", now.clone()),
            ("x-amz-target", target.to_string()),
        ];
        if let Some(t) = &self.creds.session_token {
            headers.push(("x-amz-security-token", t.clone()));
        }
        let auth = authorization(
            &self.creds,
            &self.region,
            service,
            &now,
            "POST",
            "/",
            &headers,
            &payload,
        );
        let mut req = self.agent.post(&url).header("authorization", &auth);
        for (k, v) in &headers {
            if *k != "host" {
                req = req.header(*k, v);
            }
        }
        let mut resp = req.send(&payload[..]).map_err(|e| ApiError {
            status: None,
            code: "RequestFailed".into(),
            message: format!("{url}: {e}"),
        })?;
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().map_err(|e| ApiError {
            status: Some(status),
            code: "ResponseUnreadable".into(),
            message: e.to_string(),
        })?;
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if (200..300).contains(&status) {
            return Ok(value);
        }
        // `__type` is `namespace#Code` or `Code`; the message key's case varies by service.
        let code = value["__type"]
            .as_str()
            .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
            .unwrap_or_else(|| "Error".into());
        let message = ["message", "Message"]
            .iter()
            .find_map(|k| value[*k].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| text.chars().take(300).collect());
        Err(ApiError {
            status: Some(status),
            code,
            message,
        })
    }
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split('/').next().unwrap_or(rest).to_string()
}

/// `20150830T123600Z`.
pub fn amz_date(t: SystemTime) -> String {
    let (y, m, d, hh, mm, ss) = super::clock::utc(t);
    format!("{y:04}{m:02}{d:02}T{hh:02}{mm:02}{ss:02}Z")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The SigV4 `Authorization` header of a request without a query string. `headers`: lower-case
/// names (every one is signed).
#[allow(clippy::too_many_arguments)]
pub fn authorization(
    creds: &Credentials,
    region: &str,
    service: &str,
    amz_date: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    payload: &[u8],
) -> String {
    let mut sorted: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.trim())).collect();
    sorted.sort();
    let canonical_headers: String = sorted.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed: Vec<&str> = sorted.iter().map(|(k, _)| *k).collect();
    let signed = signed.join(";");
    let canonical = format!(
        "{method}\n{path}\n\n{canonical_headers}\n{signed}\n{}",
        hex(&Sha256::digest(payload))
    );
    let date = &amz_date[..8];
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{}", creds.secret_key).as_bytes(), date);
    for part in [region, service, "aws4_request"] {
        key = hmac(&key, part);
    }
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={}",
        creds.access_key,
        hex(&hmac(&key, &to_sign))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn example() -> Credentials {
        Credentials {
            access_key: "AKIDEXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        }
    }

    // AWS's SigV4 test suite, "get-vanilla" and "post-vanilla".
    #[test]
    fn signs_like_the_aws_test_suite() {
        let headers = [
            ("host", "example.amazonaws.com".to_string()),
            ("x-amz-date", "20150830T123600Z".to_string()),
        ];
        let get = authorization(
            &example(),
            "us-east-1",
            "service",
            "20150830T123600Z",
            "GET",
            "/",
            &headers,
            b"",
        );
        assert_eq!(
            get,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        let post = authorization(
            &example(),
            "us-east-1",
            "service",
            "20150830T123600Z",
            "POST",
            "/",
            &headers,
            b"",
        );
        assert!(post.ends_with(
            "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ));
    }

    #[test]
    fn formats_the_request_date() {
        let t = UNIX_EPOCH + Duration::from_secs(1_440_938_160); // 2015-08-30 12:36:00 UTC
        assert_eq!(amz_date(t), "20150830T123600Z");
        assert_eq!(amz_date(UNIX_EPOCH), "19700101T000000Z");
        // a leap day
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(amz_date(t), "20000229T000000Z");
    }

    #[test]
    fn host_from_url() {
        assert_eq!(host_of("http://127.0.0.1:4566/"), "127.0.0.1:4566");
        assert_eq!(
            host_of("https://ssm.ap-southeast-2.amazonaws.com/"),
            "ssm.ap-southeast-2.amazonaws.com"
        );
    }
}
