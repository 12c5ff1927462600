//! Manifest reader tests: the supported subset parses, every key the runner
//! cannot honour is an error naming it.

use super::*;

const BASE: &str = r#"
spin_manifest_version = 2

[application]
name = "demo"
version = "0.1.0"
description = "d"
authors = ["a"]

[[trigger.http]]
route = "/sse"
component = "sse"

[[trigger.http]]
route = "/..."
component = "static"

[component.sse]
source = "target/sse.wasm"
description = "the stream"
allowed_outbound_hosts = []
environment = { B = "2", A = "1" }

[component.sse.build]
command = "cargo build"
watch = ["src/**/*.rs"]

[component.static]
source = "static.wasm"
files = [{ source = "static", destination = "/" }, "assets/*.txt"]
exclude_files = ["assets/secret.txt"]

[component.static.build]
command = ["make a", "make b"]
workdir = "sub"
"#;

fn parse_str(text: &str) -> Result<App> {
    parse(text, PathBuf::from("/app"))
}

fn err(text: &str) -> String {
    format!(
        "{:#}",
        parse_str(text).expect_err("manifest should be rejected")
    )
}

/// BASE with `extra` appended at the end of `[component.sse]`.
fn with_sse(extra: &str) -> String {
    BASE.replace(
        "environment = { B = \"2\", A = \"1\" }",
        &format!("environment = {{ B = \"2\", A = \"1\" }}\n{extra}"),
    )
}

fn assert_unsupported(text: &str, key: &str) {
    let e = err(text);
    assert!(e.contains(&format!("`{key}` is not supported")), "{e}");
    assert!(e.contains("spin up"), "{e}");
}

#[test]
fn supported_manifest_parses_in_order() {
    let app = parse_str(BASE).unwrap();
    assert_eq!(app.name, "demo");
    assert_eq!(app.dir, PathBuf::from("/app"));
    let routes: Vec<_> = app
        .triggers
        .iter()
        .map(|t| (t.route.as_str(), t.component.as_str()))
        .collect();
    assert_eq!(routes, [("/sse", "sse"), ("/...", "static")]);
    let sse = app.component("sse").unwrap();
    assert_eq!(
        sse.environment,
        [("B".into(), "2".into()), ("A".into(), "1".into())]
    );
    assert_eq!(sse.description.as_deref(), Some("the stream"));
    assert_eq!(app.source_path(sse), PathBuf::from("/app/target/sse.wasm"));
    let b = sse.build.as_ref().unwrap();
    assert_eq!(
        (b.commands.clone(), b.workdir.clone()),
        (vec!["cargo build".to_string()], None)
    );
    let st = app.component("static").unwrap();
    assert_eq!(
        st.files,
        [
            FilesMount::Placement {
                source: "static".into(),
                destination: "/".into()
            },
            FilesMount::Pattern("assets/*.txt".into())
        ]
    );
    assert_eq!(st.exclude_files, ["assets/secret.txt"]);
    let b = st.build.as_ref().unwrap();
    assert_eq!(b.commands, ["make a", "make b"]);
    assert_eq!(b.workdir.as_deref(), Some("sub"));
}

#[test]
fn the_repository_spin_toml_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spin.toml");
    let app = App::load(&path).unwrap();
    assert!(app
        .triggers
        .iter()
        .any(|t| t.route == "/sse" && t.component == "sse"));
}

#[test]
fn url_source_is_unsupported() {
    let text = BASE.replace(
        "source = \"target/sse.wasm\"",
        "source = { url = \"https://x/y.wasm\", digest = \"sha256:00\" }",
    );
    assert_unsupported(&text, "component.sse.source");
}

#[test]
fn outbound_hosts_are_kept_as_written() {
    let text = BASE.replace(
        "allowed_outbound_hosts = []",
        "allowed_outbound_hosts = [\"redis://{{ host }}:6379\", \"rediss://x:1\"]",
    );
    let app = parse_str(&text).unwrap();
    assert_eq!(
        app.component("sse").unwrap().allowed_outbound_hosts,
        ["redis://{{ host }}:6379", "rediss://x:1"]
    );
}

#[test]
fn legacy_allowed_http_hosts_is_unsupported() {
    assert_unsupported(
        &with_sse("allowed_http_hosts = [\"x\"]"),
        "component.sse.allowed_http_hosts",
    );
}

#[test]
fn key_value_stores_are_unsupported() {
    assert_unsupported(
        &with_sse("key_value_stores = [\"default\"]"),
        "component.sse.key_value_stores",
    );
}

