//! Response labels ("anchors"): the words a respondent picks from on a rating item.
//!
//! They belong to the item, not to the audience. A mirrored item asks staff to predict the
//! customers' answer, so both audiences must pick from the same labels or the gap compares
//! unlike things; the instrument import refuses anything else.

use serde::Serialize;

use super::Scale;
use crate::error::{AppError, Result};

/// The longest item label, in characters: a few words for chart axes and table rows.
pub const MAX_LABEL_CHARS: usize = 60;

/// A named set of response labels, each fitting one scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Anchors {
    /// likert5: Strongly disagree .. Strongly agree.
    Agreement,
    /// likert5: Very dissatisfied .. Very satisfied.
    Satisfaction,
    /// likert5: Very poor .. Excellent.
    Quality,
    /// importance5: Not important .. Critical.
    Importance,
    /// nps11: 0 Not at all likely .. 10 Extremely likely.
    Likelihood,
    /// ces7: seven points of agreement that getting things done was easy.
    Ease,
}

const AGREEMENT: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];
const SATISFACTION: [&str; 5] = [
    "Very dissatisfied",
    "Dissatisfied",
    "Neither satisfied nor dissatisfied",
    "Satisfied",
    "Very satisfied",
];
const QUALITY: [&str; 5] = ["Very poor", "Poor", "Fair", "Good", "Excellent"];
const IMPORTANCE: [&str; 5] = [
    "Not important",
    "Slightly important",
    "Moderately important",
    "Very important",
    "Critical",
];
// Only the ends of 0..10 are worded; the middle values are their numbers.
const LIKELIHOOD: [&str; 11] = [
    "Not at all likely",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "Extremely likely",
];
const EASE: [&str; 7] = [
    "Strongly disagree",
    "Disagree",
    "Somewhat disagree",
    "Neither agree nor disagree",
    "Somewhat agree",
    "Agree",
    "Strongly agree",
];

impl Anchors {
    pub const ALL: [Anchors; 6] = [
        Anchors::Agreement,
        Anchors::Satisfaction,
        Anchors::Quality,
        Anchors::Importance,
        Anchors::Likelihood,
        Anchors::Ease,
    ];

    pub fn parse(s: &str) -> Result<Anchors> {
        let wanted = s.trim().to_ascii_lowercase();
        Anchors::ALL
            .into_iter()
            .find(|a| a.as_str() == wanted)
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "unknown anchors `{}`: use agreement, satisfaction, quality, importance, \
                     likelihood or ease",
                    s.trim()
                ))
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Anchors::Agreement => "agreement",
            Anchors::Satisfaction => "satisfaction",
            Anchors::Quality => "quality",
            Anchors::Importance => "importance",
            Anchors::Likelihood => "likelihood",
            Anchors::Ease => "ease",
        }
    }

    /// The scale these labels are written for.
    fn scale(self) -> Scale {
        match self {
            Anchors::Agreement | Anchors::Satisfaction | Anchors::Quality => Scale::Likert5,
            Anchors::Importance => Scale::Importance5,
            Anchors::Likelihood => Scale::Nps11,
            Anchors::Ease => Scale::Ces7,
        }
    }

    /// The labels in value order, from the scale's lowest value.
    fn words(self) -> &'static [&'static str] {
        match self {
            Anchors::Agreement => &AGREEMENT,
            Anchors::Satisfaction => &SATISFACTION,
            Anchors::Quality => &QUALITY,
            Anchors::Importance => &IMPORTANCE,
            Anchors::Likelihood => &LIKELIHOOD,
            Anchors::Ease => &EASE,
        }
    }

    /// The labels an item gets when its instrument names none: what the shipped items use.
    /// Satisfaction for the overall and per-service likert5 items, agreement for the other
    /// likert5 statements; `None` for yes/no and text items, which have no anchors.
    pub fn default_for(scale: Scale, dimension: &str) -> Option<Anchors> {
        match scale {
            Scale::Likert5 if matches!(dimension, "overall" | "service") => {
                Some(Anchors::Satisfaction)
            }
            Scale::Likert5 => Some(Anchors::Agreement),
            Scale::Importance5 => Some(Anchors::Importance),
            Scale::Nps11 => Some(Anchors::Likelihood),
            Scale::Ces7 => Some(Anchors::Ease),
            Scale::YesNo | Scale::Text => None,
        }
    }

    /// Whether these labels are written for `scale` (one label per value).
    pub fn fits(self, scale: Scale) -> bool {
        self.scale() == scale
    }

    /// The label of one value; `None` if the labels don't fit `scale` or the value is off it.
    pub fn label(self, scale: Scale, value: u8) -> Option<&'static str> {
        let (lo, hi) = scale.range()?;
        if !self.fits(scale) || value < lo || value > hi {
            return None;
        }
        self.words().get(usize::from(value - lo)).copied()
    }

    /// Every value of `scale` with its label, lowest first; empty if they don't fit.
    pub fn labels(self, scale: Scale) -> Vec<(u8, &'static str)> {
        match scale.range() {
            Some((lo, _)) if self.fits(scale) => (lo..).zip(self.words().iter().copied()).collect(),
            _ => Vec::new(),
        }
    }
}

