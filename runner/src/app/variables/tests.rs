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
