//! The report as an A4 PDF, written in-process with krilla: the embedded DejaVu Sans is
//! subset into the file (so it reads the same on any machine), text is real text (it can be
//! searched and copied), and the charts are the same plotters SVGs as in the HTML, placed
//! as vectors through krilla-svg. No browser or external program is involved (see
//! docs/ARCHITECTURE.md for why).
//!
//! The layout is a simple flow of the shared [`blocks`](super::blocks): headings,
//! wrapped paragraphs and lists, tables with wrapped cells (the header repeated on a new
//! page), and charts scaled to the text width, each on the page where it fits whole.

use std::sync::Arc;

use ab_glyph::{Font as _, FontRef};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};

use super::blocks::{Block, Table, blocks};
use super::document::{Figure, Report};
use crate::charts::{BOLD, REGULAR};
use crate::error::{AppError, Result};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 48.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
const BODY: f32 = 9.5;
const SMALL: f32 = 7.5;

fn pdf_error(what: &str) -> AppError {
    AppError::Internal(format!("cannot write the PDF: {what}"))
}

/// The two faces, for drawing (krilla) and for measuring (ab_glyph).
struct Fonts {
    regular: Font,
    bold: Font,
    regular_metrics: FontRef<'static>,
    bold_metrics: FontRef<'static>,
}

impl Fonts {
    fn load() -> Result<Fonts> {
        Ok(Fonts {
            regular: Font::new(REGULAR.into(), 0).ok_or_else(|| pdf_error("font"))?,
            bold: Font::new(BOLD.into(), 0).ok_or_else(|| pdf_error("bold font"))?,
            regular_metrics: FontRef::try_from_slice(REGULAR).map_err(|_| pdf_error("font"))?,
            bold_metrics: FontRef::try_from_slice(BOLD).map_err(|_| pdf_error("bold font"))?,
        })
    }

    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let font = if bold {
            &self.bold_metrics
        } else {
            &self.regular_metrics
        };
        // In font units, scaled to the em: krilla sets text at `size` points per em.
        let per_unit = size / font.units_per_em().unwrap_or(2048.0);
        text.chars()
            .map(|c| font.h_advance_unscaled(font.glyph_id(c)) * per_unit)
            .sum()
    }

    /// Splits `text` into lines no wider than `width`, breaking at spaces (and inside a
    /// word only when the word alone is too wide).
    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the column is cut where it must be.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.width(&piece, size, bold) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        lines
    }
}

/// One drawn item, positioned on its page.
enum Draw {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        x: f32,
        y: f32,
        width: f32,
    },
    Chart {
        y: f32,
        tree: Box<usvg::Tree>,
        height: f32,
    },
}

