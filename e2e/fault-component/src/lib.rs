//! Test fixture for the runner's fault tests: a Spin HTTP component that
//! misbehaves on purpose. The last path segment picks the fault:
//!
//! - `/loop`: computes forever before it answers;
//! - `/loop-after-headers`: sends `200` and one line, then computes forever;
//! - `/alloc`: allocates (and touches) 1 MiB after 1 MiB without end;
//! - `/print?mib=N`: prints `N` MiB (at most [`MAX_PRINT_MIB`]) of 1 KiB
//!   lines on stdout, then answers `200 printed <lines> lines`;
//! - `/body`: reads the whole request body, answers `200 read <n> bytes`,
//!   or `400 body error: …` when the host cut it off;
//! - anything else: `200 ok` at once (a well-behaved neighbour).
//!
//! [`Fault::from_path`] and [`print_lines`] are plain functions, tested
//! natively; the wasm-only `component` module does the I/O.

/// Largest `mib` honoured by `/print`, so a typo cannot fill a disk.
pub const MAX_PRINT_MIB: usize = 64;

/// Bytes per printed line, newline included.
pub const LINE_BYTES: usize = 1024;

/// What a request asks the fixture to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Compute forever before answering.
    Loop,
    /// Answer 200, send one line, then compute forever.
    LoopAfterHeaders,
    /// Allocate without end.
    Alloc,
    /// Print this many MiB on stdout.
    Print(usize),
    /// Read the request body.
    Body,
    /// Answer `200 ok`.
    Ok,
}

impl Fault {
    /// The fault named by `path`'s last segment (query `mib` for `/print`).
    pub fn from_path(path_with_query: &str) -> Fault {
        let (path, query) = path_with_query
            .split_once('?')
            .unwrap_or((path_with_query, ""));
        match path.rsplit('/').next().unwrap_or_default() {
            "loop" => Fault::Loop,
            "loop-after-headers" => Fault::LoopAfterHeaders,
            "alloc" => Fault::Alloc,
            "body" => Fault::Body,
            "print" => {
                let mib = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("mib="))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1);
                Fault::Print(usize::min(mib, MAX_PRINT_MIB))
            }
            _ => Fault::Ok,
        }
    }
}

/// Lines `/print` writes for `mib` MiB.
pub fn print_lines(mib: usize) -> usize {
    mib * (1 << 20) / LINE_BYTES
}

/// Spins without end in a way the optimiser cannot remove.
pub fn spin_forever() -> ! {
    let mut x: u64 = 1;
    loop {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
}

/// The Spin/WASI entry point (wasm only).
#[cfg(target_arch = "wasm32")]
mod component {
    use super::{print_lines, spin_forever, Fault, LINE_BYTES};
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
            Fault::Alloc => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            Fault::Print(mib) => {
                let line = "p".repeat(LINE_BYTES - 1);
                let lines = print_lines(mib);
                for _ in 0..lines {
                    println!("{line}");
                }
                reply(out, 200, format!("printed {lines} lines\n")).await
            }
            Fault::Body => match request.into_body().await {
                Ok(bytes) => reply(out, 200, format!("read {} bytes\n", bytes.len())).await,
                Err(e) => reply(out, 400, format!("body error: {e:?}\n")).await,
            },
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_segment_picks_the_fault() {
        assert_eq!(Fault::from_path("/fault/loop"), Fault::Loop);
        assert_eq!(
            Fault::from_path("/fault/loop-after-headers"),
            Fault::LoopAfterHeaders
        );
        assert_eq!(Fault::from_path("/fault/alloc?x=1"), Fault::Alloc);
        assert_eq!(Fault::from_path("/fault/body"), Fault::Body);
        assert_eq!(Fault::from_path("/fault/"), Fault::Ok);
        assert_eq!(Fault::from_path("/fault/other"), Fault::Ok);
    }

    #[test]
    fn print_size_defaults_to_one_and_is_capped() {
        assert_eq!(Fault::from_path("/fault/print"), Fault::Print(1));
        assert_eq!(Fault::from_path("/fault/print?mib=8"), Fault::Print(8));
        assert_eq!(
            Fault::from_path("/fault/print?mib=100000"),
            Fault::Print(MAX_PRINT_MIB)
        );
        assert_eq!(print_lines(1), 1024);
    }
}
