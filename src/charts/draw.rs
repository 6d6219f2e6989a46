//! Drawing helpers shared by the charts: fonts, text fitting, the data-to-pixel frame,
//! dashed and hatched marks, legends, and how numbers are written.
//!
//! Charts place their marks through [`Frame`] in the pixel coordinates of their own area
//! rather than through plotters' chart builder, so that every position is explicit and the
//! same on every backend.

use plotters::coord::Shift;
use plotters::prelude::{
    Circle, DrawingArea, DrawingAreaErrorKind, DrawingBackend, FontStyle, IntoFont, PathElement,
    RGBColor, Rectangle, ShapeStyle, Text, TextStyle,
};
use plotters::style::Color;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::DrawResult;
use super::palette;

/// The font family every chart uses; the embedded DejaVu Sans is registered under it.
pub const FAMILY: &str = "sans-serif";

// Sizes in plotters' units: SVG text comes out at size / 1.24 px (19, 14, 13, 11 px).
pub const TITLE_SIZE: f64 = 24.0;
pub const CAPTION_SIZE: f64 = 17.0;
pub const LABEL_SIZE: f64 = 16.0;
pub const SMALL_SIZE: f64 = 14.0;

/// Space around the chart's edge, in pixels.
pub const MARGIN: i32 = 12;

pub fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font()).color(&palette::TEXT)
}

pub fn bold(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size, FontStyle::Bold).into_font()).color(&palette::TEXT)
}

/// `style` in another colour (plotters' own `color` wants a colour that lives as long as
/// the style).
pub fn coloured(style: &TextStyle<'static>, colour: RGBColor) -> TextStyle<'static> {
    TextStyle {
        color: colour.to_backend_color(),
        ..style.clone()
    }
}

/// Baseline-to-baseline distance for text of `size`.
pub fn line_height(size: f64) -> i32 {
    size.ceil() as i32 + 2
}

/// `style` anchored at the given horizontal and vertical position.
pub fn anchored(style: &TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

pub fn text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    at: (i32, i32),
    style: &TextStyle<'static>,
) -> DrawResult<DB> {
    if s.is_empty() {
        return Ok(());
    }
    area.draw(&Text::new(s.to_string(), at, style.clone()))
}

type Measured<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

pub fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle<'static>,
) -> Measured<u32, DB> {
    if s.is_empty() {
        return Ok(0);
    }
    area.estimate_text_size(s, style).map(|(w, _)| w)
}

/// `s`, cut short with "…" so that it fits in `max` pixels.
pub fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle<'static>,
    max: u32,
) -> Measured<String, DB> {
    if text_width(area, s, style)? <= max {
        return Ok(s.to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut lo, mut hi) = (0, chars.len());
    // The longest prefix that fits with the ellipsis (binary search on the length).
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if text_width(area, &candidate, style)? <= max {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(if lo == 0 {
        String::new()
    } else {
        chars[..lo].iter().collect::<String>() + "…"
    })
}

/// `s` broken into at most `max_lines` lines of at most `max` pixels at spaces; the last
/// line is cut short with "…" when the text does not fit.
pub fn wrap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle<'static>,
    max: u32,
    max_lines: usize,
) -> Measured<Vec<String>, DB> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut words = s.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || text_width(area, &candidate, style)? <= max {
            current = candidate;
            continue;
        }
        if lines.len() + 1 == max_lines {
            // Last line allowed: put the rest on it and cut it short.
            let rest: Vec<&str> = std::iter::once(word).chain(words.by_ref()).collect();
            current = format!("{current} {}", rest.join(" "));
            break;
        }
        lines.push(std::mem::replace(&mut current, word.to_string()));
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.truncate(max_lines.max(1));
    lines
        .into_iter()
        .map(|line| fit(area, &line, style, max))
        .collect()
}

