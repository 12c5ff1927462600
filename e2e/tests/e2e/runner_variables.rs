//! Spin application variables through the runner, read by the fixture
//! component over `fermyon:spin/variables` and `wasi:config/store`:
//! defaults, `SPIN_VARIABLE_*` overrides, the `.env` file, required and
//! unknown variables at start-up, secrets never printed, and a template in
//! `allowed_outbound_hosts`.

use super::support::redis::shared;
use super::support::redis_app::{failing_start, FixtureApp, FixtureManifest};
use super::support::RunnerOptions;
use serde_json::{json, Value};

const GREETING: FixtureManifest<'static> = FixtureManifest {
    variables: &[
        "greeting = { default = \"hello\" }",
        "who = { default = \"world\", description = \"whom to greet\" }",
    ],
    component: &["variables = { message = \"{{ greeting }}, {{who}}!\", plain = \"text\" }"],
};

fn env(pairs: &[(&str, &str)]) -> RunnerOptions {
    RunnerOptions {
        env: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..RunnerOptions::default()
    }
}

#[test]
fn defaults_reach_the_guest_through_both_interfaces() {
    let Some(f) = FixtureApp::start("vars-defaults", &GREETING, RunnerOptions::default()) else {
        return;
    };
    assert_eq!(
        f.get("/variables/message"),
        json!({ "ok": "hello, world!" })
    );
    assert_eq!(f.get("/variables/plain"), json!({ "ok": "text" }));
    assert_eq!(f.get("/config/message"), json!({ "ok": "hello, world!" }));
    assert_eq!(
        f.get("/config"),
        json!({ "ok": [["message", "hello, world!"], ["plain", "text"]] })
    );
}

#[test]
fn undefined_and_invalid_names_get_spins_errors() {
    let Some(f) = FixtureApp::start("vars-errors", &GREETING, RunnerOptions::default()) else {
        return;
    };
    // Application variables are not component variables.
    assert_eq!(
        f.get("/variables/greeting"),
        json!({ "error": "undefined", "message": "no variable for \"redis\".\"greeting\"" })
    );
    let bad = f.get("/variables/Message");
    assert_eq!(bad["error"], "invalid-name", "{bad}");
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .starts_with("\"Message\": invalid character 'M'"),
        "{bad}"
    );
    // wasi:config answers none for both.
    assert_eq!(f.get("/config/greeting"), json!({ "ok": null }));
    assert_eq!(f.get("/config/Message"), json!({ "ok": null }));
}

#[test]
fn environment_overrides_the_default() {
    let opts = env(&[("SPIN_VARIABLE_WHO", "env")]);
    let Some(f) = FixtureApp::start("vars-env", &GREETING, opts) else {
        return;
    };
    assert_eq!(f.get("/variables/message"), json!({ "ok": "hello, env!" }));
}

#[test]
fn dotenv_in_the_working_directory_is_read_after_the_environment() {
    let Some(app) = super::support::redis_app::write("vars-dotenv", &GREETING) else {
        return;
    };
    app.write(
        ".env",
        "SPIN_VARIABLE_WHO=dotenv\nSPIN_VARIABLE_GREETING=hi\n",
    );
    let mut opts = env(&[("SPIN_VARIABLE_GREETING", "hey")]);
    opts.cwd = Some(app.dir().to_path_buf());
    let runner = super::support::runner::start_with(&app.dir().join("spin.toml"), &opts);
    let got = super::support::redis_app::get_json(&runner.client(), "/variables/message");
    assert_eq!(got, json!({ "ok": "hey, dotenv!" }));
}

#[test]
fn required_variable_without_value_stops_startup_naming_it_and_the_component() {
    let manifest = FixtureManifest {
        variables: &["token = { required = true }"],
        component: &["variables = { auth = \"Bearer {{ token }}\" }"],
    };
    let Some(err) = failing_start("vars-required", &manifest, &RunnerOptions::default()) else {
        return;
    };
    assert!(err.contains("`token` is required"), "{err}");
    assert!(err.contains("component `redis`"), "{err}");
    assert!(err.contains("SPIN_VARIABLE_TOKEN"), "{err}");
}

