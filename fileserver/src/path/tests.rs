//! Path resolution: plain paths and a battery of hostile ones.

use super::*;

#[derive(Debug)]
enum Expect {
    Bad,
    NotFound,
    Ok(&'static [&'static str]),
}

fn check(input: &str, expect: &Expect) {
    let got = resolve(input);
    let ok = match (expect, &got) {
        (Expect::Bad, Err(PathError::BadRequest(_))) => true,
        (Expect::NotFound, Err(PathError::NotFound(_))) => true,
        (Expect::Ok(want), Ok(p)) => p.segments() == *want,
        _ => false,
    };
    assert!(ok, "{input:?}: expected {expect:?}, got {got:?}");
    if let Ok(p) = got {
        for s in p.segments() {
            assert!(!s.is_empty() && !s.starts_with('.'), "{input:?} → {s:?}");
            assert!(!s.contains(['/', '\\', '\0']), "{input:?} → {s:?}");
        }
    }
}

#[test]
fn plain_paths_resolve_to_decoded_segments() {
    check("/index.html", &Expect::Ok(&["index.html"]));
    check("/css/site.css", &Expect::Ok(&["css", "site.css"]));
    check("/a%20b.txt", &Expect::Ok(&["a b.txt"]));
    check("/caf%C3%A9.txt", &Expect::Ok(&["café.txt"]));
    check("/docs/", &Expect::Ok(&["docs"]));
    check("/", &Expect::Ok(&[]));
    check("", &Expect::Ok(&[]));
    check("/file.with.dots.js", &Expect::Ok(&["file.with.dots.js"]));
}

#[test]
fn trailing_slash_is_remembered_and_root_forms_differ() {
    assert!(resolve("/docs/").unwrap().trailing_slash());
    assert!(!resolve("/docs").unwrap().trailing_slash());
    assert!(resolve("/").unwrap().trailing_slash());
    assert!(!resolve("").unwrap().trailing_slash());
}

#[test]
fn hostile_paths_are_refused_or_stay_inside_the_mount() {
    use Expect::*;
    let long_path = format!("/{}", "a/".repeat(1100));
    let long_name = format!("/{}", "b".repeat(256));
    let deep = "/d".repeat(33);
    let battery: &[(&str, Expect)] = &[
        // raw parent segments
        ("/..", Bad),
        ("/../", Bad),
        ("/../etc/passwd", Bad),
        ("/a/../../etc/passwd", Bad),
        ("/a/..", Bad),
        ("/static/../..", Bad),
        // percent-encoded dots
        ("/%2e%2e/etc/passwd", Bad),
        ("/%2E%2E/etc/passwd", Bad),
        ("/.%2e/secret", Bad),
        ("/%2e./secret", Bad),
        ("/a/%2e%2e", Bad),
        // encoded slashes and backslashes
        ("/..%2fetc%2fpasswd", Bad),
        ("/%2e%2e%2f%2e%2e%2fetc", Bad),
        ("/a%2fb", Bad),
        ("/a%2Fb", Bad),
        ("/..%5c..%5cwindows", Bad),
        ("/a%5cb", Bad),
        // raw backslashes and mixed separators
        ("/..\\..\\windows\\win.ini", Bad),
        ("/a\\b", Bad),
        ("/a/..\\b", Bad),
        ("\\..\\etc", Bad),
        // NUL and control characters
        ("/index.html%00.png", Bad),
        ("/%00", Bad),
        ("/a\0b", Bad),
        ("/a%0d%0aSet-Cookie:x", Bad),
        ("/tab%09name", Bad),
        ("/del%7f", Bad),
        // malformed escapes
        ("/%", Bad),
        ("/%2", Bad),
        ("/%zz", Bad),
        ("/%%32%65", Bad),
        // overlong / invalid UTF-8 spellings of '.' and '/'
        ("/%c0%ae%c0%ae/etc/passwd", Bad),
        ("/%e0%80%ae%e0%80%ae/x", Bad),
        ("/%c0%af", Bad),
        ("/%ff", Bad),
        // not absolute
        ("index.html", Bad),
        ("etc/passwd", Bad),
        // overlong paths
        (&long_path, Bad),
        (&long_name, NotFound),
        (&deep, NotFound),
        // dot segments and hidden files
        ("/.", NotFound),
        ("/./index.html", NotFound),
        ("/%2e/index.html", NotFound),
        ("/.git/config", NotFound),
        ("/.env", NotFound),
        ("/%2eenv", NotFound),
        ("/a/.hidden/b", NotFound),
        ("/.well-known/x", NotFound),
        ("/...", NotFound),
        // empty interior segments (would otherwise alias other URLs)
        ("//etc/passwd", NotFound),
        ("/a//b", NotFound),
        ("///", NotFound),
        // double-encoded: decoded once, the result is a literal (harmless) name
        ("/%252e%252e/etc/passwd", Ok(&["%2e%2e", "etc", "passwd"])),
        ("/%252e%252e%252fetc", Ok(&["%2e%2e%2fetc"])),
        ("/a%255cb", Ok(&["a%5cb"])),
        ("/%2500", Ok(&["%00"])),
        // look-alikes that are ordinary names on the server
        ("/%ef%bc%8e%ef%bc%8e/x", Ok(&["．．", "x"])),
        // `.. ` starts with a dot: hidden, never a parent reference
        ("/..%20", NotFound),
    ];
    assert!(battery.len() >= 40, "battery has {} paths", battery.len());
    for (input, expect) in battery {
        check(input, expect);
    }
}

#[test]
fn config_paths_accept_missing_leading_slash_and_must_name_a_file() {
    assert_eq!(
        resolve_config("index.html").unwrap().relative(),
        "index.html"
    );
    assert_eq!(
        resolve_config("/errors/404.html").unwrap().relative(),
        "errors/404.html"
    );
    assert!(resolve_config("../secret").is_err());
    assert!(resolve_config("/").is_err());
    assert!(resolve_config("dir/").is_err());
}

#[test]
fn sidecar_and_child_paths_extend_the_last_name() {
    let p = resolve("/css/site.css").unwrap();
    assert_eq!(p.with_suffix(".br").unwrap().relative(), "css/site.css.br");
    assert_eq!(SafePath::root().with_suffix(".gz"), None);
    assert_eq!(
        resolve("/docs/").unwrap().child("index.html").relative(),
        "docs/index.html"
    );
}
