//! `spin.toml` (manifest v2) reader for the subset this runner can honour,
//! on serde derive ([`raw`]) with every error naming its key ([`messages`]).
//!
//! Supported: `[application]` (`name`, `version`, `description`, `authors`,
//! `tool`), `[[trigger.http]]` (`route` string, `component` id, optional
//! `id`, `executor = { type = "http" }`), `[component.<id>]` (`source` local
//! path, `description`, `environment`, `files` as glob strings or
//! `{ source, destination }`, `exclude_files`, `build.command`/`workdir`/
//! `watch`, `tool`, `allowed_outbound_hosts`, `variables`), `[variables]`
//! (`default`, `required`, `secret`, `description`). Every other key is an
//! error that names it: either "not supported, use `spin up`" (Spin knows it,
//! this runner cannot honour it) or "unknown key" (not in manifest v2 either).

pub use crate::app::variables::Variable;
use anyhow::{anyhow, bail, Context, Result};
use messages::{describe, one_line, Key};
use std::path::{Path, PathBuf};

mod messages;
mod raw;
#[cfg(test)]
mod tests;
mod values;

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
    /// `[variables]` in manifest order.
    pub variables: Vec<Variable>,
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
    /// `allowed_outbound_hosts` as written (templates unresolved).
    pub allowed_outbound_hosts: Vec<String>,
    /// `variables`: name → template as written, in manifest order.
    pub variables: Vec<(String, String)>,
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
}

impl App {
    /// Reads and parses the manifest at `path`.
    pub fn load(path: &Path) -> Result<App> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read manifest {}", path.display()))?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
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
    let doc: toml::Table = toml::from_str(text)
        .map_err(|e: toml::de::Error| anyhow!("not valid TOML: {}", one_line(&e.to_string())))?;
    let raw: raw::Manifest = serde_path_to_error::deserialize(toml::Value::Table(doc))
        .map_err(|e| anyhow!(describe(&Key::of(e.path()), e.inner().message())))?;
    if raw.spin_manifest_version.is_none() {
        bail!("missing `spin_manifest_version = 2`");
    }
    let Some(application) = raw.application else {
        bail!("missing `[application]` table");
    };
    let variables = raw
        .variables
        .0
        .into_iter()
        .map(|(name, v)| variable(name, v))
        .collect::<Result<Vec<_>>>()?;
    let components = raw
        .component
        .0
        .into_iter()
        .map(|(id, c)| component(id, c))
        .collect::<Result<Vec<_>>>()?;
    let triggers: Vec<HttpTrigger> = raw
        .trigger
        .and_then(|t| t.http)
        .unwrap_or_default()
        .into_iter()
        .map(|t| HttpTrigger {
            route: t.route,
            component: t.component,
        })
        .collect();
    if triggers.is_empty() {
        bail!("no `[[trigger.http]]` entries: nothing to serve");
    }
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
        name: application.name,
        dir,
        triggers,
        components,
        variables,
    })
}

fn variable(name: String, v: raw::Variable) -> Result<Variable> {
    let key = Key::root().child("variables").child(&name);
    snake_name(&name, &key)?;
    if v.required == v.default.is_some() {
        bail!("`{key}` must be `required` OR have a `default` (give exactly one of `required = true` and `default = \"...\"`)");
    }
    Ok(Variable {
        name,
        default: v.default,
        secret: v.secret,
    })
}

/// Variable names are Spin's lower snake case ids.
fn snake_name(name: &str, key: &Key) -> Result<()> {
    id_words(name, '_').map_err(|why| {
        anyhow!("`{key}`: variable names are lower snake case (lowercase letters and digits in words joined by single underscores, each word starting with a letter): {why}")
    })
}

fn component(id: String, c: raw::Component) -> Result<ComponentDef> {
    id_words(&id, '-').map_err(|why| {
        anyhow!("component id `{id}` must be kebab-case (lowercase letters, digits and single hyphens, starting with a letter): {why}")
    })?;
    let key = Key::root().child("component").child(&id).child("variables");
    for (name, _) in &c.variables.0 {
        snake_name(name, &key.child(name))?;
    }
    Ok(ComponentDef {
        id,
        description: c.description,
        source: c.source,
        environment: c.environment.0,
        files: c.files,
        exclude_files: c.exclude_files,
        build: c.build.map(|b| BuildDef {
            commands: b.command,
            workdir: b.workdir,
        }),
        allowed_outbound_hosts: c.allowed_outbound_hosts,
        variables: c.variables.0,
    })
}

/// Spin's id rule: lowercase words of ASCII letters and digits, each starting
/// with a letter, joined by single `delim`s.
fn id_words(id: &str, delim: char) -> std::result::Result<(), String> {
    for word in id.split(delim) {
        let mut chars = word.chars();
        match chars.next() {
            None => return Err(format!("{delim:?}-separated words must not be empty")),
            Some(c) if !c.is_ascii_lowercase() => {
                return Err(format!(
                    "words must start with a lowercase letter, got {c:?}"
                ))
            }
            Some(_) => {}
        }
        if let Some(c) = chars.find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit())) {
            return Err(format!(
                "words may hold only lowercase letters and digits, got {c:?}"
            ));
        }
    }
    Ok(())
}
