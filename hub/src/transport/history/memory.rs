//! An in-memory [`History`] with numbered positions (`n-0`), the fake bus
//! of the history's and the fan-out's unit tests.

use super::{Entry, History, Position};
use crate::auth::authorize::Subscription;
use crate::protocol::selector;
use crate::protocol::update::Update;
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// The answer of a future that is ready at once (every fake here is).
pub fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a fake bus call was not ready at once"),
    }
}

/// An in-memory history with numbered positions.
#[derive(Default)]
pub struct Memory {
    entries: RefCell<Vec<(u64, Update)>>,
}

impl Memory {
    pub fn with(updates: &[(&str, &str, bool)]) -> Self {
        let memory = Self::default();
        for (id, topic, private) in updates {
            ready(memory.append(&update(id, topic, *private))).unwrap();
        }
        memory
    }
}

fn number(position: &Position) -> u64 {
    position.0.split('-').next().unwrap().parse().unwrap()
}

fn entry(n: u64, update: &Update) -> Entry {
    Entry {
        position: Position(format!("{n}-0")),
        update: Some(update.stored()),
    }
}

impl History for Memory {
    type Error = String;

    async fn append(&self, update: &Update) -> Result<Position, String> {
        let mut entries = self.entries.borrow_mut();
        let n = entries.len() as u64 + 1;
        entries.push((n, update.clone()));
        Ok(Position(format!("{n}-0")))
    }

    async fn read_after(
        &self,
        after: &Position,
        _: Duration,
        count: usize,
    ) -> Result<Vec<Entry>, String> {
        let after = number(after);
        let entries = self.entries.borrow();
        Ok(entries
            .iter()
            .filter(|(n, _)| *n > after)
            .take(count)
            .map(|(n, u)| entry(*n, u))
            .collect())
    }

    async fn resolve(&self, id: &str) -> Result<Option<Position>, String> {
        let entries = self.entries.borrow();
        let found = entries.iter().rev().find(|(_, u)| u.id == id);
        Ok(found.map(|(n, _)| Position(format!("{n}-0"))))
    }

    async fn latest(&self, count: usize) -> Result<Vec<Entry>, String> {
        let entries = self.entries.borrow();
        Ok(entries
            .iter()
            .rev()
            .take(count)
            .map(|(n, u)| entry(*n, u))
            .collect())
    }
}

pub fn update(id: &str, topic: &str, private: bool) -> Update {
    Update {
        id: id.into(),
        topics: vec![topic.into()],
        data: String::new(),
        event_type: String::new(),
        retry: 0,
        private,
    }
}

pub fn anyone(selectors: &[&str]) -> Subscription {
    let topics = selector::compile_all(selectors.iter().copied()).unwrap();
    Subscription::authorize(topics, None, None, true, 0.0).unwrap()
}
