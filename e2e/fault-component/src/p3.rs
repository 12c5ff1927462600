//! The fixture on WASI 0.3 `wasi:http/handler` (spin-sdk 7): the same
//! faults as the WASI 0.2 build, each request a task of a shared instance.

use super::{alloc_forever, print_mib, spin_forever, Fault, TICK_MS};
use futures::SinkExt;
use spin_sdk::http::body::{stream, IncomingBodyExt};
use spin_sdk::http::{box_body, BoxBody, Request, Response, StatusCode};
use std::time::Duration;

#[spin_sdk::http_service]
async fn handle(request: Request) -> Response<BoxBody> {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    match Fault::from_path(&path) {
        Fault::Loop => spin_forever(),
        Fault::LoopAfterHeaders => {
            let (mut tx, body) = stream::<Vec<u8>>();
            spin_sdk::wasip3::spawn(async move {
                let _ = tx.send(b"headers sent; now looping\n".to_vec()).await;
                spin_forever()
            });
            text(StatusCode::OK, body)
        }
        Fault::Alloc => alloc_forever(),
        Fault::Print(mib) => {
            let lines = print_mib(mib);
            reply(StatusCode::OK, format!("printed {lines} lines\n"))
        }
        Fault::Body => match request.into_body().bytes().await {
            Ok(bytes) => reply(StatusCode::OK, format!("read {} bytes\n", bytes.len())),
            Err(e) => reply(StatusCode::BAD_REQUEST, format!("body error: {e:?}\n")),
        },
        Fault::Ticks => {
            let (mut tx, body) = stream::<Vec<u8>>();
            spin_sdk::wasip3::spawn(async move {
                let mut sent = 0u64;
                loop {
                    if tx
                        .send(format!("tick {sent}\n").into_bytes())
                        .await
                        .is_err()
                    {
                        eprintln!("ticks: client gone after {sent}");
                        return;
                    }
                    sent += 1;
                    let pause = Duration::from_millis(TICK_MS).as_nanos() as u64;
                    spin_sdk::wasip3::clocks::monotonic_clock::wait_for(pause).await;
                }
            });
            text(StatusCode::OK, body)
        }
        Fault::Trap => panic!("trap requested"),
        Fault::Ok => reply(StatusCode::OK, "ok\n".to_string()),
    }
}

fn text<B>(status: StatusCode, body: B) -> Response<BoxBody>
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<anyhow::Error>,
{
    let mut response = Response::new(box_body(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        "content-type",
        "text/plain; charset=utf-8".parse().expect("valid header"),
    );
    response
}

fn reply(status: StatusCode, line: String) -> Response<BoxBody> {
    text(status, http_body_util::Full::new(bytes::Bytes::from(line)))
}
