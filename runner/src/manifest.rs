//! `spin.toml` (manifest v2) reader for the subset this runner can honour.
//!
//! Supported: `[application]` (`name`, `version`, `description`, `authors`,
//! `tool`), `[[trigger.http]]` (`route` string, `component` id, optional
//! `id`, `executor = { type = "http" }`), `[component.<id>]` (`source` local
//! path, `description`, `environment`, `files` as glob strings or
//! `{ source, destination }`, `exclude_files`, `build.command`/`workdir`/
//! `watch`, `tool`, and empty `allowed_outbound_hosts`). Every other key is an
//! error that names it: either "not supported, use `spin up`" (Spin knows it,
//! this runner cannot honour it) or "unknown key" (not in manifest v2 either).

use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};
use toml::{Table, Value};

mod check;
#[cfg(test)]
mod tests;

use check::{as_str, as_table, check_keys, string_list, unsupported, Key};

/// A parsed application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// `application.name`.
    pub name: String,
    /// Directory holding the manifest; relative paths resolve against it.
    pub dir: PathBuf,
    /// HTTP triggers in manifest order.
    pub triggers: Vec<HttpTrigger>,
    /// Components in manifest order.
    pub components: Vec<ComponentDef>,
}

/// One `[[trigger.http]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTrigger {
    /// The route exactly as written (`/sse`, `/...`).
    pub route: String,
    /// Component id it routes to.
    pub component: String,
}

/// One `[component.<id>]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentDef {
    /// Component id (kebab-case).
    pub id: String,
    /// `description`, printed under its route like Spin does.
    pub description: Option<String>,
    /// `source` as written (relative to [`App::dir`] unless absolute).
    pub source: String,
    /// `environment`, in manifest order.
    pub environment: Vec<(String, String)>,
    /// `files` entries in manifest order.
    pub files: Vec<FilesMount>,
    /// `exclude_files` glob patterns (relative to the app dir).
    pub exclude_files: Vec<String>,
    /// `[component.<id>.build]`.
    pub build: Option<BuildDef>,
}

/// One entry of a component's `files`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesMount {
    /// A path or glob relative to the app dir, mounted at the same relative path.
    Pattern(String),
    /// `{ source, destination }`: a file or directory placed at `destination`.
    Placement {
        /// Host path relative to the app dir.
        source: String,
        /// Absolute guest path.
        destination: String,
    },
}

/// A component's build settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildDef {
    /// Commands run in order with `sh -c`.
    pub commands: Vec<String>,
    /// Working directory relative to the app dir.
    pub workdir: Option<String>,
    /// `watch` globs (kept for completeness; this runner has no watch mode).
    pub watch: Vec<String>,
}

impl App {
    /// Reads and parses the manifest at `path`.
    pub fn load(path: &Path) -> Result<App> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read manifest {}", path.display()))?;
        let dir = path
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."))
            .to_path_buf();
        parse(&text, dir).with_context(|| format!("invalid manifest {}", path.display()))
    }

    /// The component with this id.
    pub fn component(&self, id: &str) -> Option<&ComponentDef> {
        self.components.iter().find(|c| c.id == id)
    }

    /// `source` resolved against the app dir.
    pub fn source_path(&self, component: &ComponentDef) -> PathBuf {
        self.dir.join(&component.source)
    }
}

/// Parses manifest text; `dir` is the directory relative paths resolve from.
pub fn parse(text: &str, dir: PathBuf) -> Result<App> {
    let doc: Table = toml::from_str(text)
        .map_err(|e: toml::de::Error| anyhow!("not valid TOML: {}", one_line(&e.to_string())))?;
    let root = Key::root();
    check_keys(
        &doc,
        &root,
        &[
            "spin_manifest_version",
            "application",
            "trigger",
            "component",
        ],
        &["variables"],
    )?;
    match doc.get("spin_manifest_version") {
        Some(Value::Integer(2)) => {}
        Some(Value::Integer(1)) | Some(Value::String(_)) => {
            return Err(unsupported(
                &root.child("spin_manifest_version"),
                "only manifest version 2 is read",
            ))
        }
        Some(other) => bail!("`spin_manifest_version` must be 2, found {other}"),
        None => bail!("missing `spin_manifest_version = 2`"),
    }
    let name = parse_application(&doc, &root)?;
    let components = parse_components(&doc, &root)?;
    let triggers = parse_triggers(&doc, &root)?;
    for t in &triggers {
        if !components.iter().any(|c| c.id == t.component) {
            bail!(
                "`[[trigger.http]]` route `{}` names component `{}`, which has no `[component.{}]` table",
                t.route,
                t.component,
                t.component
            );
        }
    }
    Ok(App {
        name,
        dir,
        triggers,
        components,
    })
}

fn parse_application(doc: &Table, root: &Key) -> Result<String> {
    let key = root.child("application");
    let app = as_table(
        doc.get("application")
            .ok_or_else(|| anyhow!("missing `[application]` table"))?,
        &key,
    )?;
    check_keys(
        app,
        &key,
        &["name", "version", "description", "authors", "tool"],
        &["targets", "trigger"],
    )?;
    for k in ["version", "description"] {
        if let Some(v) = app.get(k) {
            as_str(v, &key.child(k))?;
        }
    }
    if let Some(v) = app.get("authors") {
        string_list(v, &key.child("authors"))?;
    }
    let name = app
        .get("name")
        .ok_or_else(|| anyhow!("missing `application.name`"))?;
    Ok(as_str(name, &key.child("name"))?.to_string())
}

