//! The baseline and trend reports for agency heads, in every format, read back the way a
//! reader's tools would: the XLSX with calamine, the CSV with the csv crate, the HTML with
//! scraper, the PDF with poppler (`pdftotext`, `pdftoppm`). Each must carry the numbers of
//! the JSON gap report, hide what the reporting and comment thresholds hide, neutralise
//! formula starts, and (in one agency's version) show no other agency. Runs on SQLite, and
//! on PostgreSQL when `TEST_DATABASE_URL` is set.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{self, TestDb};
use calamine::{Data, Reader, Xlsx, open_workbook};
use rind::domain::{Audience, NO_ANSWER};
use rind::store;
use serde_json::Value;

const WAVE: &str = "FY26-Q1";

/// The demo programme.
fn demo() -> TestDb {
    let db = TestDb::new();
    db.with_default_instrument();
    rind::demo::seed_if_empty(&mut db.conn(), 7)
        .unwrap()
        .expect("an empty database");
    db
}

/// Adds one customer response from `agency` to the wave with `comments` on the first text
/// item (answers nothing else, so no figure moves).
fn add_comments(db: &TestDb, agency: &str, comments: &[&str]) {
    let mut conn = db.conn();
    let wave = store::waves::by_code(&mut conn, WAVE).unwrap();
    let items = store::instruments::items(&mut conn, wave.instrument_id).unwrap();
    let text_items: Vec<_> = items
        .iter()
        .filter(|i| i.scale == rind::domain::Scale::Text)
        .collect();
    assert!(!text_items.is_empty());
    let response = store::responses::NewResponse {
        audience: Audience::Customer,
        agency_id: Some(db.agency_id(agency)),
        segment: None,
        submitted_at: wave.opens_at.unwrap_or_else(store::now),
        answers: vec![NO_ANSWER; items.len()],
        comments: comments
            .iter()
            .enumerate()
            .map(|(i, c)| (text_items[i % text_items.len()].id, c.to_string()))
            .collect(),
    };
    store::responses::insert(&mut conn, wave.id, &[response]).unwrap();
}

/// `rind report KIND --wave WAVE --format FORMAT -o FILE [--agency A]`; returns the file.
fn export(db: &TestDb, kind: &str, format: &str, agency: Option<&str>) -> PathBuf {
    let name = format!("{kind}-{}.{format}", agency.unwrap_or("all"));
    let path = db.dir().join(name);
    let mut args = vec![
        "report",
        kind,
        "--wave",
        WAVE,
        "--format",
        format,
        "-o",
        path.to_str().unwrap(),
    ];
    if let Some(a) = agency {
        args.extend(["--agency", a]);
    }
    db.rind(&args).assert_ok();
    assert!(path.exists(), "{} written", path.display());
    path
}

fn gap_json(db: &TestDb) -> Value {
    let run = db.rind(&["report", "gap", "--wave", WAVE, "--format", "json"]);
    run.assert_ok();
    serde_json::from_str(&run.stdout).unwrap()
}

/// Agency groups of the gap report: (shown with their respondents, hidden).
fn agency_groups(gap: &Value) -> (Vec<(String, u64)>, Vec<String>) {
    let groups = gap["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["by"] == "agency")
        .unwrap()["groups"]
        .as_array()
        .unwrap();
    let mut shown = Vec::new();
    let mut hidden = Vec::new();
    for g in groups {
        let code = g["group"].as_str().unwrap().to_string();
        if g["table"].is_null() {
            hidden.push(code);
        } else {
            shown.push((code, g["respondents"].as_u64().unwrap()));
        }
    }
    (shown, hidden)
}

fn agency_name(db: &TestDb, code: &str) -> String {
    store::agencies::by_code(&mut db.conn(), code).unwrap().name
}

/// Every sheet of a workbook as rows of cells.
fn read_xlsx(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

fn sheet<'a>(book: &'a [(String, Vec<Vec<Data>>)], name: &str) -> &'a [Vec<Data>] {
    &book
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("sheet {name}"))
        .1
}

