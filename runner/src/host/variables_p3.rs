//! `spin:variables/variables@3.0.0` for WASI 0.3 guests: the same lookup
//! and error mapping as 2.0.0 ([`super::variables`]), as a concurrent function.

use super::variables::VariablesHost;
use crate::app::variables::ReadError;
use crate::host::bindings_p3::variables::{self, Error};
use wasmtime::component::{Accessor, HasData};

/// The [`HasData`] marker the 3.0.0 bindings are added to the linker with.
pub struct VariablesP3;

impl HasData for VariablesP3 {
    type Data<'a> = &'a mut VariablesHost;
}

impl variables::Host for VariablesHost {}

impl<T> variables::HostWithStore<T> for VariablesP3 {
    async fn get(
        store: &Accessor<T, Self>,
        name: String,
    ) -> wasmtime::Result<Result<String, Error>> {
        let value = store.with(|mut access| access.get().0.get(&name));
        Ok(value.map_err(|e| match e {
            ReadError::InvalidName(m) => Error::InvalidName(m),
            ReadError::Undefined(m) => Error::Undefined(m),
        }))
    }
}
