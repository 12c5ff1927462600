//! The file server in a temp app of the test's own, for what the repo's
//! manifest cannot show: `public/` mounted at `/...` (custom 404), at
//! `/assets/...` (plain) and at `/spa/...` (fallback), with a secret file
//! next to the mount and hidden files inside it. Checks sub-route mounts
//! (found by `spin-path-info`), percent-decoding, `/dir` → 301, custom 404,
//! fallback, hidden files, big files across chunks.

use std::sync::OnceLock;

use super::support::temp_app::Component;
use super::support::{self, Client, Runner, TempApp};

/// Bytes of the big test file: not repetitive at any chunk size.
fn big_file() -> Vec<u8> {
    (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

pub const SECRET: &str = "TOP-SECRET-outside-the-mount";
pub const HIDDEN: &str = "HIDDEN-SECRET-dotfile";

/// A temp app: `public/` mounted at `/...` (custom 404), at `/assets/...`
/// (plain), at `/spa/...` (fallback); `secret.txt` next to `public/`.
/// Shared by this module and the hostile-path battery.
pub fn mounts() -> Option<&'static (TempApp, Runner)> {
    static APP: OnceLock<Option<(TempApp, Runner)>> = OnceLock::new();
    APP.get_or_init(|| {
        let mut app = TempApp::new("mounts");
        app.write("secret.txt", SECRET);
        app.write(
            "public/index.html",
            "<!doctype html><title>temp index</title>\n",
        );
        app.write("public/hello.txt", "Hello from the temp mount.\n");
        app.write("public/a b.txt", "space in the name\n");
        app.write(
            "public/sub/index.html",
            "<!doctype html><title>sub index</title>\n",
        );
        app.write(
            "public/404.html",
            "<!doctype html><title>custom 404</title>\n",
        );
        app.write("public/big.bin", big_file());
        app.write("public/.env", HIDDEN);
        app.write("public/.git/config", HIDDEN);
        app.write("public/sub/.hidden", HIDDEN);
        app.component(
            Component::static_files("/...", "public").env("CUSTOM_404_PATH", "/404.html"),
        );
        app.component(Component::static_files("/assets/...", "public").named("assets"));
        app.component(
            Component::static_files("/spa/...", "public")
                .named("spa")
                .env("FALLBACK_PATH", "/index.html"),
        );
        let runner = support::own_runner("fileserver_mounts (shared temp app)", &app.manifest())?;
        Some((app, runner))
    })
    .as_ref()
}

fn mounts_client(test: &str) -> Option<Client> {
    let m = mounts();
    if m.is_none() {
        support::skip(
            test,
            &format!(
                "its temp app needs the embedded runner, but {} is set",
                support::BASE_URL_VAR
            ),
        );
    }
    m.map(|(_, r)| r.client())
}

#[test]
fn files_under_a_sub_route_are_found_by_path_info() {
    let Some(c) = mounts_client("files_under_a_sub_route_are_found_by_path_info") else {
        return;
    };
    let resp = c.get_with("/assets/hello.txt", &[]);
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text(), "Hello from the temp mount.\n");
    // A client-sent spin-path-info must not pick the file.
    let resp = c.get_with("/assets/hello.txt", &[("spin-path-info", "/.env")]);
    assert_eq!(resp.text(), "Hello from the temp mount.\n");
}

#[test]
fn percent_encoded_names_are_decoded_once() {
    let Some(c) = mounts_client("percent_encoded_names_are_decoded_once") else {
        return;
    };
    let resp = c.get_with("/a%20b.txt", &[]);
    assert_eq!(
        (resp.status(), resp.text().as_str()),
        (200, "space in the name\n")
    );
    assert_ne!(
        c.get_with("/a%2520b.txt", &[]).status(),
        200,
        "decoded twice"
    );
}

#[test]
fn directory_without_slash_redirects_and_with_slash_serves_its_index() {
    let Some(c) =
        mounts_client("directory_without_slash_redirects_and_with_slash_serves_its_index")
    else {
        return;
    };
    for (from, to) in [("/sub", "/sub/"), ("/assets/sub", "/assets/sub/")] {
        let resp = c.get_with(from, &[]);
        assert_eq!(resp.status(), 301, "GET {from}");
        assert_eq!(resp.header("location"), Some(to), "GET {from}");
    }
    let resp = c.get_with("/sub/", &[]);
    assert_eq!(resp.status(), 200);
    assert!(resp.text().contains("sub index"));
}

#[test]
fn custom_404_page_keeps_status_404() {
    let Some(c) = mounts_client("custom_404_page_keeps_status_404") else {
        return;
    };
    let resp = c.get_with("/nowhere.txt", &[]);
    assert_eq!(resp.status(), 404);
    assert!(resp.text().contains("custom 404"), "body: {}", resp.text());
    assert!(resp
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/html"));
    // Without CUSTOM_404_PATH the 404 is plain.
    let plain = c.get_with("/assets/nowhere.txt", &[]);
    assert_eq!(plain.status(), 404);
    assert!(!plain.text().contains("custom 404"));
}

#[test]
fn fallback_path_serves_the_app_shell_for_unknown_paths() {
    let Some(c) = mounts_client("fallback_path_serves_the_app_shell_for_unknown_paths") else {
        return;
    };
    let resp = c.get_with("/spa/some/client/route", &[]);
    assert_eq!(resp.status(), 200);
    assert!(resp.text().contains("temp index"), "body: {}", resp.text());
    assert_eq!(
        c.get_with("/spa/hello.txt", &[]).text(),
        "Hello from the temp mount.\n"
    );
}

#[test]
fn hidden_files_are_404() {
    let Some(c) = mounts_client("hidden_files_are_404") else {
        return;
    };
    for path in ["/.env", "/.git/config", "/sub/.hidden", "/assets/.env"] {
        let resp = c.get_with(path, &[]);
        assert_eq!(resp.status(), 404, "{path}");
        assert!(!resp.text().contains(HIDDEN), "{path} leaked");
    }
}

#[test]
fn big_files_stream_whole_and_ranges_cross_chunks() {
    let Some(c) = mounts_client("big_files_stream_whole_and_ranges_cross_chunks") else {
        return;
    };
    let file = big_file();
    let resp = c.get_with("/big.bin", &[]);
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.body.len(), file.len());
    assert!(resp.body == file, "big.bin body differs from the file");
    let resp = c.get_with("/big.bin", &[("Range", "bytes=65530-131080")]);
    assert_eq!(resp.status(), 206);
    assert!(
        resp.body == file[65530..=131080],
        "range across 64 KiB boundaries"
    );
}