fn text_of(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        _ => String::new(),
    }
}

fn all_text(book: &[(String, Vec<Vec<Data>>)]) -> String {
    book.iter()
        .flat_map(|(_, rows)| rows.iter().flatten())
        .map(text_of)
        .collect::<Vec<_>>()
        .join("\n")
}

fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "wave",
            "breakdown",
            "group",
            "table",
            "key",
            "label",
            "measure",
            "value"
        ]
    );
    reader.records().map(|r| r.unwrap()).collect()
}

fn pdf_text(path: &Path, page: Option<usize>) -> String {
    let mut cmd = Command::new("pdftotext");
    if let Some(p) = page {
        cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
    }
    let out = cmd
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A figure as the reports print it: two decimals, a true minus sign.
fn signed(x: f64) -> String {
    let text = format!("{:.2}", x.abs());
    if text.chars().all(|c| c == '0' || c == '.') {
        text
    } else if x > 0.0 {
        format!("+{text}")
    } else {
        format!("−{text}")
    }
}

fn html_text(path: &Path) -> (scraper::Html, String) {
    let html = scraper::Html::parse_document(&std::fs::read_to_string(path).unwrap());
    let text = html.root_element().text().collect::<Vec<_>>().join(" ");
    (html, text)
}

/// The rows of the HTML table whose caption starts with `caption`: (row name, cells).
fn html_table(html: &scraper::Html, caption: &str) -> Vec<(String, Vec<String>)> {
    let table_sel = scraper::Selector::parse("table").unwrap();
    let caption_sel = scraper::Selector::parse("caption").unwrap();
    let row_sel = scraper::Selector::parse("tbody tr").unwrap();
    let th_sel = scraper::Selector::parse("th").unwrap();
    let td_sel = scraper::Selector::parse("td").unwrap();
    let table = html
        .select(&table_sel)
        .find(|t| {
            t.select(&caption_sel)
                .next()
                .is_some_and(|c| c.text().collect::<String>().starts_with(caption))
        })
        .unwrap_or_else(|| panic!("a table captioned {caption:?}"));
    table
        .select(&row_sel)
        .map(|r| {
            let name = r.select(&th_sel).next().unwrap().text().collect::<String>();
            let cells = r
                .select(&td_sel)
                .map(|c| c.text().collect::<String>())
                .collect();
            (name, cells)
        })
        .collect()
}

#[test]
fn every_format_carries_the_gap_report_and_hides_what_the_thresholds_hide() {
    let db = demo();
    let gap = gap_json(&db);
    let (shown, hidden) = agency_groups(&gap);
    assert!(
        !hidden.is_empty(),
        "the demo plants agencies below the threshold"
    );
    // A large agency's comment must appear; a small one's, and one of an agency under the
    // comment threshold, must not.
    let large = shown.iter().find(|(_, n)| *n >= 10).unwrap().0.clone();
    add_comments(&db, &large, &["Visible comment from a large agency zq1"]);
    add_comments(&db, &hidden[0], &["Secret comment from a small agency zq2"]);
    let under_comment_threshold = shown.iter().find(|(_, n)| *n < 10).map(|(c, _)| c.clone());
    if let Some(code) = &under_comment_threshold {
        add_comments(
            &db,
            code,
            &["Secret comment below the comment threshold zq3"],
        );
    }
    // The added (empty) responses move no figure: the report is unchanged.
    let gap_after = gap_json(&db);
    assert_eq!(gap_after["items"], gap["items"]);
    let (shown_after, hidden_after) = agency_groups(&gap_after);
    assert_eq!(hidden_after, hidden);
    let under_after: Vec<_> = shown_after.iter().filter(|(_, n)| *n < 10).collect();
    let items = gap["items"].as_array().unwrap();
    let compared: Vec<&Value> = items.iter().filter(|i| i["gap"].is_f64()).collect();
    assert!(compared.len() >= 10, "the demo compares many items");
    let hidden_names: Vec<String> = hidden.iter().map(|c| agency_name(&db, c)).collect();
    let secrets = ["zq2", "zq3"];

    // XLSX: numbers as numbers, the same as the JSON.
    let book = read_xlsx(&export(&db, "baseline", "xlsx", None));
    let gaps = sheet(&book, "Item gaps");
    assert_eq!(text_of(&gaps[0][0]), "Question");
    for item in &compared {
        let code = item["item"].as_str().unwrap();
        let row = gaps
            .iter()
            .find(|r| text_of(&r[0]) == code)
            .unwrap_or_else(|| panic!("{code} in Item gaps"));
        // The label beside the code, and the scale it was asked on.
        assert_eq!(
            text_of(&row[1]),
            item["label"].as_str().unwrap(),
            "{code} label"
        );
        let Data::Float(g) = row[14] else {
            panic!("{code}: the gap is a number, got {:?}", row[14])
        };
        assert!((g - item["gap"].as_f64().unwrap()).abs() < 1e-9, "{code}");
        assert_eq!(
            row[4],
            Data::Float(item["customer"]["n"].as_f64().unwrap()),
            "{code} customer n"
        );
        let Data::Float(q) = row[24] else {
            panic!("{code}: q is a number")
        };
        assert!((q - item["q"].as_f64().unwrap()).abs() < 1e-12);
    }
    let rates = sheet(&book, "Response rates");
    let all_customers = rates
        .iter()
        .find(|r| text_of(&r[0]) == "All customers")
        .unwrap();
    assert!(matches!(all_customers[5], Data::Float(r) if r > 0.0 && r <= 1.0));
    let agencies_sheet: Vec<String> = sheet(&book, "Agency gaps")
        .iter()
        .skip(1)
        .map(|r| text_of(&r[0]))
        .collect();
    let listed: HashSet<&str> = agencies_sheet.iter().map(String::as_str).collect();
    assert!(listed.contains(large.as_str()));
    for h in &hidden {
        assert!(!listed.contains(h.as_str()), "{h} is hidden");
    }
    let comments: Vec<String> = sheet(&book, "Comments")
        .iter()
        .map(|r| text_of(&r[2]))
        .collect();
    assert!(comments.iter().any(|c| c.contains("zq1")));
    let everything = all_text(&book);
    for s in secrets
        .iter()
        .map(|s| s.to_string())
        .chain(hidden_names.clone())
    {
        assert!(!everything.contains(&s), "XLSX shows {s}");
    }
    assert!(
        !comments.iter().any(|c| c.contains("zq3")),
        "comments below the comment threshold ({under_after:?})"
    );

    // CSV: tidy long form, the same numbers.
    let rows = read_csv(&export(&db, "baseline", "csv", None));
    for item in &compared {
        let code = item["item"].as_str().unwrap();
        let value: f64 = rows
            .iter()
            .find(|r| &r[1] == "overall" && &r[3] == "items" && &r[4] == code && &r[6] == "gap")
            .unwrap_or_else(|| panic!("{code} gap in the CSV"))[7]
            .parse()
            .unwrap();
        assert!(
            (value - item["gap"].as_f64().unwrap()).abs() < 1e-9,
            "{code}"
        );
    }
    // A hidden agency has no scores anywhere; its response-rate row follows the rates'
    // own rule (people asked), exactly as the rates report has it.
    let rates = rind::report::rates_report(&mut db.conn(), &common::test_settings(&db), WAVE)
        .unwrap()
        .report;
    for h in &hidden {
        let figures: Vec<_> = rows
            .iter()
            .filter(|r| &r[2] == h.as_str() && &r[6] != "suppressed" && &r[3] != "response_rates")
            .collect();
        assert!(figures.is_empty(), "{h} figures in the CSV: {figures:?}");
    }
    for a in &rates.agencies {
        let shown: Vec<_> = rows
            .iter()
            .filter(|r| &r[3] == "response_rates" && r[2] == a.agency)
            .collect();
        match a.rate.suppressed {
            Some(_) => {
                assert_eq!(shown.len(), 1, "{}", a.agency);
                assert_eq!(&shown[0][6], "suppressed");
            }
            None => {
                let responses = shown.iter().find(|r| &r[6] == "responses").unwrap();
                assert_eq!(responses[7].parse::<u64>().ok(), a.rate.responses);
            }
        }
    }
    assert!(
        rates.agencies.iter().any(|a| a.rate.suppressed.is_some()),
        "the demo has response-rate rows to hide"
    );
    assert!(
        rows.iter()
            .any(|r| &r[3] == "comments" && r[7].contains("zq1"))
    );
    let csv_text: String = rows
        .iter()
        .map(|r| r.iter().collect::<Vec<_>>().join(","))
        .collect();
    for s in secrets
        .iter()
        .map(|s| s.to_string())
        .chain(hidden_names.clone())
    {
        assert!(!csv_text.contains(&s), "CSV shows {s}");
    }

    // HTML: the tables read the same figures.
    let (html, text) = html_text(&export(&db, "baseline", "html", None));
    let table = html_table(&html, "Programme: what customers said");
    for item in &compared {
        let code = item["item"].as_str().unwrap();
        let label = item["label"].as_str().unwrap();
        let (_, cells) = table
            .iter()
            .find(|(name, _)| name == label)
            .unwrap_or_else(|| panic!("{code} in the HTML by its label {label:?}"));
        assert_eq!(cells[4], signed(item["gap"].as_f64().unwrap()), "{code}");
    }
    let svg = scraper::Selector::parse("figure svg").unwrap();
    assert!(html.select(&svg).count() >= 4, "the charts are inline SVG");
    assert!(!text.contains("<script"));
    assert!(text.contains("zq1"));
    assert!(text.contains(&agency_name(&db, &large)));
    for s in secrets {
        assert!(!text.contains(s), "HTML shows {s}");
    }
    // A hidden agency is named only where the tables say it is hidden (the heatmap's
    // suppressed row) or where the rates' own rule shows it; none of its figures appear.
    for name in &hidden_names {
        assert!(
            !has_agency_section(&text, name),
            "HTML has {name}'s own section"
        );
    }
    assert!(text.contains("Methodology") && text.contains("What was suppressed, and why"));

    // PDF: the text carries the same figures.
    let pdf = export(&db, "baseline", "pdf", None);
    let text = pdf_text(&pdf, None);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for item in &compared {
        let code = item["item"].as_str().unwrap();
        let label = item["label"].as_str().unwrap();
        assert!(flat.contains(label), "{code}'s label {label:?} in the PDF");
        let figure = signed(item["gap"].as_f64().unwrap());
        assert!(text.contains(&figure), "{code}: {figure} in the PDF");
    }
    assert!(text.contains("zq1"));
    for s in secrets {
        assert!(!text.contains(s), "PDF shows {s}");
    }
    for name in &hidden_names {
        assert!(
            !has_agency_section(&flat, name),
            "PDF has {name}'s own section"
        );
    }
}

/// Whether a report's text has an agency's own section (its gaps, services, comments).
fn has_agency_section(text: &str, name: &str) -> bool {
    [
        format!("{name}: what customers said"),
        format!("customers of {name} answered"),
        format!("{name}: SLA against satisfaction"),
        format!("What {name}'s customers wrote"),
    ]
    .iter()
    .any(|s| text.contains(s.as_str()))
}

#[test]
fn text_cells_cannot_start_a_formula() {
    let db = demo();
    // An agency name and comments beginning with each formula start.
    db.import(
        "agencies",
        "code,name\nDHHS,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n",
    )
    .assert_ok();
    let starts = [
        "=1+1 zf",
        "+SUM(A1) zf",
        "-2+3 zf",
        "@cmd zf",
        "\tTabbed zf",
        "\rCarriage zf",
    ];
    add_comments(&db, "DHHS", &starts);
    let bad = |s: &str| s.starts_with(['=', '+', '-', '@', '\t', '\r']);

    let book = read_xlsx(&export(&db, "baseline", "xlsx", None));
    for (name, rows) in &book {
        for cell in rows.iter().flatten() {
            if let Data::String(s) = cell {
                assert!(!bad(s), "sheet {name}: {s:?} starts a formula");
            }
        }
    }
    let comments: Vec<String> = sheet(&book, "Comments")
        .iter()
        .map(|r| text_of(&r[2]))
        .filter(|c| c.ends_with("zf"))
        .collect();
    assert_eq!(comments.len(), starts.len(), "{comments:?}");
    for s in starts {
        assert!(comments.contains(&format!("'{s}")), "{s:?} neutralised");
    }
    assert!(all_text(&book).contains("'=HYPERLINK("));

    let path = export(&db, "baseline", "csv", None);
    for r in read_csv(&path) {
        for field in r.iter() {
            assert!(
                !bad(field) || field.parse::<f64>().is_ok(),
                "CSV cell {field:?}"
            );
        }
    }
    let rows = read_csv(&path);
    let csv_comments: Vec<&str> = rows
        .iter()
        .filter(|r| &r[3] == "comments" && r[7].ends_with("zf"))
        .map(|r| r.get(7).unwrap())
        .collect();
    assert_eq!(csv_comments.len(), starts.len());
    assert!(
        rows.iter()
            .any(|r| &r[6] == "name" && r[7].starts_with("'=HYPERLINK("))
    );
}

#[test]
fn one_agency_s_report_shows_no_other_agency() {
    let db = demo();
    let gap = gap_json(&db);
    let (shown, _) = agency_groups(&gap);
    let big: Vec<&String> = shown
        .iter()
        .filter(|(_, n)| *n >= 10)
        .map(|(c, _)| c)
        .collect();
    assert!(big.len() >= 2);
    let (mine, other) = (big[0].clone(), big[1].clone());
    add_comments(&db, &mine, &["My agency's comment zm1"]);
    add_comments(&db, &other, &["Another agency's comment zo1"]);
    let others: Vec<String> = store::agencies::list(&mut db.conn())
        .unwrap()
        .into_iter()
        .filter(|a| a.code != mine)
        .map(|a| a.name)
        .collect();
    let my_name = agency_name(&db, &mine);

    for kind in ["baseline", "trend"] {
        let (html, text) = html_text(&export(&db, kind, "html", Some(&mine)));
        assert!(text.contains(&my_name) && text.contains("zm1"), "{kind}");
        assert!(!text.contains("zo1"), "{kind}: another agency's comment");
        for name in &others {
            assert!(!text.contains(name.as_str()), "{kind} HTML names {name}");
        }
        let sections = scraper::Selector::parse("h2[id^=agency-]").unwrap();
        let ids: Vec<_> = html
            .select(&sections)
            .map(|h| h.value().attr("id").unwrap().to_string())
            .collect();
        assert_eq!(ids, [format!("agency-{mine}")], "{kind}");
        // The programme's figures are there to compare against.
        let table = html_table(&html, "Programme: what customers said");
        assert!(!table.is_empty());
    }

    let rows = read_csv(&export(&db, "baseline", "csv", Some(&mine)));
    let groups: HashSet<&str> = rows
        .iter()
        .filter(|r| &r[1] == "agency")
        .map(|r| r.get(2).unwrap())
        .collect();
    assert_eq!(groups, HashSet::from([mine.as_str()]));
    let csv_text: String = rows
        .iter()
        .map(|r| r.iter().collect::<Vec<_>>().join(","))
        .collect();
    assert!(csv_text.contains("zm1") && !csv_text.contains("zo1"));

    let book = read_xlsx(&export(&db, "baseline", "xlsx", Some(&mine)));
    for name in ["Agency gaps", "Agency services", "Agencies", "Comments"] {
        for r in sheet(&book, name).iter().skip(1) {
            assert_eq!(text_of(&r[0]), mine, "sheet {name}");
        }
    }
    let rates: Vec<String> = sheet(&book, "Response rates")
        .iter()
        .skip(1)
        .map(|r| text_of(&r[0]))
        .collect();
    assert_eq!(rates, ["All customers", "IT staff", mine.as_str()]);
    let everything = all_text(&book);
    assert!(!everything.contains("zo1"));
    for name in &others {
        assert!(!everything.contains(name.as_str()), "XLSX names {name}");
    }

    let text = pdf_text(&export(&db, "baseline", "pdf", Some(&mine)), None);
    assert!(text.contains("zm1") && !text.contains("zo1"));
    for name in &others {
        assert!(!text.contains(name.as_str()), "PDF names {name}");
    }

    // An unknown agency is refused, and no file is left behind.
    let path = db.dir().join("nope.pdf");
    db.rind(&[
        "report",
        "baseline",
        "--wave",
        WAVE,
        "--format",
        "pdf",
        "--agency",
        "NOPE",
        "-o",
        path.to_str().unwrap(),
    ])
    .assert_failed()
    .assert_stderr_contains("NOPE");
    assert!(!path.exists());
}

/// Pixels clearly coloured (not black, white or grey): chart marks, not text.
fn coloured_pixels(png_path: &Path) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(channels)
        .filter(|px| {
            channels >= 3 && {
                let (max, min) = (px[..3].iter().max().unwrap(), px[..3].iter().min().unwrap());
                max - min > 60
            }
        })
        .count()
}

