//! Lists in words, shared by check's messages and the pages' sentences alike, so both read the
//! same. Owns nothing else; imports nothing of ours.

/// "a", "a and b", "a, b and c".
pub(crate) fn join_and(items: &[String]) -> String {
    join_with(items, "and")
}

/// "a", "a or b", "a, b or c".
pub(crate) fn join_or(items: &[String]) -> String {
    join_with(items, "or")
}

fn join_with(items: &[String], last_word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {last_word} {last}", init.join(", ")),
    }
}
