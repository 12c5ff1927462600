//! The tricks attackers try with tokens, against real hubs (both ABIs):
//! algorithm confusion on an RS256 hub (an HS256 token signed with the
//! hub's own public key), `alg` variants, `kid`s with path and URL
//! characters against a JWKS, 1 MiB tokens in a header, the query and a
//! cookie, claims with selectors built to be slow, `exp`/`nbf` at their
//! boundaries, a cookie publish from outside `publish_origins`, and a
//! subscriber token that may read one topic's subscriptions. Every case
//! answers its status with a one-line reason, and no answer carries key
//! material or another subscriber's data.

use super::support::http::Response;
use super::support::hub::{form, own_hub, own_redis, query, shared, topic, Hub, HUB};
use super::support::jwks_server::{JwksServer, TestKey};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

/// A compact JWS with any header, its signature an HMAC-SHA-256 with
/// `secret` (what an attacker who knows or guesses `secret` makes).
fn hmac_token(header: &Value, claims: &Value, secret: &[u8]) -> String {
    mercure_hub::auth::token::sign_with(header, claims, |signed| hmac_sha256(secret, signed))
}

/// HMAC-SHA-256 (RFC 2104) over the `rsa` crate's SHA-256.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use rsa::sha2::Digest as _;
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// Asserts a 401 whose one-line body is `unauthorized: <reason>`, with the
/// `WWW-Authenticate` challenge, and none of `secrets` in it.
fn refused(case: &str, response: &Response, reason: &str, secrets: &[&str]) {
    let text = response.text();
    assert_eq!(response.status(), 401, "{case}: {text}");
    assert_eq!(text, format!("unauthorized: {reason}\n"), "{case}");
    assert!(
        response
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer")),
        "{case}: no challenge"
    );
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{case}: the answer leaks key material"
        );
    }
}

fn publish(hub: &Hub, token: &str, t: &str) -> Response {
    hub.publish_with(token, &[("topic", t), ("data", "x")])
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64()
}

#[test]
fn an_rs256_hub_refuses_hs256_tokens_signed_with_its_public_key() {
    let Some(redis) = own_redis("hub_token_tricks") else {
        return;
    };
    let key = RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA key");
    let pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("PEM");
    let der = key.to_public_key().to_public_key_der().expect("DER");
    let vars = [
        ("PUBLISHER_JWT_ALG", "RS256"),
        ("PUBLISHER_JWT_KEY", pem.as_str()),
    ];
    let Some(hub) = own_hub("hub_token_tricks", &redis, &vars) else {
        return;
    };
    let t = topic("confusion");
    let claims = json!({"mercure": {"publish": ["*"]}});
    let signer = SigningKey::<Sha256>::new(key);
    let rs256 = |header: &Value| {
        mercure_hub::auth::token::sign_with(header, &claims, |m| signer.sign(m).to_vec())
    };
    let good = rs256(&json!({"alg": "RS256", "typ": "JWT"}));
    let ok = publish(&hub, &good, &t);
    assert_eq!(ok.status(), 200, "{}", ok.text());

    let key_body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let secrets = [key_body.as_str()];
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    for (case, secret) in [
        ("PEM as the HMAC secret", pem.as_bytes()),
        ("trimmed PEM", pem.trim().as_bytes()),
        ("DER as the HMAC secret", der.as_bytes()),
    ] {
        let forged = hmac_token(&hs256, &claims, secret);
        let reason = "token algorithm \"HS256\" is not the hub's";
        refused(case, &publish(&hub, &forged, &t), reason, &secrets);
    }
    for alg in ["none", "nOnE", "HS512", "RS512", "PS256", "rs256", ""] {
        let header = json!({"alg": alg, "typ": "JWT"});
        let unsigned = {
            let token = rs256(&header);
            format!("{}.", token.rsplit_once('.').unwrap().0)
        };
        let reason = format!("token algorithm {alg:?} is not the hub's");
        refused(alg, &publish(&hub, &unsigned, &t), &reason, &secrets);
        refused(alg, &publish(&hub, &rs256(&header), &t), &reason, &secrets);
    }
    let stripped = format!("{}.", good.rsplit_once('.').unwrap().0);
    let reason = "token signature does not verify";
    refused(
        "RS256 without signature",
        &publish(&hub, &stripped, &t),
        reason,
        &secrets,
    );
}

