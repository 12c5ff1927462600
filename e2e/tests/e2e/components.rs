//! The built `.wasm` files of the manifest under test (WASI 0.2 or WASI
//! 0.3 builds): what they import and export. The SSE component and the
//! file server import standard WASI interfaces only, so they run on any
//! host with `wasi:http`, not only on Spin. `--nocapture` prints the lists.

use super::support;
use std::path::Path;
use wasmparser::{Parser, Payload};

/// The top-level imports and exports of the component at `wasm`.
fn interfaces(wasm: &Path) -> (Vec<String>, Vec<String>) {
    let bytes = std::fs::read(wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()));
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    // Nested modules and components come inline, between their section
    // payload and their `End`.
    let mut depth = 0i32;
    for payload in Parser::new(0).parse_all(&bytes) {
        let payload = payload.unwrap_or_else(|e| panic!("{}: {e}", wasm.display()));
        match payload {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    imports.push(import.expect("an import").name.0.to_owned());
                }
            }
            Payload::ComponentExportSection(section) if depth == 0 => {
                for export in section {
                    exports.push(export.expect("an export").name.0.to_owned());
                }
            }
            _ => {}
        }
    }
    (imports, exports)
}

#[test]
fn sse_and_file_server_import_only_wasi_and_export_its_http_handler() {
    support::ensure_built();
    let handler = if support::sse_is_p3() {
        "wasi:http/handler@0.3.0"
    } else {
        "wasi:http/incoming-handler@0.2."
    };
    for crate_name in ["spin_sse", "static_fileserver"] {
        let wasm = support::component_wasm(crate_name);
        let (imports, exports) = interfaces(&wasm);
        eprintln!(
            "e2e: {}: {} bytes\n  imports: {}\n  exports: {}",
            wasm.display(),
            std::fs::metadata(&wasm).map_or(0, |m| m.len()),
            imports.join(" "),
            exports.join(" ")
        );
        assert!(!imports.is_empty(), "{}: no imports found", wasm.display());
        let foreign: Vec<&String> = imports.iter().filter(|i| !i.starts_with("wasi:")).collect();
        assert!(
            foreign.is_empty(),
            "{} imports non-WASI interfaces: {foreign:?}",
            wasm.display()
        );
        assert!(
            exports.iter().any(|e| e.starts_with(handler)),
            "{} does not export {handler}: {exports:?}",
            wasm.display()
        );
    }
}
