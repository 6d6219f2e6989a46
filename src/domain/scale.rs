//! Answer scales and answers: a value exists only if it lies on its item's scale.

use serde::Serialize;

use crate::error::{AppError, Result};

/// Byte that marks "no answer" in a packed answer row.
pub const NO_ANSWER: u8 = u8::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// 1 (very poor / strongly disagree) .. 5 (excellent / strongly agree).
    Likert5,
    /// 0 .. 10, likelihood to recommend.
    Nps11,
    /// 1 .. 7, agreement that getting things done was easy.
    Ces7,
    /// 1 (not important) .. 5 (critical).
    Importance5,
    /// 0 = no, 1 = yes.
    YesNo,
    /// Free text; stored as a comment, never as a number.
    Text,
}

impl Scale {
    pub const ALL: [Scale; 6] = [
        Scale::Likert5,
        Scale::Nps11,
        Scale::Ces7,
        Scale::Importance5,
        Scale::YesNo,
        Scale::Text,
    ];

    pub fn parse(s: &str) -> Result<Scale> {
        Scale::ALL
            .into_iter()
            .find(|scale| scale.as_str() == s.trim())
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "unknown scale `{}`: use likert5, nps11, ces7, importance5, yesno or text",
                    s.trim()
                ))
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Likert5 => "likert5",
            Scale::Nps11 => "nps11",
            Scale::Ces7 => "ces7",
            Scale::Importance5 => "importance5",
            Scale::YesNo => "yesno",
            Scale::Text => "text",
        }
    }

    /// Lowest and highest value, for the scales whose answers are numbers.
    pub fn range(self) -> Option<(u8, u8)> {
        match self {
            Scale::Likert5 | Scale::Importance5 => Some((1, 5)),
            Scale::Nps11 => Some((0, 10)),
            Scale::Ces7 => Some((1, 7)),
            Scale::YesNo => Some((0, 1)),
            Scale::Text => None,
        }
    }

    /// Rating scales: the ones that have means, gaps and a staff mirror.
    pub fn is_rating(self) -> bool {
        !matches!(self, Scale::Text | Scale::YesNo)
    }

    /// Parses one cell or form value. Empty means no answer (`None`).
    pub fn parse_value(self, raw: &str) -> Result<Option<Answer>> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let value = match self {
            Scale::Text => {
                return Err(AppError::invalid("a text item has no numeric value"));
            }
            Scale::YesNo => match raw.to_ascii_lowercase().as_str() {
                "1" | "yes" | "true" | "y" => 1,
                "0" | "no" | "false" | "n" => 0,
                _ => {
                    return Err(AppError::invalid(format!(
                        "`{raw}` is not yes or no (use yes/no, true/false or 1/0)"
                    )));
                }
            },
            _ => raw.parse::<i64>().map_err(|_| {
                AppError::invalid(format!(
                    "`{raw}` is not a whole number on the {} scale",
                    self.as_str()
                ))
            })?,
        };
        Answer::new(self, value).map(Some)
    }
}

/// One numeric answer, known to lie on its scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer(u8);

impl Answer {
    pub fn new(scale: Scale, value: i64) -> Result<Answer> {
        let Some((lo, hi)) = scale.range() else {
            return Err(AppError::invalid("a text item has no numeric value"));
        };
        if value < i64::from(lo) || value > i64::from(hi) {
            return Err(AppError::invalid(format!(
                "{value} is outside the {} scale ({lo}..{hi})",
                scale.as_str()
            )));
        }
        // In range 0..=10, so the cast is exact.
        Ok(Answer(value as u8))
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ranges() {
        assert!(Answer::new(Scale::Likert5, 0).is_err());
        assert_eq!(Answer::new(Scale::Likert5, 5).unwrap().value(), 5);
        assert!(Answer::new(Scale::Likert5, 6).is_err());
        assert_eq!(Answer::new(Scale::Nps11, 0).unwrap().value(), 0);
        assert!(Answer::new(Scale::Nps11, 11).is_err());
        assert!(Answer::new(Scale::Ces7, 7).is_ok());
        assert!(Answer::new(Scale::Text, 1).is_err());
    }

    #[test]
    fn cells() {
        assert_eq!(Scale::Likert5.parse_value(" ").unwrap(), None);
        assert_eq!(Scale::Likert5.parse_value("4").unwrap().unwrap().value(), 4);
        assert!(Scale::Likert5.parse_value("4.5").is_err());
        assert!(Scale::Likert5.parse_value("x").is_err());
        assert_eq!(Scale::YesNo.parse_value("Yes").unwrap().unwrap().value(), 1);
        assert!(Scale::YesNo.parse_value("maybe").is_err());
        assert!(
            Scale::parse("likert7")
                .unwrap_err()
                .to_string()
                .contains("likert5")
        );
    }

    proptest! {
        #[test]
        fn an_answer_is_always_in_range(v in -1000i64..1000, i in 0usize..5) {
            let scale = Scale::ALL[i];
            let (lo, hi) = scale.range().unwrap();
            match Answer::new(scale, v) {
                Ok(a) => prop_assert!(a.value() >= lo && a.value() <= hi && a.value() != NO_ANSWER),
                Err(_) => prop_assert!(v < i64::from(lo) || v > i64::from(hi)),
            }
        }
    }
}
