use super::*;

fn matches(selector: &str, topic: &str) -> bool {
    Selector::new(selector).matches(topic)
}

#[test]
fn star_matches_everything_and_exact_matches_itself() {
    assert!(matches("*", "https://example.com/books/1"));
    assert!(matches("*", ""));
    assert!(matches("https://example.com/a", "https://example.com/a"));
    assert!(!matches("https://example.com/a", "https://example.com/b"));
    assert!(!matches("https://example.com/a", "https://example.com/a/"));
}

#[test]
fn simple_expression_matches_one_path_segment() {
    let books = "https://example.com/books/{id}";
    assert!(matches(books, "https://example.com/books/1"));
    assert!(matches(
        books,
        "https://example.com/books/the-best_book~2.0"
    ));
    assert!(matches(books, "https://example.com/books/caf%C3%A9"));
    assert!(
        matches(books, "https://example.com/books/"),
        "empty expansion"
    );
    assert!(!matches(books, "https://example.com/books/1/reviews"));
    assert!(!matches(books, "https://example.com/books/a b"));
    assert!(
        !matches(books, "https://example.com/books/50%"),
        "a lone % is no escape"
    );
    assert!(!matches(books, "https://example.com/book/1"));
    assert!(matches(
        "https://example.com/{a}/x/{b}",
        "https://example.com/1/x/2"
    ));
    assert!(!matches(
        "https://example.com/{a}/x/{b}",
        "https://example.com/1/y/2"
    ));
}

#[test]
fn reserved_and_fragment_expressions_span_slashes() {
    assert!(matches(
        "https://example.com/{+path}",
        "https://example.com/a/b/c?d=e"
    ));
    assert!(matches(
        "https://example.com/x{#frag}",
        "https://example.com/x#top/1"
    ));
    assert!(matches(
        "https://example.com/x{#frag}",
        "https://example.com/x"
    ));
    assert!(!matches(
        "https://example.com/x{#frag}",
        "https://example.com/xtop"
    ));
}

#[test]
fn prefixed_operators_need_their_leading_character() {
    assert!(matches("/books{/id}", "/books/1"));
    assert!(matches("/books{/id*}", "/books/1/2"));
    assert!(!matches("/books{/id}", "/books1"));
    assert!(matches("/books{?page,size}", "/books?page=1&size=2"));
    assert!(matches("/books{?page}{&size}", "/books?page=1&size=2"));
    assert!(matches("/file{.ext}", "/file.json"));
    assert!(matches("/map{;x,y}", "/map;x=1;y=2"));
    assert!(matches("/books{?page}", "/books"), "empty expansion");
}

#[test]
fn invalid_templates_match_only_themselves() {
    for text in [
        "https://example.com/{id",
        "https://example.com/id}",
        "https://example.com/{}",
        "https://example.com/{=bad}",
        "https://example.com/{a b}",
        "https://example.com/{.}",
        "https://example.com/{a:0}",
        "https://example.com/{a:12345}",
        "https://example.com/{{id}}",
    ] {
        let selector = Selector::new(text);
        assert_eq!(selector.state_count(), 0, "{text} should not compile");
        assert!(selector.matches(text));
        assert!(!selector.matches("https://example.com/1"));
    }
}

#[test]
fn modifiers_and_encoded_names_parse() {
    assert!(
        matches("/x/{name:3}", "/x/abcdef"),
        "length is not enforced"
    );
    assert!(matches("/x/{list*}", "/x/a,b"));
    assert!(matches("/x/{a%20b}", "/x/1"));
    assert!(matches("/x/{a.b,c}", "/x/1,2"));
}

#[test]
fn pathological_templates_stay_within_the_linear_bound() {
    let hostile = [
        "{a}".repeat(600),
        format!("{}x", "{+a}".repeat(400)),
        format!("{}b", "{a}a".repeat(400)),
        "{?a}{&b}{;c}{/d}{.e}{#f}".repeat(60),
    ];
    let topics = [
        "a".repeat(MAX_SELECTOR_BYTES),
        format!("{}!", "a".repeat(MAX_SELECTOR_BYTES - 1)),
        "%4".repeat(MAX_SELECTOR_BYTES / 2),
        "/".repeat(MAX_SELECTOR_BYTES),
    ];
    for template in &hostile {
        assert!(template.len() <= MAX_SELECTOR_BYTES + 1);
        let selector = Selector::new(template);
        let states = selector.state_count();
        assert!(states > 0, "{template:.20} should compile");
        for topic in &topics {
            let (_, visits) = selector.matches_counting(topic);
            assert!(
                visits <= 2 * (topic.len() + 1) * states,
                "{visits} visits for {states} states and {} bytes",
                topic.len()
            );
        }
    }
}

#[test]
fn backtracking_classic_is_answered_correctly() {
    // (a*)*b against aaaa…c: a backtracking engine takes exponential time.
    let selector = Selector::new(&format!("{}b", "{a}".repeat(30)));
    assert!(!selector.matches(&"a".repeat(2000)));
    assert!(selector.matches(&format!("{}b", "a".repeat(2000))));
}

#[test]
fn compile_all_enforces_count_and_length_bounds() {
    assert_eq!(compile_all([]), Err(SelectorError::Missing));
    let many = vec!["a"; MAX_SELECTORS + 1];
    assert_eq!(
        compile_all(many.iter().copied()),
        Err(SelectorError::TooMany(MAX_SELECTORS + 1))
    );
    assert!(compile_all(vec!["a"; MAX_SELECTORS].into_iter()).is_ok());
    let long = "a".repeat(MAX_SELECTOR_BYTES + 1);
    assert_eq!(
        compile_all([long.as_str()]),
        Err(SelectorError::TooLong(MAX_SELECTOR_BYTES + 1))
    );
    assert_eq!(
        SelectorError::Missing.to_string(),
        "missing \"topic\" parameter"
    );
}

#[test]
fn any_matches_checks_every_topic_against_every_selector() {
    let selectors = compile_all(["/a/{x}", "/b"]).unwrap();
    assert!(any_matches(&selectors, &["/c".into(), "/b".into()]));
    assert!(any_matches(&selectors, &["/a/1".into()]));
    assert!(!any_matches(&selectors, &["/c".into(), "/a/1/2".into()]));
    assert!(!any_matches(&selectors, &[]));
}

#[test]
fn a_requests_selectors_are_its_topic_parameters() {
    let query: Vec<(String, String)> = [
        ("topic", "https://a/1"),
        ("lastEventID", "x"),
        ("topic", "*"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    let selectors = from_query(&query).unwrap();
    let texts: Vec<&str> = selectors.iter().map(|s| s.as_str()).collect();
    assert_eq!(texts, ["https://a/1", "*"]);
    assert_eq!(from_query(&[]).unwrap_err(), SelectorError::Missing);
}
