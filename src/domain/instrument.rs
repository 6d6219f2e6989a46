//! Instruments: versioned questionnaires written as TOML, checked as a whole so that a
//! file with problems is refused with every problem listed against its item code.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::anchors::{Anchors, check_label, label_from_wording};
use super::{Scale, parse_code};
use crate::error::{AppError, Result, RowError};

/// Upper bound on items, far above any survey a person would finish.
pub const MAX_ITEMS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct InstrumentDef {
    pub code: String,
    pub version: i32,
    pub name: String,
    pub items: Vec<ItemDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemDef {
    pub code: String,
    pub dimension: String,
    pub scale: Scale,
    /// Short name for charts, tables and summaries: the instrument's `label`, or one
    /// derived from the customer wording ([`label_from_wording`]).
    pub label: String,
    /// The response labels both audiences pick from: the instrument's `anchors`, or the
    /// default for the scale and dimension. `None` only for yes/no and text items.
    pub anchors: Option<Anchors>,
    /// Wording shown to agency customers.
    pub customer: String,
    /// Wording shown to IT staff; present means the item is mirrored.
    pub staff: Option<String>,
    /// Catalogue service the item is about.
    pub service: Option<String>,
}

impl ItemDef {
    pub fn is_mirrored(&self) -> bool {
        self.staff.is_some()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstrument {
    code: Option<String>,
    version: Option<i64>,
    name: Option<String>,
    #[serde(default)]
    items: Vec<Spanned<RawItem>>,
}

// Every field optional so that one missing field is reported with its item code, beside
// every other problem, rather than stopping the parse.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: Option<String>,
    dimension: Option<String>,
    scale: Option<String>,
    label: Option<String>,
    anchors: Option<String>,
    /// Accepted only when it names the labels customers see: staff predict the customers'
    /// answer, so a different set is refused.
    staff_anchors: Option<String>,
    customer: Option<String>,
    staff: Option<String>,
    service: Option<String>,
}

/// ", use one of: ..." for a scale that has anchors, or why it has none.
fn fitting(scale: Scale) -> String {
    let names: Vec<&str> = Anchors::ALL
        .into_iter()
        .filter(|a| a.fits(scale))
        .map(Anchors::as_str)
        .collect();
    if names.is_empty() {
        format!("; a {} item has no response labels", scale.as_str())
    } else {
        format!("; use {}", names.join(", "))
    }
}

fn line_of(source: &str, offset: usize) -> u64 {
    source[..offset.min(source.len())].matches('\n').count() as u64 + 1
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl InstrumentDef {
    /// Parses and validates an instrument. `known_services` are the catalogue's service
    /// codes; an item may only name one of them.
    pub fn parse(source: &str, known_services: &HashSet<String>) -> Result<InstrumentDef> {
        let reject = |rows: Vec<RowError>| AppError::Rejected {
            what: "instrument".into(),
            rows,
        };
        let raw: RawInstrument = toml::from_str(source).map_err(|e| {
            let line = e.span().map(|s| line_of(source, s.start)).unwrap_or(1);
            reject(vec![RowError {
                line,
                field: None,
                message: e.message().to_string(),
            }])
        })?;

        let mut errors = Vec::new();
        let mut top = |field: &str, message: String| {
            errors.push(RowError {
                line: 1,
                field: Some(field.into()),
                message,
            })
        };
        let code = match non_empty(raw.code) {
            Some(c) => parse_code("instrument", &c).unwrap_or_else(|e| {
                top("code", e.to_string());
                c
            }),
            None => {
                top("code", "missing".into());
                String::new()
            }
        };
        let version = match raw.version {
            Some(v) if (1..=i64::from(i32::MAX)).contains(&v) => v as i32,
            Some(v) => {
                top("version", format!("{v} is not a positive whole number"));
                0
            }
            None => {
                top("version", "missing".into());
                0
            }
        };
        let name = non_empty(raw.name).unwrap_or_else(|| {
            top("name", "missing".into());
            String::new()
        });
        if raw.items.is_empty() {
            top("items", "the instrument has no [[items]]".into());
        }
        if raw.items.len() > MAX_ITEMS {
            top(
                "items",
                format!("{} items; at most {MAX_ITEMS} are allowed", raw.items.len()),
            );
        }

        let mut items = Vec::with_capacity(raw.items.len());
        let mut seen_codes: HashMap<String, u64> = HashMap::new();
        let mut service_items: HashMap<String, String> = HashMap::new();
        for (index, spanned) in raw.items.into_iter().enumerate() {
            let line = line_of(source, spanned.span().start);
            let item = spanned.into_inner();
            let field =
                non_empty(item.code.clone()).unwrap_or_else(|| format!("item #{}", index + 1));
            let mut err = |message: String| {
                errors.push(RowError {
                    line,
                    field: Some(field.clone()),
                    message,
                })
            };

            let code = match non_empty(item.code) {
                Some(c) => match parse_code("item", &c) {
                    Ok(c) => {
                        if let Some(first) = seen_codes.insert(c.clone(), line) {
                            err(format!("duplicate item code (first used on line {first})"));
                        }
                        c
                    }
                    Err(e) => {
                        err(e.to_string());
                        c
                    }
                },
                None => {
                    err("missing `code`".into());
                    String::new()
                }
            };
            let dimension = non_empty(item.dimension).unwrap_or_else(|| {
                err("missing `dimension`".into());
                String::new()
            });
            let scale = match non_empty(item.scale) {
                Some(s) => Scale::parse(&s).map_err(|e| err(e.to_string())).ok(),
                None => {
                    err("missing `scale`".into());
                    None
                }
            };
            let customer = non_empty(item.customer).unwrap_or_else(|| {
                err("missing `customer` wording".into());
                String::new()
            });
            let staff = non_empty(item.staff);
            if let (Some(scale), Some(_)) = (scale, &staff)
                && !scale.is_rating()
            {
                err(format!(
                    "a `staff` wording is only allowed on rating items, not on a {} item",
                    scale.as_str()
                ));
            }
            let label = match non_empty(item.label) {
                Some(label) => {
                    if let Err(e) = check_label(&label) {
                        err(e);
                    }
                    label
                }
                None => {
                    let derived = label_from_wording(&customer);
                    if derived.is_empty() {
                        code.clone()
                    } else {
                        derived
                    }
                }
            };
            let given_anchors = non_empty(item.anchors).and_then(|name| {
                Anchors::parse(&name)
                    .map_err(|e| err(format!("`anchors`: {e}")))
                    .ok()
            });
            let anchors = match (scale, given_anchors) {
                (Some(scale), Some(given)) if !given.fits(scale) => {
                    err(format!(
                        "`anchors = \"{}\"` does not fit the {} scale{}",
                        given.as_str(),
                        scale.as_str(),
                        fitting(scale)
                    ));
                    None
                }
                (_, Some(given)) => Some(given),
                (Some(scale), None) => Anchors::default_for(scale, &dimension),
                (None, None) => None,
            };
            if let Some(name) = non_empty(item.staff_anchors) {
                match Anchors::parse(&name) {
                    Err(e) => err(format!("`staff_anchors`: {e}")),
                    Ok(_) if staff.is_none() => err(
                        "`staff_anchors` is only meaningful on a mirrored item (one with a `staff` wording)"
                            .into(),
                    ),
                    Ok(staff_anchors) => {
                        if let Some(anchors) = anchors
                            && staff_anchors != anchors
                        {
                            err(format!(
                                "staff would answer on `{}` labels but customers on `{}`: staff \
                                 predict the customers' answer, so they must see the same response \
                                 labels; remove `staff_anchors` (the item's `anchors` apply to both)",
                                staff_anchors.as_str(),
                                anchors.as_str()
                            ));
                        }
                    }
                }
            }
            let service = non_empty(item.service);
            if let Some(service) = &service {
                if !known_services.contains(service) {
                    err(format!(
                        "service `{service}` is not in the catalogue (import it with `rind import services`)"
                    ));
                } else if scale == Some(Scale::Likert5)
                    && let Some(other) = service_items.insert(service.clone(), code.clone())
                {
                    err(format!(
                        "service `{service}` already has a satisfaction item ({other}); one per service"
                    ));
                }
            }
            if let Some(scale) = scale {
                items.push(ItemDef {
                    code,
                    dimension,
                    scale,
                    label,
                    anchors,
                    customer,
                    staff,
                    service,
                });
            }
        }

        // Importance is asked per dimension, so it must name a dimension that is rated.
        let rated: HashSet<&str> = items
            .iter()
            .filter(|i| i.scale == Scale::Likert5)
            .map(|i| i.dimension.as_str())
            .collect();
        for item in items.iter().filter(|i| i.scale == Scale::Importance5) {
            if !rated.contains(item.dimension.as_str()) {
                errors.push(RowError {
                    line: seen_codes.get(&item.code).copied().unwrap_or(1),
                    field: Some(item.code.clone()),
                    message: format!(
                        "importance item names dimension `{}`, which has no likert5 items",
                        item.dimension
                    ),
                });
            }
        }

        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(reject(errors));
        }
        Ok(InstrumentDef {
            code,
            version,
            name,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::MAX_LABEL_CHARS;

    fn services() -> HashSet<String> {
        ["email", "network"].iter().map(|s| s.to_string()).collect()
    }

    fn rows(source: &str) -> Vec<RowError> {
        match InstrumentDef::parse(source, &services()) {
            Err(AppError::Rejected { rows, .. }) => rows,
            other => panic!("expected rejection, got {other:?}"),
        }
    }

    const GOOD: &str = r#"
code = "t"
version = 2
name = "Test"

[[items]]
code = "rel_1"
dimension = "reliability"
scale = "likert5"
customer = "Works?"
staff = "Do they think it works?"

[[items]]
code = "svc_email"
dimension = "service"
service = "email"
scale = "likert5"
customer = "Email?"

[[items]]
code = "imp_rel"
dimension = "reliability"
scale = "importance5"
customer = "Important?"

[[items]]
code = "c"
dimension = "comments"
scale = "text"
customer = "Say more"
"#;

    #[test]
    fn a_good_instrument_parses() {
        let def = InstrumentDef::parse(GOOD, &services()).unwrap();
        assert_eq!(def.code, "t");
        assert_eq!(def.version, 2);
        assert_eq!(def.items.len(), 4);
        assert!(def.items[0].is_mirrored());
        assert_eq!(def.items[1].service.as_deref(), Some("email"));
        assert_eq!(def.items[3].scale, Scale::Text);
        // No `label` or `anchors` given: derived from the wording, defaults for the scale.
        assert_eq!(def.items[0].label, "Works");
        assert_eq!(def.items[0].anchors, Some(Anchors::Agreement));
        assert_eq!(def.items[1].anchors, Some(Anchors::Satisfaction));
        assert_eq!(def.items[2].anchors, Some(Anchors::Importance));
        assert_eq!(def.items[3].anchors, None);
        assert_eq!(def.items[3].label, "Say more");
    }

    /// GOOD with `extra` lines added to its first item (`rel_1`, mirrored, likert5).
    fn first_item_with(extra: &str) -> String {
        GOOD.replacen(
            "staff = \"Do they think it works?\"\n",
            &format!("staff = \"Do they think it works?\"\n{extra}\n"),
            1,
        )
    }

    #[test]
    fn labels_are_given_or_derived_and_at_most_60_characters() {
        let given = first_item_with("label = \"  Works as promised \"");
        let def = InstrumentDef::parse(&given, &services()).unwrap();
        assert_eq!(def.items[0].label, "Works as promised");

        let long = "x".repeat(MAX_LABEL_CHARS + 1);
        let rows = rows(&first_item_with(&format!("label = \"{long}\"")));
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].field.as_deref(), Some("rel_1"));
        assert!(rows[0].message.contains("61 characters"), "{rows:?}");
        let exact = "x".repeat(MAX_LABEL_CHARS);
        assert!(
            InstrumentDef::parse(
                &first_item_with(&format!("label = \"{exact}\"")),
                &services()
            )
            .is_ok()
        );

        // A long wording gives a label cut at a word.
        let wordy = GOOD.replace(
            "customer = \"Works?\"",
            "customer = \"The IT office delivers what it commits to, when it said it would.\"",
        );
        let def = InstrumentDef::parse(&wordy, &services()).unwrap();
        assert_eq!(
            def.items[0].label,
            "The IT office delivers what it commits to, when it said it"
        );
    }

    #[test]
    fn anchors_must_fit_the_scale() {
        let def =
            InstrumentDef::parse(&first_item_with("anchors = \"quality\""), &services()).unwrap();
        assert_eq!(def.items[0].anchors, Some(Anchors::Quality));

        for (anchors, needle) in [
            ("likelihood", "does not fit the likert5 scale"),
            ("frequency", "unknown anchors `frequency`"),
        ] {
            let rows = rows(&first_item_with(&format!("anchors = \"{anchors}\"")));
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert_eq!(rows[0].field.as_deref(), Some("rel_1"));
            assert!(rows[0].message.contains(needle), "{rows:?}");
        }
        let fits = rows(&first_item_with("anchors = \"ease\""));
        assert!(
            fits[0]
                .message
                .contains("use agreement, satisfaction, quality"),
            "{fits:?}"
        );
        // Text items have no response labels at all.
        let text = rows(&GOOD.replace(
            "customer = \"Say more\"",
            "customer = \"Say more\"\nanchors = \"agreement\"",
        ));
        assert_eq!(text[0].field.as_deref(), Some("c"));
        assert!(text[0].message.contains("no response labels"), "{text:?}");
    }

    #[test]
    fn staff_of_a_mirrored_item_must_see_the_customers_labels() {
        let mismatch = rows(&first_item_with(
            "anchors = \"agreement\"\nstaff_anchors = \"quality\"",
        ));
        assert_eq!(mismatch.len(), 1, "{mismatch:?}");
        assert_eq!(mismatch[0].field.as_deref(), Some("rel_1"));
        assert!(
            mismatch[0]
                .message
                .contains("predict the customers' answer")
                && mismatch[0].message.contains("same response labels"),
            "{mismatch:?}"
        );
        // Against the default anchors too: a likert5 reliability item is agreement.
        let against_default = rows(&first_item_with("staff_anchors = \"quality\""));
        assert_eq!(against_default[0].field.as_deref(), Some("rel_1"));

        // The same labels named twice are accepted and change nothing.
        let plain =
            InstrumentDef::parse(&first_item_with("anchors = \"agreement\""), &services()).unwrap();
        let same = InstrumentDef::parse(
            &first_item_with("anchors = \"agreement\"\nstaff_anchors = \"agreement\""),
            &services(),
        )
        .unwrap();
        assert_eq!(plain.items, same.items);

        // On an item staff are not asked, `staff_anchors` means nothing and is refused.
        let unmirrored = rows(&GOOD.replace(
            "customer = \"Email?\"",
            "customer = \"Email?\"\nstaff_anchors = \"satisfaction\"",
        ));
        assert_eq!(unmirrored[0].field.as_deref(), Some("svc_email"));
        assert!(unmirrored[0].message.contains("mirrored"), "{unmirrored:?}");
    }

    #[test]
    fn the_shipped_default_instrument_is_valid() {
        let services: HashSet<String> = crate::store::services::DEFAULT_CATALOGUE
            .iter()
            .map(|s| s.code.to_string())
            .collect();
        let def =
            InstrumentDef::parse(crate::store::instruments::DEFAULT_INSTRUMENT, &services).unwrap();
        assert_eq!(def.version, 2);
        let source = crate::store::instruments::DEFAULT_INSTRUMENT;
        let mut labels = HashSet::new();
        for item in &def.items {
            assert!(
                !item.label.is_empty() && item.label.chars().count() <= MAX_LABEL_CHARS,
                "{}: label `{}`",
                item.code,
                item.label
            );
            assert!(
                labels.insert(item.label.clone()),
                "{}: label used twice",
                item.code
            );
            // Every label is written out, not derived.
            assert!(
                source.contains(&format!("label = \"{}\"", item.label)),
                "{}: no explicit label",
                item.code
            );
            assert_eq!(
                item.anchors.is_some(),
                item.scale.is_rating(),
                "{}",
                item.code
            );
            // A mirrored item shows staff the customer statement, framed as a prediction.
            if let Some(staff) = &item.staff {
                assert_eq!(
                    staff,
                    &format!("How will agency customers answer: \"{}\"?", item.customer),
                    "{}",
                    item.code
                );
            }
        }
        let dims = [
            "reliability",
            "responsiveness",
            "assurance",
            "empathy",
            "communication",
            "value",
        ];
        for d in dims {
            let mirrored = def
                .items
                .iter()
                .filter(|i| i.dimension == d && i.scale == Scale::Likert5 && i.is_mirrored())
                .count();
            assert!(
                (2..=4).contains(&mirrored),
                "{d} has {mirrored} mirrored items"
            );
            assert!(
                def.items
                    .iter()
                    .any(|i| i.dimension == d && i.scale == Scale::Importance5)
            );
        }
        for scale in [Scale::Nps11, Scale::Ces7, Scale::YesNo, Scale::Text] {
            assert!(
                def.items.iter().any(|i| i.scale == scale),
                "{scale:?} missing"
            );
        }
        assert_eq!(
            def.items.iter().filter(|i| i.service.is_some()).count(),
            services.len()
        );
    }

    #[test]
    fn every_problem_is_listed_with_its_item_code_and_line() {
        let source = r#"
code = "t"
version = 1
name = "T"

[[items]]
code = "a"
dimension = "d"
scale = "likert7"
customer = "x"

[[items]]
code = "a"
dimension = "d"
scale = "likert5"
customer = "y"

[[items]]
code = "c"
dimension = "comments"
scale = "text"
customer = "z"
staff = "what do they say?"

[[items]]
code = "s"
dimension = "service"
scale = "likert5"
service = "mainframe"
customer = "?"

[[items]]
code = "n"
scale = "likert5"
"#;
        let rows = rows(source);
        let find = |code: &str, needle: &str| {
            rows.iter()
                .find(|r| r.field.as_deref() == Some(code) && r.message.contains(needle))
                .unwrap_or_else(|| panic!("no error for {code} containing {needle}: {rows:?}"))
        };
        assert_eq!(find("a", "unknown scale").line, 6);
        assert_eq!(find("a", "duplicate item code").line, 12);
        find("c", "only allowed on rating items");
        find("s", "not in the catalogue");
        find("n", "missing `dimension`");
        find("n", "missing `customer`");
    }

    #[test]
    fn bad_toml_names_the_line() {
        let syntax = rows("code = \"t\"\nversion = \n");
        assert_eq!(syntax.len(), 1);
        assert_eq!(syntax[0].line, 2);
        let unknown = rows("code = \"t\"\nversion = 1\nname = \"n\"\ncolour = \"red\"\n");
        assert!(unknown[0].message.contains("colour"), "{unknown:?}");
    }

    #[test]
    fn missing_top_level_fields() {
        let rows = rows(
            "[[items]]\ncode = \"a\"\ndimension = \"d\"\nscale = \"likert5\"\ncustomer = \"x\"\n",
        );
        for field in ["code", "version", "name"] {
            assert!(
                rows.iter().any(|r| r.field.as_deref() == Some(field)),
                "{field}: {rows:?}"
            );
        }
    }

    #[test]
    fn parse_never_panics_on_garbage() {
        for s in [
            "",
            "[[items]]",
            "items = 3",
            "code = 5",
            "\u{0}",
            "version = -1\n[[items]]\nscale=1",
        ] {
            assert!(InstrumentDef::parse(s, &services()).is_err());
        }
    }
}
