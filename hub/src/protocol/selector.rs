//! Topic selectors as the Mercure hub v0.24 matches them: `*` matches every
//! topic, any selector matches the identical topic, and a selector that
//! parses as an RFC 6570 URI template also matches every topic the template
//! can expand to.
//!
//! Templates compile to a small NFA (literal bytes, and one character class
//! per expression) that is simulated over the topic's bytes: the work is at
//! most `(topic length + 1) × states`, with no backtracking on client input.
//! Strings that are not valid templates (unclosed `{`, reserved operators,
//! bad variable names) match only themselves, as in the reference hub.
//!
//! Expressions match the characters their expansion can produce:
//! `{var}` unreserved characters, `,` and `%XX` (so not `/`), `{+var}` and
//! `{#var}` also the reserved ones, and `{.x}`, `{/x}`, `{;x}`, `{?x}`,
//! `{&x}` their leading character followed by values and separators. The
//! prefix modifier `{var:3}` is accepted but its length is not enforced.

use std::fmt;

/// Most selectors per subscription (the reference hub's limit).
pub const MAX_SELECTORS: usize = 1000;
/// Longest selector or topic, in bytes.
pub const MAX_SELECTOR_BYTES: usize = 2048;

/// A selector the request cannot use; `Display` is the 400 reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectorError {
    /// No `topic` at all.
    Missing,
    /// More than [`MAX_SELECTORS`].
    TooMany(usize),
    /// A selector longer than [`MAX_SELECTOR_BYTES`].
    TooLong(usize),
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => write!(f, "missing \"topic\" parameter"),
            Self::TooMany(count) => write!(
                f,
                "too many \"topic\" parameters: {count}, at most {MAX_SELECTORS}"
            ),
            Self::TooLong(len) => write!(
                f,
                "a \"topic\" parameter is {len} bytes long, at most {MAX_SELECTOR_BYTES}"
            ),
        }
    }
}

/// One compiled selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    text: String,
    template: Option<Vec<Token>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(Vec<u8>),
    Expression(Operator),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Simple,
    Reserved,
    Fragment,
    Label,
    Path,
    PathParam,
    Query,
    QueryContinue,
}

impl Selector {
    /// Compiles `text`; never fails (a non-template matches exactly).
    pub fn new(text: &str) -> Self {
        let template = if text.contains('{') {
            parse_template(text)
        } else {
            None
        };
        Self {
            text: text.to_owned(),
            template,
        }
    }

    /// The selector as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `topic` is selected.
    pub fn matches(&self, topic: &str) -> bool {
        self.matches_counting(topic).0
    }

    /// [`Self::matches`] and the number of NFA state visits it took, so
    /// tests can check the linear bound without timing anything.
    pub fn matches_counting(&self, topic: &str) -> (bool, usize) {
        if self.text == "*" || self.text == topic {
            return (true, 0);
        }
        match &self.template {
            Some(tokens) => Nfa::new(tokens).run(topic.as_bytes()),
            None => (false, 0),
        }
    }

    /// NFA states of this selector (0 when it is not a template).
    pub fn state_count(&self) -> usize {
        self.template.as_ref().map_or(0, |t| Nfa::new(t).accept + 1)
    }
}

/// The selectors of a subscribe request's `topic` query parameters.
pub fn from_query(query: &[(String, String)]) -> Result<Vec<Selector>, SelectorError> {
    compile_all(
        query
            .iter()
            .filter(|(n, _)| n == "topic")
            .map(|(_, v)| v.as_str()),
    )
}

/// Compiles a request's selectors, checking the count and length bounds.
pub fn compile_all<'a>(
    texts: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Selector>, SelectorError> {
    let mut selectors = Vec::new();
    for text in texts {
        if text.len() > MAX_SELECTOR_BYTES {
            return Err(SelectorError::TooLong(text.len()));
        }
        selectors.push(Selector::new(text));
        if selectors.len() > MAX_SELECTORS {
            return Err(SelectorError::TooMany(selectors.len()));
        }
    }
    if selectors.is_empty() {
        return Err(SelectorError::Missing);
    }
    Ok(selectors)
}

