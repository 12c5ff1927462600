//! Per-instance host state (the `T` of `Store<T>`): WASI context with the
//! component's env, files and prefixed stdio, the wasi-http context with
//! hooks that deny outbound HTTP (only Redis entries of
//! `allowed_outbound_hosts` are honoured), the component's variables and
//! its outbound Redis connections (closed when the store is dropped).

use crate::outbound_redis::RedisHost;
use crate::variables::host::VariablesHost;
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
}

impl InstanceState {
    /// State around a ready WASI context.
    pub fn new(wasi: WasiCtx, variables: VariablesHost, redis: RedisHost) -> Self {
        InstanceState {
            wasi,
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: DenyOutbound,
            variables,
            redis,
        }
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
}
