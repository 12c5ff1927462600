//! Turns a parsed [`App`] into something servable: the route table, the
//! application variables (resolved once), and per routed component its
//! compiled, pre-linked `ProxyPre` (built once), its environment, variables,
//! outbound rules and staged files. [`LoadedComponent::new_store`] makes the
//! fresh `Store` of each instance.
//!
//! Which `wasi:http` a component serves is read from its exports, as Spin
//! does: `wasi:http/incoming-handler@0.2.x` (one instance per request) or
//! `wasi:http/handler@0.3.x` (instances shared by requests, see
//! [`crate::trigger::p3`]). The linker offers WASI 0.2 and 0.3 both, since a
//! WASI 0.3 component built by today's Rust toolchain also imports WASI 0.2
//! for its standard library.

use crate::app::files::{self, StagedFiles};
use crate::app::manifest::{App, ComponentDef};
use crate::app::routes::Router;
use crate::app::variables::provider::EnvProvider;
use crate::app::variables::{AppVariables, ComponentVariables, Template};
use crate::engine::config::EngineConfig;
use crate::host::allowed_hosts;
use crate::host::outbound_redis::{self, OutboundRules, RedisHost};
use crate::host::state::InstanceState;
use crate::host::stdio::{PrefixedStdio, Target};
use crate::host::variables::{self, VariablesHost};
use crate::limits::{Limits, MemoryLimit};
use anyhow::{anyhow, bail, Result};
use std::collections::HashMap;
use std::sync::Arc;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p3::bindings::ServicePre;

/// The `wasi:http` export a component serves requests through.
pub enum HttpExport {
    /// `wasi:http/incoming-handler@0.2.x`: a fresh instance per request.
    Wasi02(ProxyPre<InstanceState>),
    /// `wasi:http/handler@0.3.x`: instances shared by requests.
    Wasi03(ServicePre<InstanceState>),
}

impl HttpExport {
    /// The interface's name, for `/metrics` and messages.
    pub fn name(&self) -> &'static str {
        match self {
            HttpExport::Wasi02(_) => "wasi:http/incoming-handler@0.2",
            HttpExport::Wasi03(_) => "wasi:http/handler@0.3",
        }
    }
}

/// The app, ready to serve.
pub struct LoadedApp {
    /// The parsed manifest.
    pub app: App,
    /// Routes in manifest order.
    pub router: Router,
    /// Routed components by id.
    pub components: HashMap<String, Arc<LoadedComponent>>,
}

/// One component, compiled and linked once.
pub struct LoadedComponent {
    /// Component id (also the stdio prefix).
    pub id: String,
    export: HttpExport,
    env: Vec<(String, String)>,
    files: Option<StagedFiles>,
    variables: Arc<ComponentVariables>,
    outbound: Arc<OutboundRules>,
}

impl LoadedComponent {
    /// A new store for one request: env, read-only files at `/`, prefixed
    /// stdio, `limits`' memory limit and CPU budget, epoch yields.
    pub fn new_store(&self, limits: &Limits) -> Result<Store<InstanceState>> {
        let mut wasi = WasiCtxBuilder::new();
        wasi.envs(&self.env)
            .stdout(PrefixedStdio::new(&self.id, Target::Stdout))
            .stderr(PrefixedStdio::new(&self.id, Target::Stderr));
        if let Some(files) = &self.files {
            wasi.preopened_dir(files.root(), "/", FsPerms::ReadOnly)
                .map_err(|e| anyhow!("cannot open the files of component `{}`: {e:#}", self.id))?;
        }
        let memory = MemoryLimit::new(limits.max_instance_memory);
        let state = InstanceState::new(
            wasi.build(),
            VariablesHost(self.variables.clone()),
            RedisHost::new(self.outbound.clone()),
            memory,
            self.outbound.clone(),
        );
        let engine = match &self.export {
            HttpExport::Wasi02(pre) => pre.engine(),
            HttpExport::Wasi03(pre) => pre.engine(),
        };
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.memory);
        crate::host::cpu::arm(&mut store, limits.max_request_cpu);
        Ok(store)
    }

    /// How the component serves requests.
    pub fn export(&self) -> &HttpExport {
        &self.export
    }

    /// The pre-linked WASI 0.2 component, if it is one.
    pub fn proxy_pre(&self) -> Option<&ProxyPre<InstanceState>> {
        match &self.export {
            HttpExport::Wasi02(pre) => Some(pre),
            HttpExport::Wasi03(_) => None,
        }
    }

    /// The pre-linked WASI 0.3 component, if it is one.
    pub fn service_pre(&self) -> Option<&ServicePre<InstanceState>> {
        match &self.export {
            HttpExport::Wasi03(pre) => Some(pre),
            HttpExport::Wasi02(_) => None,
        }
    }
}

