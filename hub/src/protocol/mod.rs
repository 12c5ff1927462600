//! The Mercure protocol, pure: routes, CORS, the publish form, topic
//! selectors and the update (its stored form and its SSE bytes).

pub mod cors;
pub mod form;
pub mod route;
pub mod selector;
pub mod update;
