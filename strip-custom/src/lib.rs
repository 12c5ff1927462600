//! strip-custom: removes every custom section (the `component-name` and
//! `name` debug names, `producers`, …) from a WebAssembly component or core
//! module, including the core modules and components nested inside a
//! component. Custom sections carry no semantics, so the result runs the
//! same; for the SSE component they are about 6 KB of 106 KB.
//!
//! The walk is purely structural: each section is copied byte for byte
//! except custom sections (dropped) and nested modules/components
//! (stripped in turn and re-framed with their new length).

use std::fmt;

/// Section id of a custom section (modules and components alike).
const CUSTOM: u8 = 0;
/// Component section ids whose contents are a whole nested binary.
const CORE_MODULE: u8 = 1;
const COMPONENT: u8 = 4;
/// `\0asm`, then a version/layer word.
const MAGIC: &[u8; 4] = b"\0asm";
/// Layer 1 in the preamble's upper half marks a component.
const COMPONENT_LAYER: [u8; 2] = [0x01, 0x00];

/// Why the input is not a WebAssembly binary this tool can walk.
#[derive(Debug, PartialEq, Eq)]
pub enum StripError {
    /// Shorter than the 8-byte preamble or not starting with `\0asm`.
    NotWasm,
    /// A section header or length runs past the end of its binary.
    Truncated { offset: usize },
}

impl fmt::Display for StripError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StripError::NotWasm => write!(f, "not a WebAssembly binary (no \\0asm preamble)"),
            StripError::Truncated { offset } => {
                write!(
                    f,
                    "truncated WebAssembly binary: a section at byte {offset} runs past the end"
                )
            }
        }
    }
}

impl std::error::Error for StripError {}

/// `wasm` without its custom sections, at every nesting level.
pub fn strip(wasm: &[u8]) -> Result<Vec<u8>, StripError> {
    let mut out = Vec::with_capacity(wasm.len());
    strip_into(wasm, 0, &mut out)?;
    Ok(out)
}

fn strip_into(wasm: &[u8], base: usize, out: &mut Vec<u8>) -> Result<(), StripError> {
    if wasm.len() < 8 || &wasm[..4] != MAGIC {
        return Err(StripError::NotWasm);
    }
    let is_component = wasm[6..8] == COMPONENT_LAYER;
    out.extend_from_slice(&wasm[..8]);
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        let (len, body) = read_u32(wasm, at + 1).ok_or(StripError::Truncated {
            offset: base + start,
        })?;
        let end = body
            .checked_add(len as usize)
            .filter(|&end| end <= wasm.len())
            .ok_or(StripError::Truncated {
                offset: base + start,
            })?;
        at = end;
        match id {
            CUSTOM => {}
            CORE_MODULE | COMPONENT if is_component => {
                let mut nested = Vec::with_capacity(end - body);
                strip_into(&wasm[body..end], base + body, &mut nested)?;
                out.push(id);
                write_u32(out, nested.len() as u32);
                out.extend_from_slice(&nested);
            }
            _ => out.extend_from_slice(&wasm[start..end]),
        }
    }
    Ok(())
}

/// An unsigned LEB128 u32 at `at`: its value and the offset after it.
fn read_u32(bytes: &[u8], mut at: usize) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(at)?;
        at += 1;
        value |= u32::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some((value, at));
        }
    }
    None
}

fn write_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
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
}
