//! A stream task's doorbell: how the task that made the instance's shared
//! read wakes the streams of other requests. A component-model task may
//! not wake another task's Rust waker (wit-bindgen 0.57 traps without its
//! `inter-task-wakeup` feature, and with it wasmtime 48 traps every task
//! that sleeps: it cancels its wakeup read synchronously while the read is
//! still in the task's waitable set). So each stream owns an
//! intra-component `stream<u8>`: it keeps a read of it pending while it
//! sleeps, and the [`Doorbell::waker`] it hands to the fan-out writes one
//! byte to it, which the host delivers to the sleeping task as an event.

use crate::transport::fanout::stream::Bell;
use spin_sdk_p3::wasip3::wit_bindgen::{StreamReader, StreamWriter};
use spin_sdk_p3::wasip3::wit_stream;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

thread_local! {
    /// The write ends, by doorbell: a waker must be `Send + Sync`, so it
    /// carries the id alone.
    static BELLS: RefCell<HashMap<u64, StreamWriter<u8>>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

type Read = Pin<Box<dyn Future<Output = (StreamReader<u8>, Option<u8>)>>>;

/// One stream's doorbell; its write end goes with it.
pub struct Doorbell {
    id: u64,
    waker: Waker,
    /// The read end while no read is pending.
    reader: Option<StreamReader<u8>>,
    read: Option<Read>,
}

impl Doorbell {
    pub fn new() -> Self {
        let (writer, reader) = wit_stream::new::<u8>();
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        BELLS.with(|bells| bells.borrow_mut().insert(id, writer));
        Doorbell {
            id,
            waker: Waker::from(Arc::new(Ring(id))),
            reader: Some(reader),
            read: None,
        }
    }
}

impl Bell for Doorbell {
    fn waker(&self) -> &Waker {
        &self.waker
    }

    /// Takes every ring so far and leaves a read pending, so that the next
    /// ring wakes this task (through `cx`).
    fn poll_rings(&mut self, cx: &mut Context<'_>) {
        loop {
            if self.read.is_none() {
                let Some(mut reader) = self.reader.take() else {
                    return;
                };
                self.read = Some(Box::pin(async move {
                    let byte = reader.next().await;
                    (reader, byte)
                }));
            }
            let Some(read) = self.read.as_mut() else {
                return;
            };
            match read.as_mut().poll(cx) {
                Poll::Ready((reader, byte)) => {
                    self.read = None;
                    // Without a byte the write end is gone: stop reading.
                    if byte.is_none() {
                        return;
                    }
                    self.reader = Some(reader);
                }
                Poll::Pending => return,
            }
        }
    }
}

impl Drop for Doorbell {
    fn drop(&mut self) {
        // The pending read is cancelled before the write end goes.
        self.read = None;
        BELLS.with(|bells| bells.borrow_mut().remove(&self.id));
    }
}

/// A doorbell's waker.
struct Ring(u64);

impl Wake for Ring {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    /// Writes one byte if the owner's read is pending (then the host wakes
    /// the owner). If it is not, the owner is awake or about to be polled
    /// anyway, and will look at what woke it: the write is cancelled, so
    /// nothing waits on it.
    fn wake_by_ref(self: &Arc<Self>) {
        BELLS.with(|bells| {
            if let Some(writer) = bells.borrow_mut().get_mut(&self.0) {
                let write = pin!(writer.write(vec![0]));
                let _ = write.poll(&mut Context::from_waker(Waker::noop()));
            }
        });
    }
}
