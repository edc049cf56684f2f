//! Property test of issue 10's promise, "orch never leaves a project broken": random sequences
//! of `orch new feature` / `orch add` / `orch remove` interleaved with random hand edits of the
//! wired files (comments and attributes above calls, the last call turned into the tail
//! expression, calls over several lines or in `let`s, a body on one line, tabs, CRLF, other
//! indentation, blank lines) never end with exit 0 and a `.rs` file that does not parse; a run
//! that exits non-zero leaves the tree byte for byte as it was.
//!
//! The generator is a seeded xorshift, so a failure names its seed and step and replays
//! exactly. The run is bounded by its step count (no cargo builds; parsing is `syn`'s).

use std::collections::BTreeMap;

use crate::support::Fixture;

/// Seeds × steps: a few hundred orch runs in all.
const SEEDS: &[u64] = &[0x9e37_79b9_7f4a_7c15, 42, 2026, 7];
const STEPS: usize = 150;

/// xorshift64*: small, deterministic, good enough to pick edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const FEATURES: &[&str] = &["cart", "auth", "search", "zoo", "a_b"];
const COMPONENTS: &[&str] = &["upload", "resize", "ping", "zeta"];

/// The `.rs` files orch wires into: the features module, core's and each feature's `mod.rs`.
fn wired_files(fx: &Fixture) -> Vec<String> {
    let mut files = vec!["src/features/mod.rs".to_string(), "src/shared/mod.rs".to_string()];
    files.extend(FEATURES.iter().map(|f| format!("src/features/{f}/mod.rs")));
    files.into_iter().filter(|f| fx.exists(f)).collect()
}

/// One random hand edit of `src`, or `None` when the chosen edit does not apply.
fn hand_edit(rng: &mut Rng, src: &str) -> Option<String> {
    let lines: Vec<&str> = src.split_inclusive('\n').collect();
    let calls: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = lines[i];
            !l.contains("fn ")
                && (l.contains("::register(") || l.contains(".register::<") || l.contains("::demo("))
        })
        .collect();
    let indent = |l: &str| l[..l.len() - l.trim_start().len()].to_string();
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let insert_above = |i: usize, text: &str| {
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        out.insert(i, format!("{}{text}{eol}", indent(lines[i])));
        Some(out.concat())
    };
    match rng.below(12) {
        0 => {
            let i = *calls.get(rng.below(calls.len().max(1)))?;
            insert_above(i, "// Registered by hand: keep this comment with its line.")
        }
        1 => {
            let i = *calls.get(rng.below(calls.len().max(1)))?;
            insert_above(i, "#[cfg(all())]")
        }
        2 => {
            let i = *calls.get(rng.below(calls.len().max(1)))?;
            insert_above(i, "/* a block comment */")
        }
        3 => {
            // A call followed by `Ok(())` and the closing brace becomes the tail expression.
            let at = src.rmatch_indices("?;").map(|(at, _)| at).find(|&at| {
                let rest = src[at + 2..].trim_start();
                rest.starts_with("Ok(())") && rest["Ok(())".len()..].trim_start().starts_with('}')
            })?;
            let end = at + 2 + src[at + 2..].find("Ok(())")? + "Ok(())".len();
            Some(format!("{}{}", &src[..at], &src[end..]))
        }
        4 => {
            // The last `.await;` before a closing brace loses its `;`.
            let at = src
                .rmatch_indices(".await;")
                .map(|(at, _)| at)
                .find(|&at| src[at + ".await;".len()..].trim_start().starts_with('}'))?;
            Some(format!("{}.await{}", &src[..at], &src[at + ".await;".len()..]))
        }
        5 => Some(src.replace("    ", "\t")),
        6 => (!src.contains("\r\n")).then(|| src.replace('\n', "\r\n")),
        7 => Some(src.replace("    ", "  ")),
        8 => {
            // A call spread over several lines.
            let i = *calls.get(rng.below(calls.len().max(1)))?;
            let (open, close) = (lines[i].find('(')?, lines[i].rfind(')')?);
            let ind = indent(lines[i]);
            let arg = &lines[i][open + 1..close];
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            out[i] =
                format!("{}({eol}{ind}    {arg},{eol}{ind}){}", &lines[i][..open], &lines[i][close + 1..]);
            Some(out.concat())
        }
        9 => {
            // A call bound by a `let`.
            let i = *calls.get(rng.below(calls.len().max(1)))?;
            let ind = indent(lines[i]);
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            out[i] = format!("{ind}let _wired = {}", lines[i].trim_start());
            Some(out.concat())
        }
        // Rare: once on one line, every later wiring into the file is refused.
        10 if rng.below(4) == 0 => {
            // The whole body of `fn register` on one line (orch must refuse, not break it).
            let start = src.find("fn register(")?;
            let open = start + src[start..].find('{')?;
            let close = open + src[open..].find(&format!("{eol}}}"))?;
            let body: Vec<&str> =
                src[open + 1..close].split(eol).map(str::trim).filter(|l| !l.is_empty()).collect();
            Some(format!("{}{{ {} }}{}", &src[..open], body.join(" "), &src[close + eol.len() + 1..]))
        }
        _ => {
            let i = *calls.get(rng.below(calls.len().max(1)))?;
            insert_above(i, "")
        }
    }
}

