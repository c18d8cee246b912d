//! The command line against a running host: `--server URL` (or
//! THUOCDO_SERVER), with the bearer token from `--token` or THUOCDO_TOKEN;
//! over HTTPS (rustls) it trusts the system's roots and `--ca-cert`'s.
//! Answers are read into the same types the local commands print, so a
//! table looks the same whichever side did the work; a problem document
//! becomes an error that keeps its code, message and field.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Error;
use crate::config::Config;

/// A host to send requests to.
pub(super) struct Remote {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
}

/// What a request carries.
enum Body<'a> {
    None,
    Json(&'a serde_json::Value),
    Bytes(&'static str, Vec<u8>),
}

impl Remote {
    /// The server named in the configuration, if any.
    pub(super) fn from_config(config: &Config) -> Result<Option<Remote>, Error> {
        let Some(server) = &config.server else {
            return Ok(None);
        };
        let base = server.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::BadInput(format!(
                "--server {server}: expected a URL such as http://127.0.0.1:8080"
            )));
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Failed(format!("starting the async runtime: {e}")))?;
        let mut http = reqwest::Client::builder().use_rustls_tls();
        if let Some(file) = &config.ca_cert {
            let pem = std::fs::read(file)
                .map_err(|e| Error::BadInput(format!("--ca-cert {}: {e}", file.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Error::BadInput(format!(
                    "--ca-cert {}: not PEM certificates: {e}",
                    file.display()
                ))
            })?;
            if certs.is_empty() {
                return Err(Error::BadInput(format!(
                    "--ca-cert {}: holds no certificate",
                    file.display()
                )));
            }
            for cert in certs {
                http = http.add_root_certificate(cert);
            }
        }
        let http = http
            .build()
            .map_err(|e| Error::Failed(format!("setting up HTTPS: {e}")))?;
        Ok(Some(Remote {
            base: format!("{base}/api/v1"),
            token: config.token.clone(),
            http,
            rt,
        }))
    }

    /// The server only: for the commands that act on a server alone.
    pub(super) fn required(config: &Config, what: &str) -> Result<Remote, Error> {
        Remote::from_config(config)?.ok_or_else(|| {
            Error::BadInput(format!("{what} needs --server URL (or THUOCDO_SERVER)"))
        })
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Body<'_>,
    ) -> Result<reqwest::Response, Error> {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.request(method, &url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        request = match body {
            Body::None => request,
            Body::Json(value) => request.json(value),
            Body::Bytes(content_type, bytes) => request
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(bytes),
        };
        let response = request
            .send()
            .await
            .map_err(|e| Error::Failed(format!("{url}: {}", chain(&e))))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        Err(problem(status, &text))
    }

    fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Body<'_>,
    ) -> Result<T, Error> {
        self.rt.block_on(async {
            let response = self.send(method, path, body).await?;
            let url = response.url().to_string();
            let bytes = response
                .bytes()
                .await
                .map_err(|e| Error::Failed(format!("{url}: {e}")))?;
            serde_json::from_slice(&bytes).map_err(|e| {
                Error::Failed(format!("{url}: an answer this client cannot read: {e}"))
            })
        })
    }

    /// GET, answered with JSON.
    pub(super) fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(reqwest::Method::GET, path, Body::None)
    }

    /// DELETE, answered with JSON.
    pub(super) fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        self.call(reqwest::Method::DELETE, path, Body::None)
    }

    /// GET, answered with text (CSV).
    pub(super) fn get_text(&self, path: &str) -> Result<String, Error> {
        self.rt.block_on(async {
            let response = self.send(reqwest::Method::GET, path, Body::None).await?;
            response
                .text()
                .await
                .map_err(|e| Error::Failed(format!("{path}: {e}")))
        })
    }

    /// POST a JSON body, answered with JSON.
    pub(super) fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        let value = serde_json::to_value(body).expect("request bodies serialise");
        self.call(reqwest::Method::POST, path, Body::Json(&value))
    }

    /// PUT a JSON body, answered with JSON.
    pub(super) fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        let value = serde_json::to_value(body).expect("request bodies serialise");
        self.call(reqwest::Method::PUT, path, Body::Json(&value))
    }

    /// POST raw bytes (a component, a facts file), answered with JSON.
    pub(super) fn post_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        content_type: &'static str,
        bytes: Vec<u8>,
    ) -> Result<T, Error> {
        self.call(
            reqwest::Method::POST,
            path,
            Body::Bytes(content_type, bytes),
        )
    }
}

/// A failed answer as an error: 4xx is the caller's input (exit 2), anything
/// else the host's failure (exit 1). The problem document's words are kept.
fn problem(status: reqwest::StatusCode, text: &str) -> Error {
    let doc: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let mut message = format!(
        "HTTP {} {}: {}",
        status.as_u16(),
        doc["code"].as_str().unwrap_or("error"),
        doc["detail"].as_str().unwrap_or(text.trim())
    );
    if let Some(field) = doc["field"].as_str() {
        message.push_str(&format!(" (field `{field}`)"));
    }
    if let Some(rows) = doc["errors"].as_array() {
        for row in rows.iter().take(50) {
            message.push_str(&format!("\n  {row}"));
        }
    }
    if status.is_client_error() {
        Error::BadInput(message)
    } else {
        Error::Failed(message)
    }
}

/// `segment` made safe inside a URL path.
pub(super) fn path_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// An error with its causes, which say what went wrong: reqwest's own words
/// are only "error sending request", the certificate's fault is below them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_keep_their_code_message_and_field() {
        let e = problem(
            reqwest::StatusCode::FORBIDDEN,
            r#"{"code":"forbidden","detail":"a viewer may not publish","field":"Authorization"}"#,
        );
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.to_string(),
            "HTTP 403 forbidden: a viewer may not publish (field `Authorization`)"
        );
        let e = problem(reqwest::StatusCode::BAD_GATEWAY, "upstream down");
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("upstream down"));
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("2025-Q3"), "2025-Q3");
        assert_eq!(path_segment("a b/c"), "a%20b%2Fc");
    }
}
