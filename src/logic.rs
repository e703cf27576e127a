//! Three-valued (Kleene) truth, for every decision made on partial knowledge (a filter pattern
//! on a record whose other fields are open, a policy condition on a key the request does not
//! carry): `Some(true)`, `Some(false)`, or `None` when what is unknown could make it either. A result is only as certain
//! as its least certain part: false wins a conjunction and true wins a disjunction, whatever
//! the unknowns say.

/// Kleene conjunction: false wins, then unknown.
pub fn and3(left: Option<bool>, right: Option<bool>) -> Option<bool> {
    match (left, right) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Kleene disjunction: true wins, then unknown.
pub fn or3(left: Option<bool>, right: Option<bool>) -> Option<bool> {
    match (left, right) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// Kleene disjunction of many: true when one is, false when all are, else unknown.
pub fn any3(values: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
    let mut result = Some(false);
    for value in values {
        result = or3(result, value);
        if result == Some(true) {
            break;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kleene_tables() {
        let values = [Some(true), Some(false), None];
        let and_table = [
            [Some(true), Some(false), None],
            [Some(false), Some(false), Some(false)],
            [None, Some(false), None],
        ];
        let or_table =
            [[Some(true), Some(true), Some(true)], [Some(true), Some(false), None], [Some(true), None, None]];
        for (i, left) in values.iter().enumerate() {
            for (j, right) in values.iter().enumerate() {
                assert_eq!(and3(*left, *right), and_table[i][j], "{left:?} && {right:?}");
                assert_eq!(or3(*left, *right), or_table[i][j], "{left:?} || {right:?}");
            }
        }
        assert_eq!(any3([]), Some(false));
        assert_eq!(any3([Some(false), None]), None);
        assert_eq!(any3([None, Some(true)]), Some(true));
    }
}
