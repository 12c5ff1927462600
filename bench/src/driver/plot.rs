//! SVG line charts (plotters, SVG backend only): RSS and first-event latency
//! against open streams, one line per server and measure.

use plotters::prelude::*;

use super::model::Results;

/// One named line of (x, y) points.
pub type Series = (String, Vec<(f64, f64)>);

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Renders a chart with a log-scale x axis to an SVG string.
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<String, String> {
    let pts = series.iter().flat_map(|(_, p)| p.iter());
    let (mut x_max, mut y_max, mut x_min) = (1.0f64, 0.0f64, f64::MAX);
    for &(x, y) in pts {
        x_max = x_max.max(x);
        x_min = x_min.min(x);
        y_max = y_max.max(y);
    }
    if x_min == f64::MAX {
        x_min = 1.0;
    }
    let y_top = if y_max > 0.0 { y_max * 1.1 } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d((x_min * 0.8..x_max * 1.25).log_scale(), 0.0..y_top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()
            .map_err(|e| e.to_string())?;
        let mut servers: Vec<&str> = Vec::new();
        for (name, points) in series {
            // One colour per server (the first word); p50 lines are paler.
            let server = name.split(' ').next().unwrap_or_default();
            let idx = servers
                .iter()
                .position(|s| *s == server)
                .unwrap_or_else(|| {
                    servers.push(server);
                    servers.len() - 1
                });
            let base = PALETTE[idx % PALETTE.len()];
            let style: ShapeStyle = if name.ends_with(" p50") {
                base.mix(0.45).stroke_width(2)
            } else {
                base.stroke_width(2)
            };
            chart
                .draw_series(LineSeries::new(points.iter().copied(), style))
                .map_err(|e| e.to_string())?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 4, style.filled())))
                .map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// RSS (MiB) against streams, one line per server.
pub fn rss_series(r: &Results) -> Vec<Series> {
    by_server(r, |l| Some(l.rss_open_kib as f64 / 1024.0))
}

/// First-event p50 and p99 (ms) against streams, two lines per server.
pub fn latency_series(r: &Results) -> Vec<Series> {
    let p50 = by_server(r, |l| l.first_event_p50_ms);
    let p99 = by_server(r, |l| l.first_event_p99_ms);
    p99.into_iter()
        .zip(p50)
        .flat_map(|((name, hi), (_, lo))| {
            [(format!("{name} p99"), hi), (format!("{name} p50"), lo)]
        })
        .collect()
}

fn by_server(r: &Results, f: impl Fn(&super::model::LadderRow) -> Option<f64>) -> Vec<Series> {
    let mut names: Vec<&str> = r.ladder.iter().map(|l| l.server.as_str()).collect();
    names.dedup();
    names
        .into_iter()
        .map(|n| {
            let pts = r
                .ladder
                .iter()
                .filter(|l| l.server == n)
                .filter_map(|l| f(l).map(|y| (l.streams as f64, y)))
                .collect();
            (n.to_string(), pts)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::model::LadderRow;
    use super::*;

    #[test]
    fn chart_is_svg_with_a_legend_entry_per_series() {
        let s = vec![
            ("runner".to_string(), vec![(100.0, 20.0), (1000.0, 80.0)]),
            ("peer".to_string(), vec![(100.0, 5.0), (1000.0, 9.0)]),
        ];
        let svg = line_chart("RSS", "open streams", "MiB", &s).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(
            svg.contains("runner\n</text>") && svg.contains("peer\n</text>"),
            "{svg}"
        );
    }

    #[test]
    fn empty_results_still_render() {
        assert!(line_chart("x", "x", "y", &[]).unwrap().contains("<svg"));
    }

    #[test]
    fn series_follow_ladder_rows_per_server() {
        let r = Results {
            ladder: vec![
                LadderRow {
                    server: "runner".into(),
                    streams: 100,
                    rss_open_kib: 2048,
                    first_event_p99_ms: Some(3.0),
                    ..Default::default()
                },
                LadderRow {
                    server: "runner".into(),
                    streams: 1000,
                    rss_open_kib: 4096,
                    ..Default::default()
                },
                LadderRow {
                    server: "peer".into(),
                    streams: 100,
                    rss_open_kib: 1024,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let rss = rss_series(&r);
        assert_eq!(
            rss[0],
            ("runner".to_string(), vec![(100.0, 2.0), (1000.0, 4.0)])
        );
        assert_eq!(rss[1].1, vec![(100.0, 1.0)]);
        let lat = latency_series(&r);
        assert_eq!(
            lat.iter().find(|s| s.0 == "runner p99").unwrap().1,
            vec![(100.0, 3.0)]
        );
    }
}
