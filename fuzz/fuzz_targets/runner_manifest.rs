//! The runner's `spin.toml` reader and variable templates: an accepted
//! manifest has HTTP triggers that each name a declared kebab-case
//! component, variables with valid lower snake-case names and exactly one
//! of `required`/`default`; its component templates resolve with values
//! from a provider, a template without `{{` renders as written, and no
//! error ever quotes a secret variable's value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spin_sse_fuzz::app::manifest;
use spin_sse_fuzz::app::variables::{check_name, AppVariables, ComponentVariables, Template};
use std::path::PathBuf;

const SECRET_MARK: &str = "SECRET-VALUE-";

fuzz_target!(|text: &str| {
    // Templates on their own: parts are literals and trimmed names.
    if let Ok(template) = Template::parse(text) {
        if !text.contains("{{") {
            assert_eq!(template.variables().count(), 0);
        }
        for name in template.variables() {
            assert_eq!(name, name.trim());
            assert!(!name.contains("}}"));
        }
    } else {
        assert!(text.contains("{{"));
    }

    let Ok(app) = manifest::parse(text, PathBuf::from(".")) else {
        return;
    };
    assert!(!app.triggers.is_empty());
    for trigger in &app.triggers {
        assert!(app.component(&trigger.component).is_some());
    }
    for component in &app.components {
        assert!(component
            .id
            .split('-')
            .all(|w| w.starts_with(|c: char| c.is_ascii_lowercase())));
        assert!(component
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
    }
    for variable in &app.variables {
        assert_eq!(check_name(&variable.name), Ok(()), "{variable:?}");
    }

    // Every secret gets a marked value; nothing marked may reach an error.
    let users: Vec<(&str, Vec<String>)> = Vec::new();
    let provided = AppVariables::resolve(&app.variables, &users, |name| {
        let secret = app.variables.iter().any(|v| v.name == name && v.secret);
        Ok(secret.then(|| format!("{SECRET_MARK}{name}")))
    });
    let variables = match provided {
        Ok(variables) => variables,
        Err(error) => {
            assert!(!error.contains(SECRET_MARK), "{error}");
            return;
        }
    };
    for component in &app.components {
        let key = format!("component.{}.variables", component.id);
        match ComponentVariables::resolve(&variables, &component.id, &key, &component.variables) {
            Ok(resolved) => {
                for ((name, text), (got_name, value)) in
                    component.variables.iter().zip(resolved.all())
                {
                    assert_eq!(name, got_name);
                    if !text.contains("{{") {
                        assert_eq!(value, text);
                    }
                    assert_eq!(resolved.get(name).as_ref(), Ok(value));
                }
            }
            Err(error) => assert!(!error.contains(SECRET_MARK), "{error}"),
        }
    }
});
