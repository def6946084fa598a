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
