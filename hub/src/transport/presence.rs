//! A stream's life in the shared registry (the subscriptions API), for
//! both ABIs: registered with its start events before the stream opens,
//! refreshed once a heartbeat while it runs, unregistered with its end
//! events when it ends; and the API's read (newest id, active records).

use crate::auth::authorize::Subscription;
use crate::config::Settings;
use crate::host::{log, Host};
use crate::protocol::form::EARLIEST;
use crate::protocol::update::{self, Update};
use crate::subscriptions::{self, Record};
use crate::transport::history::{History, Registry};
use crate::transport::redis_streams::{Execute, RedisError, RedisStreams};
use std::time::Duration;

/// The newest update's id (or `earliest`) and the active records.
pub async fn read<E: Execute>(
    redis: &RedisStreams<E>,
) -> Result<(String, Vec<Record>), RedisError> {
    let last = redis
        .latest(1)
        .await?
        .into_iter()
        .find_map(|e| e.update)
        .map_or_else(|| EARLIEST.to_owned(), |u| u.id);
    let records = redis
        .active()
        .await?
        .iter()
        .filter_map(|bytes| Record::from_json(bytes))
        .collect();
    Ok((last, records))
}

/// One stream's entry in the registry.
pub struct Presence {
    record: Record,
    refreshed: Duration,
    heartbeat: Duration,
}

impl Presence {
    /// Registers a new subscriber (a fresh `urn:uuid` id) and publishes its
    /// start events; `None` when the API is off.
    pub async fn start<E: Execute>(
        redis: &RedisStreams<E>,
        settings: &Settings,
        subscription: &Subscription,
        host: &impl Host,
    ) -> Result<Option<Self>, RedisError> {
        if !settings.subscriptions {
            return Ok(None);
        }
        let presence = Self {
            record: Record {
                subscriber: update::generated_id(host.random_bytes()),
                topics: subscription
                    .topics
                    .iter()
                    .map(|t| t.as_str().to_owned())
                    .collect(),
                payload: subscription.payload.clone(),
            },
            refreshed: host.monotonic(),
            heartbeat: settings.heartbeat,
        };
        let ttl = subscriptions::ttl(presence.heartbeat);
        redis
            .register(&presence.record.subscriber, &presence.record.to_json(), ttl)
            .await?;
        if let Err(error) = presence.announce(redis, true, host).await {
            let _ = redis.unregister(&presence.record.subscriber).await;
            return Err(error);
        }
        Ok(Some(presence))
    }

    /// Refreshes the entry if a heartbeat has passed since the last time.
    pub async fn refresh<E: Execute>(&mut self, redis: &RedisStreams<E>, host: &impl Host) {
        if !subscriptions::refresh_due(
            host.monotonic().saturating_sub(self.refreshed),
            self.heartbeat,
        ) {
            return;
        }
        let ttl = subscriptions::ttl(self.heartbeat);
        match redis
            .register(&self.record.subscriber, &self.record.to_json(), ttl)
            .await
        {
            Ok(()) => self.refreshed = host.monotonic(),
            Err(error) => log(&format!("subscription not refreshed: {error}")),
        }
    }

    /// Unregisters and publishes the end events (failures are logged: the
    /// entry then expires on its own).
    pub async fn end<E: Execute>(self, redis: &RedisStreams<E>, host: &impl Host) {
        let done = match redis.unregister(&self.record.subscriber).await {
            Ok(()) => self.announce(redis, false, host).await,
            Err(error) => Err(error),
        };
        if let Err(error) = done {
            log(&format!("subscription end not recorded: {error}"));
        }
    }

    /// Publishes one private update per subscription, through the normal
    /// publish path (so every replica's subscribers see it).
    async fn announce<E: Execute>(
        &self,
        redis: &RedisStreams<E>,
        active: bool,
        host: &impl Host,
    ) -> Result<(), RedisError> {
        for (topic, data) in self.record.events(active) {
            redis
                .append(&Update {
                    id: update::generated_id(host.random_bytes()),
                    topics: vec![topic],
                    data,
                    event_type: String::new(),
                    retry: 0,
                    private: true,
                })
                .await?;
        }
        Ok(())
    }
}