/// Characters a derived label does not end on.
const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', '-', '–', '—', '(', '/'];

/// A short label derived from an item's customer wording: the wording itself when it fits
/// in [`MAX_LABEL_CHARS`], otherwise cut at the last word boundary that fits (a single word
/// longer than that is cut at the limit), without trailing punctuation or spaces.
///
/// The migration that added `items.label` backfills stored items with the same rule in SQL.
pub fn label_from_wording(wording: &str) -> String {
    let wording = wording.trim();
    let cut: String = if wording.chars().count() <= MAX_LABEL_CHARS {
        wording.to_string()
    } else {
        // One character more than fits: if it is a space, the word before it ends in time.
        let head: String = wording.chars().take(MAX_LABEL_CHARS + 1).collect();
        match head.rfind(char::is_whitespace) {
            Some(at) if at > 0 => head[..at].to_string(),
            _ => wording.chars().take(MAX_LABEL_CHARS).collect(),
        }
    };
    cut.trim_end_matches(|c: char| c.is_whitespace() || TRAILING.contains(&c))
        .to_string()
}

/// Checks an instrument's explicit label: not empty (callers treat empty as absent), at most
/// [`MAX_LABEL_CHARS`] characters, one line.
pub fn check_label(label: &str) -> std::result::Result<(), String> {
    let n = label.chars().count();
    if n > MAX_LABEL_CHARS {
        return Err(format!(
            "`label` is {n} characters; a label is a few words, at most {MAX_LABEL_CHARS}"
        ));
    }
    if label.chars().any(char::is_control) {
        return Err("`label` must be one line of text".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_round_trip() {
        for a in Anchors::ALL {
            assert_eq!(Anchors::parse(a.as_str()).unwrap(), a);
        }
        assert_eq!(Anchors::parse(" Quality ").unwrap(), Anchors::Quality);
        assert!(
            Anchors::parse("frequency")
                .unwrap_err()
                .to_string()
                .contains("agreement, satisfaction, quality")
        );
    }

    #[test]
    fn each_set_labels_every_value_of_its_scale_and_no_other() {
        for a in Anchors::ALL {
            for scale in Scale::ALL {
                let labels = a.labels(scale);
                if !a.fits(scale) {
                    assert!(labels.is_empty(), "{a:?} on {scale:?}");
                    assert_eq!(a.label(scale, 1), None);
                    continue;
                }
                let (lo, hi) = scale.range().unwrap();
                let values: Vec<u8> = labels.iter().map(|(v, _)| *v).collect();
                assert_eq!(values, (lo..=hi).collect::<Vec<_>>(), "{a:?}");
                for (v, l) in labels {
                    assert_eq!(a.label(scale, v), Some(l));
                    assert!(!l.is_empty());
                }
                assert_eq!(a.label(scale, hi + 1), None);
            }
        }
        assert_eq!(
            Anchors::Agreement.label(Scale::Likert5, 1),
            Some("Strongly disagree")
        );
        assert_eq!(
            Anchors::Satisfaction.label(Scale::Likert5, 5),
            Some("Very satisfied")
        );
        assert_eq!(Anchors::Quality.label(Scale::Likert5, 5), Some("Excellent"));
        assert_eq!(
            Anchors::Importance.label(Scale::Importance5, 5),
            Some("Critical")
        );
        assert_eq!(
            Anchors::Likelihood.label(Scale::Nps11, 0),
            Some("Not at all likely")
        );
        assert_eq!(Anchors::Likelihood.label(Scale::Nps11, 5), Some("5"));
        assert_eq!(
            Anchors::Likelihood.label(Scale::Nps11, 10),
            Some("Extremely likely")
        );
        assert_eq!(
            Anchors::Ease.label(Scale::Ces7, 4),
            Some("Neither agree nor disagree")
        );
        assert!(!Anchors::Quality.fits(Scale::Ces7));
    }

    #[test]
    fn defaults_fit_the_shipped_items() {
        assert_eq!(
            Anchors::default_for(Scale::Likert5, "service"),
            Some(Anchors::Satisfaction)
        );
        assert_eq!(
            Anchors::default_for(Scale::Likert5, "overall"),
            Some(Anchors::Satisfaction)
        );
        assert_eq!(
            Anchors::default_for(Scale::Likert5, "reliability"),
            Some(Anchors::Agreement)
        );
        assert_eq!(
            Anchors::default_for(Scale::Importance5, "reliability"),
            Some(Anchors::Importance)
        );
        assert_eq!(
            Anchors::default_for(Scale::Nps11, "loyalty"),
            Some(Anchors::Likelihood)
        );
        assert_eq!(
            Anchors::default_for(Scale::Ces7, "effort"),
            Some(Anchors::Ease)
        );
        assert_eq!(Anchors::default_for(Scale::YesNo, "contact"), None);
        assert_eq!(Anchors::default_for(Scale::Text, "comments"), None);
        for scale in Scale::ALL {
            if let Some(a) = Anchors::default_for(scale, "reliability") {
                assert!(a.fits(scale), "{a:?} on {scale:?}");
            }
        }
    }

    #[test]
    fn a_derived_label_is_cut_at_a_word_without_trailing_punctuation() {
        assert_eq!(
            label_from_wording("How satisfied are you with the service desk?"),
            "How satisfied are you with the service desk"
        );
        assert_eq!(
            label_from_wording(
                "  The IT office delivers what it commits to, when it said it would. "
            ),
            "The IT office delivers what it commits to, when it said it"
        );
        // The word that crosses the limit goes, and so does the comma before it.
        let long = "The systems my agency depends on are there for our staff, and for the public.";
        let label = label_from_wording(long);
        assert_eq!(
            label,
            "The systems my agency depends on are there for our staff"
        );
        assert!(label.chars().count() <= MAX_LABEL_CHARS);
        // A word that ends exactly at the limit is kept whole.
        let exact = format!("{} tail", "a".repeat(60));
        assert_eq!(label_from_wording(&exact), "a".repeat(60));
        // A single word longer than the limit is cut at it.
        assert_eq!(label_from_wording(&"x".repeat(80)), "x".repeat(60));
        assert_eq!(label_from_wording("Why?!"), "Why");
        assert_eq!(label_from_wording(""), "");
        // Characters, not bytes: 60 two-byte characters fit, 61 do not.
        let accented = "é".repeat(58) + " ü";
        assert_eq!(label_from_wording(&accented), accented);
        assert_eq!(label_from_wording(&format!("{accented}ü")), "é".repeat(58));
    }

    #[test]
    fn explicit_labels_are_short_and_one_line() {
        assert!(check_label("Delivers on commitments").is_ok());
        assert!(check_label(&"x".repeat(60)).is_ok());
        assert!(
            check_label(&"x".repeat(61))
                .unwrap_err()
                .contains("61 characters")
        );
        assert!(check_label("two\nlines").is_err());
    }

    proptest! {
        #[test]
        fn a_derived_label_always_fits_and_is_a_prefix(wording in "\\PC{0,120}") {
            let label = label_from_wording(&wording);
            prop_assert!(label.chars().count() <= MAX_LABEL_CHARS);
            prop_assert!(wording.trim().starts_with(&label));
            prop_assert!(!label.ends_with(|c: char| c.is_whitespace() || TRAILING.contains(&c)));
        }
    }
}