#[test]
fn unknown_variable_in_a_template_stops_startup_naming_it_and_the_component() {
    let manifest = FixtureManifest {
        variables: &["host = { default = \"h\" }"],
        component: &["variables = { url = \"redis://{{ hots }}\" }"],
    };
    let Some(err) = failing_start("vars-unknown", &manifest, &RunnerOptions::default()) else {
        return;
    };
    assert!(err.contains("`component.redis.variables.url`"), "{err}");
    assert!(err.contains("`hots`"), "{err}");
}

#[test]
fn secret_values_are_never_printed() {
    const SECRET: &str = "s3cr3t-v4lue";
    let manifest = FixtureManifest {
        variables: &["token = { required = true, secret = true }"],
        component: &["variables = { auth = \"Bearer {{ token }}\" }"],
    };
    let opts = env(&[("SPIN_VARIABLE_TOKEN", SECRET)]);
    let Some(f) = FixtureApp::start("vars-secret", &manifest, opts) else {
        return;
    };
    // The guest may read it …
    assert_eq!(
        f.get("/variables/auth"),
        json!({ "ok": format!("Bearer {SECRET}") })
    );
    // A password in a refused address stays out of the refusal line.
    let address = format!("redis://:{SECRET}@127.0.0.1:1");
    let refused = f.redis(&json!({ "address": address, "calls": [] }));
    assert_eq!(refused["open"]["error"], "invalid-address", "{refused}");
    // … but the runner prints it nowhere.
    let line = f
        .runner
        .stderr
        .wait_for(std::time::Duration::from_secs(5), |l| l.contains("refused"));
    assert!(line.is_some_and(|l| l.contains("redis://127.0.0.1:1")));
    let printed = [f.runner.stdout.snapshot(), f.runner.stderr.snapshot()].concat();
    assert!(printed.iter().all(|l| !l.contains(SECRET)), "{printed:?}");
    // Nor in a start-up error about an entry built from it.
    let manifest = FixtureManifest {
        variables: manifest.variables,
        component: &["allowed_outbound_hosts = [\"{{ token }}\"]"],
    };
    let opts = env(&[("SPIN_VARIABLE_TOKEN", SECRET)]);
    let Some(err) = failing_start("vars-secret-host", &manifest, &opts) else {
        return;
    };
    assert!(err.contains("allowed_outbound_hosts[0]"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

#[test]
fn template_in_allowed_outbound_hosts_opens_the_server_it_names() {
    let redis = shared();
    let host = format!("127.0.0.1:{}", redis.port());
    let manifest = FixtureManifest {
        variables: &["redis_host = { default = \"127.0.0.1:1\" }"],
        component: &[
            "allowed_outbound_hosts = [\"redis://{{ redis_host }}\"]",
            "variables = { redis_address = \"redis://{{ redis_host }}\" }",
        ],
    };
    let opts = env(&[("SPIN_VARIABLE_REDIS_HOST", &host)]);
    let Some(f) = FixtureApp::start("vars-allowed-host", &manifest, opts) else {
        return;
    };
    let got = f.redis(&json!({ "calls": [
        { "op": "set", "key": "vars:template", "value": "via template" },
        { "op": "get", "key": "vars:template" },
    ] }));
    assert_eq!(
        got["results"],
        json!([{ "ok": null }, { "ok": "via template" }]),
        "{got}"
    );
    assert_eq!(redis.cmd(&["GET", "vars:template"]), "via template");
    // The default (port 1) is not what the template resolved to.
    let other: Value = f.redis(&json!({ "address": "redis://127.0.0.1:1", "calls": [] }));
    assert_eq!(other["open"]["error"], "invalid-address", "{other}");
}
