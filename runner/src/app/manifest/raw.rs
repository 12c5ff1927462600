//! The manifest's shape as serde reads it (`deny_unknown_fields` everywhere).
//! Keys Spin knows but this runner cannot honour deserialize to an error;
//! error texts that start with [`KEY`] get the dotted key put in front (see
//! [`super::messages`]).

use super::messages::{unsupported, KEY};
use super::values::{
    empty_list, empty_table, list, spin_only, string_list, string_or_refused_table, Table,
};
use super::FilesMount;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct Manifest {
    pub spin_manifest_version: Option<Version>,
    pub application: Option<Application>,
    #[serde(default)]
    pub variables: Table<Variable>,
    pub trigger: Option<Triggers>,
    #[serde(default)]
    pub component: Table<Component>,
}

/// One `[variables]` entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct Variable {
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(rename = "description")]
    _description: Option<String>,
}

/// `spin_manifest_version`: only `2` passes.
pub(super) struct Version;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct Application {
    pub name: String,
    #[serde(rename = "version")]
    _version: Option<String>,
    #[serde(rename = "description")]
    _description: Option<String>,
    #[serde(default, rename = "authors", deserialize_with = "string_list")]
    _authors: Vec<String>,
    #[serde(rename = "tool")]
    _tool: Option<IgnoredAny>,
    #[serde(default, rename = "targets", deserialize_with = "spin_only")]
    _targets: (),
    #[serde(default, rename = "trigger", deserialize_with = "spin_only")]
    _trigger: (),
}

/// `[trigger]`: only `http` is served; any other trigger type is refused.
pub(super) struct Triggers {
    pub http: Option<Vec<HttpTrigger>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct HttpTrigger {
    #[serde(deserialize_with = "route")]
    pub route: String,
    #[serde(deserialize_with = "component_ref")]
    pub component: String,
    #[serde(rename = "id")]
    _id: Option<String>,
    #[serde(default, rename = "executor", deserialize_with = "http_executor")]
    _executor: (),
    #[serde(default, rename = "static_response", deserialize_with = "spin_only")]
    _static_response: (),
    #[serde(default, rename = "components", deserialize_with = "spin_only")]
    _components: (),
    #[serde(default, rename = "dependencies", deserialize_with = "spin_only")]
    _dependencies: (),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct Component {
    #[serde(deserialize_with = "source")]
    pub source: String,
    pub description: Option<String>,
    #[serde(default)]
    pub environment: Table<String>,
    #[serde(default, deserialize_with = "files")]
    pub files: Vec<FilesMount>,
    #[serde(default, deserialize_with = "string_list")]
    pub exclude_files: Vec<String>,
    #[serde(default, deserialize_with = "string_list")]
    pub allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    pub variables: Table<String>,
    pub build: Option<Build>,
    #[serde(
        default,
        rename = "allowed_http_hosts",
        deserialize_with = "empty_list"
    )]
    _allowed_http_hosts: (),
    #[serde(default, rename = "key_value_stores", deserialize_with = "empty_list")]
    _key_value_stores: (),
    #[serde(default, rename = "sqlite_databases", deserialize_with = "empty_list")]
    _sqlite_databases: (),
    #[serde(default, rename = "ai_models", deserialize_with = "empty_list")]
    _ai_models: (),
    #[serde(default, rename = "dependencies", deserialize_with = "empty_table")]
    _dependencies: (),
    #[serde(rename = "tool")]
    _tool: Option<IgnoredAny>,
    #[serde(default, rename = "targets", deserialize_with = "spin_only")]
    _targets: (),
    #[serde(default, rename = "profile", deserialize_with = "spin_only")]
    _profile: (),
    #[serde(
        default,
        rename = "dependencies_inherit_configuration",
        deserialize_with = "spin_only"
    )]
    _dependencies_inherit_configuration: (),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
