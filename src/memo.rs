//! A map of fetches keyed by resource: the first caller for a key runs the fetch, every later
//! caller for that key awaits the same result. This is how a resource seen from many regions
//! and accounts is fetched once, as soon as the first of them needs it.
//!
//! Each result is kept for as long as its [`Keep`] says: the whole run, for what several
//! accounts lead to (an organization trail's chain), or one account's turn, for what only that
//! account needs; [`Memo::release`] forgets an account's results when its turn ends, so that
//! memory does not grow with the accounts a run audits.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

/// How long a memoized result is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// Until the run ends: several accounts need it.
    Run,
    /// Until the turn of this account ends: only it needs it.
    Turn(String),
}

struct Entry<V> {
    keep: Keep,
    cell: Arc<OnceCell<V>>,
}

/// Results of fetches, by key.
pub struct Memo<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

impl<K, V> Default for Memo<K, V> {
    /// An empty memo.
    fn default() -> Self {
        Memo { entries: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash + Ord + Clone, V: Clone> Memo<K, V> {
    /// The result for `key`, running `fetch` only if no caller has started it yet. A result
    /// asked for by another account's turn than the one that first asked is kept for the run.
    pub async fn get_or_fetch<F: Future<Output = V>>(
        &self,
        key: &K,
        keep: &Keep,
        fetch: impl FnOnce() -> F,
    ) -> V {
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            let entry = entries
                .entry(key.clone())
                .or_insert_with(|| Entry { keep: keep.clone(), cell: Arc::default() });
            if entry.keep != *keep {
                entry.keep = Keep::Run;
            }
            Arc::clone(&entry.cell)
        };
        cell.get_or_init(fetch).await.clone()
    }

    /// Every finished result that `account`'s turn can use (those kept for the run and those
    /// kept for its turn), in key order.
    pub fn snapshot(&self, account: &str) -> BTreeMap<K, V> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .iter()
            .filter(|(_, entry)| match &entry.keep {
                Keep::Run => true,
                Keep::Turn(owner) => owner == account,
            })
            .filter_map(|(key, entry)| entry.cell.get().map(|value| (key.clone(), value.clone())))
            .collect()
    }

    /// Forgets the results kept for `account`'s turn.
    pub fn release(&self, account: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, entry| entry.keep != Keep::Turn(account.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_result_is_fetched_once_and_kept_as_long_as_its_users_need_it() {
        let memo: Memo<&str, u32> = Memo::default();
        let turn = |account: &str| Keep::Turn(account.to_string());
        assert_eq!(memo.get_or_fetch(&"own", &turn("a"), || async { 1 }).await, 1);
        assert_eq!(memo.get_or_fetch(&"shared", &turn("a"), || async { 2 }).await, 2);
        assert_eq!(memo.get_or_fetch(&"shared", &turn("b"), || async { 20 }).await, 2, "fetched once");
        assert_eq!(memo.get_or_fetch(&"run", &Keep::Run, || async { 3 }).await, 3);
        assert_eq!(memo.snapshot("a").into_keys().collect::<Vec<_>>(), ["own", "run", "shared"]);
        assert_eq!(memo.snapshot("b").into_keys().collect::<Vec<_>>(), ["run", "shared"]);
        memo.release("a");
        assert_eq!(memo.snapshot("a").into_keys().collect::<Vec<_>>(), ["run", "shared"]);
        assert_eq!(memo.get_or_fetch(&"own", &turn("a"), || async { 10 }).await, 10, "fetched again");
    }
}
