//! The WASI 0.2 adapter (spin-sdk 5.2, `#[http_component]`): turns the
//! incoming request into [`RequestParts`], lets [`transfer`](crate::transfer)
//! plan and open the answer, and writes it through `OutgoingResponse`.

use crate::request::RequestParts;
use crate::transfer::{self, BodySink};
use futures::{Sink, SinkExt};
use spin_sdk::http::{Fields, IncomingRequest, Method, OutgoingResponse, ResponseOutparam};
use std::fmt::Debug;

#[spin_sdk::http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    let parts = RequestParts::new(
        method_name(&req.method()),
        req.path_with_query().unwrap_or_default(),
        req.headers().entries(),
    );
    let ready = transfer::prepare(&parts);
    let entries = ready.plan.header_entries();
    let fields = match Fields::from_list(&entries) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("invalid response header: {e:?}");
            Fields::new()
        }
    };
    let response = OutgoingResponse::new(fields);
    let _ = response.set_status_code(ready.plan.status);
    let mut body = Body(response.take_body());
    out.set(response);
    ready.send_body(&mut body).await;
    // Dropping the sink finishes the body.
}

/// The outgoing body as the transfer's sink.
struct Body<S>(S);

impl<S> BodySink for Body<S>
where
    S: Sink<Vec<u8>> + Unpin,
    S::Error: Debug,
{
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), String> {
        self.0.send(bytes).await.map_err(|e| format!("{e:?}"))
    }
}

fn method_name(m: &Method) -> String {
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
        Method::Other(o) => o.clone(),
    }
}