#[test]
fn the_demo_pdf_renders_to_pages_and_a_page_has_the_gap_chart() {
    let db = demo();
    let pdf = export(&db, "baseline", "pdf", None);
    let out = db.dir().join("page");
    let run = Command::new("pdftoppm")
        .args(["-png", "-r", "40"])
        .arg(&pdf)
        .arg(&out)
        .output()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(
        run.status.success() && run.stderr.is_empty(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut pages: Vec<PathBuf> = std::fs::read_dir(db.dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("page-")
        })
        .collect();
    pages.sort();
    assert!(pages.len() >= 5, "{} pages", pages.len());
    // The page whose text names the gap chart is the one with its picture.
    let chart_page = (1..=pages.len())
        .find(|p| pdf_text(&pdf, Some(*p)).contains("Figure 1: How IT performs"))
        .expect("a page with the gap chart");
    // About 1,700 at 40 dpi for the demo's 29 performance questions (importance has its
    // own chart since issue 11); a text page has under 500.
    let colour = coloured_pixels(&pages[chart_page - 1]);
    assert!(
        colour > 1_000,
        "the gap chart is drawn on page {chart_page}: {colour} coloured pixels"
    );
    // A page of tables only has next to no colour: the count tells charts apart.
    let first = coloured_pixels(&pages[0]);
    assert!(first < 500, "page 1 is text: {first} coloured pixels");
    // Fonts are embedded.
    let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
    let listing = String::from_utf8_lossy(&fonts.stdout);
    assert!(listing.contains("DejaVuSans"), "{listing}");
    for line in listing.lines().skip(2) {
        assert!(line.contains(" yes "), "embedded: {line}");
    }
}

#[test]
fn the_command_line_refuses_formats_a_report_does_not_have() {
    let db = demo();
    db.rind(&["report", "gap", "--wave", WAVE, "--format", "pdf"])
        .assert_failed()
        .assert_stderr_contains("baseline");
    db.rind(&["report", "baseline", "--wave", WAVE, "--format", "json"])
        .assert_failed()
        .assert_stderr_contains("format");
    db.rind(&["report", "baseline", "--wave", "NOPE", "--format", "html"])
        .assert_failed()
        .assert_stderr_contains("NOPE");
}

/// A GET with a bearer token or a session cookie: (status, headers, body bytes).
fn fetch(
    client: &reqwest::blocking::Client,
    url: &str,
    cookie: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = client.get(url);
    if let Some(c) = cookie {
        request = request.header(reqwest::header::COOKIE, c);
    }
    let r = request.send().unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().unwrap().to_vec())
}