impl LoadedApp {
    /// Checks routes, then compiles, links and stages every routed component.
    /// `limits` must be the settings `engine` was built from.
    pub fn load(app: App, engine: &Engine, limits: &EngineConfig) -> Result<LoadedApp> {
        let router = Router::build(
            app.triggers
                .iter()
                .map(|t| (t.route.as_str(), t.component.as_str())),
        )
        .map_err(|e| anyhow!(e))?;
        let vars = app_variables(&app)?;
        let mut linker = Linker::<InstanceState>::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
        variables::add_to_linker(&mut linker)?;
        outbound_redis::add_to_linker(&mut linker)?;
        // Every component's variables and outbound rules are checked, routed or not.
        let mut settings = HashMap::new();
        for def in &app.components {
            settings.insert(def.id.clone(), component_settings(def, &vars)?);
        }
        let mut components = HashMap::new();
        for t in &app.triggers {
            if components.contains_key(&t.component) {
                continue;
            }
            let def = app
                .component(&t.component)
                .expect("manifest checked trigger components");
            let (variables, outbound) = settings
                .remove(&def.id)
                .expect("settings for every component");
            let loaded = load_component(&app, def, engine, limits, &linker, variables, outbound)?;
            components.insert(def.id.clone(), Arc::new(loaded));
        }
        Ok(LoadedApp {
            app,
            router,
            components,
        })
    }
}

fn load_component(
    app: &App,
    def: &ComponentDef,
    engine: &Engine,
    limits: &EngineConfig,
    linker: &Linker<InstanceState>,
    variables: Arc<ComponentVariables>,
    outbound: Arc<OutboundRules>,
) -> Result<LoadedComponent> {
    let path = app.source_path(def);
    if !path.is_file() {
        bail!(
            "component `{}`: {} not found; build it first: run `spin-sse-runner up --build` (or `spin build`)",
            def.id,
            path.display()
        );
    }
    let component = Component::from_file(engine, &path).map_err(|e| {
        anyhow!(
            "component `{}`: {} is not a loadable wasm component: {e:#}",
            def.id,
            path.display()
        )
    })?;
    check_resources(def, &component, limits)?;
    let instance_pre = linker.instantiate_pre(&component).map_err(|e| {
        anyhow!(
            "component `{}` needs host interfaces spin-sse-runner does not provide ({e:#}); run it with `spin up`",
            def.id
        )
    })?;
    let export = http_export(&def.id, instance_pre)?;
    let files = files::stage(app, def)?;
    Ok(LoadedComponent {
        id: def.id.clone(),
        export,
        env: def.environment.clone(),
        files,
        variables,
        outbound,
    })
}

/// The one `wasi:http` handler `id` exports, as Spin picks it.
fn http_export(
    id: &str,
    pre: wasmtime::component::InstancePre<InstanceState>,
) -> Result<HttpExport> {
    let p2 = ProxyPre::new(pre.clone()).ok();
    let p3 = ServicePre::new(pre).ok();
    match (p2, p3) {
        (Some(p2), None) => Ok(HttpExport::Wasi02(p2)),
        (None, Some(p3)) => Ok(HttpExport::Wasi03(p3)),
        (Some(_), Some(_)) => bail!(
            "component `{id}` exports both `wasi:http/incoming-handler@0.2` and `wasi:http/handler@0.3`; an HTTP component must export one"
        ),
        (None, None) => bail!(
            "component `{id}` exports neither `wasi:http/incoming-handler@0.2.x` nor `wasi:http/handler@0.3.x`; only HTTP components can be served"
        ),
    }
}

/// The application variables with their values (environment, `.env`,
/// defaults); errors name the variable and the components using it.
fn app_variables(app: &App) -> Result<AppVariables> {
    let users: Vec<(&str, Vec<String>)> = app
        .components
        .iter()
        .map(|c| {
            let templates = c
                .variables
                .iter()
                .map(|(_, t)| t)
                .chain(&c.allowed_outbound_hosts);
            let names = templates
                .filter_map(|t| Template::parse(t).ok())
                .flat_map(|t| t.variables().map(str::to_string).collect::<Vec<_>>())
                .collect();
            (c.id.as_str(), names)
        })
        .collect();
    let mut provider = EnvProvider::default();
    AppVariables::resolve(&app.variables, &users, |name| provider.get(name)).map_err(|e| anyhow!(e))
}

/// A component's resolved variables and outbound rules.
fn component_settings(
    def: &ComponentDef,
    vars: &AppVariables,
) -> Result<(Arc<ComponentVariables>, Arc<OutboundRules>)> {
    let key = format!("component.{}", def.id);
    let variables =
        ComponentVariables::resolve(vars, &def.id, &format!("{key}.variables"), &def.variables)
            .map_err(|e| anyhow!(e))?;
    let allowed = allowed_hosts::for_component(
        &def.allowed_outbound_hosts,
        &format!("{key}.allowed_outbound_hosts"),
        vars,
    )
    .map_err(|e| anyhow!(e))?;
    let rules = OutboundRules {
        component: def.id.clone(),
        allowed,
    };
    Ok((Arc::new(variables), Arc::new(rules)))
}

/// Fails early, with the setting to change, when a component needs more
/// memories or tables per instance than the pool slots hold.
fn check_resources(def: &ComponentDef, component: &Component, limits: &EngineConfig) -> Result<()> {
    let Some(needs) = component.resources_required() else {
        return Ok(());
    };
    let (mems, tables) = (limits.memories_per_instance, limits.tables_per_instance);
    if needs.num_memories > mems || needs.num_tables > tables {
        bail!(
            "component `{}` needs {} linear memories and {} tables per instance; the engine allows {mems} and {tables} (EngineConfig::memories_per_instance / tables_per_instance)",
            def.id,
            needs.num_memories,
            needs.num_tables
        );
    }
    Ok(())
}