/// A plotting region and the data ranges it shows: maps values to pixels in the area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Frame {
    /// Pixel column of `v`, clamped to the frame; `None` for a non-finite value.
    pub fn px(&self, v: f64) -> Option<i32> {
        scale(v, self.x, (self.left, self.right))
    }

    /// Pixel row of `v` (up is larger), clamped to the frame.
    pub fn py(&self, v: f64) -> Option<i32> {
        scale(v, self.y, (self.bottom, self.top))
    }

    pub fn point(&self, x: f64, y: f64) -> Option<(i32, i32)> {
        Some((self.px(x)?, self.py(y)?))
    }

    pub fn width(&self) -> i32 {
        self.right - self.left
    }

    /// Fills the plotting region with the plot background.
    pub fn background<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        area.draw(&Rectangle::new(
            [(self.left, self.top), (self.right, self.bottom)],
            palette::PLOT_BACKGROUND.filled(),
        ))
    }

    /// Vertical gridlines and labels under the frame at `ticks`.
    pub fn x_ticks<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        ticks: &[f64],
        label: impl Fn(f64) -> String,
    ) -> DrawResult<DB> {
        let style = anchored(&font(SMALL_SIZE), HPos::Center, VPos::Top);
        for &t in ticks {
            if let Some(x) = self.px(t) {
                line(area, (x, self.top), (x, self.bottom), palette::GRID, 1)?;
                text(area, &label(t), (x, self.bottom + 4), &style)?;
            }
        }
        Ok(())
    }

    /// Horizontal gridlines and labels left of the frame at `ticks`.
    pub fn y_ticks<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        ticks: &[f64],
        label: impl Fn(f64) -> String,
    ) -> DrawResult<DB> {
        let style = anchored(&font(SMALL_SIZE), HPos::Right, VPos::Center);
        for &t in ticks {
            if let Some(y) = self.py(t) {
                line(area, (self.left, y), (self.right, y), palette::GRID, 1)?;
                text(area, &label(t), (self.left - 6, y), &style)?;
            }
        }
        Ok(())
    }

    /// A title centred under the x tick labels.
    pub fn x_title<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
    ) -> DrawResult<DB> {
        let style = anchored(&font(LABEL_SIZE), HPos::Center, VPos::Top);
        let at = (
            (self.left + self.right) / 2,
            self.bottom + 6 + line_height(SMALL_SIZE),
        );
        text(area, title, at, &style)
    }

    /// A title turned upright along the left edge of `area`.
    pub fn y_title<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
    ) -> DrawResult<DB> {
        let style = anchored(&font(LABEL_SIZE), HPos::Center, VPos::Top)
            .transform(plotters::style::FontTransform::Rotate270);
        text(area, title, (MARGIN, (self.top + self.bottom) / 2), &style)
    }

    /// Axis lines on the left and bottom.
    pub fn axes<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        line(
            area,
            (self.left, self.bottom),
            (self.right, self.bottom),
            palette::AXIS,
            1,
        )?;
        line(
            area,
            (self.left, self.top),
            (self.left, self.bottom),
            palette::AXIS,
            1,
        )
    }
}

fn scale(v: f64, (lo, hi): (f64, f64), (from, to): (i32, i32)) -> Option<i32> {
    if !v.is_finite() {
        return None;
    }
    if !(hi - lo).is_finite() || hi <= lo {
        return Some((from + to) / 2);
    }
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    Some((f64::from(from) + t * f64::from(to - from)).round() as i32)
}

/// Ticks from `lo` to `hi` every `step` (both ends included when they fall on a step).
pub fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && step.is_finite()) || step <= 0.0 || hi < lo {
        return Vec::new();
    }
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    // At most a few hundred ticks: guards against a step far smaller than the range.
    (first..=last).take(500).map(|k| k as f64 * step).collect()
}

pub fn line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    colour: RGBColor,
    width: u32,
) -> DrawResult<DB> {
    area.draw(&PathElement::new(
        vec![from, to],
        ShapeStyle::from(&colour).stroke_width(width),
    ))
}

