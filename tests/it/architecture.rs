//! The module graph stays one-way: no two modules of `src/` import each other in a circle
//! (issue 11; DESIGN.md "Architecture": each module uses only those below it).
//!
//! The graph is read from the source: a file's module uses another when it names it as
//! `crate::a::b` (the longest path that is a module) or `super::m` (a sibling module).
//! Test modules (`#[cfg(test)]` onwards) are left out. Plain `mod` declarations and a
//! parent's own use of its children are not counted: a parent owns its children.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(module, [the modules it uses])` for every file under `src/`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f, src)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(file, src);
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let is_mod_rs = file.file_name().is_some_and(|n| n == "mod.rs");
        let parent = if is_mod_rs {
            module.clone()
        } else {
            module
                .rsplit_once("::")
                .map_or(String::new(), |(p, _)| p.to_string())
        };
        let mut uses = BTreeSet::new();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (prefix, base) in [("crate::", String::new()), ("super::", parent.clone())] {
                for (at, _) in line.match_indices(prefix) {
                    let path: Vec<&str> = line[at + prefix.len()..]
                        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                        .next()
                        .unwrap_or("")
                        .split("::")
                        .filter(|p| !p.is_empty())
                        .collect();
                    let full = |k: usize| {
                        let tail = path[..k].join("::");
                        if base.is_empty() {
                            tail
                        } else {
                            format!("{base}::{tail}")
                        }
                    };
                    let target = (1..=path.len())
                        .rev()
                        .map(full)
                        .find(|m| modules.contains(m));
                    if let Some(target) = target.filter(|t| *t != module) {
                        uses.insert(target);
                    }
                }
            }
        }
        edges.insert(module, uses);
    }
    edges
}

/// Groups of modules that reach each other (Tarjan's strongly connected components of
/// more than one module).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        for w in s.edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.stack.contains(&w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                group.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.out.push(group);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.out
}

#[test]
fn no_modules_import_each_other_in_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    assert!(
        edges.len() > 50,
        "the whole crate was read: {} modules",
        edges.len()
    );
    assert_eq!(circles(&edges), Vec::<Vec<String>>::new());
    // The flow of DESIGN.md, at the top: analysis is pure, words sit below the outputs.
    let uses = |m: &str| edges.get(m).cloned().unwrap_or_default();
    assert!(
        uses("analysis").iter().all(|u| u == "domain"),
        "{:?}",
        uses("analysis")
    );
    for low in ["words", "charts", "report::view", "store::responses"] {
        assert!(
            !uses(low)
                .iter()
                .any(|u| u.starts_with("web") || u == "commands"),
            "{low} uses an output: {:?}",
            uses(low)
        );
    }
}

#[test]
fn the_circle_check_finds_a_circle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.insert("a".into(), ["b".to_string()].into());
    edges.insert("b".into(), ["c".to_string()].into());
    edges.insert("c".into(), ["a".to_string()].into());
    edges.insert("d".into(), ["a".to_string()].into());
    assert_eq!(circles(&edges), vec![vec!["a", "b", "c"]]);
}
