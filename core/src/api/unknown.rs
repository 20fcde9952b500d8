//! The error for a property name that is none of the known ones (a typo such as `signname`),
//! worded once for every binding, with a "did you mean" hint.

use crate::error::Error;

/// `InvalidInput` naming `field`: `"signname" is not a known property (did you mean
/// "signName"?); known properties: …`. The hint is the known name closest to `name` ignoring
/// case, offered when it differs only in case or by at most two edits.
pub fn unknown_name(field: &'static str, name: &str, known: &[&str]) -> Error {
    let lower = name.to_ascii_lowercase();
    let hint = known
        .iter()
        .filter(|k| k.eq_ignore_ascii_case(name) || distance(k, name) <= 2)
        .min_by_key(|k| distance(&k.to_ascii_lowercase(), &lower))
        .map(|k| format!(" (did you mean \"{k}\"?)"))
        .unwrap_or_default();
    let mut known = known.to_vec();
    known.sort_unstable();
    known.dedup();
    Error::invalid_input(
        field,
        format_args!("\"{name}\" is not a known property{hint}; known properties: {}", known.join(", ")),
    )
}

/// Levenshtein distance, for hints on short names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_the_closest_name_and_lists_the_known_ones() {
        let known = ["signName", "templateCode", "codeLength", "signName"];
        let e = unknown_name("options", "signname", &known);
        assert_eq!(e.field(), Some("options"));
        assert!(
            e.message().ends_with(
                "\"signname\" is not a known property (did you mean \"signName\"?); known properties: codeLength, \
                 signName, templateCode"
            ),
            "{e}"
        );
        assert!(unknown_name("options", "codeLenght", &known).message().contains("did you mean \"codeLength\""));
        assert!(!unknown_name("options", "region", &known).message().contains("did you mean"));
    }
}