pub(super) struct Build {
    #[serde(deserialize_with = "commands")]
    pub command: Vec<String>,
    #[serde(default, deserialize_with = "workdir")]
    pub workdir: Option<String>,
    #[serde(default, rename = "watch", deserialize_with = "string_list")]
    _watch: Vec<String>,
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Version;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("2")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Version, E> {
                match v {
                    2 => Ok(Version),
                    1 => Err(E::custom(unsupported("only manifest version 2 is read"))),
                    _ => Err(E::custom(format!("{KEY} must be 2, found {v}"))),
                }
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Version, E> {
                Err(E::custom(unsupported("only manifest version 2 is read")))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Triggers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Triggers;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Triggers, A::Error> {
                let mut http = None;
                while let Some(kind) = map.next_key::<String>()? {
                    if kind == "http" {
                        http = Some(map.next_value::<HttpTriggers>()?.0);
                    } else {
                        map.next_value::<Refused>()?;
                    }
                }
                Ok(Triggers { http })
            }
        }
        d.deserialize_map(V)
    }
}

/// `trigger.http`: an array of tables.
struct HttpTriggers(Vec<HttpTrigger>);

impl<'de> Deserialize<'de> for HttpTriggers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        list(d, "an array of tables (`[[trigger.http]]`)").map(HttpTriggers)
    }
}

/// A trigger type other than HTTP: refused, whatever its value.
struct Refused;

impl<'de> Deserialize<'de> for Refused {
    fn deserialize<D: Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(de::Error::custom(unsupported(
            "only HTTP triggers are served",
        )))
    }
}

fn route<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    string_or_refused_table(d, "a string", "private endpoints are not available")
}

fn component_ref<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    string_or_refused_table(
        d,
        "a component id string",
        "inline components are not available",
    )
}

fn source<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    string_or_refused_table(d, "a path string", "only local file sources are loaded")
}

/// `executor`: only the default HTTP executor.
fn http_executor<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    let t = Table::<toml::Value>::deserialize(d)?.0;
    match t.as_slice() {
        [(k, v)] if k == "type" && matches!(v.as_str(), Some("http" | "spin")) => Ok(()),
        _ if t
            .iter()
            .any(|(k, v)| k == "type" && v.as_str() == Some("wagi")) =>
        {
            Err(de::Error::custom(unsupported(
                "the Wagi executor is not available",
            )))
        }
        _ => Err(de::Error::custom(format!(
            "{KEY} must be `{{ type = \"http\" }}`"
        ))),
    }
}

/// `files`: glob/path strings or `{ source, destination }` tables.
fn files<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<FilesMount>, D::Error> {
    list(d, "a list")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table")]
struct Placement {
    source: String,
    #[serde(deserialize_with = "guest_path")]
    destination: String,
}

impl<'de> Deserialize<'de> for FilesMount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FilesMount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a path/glob string or a `{ source, destination }` table")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<FilesMount, E> {
                match s.is_empty() {
                    true => Err(E::custom(format!("{KEY} must not be empty"))),
                    false => Ok(FilesMount::Pattern(s.to_string())),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FilesMount, A::Error> {
                let p = Placement::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(FilesMount::Placement {
                    source: p.source,
                    destination: p.destination,
                })
            }
        }
        d.deserialize_any(V)
    }
}

fn guest_path<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    match s.starts_with('/') {
        true => Ok(s),
        false => Err(de::Error::custom(format!(
            "{KEY} must be an absolute guest path (start with `/`)"
        ))),
    }
}

/// `build.command`: one command or a list of them.
fn commands<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Vec<String>, E> {
            Ok(vec![s.to_string()])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<String>, A::Error> {
            Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))
        }
    }
    d.deserialize_any(V)
}

fn workdir<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let w = String::deserialize(d)?;
    match std::path::Path::new(&w).has_root() {
        true => Err(de::Error::custom(format!("{KEY} must be a relative path"))),
        false => Ok(Some(w)),
    }
}
