//! Operations answered a page at a time, generated from the doc table's
//! `paged:` header: which request fields choose the page, where the answer
//! says its place and holds its items. The facade's paginator reads these
//! and nothing else, so it serves every paged operation alike.

use crate::Operation;

/// Where a page says it sits: its own number and the number of pages, when
/// the answer gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PagePosition {
    /// The page's own number (from 1), as the answer states it.
    pub current: Option<i64>,
    /// How many pages there are, as the answer states it.
    pub total_pages: Option<i64>,
}

impl PagePosition {
    /// A position of these numbers.
    pub const fn new(current: Option<i64>, total_pages: Option<i64>) -> Self {
        Self {
            current,
            total_pages,
        }
    }
}

/// An operation whose answer is one page of a longer list.
///
/// ```
/// use aliyun_ai_core::{PagePosition, Paged};
///
/// fn next_page<O: Paged>(request: &O, answer: &O::Output) -> Option<i64> {
///     let asked = request.page().unwrap_or(1);
///     let position = O::position(answer);
///     let current = position.current.unwrap_or(asked);
///     let more = O::item_count(answer) > 0
///         && position.total_pages.is_none_or(|total| current < total);
///     more.then_some(current + 1)
/// }
/// ```
pub trait Paged: Operation + Clone {
    /// One item of a page.
    type Item;

    /// The page this request asks for (`None`: the service's default, the
    /// first).
    fn page(&self) -> Option<i64>;

    /// Asks for page `page` (from 1).
    fn set_page(&mut self, page: i64);

    /// Asks for pages of `size` items.
    fn set_page_size(&mut self, size: i64);

    /// Where an answer says it sits.
    fn position(output: &Self::Output) -> PagePosition;

    /// How many items an answer holds.
    fn item_count(output: &Self::Output) -> usize;

    /// An answer's items.
    fn into_items(output: Self::Output) -> Vec<Self::Item>;
}
