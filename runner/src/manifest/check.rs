//! Key-by-key validation helpers for the manifest reader: dotted key paths
//! for error messages, allowed/unsupported key sets, typed getters.

use super::{BuildDef, FilesMount};
use anyhow::{anyhow, bail, Result};
use std::fmt;
use toml::{Table, Value};

/// A dotted manifest key such as `component.sse.files[0]`, for messages.
#[derive(Debug, Clone, Default)]
pub(super) struct Key(String);

impl Key {
    pub(super) fn root() -> Key {
        Key(String::new())
    }

    pub(super) fn child(&self, name: &str) -> Key {
        let bare = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let part = if bare {
            name.to_string()
        } else {
            format!("{name:?}")
        };
        if self.0.is_empty() {
            Key(part)
        } else {
            Key(format!("{}.{part}", self.0))
        }
    }

    pub(super) fn index(&self, i: usize) -> Key {
        Key(format!("{}[{i}]", self.0))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The error for a key Spin understands but this runner cannot honour.
pub(super) fn unsupported(key: &Key, why: &str) -> anyhow::Error {
    anyhow!(
        "`{key}` is not supported by spin-sse-runner ({why}); run this app with `spin up` instead"
    )
}

/// Rejects keys outside `allowed`; keys in `spin_only` get [`unsupported`].
pub(super) fn check_keys(
    table: &Table,
    key: &Key,
    allowed: &[&str],
    spin_only: &[&str],
) -> Result<()> {
    for k in table.keys() {
        if spin_only.contains(&k.as_str()) {
            return Err(unsupported(&key.child(k), "the runner cannot honour it"));
        }
        if !allowed.contains(&k.as_str()) {
            bail!(
                "unknown key `{}` (not part of Spin manifest v2 as far as spin-sse-runner knows; check the spelling, or run with `spin up`)",
                key.child(k)
            );
        }
    }
    Ok(())
}

pub(super) fn as_table<'a>(v: &'a Value, key: &Key) -> Result<&'a Table> {
    v.as_table()
        .ok_or_else(|| anyhow!("`{key}` must be a table"))
}

pub(super) fn as_str<'a>(v: &'a Value, key: &Key) -> Result<&'a str> {
    v.as_str()
        .ok_or_else(|| anyhow!("`{key}` must be a string"))
}

pub(super) fn string_list(v: &Value, key: &Key) -> Result<Vec<String>> {
    let Value::Array(items) = v else {
        bail!("`{key}` must be a list of strings")
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| Ok(as_str(item, &key.index(i))?.to_string()))
        .collect()
}

/// Component ids are kebab-case: lowercase words of letters and digits joined
/// by single hyphens, starting with a letter (as Spin requires).
pub(super) fn kebab_id(id: &str) -> Result<()> {
    let ok = id.split('-').all(|w| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    }) && id.starts_with(|c: char| c.is_ascii_lowercase());
    if ok {
        Ok(())
    } else {
        bail!("component id `{id}` must be kebab-case (lowercase letters, digits and single hyphens, starting with a letter)")
    }
}

/// `executor` is accepted only as the default HTTP executor.
pub(super) fn http_executor(v: &Value, key: &Key) -> Result<()> {
    let t = as_table(v, key)?;
    match t.get("type").and_then(Value::as_str) {
        Some("http") | Some("spin") if t.len() == 1 => Ok(()),
        Some("wagi") => Err(unsupported(key, "the Wagi executor is not available")),
        _ => bail!("`{key}` must be `{{ type = \"http\" }}`"),
    }
}

/// `files`: glob/path strings or `{ source, destination }` tables.
pub(super) fn files(v: &Value, key: &Key) -> Result<Vec<FilesMount>> {
    let Value::Array(items) = v else {
        bail!("`{key}` must be a list")
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let k = key.index(i);
        match item {
            Value::String(p) => {
                if p.is_empty() {
                    bail!("`{k}` must not be empty");
                }
                out.push(FilesMount::Pattern(p.clone()));
            }
            Value::Table(t) => {
                check_keys(t, &k, &["source", "destination"], &[])?;
                let get = |name: &str| -> Result<String> {
                    let v = t
                        .get(name)
                        .ok_or_else(|| anyhow!("missing `{}`", k.child(name)))?;
                    Ok(as_str(v, &k.child(name))?.to_string())
                };
                let (source, destination) = (get("source")?, get("destination")?);
                if !destination.starts_with('/') {
                    bail!(
                        "`{}` must be an absolute guest path (start with `/`)",
                        k.child("destination")
                    );
                }
                out.push(FilesMount::Placement {
                    source,
                    destination,
                });
            }
            _ => bail!("`{k}` must be a path/glob string or a `{{ source, destination }}` table"),
        }
    }
    Ok(out)
}

/// `[component.<id>.build]`.
pub(super) fn build(v: &Value, key: &Key) -> Result<BuildDef> {
    let t = as_table(v, key)?;
    check_keys(t, key, &["command", "workdir", "watch"], &[])?;
    let commands = match t.get("command") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(v @ Value::Array(_)) => string_list(v, &key.child("command"))?,
        Some(_) => bail!(
            "`{}` must be a string or a list of strings",
            key.child("command")
        ),
        None => bail!("missing `{}`", key.child("command")),
    };
    let workdir = match t.get("workdir") {
        Some(v) => {
            let w = as_str(v, &key.child("workdir"))?;
            if std::path::Path::new(w).has_root() {
                bail!("`{}` must be a relative path", key.child("workdir"));
            }
            Some(w.to_string())
        }
        None => None,
    };
    let watch = match t.get("watch") {
        Some(v) => string_list(v, &key.child("watch"))?,
        None => Vec::new(),
    };
    Ok(BuildDef {
        commands,
        workdir,
        watch,
    })
}
