//! The template miner.
//!
//! Two stages, so that the state is mergeable and the result does not depend on the order
//! lines arrive in:
//! 1. Per line (the hot path): tokenise, mask variables, and count the masked word sequence
//!    (the *signature*) in a hash table. Most lines of a log hit a signature already seen,
//!    so this is one pass over the bytes and one hash lookup.
//! 2. Per distinct signature: a Drain-style clustering (signatures grouped by word count and
//!    first word, then merged into the most similar template above a threshold; merged words
//!    that differ become `<*>`, keeping a common prefix or suffix such as `user=`). It runs
//!    over the signatures in a canonical order (most frequent first, then by text), so it is
//!    a function of the signature counts alone.
//!
//! Merging two miners adds their signature counts, so mining two halves and merging gives
//! exactly the templates and counts of mining the whole.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use super::mask::{is_month, join_dates, mask_word, GLUE, INNER_SPACE, VAR};
use super::tokenize::for_each_word;

/// How similar (the share of equal words) a signature must be to a template to join it.
pub const SIMILARITY: f64 = 0.5;

/// The most clusters a signature is compared with (the most frequent of its bucket), and the
/// most templates per first word that absorb others across lengths: bounds the work on logs
/// whose lines are all different, as Drain's tree bounds its own.
const MAX_COMPARED: usize = 64;

/// FNV-1a: a fast, deterministic hasher for the signature table (no random seed, so native
/// and wasm builds behave the same; output never depends on hash order).
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The signature table's hasher: every line hashes its whole signature, so this one takes
/// eight bytes per step where FNV takes one (FxHash's step, then a finalising mix so the
/// table's high control bits depend on every byte). Deterministic like FNV; only the table
/// uses it, so no output depends on its values.
#[derive(Clone, Copy, Default)]
struct WordHasher(u64);

impl WordHasher {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn step(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        // murmur3's fmix64.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.step(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The length in the top byte, so `ab` and `ab\0` differ.
            word[7] ^= rest.len() as u8;
            self.step(u64::from_le_bytes(word));
        }
    }
}

/// Mining state: each distinct masked word sequence and how many lines had it.
#[derive(Debug, Clone, Default)]
pub struct Miner {
    index: HashMap<Box<str>, u32, BuildHasherDefault<WordHasher>>,
    signatures: Vec<Box<str>>,
    counts: Vec<u64>,
    buf: String,
}

/// The templates the miner found, most frequent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    pub list: Vec<Template>,
    /// For each signature id, the index of its template in `list`.
    pub of_signature: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Words joined by one space, variables as `<*>`.
    pub text: String,
    /// Lines that matched it.
    pub count: u64,
}

impl Miner {
    pub fn new() -> Miner {
        Miner::default()
    }

    /// Adds one line; returns its signature id (stable for the life of this miner).
    pub fn add(&mut self, line: &str) -> u32 {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let mut month = false;
        for_each_word(line, &mut |w| {
            if !buf.is_empty() {
                buf.push(' ');
            }
            month |= is_month(w);
            mask_word(w, &mut buf);
        });
        let joined = if month { join_dates(&buf) } else { None };
        let id = self.count(joined.as_deref().unwrap_or(&buf), 1);
        self.buf = buf;
        id
    }

    fn count(&mut self, signature: &str, n: u64) -> u32 {
        if let Some(id) = self.index.get(signature) {
            self.counts[*id as usize] += n;
            return *id;
        }
        let id = self.signatures.len() as u32;
        self.signatures.push(signature.into());
        self.counts.push(n);
        self.index.insert(signature.into(), id);
        id
    }

    /// Adds another miner's counts. Returns, for each of `other`'s signature ids, the id it has here.
    pub fn merge(&mut self, other: &Miner) -> Vec<u32> {
        other.signatures.iter().zip(&other.counts).map(|(sig, n)| self.count(sig, *n)).collect()
    }

