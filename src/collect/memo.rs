//! A map of fetches keyed by resource: the first caller for a key runs the fetch, every later
//! caller for that key awaits the same result. This is how a resource seen from many regions is
//! fetched once, as soon as the first region needs it.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

/// Results of fetches, by key.
pub struct Memo<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K: Eq + Hash + Ord + Clone, V: Clone> Memo<K, V> {
    /// An empty memo.
    pub fn new() -> Self {
        Memo { cells: Mutex::new(HashMap::new()) }
    }

    /// The result for `key`, running `fetch` only if no caller has started it yet.
    pub async fn get_or_fetch<F: Future<Output = V>>(&self, key: &K, fetch: impl FnOnce() -> F) -> V {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(cells.entry(key.clone()).or_default())
        };
        cell.get_or_init(fetch).await.clone()
    }

    /// Every finished result, in key order.
    pub fn into_map(self) -> BTreeMap<K, V> {
        let cells = self.cells.into_inner().unwrap_or_else(PoisonError::into_inner);
        cells.into_iter().filter_map(|(key, cell)| cell.get().cloned().map(|value| (key, value))).collect()
    }
}
