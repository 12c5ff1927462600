//! WCAG text contrast of a page in a real browser: the ratio of each listed
//! element's text colour against its effective background (the first
//! ancestor with an opaque background, else white).

use super::webdriver::Browser;

/// The script that measures `selectors`: `[[selector, ratio], …]`, ratio 0
/// for a selector that matches nothing (so a renamed element fails).
fn script(selectors: &[&str]) -> String {
    let list = serde_json::to_string(selectors).expect("selectors as JSON");
    format!(
        "(() => {{
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {{
    const f = (v) => {{ v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }};
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }};
  const background = (el) => {{
    for (; el; el = el.parentElement) {{
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }}
    return [255, 255, 255];
  }};
  return {list}.map((s) => {{
    const el = document.querySelector(s);
    if (!el) return [s, 0];
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    return [s, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  }});
}})()"
    )
}

/// Every element of `selectors` meets WCAG AA (4.5:1) in the page's current
/// colour scheme (`scheme` names it in the messages); prints the lowest.
pub fn assert_text_contrast(b: &mut Browser, scheme: &str, selectors: &[&str]) {
    let measured = b.eval(&script(selectors)).expect("contrast script");
    let rows: Vec<(String, f64)> = serde_json::from_value(measured).expect("[[selector, ratio]]");
    if let Some(lowest) = rows.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
        eprintln!(
            "e2e: {scheme} scheme: lowest text contrast {:.1}:1 ({})",
            lowest.1, lowest.0
        );
    }
    let low: Vec<_> = rows.iter().filter(|(_, r)| *r < 4.5).collect();
    assert!(
        low.is_empty(),
        "{scheme} scheme: contrast below 4.5:1 for {low:?}"
    );
}
