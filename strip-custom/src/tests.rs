use super::*;

const MODULE_PREAMBLE: &[u8] = b"\0asm\x01\0\0\0";
const COMPONENT_PREAMBLE: &[u8] = b"\0asm\x0d\0\x01\0";

fn section(id: u8, body: &[u8]) -> Vec<u8> {
    let mut s = vec![id];
    write_u32(&mut s, body.len() as u32);
    s.extend_from_slice(body);
    s
}

fn custom(name: &str, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    write_u32(&mut body, name.len() as u32);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    section(CUSTOM, &body)
}

/// A module with one function type `() -> ()`.
fn module(extra: &[Vec<u8>]) -> Vec<u8> {
    let mut m = MODULE_PREAMBLE.to_vec();
    m.extend(section(1, &[0x01, 0x60, 0x00, 0x00]));
    for s in extra {
        m.extend_from_slice(s);
    }
    m
}

fn valid(wasm: &[u8]) -> bool {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(wasm)
        .is_ok()
}

#[test]
fn module_loses_its_custom_sections_and_keeps_the_rest() {
    let with = module(&[custom("name", &[0; 300]), custom("producers", b"rustc")]);
    let stripped = strip(&with).unwrap();
    assert_eq!(stripped, module(&[]));
    assert!(valid(&with) && valid(&stripped));
}

#[test]
fn type_section_of_a_module_is_not_mistaken_for_a_nested_module() {
    // Section id 1 is a core module inside a component but the type
    // section inside a module: it must be copied, not walked.
    let plain = module(&[]);
    assert_eq!(strip(&plain).unwrap(), plain);
}

#[test]
fn nested_modules_are_stripped_and_reframed() {
    let inner = module(&[custom("name", &[7; 200])]);
    let mut with = COMPONENT_PREAMBLE.to_vec();
    with.extend(section(CORE_MODULE, &inner));
    with.extend(custom("component-name", &[1; 150]));
    with.extend(custom("producers", b"wit-component"));
    let stripped = strip(&with).unwrap();
    let mut expected = COMPONENT_PREAMBLE.to_vec();
    expected.extend(section(CORE_MODULE, &module(&[])));
    assert_eq!(stripped, expected);
    assert!(valid(&with), "fixture is a valid component");
    assert!(valid(&stripped), "stripped component is still valid");
}

#[test]
fn nested_components_are_stripped_too() {
    let mut inner = COMPONENT_PREAMBLE.to_vec();
    inner.extend(section(CORE_MODULE, &module(&[custom("name", &[3; 10])])));
    inner.extend(custom("component-name", &[2; 20]));
    let mut outer = COMPONENT_PREAMBLE.to_vec();
    outer.extend(section(COMPONENT, &inner));
    let stripped = strip(&outer).unwrap();
    let mut inner_expected = COMPONENT_PREAMBLE.to_vec();
    inner_expected.extend(section(CORE_MODULE, &module(&[])));
    let mut expected = COMPONENT_PREAMBLE.to_vec();
    expected.extend(section(COMPONENT, &inner_expected));
    assert_eq!(stripped, expected);
    assert!(valid(&stripped));
}

#[test]
fn section_lengths_past_128_bytes_round_trip_as_leb128() {
    for n in [0u32, 1, 127, 128, 300, 16_383, 16_384, u32::MAX] {
        let mut b = Vec::new();
        write_u32(&mut b, n);
        assert_eq!(read_u32(&b, 0), Some((n, b.len())), "{n}");
    }
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    assert_eq!(strip(b"").unwrap_err(), StripError::NotWasm);
    assert_eq!(
        strip(b"\x7fELF\x02\x01\x01\0").unwrap_err(),
        StripError::NotWasm
    );
    // A section that claims more bytes than there are.
    let mut short = module(&[]);
    short.extend([CUSTOM, 0x7f, 0x01]);
    assert_eq!(
        strip(&short).unwrap_err(),
        StripError::Truncated {
            offset: module(&[]).len()
        }
    );
    // A length whose LEB128 never ends.
    let mut endless = module(&[]);
    endless.extend([CUSTOM, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert!(matches!(strip(&endless), Err(StripError::Truncated { .. })));
    // A nested module that is not a module.
    let mut bad_nested = COMPONENT_PREAMBLE.to_vec();
    bad_nested.extend(section(CORE_MODULE, b"not wasm"));
    assert_eq!(strip(&bad_nested).unwrap_err(), StripError::NotWasm);
}