    pub fn signature(&self, id: u32) -> &str {
        &self.signatures[id as usize]
    }

    /// Adds `lines` lines of `signature` (a miner's state read back); returns its id.
    pub fn add_signature(&mut self, signature: &str, lines: u64) -> u32 {
        self.count(signature, lines)
    }

    /// Lines with signature `id`.
    pub fn signature_lines(&self, id: u32) -> u64 {
        self.counts[id as usize]
    }

    pub fn signature_count(&self) -> usize {
        self.signatures.len()
    }

    /// Lines added (including merged counts).
    pub fn lines(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Clusters the signatures into templates.
    pub fn templates(&self) -> Templates {
        let mut order: Vec<u32> = (0..self.signatures.len() as u32).collect();
        order.sort_by(|a, b| {
            self.counts[*b as usize].cmp(&self.counts[*a as usize]).then_with(|| self.signature(*a).cmp(self.signature(*b)))
        });
        let words: Vec<Vec<&str>> = self.signatures.iter().map(|s| s.split(' ').collect()).collect();

        let mut groups: Vec<Vec<u32>> = Vec::new();
        for members in self.drain(&order, &words) {
            split_constant_columns(members, &words, &self.counts, &mut groups);
        }
        let groups = merge_variable_columns(groups, &words);
        let clusters: Vec<Cluster> = groups
            .into_iter()
            .map(|members| {
                let mut template: Vec<String> = words[members[0] as usize].iter().map(|w| w.to_string()).collect();
                for m in &members[1..] {
                    for (t, w) in template.iter_mut().zip(&words[*m as usize]) {
                        if t != w {
                            *t = merge_words(t, w);
                        }
                    }
                }
                let count = members.iter().map(|m| self.counts[*m as usize]).sum();
                Cluster { words: template, count, members }
            })
            .collect();
        let mut clusters = merge_variable_stretches(merge_across_lengths(clusters));
        clusters.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.words.cmp(&b.words)));
        let mut of_signature = vec![0u32; self.signatures.len()];
        for (i, c) in clusters.iter().enumerate() {
            for m in &c.members {
                of_signature[*m as usize] = i as u32;
            }
        }
        let list = clusters.into_iter().map(|c| Template { text: template_text(&c.words), count: c.count }).collect();
        Templates { list, of_signature }
    }

    /// Drain's pass: signatures in `order` join the most similar cluster of their (word
    /// count, first word) bucket, or start one. Returns the members of each cluster.
    fn drain(&self, order: &[u32], words: &[Vec<&str>]) -> Vec<Vec<u32>> {
        let mut templates: Vec<Vec<String>> = Vec::new();
        let mut members: Vec<Vec<u32>> = Vec::new();
        // The first word of a message is nearly always part of its template, so it separates
        // events cheaply.
        let mut buckets: HashMap<(usize, &str), Vec<u32>, BuildHasherDefault<Fnv>> = HashMap::default();
        for id in order {
            let w = &words[*id as usize];
            let first = w.first().copied().filter(|w| !w.contains(VAR)).unwrap_or(VAR);
            let bucket = buckets.entry((w.len(), first)).or_default();
            let best = bucket
                .iter()
                .take(MAX_COMPARED)
                .map(|c| (*c, similarity(&templates[*c as usize], w)))
                .filter(|(_, sim)| *sim >= SIMILARITY)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            match best {
                Some((c, _)) => {
                    for (t, word) in templates[c as usize].iter_mut().zip(w) {
                        if t != word {
                            *t = merge_words(t, word);
                        }
                    }
                    members[c as usize].push(*id);
                }
                None => {
                    templates.push(w.iter().map(|w| w.to_string()).collect());
                    members.push(vec![*id]);
                    bucket.push(templates.len() as u32 - 1);
                }
            }
        }
        members
    }
}