/// Signs `email` in through the real form; returns the session cookie.
fn session_of(app: &common::TestApp, email: &str) -> String {
    let client = common::client_with_token(None);
    let r = client
        .get(format!("{}/signin?next=/", app.address))
        .send()
        .unwrap();
    let signin_cookie: Vec<String> = r
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let html = r.text().unwrap();
    let at = html.find("name=\"csrf_token\"").unwrap();
    let rest = &html[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    let csrf = &rest[start..start + rest[start..].find('"').unwrap()];
    let r = client
        .post(format!("{}/signin", app.address))
        .header(reqwest::header::COOKIE, signin_cookie.join("; "))
        .form(&[
            ("email", email),
            ("password", rind::demo::DEMO_PASSWORD),
            ("csrf_token", csrf),
            ("next", "/"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 303, "{email} signs in");
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("rind_session="))
        .expect("a session cookie")
}

#[test]
fn downloads_respect_roles_on_the_dashboard_and_the_api() {
    let db = demo();
    let app = common::TestApp::spawn(&db);
    let brm = "maria.lopez@cio.state.example";
    let owned = store::agencies::owned_by(&mut db.conn(), brm).unwrap();
    let not_owned = store::agencies::list(&mut db.conn())
        .unwrap()
        .into_iter()
        .find(|a| !owned.contains(&a.code))
        .unwrap()
        .code;
    let mine = owned.iter().find(|c| *c == "DHHS").unwrap().clone();
    let api = |who: Option<&str>, query: &str| {
        let token = who.map(|email| db.api_token_for(email));
        fetch(
            &common::client_with_token(token.as_deref()),
            &format!(
                "{}/api/v1/waves/{WAVE}/report/baseline?{query}",
                app.address
            ),
            None,
        )
    };
    // Signed out, and viewers, get nothing.
    assert_eq!(api(None, "format=pdf").0, 401);
    assert_eq!(api(Some("viewer@cio.state.example"), "format=pdf").0, 403);
    assert_eq!(api(Some("viewer@cio.state.example"), "format=csv").0, 403);
    // The CIO office gets the whole programme, as an attachment.
    let (status, headers, body) = api(Some("cio@cio.state.example"), "format=pdf");
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("rind-baseline-FY26-Q1.pdf"),
        "{disposition}"
    );
    assert!(body.starts_with(b"%PDF-"));
    // A BRM: the programme with only their agencies, one agency's version only for theirs.
    let (status, _, body) = api(Some(brm), "format=csv");
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(body.as_slice());
    let groups: HashSet<String> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[1] == "agency")
        .map(|r| r[2].to_string())
        .collect();
    assert!(!groups.is_empty());
    assert!(
        groups.iter().all(|g| owned.contains(g)),
        "{groups:?} ⊄ {owned:?}"
    );
    let (status, headers, _) = api(Some(brm), &format!("format=xlsx&agency={mine}"));
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("rind-baseline-FY26-Q1-{mine}.xlsx"))
    );
    assert_eq!(
        api(Some(brm), &format!("format=xlsx&agency={not_owned}")).0,
        403
    );
    assert_eq!(api(Some("cio@cio.state.example"), "format=doc").0, 400);
    let trend = fetch(
        &common::client_with_token(Some(&db.api_token_for("cio@cio.state.example"))),
        &format!(
            "{}/api/v1/waves/FY26-Q3/report/trend?format=html",
            app.address
        ),
        None,
    );
    assert_eq!(trend.0, 200);
    assert!(String::from_utf8(trend.2).unwrap().contains("Trend report"));

    // The dashboard: signed out goes to sign in; viewers are refused; the others download.
    let page = |cookie: Option<&str>, path: &str| {
        fetch(
            &common::client_with_token(None),
            &format!("{}{path}", app.address),
            cookie,
        )
    };
    let path = format!("/waves/{WAVE}/report.xlsx");
    let (status, headers, _) = page(None, &path);
    assert_eq!(status, 302);
    assert!(headers["location"].to_str().unwrap().starts_with("/signin"));
    let viewer = session_of(&app, "viewer@cio.state.example");
    assert_eq!(page(Some(&viewer), &path).0, 403);
    let (_, _, wave_page) = page(Some(&viewer), &format!("/waves/{WAVE}"));
    assert!(!String::from_utf8(wave_page).unwrap().contains("report.pdf"));
    let cio = session_of(&app, "cio@cio.state.example");
    let (status, headers, body) = page(Some(&cio), &path);
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(body.starts_with(b"PK"), "an XLSX is a zip");
    let (_, _, wave_page) = page(Some(&cio), &format!("/waves/{WAVE}"));
    assert!(
        String::from_utf8(wave_page)
            .unwrap()
            .contains("/report.pdf")
    );
    let brm_session = session_of(&app, brm);
    assert_eq!(
        page(Some(&brm_session), &format!("{path}?agency={not_owned}")).0,
        403
    );
    assert_eq!(
        page(Some(&brm_session), &format!("{path}?agency={mine}")).0,
        200
    );
}

