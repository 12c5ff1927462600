//! Unit tests for the encoder: exact bytes for each field and for every
//! input that could try to break the framing.

use super::*;

#[test]
fn empty_event_is_a_single_blank_line() {
    assert_eq!(Event::new().into_string(), "\n");
}

#[test]
fn fields_are_written_in_the_order_they_are_added() {
    let frame = Event::new()
        .data("x")
        .event("tick")
        .id("1")
        .retry(Duration::from_millis(250))
        .into_string();
    assert_eq!(frame, "data: x\nevent: tick\nid: 1\nretry: 250\n\n");
}

#[test]
fn seed_message_event_has_id_type_and_json_data() {
    let frame = Event::new()
        .id("1")
        .event("message")
        .data(r#"{"message":"Look, Ma'! I'm streaming!"}"#)
        .into_string();
    assert_eq!(
        frame,
        "id: 1\nevent: message\ndata: {\"message\":\"Look, Ma'! I'm streaming!\"}\n\n"
    );
}

#[test]
fn multi_line_data_becomes_one_data_line_per_line() {
    let frame = Event::new().data("a\nb\nc").into_string();
    assert_eq!(frame, "data: a\ndata: b\ndata: c\n\n");
}

#[test]
fn cr_lf_and_crlf_all_break_data_lines() {
    let frame = Event::new().data("a\rb\nc\r\nd").into_string();
    assert_eq!(frame, "data: a\ndata: b\ndata: c\ndata: d\n\n");
}

#[test]
fn lf_cr_is_two_line_breaks_not_one() {
    // Parsers read "\n\r" as LF then CR: an empty line in between.
    let frame = Event::new().data("a\n\rb").into_string();
    assert_eq!(frame, "data: a\ndata:\ndata: b\n\n");
}

#[test]
fn trailing_line_break_in_data_keeps_an_empty_last_line() {
    let frame = Event::new().data("a\n").into_string();
    assert_eq!(frame, "data: a\ndata:\n\n");
}

#[test]
fn empty_data_still_writes_one_data_line() {
    assert_eq!(Event::new().data("").into_string(), "data:\n\n");
}

#[test]
fn data_looking_like_fields_stays_inside_data_lines() {
    let frame = Event::new()
        .data("x\n\nid: 666\nevent: evil\n\ndata: y")
        .into_string();
    assert_eq!(
        frame,
        "data: x\ndata:\ndata: id: 666\ndata: event: evil\ndata:\ndata: data: y\n\n"
    );
}

#[test]
fn leading_spaces_in_values_survive_the_parser_space_strip() {
    let frame = Event::new().id(" 1").data("  two").into_string();
    assert_eq!(frame, "id:  1\ndata:   two\n\n");
}

#[test]
fn newlines_in_id_are_stripped() {
    let frame = Event::new().id("1\n\ndata: injected\r\n").into_string();
    assert_eq!(frame, "id: 1data: injected\n\n");
}

#[test]
fn nul_in_id_is_stripped_so_clients_keep_the_field() {
    assert_eq!(Event::new().id("4\u{0}2").into_string(), "id: 42\n\n");
}

#[test]
fn newlines_and_nul_in_event_name_are_stripped() {
    let frame = Event::new().event("up\r\ndate\0\n").into_string();
    assert_eq!(frame, "event: update\n\n");
}

#[test]
fn id_made_only_of_stripped_characters_is_an_empty_id() {
    assert_eq!(Event::new().id("\r\n\0").into_string(), "id:\n\n");
}

#[test]
fn comment_is_a_colon_line() {
    let frame = Event::new().comment("keep-alive").into_string();
    assert_eq!(frame, ": keep-alive\n\n");
}

#[test]
fn multi_line_comment_stays_a_comment_on_every_line() {
    let frame = Event::new().comment("a\r\ndata: no\rb").into_string();
    assert_eq!(frame, ": a\n: data: no\n: b\n\n");
}

#[test]
fn retry_is_written_in_whole_milliseconds() {
    let frame = Event::new()
        .retry(Duration::from_micros(1_500_900))
        .into_string();
    assert_eq!(frame, "retry: 1500\n\n");
}

#[test]
fn into_bytes_matches_into_string() {
    let event = Event::new().id("9").data("é");
    assert_eq!(event.clone().into_bytes(), event.into_string().into_bytes());
}

#[test]
fn lines_splits_like_an_sse_parser() {
    let split: Vec<&str> = lines("a\r\n\r\nb\r\rc\n").collect();
    assert_eq!(split, ["a", "", "b", "", "c", ""]);
    assert_eq!(lines("").collect::<Vec<_>>(), [""]);
    assert_eq!(lines("\r\n").collect::<Vec<_>>(), ["", ""]);
}
