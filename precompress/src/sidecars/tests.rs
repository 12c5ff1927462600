//! Sidecar generation against temporary directories.

use super::*;
use std::time::{Duration, SystemTime};

fn write(dir: &Path, rel: &str, body: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, body).unwrap();
    p
}

fn text() -> Vec<u8> {
    "body { color: red; margin: 0 auto; }\n"
        .repeat(100)
        .into_bytes()
}

#[test]
fn writes_br_and_gz_for_text_assets_with_source_mtime() {
    let d = tempfile::tempdir().unwrap();
    let css = write(d.path(), "css/site.css", &text());
    let r = run(d.path()).unwrap();
    assert_eq!(r.written.len(), 2);
    for ext in ["br", "gz"] {
        let side = d.path().join(format!("css/site.css.{ext}"));
        let m = fs::metadata(&side).unwrap();
        assert!(m.len() < text().len() as u64);
        assert_eq!(
            m.modified().unwrap(),
            fs::metadata(&css).unwrap().modified().unwrap()
        );
    }
}

#[test]
fn binary_assets_and_hidden_paths_are_left_alone() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "logo.png", &text());
    write(d.path(), ".git/config.txt", &text());
    write(d.path(), ".secret.txt", &text());
    let r = run(d.path()).unwrap();
    assert_eq!(r, Report::default());
    assert!(!d.path().join("logo.png.br").exists());
}

#[test]
fn second_run_skips_unchanged_sidecars() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "index.html", &text());
    run(d.path()).unwrap();
    let r = run(d.path()).unwrap();
    assert_eq!((r.written.len(), r.unchanged), (0, 2));
}

#[test]
fn edited_source_gets_fresh_sidecars() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "app.js", &text());
    run(d.path()).unwrap();
    fs::write(&p, "let a = 1;\n".repeat(500)).unwrap();
    let later = SystemTime::now() + Duration::from_secs(5);
    File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let r = run(d.path()).unwrap();
    assert_eq!(r.written.len(), 2);
    let mut back = Vec::new();
    let gz = File::open(d.path().join("app.js.gz")).unwrap();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut back).unwrap();
    assert_eq!(back, fs::read(&p).unwrap());
}

#[test]
fn tiny_files_that_do_not_shrink_get_no_sidecar() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.txt", b"x");
    let r = run(d.path()).unwrap();
    assert_eq!((r.written.len(), r.no_gain), (0, 2));
    assert!(!d.path().join("a.txt.gz").exists());
    assert!(
        fs::read_dir(d.path()).unwrap().count() == 1,
        "no temporary files left"
    );
}

#[test]
fn orphaned_sidecars_are_removed_but_real_archives_kept() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "gone.css.br", b"old");
    write(d.path(), "backup.tar.gz", b"archive");
    let r = run(d.path()).unwrap();
    assert_eq!(r.removed, vec![d.path().join("gone.css.br")]);
    assert!(d.path().join("backup.tar.gz").exists());
}

#[test]
fn missing_directory_is_an_error_naming_it() {
    let err = run(Path::new("/definitely/not/here")).unwrap_err();
    assert!(err.to_string().contains("/definitely/not/here"));
}

#[test]
fn source_restored_with_older_mtime_still_refreshes_sidecars() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "app.js", &text());
    run(d.path()).unwrap();
    fs::write(&p, "let b = 2;\n".repeat(400)).unwrap();
    let earlier = SystemTime::now() - Duration::from_secs(3600);
    File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(earlier)
        .unwrap();
    assert_eq!(run(d.path()).unwrap().written.len(), 2);
}