/// A dashed straight line: `dash` pixels drawn, `gap` pixels left, repeated.
pub fn dashed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    colour: RGBColor,
    width: u32,
) -> DrawResult<DB> {
    let (dash, gap) = (6.0, 4.0);
    let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let length = dx.hypot(dy);
    if length < 1.0 {
        return Ok(());
    }
    let at = |d: f64| {
        (
            from.0 + (dx * d / length).round() as i32,
            from.1 + (dy * d / length).round() as i32,
        )
    };
    let mut d = 0.0;
    while d < length {
        line(area, at(d), at((d + dash).min(length)), colour, width)?;
        d += dash + gap;
    }
    Ok(())
}

/// Marks a region that is hidden to protect a small group: light grey with grey diagonal
/// hatching, so that it reads as "nothing shown here" in colour and in grey print alike.
pub fn hatched<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
) -> DrawResult<DB> {
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    area.draw(&Rectangle::new(
        [(x0, y0), (x1, y1)],
        palette::LIGHT_GREY.filled(),
    ))?;
    let spacing = 8;
    let (w, h) = (x1 - x0, y1 - y0);
    // Lines x − y = c (rising to the right on screen), clipped to the rectangle.
    let mut c = -h + spacing / 2;
    while c < w {
        let start = if c >= 0 { (x0 + c, y1) } else { (x0, y1 + c) };
        let end = if c + h <= w {
            (x0 + c + h, y0)
        } else {
            (x1, y0 + (c + h - w))
        };
        line(area, start, end, palette::GREY, 1)?;
        c += spacing;
    }
    Ok(())
}

/// What a legend entry shows beside its label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Key {
    FilledCircle(RGBColor),
    HollowCircle(RGBColor),
    Line(RGBColor),
    DashedLine(RGBColor),
    Swatch(RGBColor),
    Outlined,
    Hatched,
}

/// A legend laid out left to right from `at`, wrapping within `max_width`; returns the
/// height used.
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Key, String)],
    at: (i32, i32),
    max_width: i32,
) -> Measured<i32, DB> {
    let style = anchored(&font(SMALL_SIZE), HPos::Left, VPos::Center);
    let row = line_height(SMALL_SIZE) + 4;
    let (mut x, mut y) = (at.0, at.1 + row / 2);
    for (key, label) in entries {
        let width = 22 + text_width(area, label, &style)? as i32 + 16;
        if x > at.0 && x + width > at.0 + max_width {
            x = at.0;
            y += row;
        }
        match *key {
            Key::FilledCircle(c) => area.draw(&Circle::new((x + 7, y), 5, c.filled()))?,
            Key::HollowCircle(c) => hollow_circle(area, (x + 7, y), 5, c)?,
            Key::Line(c) => line(area, (x, y), (x + 16, y), c, 3)?,
            Key::DashedLine(c) => {
                line(area, (x, y), (x + 6, y), c, 2)?;
                line(area, (x + 10, y), (x + 16, y), c, 2)?;
            }
            Key::Swatch(c) => {
                // A hairline, so that a pale swatch (no gap) still shows.
                area.draw(&Rectangle::new([(x, y - 6), (x + 16, y + 6)], c.filled()))?;
                area.draw(&Rectangle::new(
                    [(x, y - 6), (x + 16, y + 6)],
                    ShapeStyle::from(&palette::GREY).stroke_width(1),
                ))?;
            }
            Key::Outlined => area.draw(&Rectangle::new(
                [(x, y - 6), (x + 16, y + 6)],
                ShapeStyle::from(&palette::BLACK).stroke_width(2),
            ))?,
            Key::Hatched => hatched(area, (x, y - 6), (x + 16, y + 6))?,
        }
        text(area, label, (x + 22, y), &style)?;
        x += width;
    }
    Ok(y + row / 2 - at.1)
}

