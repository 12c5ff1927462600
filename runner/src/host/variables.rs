//! The guest side of variables, every version Spin offers over a
//! component's resolved [`ComponentVariables`]: `fermyon:spin/variables@2.0.0`
//! `get` and `wasi:config/store` `get`/`get-all` (WASI 0.2 guests), and
//! `spin:variables/variables@3.0.0` `get` (WASI 0.3 guests, a concurrent
//! function), linked side by side by [`add_to_linker`]. One lookup and
//! Spin's error mapping for all (`wasi:config` answers none for an
//! undefined or invalid name).

use crate::app::variables::{ComponentVariables, ReadError};
use crate::host::bindings::{v2, v3};
use crate::host::state::InstanceState;
use std::sync::Arc;
use wasmtime::component::{Accessor, HasData, HasSelf, Linker};

/// Per-instance view of the component's variables.
pub struct VariablesHost(pub Arc<ComponentVariables>);

/// Links every version of the variables interfaces to `linker`.
pub fn add_to_linker(linker: &mut Linker<InstanceState>) -> wasmtime::Result<()> {
    v2::variables::add_to_linker::<_, HasSelf<VariablesHost>>(linker, |s| &mut s.variables)?;
    v2::store::add_to_linker::<_, HasSelf<VariablesHost>>(linker, |s| &mut s.variables)?;
    v3::variables::add_to_linker::<_, VariablesV3>(linker, |s| &mut s.variables)
}

/// Spin's names for a failed lookup, in either version's error type.
fn read_error<E>(e: ReadError, invalid: fn(String) -> E, undefined: fn(String) -> E) -> E {
    match e {
        ReadError::InvalidName(m) => invalid(m),
        ReadError::Undefined(m) => undefined(m),
    }
}

impl v2::variables::Host for VariablesHost {
    fn get(&mut self, name: String) -> wasmtime::Result<Result<String, v2::variables::Error>> {
        use v2::variables::Error;
        Ok(self
            .0
            .get(&name)
            .map_err(|e| read_error(e, Error::InvalidName, Error::Undefined)))
    }
}

impl v2::store::Host for VariablesHost {
    fn get(&mut self, key: String) -> wasmtime::Result<Result<Option<String>, v2::store::Error>> {
        Ok(Ok(self.0.get(&key).ok()))
    }

    fn get_all(&mut self) -> wasmtime::Result<Result<Vec<(String, String)>, v2::store::Error>> {
        Ok(Ok(self.0.all().to_vec()))
    }
}

/// The [`HasData`] marker the 3.0.0 bindings are added to the linker with.
struct VariablesV3;

impl HasData for VariablesV3 {
    type Data<'a> = &'a mut VariablesHost;
}

impl v3::variables::Host for VariablesHost {}

impl<T> v3::variables::HostWithStore<T> for VariablesV3 {
    async fn get(
        store: &Accessor<T, Self>,
        name: String,
    ) -> wasmtime::Result<Result<String, v3::variables::Error>> {
        use v3::variables::Error;
        let value = store.with(|mut access| access.get().0.get(&name));
        Ok(value.map_err(|e| read_error(e, Error::InvalidName, Error::Undefined)))
    }
}
