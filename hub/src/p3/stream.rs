//! A subscriber's stream on WASI 0.3: the instance it runs in
//! ([`Instance`] for [`Wasi`]: the fan-out and the shared read's
//! connection, thread-locals of the instance; spin-sdk's timer; a
//! [`Doorbell`] per stream), its response body ([`Body`], written straight
//! to the WASI `stream<u8>` the host reads) and the task that runs it
//! ([`crate::transport::fanout::stream`] is the stream itself).

mod body;
mod doorbell;

use super::redis::{shared, Redis, Shared};
use super::{http, Spin};
use crate::config::Settings;
use crate::host::Wasi;
use crate::protocol::adapter;
use crate::protocol::reply::Reply;
use crate::protocol::subscribe::Admitted;
use crate::transport::fanout::stream::{Instance, Joined};
use crate::transport::fanout::Fanout;
use crate::transport::redis_streams::RedisStreams;
use body::Body;
use doorbell::Doorbell;
use spin_sdk_p3::wasip3::http::types::{ErrorCode, Fields, Response as WasiResponse};
use spin_sdk_p3::wasip3::wit_bindgen::FutureWriter;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

thread_local! {
    static FANOUT: RefCell<Fanout> = RefCell::new(Fanout::default());
    /// The shared read's connection, opened by the first turn.
    static READER: RefCell<Option<Rc<RedisStreams<Redis>>>> = const { RefCell::new(None) };
}

/// The response's trailers, written once the body has ended.
pub type Trailers = FutureWriter<Result<Option<Fields>, ErrorCode>>;

/// Starts `admitted`'s stream: returns its response, whose body the
/// stream's own task writes (`Err`: the answer that refuses it).
pub async fn open(admitted: Admitted) -> Result<WasiResponse, Reply> {
    let cors = admitted.cors.clone();
    let (head, joined) = Joined::start(Wasi, admitted).await?;
    let (response, body, trailers) = match http::stream_response(200, head) {
        Ok(parts) => parts,
        Err(reason) => return Err(Reply::line(500, cors, &reason)),
    };
    // The body ends, then the (absent) trailers end the response.
    let finish = async move {
        let _ = trailers.write(Ok(None)).await;
    };
    spin_sdk_p3::wasip3::spawn(joined.run(Body::new(body), finish));
    Ok(response)
}

impl Instance for Wasi {
    type Redis = Redis;
    type Shared = Shared;
    type Bell = Doorbell;

    fn fanout<T>(&self, f: impl FnOnce(&mut Fanout) -> T) -> T {
        FANOUT.with(|fanout| f(&mut fanout.borrow_mut()))
    }

    fn bell(&self) -> Doorbell {
        Doorbell::new()
    }

    fn sleep(&self, wait: Duration) -> impl Future<Output = ()> {
        spin_sdk_p3::time::sleep(wait)
    }

    async fn open(&self, settings: &Settings) -> Result<RedisStreams<Redis>, String> {
        adapter::open(&Spin, settings).await
    }

    fn shared(&self, settings: &Settings) -> RedisStreams<Shared> {
        shared(settings)
    }

    async fn reader(&self, settings: &Settings) -> Result<Rc<RedisStreams<Redis>>, String> {
        if let Some(reader) = READER.with(|r| r.borrow().clone()) {
            return Ok(reader);
        }
        let reader = Rc::new(adapter::open(&Spin, settings).await?);
        READER.with(|r| *r.borrow_mut() = Some(reader.clone()));
        Ok(reader)
    }

    fn forget_reader(&self) {
        READER.with(|r| r.borrow_mut().take());
    }
}
