//! Outbound HTTP for guests (`wasi:http/outgoing-handler`, WASI 0.2 and
//! 0.3), as Spin 4.0.2's factor-outbound-http decides it: a request goes
//! out only when one of the component's `allowed_outbound_hosts` entries
//! (`http://` / `https://`, see [`crate::host::allowed_hosts`]) allows its scheme,
//! host and port; otherwise the guest gets `HTTP-request-denied` and stderr
//! gets one line naming the entry to add to the manifest. Allowed requests
//! are sent by wasmtime-wasi-http's default sender (HTTP/1.1, HTTPS with the
//! webpki roots, the guest's connect/first-byte/between-bytes timeouts).
//! Requests to the app itself (no authority, or `self.alt`) are refused:
//! this runner does not route them.

use crate::host::allowed_hosts::{self, OutboundUrl};
use crate::host::outbound_redis::OutboundRules;
use http_body_util::BodyExt;
use std::future::Future;
use std::sync::Arc;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody};

/// What `send_request` returns: the response and its I/O driver.
pub type ResponseFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<WasiBody>,
                Box<dyn Future<Output = Result<(), HttpError>> + Send>,
            )>,
        > + Send,
>;

/// Why a request may not go out (the stderr line says what to do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not in `allowed_outbound_hosts`: the destination to add.
    NotAllowed(String),
    /// A request to the app itself.
    SelfRequest,
}

impl Refusal {
    /// The stderr line for component `id`.
    pub fn line(&self, id: &str) -> String {
        match self {
            Self::NotAllowed(dest) => format!(
                "[{id}] outbound HTTP request to {dest} refused: to allow it, add \"{dest}\" to `component.{id}.allowed_outbound_hosts` in the manifest"
            ),
            Self::SelfRequest => format!(
                "[{id}] outbound HTTP request to the app itself refused: spin-sse-runner does not route self requests; run this app with `spin up` for them"
            ),
        }
    }
}

/// Whether `uri` may be requested under `rules` (pure).
pub fn check(rules: &OutboundRules, uri: &http::Uri) -> Result<(), Refusal> {
    let Some(authority) = uri.authority() else {
        return Err(Refusal::SelfRequest);
    };
    if authority.host() == "self.alt" {
        return Err(Refusal::SelfRequest);
    }
    let url = OutboundUrl::parse(&uri.to_string(), "https")
        .map_err(|_| Refusal::NotAllowed(uri.to_string()))?;
    if allowed_hosts::allows(&rules.allowed, &url) {
        Ok(())
    } else {
        Err(Refusal::NotAllowed(url.destination()))
    }
}

/// Sends `request` if `rules` allow it; see the module docs.
pub fn send(
    rules: &Arc<OutboundRules>,
    request: http::Request<WasiBody>,
    options: Option<RequestOptions>,
) -> ResponseFuture {
    if let Err(refusal) = check(rules, request.uri()) {
        eprintln!("{}", refusal.line(&rules.component));
        return Box::new(async { Err(HttpError::HttpRequestDenied) });
    }
    Box::new(async move {
        let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
        Ok((
            response.map(BodyExt::boxed_unsync),
            Box::new(io) as Box<dyn Future<Output = _> + Send>,
        ))
    })
}

#[cfg(test)]
mod tests {
    //! The allow rule for outbound HTTP requests.

    use super::*;
    use crate::host::allowed_hosts::AllowedHost;

    fn rules(entries: &[&str]) -> OutboundRules {
        OutboundRules {
            component: "hub".into(),
            allowed: entries
                .iter()
                .map(|e| AllowedHost::parse(e).unwrap())
                .collect(),
        }
    }

    fn uri(text: &str) -> http::Uri {
        text.parse().unwrap()
    }

    #[test]
    fn an_allowed_origin_may_be_requested_on_any_path() {
        let r = rules(&["redis://127.0.0.1:6379", "http://127.0.0.1:8080"]);
        assert_eq!(check(&r, &uri("http://127.0.0.1:8080/jwks.json")), Ok(()));
        assert_eq!(check(&r, &uri("http://127.0.0.1:8080/")), Ok(()));
    }

    #[test]
    fn other_hosts_ports_and_schemes_are_refused_with_the_entry_to_add() {
        let r = rules(&["http://127.0.0.1:8080"]);
        for (url, dest) in [
            ("http://127.0.0.1:8081/jwks", "http://127.0.0.1:8081"),
            ("https://127.0.0.1:8080/jwks", "https://127.0.0.1:8080"),
            ("http://localhost:8080/jwks", "http://localhost:8080"),
            ("https://idp.example/jwks", "https://idp.example"),
        ] {
            assert_eq!(
                check(&r, &uri(url)),
                Err(Refusal::NotAllowed(dest.into())),
                "{url}"
            );
        }
        assert_eq!(
        Refusal::NotAllowed("https://idp.example".into()).line("hub"),
        "[hub] outbound HTTP request to https://idp.example refused: to allow it, add \"https://idp.example\" to `component.hub.allowed_outbound_hosts` in the manifest"
    );
    }

    #[test]
    fn redis_entries_allow_no_http() {
        let r = rules(&["redis://127.0.0.1:6379"]);
        assert!(check(&r, &uri("http://127.0.0.1:6379/")).is_err());
        assert!(check(&rules(&[]), &uri("https://example.com/")).is_err());
    }

    #[test]
    fn self_requests_are_refused() {
        let r = rules(&["http://self", "https://*.example.com"]);
        assert_eq!(check(&r, &uri("/path")), Err(Refusal::SelfRequest));
        assert_eq!(
            check(&r, &uri("http://self.alt/x")),
            Err(Refusal::SelfRequest)
        );
    }
}