/// A template's words as text: one space between words, none after a word cut at full-width
/// punctuation, a quoted span's inner spaces as spaces.
fn template_text(words: &[String]) -> String {
    let mut text = String::new();
    for w in words {
        if !text.is_empty() && !text.ends_with(GLUE) {
            text.push(' ');
        }
        text.push_str(w);
    }
    text.replace(GLUE, "").replace(INNER_SPACE, " ")
}

/// The most distinct values a position may take and still be read as a constant that tells
/// events apart (`startup`/`shutdown`, `HTTPS`/`SOCKS5`) rather than a variable.
pub const MAX_CONSTANT_VALUES: usize = 3;

/// Splits a cluster at positions whose members take a few distinct words, at most one of
/// them masked: those are different events that Drain's similarity merged. The position with the fewest
/// values splits first; each part is split again.
fn split_constant_columns(members: Vec<u32>, words: &[Vec<&str>], counts: &[u64], out: &mut Vec<Vec<u32>>) {
    let len = words[members[0] as usize].len();
    let lines: u64 = members.iter().map(|m| counts[*m as usize]).sum();
    let mut best: Option<(usize, usize)> = None;
    // Positions index every member's words, not one slice.
    #[allow(clippy::needless_range_loop)]
    for p in 0..len {
        let mut values: Vec<&str> = Vec::new();
        for m in &members {
            let w = words[*m as usize][p];
            if !values.contains(&w) {
                values.push(w);
                if values.len() > MAX_CONSTANT_VALUES {
                    break;
                }
            }
        }
        // Masked variants of one variable (`<*>`, `<*>:<*>`) are not events, and a value
        // seen about once per line is a variable whatever its count.
        let variable = values.iter().filter(|w| is_value(w)).count() > 1 || lines < 2 * values.len() as u64;
        if !variable && (2..=MAX_CONSTANT_VALUES).contains(&values.len()) && best.is_none_or(|(_, n)| values.len() < n) {
            best = Some((p, values.len()));
        }
    }
    let Some((p, _)) = best else {
        out.push(members);
        return;
    };
    let mut parts: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for m in members {
        parts.entry(words[m as usize][p]).or_default().push(m);
    }
    for part in parts.into_values() {
        split_constant_columns(part, words, counts, out);
    }
}

/// A masked word, or the `-` placeholder an empty field is written as (`-`, `"-"`). A quoted
/// span of several words is a value when each of its words is (`"GET <*>"` names a method).
fn is_value(word: &str) -> bool {
    word.split(INNER_SPACE).all(|part| part.contains(VAR) || part.trim_matches('"') == "-")
}

