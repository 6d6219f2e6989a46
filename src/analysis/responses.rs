//! The in-memory form of a wave's responses that every analysis reads.
//!
//! Column-major: for each item, one byte per respondent (`NO_ANSWER` = not answered), so
//! a statistic over one item walks one contiguous slice. Agencies are ids; segments and
//! teams are interned to small indexes so breakdowns group by integer.

use super::stats::Tally;
use crate::domain::NO_ANSWER;

/// The responses of one audience in one wave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseSet {
    /// Agency of each respondent (`None` for staff).
    pub agency: Vec<Option<i64>>,
    /// Index into `segments` of each respondent's segment (customers) or team (staff).
    pub segment: Vec<Option<u32>>,
    /// Distinct segment or team names.
    pub segments: Vec<String>,
    /// `answers[item position][respondent]`.
    pub answers: Vec<Vec<u8>>,
}

impl ResponseSet {
    pub fn with_items(n_items: usize, capacity: usize) -> ResponseSet {
        ResponseSet {
            agency: Vec::with_capacity(capacity),
            segment: Vec::with_capacity(capacity),
            segments: Vec::new(),
            answers: (0..n_items).map(|_| Vec::with_capacity(capacity)).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.agency.len()
    }

    pub fn is_empty(&self) -> bool {
        self.agency.is_empty()
    }

    /// Adds one respondent from a packed answer row (one byte per item position; a short
    /// row means the missing tail was not answered).
    pub fn push(&mut self, agency: Option<i64>, segment: Option<u32>, packed: &[u8]) {
        self.agency.push(agency);
        self.segment.push(segment);
        for (position, column) in self.answers.iter_mut().enumerate() {
            column.push(packed.get(position).copied().unwrap_or(NO_ANSWER));
        }
    }

    /// The answered values of one item.
    pub fn values(&self, position: usize) -> impl Iterator<Item = u8> + '_ {
        self.answers
            .get(position)
            .into_iter()
            .flatten()
            .copied()
            .filter(|v| *v != NO_ANSWER)
    }

    /// How many gave each answer to one item.
    pub fn tally(&self, position: usize) -> Tally {
        let mut tally = Tally::new();
        for v in self.values(position) {
            tally.add(v);
        }
        tally
    }
}

/// Both audiences of one wave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaveResponses {
    pub customers: ResponseSet,
    pub staff: ResponseSet,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_rows_become_columns() {
        let mut set = ResponseSet::with_items(3, 2);
        set.push(Some(7), Some(0), &[5, NO_ANSWER, 1]);
        set.push(None, None, &[4]);
        assert_eq!(set.len(), 2);
        assert_eq!(set.answers[0], vec![5, 4]);
        assert_eq!(set.values(1).count(), 0);
        assert_eq!(set.values(2).collect::<Vec<_>>(), vec![1]);
        assert_eq!(set.values(9).count(), 0);
    }
}
