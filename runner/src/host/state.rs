//! Per-instance host state (the `T` of `Store<T>`): WASI context with the
//! component's env, files and prefixed stdio, the wasi-http context with
//! hooks that deny outbound HTTP (only Redis entries of
//! `allowed_outbound_hosts` are honoured) and keep the response body's
//! buffering small, the component's variables, its outbound Redis
//! connections (closed when the store is dropped), and the instance's
//! memory limit and CPU meter.
//!
//! Body buffering: a guest's writes reach hyper through a channel of
//! [`BODY_BUFFER_CHUNKS`] + 1 chunks of at most [`BODY_CHUNK_BYTES`] each
//! (wasmtime's defaults are 1 + 1 chunks of 1 MiB); when the client stops
//! reading, the guest's `check-write` returns 0 and it waits, so a stalled
//! stream holds at most these bytes plus hyper's write buffer.

use crate::host::cpu::CpuMeter;
use crate::host::outbound_redis::RedisHost;
use crate::host::variables::VariablesHost;
use crate::limits::MemoryLimit;
use std::future::Future;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{
    Error as HttpError, RequestOptions, WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks,
    WasiHttpView,
};

/// Store data for one component instance.
pub struct InstanceState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: DenyOutbound,
    /// `fermyon:spin/variables` and `wasi:config/store`.
    pub variables: VariablesHost,
    /// `fermyon:spin/redis`.
    pub redis: RedisHost,
    /// Linear-memory limit (the store's resource limiter).
    pub memory: MemoryLimit,
    /// Wasm execution time so far (kept only with a CPU budget).
    pub cpu: CpuMeter,
}

/// Guest body writes buffered between the guest and hyper, besides the one
/// slot the channel always keeps free.
pub const BODY_BUFFER_CHUNKS: usize = 1;

/// Largest single write to a response body (`check-write`'s answer).
pub const BODY_CHUNK_BYTES: usize = 4 << 10;

impl InstanceState {
    /// State around a ready WASI context, with `memory` as its limit.
    pub fn new(
        wasi: WasiCtx,
        variables: VariablesHost,
        redis: RedisHost,
        memory: MemoryLimit,
    ) -> Self {
        InstanceState {
            wasi,
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: DenyOutbound,
            variables,
            redis,
            memory,
            cpu: CpuMeter::default(),
        }
    }
}

impl AsMut<CpuMeter> for InstanceState {
    fn as_mut(&mut self) -> &mut CpuMeter {
        &mut self.cpu
    }
}

impl WasiView for InstanceState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for InstanceState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// Outbound requests are refused with `HTTP-request-denied`.
struct DenyOutbound;

type ResponseFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<WasiBody>,
                Box<dyn Future<Output = Result<(), HttpError>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for DenyOutbound {
    fn send_request(
        &mut self,
        _request: http::Request<WasiBody>,
        _options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> ResponseFuture {
        Box::new(async { Err(HttpError::HttpRequestDenied) })
    }

    fn p2_outgoing_body_buffer_chunks(&mut self) -> usize {
        BODY_BUFFER_CHUNKS
    }

    fn p2_outgoing_body_chunk_size(&mut self) -> usize {
        BODY_CHUNK_BYTES
    }
}
