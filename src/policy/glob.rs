//! IAM's wildcards, as actions, resources and `...Like` conditions use them: `*` matches any
//! run of characters (none included), `?` any one character.

/// Whether `text` matches `pattern`.
pub(super) fn matches_wildcards(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("sns:*", "sns:Publish", true),
            ("sns:Pub*", "sns:Publish", true),
            ("sns:Publish", "sns:Publish", true),
            ("sns:Publish", "sns:PublishBatch", false),
            (
                "arn:aws:cloudwatch:*:111122223333:alarm:*",
                "arn:aws:cloudwatch:us-east-1:111122223333:alarm:a",
                true,
            ),
            (
                "arn:aws:cloudwatch:*:111122223333:alarm:*",
                "arn:aws:cloudwatch:us-east-1:999999999999:alarm:a",
                false,
            ),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*a*b*", "xxaxxbxx", true),
            ("*a*b", "xxaxxbxc", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(matches_wildcards(pattern, text), expected, "{pattern} on {text}");
        }
    }
}
