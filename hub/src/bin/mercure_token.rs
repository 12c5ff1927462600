//! `mercure-token`: prints an HS256 token for the hub, signed with the
//! hub's own `token` module (for scripts/up and manual testing).
//!
//! ```text
//! mercure-token <key> publish|subscribe [SELECTOR...]   (default selector: *)
//! ```

use mercure_hub::auth::token;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(key), Some(role)) = (args.first(), args.get(1)) else {
        return usage("missing arguments");
    };
    if role != "publish" && role != "subscribe" {
        return usage(&format!("role must be publish or subscribe, got {role:?}"));
    }
    if key.is_empty() {
        return usage("the key is empty");
    }
    let selectors: Vec<&str> = match &args[2..] {
        [] => vec!["*"],
        rest => rest.iter().map(String::as_str).collect(),
    };
    let claims = serde_json::json!({ "mercure": { role.as_str(): selectors } });
    println!("{}", token::sign(&claims, key.as_bytes()));
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("mercure-token: {problem}");
    eprintln!("usage: mercure-token <key> publish|subscribe [SELECTOR...]");
    ExitCode::from(2)
}
