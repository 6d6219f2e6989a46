//! A wave's reminder schedule: days after someone's invitation went out on which they are
//! reminded, if they have not answered (e.g. `7,14`).

use std::fmt;

use crate::error::{AppError, Result};

/// The most reminders a schedule may hold; nobody should get more mail than this.
pub const MAX_SCHEDULED_REMINDERS: usize = 5;

/// Days after the invitation, strictly increasing, each 1..=365.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderSchedule(Vec<u32>);

impl ReminderSchedule {
    /// Parses `7,14` (spaces allowed); an empty string is no schedule.
    pub fn parse(s: &str) -> Result<ReminderSchedule> {
        let mut days = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let day: u32 = part.parse().map_err(|_| {
                AppError::invalid(format!(
                    "reminder day `{part}` is not a whole number of days (write e.g. 7,14)"
                ))
            })?;
            if !(1..=365).contains(&day) {
                return Err(AppError::invalid(format!(
                    "reminder day {day} must lie between 1 and 365"
                )));
            }
            if days.last().is_some_and(|last| *last >= day) {
                return Err(AppError::invalid(format!(
                    "reminder days must increase: {day} comes after {}",
                    days.last().copied().unwrap_or_default()
                )));
            }
            days.push(day);
        }
        if days.len() > MAX_SCHEDULED_REMINDERS {
            return Err(AppError::invalid(format!(
                "{} reminders; at most {MAX_SCHEDULED_REMINDERS} are allowed",
                days.len()
            )));
        }
        Ok(ReminderSchedule(days))
    }

    pub fn days(&self) -> &[u32] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for ReminderSchedule {
    /// As stored: `7,14`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&days.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(ReminderSchedule::parse("7, 14").unwrap().days(), [7, 14]);
        assert_eq!(ReminderSchedule::parse("7,14").unwrap().to_string(), "7,14");
        assert!(ReminderSchedule::parse("").unwrap().is_empty());
        for bad in ["14,7", "7,7", "0", "366", "x", "1,2,3,4,5,6", "-1"] {
            assert!(ReminderSchedule::parse(bad).is_err(), "{bad}");
        }
    }
}