#[test]
fn sqlite_databases_are_unsupported() {
    assert_unsupported(
        &with_sse("sqlite_databases = [\"default\"]"),
        "component.sse.sqlite_databases",
    );
}

#[test]
fn ai_models_are_unsupported() {
    assert_unsupported(
        &with_sse("ai_models = [\"llama2-chat\"]"),
        "component.sse.ai_models",
    );
}

#[test]
fn variables_parse_in_order() {
    let text = format!(
        "{}\n[variables]\nb = {{ default = \"1\" }}\na = {{ required = true, secret = true, description = \"d\" }}\n",
        with_sse("variables = { url = \"redis://{{ b }}\", plain = \"x\" }")
    );
    let app = parse_str(&text).unwrap();
    assert_eq!(
        app.variables,
        [
            Variable {
                name: "b".into(),
                default: Some("1".into()),
                secret: false
            },
            Variable {
                name: "a".into(),
                default: None,
                secret: true
            }
        ]
    );
    assert_eq!(
        app.component("sse").unwrap().variables,
        [
            ("url".to_string(), "redis://{{ b }}".to_string()),
            ("plain".to_string(), "x".to_string())
        ]
    );
}

#[test]
fn a_variable_is_required_or_has_a_default() {
    for decl in ["{ }", "{ required = true, default = \"1\" }"] {
        let e = err(&format!("{BASE}\n[variables]\nx = {decl}\n"));
        assert!(
            e.contains("`variables.x` must be `required` OR have a `default`"),
            "{e}"
        );
    }
}

#[test]
fn variable_names_are_lower_snake_case() {
    let e = err(&format!(
        "{BASE}\n[variables]\nBad-name = {{ default = \"1\" }}\n"
    ));
    assert!(
        e.contains("`variables.Bad-name`: variable names are lower snake case"),
        "{e}"
    );
    let e = err(&with_sse("variables = { 1x = \"a\" }"));
    assert!(e.contains("`component.sse.variables.1x`"), "{e}");
    let e = err(&format!(
        "{BASE}\n[variables]\nx = {{ default = \"1\", secert = true }}\n"
    ));
    assert!(e.contains("unknown key `variables.x.secert`"), "{e}");
}

#[test]
fn component_dependencies_are_unsupported() {
    assert_unsupported(
        &with_sse("dependencies = { \"a:b/c\" = \"1.0\" }"),
        "component.sse.dependencies",
    );
}

#[test]
fn component_targets_and_profiles_are_unsupported() {
    assert_unsupported(
        &with_sse("targets = [\"spin-up:3.3\"]"),
        "component.sse.targets",
    );
    assert_unsupported(
        &with_sse("profile.debug.source = \"x.wasm\""),
        "component.sse.profile",
    );
}

#[test]
fn application_targets_and_trigger_settings_are_unsupported() {
    let t = BASE.replace(
        "authors = [\"a\"]",
        "authors = [\"a\"]\ntargets = [\"spin-up:3.3\"]",
    );
    assert_unsupported(&t, "application.targets");
    let t = BASE.replace(
        "authors = [\"a\"]",
        "authors = [\"a\"]\ntrigger.redis.address = \"x\"",
    );
    assert_unsupported(&t, "application.trigger");
}

#[test]
fn non_http_triggers_are_unsupported() {
    let text = format!("{BASE}\n[[trigger.redis]]\nchannel = \"c\"\ncomponent = \"sse\"\n");
    assert_unsupported(&text, "trigger.redis");
}

#[test]
fn static_responses_and_private_routes_are_unsupported() {
    let t = BASE.replace(
        "route = \"/sse\"\ncomponent = \"sse\"",
        "route = \"/sse\"\nstatic_response = { status_code = 200 }",
    );
    assert_unsupported(&t, "trigger.http[0].static_response");
    let t = BASE.replace("route = \"/sse\"", "route = { private = true }");
    assert_unsupported(&t, "trigger.http[0].route");
}

#[test]
fn wagi_executor_is_unsupported_http_executor_is_fine() {
    let t = BASE.replace(
        "component = \"sse\"\n",
        "component = \"sse\"\nexecutor = { type = \"wagi\" }\n",
    );
    assert_unsupported(&t, "trigger.http[0].executor");
    let t = BASE.replace(
        "component = \"sse\"\n",
        "component = \"sse\"\nexecutor = { type = \"http\" }\n",
    );
    parse_str(&t).unwrap();
}

