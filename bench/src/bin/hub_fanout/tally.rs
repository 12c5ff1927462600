//! Per-subscriber delivery accounting for the fan-out benchmark: which
//! published sequence numbers arrived, how many were lost, duplicated or
//! out of order. Pure; tested below.

/// What one subscriber received, in arrival order.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    seen: Vec<bool>,
    last: Option<u64>,
    pub received: u64,
    pub duplicated: u64,
    pub reordered: u64,
}

/// Totals over every subscriber.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub received: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub reordered: u64,
}

impl Tally {
    /// Records the arrival of update `seq`.
    pub fn record(&mut self, seq: u64) {
        self.received += 1;
        let index = usize::try_from(seq).unwrap_or(usize::MAX);
        if index >= self.seen.len() {
            self.seen.resize(index.saturating_add(1), false);
        }
        if std::mem::replace(&mut self.seen[index], true) {
            self.duplicated += 1;
        }
        if self.last.is_some_and(|last| seq < last) {
            self.reordered += 1;
        }
        self.last = Some(self.last.map_or(seq, |last| last.max(seq)));
    }

    /// Acknowledged updates (`expected`) that never arrived.
    pub fn lost(&self, expected: &[u64]) -> u64 {
        expected
            .iter()
            .filter(|&&seq| !self.seen.get(seq as usize).copied().unwrap_or(false))
            .count() as u64
    }
}

/// Sums the tallies of every subscriber, `expected` being the sequence
/// numbers of the acknowledged updates.
pub fn totals<'a>(tallies: impl IntoIterator<Item = &'a Tally>, expected: &[u64]) -> Totals {
    tallies
        .into_iter()
        .fold(Totals::default(), |t, tally| Totals {
            received: t.received + tally.received,
            lost: t.lost + tally.lost(expected),
            duplicated: t.duplicated + tally.duplicated,
            reordered: t.reordered + tally.reordered,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_delivery_counts_nothing_wrong() {
        let mut tally = Tally::default();
        (0..5).for_each(|seq| tally.record(seq));
        assert_eq!(
            totals([&tally], &[0, 1, 2, 3, 4]),
            Totals {
                received: 5,
                lost: 0,
                duplicated: 0,
                reordered: 0
            }
        );
    }

    #[test]
    fn gaps_duplicates_and_reorders_are_counted() {
        let mut tally = Tally::default();
        for seq in [0, 2, 2, 1, 4] {
            tally.record(seq);
        }
        assert_eq!(
            totals([&tally], &[0, 1, 2, 3, 4, 5]),
            Totals {
                received: 5,
                lost: 2,
                duplicated: 1,
                reordered: 1
            }
        );
    }

    #[test]
    fn unacknowledged_updates_are_not_counted_lost() {
        let mut tally = Tally::default();
        tally.record(0);
        tally.record(2);
        assert_eq!(totals([&tally], &[0, 2]).lost, 0);
    }

    #[test]
    fn totals_add_up_over_subscribers() {
        let mut a = Tally::default();
        let mut b = Tally::default();
        a.record(0);
        b.record(1);
        assert_eq!(
            totals([&a, &b], &[0, 1]),
            Totals {
                received: 2,
                lost: 2,
                duplicated: 0,
                reordered: 0
            }
        );
    }
}
