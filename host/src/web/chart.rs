//! Charts drawn by the server as inline SVG: no script, legible in print.
//! Each grade has a fill that differs in lightness as well as hue, so the
//! bars read in grey too, and every segment wide enough carries its count.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::locale::{GRADES, Lang};

/// A grade's fill and the text colour that reads on it.
fn fill(grade: &str) -> (&'static str, &'static str) {
    match grade {
        "A" => ("#0b5d1e", "#ffffff"),
        "B" => ("#4f9d5b", "#ffffff"),
        "C" => ("#c9e4c5", "#000000"),
        "D" => ("#b3261e", "#ffffff"),
        _ => ("#8a8a8a", "#ffffff"),
    }
}

/// `text` escaped for SVG.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const WIDTH: usize = 780;
const LABEL: usize = 250;
const BAR: usize = 26;
const GAP: usize = 10;

/// One stacked bar per row, each the row's grade counts as shares of its
/// total, with a legend under them.
pub fn grade_bars(lang: Lang, title: &str, rows: &[(String, &BTreeMap<String, usize>)]) -> String {
    let plot = (WIDTH - LABEL - 60) as f64;
    let legend_y = rows.len() * (BAR + GAP) + 8;
    // The legend wraps onto a second line when the words are long.
    let legend: Vec<(usize, usize, &str)> = {
        let (mut x, mut line) = (LABEL, 0);
        GRADES
            .iter()
            .map(|g| {
                let width = 30 + 7 * (lang.grade_word(g).chars().count() + 4);
                if x + width > WIDTH {
                    x = LABEL;
                    line += 1;
                }
                let at = (x, legend_y + line * 20, *g);
                x += width;
                at
            })
            .collect()
    };
    let height = legend.last().map_or(legend_y, |l| l.1) + 24;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    for (k, (label, grades)) in rows.iter().enumerate() {
        let y = k * (BAR + GAP);
        let total: usize = grades.values().sum();
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#000">{}</text>"##,
            LABEL - 8,
            y + BAR / 2 + 5,
            esc(label)
        );
        let mut x = LABEL as f64;
        for grade in GRADES {
            let n = grades.get(grade).copied().unwrap_or(0);
            if n == 0 || total == 0 {
                continue;
            }
            let w = plot * n as f64 / total as f64;
            let (bg, fg) = fill(grade);
            let _ = write!(
                svg,
                r##"<rect x="{x:.2}" y="{y}" width="{w:.2}" height="{BAR}" fill="{bg}" stroke="#fff" stroke-width="1"><title>{}: {}</title></rect>"##,
                esc(lang.grade_word(grade)),
                lang.count(n)
            );
            let text = lang.count(n);
            if w >= 8.0 * text.len() as f64 + 6.0 {
                let _ = write!(
                    svg,
                    r#"<text x="{:.2}" y="{}" text-anchor="middle" font-size="12" fill="{fg}">{text}</text>"#,
                    x + w / 2.0,
                    y + BAR / 2 + 4
                );
            }
            x += w;
        }
        let _ = write!(
            svg,
            r##"<text x="{:.2}" y="{}" font-size="12" fill="#000">{}</text>"##,
            LABEL as f64 + plot + 6.0,
            y + BAR / 2 + 4,
            lang.count(total)
        );
    }
    for (x, y, grade) in legend {
        let (bg, _) = fill(grade);
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{y}" width="14" height="14" fill="{bg}" stroke="#000" stroke-width="0.5"/><text x="{}" y="{}" font-size="12" fill="#000">{grade} — {}</text>"##,
            x + 18,
            y + 12,
            esc(lang.grade_word(grade))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The narrow chart's width: at most the text column of a 360 px phone, so
/// the chart is never scaled down and its text stays the body's size.
const NARROW: usize = 330;
/// The narrow chart's text size: the body's (15 px).
const NARROW_TEXT: usize = 15;

/// [`grade_bars`] laid out for a phone: each row's label and total on a
/// line of their own above its bar, the legend one grade a line, every text
/// at the body's size.
pub fn grade_bars_narrow(
    lang: Lang,
    title: &str,
    rows: &[(String, &BTreeMap<String, usize>)],
) -> String {
    const ROW: usize = 22 + BAR + GAP;
    let legend_y = rows.len() * ROW + 4;
    let height = legend_y + GRADES.len() * 22 + 4;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {NARROW} {height}" width="{NARROW}" height="{height}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(title),
        esc(title)
    );
    for (k, (label, grades)) in rows.iter().enumerate() {
        let y = k * ROW;
        let total: usize = grades.values().sum();
        let _ = write!(
            svg,
            r##"<text x="0" y="{}" font-size="{NARROW_TEXT}" fill="#000">{} — {}</text>"##,
            y + 16,
            esc(label),
            lang.count(total)
        );
        let mut x = 0.0;
        for grade in GRADES {
            let n = grades.get(grade).copied().unwrap_or(0);
            if n == 0 || total == 0 {
                continue;
            }
            let w = NARROW as f64 * n as f64 / total as f64;
            let (bg, fg) = fill(grade);
            let _ = write!(
                svg,
                r##"<rect x="{x:.2}" y="{}" width="{w:.2}" height="{BAR}" fill="{bg}" stroke="#fff" stroke-width="1"><title>{}: {}</title></rect>"##,
                y + 22,
                esc(lang.grade_word(grade)),
                lang.count(n)
            );
            let text = lang.count(n);
            if w >= 9.0 * text.len() as f64 + 6.0 {
                let _ = write!(
                    svg,
                    r#"<text x="{:.2}" y="{}" text-anchor="middle" font-size="{NARROW_TEXT}" fill="{fg}">{text}</text>"#,
                    x + w / 2.0,
                    y + 22 + BAR / 2 + 5
                );
            }
            x += w;
        }
    }
    for (k, grade) in GRADES.iter().enumerate() {
        let (bg, _) = fill(grade);
        let y = legend_y + k * 22;
        let _ = write!(
            svg,
            r##"<rect x="0" y="{y}" width="15" height="15" fill="{bg}" stroke="#000" stroke-width="0.5"/><text x="22" y="{}" font-size="{NARROW_TEXT}" fill="#000">{grade} — {}</text>"##,
            y + 13,
            esc(lang.grade_word(grade))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Both charts, the page's stylesheet showing the one that fits: the wide
/// one on a wide screen, the narrow one on a phone (no script needed).
pub fn grade_chart(lang: Lang, title: &str, rows: &[(String, &BTreeMap<String, usize>)]) -> String {
    format!(
        r#"<div class="chart-wide">{}</div><div class="chart-narrow">{}</div>"#,
        grade_bars(lang, title, rows),
        grade_bars_narrow(lang, title, rows)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_carries_every_count_and_escapes_its_labels() {
        let grades: BTreeMap<String, usize> = [
            ("A".to_string(), 10),
            ("B".to_string(), 88),
            ("C".to_string(), 26),
        ]
        .into();
        let svg = grade_bars(
            Lang::En,
            "Grades <by> type",
            &[("commune & ward".into(), &grades)],
        );
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("commune &amp; ward"));
        assert!(svg.contains("Grades &lt;by&gt; type"));
        assert!(svg.contains("<title>excellent: 10</title>"));
        assert!(svg.contains("<title>good: 88</title>"));
        assert!(svg.contains("<title>completed: 26</title>"));
        assert!(svg.contains(">124</text>"), "the row's total");
        assert_eq!(svg.matches("<rect").count(), 3 + GRADES.len());
        let narrow = grade_bars_narrow(
            Lang::En,
            "Grades <by> type",
            &[("commune & ward".into(), &grades)],
        );
        assert!(narrow.contains(r#"width="330""#));
        assert!(narrow.contains("commune &amp; ward — 124"));
        assert!(narrow.contains("<title>good: 88</title>"));
        assert!(
            !narrow.contains(r#"font-size="12""#),
            "no text below the body's size"
        );
        assert_eq!(narrow.matches("<rect").count(), 3 + GRADES.len());
    }
}