/// Pages as lists of what to draw, filled top to bottom.
struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Draw>>,
    /// The top of the free space on the current page.
    y: f32,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts) -> Layout<'f> {
        Layout {
            fonts,
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` fits below.
    fn room(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN && self.y > MARGIN {
            self.new_page();
        }
    }

    fn push(&mut self, draw: Draw) {
        if let Some(page) = self.pages.last_mut() {
            page.push(draw);
        }
    }

    fn text_lines(&mut self, x: f32, width: f32, text: &str, size: f32, bold: bool) {
        let leading = size * 1.35;
        for line in self.fonts.wrap(text, size, bold, width) {
            self.room(leading);
            self.y += leading;
            self.push(Draw::Text {
                x,
                y: self.y - size * 0.3,
                size,
                bold,
                text: line,
            });
        }
    }

    fn heading(&mut self, level: u8, text: &str) {
        let size = if level == 1 { 17.0 } else { 12.5 };
        if level == 1 && self.y > MARGIN {
            self.new_page();
        }
        self.room(size * 4.0);
        self.y += size * 0.6;
        self.text_lines(MARGIN, TEXT_W, text, size, true);
        self.y += size * 0.3;
    }

    fn table(&mut self, table: &Table) {
        self.room(40.0);
        self.text_lines(MARGIN, TEXT_W, &table.caption, BODY - 0.5, true);
        self.y += 2.0;
        let widths = column_widths(self.fonts, table);
        let pad = 3.0;
        let header: Vec<String> = table.columns.clone();
        self.table_row(&widths, &header, true, pad);
        for row in &table.rows {
            let height = self.row_height(&widths, row, false, pad);
            if self.y + height > PAGE_H - MARGIN {
                self.new_page();
                self.table_row(&widths, &header, true, pad);
            }
            self.table_row(&widths, row, false, pad);
        }
        self.y += 8.0;
    }

    fn row_height(&self, widths: &[f32], row: &[String], bold: bool, pad: f32) -> f32 {
        // The first cell names the row and is set in bold, as `table_row` draws it.
        let lines = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                self.fonts
                    .wrap(cell, SMALL, bold || i == 0, w - 2.0 * pad)
                    .len()
            })
            .max()
            .unwrap_or(1);
        lines as f32 * SMALL * 1.3 + 2.0 * pad
    }

    fn table_row(&mut self, widths: &[f32], row: &[String], bold: bool, pad: f32) {
        let height = self.row_height(widths, row, bold, pad);
        self.room(height);
        let top = self.y;
        let mut x = MARGIN;
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            let bold = bold || i == 0;
            let mut y = top + pad;
            for line in self.fonts.wrap(cell, SMALL, bold, w - 2.0 * pad) {
                y += SMALL * 1.3;
                self.push(Draw::Text {
                    x: x + pad,
                    y: y - SMALL * 0.3,
                    size: SMALL,
                    bold,
                    text: line,
                });
            }
            x += w;
        }
        self.y = top + height;
        self.push(Draw::Rule {
            x: MARGIN,
            y: self.y,
            width: widths.iter().sum(),
        });
    }

    fn figure(&mut self, figure: &Figure, number: usize) -> Result<()> {
        let tree = svg_tree(&figure.svg)?;
        let height = TEXT_W * tree.size().height() / tree.size().width();
        self.room(height + 2.0 * BODY * 1.35);
        self.push(Draw::Chart {
            y: self.y,
            tree: Box::new(tree),
            height,
        });
        self.y += height + 4.0;
        self.text_lines(
            MARGIN,
            TEXT_W,
            &format!("Figure {number}: {}", figure.title),
            BODY - 1.0,
            false,
        );
        self.y += 8.0;
        Ok(())
    }
}

/// Column widths in proportion to each column's widest cell, within the text width, but
/// never narrower than the column's longest word (so words are not cut).
fn column_widths(fonts: &Fonts, table: &Table) -> Vec<f32> {
    let columns = table.columns.len().max(1);
    let cells = |c: usize| {
        std::iter::once(table.columns.get(c))
            .chain(table.rows.iter().map(move |r| r.get(c)))
            .flatten()
    };
    let pad = 8.0;
    let natural: Vec<f32> = (0..columns)
        .map(|c| {
            cells(c)
                .map(|s| fonts.width(s, SMALL, c == 0) + pad)
                .fold(24.0_f32, f32::max)
                .min(TEXT_W * 0.6)
        })
        .collect();
    let least: Vec<f32> = (0..columns)
        .map(|c| {
            cells(c)
                .flat_map(|s| s.split(' '))
                .map(|w| fonts.width(w, SMALL, true) + pad)
                .fold(0.0_f32, f32::max)
                .min(TEXT_W / columns as f32)
        })
        .collect();
    let total: f32 = natural.iter().sum();
    let mut widths: Vec<f32> = natural.iter().map(|w| w * TEXT_W / total).collect();
    // Widen the columns that came out too narrow, taking the room from the others.
    let short: f32 = widths
        .iter()
        .zip(&least)
        .map(|(w, l)| (l - w).max(0.0))
        .sum();
    if short > 0.0 {
        let spare: f32 = widths
            .iter()
            .zip(&least)
            .map(|(w, l)| (w - l).max(0.0))
            .sum();
        let take = if spare > 0.0 {
            (short / spare).min(1.0)
        } else {
            0.0
        };
        for (w, l) in widths.iter_mut().zip(&least) {
            if *w < *l {
                *w = *l;
            } else {
                *w -= (*w - l) * take;
            }
        }
    }
    widths
}

/// A usvg fontdb with only the embedded fonts, answering for `sans-serif` (what the chart
/// SVGs ask for), so charts read the same on every machine.
fn svg_options() -> &'static usvg::Options<'static> {
    static OPTIONS: std::sync::OnceLock<usvg::Options<'static>> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        usvg::Options {
            fontdb: Arc::new(db),
            font_family: "DejaVu Sans".into(),
            ..usvg::Options::default()
        }
    })
}

fn svg_tree(svg: &str) -> Result<usvg::Tree> {
    usvg::Tree::from_str(svg, svg_options())
        .map_err(|e| AppError::Internal(format!("cannot place a chart in the PDF: {e}")))
}

fn draw_page(surface: &mut Surface<'_>, fonts: &Fonts, items: &[Draw], page: usize, pages: usize) {
    let black = Fill {
        paint: rgb::Color::new(27, 27, 27).into(),
        ..Fill::default()
    };
    for item in items {
        match item {
            Draw::Text {
                x,
                y,
                size,
                bold,
                text,
            } => {
                surface.set_fill(Some(black.clone()));
                let font = if *bold { &fonts.bold } else { &fonts.regular };
                surface.draw_text(
                    Point::from_xy(*x, *y),
                    font.clone(),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            }
            Draw::Rule { x, y, width } => {
                let mut path = PathBuilder::new();
                path.move_to(*x, *y);
                path.line_to(x + width, *y);
                if let Some(path) = path.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(200, 200, 200).into(),
                        width: 0.5,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
            Draw::Chart { y, tree, height } => {
                if let Some(size) = Size::from_wh(TEXT_W, *height) {
                    surface.push_transform(&krilla::geom::Transform::from_translate(MARGIN, *y));
                    surface.draw_svg(tree, size, SvgSettings::default());
                    surface.pop();
                }
            }
        }
    }
    surface.set_fill(Some(black));
    let footer = format!("{page} / {pages}");
    let width = fonts.width(&footer, SMALL, false);
    surface.draw_text(
        Point::from_xy(PAGE_W - MARGIN - width, PAGE_H - MARGIN / 2.0),
        fonts.regular.clone(),
        SMALL,
        &footer,
        false,
        TextDirection::Auto,
    );
}

/// Renders `report` as a PDF.
pub fn render(report: &Report) -> Result<Vec<u8>> {
    let fonts = Fonts::load()?;
    let mut layout = Layout::new(&fonts);
    let mut figures = 0;
    for block in blocks(report) {
        match block {
            Block::Heading { level, text, .. } => layout.heading(level, &text),
            Block::Paragraph(text) => {
                layout.text_lines(MARGIN, TEXT_W, &text, BODY, false);
                layout.y += 5.0;
            }
            Block::List(lines) => {
                for line in lines {
                    layout.room(BODY * 1.35);
                    let top = layout.y;
                    layout.text_lines(MARGIN + 12.0, TEXT_W - 12.0, &line, BODY, false);
                    layout.push(Draw::Text {
                        x: MARGIN + 2.0,
                        y: top + BODY * 1.35 - BODY * 0.3,
                        size: BODY,
                        bold: false,
                        text: "•".into(),
                    });
                    layout.y += 3.0;
                }
                layout.y += 4.0;
            }
            Block::Table(table) => layout.table(&table),
            Block::Figure(figure) => {
                figures += 1;
                layout.figure(figure, figures)?;
            }
        }
    }
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(report.title())
            .creator("rind".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| pdf_error("page size"))?;
    let pages = layout.pages.len();
    for (i, items) in layout.pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        draw_page(&mut surface, &fonts, items, i + 1, pages);
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| AppError::Internal(format!("cannot write the PDF: {e:?}")))
}
