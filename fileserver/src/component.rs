//! Spin/WASI transport: turns the incoming request into [`RequestParts`],
//! runs [`serve::plan`] against the mount at `/`, and writes the plan through
//! `OutgoingResponse`, streaming file bodies in [`CHUNK_SIZE`] pieces.

use crate::config::Config;
use crate::fs::DirFs;
use crate::request::RequestParts;
use crate::serve::{self, Body, Plan};
use crate::stream::{Chunks, CHUNK_SIZE};
use futures::SinkExt;
use spin_sdk::http::{Fields, IncomingRequest, Method, OutgoingResponse, ResponseOutparam};

/// Where Spin mounts the component's `files`.
const MOUNT: &str = "/";

#[spin_sdk::http_component]
async fn handle(req: IncomingRequest, out: ResponseOutparam) {
    let parts = RequestParts::new(
        method_name(&req.method()),
        req.path_with_query().unwrap_or_default(),
        req.headers().entries(),
    );
    let (cfg, warnings) = Config::from_env();
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let fs = DirFs::new(MOUNT);
    let plan = serve::plan(&parts, &fs, &cfg);
    send(plan, &fs, out).await;
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

async fn send(plan: Plan, fs: &DirFs, out: ResponseOutparam) {
    // Open the file before committing to the status line, so a file that
    // vanished since `stat` becomes a clean 404 rather than a broken 200.
    let (plan, chunks) = match &plan.body {
        Body::File { path, offset, len } => {
            match fs.open(path).and_then(|f| Chunks::new(f, *offset, *len)) {
                Ok(c) => (plan, Some(c)),
                Err(e) => {
                    eprintln!("cannot open {}: {e}", path.relative());
                    (serve::text(404, "not found", false), None)
                }
            }
        }
        _ => (plan, None),
    };
    let entries: Vec<(String, Vec<u8>)> = plan
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone().into_bytes()))
        .collect();
    let fields = match Fields::from_list(&entries) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("invalid response header: {e:?}");
            Fields::new()
        }
    };
    let response = OutgoingResponse::new(fields);
    let _ = response.set_status_code(plan.status);
    let mut body = response.take_body();
    out.set(response);
    if let Body::Text(t) = plan.body {
        if let Err(e) = body.send(t.into_bytes()).await {
            eprintln!("error sending body: {e:?}");
        }
    } else if let Some(mut chunks) = chunks {
        let mut sent = 0usize;
        loop {
            match chunks.next_chunk() {
                Ok(Some(chunk)) => {
                    sent += chunk.len();
                    if let Err(e) = body.send(chunk.to_vec()).await {
                        eprintln!("client went away after {sent} bytes: {e:?}");
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    eprintln!("read error after {sent} bytes (chunks of {CHUNK_SIZE}): {e}");
                    break;
                }
            }
        }
    }
    // Dropping the sink finishes the body.
    drop(body);
}
