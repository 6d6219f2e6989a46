//! What a signed-in role may see (DESIGN.md, roles): admin and cio see everything; a BRM
//! sees every aggregate and the per-agency figures of the agencies they own; a viewer sees
//! aggregates only (no per-agency figures, comments or exports). Checked on the server for
//! every page and API call; reports are cut down here before they are rendered or sent.

use serde::Serialize;

use crate::analysis::gap::{BreakdownBy, GapReport};
use crate::analysis::rates::ResponseRates;
use crate::analysis::watermelon::WatermelonReport;
use crate::domain::Role;

/// A signed-in person's reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub role: Role,
    /// Codes of the agencies whose BRM owner this person is.
    pub owned_agencies: Vec<String>,
}

/// How many per-agency rows a report left out for the reader's role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub agencies_not_yours: usize,
}

impl Access {
    pub fn new(role: Role, owned_agencies: Vec<String>) -> Access {
        Access {
            role,
            owned_agencies,
        }
    }

    /// Every page and figure, including administration.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Downloads and exports (all but viewers).
    pub fn may_export(&self) -> bool {
        self.role != Role::Viewer
    }

    /// One agency's own figures, page and comments.
    pub fn may_see_agency(&self, code: &str) -> bool {
        match self.role {
            Role::Admin | Role::Cio => true,
            Role::Brm => self.owned_agencies.iter().any(|c| c == code),
            Role::Viewer => false,
        }
    }

    /// Follow-ups of an agency: its owner, the CIO office and admins.
    pub fn may_work_follow_ups(&self, agency: &str) -> bool {
        self.may_see_agency(agency)
    }

    /// Removes the agency groups the reader may not see from a gap report.
    pub fn restrict_gap(&self, report: &mut GapReport) -> LeftOut {
        let mut left_out = LeftOut::default();
        for breakdown in &mut report.breakdowns {
            if breakdown.by == BreakdownBy::Agency {
                let before = breakdown.groups.len();
                breakdown.groups.retain(|g| self.may_see_agency(&g.group));
                left_out.agencies_not_yours += before - breakdown.groups.len();
            }
        }
        if self.role == Role::Viewer {
            report.breakdowns.retain(|b| b.by != BreakdownBy::Agency);
        }
        left_out
    }

    /// Removes the agency × service cells the reader may not see.
    pub fn restrict_watermelons(&self, report: &mut WatermelonReport) -> LeftOut {
        let mut left_out = LeftOut::default();
        for service in &mut report.services {
            let before = service.agencies.len();
            service.agencies.retain(|a| self.may_see_agency(&a.agency));
            left_out.agencies_not_yours = left_out
                .agencies_not_yours
                .max(before - service.agencies.len());
        }
        left_out
    }

    /// Removes the agency rows the reader may not see.
    pub fn restrict_rates(&self, rates: &mut ResponseRates) -> LeftOut {
        let before = rates.agencies.len();
        rates.agencies.retain(|a| self.may_see_agency(&a.agency));
        LeftOut {
            agencies_not_yours: before - rates.agencies.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rates::{ResponseCounts, response_rates};

    fn access(role: Role, owned: &[&str]) -> Access {
        Access::new(role, owned.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn role_matrix() {
        // (role, owns DOT) → (see DOT, see DOR, export, admin)
        let cases = [
            (Role::Admin, false, (true, true, true, true)),
            (Role::Cio, false, (true, true, true, false)),
            (Role::Brm, true, (true, false, true, false)),
            (Role::Brm, false, (false, false, true, false)),
            (Role::Viewer, true, (false, false, false, false)),
        ];
        for (role, owns, expected) in cases {
            let a = access(role, if owns { &["DOT"] } else { &[] });
            let got = (
                a.may_see_agency("DOT"),
                a.may_see_agency("DOR"),
                a.may_export(),
                a.is_admin(),
            );
            assert_eq!(got, expected, "{role:?}, owns DOT: {owns}");
        }
    }

    #[test]
    fn rates_keep_only_the_agencies_a_reader_may_see() {
        let counts = |n| ResponseCounts {
            invited: n,
            bounced: 0,
            responses: n / 2,
        };
        let rows = vec![
            ("DOR".to_string(), counts(40)),
            ("DOT".to_string(), counts(50)),
        ];
        let all = response_rates(&rows, &counts(20), 5);
        let mut brm = all.clone();
        let left = access(Role::Brm, &["DOT"]).restrict_rates(&mut brm);
        assert_eq!(left.agencies_not_yours, 1);
        assert_eq!(brm.agencies.len(), 1);
        assert_eq!(brm.agencies[0].agency, "DOT");
        // The overall row is an aggregate: everyone sees it.
        assert_eq!(brm.customers, all.customers);
        let mut viewer = all.clone();
        access(Role::Viewer, &[]).restrict_rates(&mut viewer);
        assert!(viewer.agencies.is_empty());
        let mut cio = all.clone();
        access(Role::Cio, &[]).restrict_rates(&mut cio);
        assert_eq!(cio, all);
    }

    #[test]
    fn gap_reports_lose_other_agencies_and_viewers_lose_the_agency_breakdown() {
        use crate::analysis::gap::{GapRules, ItemInfo, report};
        use crate::analysis::responses::{ResponseSet, WaveResponses};
        use crate::domain::Scale;
        let items = [ItemInfo {
            code: "q".into(),
            label: format!("Label of {}", "q"),
            wording: format!("Wording of {}", "q"),
            dimension: "d".into(),
            scale: Scale::Likert5,
            position: 0,
            mirrored: true,
            service: None,
        }];
        let mut customers = ResponseSet::with_items(1, 12);
        for r in 0..12 {
            customers.push(Some(r % 2), None, &[(r % 5) as u8 + 1]);
        }
        let mut staff = ResponseSet::with_items(1, 6);
        for _ in 0..6 {
            staff.push(None, None, &[4]);
        }
        let data = WaveResponses { customers, staff };
        let rules = GapRules {
            reporting_threshold: 5,
            significance_level: 0.05,
            material_gap_share: 0.125,
        };
        let full = report(&items, &data, |id| format!("A{id}"), &rules);
        let agency_groups = |r: &GapReport| {
            r.breakdowns
                .iter()
                .find(|b| b.by == BreakdownBy::Agency)
                .map(|b| b.groups.iter().map(|g| g.group.clone()).collect::<Vec<_>>())
        };
        assert_eq!(agency_groups(&full), Some(vec!["A0".into(), "A1".into()]));
        let mut brm = full.clone();
        let left = access(Role::Brm, &["A1"]).restrict_gap(&mut brm);
        assert_eq!(agency_groups(&brm), Some(vec!["A1".into()]));
        assert_eq!(left.agencies_not_yours, 1);
        assert_eq!(brm.items, full.items);
        let mut viewer = full.clone();
        access(Role::Viewer, &[]).restrict_gap(&mut viewer);
        assert_eq!(agency_groups(&viewer), None);
        assert_eq!(viewer.breakdowns.len(), full.breakdowns.len() - 1);
    }
}