#[test]
fn alg_variants_are_refused_by_an_hs256_hub_for_both_roles() {
    let hub = shared();
    let t = topic("alg");
    let secrets = [hub.publisher_key.as_str(), hub.subscriber_key.as_str()];
    for alg in ["none", "nOnE", "NONE", "HS512", "hs256", "RS256", "ES256"] {
        let header = json!({"alg": alg, "typ": "JWT"});
        let reason = format!("token algorithm {alg:?} is not the hub's");
        let claims = json!({"mercure": {"publish": ["*"], "subscribe": ["*"]}});
        let signed = hmac_token(&header, &claims, hub.publisher_key.as_bytes());
        refused(alg, &publish(hub, &signed, &t), &reason, &secrets);
        let unsigned = format!("{}.", signed.rsplit_once('.').unwrap().0);
        refused(alg, &publish(hub, &unsigned, &t), &reason, &secrets);

        let bearer = format!(
            "Bearer {}",
            hmac_token(&header, &claims, hub.subscriber_key.as_bytes())
        );
        let response = hub.client.get_with(
            &format!("{HUB}?{}", query(&[("topic", &t)])),
            &[("Authorization", &bearer)],
        );
        refused(alg, &response, &reason, &secrets);
    }
}

#[test]
fn kids_with_path_or_url_characters_name_no_jwks_key() {
    let Some(redis) = own_redis("hub_token_tricks") else {
        return;
    };
    let rsa = TestKey::rsa("rsa-1");
    let server = JwksServer::start(vec![rsa.jwk()]);
    let (url, origin) = (server.url(), server.origin());
    let vars = [
        ("HUB_PUBLISHER_JWKS_URL", url.as_str()),
        ("HUB_SUBSCRIBER_JWKS_URL", url.as_str()),
        ("HUB_JWKS_ORIGIN", origin.as_str()),
    ];
    let Some(hub) = own_hub("hub_token_tricks", &redis, &vars) else {
        return;
    };
    let t = topic("kid");
    let claims = json!({"mercure": {"publish": ["*"]}});
    let ok = publish(&hub, &rsa.token(&claims), &t);
    assert_eq!(ok.status(), 200, "{}", ok.text());
    let jwks_url = url.clone();
    let started = std::time::Instant::now();
    for kid in [
        "../../../../etc/passwd",
        "/jwks.json",
        jwks_url.as_str(),
        "https://evil.example/jwks.json?kid=rsa-1#rsa-1",
        "rsa-1/../rsa-1",
        "rsa-1%00",
        "rsa-1\0",
        "rsa-1\r\nX-Injected: yes",
        "file:///etc/passwd",
        "rsa-1 ",
        "RSA-1",
    ] {
        let response = publish(&hub, &rsa.token_as(kid, &claims), &t);
        let reason = format!("no JWKS key has the token's kid {kid:?}");
        refused(kid, &response, &reason, &[]);
        assert!(
            response.header("x-injected").is_none(),
            "{kid:?}: header injected"
        );
    }
    // Unknown kids re-fetch the JWKS at most once per 5 s (key rotation),
    // never once per token.
    let allowed = 2 + started.elapsed().as_secs() / 5;
    assert!(
        server.hits() as u64 <= allowed,
        "{} JWKS fetches",
        server.hits()
    );
}

/// Sends `head` and then `body` on a fresh connection without waiting for
/// the writes to finish (the server may answer and close first), and
/// returns the status and the body read back.
fn send_huge(hub: &Hub, head: String, body: Vec<u8>) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(hub.client.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes());
        let _ = writer.write_all(&body);
    });
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let _ = sender.join();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

#[test]
fn megabyte_tokens_are_refused_before_they_reach_the_hub() {
    let hub = shared();
    let t = topic("huge");
    let filler = "a".repeat(1024 * 1024);
    let claims = json!({"mercure": {"publish": ["*"], "subscribe": ["*"]}, "pad": filler});
    let token = hub.publisher_token(claims);
    assert!(token.len() >= 1024 * 1024);
    let host = &hub.client.host;
    let body = form(&[("topic", &t), ("data", "x")]).into_bytes();
    let cases = [
        (
            "Authorization header",
            format!(
                "POST {HUB} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n",
                FORM.1,
                body.len()
            ),
        ),
        (
            "authorization query parameter",
            format!(
                "GET {HUB}?{} HTTP/1.1\r\nHost: {host}\r\n\r\n",
                query(&[("topic", &t), ("authorization", &token)])
            ),
        ),
        (
            "mercureAuthorization cookie",
            format!(
                "GET {HUB}?{} HTTP/1.1\r\nHost: {host}\r\nCookie: mercureAuthorization={token}\r\n\r\n",
                query(&[("topic", &t)])
            ),
        ),
    ];
    for (case, head) in cases {
        let (status, answer) = send_huge(hub, head, body.clone());
        assert_eq!(status, 431, "{case}: {answer}");
        assert!(answer.lines().count() <= 1, "{case}: {answer:?}");
        assert!(
            !answer.contains(&filler[..64]),
            "{case}: the token is echoed"
        );
    }
    // The hub still serves.
    assert_eq!(publish(hub, &hub.publish_all(), &t).status(), 200);
}

