//! AWS calls bankgen makes itself (the completion checks, the state bootstrap), each signed
//! with AWS's own `aws-sigv4` crate; credentials from the standard environment variables.
//!
//! Why not the AWS SDK: a handful of calls do not justify its build time on CI (measured in
//! BENCHMARKS.md); the provider and `tofu` make every other AWS call.

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
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

/// An HTTP answer: the status, the headers asked for, the body.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn failed(url: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError {
        status: None,
        code: "RequestFailed".into(),
        message: format!("{url}: {e}"),
    }
}

/// The JSON protocol version a service speaks (`application/x-amz-json-1.0` or `-1.1`).
fn json_version(service: &str) -> &'static str {
    match service {
        "dynamodb" | "sqs" => "1.0",
        _ => "1.1",
    }
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

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    fn url(&self, service: &str) -> String {
        match &self.endpoint {
            Some(e) => format!("{e}/"),
            None => format!("https://{service}.{}.amazonaws.com/", self.region),
        }
    }

    /// One signed request. S3 (`service` "s3") signs the payload hash header and neither
    /// normalises nor double-encodes the path, as S3 requires; `keep` names the response headers
    /// to return.
    pub fn send(
        &self,
        service: &str,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: &[u8],
        keep: &[&str],
    ) -> Result<Response, ApiError> {
        let mut settings = SigningSettings::default();
        if service == "s3" {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            settings.percent_encoding_mode = PercentEncodingMode::Single;
        }
        let creds = aws_credential_types::Credentials::new(
            &self.creds.access_key,
            &self.creds.secret_key,
            self.creds.session_token.clone(),
            None,
            "environment",
        );
        // The signer's identity type comes from `aws-credential-types`' conversion.
        let identity = creds.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(service)
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| failed(url, e))?
            .into();
        let signable = SignableRequest::new(
            method,
            url,
            headers.iter().map(|(k, v)| (*k, v.as_str())),
            SignableBody::Bytes(body),
        )
        .map_err(|e| failed(url, e))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| failed(url, e))?
            .into_parts();
        let mut req = ureq::http::Request::builder().method(method).uri(url);
        for (k, v) in headers {
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
            .map_err(|e| failed(url, e))?
            .map_err(|e| failed(url, e))?;
        let status = resp.status().as_u16();
        let headers = keep
            .iter()
            .filter_map(|k| {
                let v = resp.headers().get(*k)?.to_str().ok()?;
                Some((k.to_string(), v.to_string()))
            })
            .collect();
        let body = if method == "HEAD" {
            Vec::new()
        } else {
            resp.body_mut().read_to_vec().map_err(|e| failed(url, e))?
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// One JSON-protocol call: `service` is the signing name (`ssm`, `events`, `dynamodb`), `target`
    /// the `X-Amz-Target` (`AmazonSSM.GetParameters`).
    pub fn call(
        &self,
        service: &str,
        target: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        let url = self.url(service);
        let payload = serde_json::to_vec(body).expect("a JSON value serialises");
        let headers = [
            (
                "content-type",
                format!("application/x-amz-json-{}", json_version(service)),
            ),
            ("x-amz-target", target.to_string()),
        ];
        let resp = self.send(service, "POST", &url, &headers, &payload, &[])?;
        let text = resp.text();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if (200..300).contains(&resp.status) {
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
            status: Some(resp.status),
            code,
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_services_speak_their_protocol_version() {
        assert_eq!(json_version("dynamodb"), "1.0");
        assert_eq!(json_version("sqs"), "1.0");
        assert_eq!(json_version("kinesis"), "1.1");
        assert_eq!(json_version("ssm"), "1.1");
    }
}
