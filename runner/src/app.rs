//! The application as `spin.toml` declares it, read and checked before
//! anything runs (pure except for reading files and running build commands).
//!
//! [`manifest`] parses `spin.toml` into an [`manifest::App`]; [`variables`]
//! resolves its `[variables]` and each component's templates; [`routes`]
//! builds the route table from its `[[trigger.http]]` entries; [`files`]
//! stages each component's `files`; [`build`] runs its build commands.

pub mod build;
pub mod files;
pub mod manifest;
pub mod routes;
pub mod variables;