fn parse_triggers(doc: &Table, root: &Key) -> Result<Vec<HttpTrigger>> {
    let key = root.child("trigger");
    let Some(triggers) = doc.get("trigger") else {
        bail!("no `[[trigger.http]]` entries: nothing to serve")
    };
    let triggers = as_table(triggers, &key)?;
    if let Some(kind) = triggers.keys().find(|k| *k != "http") {
        return Err(unsupported(
            &key.child(kind),
            "only HTTP triggers are served",
        ));
    }
    let http_key = key.child("http");
    let Some(list) = triggers.get("http") else {
        bail!("no `[[trigger.http]]` entries: nothing to serve")
    };
    let Value::Array(list) = list else {
        bail!("`trigger.http` must be an array of tables (`[[trigger.http]]`)")
    };
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let k = http_key.index(i);
        let t = as_table(entry, &k)?;
        check_keys(
            t,
            &k,
            &["route", "component", "id", "executor"],
            &["static_response", "components", "dependencies"],
        )?;
        let route = match t.get("route") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Table(_)) => {
                return Err(unsupported(
                    &k.child("route"),
                    "private endpoints are not available",
                ))
            }
            Some(_) => bail!("`{}` must be a string", k.child("route")),
            None => bail!("missing `{}`", k.child("route")),
        };
        let component = match t.get("component") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Table(_)) => {
                return Err(unsupported(
                    &k.child("component"),
                    "inline components are not available",
                ))
            }
            Some(_) => bail!("`{}` must be a component id string", k.child("component")),
            None => bail!("missing `{}`", k.child("component")),
        };
        if let Some(id) = t.get("id") {
            as_str(id, &k.child("id"))?;
        }
        if let Some(exec) = t.get("executor") {
            check::http_executor(exec, &k.child("executor"))?;
        }
        out.push(HttpTrigger { route, component });
    }
    if out.is_empty() {
        bail!("no `[[trigger.http]]` entries: nothing to serve");
    }
    Ok(out)
}

fn parse_components(doc: &Table, root: &Key) -> Result<Vec<ComponentDef>> {
    let key = root.child("component");
    let Some(components) = doc.get("component") else {
        return Ok(Vec::new());
    };
    as_table(components, &key)?
        .iter()
        .map(|(id, value)| parse_component(id, value, &key.child(id)))
        .collect()
}

fn parse_component(id: &str, value: &Value, key: &Key) -> Result<ComponentDef> {
    check::kebab_id(id)?;
    let c = as_table(value, key)?;
    check_keys(
        c,
        key,
        &[
            "source",
            "description",
            "environment",
            "files",
            "exclude_files",
            "allowed_outbound_hosts",
            "allowed_http_hosts",
            "build",
            "tool",
            "key_value_stores",
            "sqlite_databases",
            "ai_models",
            "variables",
            "dependencies",
        ],
        &["targets", "profile", "dependencies_inherit_configuration"],
    )?;
    // Keys Spin knows that only matter when non-empty.
    for k in [
        "allowed_outbound_hosts",
        "allowed_http_hosts",
        "key_value_stores",
        "sqlite_databases",
        "ai_models",
    ] {
        if let Some(v) = c.get(k) {
            if !string_list(v, &key.child(k))?.is_empty() {
                return Err(unsupported(
                    &key.child(k),
                    "only an empty list can be honoured",
                ));
            }
        }
    }
    for k in ["variables", "dependencies"] {
        if let Some(v) = c.get(k) {
            if !as_table(v, &key.child(k))?.is_empty() {
                return Err(unsupported(
                    &key.child(k),
                    "only an empty table can be honoured",
                ));
            }
        }
    }
    let source = match c.get("source") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Table(_)) => {
            return Err(unsupported(
                &key.child("source"),
                "only local file sources are loaded",
            ))
        }
        Some(_) => bail!("`{}` must be a path string", key.child("source")),
        None => bail!("missing `{}`", key.child("source")),
    };
    let description = match c.get("description") {
        Some(v) => Some(as_str(v, &key.child("description"))?.to_string()),
        None => None,
    };
    let environment = match c.get("environment") {
        Some(v) => {
            let ek = key.child("environment");
            as_table(v, &ek)?
                .iter()
                .map(|(name, val)| Ok((name.clone(), as_str(val, &ek.child(name))?.to_string())))
                .collect::<Result<_>>()?
        }
        None => Vec::new(),
    };
    let files = match c.get("files") {
        Some(v) => check::files(v, &key.child("files"))?,
        None => Vec::new(),
    };
    let exclude_files = match c.get("exclude_files") {
        Some(v) => string_list(v, &key.child("exclude_files"))?,
        None => Vec::new(),
    };
    let build = match c.get("build") {
        Some(v) => Some(check::build(v, &key.child("build"))?),
        None => None,
    };
    Ok(ComponentDef {
        id: id.to_string(),
        description,
        source,
        environment,
        files,
        exclude_files,
        build,
    })
}

/// Collapses a multi-line message (TOML errors quote the source) to one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