/// Whether any of `topics` is selected by any of `selectors`.
pub fn any_matches(selectors: &[Selector], topics: &[String]) -> bool {
    topics
        .iter()
        .any(|topic| selectors.iter().any(|s| s.matches(topic)))
}

fn parse_template(text: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            Some(at) if rest.as_bytes()[at] == b'}' => return None,
            Some(at) => {
                if at > 0 {
                    tokens.push(Token::Literal(rest.as_bytes()[..at].to_vec()));
                }
                let after = &rest[at + 1..];
                let close = after.find('}')?;
                tokens.push(Token::Expression(parse_expression(&after[..close])?));
                rest = &after[close + 1..];
            }
            None => {
                tokens.push(Token::Literal(rest.as_bytes().to_vec()));
                rest = "";
            }
        }
    }
    Some(tokens)
}

/// `op? varspec ("," varspec)*` (the inside of the braces).
fn parse_expression(inner: &str) -> Option<Operator> {
    let (operator, list) = match inner.as_bytes().first()? {
        b'+' => (Operator::Reserved, &inner[1..]),
        b'#' => (Operator::Fragment, &inner[1..]),
        b'.' => (Operator::Label, &inner[1..]),
        b'/' => (Operator::Path, &inner[1..]),
        b';' => (Operator::PathParam, &inner[1..]),
        b'?' => (Operator::Query, &inner[1..]),
        b'&' => (Operator::QueryContinue, &inner[1..]),
        _ => (Operator::Simple, inner),
    };
    list.split(',').all(valid_varspec).then_some(operator)
}

fn valid_varspec(spec: &str) -> bool {
    let (name, modifier) = match spec.find([':', '*']) {
        Some(at) => (&spec[..at], &spec[at..]),
        None => (spec, ""),
    };
    let modifier_ok = match modifier.as_bytes() {
        [] | [b'*'] => true,
        [b':', digits @ ..] => {
            (1..=4).contains(&digits.len())
                && digits[0] != b'0'
                && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    };
    modifier_ok && valid_varname(name.as_bytes())
}

fn valid_varname(name: &[u8]) -> bool {
    let mut i = 0;
    let mut previous_dot = true; // a name cannot start with '.'
    while i < name.len() {
        match name[i] {
            b'%' if name.len() > i + 2
                && name[i + 1].is_ascii_hexdigit()
                && name[i + 2].is_ascii_hexdigit() =>
            {
                i += 3;
                previous_dot = false;
                continue;
            }
            b'.' if !previous_dot => previous_dot = true,
            c if c.is_ascii_alphanumeric() || c == b'_' => previous_dot = false,
            _ => return false,
        }
        i += 1;
    }
    !name.is_empty() && !previous_dot
}

impl Operator {
    /// The character a non-empty expansion starts with.
    fn first(self) -> Option<u8> {
        match self {
            Self::Simple | Self::Reserved => None,
            Self::Fragment => Some(b'#'),
            Self::Label => Some(b'.'),
            Self::Path => Some(b'/'),
            Self::PathParam => Some(b';'),
            Self::Query => Some(b'?'),
            Self::QueryContinue => Some(b'&'),
        }
    }

    /// Whether `byte` may appear after the first character (`%` is handled
    /// separately: it must start a `%XX` escape).
    fn allows(self, byte: u8) -> bool {
        let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~');
        unreserved
            || match self {
                Self::Simple | Self::Label => byte == b',',
                Self::Reserved | Self::Fragment => {
                    byte >= 0x80 || b":/?#[]@!$&'()*+,;=".contains(&byte)
                }
                Self::Path => matches!(byte, b'/' | b','),
                Self::PathParam => matches!(byte, b';' | b'=' | b','),
                Self::Query | Self::QueryContinue => matches!(byte, b'&' | b'=' | b','),
            }
    }
}

/// States: for a literal of length L, L states (`j` = bytes matched so
/// far); for an expression, 4 states: before it, inside its body, and after
/// a `%` and one hex digit. The last state accepts.
struct Nfa<'a> {
    tokens: &'a [Token],
    base: Vec<usize>,
    accept: usize,
}