#[test]
fn claims_with_selectors_built_to_be_slow() {
    let hub = shared();
    let secrets = [hub.publisher_key.as_str(), hub.subscriber_key.as_str()];
    // Past the 2048 bytes a request's selector may have: refused outright.
    let too_long = "{a}".repeat(700);
    let t = topic("slow");
    for (role, claims) in [
        ("publish", json!({"mercure": {"publish": [too_long]}})),
        (
            "subscribe",
            json!({"mercure": {"subscribe": [too_long], "publish": ["*"]}}),
        ),
    ] {
        let reason = format!(
            "token has a {}-byte selector in a mercure claim, at most 2048",
            too_long.len()
        );
        let token = hub.publisher_token(claims.clone());
        refused(role, &publish(hub, &token, &t), &reason, &secrets);
        let bearer = format!("Bearer {}", hub.subscriber_token(claims));
        let response = hub.client.get_with(
            &format!("{HUB}?{}", query(&[("topic", &t)])),
            &[("Authorization", &bearer)],
        );
        refused(role, &response, &reason, &secrets);
    }

    // The longest allowed: every state of the NFA live at every byte of a
    // 2000-byte topic. The private update still arrives.
    let slowest = "{a}".repeat(682);
    let long_topic = format!("{}{}", t.replace(['/', ':', '.'], "-"), "a".repeat(1900));
    let reader = hub.subscriber_token(json!({"mercure": {"subscribe": [slowest]}}));
    let bearer = format!("Bearer {reader}");
    let mut subscriber = hub.subscribe(
        &query(&[("topic", &long_topic)]),
        &[("Authorization", &bearer)],
    );
    let id = hub.publish(&[
        ("topic", &long_topic),
        ("data", "private"),
        ("private", "on"),
    ]);
    let block = subscriber.next().expect("the private update");
    assert_eq!(block.id(), Some(id.as_str()));
}

#[test]
fn exp_and_nbf_are_checked_at_their_boundaries() {
    let hub = shared();
    let t = topic("boundaries");
    let secrets = [hub.publisher_key.as_str()];
    let at = now().floor();
    let token = |extra: Value| {
        let mut claims = json!({"mercure": {"publish": ["*"]}});
        claims
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        hub.publisher_token(claims)
    };
    let expired = "token has expired";
    let early = "token is not valid yet (nbf)";
    for (case, claims, reason) in [
        ("exp now", json!({"exp": at}), Some(expired)),
        ("exp a second ago", json!({"exp": at - 1.0}), Some(expired)),
        ("exp 0", json!({"exp": 0}), Some(expired)),
        ("exp negative", json!({"exp": -1}), Some(expired)),
        ("exp in an hour", json!({"exp": at + 3600.0}), None),
        ("exp far future", json!({"exp": 1e300}), None),
        ("nbf now", json!({"nbf": at}), None),
        ("nbf a minute ahead", json!({"nbf": at + 60.0}), Some(early)),
        ("nbf far future", json!({"nbf": 1e300}), Some(early)),
        (
            "exp and nbf now",
            json!({"exp": at, "nbf": at}),
            Some(expired),
        ),
    ] {
        let response = publish(hub, &token(claims), &t);
        match reason {
            Some(reason) => refused(case, &response, reason, &secrets),
            None => assert_eq!(response.status(), 200, "{case}: {}", response.text()),
        }
    }
    for (case, claims) in [
        ("exp as a string", json!({"exp": "9999999999"})),
        ("nbf as an object", json!({"nbf": {"$gt": 0}})),
    ] {
        let response = publish(hub, &token(claims), &t);
        let text = response.text();
        assert_eq!(response.status(), 401, "{case}: {text}");
        assert!(
            text.starts_with("unauthorized: token claims are invalid: ")
                && text.lines().count() == 1,
            "{case}: {text:?}"
        );
    }
}