#[test]
fn the_baseline_pdf_names_questions_by_their_labels_never_their_codes() {
    let db = demo();
    let pdf = export(&db, "baseline", "pdf", None);
    let source = std::fs::read_to_string(common::default_instrument_path()).unwrap();
    let instrument: toml::Value = toml::from_str(&source).unwrap();
    let items: Vec<(String, String)> = instrument["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let text = |k: &str| i[k].as_str().unwrap().to_string();
            (text("code"), text("label"))
        })
        .collect();
    // The first five pages: the summary, the rates and the programme's tables and charts.
    let text = (1..=5)
        .map(|p| pdf_text(&pdf, Some(p)))
        .collect::<Vec<_>>()
        .join("\n");
    let words: Vec<&str> = text.split_whitespace().collect();
    for (code, _) in &items {
        // A code with an underscore anywhere; a one-word code only standing alone.
        let shown = if code.contains('_') {
            text.contains(code.as_str())
        } else {
            text.lines().any(|l| l.trim() == code)
        };
        assert!(!shown, "{code} is shown as text in the first five pages");
    }
    let flat = words.join(" ");
    let gap = gap_json(&db);
    for item in gap["items"].as_array().unwrap() {
        let code = item["item"].as_str().unwrap();
        let label = &items.iter().find(|(c, _)| c == code).unwrap().1;
        assert!(
            flat.contains(label.as_str()),
            "{label} ({code}) in the first five pages"
        );
    }
}

#[test]
fn a_report_reads_each_wave_once() {
    let db = demo();
    let settings = common::test_settings(&db);
    let access = rind::auth::access::Access::new(rind::domain::Role::Admin, Vec::new());
    let reads = |kind, wave: &str| {
        let mut conn = db.conn();
        let before = store::responses::waves_read_on_this_thread();
        let report = rind::report::document::build(
            &mut conn,
            &settings,
            kind,
            wave,
            &access,
            None,
            &mut |_| {},
        )
        .unwrap();
        assert!(!report.charts.is_empty());
        store::responses::waves_read_on_this_thread() - before
    };
    use rind::report::document::ReportKind::{Baseline, Trend};
    // The baseline wave alone: one read for the whole report, every format's model.
    assert_eq!(reads(Baseline, WAVE), 1);
    // The last of the demo's three waves, with its trend: each wave read once.
    let waves = store::waves::list(&mut db.conn()).unwrap();
    let last = &waves.last().unwrap().code;
    assert_eq!(waves.len(), 3);
    assert_eq!(reads(Trend, last), 3);
    assert_eq!(reads(Baseline, last), 3);
}