/// Merges groups of one word count that differ at a single position only, when more than
/// `MAX_CONSTANT_VALUES` groups do: that position is a variable Drain's first-word buckets
/// or its similarity kept apart (`IRQ0 used by override.`, `IRQ9 used by override.`, ...).
fn merge_variable_columns(groups: Vec<Vec<u32>>, words: &[Vec<&str>]) -> Vec<Vec<u32>> {
    let mut parent: Vec<usize> = (0..groups.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // Each group's representative words (its first, most frequent member).
    let reps: Vec<&Vec<&str>> = groups.iter().map(|g| &words[g[0] as usize]).collect();
    let max_len = reps.iter().map(|r| r.len()).max().unwrap_or(0).min(64);
    for p in 0..max_len {
        // Groups by (word count, hash of the other words); equal hashes are checked word by word.
        let mut by_rest: HashMap<(usize, u64), Vec<usize>, BuildHasherDefault<Fnv>> = HashMap::default();
        for (g, rep) in reps.iter().enumerate() {
            // The rest must say what the event is: two words or more, one of them constant.
            if rep.len() > p && (3..=64).contains(&rep.len()) && rep.iter().enumerate().any(|(i, w)| i != p && !w.contains(VAR)) {
                let mut h = Fnv::default();
                for (i, w) in rep.iter().enumerate() {
                    if i != p {
                        h.write(w.as_bytes());
                        h.write_u8(0xff);
                    }
                }
                by_rest.entry((rep.len(), h.finish())).or_default().push(g);
            }
        }
        let same_rest = |a: &[&str], b: &[&str]| a.iter().zip(b).enumerate().all(|(i, (x, y))| i == p || x == y);
        for candidates in by_rest.values().filter(|c| c.len() > MAX_CONSTANT_VALUES) {
            // Union-find merges are order-free, so the hash map's order does not show.
            let mut classes: Vec<Vec<usize>> = Vec::new();
            for g in candidates {
                match classes.iter_mut().find(|c| same_rest(reps[c[0]], reps[*g])) {
                    Some(c) => c.push(*g),
                    None => classes.push(vec![*g]),
                }
            }
            for same in classes.iter().filter(|c| c.len() > MAX_CONSTANT_VALUES) {
                for g in &same[1..] {
                    let (a, b) = (root(&mut parent, same[0]), root(&mut parent, *g));
                    parent[b.max(a)] = a.min(b);
                }
            }
        }
    }
    let mut merged: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    for (g, members) in groups.into_iter().enumerate() {
        let r = root(&mut parent, g);
        merged.entry(r).or_default().extend(members);
    }
    merged.into_values().collect()
}

/// Merges clusters of different word counts that align word for word except for variable
/// stretches (`<*> bytes sent` and `<*> bytes (<*> KB) sent`): an optional detail, not a
/// different event (`for <*>` and `for invalid user <*>`, `rhost=<*>` and `rhost=<*> user=<*>` stay apart).
fn merge_across_lengths(mut clusters: Vec<Cluster>) -> Vec<Cluster> {
    // A merge can enable another (the merged template is more general); a few rounds suffice.
    for _ in 0..4 {
        clusters = merge_equal_texts(clusters);
        let mut order: Vec<usize> = (0..clusters.len()).collect();
        order.sort_by(|a, b| clusters[*b].count.cmp(&clusters[*a].count).then(a.cmp(b)));
        let mut by_first: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for i in &order {
            by_first.entry(clusters[*i].words.first().cloned().unwrap_or_default()).or_default().push(*i);
        }
        let mut into: Vec<Option<usize>> = vec![None; clusters.len()];
        let mut changed = false;
        for group in by_first.values() {
            // Only templates with a variable can differ by a variable stretch.
            let group: Vec<usize> =
                group.iter().copied().filter(|c| clusters[*c].words.iter().any(|w| w.contains(VAR))).take(MAX_COMPARED / 2).collect();
            for (k, &big) in group.iter().enumerate() {
                if into[big].is_some() {
                    continue;
                }
                for &small in &group[k + 1..] {
                    if into[small].is_some() {
                        continue;
                    }
                    if let Some(merged) = align_variable_gaps(&clusters[big].words, &clusters[small].words) {
                        into[small] = Some(big);
                        clusters[big].words = merged;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return clusters;
        }
        for small in 0..clusters.len() {
            if let Some(big) = into[small] {
                let moved = std::mem::take(&mut clusters[small].members);
                let count = std::mem::take(&mut clusters[small].count);
                clusters[big].members.extend(moved);
                clusters[big].count += count;
            }
        }
        clusters.retain(|c| !c.members.is_empty());
    }
    merge_equal_texts(clusters)
}

/// The longest stretch of words `merge_variable_stretches` reads as one variable.
const MAX_STRETCH: usize = 6;

/// Merges clusters that are the same words around one stretch of plain words (no variable)
/// that differs, of one to `MAX_STRETCH` words, when more than `MAX_CONSTANT_VALUES` clusters
/// do or one of them has a lone `<*>` there: that stretch is a variable of free text (an error message, a name with spaces) Drain kept apart because its
/// word count varies. The words around it must say what the event is: two constant words or
/// more. Contexts are tried longest first, each cluster merging once; the order is by the
/// words, so the result does not depend on the order clusters came in.
fn merge_variable_stretches(clusters: Vec<Cluster>) -> Vec<Cluster> {
    // (prefix length, suffix length, hash of the context) -> (cluster, stretch length).
    type Contexts = HashMap<(usize, usize, u64), Vec<(usize, usize)>, BuildHasherDefault<Fnv>>;
    let mut by_context = Contexts::default();
    for (c, cluster) in clusters.iter().enumerate() {
        let w = &cluster.words;
        if w.len() > 64 {
            continue;
        }
        for p in 0..w.len() {
            for g in 1..=MAX_STRETCH.min(w.len() - p) {
                // A stretch holding a variable already has its variable; the rest of it is
                // constant and tells events apart (`password for <*>`, `invalid user <*>`).
                if w[p + g - 1].contains(VAR) && !(g == 1 && w[p] == VAR) {
                    break;
                }
                let (prefix, suffix) = (&w[..p], &w[p + g..]);
                if prefix.iter().chain(suffix).filter(|x| !x.contains(VAR)).count() < 2 {
                    continue;
                }
                let mut h = Fnv::default();
                for x in prefix.iter().chain(std::iter::once(&String::new())).chain(suffix) {
                    h.write(x.as_bytes());
                    h.write_u8(0xff);
                }
                by_context.entry((p, suffix.len(), h.finish())).or_default().push((c, g));
            }
        }
    }
    let context = |(c, g): (usize, usize), p: usize| -> (&[String], &[String]) {
        let w = &clusters[c].words;
        (&w[..p], &w[p + g..])
    };
    // Longest context first, then by the context's words.
    let mut keys: Vec<(usize, usize, u64)> = by_context.iter().filter(|(_, m)| m.len() > 1).map(|(k, _)| *k).collect();
    keys.sort_by(|a, b| {
        let (ma, mb) = (&by_context[a][0], &by_context[b][0]);
        (b.0 + b.1).cmp(&(a.0 + a.1)).then_with(|| context(*ma, a.0).cmp(&context(*mb, b.0)))
    });
    let mut merged_into: Vec<Option<usize>> = vec![None; clusters.len()];
    let mut merges: Vec<(usize, Vec<String>, Vec<usize>)> = Vec::new();
    for key in keys {
        let members = &by_context[&key];
        let first = context(members[0], key.0);
        let same: Vec<(usize, usize)> =
            members.iter().copied().filter(|m| merged_into[m.0].is_none() && context(*m, key.0) == first).collect();
        let distinct: std::collections::BTreeSet<usize> = same.iter().map(|m| m.0).collect();
        // The stretch must sit inside the sentence (constant words on both sides) or end the
        // line after a label: elsewhere at the start or end of a line, different words are
        // different messages after a common header, not a value. There, a slot some template
        // already has as a variable takes the plain stretches others have; without one, more
        // than `MAX_CONSTANT_VALUES` stretches must differ.
        let slot = same.iter().any(|m| m.1 == 1 && clusters[m.0].words[key.0] == VAR);
        let constant = |ws: &[String]| ws.iter().any(|x| !x.contains(VAR));
        let inside = constant(first.0) && constant(first.1);
        // At the end of a line, after a label (`failed: <error text>`, `原因：`), it is a value too.
        let labelled_tail = first.1.is_empty() && first.0.last().is_some_and(|w| w.trim_end_matches(GLUE).ends_with([':', '：']));
        if distinct.len() < 2 || !((inside || labelled_tail) && (slot || distinct.len() > MAX_CONSTANT_VALUES)) {
            continue;
        }
        // One-word stretches keep their common punctuation (`user=<*>`); longer ones are `<*>`.
        let stretch = if same.iter().all(|m| m.1 == 1) {
            same.iter()
                .map(|m| clusters[m.0].words[key.0].clone())
                .reduce(|a, b| if a == b { a } else { merge_words(&a, &b) })
                .unwrap_or_default()
        } else {
            VAR.to_string()
        };
        let words: Vec<String> = first.0.iter().cloned().chain(std::iter::once(stretch)).chain(first.1.iter().cloned()).collect();
        let target = merges.len();
        for c in &distinct {
            merged_into[*c] = Some(target);
        }
        merges.push((target, words, distinct.into_iter().collect()));
    }
    if merges.is_empty() {
        return clusters;
    }
    let mut out: Vec<Cluster> =
        merges.iter().map(|(_, words, _)| Cluster { words: words.clone(), count: 0, members: Vec::new() }).collect();
    for (c, cluster) in clusters.into_iter().enumerate() {
        match merged_into[c] {
            Some(t) => {
                out[t].count += cluster.count;
                out[t].members.extend(cluster.members);
            }
            None => out.push(cluster),
        }
    }
    merge_equal_texts(out)
}

/// Clusters whose templates are the same text are one (the first in text order keeps them).
fn merge_equal_texts(mut clusters: Vec<Cluster>) -> Vec<Cluster> {
    clusters.sort_by(|a, b| a.words.cmp(&b.words));
    let mut out: Vec<Cluster> = Vec::with_capacity(clusters.len());
    for c in clusters {
        match out.last_mut() {
            Some(last) if last.words == c.words => {
                last.count += c.count;
                last.members.extend(c.members);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Words of `a` that are plain constants (no variable, not bracketed) and missing from `b`: a
/// cheap bound that rejects most pairs before the alignment.
fn unmatched_plain(a: &[String], b: &[String]) -> usize {
    a.iter().filter(|w| !w.contains(VAR) && !w.starts_with(['(', '[']) && !w.ends_with([')', ']']) && !b.contains(w)).count()
}

/// The longest unaligned stretch (in words) `align_variable_gaps` accepts.
const MAX_GAP: usize = 3;

fn align_variable_gaps(a: &[String], b: &[String]) -> Option<Vec<String>> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > 4 || n.max(m) > 64 || unmatched_plain(a, b) > MAX_GAP || unmatched_plain(b, a) > MAX_GAP {
        return None;
    }
    let mut lcs = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out: Vec<String> = Vec::new();
    let (mut gap_a, mut gap_b): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let flush = |gap_a: &mut Vec<&str>, gap_b: &mut Vec<&str>, out: &mut Vec<String>| -> bool {
        if gap_a.is_empty() && gap_b.is_empty() {
            return true;
        }
        let holds_var = |g: &Vec<&str>| g.iter().any(|w| is_value(w));
        // A stretch that stands for another holds no named field (`rt=<*>`, `method=<*>`): extra
        // or other fields say the lines are another event or another log format.
        let names_field = |g: &Vec<&str>| {
            g.iter().any(|w| w.find(VAR).is_some_and(|v| w[..v].ends_with(['=', ':']) && w[..v].contains(char::is_alphabetic)))
        };
        let bracketed = |g: &Vec<&str>| {
            g.first().is_some_and(|w| w.starts_with(['(', '[']))
                && g.last().is_some_and(|w| w.trim_end_matches([',', ';', '.']).ends_with([')', ']']))
        };
        let optional = |g: &Vec<&str>| g.iter().all(|w| *w == VAR) || (holds_var(g) && bracketed(g));
        let short = gap_a.len() <= MAX_GAP && gap_b.len() <= MAX_GAP;
        let ok = short
            && match (gap_a.is_empty(), gap_b.is_empty()) {
                (false, false) => holds_var(gap_a) && holds_var(gap_b) && !names_field(gap_a) && !names_field(gap_b),
                (true, _) => optional(gap_b),
                (_, true) => optional(gap_a),
            };
        // One word against one word keeps their common punctuation (`"<*>",`).
        out.push(if gap_a.len() == 1 && gap_b.len() == 1 { merge_words(gap_a[0], gap_b[0]) } else { VAR.to_string() });
        gap_a.clear();
        gap_b.clear();
        ok
    };
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            if !flush(&mut gap_a, &mut gap_b, &mut out) {
                return None;
            }
            out.push(a[i].clone());
            i += 1;
            j += 1;
        } else if j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            gap_a.push(&a[i]);
            i += 1;
        } else {
            gap_b.push(&b[j]);
            j += 1;
        }
    }
    if !flush(&mut gap_a, &mut gap_b, &mut out) {
        return None;
    }
    // Each stretch counts as one word: at least 2/3 of the merged words must be aligned ones.
    let aligned = lcs[0][0] as usize;
    (aligned * 3 >= out.len() * 2).then_some(out)
}

struct Cluster {
    words: Vec<String>,
    count: u64,
    members: Vec<u32>,
}

/// Drain's similarity: the share of positions where the template's word equals the line's.
/// Masked words count when they are equal (`[<*>]`, `"<*>"`, `key=<*>`): they say the shape of
/// the line, and a line of many variables (an access log) would otherwise never reach the threshold.
fn similarity(template: &[String], words: &[&str]) -> f64 {
    let equal = template.iter().zip(words).filter(|(t, w)| t.as_str() == **w).count();
    equal as f64 / words.len().max(1) as f64
}

/// Splits a word into units: `<*>`, single delimiter characters, and the runs between them.
fn units(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = word;
    while !rest.is_empty() {
        if rest.starts_with(VAR) {
            out.push(&rest[..VAR.len()]);
            rest = &rest[VAR.len()..];
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        if !c.is_alphanumeric() && c != '_' {
            out.push(&rest[..c.len_utf8()]);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let end = rest.find(|c: char| !c.is_alphanumeric() && c != '_').unwrap_or(rest.len());
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

/// Two different words at one template position: the common leading and trailing units stay
/// (`user=<*>`, `<*>:<*>`), the differing middle becomes one `<*>`.
fn merge_words(a: &str, b: &str) -> String {
    let (ua, ub) = (units(a), units(b));
    let prefix = ua.iter().zip(&ub).take_while(|(x, y)| x == y).count();
    let max_suffix = ua.len().min(ub.len()) - prefix;
    let suffix = ua.iter().rev().zip(ub.iter().rev()).take(max_suffix).take_while(|(x, y)| x == y).count();
    // Keep only punctuation-bounded context: `user=` stays, but `ab` vs `ac` is not `a<*>`.
    let prefix = (0..=prefix).rev().find(|p| *p == 0 || !is_run(ua[p - 1])).unwrap_or(0);
    let suffix = (0..=suffix).rev().find(|s| *s == 0 || !is_run(ua[ua.len() - s])).unwrap_or(0);
    let mut out: String = ua[..prefix].concat();
    out.push_str(VAR);
    out.push_str(&ua[ua.len() - suffix..].concat());
    super::mask::collapse(&mut out, 0);
    out
}

fn is_run(unit: &str) -> bool {
    unit != VAR && unit.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_words_keeping_punctuated_context() {
        assert_eq!(merge_words("user=bob", "user=alice"), "user=<*>");
        assert_eq!(merge_words("a.example.com:<*>", "b.example.org:<*>"), "<*>:<*>");
        assert_eq!(merge_words("ok", "failed"), "<*>");
        assert_eq!(merge_words("abc", "abd"), "<*>");
        assert_eq!(merge_words("[x]", "[y]"), "[<*>]");
    }

    #[test]
    fn mines_templates_with_counts() {
        let mut m = Miner::new();
        for line in ["user bob logged in from 10.0.0.1", "user alice logged in from 10.0.0.2", "disk full", "user carol logged in from ::1"]
        {
            m.add(line);
        }
        let t = m.templates();
        assert_eq!(t.list[0], Template { text: "user <*> logged in from <*>".into(), count: 3 });
        assert_eq!(t.list[1], Template { text: "disk full".into(), count: 1 });
        assert_eq!(t.of_signature.len(), m.signature_count());
    }
}
