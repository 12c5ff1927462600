//! The guest side of variables: `fermyon:spin/variables@2.0.0` `get` and
//! `wasi:config/store` `get`/`get-all` over a component's resolved
//! [`ComponentVariables`], with Spin's error mapping (`wasi:config` answers
//! none for an undefined or invalid name).

use crate::app::variables::{ComponentVariables, ReadError};
use crate::host::bindings::{store, variables};
use std::sync::Arc;

/// Per-instance view of the component's variables.
pub struct VariablesHost(pub Arc<ComponentVariables>);

impl variables::Host for VariablesHost {
    fn get(&mut self, name: String) -> wasmtime::Result<Result<String, variables::Error>> {
        Ok(self.0.get(&name).map_err(|e| match e {
            ReadError::InvalidName(m) => variables::Error::InvalidName(m),
            ReadError::Undefined(m) => variables::Error::Undefined(m),
        }))
    }
}

impl store::Host for VariablesHost {
    fn get(&mut self, key: String) -> wasmtime::Result<Result<Option<String>, store::Error>> {
        Ok(Ok(self.0.get(&key).ok()))
    }

    fn get_all(&mut self) -> wasmtime::Result<Result<Vec<(String, String)>, store::Error>> {
        Ok(Ok(self.0.all().to_vec()))
    }
}