const EXPRESSION_STATES: usize = 4;
const BEGIN: usize = 0;
const BODY: usize = 1;
const PCT1: usize = 2;
const PCT2: usize = 3;

impl<'a> Nfa<'a> {
    fn new(tokens: &'a [Token]) -> Self {
        let mut base = Vec::with_capacity(tokens.len());
        let mut next = 0;
        for token in tokens {
            base.push(next);
            next += match token {
                Token::Literal(bytes) => bytes.len(),
                Token::Expression(_) => EXPRESSION_STATES,
            };
        }
        Self {
            tokens,
            base,
            accept: next,
        }
    }

    fn locate(&self, state: usize) -> (usize, usize) {
        let token = self.base.partition_point(|&b| b <= state) - 1;
        (token, state - self.base[token])
    }

    /// Adds `state` and everything reachable from it without input.
    fn close(&self, state: usize, set: &mut StateSet, visits: &mut usize) {
        let mut stack = vec![state];
        while let Some(state) = stack.pop() {
            *visits += 1;
            if !set.insert(state) || state == self.accept {
                continue;
            }
            let (token, sub) = self.locate(state);
            let next_token = self.base.get(token + 1).copied().unwrap_or(self.accept);
            match &self.tokens[token] {
                Token::Literal(_) => {}
                Token::Expression(_) if sub == BEGIN || sub == BODY => stack.push(next_token),
                Token::Expression(_) => {}
            }
        }
    }

    /// The state reached from `state` on `byte`, if any.
    fn step(&self, state: usize, byte: u8) -> Option<usize> {
        if state == self.accept {
            return None;
        }
        let (token, sub) = self.locate(state);
        let base = self.base[token];
        let next_token = self.base.get(token + 1).copied().unwrap_or(self.accept);
        match &self.tokens[token] {
            Token::Literal(bytes) => (bytes[sub] == byte).then(|| {
                if sub + 1 == bytes.len() {
                    next_token
                } else {
                    state + 1
                }
            }),
            Token::Expression(op) => match sub {
                BEGIN => match op.first() {
                    Some(first) => (byte == first).then_some(base + BODY),
                    None => body_step(*op, base, byte),
                },
                BODY => body_step(*op, base, byte),
                PCT1 => byte.is_ascii_hexdigit().then_some(base + PCT2),
                _ => byte.is_ascii_hexdigit().then_some(base + BODY),
            },
        }
    }

    fn run(&self, input: &[u8]) -> (bool, usize) {
        let mut visits = 0;
        let mut current = StateSet::new(self.accept + 1);
        let mut next = StateSet::new(self.accept + 1);
        self.close(
            self.base.first().copied().unwrap_or(self.accept),
            &mut current,
            &mut visits,
        );
        for &byte in input {
            next.clear();
            for &state in &current.members {
                if let Some(to) = self.step(state, byte) {
                    self.close(to, &mut next, &mut visits);
                }
            }
            std::mem::swap(&mut current, &mut next);
            if current.members.is_empty() {
                return (false, visits);
            }
        }
        (current.contains(self.accept), visits)
    }
}

fn body_step(op: Operator, base: usize, byte: u8) -> Option<usize> {
    if byte == b'%' {
        Some(base + PCT1)
    } else {
        op.allows(byte).then_some(base + BODY)
    }
}

/// A set of states with O(1) insert and clear proportional to its size.
struct StateSet {
    members: Vec<usize>,
    present: Vec<bool>,
}

impl StateSet {
    fn new(size: usize) -> Self {
        Self {
            members: Vec::new(),
            present: vec![false; size],
        }
    }

    fn insert(&mut self, state: usize) -> bool {
        if self.present[state] {
            return false;
        }
        self.present[state] = true;
        self.members.push(state);
        true
    }

    fn contains(&self, state: usize) -> bool {
        self.present[state]
    }

    fn clear(&mut self) {
        for &state in &self.members {
            self.present[state] = false;
        }
        self.members.clear();
    }
}

#[cfg(test)]
mod tests;
