//! Spin application variables, resolved as Spin 4.0.2 does (pure, no I/O):
//! `[variables]` declare names with a `default` or `required = true` (and
//! maybe `secret = true`); a component's `variables` are `{{ name }}`
//! templates over them. A value comes from the provider (the environment,
//! see [`provider`]) first, then the default. Everything resolves once at
//! start-up, so an unknown name in a template or a required variable without
//! a value stops `up` with an error naming the variable and the component.
//! Values are never part of an error message.

pub mod provider;
#[cfg(test)]
mod tests {
    //! Variable rules as Spin 4.0.2 applies them.

    use super::*;

    fn var(name: &str, default: Option<&str>, secret: bool) -> Variable {
        Variable {
            name: name.into(),
            default: default.map(Into::into),
            secret,
        }
    }

    fn app(vars: &[Variable], env: &[(&str, &str)]) -> Result<AppVariables, String> {
        AppVariables::resolve(vars, &[("web", vec!["token".into()])], |name| {
            Ok(env
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string()))
        })
    }

    fn table(entries: &[(&str, &str)]) -> Vec<(String, String)> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn templates_split_into_literals_and_names() {
        let t = Template::parse("redis://{{ host }}:{{port}}/x").unwrap();
        assert_eq!(t.variables().collect::<Vec<_>>(), ["host", "port"]);
        assert!(Template::parse("a {{ b")
            .unwrap_err()
            .contains("unmatched '{{'"));
        assert_eq!(Template::parse("").unwrap().variables().count(), 0);
    }

    #[test]
    fn provider_value_wins_over_default() {
        let vars = [
            var("host", Some("localhost"), false),
            var("port", Some("6379"), false),
        ];
        let a = app(&vars, &[("port", "7000")]).unwrap();
        let t = Template::parse("{{ host }}:{{ port }}").unwrap();
        assert_eq!(a.render(&t), "localhost:7000");
    }

    #[test]
    fn required_variable_without_value_names_it_and_its_users() {
        let e = app(&[var("token", None, true)], &[]).unwrap_err();
        assert!(e.contains("`token` is required"), "{e}");
        assert!(e.contains("component `web`"), "{e}");
        assert!(e.contains("SPIN_VARIABLE_TOKEN"), "{e}");
        let a = app(&[var("token", None, true)], &[("token", "s3cret")]).unwrap();
        assert!(a.uses_secret(&Template::parse("{{ token }}").unwrap()));
    }

    #[test]
    fn provider_failure_stops_resolution() {
        let e = AppVariables::resolve(&[var("a", Some("1"), false)], &[], |_| {
            Err("cannot read .env".into())
        })
        .unwrap_err();
        assert_eq!(e, "cannot read .env");
    }

    #[test]
    fn component_templates_resolve_with_literal_text() {
        let a = app(&[var("host", Some("h"), false)], &[]).unwrap();
        let c = ComponentVariables::resolve(
            &a,
            "web",
            "component.web.variables",
            &table(&[("url", "redis://{{ host }}:1"), ("plain", "text")]),
        )
        .unwrap();
        assert_eq!(c.get("url").unwrap(), "redis://h:1");
        assert_eq!(c.get("plain").unwrap(), "text");
        assert_eq!(c.all().len(), 2);
    }

    #[test]
    fn unknown_name_in_a_template_is_a_startup_error() {
        let a = app(&[var("host", Some("h"), false)], &[]).unwrap();
        let e = ComponentVariables::resolve(
            &a,
            "web",
            "component.web.variables",
            &table(&[("url", "{{ hots }}")]),
        )
        .unwrap_err();
        assert!(e.contains("`component.web.variables.url`"), "{e}");
        assert!(e.contains("`hots`"), "{e}");
    }

    #[test]
    fn guest_reads_get_spins_errors() {
        let a = app(&[], &[]).unwrap();
        let c = ComponentVariables::resolve(&a, "web", "k", &table(&[("a", "1")])).unwrap();
        assert_eq!(
            c.get("nope"),
            Err(ReadError::Undefined(
                "no variable for \"web\".\"nope\"".into()
            ))
        );
        match c.get("Bad-Name") {
            Err(ReadError::InvalidName(m)) => {
                assert!(m.starts_with("\"Bad-Name\": invalid character"), "{m}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_follow_spins_key_rule() {
        for ok in ["a", "a_1", "abc9"] {
            check_name(ok).unwrap();
        }
        for (bad, why) in [
            ("", "must not be empty"),
            ("1a", "must start with a lowercase"),
            ("a_", "must end with"),
            ("a__b", "consecutive underscores"),
            ("aB", "invalid character 'B'"),
        ] {
            let e = check_name(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn env_names_are_upper_cased_with_spins_prefix() {
        assert_eq!(provider::env_name("redis_host"), "SPIN_VARIABLE_REDIS_HOST");
    }

    #[test]
    fn dotenv_file_is_read_when_the_environment_has_no_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "SPIN_VARIABLE_ONLY_IN_DOTENV_7F3=from-file\n").unwrap();
        let mut p = provider::EnvProvider::new(&path);
        assert_eq!(
            p.get("only_in_dotenv_7f3").unwrap().as_deref(),
            Some("from-file")
        );
        assert_eq!(p.get("absent_everywhere_7f3").unwrap(), None);
        let mut missing = provider::EnvProvider::new(dir.path().join("none"));
        assert_eq!(missing.get("x_7f3").unwrap(), None);
        std::fs::write(&path, "SPIN_VARIABLE_X='unterminated\n").unwrap();
        let e = provider::EnvProvider::new(&path)
            .get("x_7f3_other")
            .unwrap_err();
        assert!(e.contains(".env") && !e.contains("unterminated"), "{e}");
    }
}

use std::collections::HashMap;

/// One `[variables]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// Lower snake case name.
    pub name: String,
    /// Value used when no provider has one.
    pub default: Option<String>,
    /// Whether the value is sensitive (never printed).
    pub secret: bool,
}

/// A `{{ name }}` template: literal text and variable references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Var(String),
}

impl Template {
    /// Parses Spin's template syntax: `{{` … `}}` holds a variable name
    /// (spaces around it are ignored); everything else is literal.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("{{") {
                let (name, tail) = after
                    .split_once("}}")
                    .ok_or_else(|| "unmatched '{{' in template".to_string())?;
                parts.push(Part::Var(name.trim().to_string()));
                rest = tail;
            } else {
                let end = rest.find("{{").unwrap_or(rest.len());
                parts.push(Part::Lit(rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
        Ok(Template { parts })
    }

    /// The variable names it refers to, in order.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(name) => Some(name.as_str()),
            Part::Lit(_) => None,
        })
    }
}