#[test]
fn a_cookie_publish_from_outside_publish_origins_is_refused() {
    let Some(redis) = own_redis("hub_token_tricks") else {
        return;
    };
    let vars = [("HUB_PUBLISH_ORIGINS", "https://publisher.example")];
    let Some(hub) = own_hub("hub_token_tricks", &redis, &vars) else {
        return;
    };
    let t = topic("cookie");
    let cookie = format!("mercureAuthorization={}", hub.publish_all());
    let body = form(&[("topic", &t)]);
    let secrets = [hub.publisher_key.as_str()];
    let post = |extra: &[(&str, &str)]| {
        let mut headers = vec![FORM, ("Cookie", cookie.as_str())];
        headers.extend_from_slice(extra);
        hub.post(&headers, body.as_bytes())
    };
    let not_allowed = |origin: &str| format!("origin {origin:?} may not publish with a cookie");
    for origin in [
        "https://app.example",
        "https://publisher.example.evil.example",
        "https://evil.example",
        "http://publisher.example",
        "null",
    ] {
        refused(
            origin,
            &post(&[("Origin", origin)]),
            &not_allowed(origin),
            &secrets,
        );
    }
    refused(
        "referer elsewhere",
        &post(&[(
            "Referer",
            "https://evil.example/page?x=https://publisher.example",
        )]),
        &not_allowed("https://evil.example"),
        &secrets,
    );
    refused(
        "no origin",
        &post(&[]),
        "cookie authorization needs an \"Origin\" or \"Referer\" header",
        &secrets,
    );
    for allowed in [
        vec![("Origin", "https://publisher.example")],
        vec![("Referer", "https://publisher.example/admin")],
    ] {
        let response = post(&allowed);
        assert_eq!(response.status(), 200, "{allowed:?}: {}", response.text());
    }
}

#[test]
fn a_subscriber_token_lists_only_the_subscriptions_it_covers() {
    let Some(redis) = own_redis("hub_token_tricks") else {
        return;
    };
    let Some(hub) = own_hub("hub_token_tricks", &redis, &[("HUB_SUBSCRIPTIONS", "true")]) else {
        return;
    };
    const API: &str = "/.well-known/mercure/subscriptions";
    let escape = mercure_hub::subscriptions::escape;
    let (mine, theirs) = (topic("mine"), topic("theirs"));
    let subscribe = |t: &str, payload: Value| {
        let claims = json!({"mercure": {"subscribe": [t], "payload": payload}});
        let bearer = format!("Bearer {}", hub.subscriber_token(claims));
        hub.subscribe(&query(&[("topic", t)]), &[("Authorization", &bearer)])
    };
    let _me = subscribe(&mine, json!({"name": "me"}));
    let _other = subscribe(&theirs, json!({"secret": "their-private-payload"}));

    let covered = format!("{API}/{}{{/subscriber}}", escape(&mine));
    let reader = hub.subscriber_token(json!({"mercure": {"subscribe": [covered]}}));
    let bearer = format!("Bearer {reader}");
    let get = |target: &str| hub.client.get_with(target, &[("Authorization", &bearer)]);

    let mine_path = format!("{API}/{}", escape(&mine));
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let listed = loop {
        let response = get(&mine_path);
        assert_eq!(response.status(), 200, "{}", response.text());
        let value: Value = serde_json::from_str(&response.text()).expect("JSON");
        let list = value["subscriptions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !list.is_empty() || std::time::Instant::now() > deadline {
            assert!(!response.text().contains("their-private-payload"));
            assert!(!response.text().contains(&theirs));
            break list;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["topic"], json!(mine));
    assert_eq!(listed[0]["payload"], json!({"name": "me"}));
    let my_id = listed[0]["subscriber"].as_str().expect("a subscriber id");
    let one = get(&format!("{mine_path}/{}", escape(my_id)));
    assert_eq!(one.status(), 200, "{}", one.text());

    let secrets = [hub.subscriber_key.as_str(), "their-private-payload"];
    let theirs_path = format!("{API}/{}", escape(&theirs));
    for target in [
        API.to_owned(),
        theirs_path.clone(),
        format!("{theirs_path}/{}", escape(my_id)),
        format!("{mine_path}?x=1"),
        format!("{API}?topic={}", escape(&mine)),
        format!("{mine_path}%2F..%2F{}", escape(&theirs)),
    ] {
        let reason = format!("the token's \"mercure.subscribe\" claim does not cover {target:?}");
        refused(&target, &get(&target), &reason, &secrets);
    }
    // Dot segments reach no one else's data: an unknown subscriber (404)
    // or not a route (404).
    for target in [
        format!("{mine_path}/.."),
        format!("{mine_path}/../{}", escape(&theirs)),
    ] {
        let response = get(&target);
        assert_eq!(response.status(), 404, "{target}: {}", response.text());
        assert!(!response.text().contains("their-private-payload"));
    }
}
