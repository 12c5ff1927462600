//! Reading the incoming request: headers (names lower-cased) and a body
//! bounded by the publish limit.

use crate::protocol::form;
use futures::StreamExt;
use spin_sdk::http::IncomingRequest;

pub enum BodyError {
    TooLarge,
    Read,
}

pub async fn read_body(request: IncomingRequest) -> Result<Vec<u8>, BodyError> {
    let mut stream = request.into_body_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        body.extend(chunk.map_err(|_| BodyError::Read)?);
        if body.len() > form::MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
    }
    Ok(body)
}

pub fn all_headers(request: &IncomingRequest) -> Vec<(String, String)> {
    request
        .headers()
        .entries()
        .into_iter()
        .map(|(name, value)| {
            (
                name.to_ascii_lowercase(),
                String::from_utf8_lossy(&value).into_owned(),
            )
        })
        .collect()
}

pub fn header(request: &IncomingRequest, name: &str) -> Option<String> {
    let values = request.headers().get(name);
    values
        .first()
        .map(|v| String::from_utf8_lossy(v).into_owned())
}