/// Spin's rule for a variable name as a guest asks for it: lowercase ASCII
/// letters, digits and single underscores, starting with a letter and ending
/// with a letter or digit. The error is Spin's `invalid-name` text.
pub fn check_name(name: &str) -> Result<(), String> {
    let reason = if name.is_empty() {
        Some("must not be empty".to_string())
    } else if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
    {
        Some(format!("invalid character {c:?}. Variable names may contain only lower-case letters, numbers, and underscores."))
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("must start with a lowercase ASCII letter".to_string())
    } else if !name.ends_with(|c: char| c.is_ascii_alphanumeric()) {
        Some("must end with a lowercase ASCII letter or digit".to_string())
    } else if name.contains("__") {
        Some("must not contain multiple consecutive underscores".to_string())
    } else {
        None
    };
    match reason {
        Some(r) => Err(format!("{name:?}: {r}")),
        None => Ok(()),
    }
}

/// The application's variables with their values.
#[derive(Debug, Default)]
pub struct AppVariables {
    values: HashMap<String, (String, bool)>,
}

/// Who uses a variable, for the required-variable error.
pub type Users<'a> = &'a [(&'a str, Vec<String>)];

impl AppVariables {
    /// Resolves every declared variable: `provider(name)` first (it may fail,
    /// e.g. an unreadable dotenv file), then the default. `users` lists, per
    /// component, the variables its templates use (named in errors).
    pub fn resolve(
        declared: &[Variable],
        users: Users<'_>,
        mut provider: impl FnMut(&str) -> Result<Option<String>, String>,
    ) -> Result<AppVariables, String> {
        let mut values = HashMap::new();
        for v in declared {
            let value = match provider(&v.name)? {
                Some(value) => value,
                None => match &v.default {
                    Some(d) => d.clone(),
                    None => return Err(missing_required(&v.name, users)),
                },
            };
            values.insert(v.name.clone(), (value, v.secret));
        }
        Ok(AppVariables { values })
    }

    /// Checks that `template` (from manifest key `key`) names only declared
    /// variables.
    pub fn check(&self, template: &Template, key: &str) -> Result<(), String> {
        match template.variables().find(|v| !self.values.contains_key(*v)) {
            Some(unknown) => Err(format!(
                "`{key}` refers to variable `{unknown}`, which `[variables]` does not declare; declare it there (with a `default` or `required = true`) or fix the name"
            )),
            None => Ok(()),
        }
    }

    /// The template's text with every reference replaced by its value
    /// (after [`AppVariables::check`]; unknown names render empty).
    pub fn render(&self, template: &Template) -> String {
        template
            .parts
            .iter()
            .map(|p| match p {
                Part::Lit(s) => s.as_str(),
                Part::Var(name) => self.values.get(name).map_or("", |(v, _)| v.as_str()),
            })
            .collect()
    }

    /// Whether the template uses a secret variable (its value must not be shown).
    pub fn uses_secret(&self, template: &Template) -> bool {
        template
            .variables()
            .any(|v| self.values.get(v).is_some_and(|(_, secret)| *secret))
    }
}

fn missing_required(name: &str, users: Users<'_>) -> String {
    let used_by: Vec<String> = users
        .iter()
        .filter(|(_, names)| names.iter().any(|n| n == name))
        .map(|(component, _)| format!("`{component}`"))
        .collect();
    let used_by = match used_by.as_slice() {
        [] => "no component uses it yet".to_string(),
        list => format!("used by component {}", list.join(", ")),
    };
    format!(
        "variable `{name}` is required ({used_by}) but has no value: set {} in the environment (or in .env)",
        provider::env_name(name)
    )
}

/// One component's variables, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComponentVariables {
    component: String,
    values: Vec<(String, String)>,
}

/// Why a guest's read failed (Spin's `variables.error` cases used here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Not a valid variable name (Spin's message).
    InvalidName(String),
    /// The component has no such variable (Spin's message).
    Undefined(String),
}

impl ComponentVariables {
    /// Resolves `component`'s `variables` table (name → template as written);
    /// `key` is the table's manifest key, for errors.
    pub fn resolve(
        app: &AppVariables,
        component: &str,
        key: &str,
        table: &[(String, String)],
    ) -> Result<ComponentVariables, String> {
        let mut values = Vec::new();
        for (name, text) in table {
            let entry = format!("{key}.{name}");
            check_name(name).map_err(|e| format!("`{entry}`: invalid variable name {e}"))?;
            let template = Template::parse(text).map_err(|e| format!("`{entry}`: {e}"))?;
            app.check(&template, &entry)?;
            values.push((name.clone(), app.render(&template)));
        }
        Ok(ComponentVariables {
            component: component.to_string(),
            values,
        })
    }

    /// `get(name)` with Spin's errors.
    pub fn get(&self, name: &str) -> Result<String, ReadError> {
        check_name(name).map_err(ReadError::InvalidName)?;
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                ReadError::Undefined(format!("no variable for {:?}.{name:?}", self.component))
            })
    }

    /// Every name and value, in manifest order.
    pub fn all(&self) -> &[(String, String)] {
        &self.values
    }
}
