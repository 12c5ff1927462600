//! Topic selectors: `*` and the identical topic always match, a selector
//! that is not a template matches nothing else, the NFA's work is at most
//! `2 × (topic bytes + 1) × states` (counted by the hub itself), and the
//! time to match grows linearly with the topic (n against 2n bytes, with
//! a generous factor); the request bounds (1000 selectors, 2048 bytes)
//! hold in `from_query`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mercure_hub::protocol::selector::{
    self, Selector, SelectorError, MAX_SELECTORS, MAX_SELECTOR_BYTES,
};
use spin_sse_fuzz::{assert_linear, text_fields};
use std::time::Duration;

struct Input<'a> {
    selector: &'a str,
    topic: &'a str,
    query: Vec<(bool, &'a str)>,
}

// Fields (split at 0xFF): a selector, a topic, then a subscribe
// request's `topic` values (`other:` marks another parameter).
fuzz_target!(|data: &[u8]| {
    let fields = text_fields(data);
    let (Some(&selector), Some(&topic)) = (fields.first(), fields.get(1)) else {
        return;
    };
    let query = fields[2..]
        .iter()
        .map(|f| match f.strip_prefix("other:") {
            Some(value) => (false, value),
            None => (true, *f),
        })
        .collect();
    let input = Input {
        selector,
        topic,
        query,
    };
    let selector = Selector::new(input.selector);
    assert_eq!(selector.as_str(), input.selector);
    assert!(
        selector.matches(input.selector),
        "a selector matches itself"
    );
    assert!(Selector::new("*").matches(input.topic));
    let states = selector.state_count();
    let (matched, visits) = selector.matches_counting(input.topic);
    assert_eq!(matched, selector.matches(input.topic));
    if states == 0 {
        assert_eq!(
            matched,
            input.selector == "*" || input.selector == input.topic
        );
    }
    assert!(
        visits <= 2 * (input.topic.len() + 1) * states.max(1),
        "{visits} visits for {states} states and {} bytes",
        input.topic.len()
    );

    // Linear in the topic: the topic repeated to about 1 and 2 KiB.
    if states > 0 && !input.topic.is_empty() {
        let unit = input.topic.len();
        let reps = (1024 / unit).max(1);
        let long = input.topic.repeat(2 * reps);
        assert_linear(reps, 4, Duration::from_millis(2), |n| {
            std::hint::black_box(selector.matches(&long[..n * unit]));
        });
        let (_, long_visits) = selector.matches_counting(&long);
        assert!(long_visits <= 2 * (long.len() + 1) * states);
    }

    let query: Vec<(String, String)> = input
        .query
        .iter()
        .map(|(is_topic, value)| {
            let name = if *is_topic { "topic" } else { "other" };
            (name.to_owned(), value.to_string())
        })
        .collect();
    let topics: Vec<&String> = query
        .iter()
        .filter(|(n, _)| n == "topic")
        .map(|(_, v)| v)
        .collect();
    match selector::from_query(&query) {
        Ok(selectors) => {
            assert_eq!(selectors.len(), topics.len());
            assert!((1..=MAX_SELECTORS).contains(&selectors.len()));
            for (compiled, text) in selectors.iter().zip(&topics) {
                assert_eq!(compiled.as_str(), text.as_str());
                assert!(text.len() <= MAX_SELECTOR_BYTES);
            }
        }
        Err(SelectorError::Missing) => assert!(topics.is_empty()),
        Err(SelectorError::TooMany(n)) => assert!(n > MAX_SELECTORS && topics.len() >= n),
        Err(SelectorError::TooLong(len)) => {
            assert!(len > MAX_SELECTOR_BYTES && topics.iter().any(|t| t.len() == len))
        }
    }
});