/// A rectangle in pixels: (left, top, right, bottom).
pub type Bounds = (i32, i32, i32, i32);

/// Writes `text` beside the point at `(px, py)`, in the first of four places (right, left,
/// above, below) that stays inside the frame and overlaps nothing in `taken`, and adds the
/// label to `taken`. Points should be in `taken` before any label is placed.
pub fn label_point<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    text: &str,
    (px, py): (i32, i32),
    taken: &mut Vec<Bounds>,
) -> DrawResult<DB> {
    let style = font(SMALL_SIZE);
    let w = text_width(area, text, &style)? as i32;
    let h = line_height(SMALL_SIZE);
    let corners = [
        (px + 10, py - h / 2),
        (px - 10 - w, py - h / 2),
        (px - w / 2, py - 10 - h),
        (px - w / 2, py + 10),
    ];
    let boxes = corners.map(|(x, y)| (x, y, x + w, y + h));
    let overlaps = |(x0, y0, x1, y1): Bounds| {
        taken
            .iter()
            .any(|&(a0, b0, a1, b1)| x0 < a1 && a0 < x1 && y0 < b1 && b0 < y1)
    };
    let inside = |(x0, y0, x1, y1): Bounds| {
        x0 >= frame.left && x1 <= frame.right && y0 >= frame.top && y1 <= frame.bottom
    };
    let chosen = boxes
        .iter()
        .copied()
        .find(|b| inside(*b) && !overlaps(*b))
        .or_else(|| boxes.iter().copied().find(|b| inside(*b)))
        .unwrap_or(boxes[0]);
    taken.push(chosen);
    self::text(
        area,
        text,
        (chosen.0, chosen.1),
        &anchored(&style, HPos::Left, VPos::Top),
    )
}

/// A ring two pixels wide with a white middle (so lines under it don't show through):
/// a disc of `colour` with a smaller white disc on it. Filled discs rather than a stroked
/// circle, because plotters' bitmap backend draws a thick stroked circle of this size with
/// gaps and spokes.
pub fn hollow_circle<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    centre: (i32, i32),
    radius: u32,
    colour: RGBColor,
) -> DrawResult<DB> {
    area.draw(&Circle::new(centre, radius + 1, colour.filled()))?;
    area.draw(&Circle::new(
        centre,
        radius.saturating_sub(1),
        palette::WHITE.filled(),
    ))
}

/// `Some(x)` for a finite number: NaN can't come out of the analysis, but a chart must not
/// draw one if it ever did.
/// Escapes text for XML content and attributes.
pub fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_maps_the_range_onto_its_pixels_and_clamps() {
        let f = Frame {
            left: 100,
            top: 10,
            right: 500,
            bottom: 210,
            x: (1.0, 5.0),
            y: (0.0, 1.0),
        };
        assert_eq!(f.px(1.0), Some(100));
        assert_eq!(f.px(3.0), Some(300));
        assert_eq!(f.px(5.0), Some(500));
        assert_eq!(f.px(9.0), Some(500));
        assert_eq!(f.px(f64::NAN), None);
        assert_eq!(f.py(0.0), Some(210));
        assert_eq!(f.py(0.25), Some(160));
        let flat = Frame { x: (2.0, 2.0), ..f };
        assert_eq!(flat.px(2.0), Some(300));
    }

    #[test]
    fn ticks_fall_on_the_steps() {
        assert_eq!(ticks(1.0, 5.0, 1.0), vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(ticks(0.0, 1.0, 0.25), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(ticks(2.3, 3.1, 0.5), vec![2.5, 3.0]);
        assert!(ticks(5.0, 1.0, 1.0).is_empty());
        assert!(ticks(0.0, 1.0, 0.0).is_empty());
        assert!(ticks(0.0, f64::INFINITY, 1.0).is_empty());
        assert_eq!(ticks(0.0, 1e9, 1.0).len(), 500);
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(escape_xml("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
