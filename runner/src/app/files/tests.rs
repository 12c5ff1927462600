//! Staging tests on a temporary app directory.

use super::*;
use crate::app::manifest::parse;

fn app_with(files: &str, exclude: &str) -> (TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (path, body) in [
        ("static/index.html", "<h1>hi</h1>"),
        ("static/css/site.css", "body{}"),
        ("assets/a.txt", "a"),
        ("assets/b.txt", "b"),
        ("assets/c.md", "c"),
        ("secret.txt", "no"),
    ] {
        std::fs::create_dir_all(d.join(path).parent().unwrap()).unwrap();
        std::fs::write(d.join(path), body).unwrap();
    }
    let text = format!(
        "spin_manifest_version = 2\n[application]\nname = \"t\"\n[[trigger.http]]\nroute = \"/...\"\ncomponent = \"c\"\n[component.c]\nsource = \"c.wasm\"\nfiles = {files}\nexclude_files = {exclude}\n"
    );
    let app = parse(&text, d.to_path_buf()).unwrap();
    (dir, app)
}

fn staged(files: &str, exclude: &str) -> Result<(TempDir, StagedFiles)> {
    let (dir, app) = app_with(files, exclude);
    let s = stage(&app, &app.components[0])?.expect("files were staged");
    Ok((dir, s))
}

fn read(s: &StagedFiles, guest: &str) -> Option<String> {
    std::fs::read_to_string(s.root().join(guest.trim_start_matches('/'))).ok()
}

#[test]
fn directory_placement_lands_at_destination() {
    let (_d, s) = staged(r#"[{ source = "static", destination = "/" }]"#, "[]").unwrap();
    assert_eq!(read(&s, "/index.html").as_deref(), Some("<h1>hi</h1>"));
    assert_eq!(read(&s, "/css/site.css").as_deref(), Some("body{}"));
    assert_eq!(s.count, 2);
}

#[test]
fn directory_placement_under_a_subpath() {
    let (_d, s) = staged(r#"[{ source = "static", destination = "/web" }]"#, "[]").unwrap();
    assert_eq!(read(&s, "/web/index.html").as_deref(), Some("<h1>hi</h1>"));
}

#[test]
fn file_placement_is_renamed() {
    let (_d, s) = staged(
        r#"[{ source = "assets/a.txt", destination = "/x/y.txt" }]"#,
        "[]",
    )
    .unwrap();
    assert_eq!(read(&s, "/x/y.txt").as_deref(), Some("a"));
}

#[test]
fn glob_keeps_relative_paths() {
    let (_d, s) = staged(r#"["assets/*.txt"]"#, "[]").unwrap();
    assert_eq!(read(&s, "/assets/a.txt").as_deref(), Some("a"));
    assert_eq!(read(&s, "/assets/b.txt").as_deref(), Some("b"));
    assert_eq!(read(&s, "/assets/c.md"), None);
}

#[test]
fn plain_directory_pattern_copies_the_tree() {
    let (_d, s) = staged(r#"["static"]"#, "[]").unwrap();
    assert_eq!(read(&s, "/static/css/site.css").as_deref(), Some("body{}"));
}

#[test]
fn exclude_files_skips_matches() {
    let (_d, s) = staged(
        r#"["assets/*.txt", "secret.txt"]"#,
        r#"["assets/b.txt", "secret.txt"]"#,
    )
    .unwrap();
    assert_eq!(read(&s, "/assets/a.txt").as_deref(), Some("a"));
    assert_eq!(read(&s, "/assets/b.txt"), None);
    assert_eq!(read(&s, "/secret.txt"), None);
}

#[test]
fn missing_source_is_an_error() {
    let e = staged(r#"[{ source = "nope", destination = "/" }]"#, "[]").unwrap_err();
    assert!(format!("{e:#}").contains("does not exist"), "{e:#}");
    let e = staged(r#"["nope.txt"]"#, "[]").unwrap_err();
    assert!(format!("{e:#}").contains("not a glob"), "{e:#}");
}

#[test]
fn sources_outside_the_app_dir_are_refused() {
    let e = staged(r#"[{ source = "..", destination = "/" }]"#, "[]").unwrap_err();
    assert!(
        format!("{e:#}").contains("outside the application directory"),
        "{e:#}"
    );
    let e = staged(r#"[".."]"#, "[]").unwrap_err();
    assert!(format!("{e:#}").contains("cannot end in"), "{e:#}");
}

#[test]
fn destination_with_parent_dir_is_refused() {
    let e = staged(r#"[{ source = "static", destination = "/../x" }]"#, "[]").unwrap_err();
    assert!(format!("{e:#}").contains("must not contain `..`"), "{e:#}");
}

#[test]
fn no_files_means_nothing_staged() {
    let (_d, app) = app_with("[]", "[]");
    assert!(stage(&app, &app.components[0]).unwrap().is_none());
}
