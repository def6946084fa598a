//! The miner's state is mergeable: mining two parts and merging them gives the templates and
//! counts of mining the whole, in either merge order.

use proptest::prelude::*;
use rootspan_core::patterns::miner::Miner;

/// Lines from a few event shapes with random variable parts, so clusters really form.
fn line() -> impl Strategy<Value = String> {
    let user = prop::sample::select(vec!["alice", "bob", "carol", "dave", "erin", "root"]);
    let word = prop::sample::select(vec!["startup", "shutdown", "reload"]);
    (0..6usize, user, word, 0u32..100_000, 0u8..=255, "[a-z]{1,8}").prop_map(|(shape, user, word, n, octet, free)| match shape {
        0 => format!("Accepted password for {user} from 10.0.{octet}.{} port {n} ssh2", octet / 2),
        1 => format!("Failed password for invalid user {free} from 192.168.1.{octet} port {n} ssh2"),
        2 => format!("service {word} succeeded in {n}ms"),
        3 => format!("{free}.example.com:{n} close, {n} bytes ({octet}.5 KB) sent, {} bytes received, lifetime 00:{}", n / 3, octet % 60),
        4 => format!(r#"{{"msg":"cache miss for key {free}","level":"warn","shard":{octet}}}"#),
        _ => format!("{free} {word} {user} {n}"),
    })
}

fn texts(m: &Miner) -> Vec<(String, u64)> {
    m.templates().list.into_iter().map(|t| (t.text, t.count)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn mining_halves_and_merging_equals_mining_the_whole(lines in prop::collection::vec(line(), 1..300), cut in 0usize..300) {
        let cut = cut.min(lines.len());
        let mut whole = Miner::new();
        let mut first = Miner::new();
        let mut second = Miner::new();
        for (i, l) in lines.iter().enumerate() {
            whole.add(l);
            if i < cut { first.add(l) } else { second.add(l) };
        }
        let expected = texts(&whole);
        prop_assert_eq!(expected.iter().map(|t| t.1).sum::<u64>(), lines.len() as u64);

        let mut a = first.clone();
        let remap = a.merge(&second);
        prop_assert_eq!(&texts(&a), &expected);
        // Every line of the second part lands on the template it has in the whole.
        let (ta, tw) = (a.templates(), whole.templates());
        let mut probe = second.clone();
        for l in &lines[cut..] {
            let (id_whole, id_part) = (whole.clone().add(l), probe.add(l));
            prop_assert_eq!(&ta.list[ta.of_signature[remap[id_part as usize] as usize] as usize], &tw.list[tw.of_signature[id_whole as usize] as usize]);
        }

        let mut b = second.clone();
        b.merge(&first);
        prop_assert_eq!(&texts(&b), &expected);
    }
}

/// A miner made by merging, with, per original part it holds, the map from that part's signature
/// ids to its own.
struct Held {
    miner: Miner,
    parts: Vec<(usize, Vec<u32>)>,
}

/// The template a line has in `t`, given its signature id there.
fn template_of(t: &rootspan_core::patterns::miner::Templates, signature: u32) -> (&str, u64) {
    let template = &t.list[t.of_signature[signature as usize] as usize];
    (&template.text, template.count)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Phase B of docs/spark.md mines each partition apart and merges the miners in whatever
    /// grouping and order the tasks finish: lines dealt to up to 4 parts in any pattern, the parts
    /// merged pairwise in any order (each merge into either side), give the whole's templates, and
    /// every line keeps its template through the id maps the merges return.
    #[test]
    fn parts_merged_in_any_grouping_and_order_equal_the_whole(
        dealt in prop::collection::vec((line(), 0usize..4), 1..250),
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 3),
    ) {
        let mut whole = Miner::new();
        let mut parts = vec![Miner::new(); 4];
        // Each line's signature in the whole, its part, and its signature in that part.
        let mut placed = Vec::new();
        for (l, part) in &dealt {
            placed.push((whole.add(l), *part, parts[*part].add(l)));
        }
        let mut alive: Vec<Held> = parts
            .into_iter()
            .enumerate()
            .map(|(p, miner)| {
                let ids = (0..miner.signature_count() as u32).collect();
                Held { miner, parts: vec![(p, ids)] }
            })
            .collect();
        for (a, b) in &picks {
            let into = a.index(alive.len());
            let from = b.index(alive.len() - 1);
            // `from` indexes the others, so a miner never merges into itself.
            let from = if from >= into { from + 1 } else { from };
            let other = alive.remove(from);
            let into = if from < into { into - 1 } else { into };
            let target = &mut alive[into];
            let remap = target.miner.merge(&other.miner);
            for (p, ids) in other.parts {
                target.parts.push((p, ids.iter().map(|i| remap[*i as usize]).collect()));
            }
        }
        prop_assert_eq!(alive.len(), 1);
        let Held { miner: merged, parts: held } = &alive[0];
        prop_assert_eq!(texts(merged), texts(&whole));
        let (tm, tw) = (merged.templates(), whole.templates());
        for (in_whole, part, in_part) in placed {
            let ids = &held.iter().find(|(p, _)| *p == part).expect("every part is held").1;
            prop_assert_eq!(template_of(&tm, ids[in_part as usize]), template_of(&tw, in_whole));
        }
    }
}
