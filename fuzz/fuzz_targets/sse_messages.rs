//! `SSE_MESSAGES`: the component's JSON reader accepts exactly what
//! serde_json accepts as an array of strings and returns the same strings;
//! its writer writes what serde_json writes, and reads back unchanged.
//! The whole setting (`Settings::from_vars`) keeps its bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spin_sse::config::{self, Settings};
use spin_sse::json_strings;
use spin_sse_fuzz::assert_one_line;

fuzz_target!(|input: &str| {
    let ours = json_strings::parse(input);
    let oracle = serde_json::from_str::<Vec<String>>(input);
    match (&ours, &oracle) {
        (Ok(ours), Ok(oracle)) => assert_eq!(ours, oracle),
        (Err(error), Err(_)) => {
            assert!(
                error.at <= input.len(),
                "error offset {} past the input",
                error.at
            );
            assert_one_line(&error.to_string());
        }
        _ => panic!("reader and serde_json disagree on {input:?}: {ours:?} vs {oracle:?}"),
    }

    let mut written = String::new();
    json_strings::write_string(&mut written, input);
    assert_eq!(written, serde_json::to_string(input).unwrap());
    let array = format!("[{written}]");
    assert_eq!(json_strings::parse(&array).unwrap(), [input]);

    match Settings::from_vars(|name| (name == config::ENV_MESSAGES).then(|| input.to_owned())) {
        Ok(settings) => {
            assert!(!settings.messages.is_empty());
            assert!(settings.messages.len() as u64 <= *config::COUNT.end());
            assert_eq!(Some(&settings.messages), oracle.as_ref().ok());
        }
        Err(error) => assert_one_line(&error.to_string()),
    }
});
