//! URI-template selectors against their own expansions: a template built
//! from arbitrary literals and expressions (every RFC 6570 operator, lists
//! of variables, `*` and `:n` modifiers) matches every expansion of it with
//! arbitrary values, percent-encoded as RFC 6570 does; the work stays within
//! `2 × (bytes + 1) × states`, and matching the template against a long
//! expansion grows linearly with its length.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mercure_hub::protocol::selector::Selector;
use spin_sse_fuzz::assert_linear;
use std::time::Duration;

#[derive(Arbitrary, Debug)]
enum Part {
    Literal(String),
    Expression {
        operator: u8,
        variables: Vec<Variable>,
    },
}

#[derive(Arbitrary, Debug)]
struct Variable {
    name: Vec<u8>,
    modifier: u8,
    value: String,
}

const OPERATORS: [&str; 8] = ["", "+", "#", ".", "/", ";", "?", "&"];

/// A valid varname from arbitrary bytes: letters, digits, `_`, single dots
/// inside, and `%XX` escapes.
fn varname(raw: &[u8]) -> String {
    let mut name = String::new();
    for &byte in raw.iter().take(12) {
        match byte % 40 {
            b @ 0..=25 => name.push(char::from(b'a' + b)),
            b @ 26..=35 => name.push(char::from(b'0' + b - 26)),
            36 => name.push('_'),
            37 if !name.is_empty() && !name.ends_with('.') => name.push('.'),
            38 => name.push_str("%2F"),
            _ => {}
        }
    }
    let name = name.trim_end_matches('.').to_owned();
    if name.is_empty() {
        "v".to_owned()
    } else {
        name
    }
}

fn encode(value: &str, reserved: bool) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        let unreserved = byte.is_ascii_alphanumeric() || b"-._~".contains(&byte);
        let kept = unreserved || (reserved && b":/?#[]@!$&'()*+,;=".contains(&byte));
        if kept {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The template text and one expansion of it.
fn build(parts: &[Part]) -> (String, String) {
    let (mut template, mut expansion) = (String::new(), String::new());
    for part in parts {
        match part {
            Part::Literal(text) => {
                let text: String = text.chars().filter(|c| !matches!(c, '{' | '}')).collect();
                template.push_str(&text);
                expansion.push_str(&text);
            }
            Part::Expression {
                operator,
                variables,
            } if !variables.is_empty() => {
                let op = OPERATORS[usize::from(*operator) % OPERATORS.len()];
                let (first, separator, named, empty_eq, reserved) = match op {
                    "" => ("", ",", false, false, false),
                    "+" => ("", ",", false, false, true),
                    "#" => ("#", ",", false, false, true),
                    "." => (".", ".", false, false, false),
                    "/" => ("/", "/", false, false, false),
                    ";" => (";", ";", true, false, false),
                    "?" => ("?", "&", true, true, false),
                    _ => ("&", "&", true, true, false),
                };
                let mut specs = Vec::new();
                let mut values = Vec::new();
                for variable in variables.iter().take(4) {
                    let name = varname(&variable.name);
                    let (modifier, prefix) = match variable.modifier % 4 {
                        0 => (String::new(), None),
                        1 => ("*".to_owned(), None),
                        n => {
                            let len = usize::from(variable.modifier / 4 % 20) + usize::from(n - 1);
                            (format!(":{len}"), Some(len))
                        }
                    };
                    specs.push(format!("{name}{modifier}"));
                    let value: String = match prefix {
                        Some(len) => variable.value.chars().take(len).collect(),
                        None => variable.value.clone(),
                    };
                    let value = encode(&value, reserved);
                    values.push(match (named, value.is_empty()) {
                        (false, _) => value,
                        (true, true) if !empty_eq => name,
                        (true, _) => format!("{name}={value}"),
                    });
                }
                template.push_str(&format!("{{{op}{}}}", specs.join(",")));
                expansion.push_str(first);
                expansion.push_str(&values.join(separator));
            }
            Part::Expression { .. } => {}
        }
    }
    (template, expansion)
}

fuzz_target!(|parts: Vec<Part>| {
    let (template, expansion) = build(&parts);
    let selector = Selector::new(&template);
    let states = selector.state_count();
    let (matched, visits) = selector.matches_counting(&expansion);
    assert!(
        matched,
        "{template:?} does not match its expansion {expansion:?}"
    );
    assert!(visits <= 2 * (expansion.len() + 1) * states.max(1));

    // The same template repeated many times against its repeated expansion.
    if states > 0 && !expansion.is_empty() && template.len() < 256 {
        let copies = 16;
        let long_selector = Selector::new(&template.repeat(copies));
        let long = expansion.repeat(copies);
        assert!(long_selector.matches(&long));
        let unit = expansion.len();
        let reps = (1024 / unit).max(1);
        let longer = expansion.repeat(2 * reps);
        assert_linear(reps, 4, Duration::from_millis(2), |n| {
            std::hint::black_box(selector.matches(&longer[..n * unit]));
        });
    }
});
