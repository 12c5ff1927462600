//! Unit tests for the JSON string-array reader, and property tests that
//! compare it with serde_json on valid, mangled and JSON-looking inputs.

use super::*;
use proptest::prelude::*;

fn oracle(input: &str) -> Option<Vec<String>> {
    serde_json::from_str::<Vec<String>>(input).ok()
}

#[test]
fn reads_the_seed_messages() {
    let input = r#"["Look, Ma'! I'm streaming!", "Bye now!"]"#;
    assert_eq!(
        parse(input).unwrap(),
        ["Look, Ma'! I'm streaming!", "Bye now!"]
    );
}

#[test]
fn reads_an_empty_array_and_surrounding_whitespace() {
    assert_eq!(parse(" \t\r\n[ ]\n").unwrap(), Vec::<String>::new());
}

#[test]
fn decodes_every_escape() {
    let input = r#"["\"\\\/\b\f\n\r\t\u00e9\u20AC\ud83d\ude00"]"#;
    assert_eq!(parse(input).unwrap(), ["\"\\/\u{8}\u{c}\n\r\té€😀"]);
}

#[test]
fn rejects_a_trailing_comma() {
    assert_eq!(
        parse(r#"["a",]"#),
        Err(JsonError {
            at: 5,
            expected: "a string"
        })
    );
}

#[test]
fn rejects_non_string_items() {
    assert!(parse("[1]").is_err());
    assert!(parse("[null]").is_err());
    assert!(parse(r#"[["a"]]"#).is_err());
}

#[test]
fn rejects_text_after_the_array() {
    let err = parse(r#"["a"] x"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected the end of the input after `]` at byte 6"
    );
}

#[test]
fn rejects_an_unterminated_string() {
    assert_eq!(parse(r#"["abc"#).unwrap_err().at, 5);
}

#[test]
fn rejects_raw_control_characters_in_strings() {
    assert!(parse("[\"a\nb\"]").is_err());
}

#[test]
fn rejects_lone_and_mismatched_surrogates() {
    for input in [
        r#"["\ud800"]"#,
        r#"["\udc00"]"#,
        r#"["\ud800\u0041"]"#,
        r#"["\ud800x"]"#,
    ] {
        assert!(parse(input).is_err(), "{input} must be rejected");
    }
}

#[test]
fn rejects_short_or_non_hex_unicode_escapes() {
    assert!(parse(r#"["\u12"]"#).is_err());
    assert!(parse(r#"["\u12g4"]"#).is_err());
    assert!(parse(r#"["\u+123"]"#).is_err());
}

#[test]
fn rejects_an_object_or_a_bare_string() {
    assert!(parse(r#"{"a":"b"}"#).is_err());
    assert!(parse(r#""a""#).is_err());
    assert!(parse("").is_err());
}

/// JSON-looking text from the characters that matter to the grammar.
fn json_alphabet_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("["),
        Just("]"),
        Just(","),
        Just("\""),
        Just("\\"),
        Just("u"),
        Just("d8"),
        Just("dc"),
        Just("00"),
        Just("3d"),
        Just("n"),
        Just("/"),
        Just(" "),
        Just("\n"),
        Just("\u{1}"),
        Just("x"),
        Just("é"),
        Just("1"),
        Just("\"a\""),
        Just("\\u"),
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|p| p.concat())
}

/// A valid document with one edit: a character inserted, removed or replaced.
fn mangled_document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(any::<String>(), 0..4),
        any::<prop::sample::Index>(),
        0..3u8,
        prop_oneof![
            Just('"'),
            Just('\\'),
            Just(','),
            Just(']'),
            Just('u'),
            any::<char>()
        ],
    )
        .prop_map(|(strings, index, edit, c)| {
            let mut chars: Vec<char> = serde_json::to_string(&strings).unwrap().chars().collect();
            let at = index.index(chars.len() + 1);
            match edit {
                0 => chars.insert(at, c),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ if at < chars.len() => chars[at] = c,
                _ => chars.push(c),
            }
            chars.into_iter().collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn any_string_list_serialised_by_serde_json_reads_back(strings in prop::collection::vec(any::<String>(), 0..6)) {
        let json = serde_json::to_string(&strings).unwrap();
        prop_assert_eq!(parse(&json), Ok(strings.clone()));
        let pretty = serde_json::to_string_pretty(&strings).unwrap();
        prop_assert_eq!(parse(&pretty), Ok(strings));
    }

    #[test]
    fn agrees_with_serde_json_on_mangled_documents(input in mangled_document()) {
        prop_assert_eq!(parse(&input).ok(), oracle(&input), "input: {:?}", input);
    }

    #[test]
    fn agrees_with_serde_json_on_json_looking_text(input in json_alphabet_text()) {
        prop_assert_eq!(parse(&input).ok(), oracle(&input), "input: {:?}", input);
    }

    #[test]
    fn never_panics_on_any_text(input in any::<String>()) {
        prop_assert_eq!(parse(&input).ok(), oracle(&input));
    }

    #[test]
    fn any_string_is_written_as_serde_json_writes_it(text in any::<String>()) {
        let mut written = String::new();
        write_string(&mut written, &text);
        prop_assert_eq!(&written, &serde_json::to_string(&text).unwrap());
    }
}

#[test]
fn control_characters_are_escaped_quotes_and_backslashes_too() {
    let mut written = String::new();
    write_string(&mut written, "a\"b\\c\n\r\t\u{8}\u{c}\u{7}\u{1f}\u{7f}é");
    assert_eq!(
        written,
        "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0007\\u001f\u{7f}é\""
    );
}
