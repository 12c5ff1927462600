//! The WASI 0.3 adapter (spin-sdk 7, `wasi:http/handler@0.3.0`): turns
//! the request into [`RequestParts`], lets [`transfer`](crate::transfer)
//! plan and open the answer, answers with its status and headers at once
//! and sends the body from a task of its own (the instance may serve other
//! requests meanwhile).

use crate::request::RequestParts;
use crate::transfer::{self, BodySink};
use spin_sdk::wasip3::exports::http::handler::Guest;
use spin_sdk::wasip3::http::types::{ErrorCode, Fields, Method, Request, Response};
use spin_sdk::wasip3::wit_bindgen::StreamWriter;
use spin_sdk::wasip3::{wit_future, wit_stream};

struct FileServer;

spin_sdk::wasip3::http::service::export!(FileServer);

impl Guest for FileServer {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let parts = RequestParts::new(
            method_name(request.get_method()),
            request.get_path_with_query().unwrap_or_default(),
            request.get_headers().copy_all(),
        );
        let ready = transfer::prepare(&parts);
        let entries = ready.plan.header_entries();
        let fields = Fields::from_list(&entries).unwrap_or_else(|e| {
            eprintln!("invalid response header: {e:?}");
            Fields::new()
        });
        let (writer, contents) = wit_stream::new();
        let (trailers, no_trailers) = wit_future::new(|| Ok(None));
        let (response, _sent) = Response::new(fields, Some(contents), no_trailers);
        let _ = response.set_status_code(ready.plan.status);
        spin_sdk::wasip3::spawn(async move {
            let mut body = Body(writer);
            ready.send_body(&mut body).await;
            // Closing the body stream, then the trailers, ends the response.
            drop(body);
            let _ = trailers.write(Ok(None)).await;
        });
        Ok(response)
    }
}

/// The response body stream as the transfer's sink.
struct Body(StreamWriter<u8>);

impl BodySink for Body {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), String> {
        // What the host did not take: its end of the body was dropped.
        if self.0.write_all(bytes).await.is_empty() {
            Ok(())
        } else {
            Err("stream closed".to_owned())
        }
    }
}

fn method_name(m: Method) -> String {
    match m {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Patch => "PATCH".into(),
        Method::Options => "OPTIONS".into(),
        Method::Connect => "CONNECT".into(),
        Method::Trace => "TRACE".into(),
        Method::Other(o) => o,
    }
}
