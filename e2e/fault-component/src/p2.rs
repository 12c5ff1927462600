//! The fixture on WASI 0.2 `wasi:http/incoming-handler` (spin-sdk 5.2).

use super::{alloc_forever, print_mib, spin_forever, Fault, TICK_MS};
use futures::SinkExt;
use spin_sdk::http::{Fields, IncomingRequest, OutgoingResponse, ResponseOutparam};

#[spin_sdk::http_component]
async fn handle(request: IncomingRequest, out: ResponseOutparam) {
    let path = request.path_with_query().unwrap_or_default();
    match Fault::from_path(&path) {
        Fault::Loop => spin_forever(),
        Fault::LoopAfterHeaders => {
            let response = text_response(200);
            let mut body = response.take_body();
            out.set(response);
            let _ = body.send(b"headers sent; now looping\n".to_vec()).await;
            spin_forever()
        }
        Fault::Alloc => alloc_forever(),
        Fault::Print(mib) => {
            let lines = print_mib(mib);
            reply(out, 200, format!("printed {lines} lines\n")).await
        }
        Fault::Body => match request.into_body().await {
            Ok(bytes) => reply(out, 200, format!("read {} bytes\n", bytes.len())).await,
            Err(e) => reply(out, 400, format!("body error: {e:?}\n")).await,
        },
        Fault::Ticks => {
            let response = text_response(200);
            let mut body = response.take_body();
            out.set(response);
            let mut sent = 0u64;
            loop {
                if body
                    .send(format!("tick {sent}\n").into_bytes())
                    .await
                    .is_err()
                {
                    eprintln!("ticks: client gone after {sent}");
                    return;
                }
                sent += 1;
                // One request per instance on WASI 0.2: blocking is fine.
                wasi::clocks::monotonic_clock::subscribe_duration(TICK_MS * 1_000_000).block();
            }
        }
        Fault::Trap => panic!("trap requested"),
        Fault::Ok => reply(out, 200, "ok\n".to_string()).await,
    }
}

fn text_response(status: u16) -> OutgoingResponse {
    let headers = Fields::from_list(&[(
        "content-type".to_string(),
        b"text/plain; charset=utf-8".to_vec(),
    )])
    .expect("valid header");
    let response = OutgoingResponse::new(headers);
    response.set_status_code(status).expect("valid status");
    response
}

async fn reply(out: ResponseOutparam, status: u16, text: String) {
    let response = text_response(status);
    let mut body = response.take_body();
    out.set(response);
    let _ = body.send(text.into_bytes()).await;
}
