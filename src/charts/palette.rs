//! Colours: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), whose eight
//! colours stay distinguishable with protanopia, deuteranopia and tritanopia, plus greys.
//!
//! One meaning per colour across rind's charts where it can be: customers blue, staff
//! orange; blind spots and watermelons vermillion (IT looks better to itself than to its
//! customers), hidden strengths and reverse watermelons bluish green; grey for what cannot
//! be shown. Shapes and text always repeat what a colour says.

use plotters::style::RGBColor;

use crate::analysis::gap::Verdict;
use crate::analysis::watermelon::WatermelonClass;

pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
/// Insufficient data and suppressed cells.
pub const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// Fill behind suppressed cells and the neutral answer.
pub const LIGHT_GREY: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Background of the plotting area.
pub const PLOT_BACKGROUND: RGBColor = RGBColor(0xF7, 0xF7, 0xF7);
/// Gridlines.
pub const GRID: RGBColor = RGBColor(0xE0, 0xE0, 0xE0);
/// Axis lines, reference lines.
pub const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Captions and notes (4.5:1 or better on white).
pub const MUTED_TEXT: RGBColor = RGBColor(0x59, 0x59, 0x59);

/// What customers said.
pub const CUSTOMERS: RGBColor = BLUE;
/// What staff expected customers to say.
pub const STAFF: RGBColor = ORANGE;

pub fn verdict(verdict: Verdict) -> RGBColor {
    match verdict {
        Verdict::BlindSpot => VERMILLION,
        Verdict::HiddenStrength => BLUISH_GREEN,
        Verdict::Aligned => BLUE,
        Verdict::InsufficientData => GREY,
        Verdict::OverestimatedPriority => REDDISH_PURPLE,
        Verdict::UnderestimatedPriority => SKY_BLUE,
    }
}

pub fn watermelon(class: WatermelonClass) -> RGBColor {
    match class {
        WatermelonClass::Watermelon => VERMILLION,
        WatermelonClass::ReverseWatermelon => BLUISH_GREEN,
        WatermelonClass::Consistent => BLUE,
        WatermelonClass::Inconclusive | WatermelonClass::InsufficientData => GREY,
    }
}

/// `from` moved towards `to` by `t` (0 = from, 1 = to).
pub fn blend(from: RGBColor, to: RGBColor, t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
}

/// Colours of the answers of a scale with `values` points, lowest first: vermillion to
/// orange below the middle, light grey for the middle, sky blue to blue above it.
pub fn diverging(values: usize) -> Vec<RGBColor> {
    let below = values / 2;
    // From the palest (next to the middle) to the strongest, k steps; one step is the strongest.
    let ramp = |pale: RGBColor, strong: RGBColor, k: usize| -> Vec<RGBColor> {
        (0..k)
            .map(|i| {
                let t = if k > 1 {
                    i as f64 / (k - 1) as f64
                } else {
                    1.0
                };
                blend(pale, strong, t)
            })
            .collect()
    };
    // Lowest answer first: the strongest colour at the ends, the palest next to the middle.
    let mut out: Vec<RGBColor> = ramp(ORANGE, VERMILLION, below).into_iter().rev().collect();
    if values % 2 == 1 {
        out.push(LIGHT_GREY);
    }
    out.extend(ramp(SKY_BLUE, BLUE, below));
    out
}

/// A gap's colour in the heatmap: from the plot background at no gap, towards blue for
/// hidden strengths and vermillion for blind spots; a gap of `full` or more gets the full
/// colour.
pub fn gap_heat(gap: f64, full: f64) -> RGBColor {
    if !gap.is_finite() || full <= 0.0 {
        return PLOT_BACKGROUND;
    }
    let t = (gap.abs() / full).min(1.0);
    let to = if gap >= 0.0 { VERMILLION } else { BLUE };
    blend(PLOT_BACKGROUND, to, t)
}

/// Hex form, as the SVG backend writes it (`#D55E00`).
pub fn hex(colour: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", colour.0, colour.1, colour.2)
}

/// Relative luminance (WCAG 2), to pick dark or light text on a fill.
pub fn luminance(colour: RGBColor) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(colour.0) + 0.7152 * channel(colour.1) + 0.0722 * channel(colour.2)
}

/// Black or white, whichever reads better on `fill`.
pub fn text_on(fill: RGBColor) -> RGBColor {
    // Contrast with black (L + 0.05) / 0.05 against white 1.05 / (L + 0.05): equal at L ≈ 0.179.
    if luminance(fill) > 0.179 { TEXT } else { WHITE }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverging_ramps_have_one_colour_per_answer_and_a_grey_middle() {
        for values in [2, 5, 7, 11] {
            let colours = diverging(values);
            assert_eq!(colours.len(), values);
            assert_eq!(colours[0], VERMILLION);
            assert_eq!(colours[values - 1], BLUE);
            if values % 2 == 1 {
                assert_eq!(colours[values / 2], LIGHT_GREY);
            }
        }
        assert_eq!(
            diverging(5),
            vec![VERMILLION, ORANGE, LIGHT_GREY, SKY_BLUE, BLUE]
        );
        assert!(diverging(0).is_empty());
        assert_eq!(diverging(1), vec![LIGHT_GREY]);
    }

    #[test]
    fn heat_grows_with_the_gap_and_saturates() {
        assert_eq!(gap_heat(0.0, 1.0), PLOT_BACKGROUND);
        assert_eq!(gap_heat(2.0, 1.0), VERMILLION);
        assert_eq!(gap_heat(-1.0, 1.0), BLUE);
        assert_eq!(gap_heat(f64::NAN, 1.0), PLOT_BACKGROUND);
        assert!(luminance(gap_heat(0.3, 1.0)) > luminance(gap_heat(0.8, 1.0)));
    }

    #[test]
    fn text_colour_keeps_contrast() {
        assert_eq!(text_on(WHITE), TEXT);
        assert_eq!(text_on(BLUE), WHITE);
        assert_eq!(text_on(LIGHT_GREY), TEXT);
        assert_eq!(hex(VERMILLION), "#D55E00");
    }
}