/// Every `.rs` file of `after` that is new or changed since `before` must parse.
fn assert_changed_files_parse(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    context: &str,
) {
    for (path, bytes) in after.iter().filter(|(p, b)| p.ends_with(".rs") && before.get(*p) != Some(*b)) {
        let src = String::from_utf8_lossy(bytes);
        if let Err(e) = syn::parse_file(&src) {
            panic!("{context}: orch exited 0 leaving {path} unparsable: {e}\n{src}");
        }
    }
}

/// A random orch command, mostly one that can succeed (a new feature that does not exist yet,
/// components in an existing feature or core, removals of what exists), some that must be
/// refused.
fn command(rng: &mut Rng, fx: &Fixture) -> Vec<String> {
    let feature = rng.pick(FEATURES).to_string();
    let exists = fx.exists(&format!("src/features/{feature}"));
    let component = rng.pick(COMPONENTS).to_string();
    let kind = rng.pick(&["executor", "job", "event"]).to_string();
    let scope =
        if exists && rng.below(2) == 0 { vec!["--feature".into(), feature.clone()] } else { Vec::new() };
    let mut args: Vec<String> = match rng.below(6) {
        0 if !exists => vec!["new".into(), "feature".into(), feature],
        0 | 1 if exists => vec!["remove".into(), "feature".into(), feature],
        0 | 1 => vec!["new".into(), "feature".into(), feature],
        2 | 3 => [vec!["add".into(), kind, component], scope].concat(),
        _ => [vec!["remove".into(), kind, component], scope].concat(),
    };
    // Hand edits make `remove` refuse edited files; `--force` removes them anyway.
    if args[0] == "remove" && rng.below(2) == 0 {
        args.push("--force".into());
    }
    args.push("-q".into());
    args
}

#[test]
fn random_generations_over_random_hand_edits_never_leave_a_broken_file() {
    for &seed in SEEDS {
        let mut rng = Rng(seed);
        let fx = Fixture::project(&["--runtime-version", "0.1", "--feature", "cart"]);
        let (mut ok, mut refused) = (0, 0);
        for step in 0..STEPS {
            if rng.below(2) == 0 {
                let files = wired_files(&fx);
                let rel = rng.pick(&files).clone();
                let src = fx.read(&rel);
                // Only hand edits that keep the file valid Rust: the property is about orch.
                if let Some(edited) = hand_edit(&mut rng, &src).filter(|e| syn::parse_file(e).is_ok()) {
                    fx.write(&rel, &edited);
                }
                continue;
            }
            let args = command(&mut rng, &fx);
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let context = format!("seed {seed:#x}, step {step}: orch {}", args.join(" "));
            let (files, tree) = (fx.files("."), fx.snapshot());
            let run = fx.orch(&argv);
            match run.code {
                0 => {
                    ok += 1;
                    assert_changed_files_parse(&files, &fx.files("."), &context);
                }
                1 | 2 => {
                    refused += 1;
                    assert_eq!(
                        fx.snapshot(),
                        tree,
                        "{context}: exit {} changed the tree\n{}",
                        run.code,
                        run.stderr
                    );
                }
                _ => panic!("{context}: unexpected exit\n{}", run.transcript()),
            }
        }
        // The sequence must exercise both outcomes, or it proves little.
        assert!(ok > 5 && refused > 0, "seed {seed:#x}: {ok} successful and {refused} refused runs");
    }
}