#[test]
fn inline_trigger_component_is_unsupported() {
    let t = BASE.replace(
        "component = \"sse\"\n",
        "component = { source = \"x.wasm\" }\n",
    );
    assert_unsupported(&t, "trigger.http[0].component");
}

#[test]
fn version_one_manifest_is_unsupported() {
    let t = BASE.replace("spin_manifest_version = 2", "spin_manifest_version = \"1\"");
    assert_unsupported(&t, "spin_manifest_version");
}

#[test]
fn unknown_keys_are_named() {
    let e = err(&with_sse("enviroment = { A = \"1\" }"));
    assert!(e.contains("unknown key `component.sse.enviroment`"), "{e}");
    let e = err(&BASE.replace("workdir = \"sub\"", "workdir = \"sub\"\nfoo = 1"));
    assert!(
        e.contains("unknown key `component.static.build.foo`"),
        "{e}"
    );
    let e = err(&format!("bogus = 1\n{BASE}"));
    assert!(e.contains("unknown key `bogus`"), "{e}");
}

#[test]
fn unknown_trigger_component_is_an_error() {
    let e = err(&BASE.replace("component = \"sse\"\n", "component = \"nope\"\n"));
    assert!(e.contains("`nope`"), "{e}");
}

#[test]
fn bad_types_name_their_key() {
    let e = err(&with_sse("files = \"static\""));
    assert!(e.contains("`component.sse.files` must be a list"), "{e}");
    let e = err(&BASE.replace(
        "environment = { B = \"2\", A = \"1\" }",
        "environment = { B = 2 }",
    ));
    assert!(
        e.contains("`component.sse.environment.B` must be a string"),
        "{e}"
    );
    let e = err(&BASE.replace("destination = \"/\"", "destination = \"rel\""));
    assert!(
        e.contains("`component.static.files[0].destination` must be an absolute"),
        "{e}"
    );
    let e = err(&BASE.replace("workdir = \"sub\"", "workdir = \"/abs\""));
    assert!(e.contains("must be a relative path"), "{e}");
}

#[test]
fn component_ids_must_be_kebab_case() {
    let e = err(&BASE
        .replace("[component.static]", "[component.Static_1]")
        .replace("[component.static.build]", "[component.Static_1.build]"));
    assert!(e.contains("kebab-case"), "{e}");
}

#[test]
fn invalid_toml_is_one_line() {
    let e = err("spin_manifest_version = 2\n[application\nname = 1");
    assert!(e.starts_with("not valid TOML"), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn missing_pieces_are_named() {
    assert!(err("[application]\nname = \"x\"").contains("spin_manifest_version"));
    assert!(
        err("spin_manifest_version = 2\n[application]\nname = \"x\"").contains("[[trigger.http]]")
    );
    assert!(err("spin_manifest_version = 2").contains("[application]"));
}

#[test]
fn serde_errors_keep_the_key_and_the_fix() {
    for (text, want) in [
        (
            BASE.replace("source = \"static.wasm\"\n", ""),
            "missing `component.static.source`",
        ),
        (
            BASE.replace("name = \"demo\"\n", ""),
            "missing `application.name`",
        ),
        (
            BASE.replace("authors = [\"a\"]", "authors = \"a\""),
            "`application.authors` must be a list of strings",
        ),
        (
            BASE.replace("authors = [\"a\"]", "authors = [1]"),
            "`application.authors[0]` must be a string",
        ),
        (
            with_sse("files = [1]"),
            "`component.sse.files[0]` must be a path/glob string or a `{ source, destination }` table",
        ),
        (
            BASE.replace("command = \"cargo build\"", "command = 1"),
            "`component.sse.build.command` must be a string or a list of strings",
        ),
        (
            BASE.replace("[[trigger.http]]\nroute = \"/sse\"\ncomponent = \"sse\"\n", "")
                .replace("[[trigger.http]]", "[trigger.http]"),
            "`trigger.http` must be an array of tables (`[[trigger.http]]`)",
        ),
        (
            BASE.replace("spin_manifest_version = 2", "spin_manifest_version = 3"),
            "`spin_manifest_version` must be 2, found 3",
        ),
        (
            BASE.replace("destination = \"/\" }", "destination = \"/\", mode = 1 }"),
            "unknown key `component.static.files[0].mode`",
        ),
    ] {
        let e = err(&text);
        assert!(e.contains(want), "want {want:?}, got: {e}");
        assert!(!e.contains('\n') && !e.contains('\u{0}'), "{e:?}");
    }
}
