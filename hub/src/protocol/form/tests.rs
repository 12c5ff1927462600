use super::*;

fn ok(body: &str) -> Publication {
    parse(body.as_bytes()).unwrap()
}

fn err(body: &str) -> FormError {
    parse(body.as_bytes()).unwrap_err()
}

#[test]
fn every_field_is_read_and_decoded() {
    let p = ok("topic=https%3A%2F%2Fexample.com%2Fbooks%2F1&topic=%2Falt&data=a+b%0Ac&id=%23x1&type=up&retry=3000&private=on");
    assert_eq!(p.topics, ["https://example.com/books/1", "/alt"]);
    assert_eq!(p.data, "a b\nc");
    assert_eq!(p.id.as_deref(), Some("#x1"));
    assert_eq!(p.event_type, "up");
    assert_eq!(p.retry, 3000);
    assert!(p.private);
}

#[test]
fn optional_fields_default_and_first_value_wins() {
    let p = ok("topic=a&id=&unknown=1");
    assert_eq!(
        (
            p.data.as_str(),
            p.id,
            p.event_type.as_str(),
            p.retry,
            p.private
        ),
        ("", None, "", 0, false)
    );
    let p = ok("topic=a&id=one&id=two&data=1&data=2&private=");
    assert_eq!(
        (p.id.as_deref(), p.data.as_str(), p.private),
        (Some("one"), "1", true)
    );
}

#[test]
fn topic_is_required_and_bounded() {
    assert_eq!(err("data=x"), FormError::MissingTopic);
    assert_eq!(err(""), FormError::MissingTopic);
    let many = "topic=a&".repeat(MAX_SELECTORS + 1);
    assert_eq!(err(&many), FormError::TooManyTopics(MAX_SELECTORS + 1));
    assert!(parse("topic=a&".repeat(MAX_SELECTORS).as_bytes()).is_ok());
    assert_eq!(
        err("topic=/x/.well-known/mercure/subscriptions").status(),
        403
    );
}

#[test]
fn bad_ids_types_and_retries_are_400() {
    for body in [
        "topic=a&id=a%0Ab",
        "topic=a&id=a%0Db",
        "topic=a&id=a%00b",
        "topic=a&id=earliest",
    ] {
        let error = err(body);
        assert!(matches!(error, FormError::BadId(_)), "{body}: {error:?}");
        assert_eq!(error.status(), 400);
    }
    assert_eq!(err("topic=a&type=x%0Aid:1"), FormError::BadType);
    for retry in ["-1", "1.5", "abc", "%201", "99999999999999999999999"] {
        assert!(
            matches!(
                err(&format!("topic=a&retry={retry}")),
                FormError::BadRetry(_)
            ),
            "{retry}"
        );
    }
}

#[test]
fn oversized_body_and_fields_are_413_with_a_reason() {
    let body = format!("topic=a&data={}", "x".repeat(MAX_BODY_BYTES));
    let error = err(&body);
    assert_eq!(error.status(), 413);
    assert!(error.to_string().starts_with("\"body\" is "), "{error}");
    let long_topic = format!("topic={}", "t".repeat(MAX_SELECTOR_BYTES + 1));
    assert_eq!(err(&long_topic).status(), 413);
    let long_id = format!("topic=a&id={}", "i".repeat(MAX_ID_BYTES + 1));
    assert_eq!(
        err(&long_id).to_string(),
        format!(
            "\"id\" is {} bytes long, at most {MAX_ID_BYTES}",
            MAX_ID_BYTES + 1
        )
    );
    let long_type = format!("topic=a&type={}", "y".repeat(MAX_TYPE_BYTES + 1));
    assert_eq!(err(&long_type).status(), 413);
}

#[test]
fn hostile_bodies_never_panic() {
    for body in [
        "%",
        "%zz=%",
        "&&&==&",
        "topic",
        "topic=%FF%FE",
        "=x&topic=%E2%82",
    ] {
        let _ = parse(body.as_bytes());
    }
    assert_eq!(ok("topic=%FF").topics.len(), 1);
}
