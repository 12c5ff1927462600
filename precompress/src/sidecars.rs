//! Walks a directory and brings every text asset's sidecars up to date.
//!
//! A sidecar is rewritten unless it carries exactly its source's mtime, is
//! kept only when smaller than the source, and gets the source's mtime (the
//! server ignores sidecars older than their source). Sidecars whose source
//! is gone are removed. Output is written to a hidden temporary file first,
//! so a half-written sidecar is never visible under its real name.

use crate::codec::Codec;
use crate::select::{is_hidden, source_of_sidecar, wants_sidecars};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// What a run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Sidecars written, with (source, sidecar) sizes.
    pub written: Vec<(PathBuf, u64, u64)>,
    /// Sidecars already newer than their source.
    pub unchanged: usize,
    /// Sidecars not kept because they were not smaller than the source.
    pub no_gain: usize,
    /// Orphaned or useless sidecars deleted.
    pub removed: Vec<PathBuf>,
}

/// Processes every file under `root` (hidden entries and symlinked
/// directories are skipped).
pub fn run(root: &Path) -> io::Result<Report> {
    let mut report = Report::default();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let mut entries = fs::read_dir(&dir)
            .map_err(|e| annotate(e, &dir))?
            .collect::<io::Result<Vec<_>>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            if is_hidden(&name.to_string_lossy()) {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
                process_file(&path, &mut report).map_err(|e| annotate(e, &path))?;
            }
        }
    }
    Ok(report)
}

fn process_file(path: &Path, report: &mut Report) -> io::Result<()> {
    if let Some(source) = source_of_sidecar(path) {
        if !source.is_file() {
            fs::remove_file(path)?;
            report.removed.push(path.to_path_buf());
        }
        return Ok(());
    }
    if !wants_sidecars(path) {
        return Ok(());
    }
    for codec in Codec::ALL {
        update(path, codec, report)?;
    }
    Ok(())
}

fn sidecar_path(source: &Path, codec: Codec) -> PathBuf {
    let mut s = source.as_os_str().to_owned();
    s.push(".");
    s.push(codec.suffix());
    PathBuf::from(s)
}

fn update(source: &Path, codec: Codec, report: &mut Report) -> io::Result<()> {
    let sidecar = sidecar_path(source, codec);
    let src_meta = fs::metadata(source)?;
    let src_mtime = src_meta.modified()?;
    if let Ok(side) = fs::metadata(&sidecar) {
        // Exact match: we stamp sidecars with the source's mtime, so any
        // other value (older or newer, e.g. a restored old file) is stale.
        if side.modified()? == src_mtime {
            report.unchanged += 1;
            return Ok(());
        }
    }
    let file_name = sidecar.file_name().unwrap_or_default().to_string_lossy();
    let tmp = sidecar.with_file_name(format!(".{file_name}.tmp"));
    let written = (|| {
        let mut input = BufReader::new(File::open(source)?);
        let mut out = BufWriter::new(File::create(&tmp)?);
        codec.compress(&mut input, &mut out)?;
        out.flush()?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.set_modified(src_mtime)?;
        Ok::<u64, io::Error>(file.metadata()?.len())
    })();
    let size = match written {
        Ok(size) => size,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
    };
    if size < src_meta.len() {
        fs::rename(&tmp, &sidecar)?;
        report.written.push((sidecar, src_meta.len(), size));
    } else {
        fs::remove_file(&tmp)?;
        report.no_gain += 1;
        if fs::remove_file(&sidecar).is_ok() {
            report.removed.push(sidecar);
        }
    }
    Ok(())
}

fn annotate(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
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
}
