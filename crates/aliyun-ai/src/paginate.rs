//! Paginators: every page of a paged operation (its doc table says
//! `paged:`), as a stream of pages or of their items. Each page is an
//! ordinary call, with its signing, retries and errors.

use std::pin::Pin;

use aliyun_ai_core::Paged;
use futures_core::Stream;
use futures_util::stream::{self, StreamExt as _};

use crate::client::Client;
use crate::error::Error;

/// A stream of pages or of items; see [`Paginator`].
pub type PageStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// Every page of a paged operation, from the request's page (or the first).
///
/// The stream stops after the page that is the last (its `currentPage`
/// reaches `totalPages`, so a `totalPages` of 0 ends after the first), after
/// an empty page, after a page that does not move on from the one before
/// (a service ignoring the page number), or after an error, which it yields.
///
/// ```no_run
/// use aliyun_ai::dianjin::GetDocumentListRequest;
/// use aliyun_ai::StreamExt as _;
///
/// # async fn run(client: aliyun_ai::Client) -> Result<(), aliyun_ai::Error> {
/// let request = GetDocumentListRequest::builder()
///     .workspace_id("llm-workspace")
///     .library_id("lib-1")
///     .build()?;
/// let mut documents = client.dianjin().get_document_list_paginator(request).page_size(50).items();
/// while let Some(document) = documents.next().await {
///     println!("{:?}", document?.title);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a paginator does nothing until its pages or items are read"]
pub struct Paginator<O> {
    client: Client,
    request: O,
}

impl<O> Paginator<O>
where
    O: Paged + Send + Sync + 'static,
    O::Output: Send + 'static,
    O::Item: Send + 'static,
{
    pub(crate) fn new(client: &Client, request: O) -> Self {
        Self {
            client: client.clone(),
            request,
        }
    }

    /// Asks for pages of `size` items (else the request's own, or the
    /// service's default).
    pub fn page_size(mut self, size: i64) -> Self {
        self.request.set_page_size(size);
        self
    }

    /// The pages, each the operation's whole answer.
    pub fn pages(self) -> PageStream<O::Output> {
        let first = self.request.page().unwrap_or(1).max(1);
        let state = Some((self.client, self.request, first, None::<i64>));
        Box::pin(stream::unfold(state, |state| async move {
            let (client, mut request, page, previous) = state?;
            request.set_page(page);
            let answer = match client.execute(&request).await {
                Ok(answer) => answer,
                Err(error) => return Some((Err(error), None)),
            };
            let position = O::position(&answer);
            let current = position.current.unwrap_or(page);
            let last = O::item_count(&answer) == 0
                || position.total_pages.is_some_and(|total| current >= total)
                || previous.is_some_and(|previous| current <= previous);
            let next = (!last).then(|| (client, request, current + 1, Some(current)));
            Some((Ok(answer), next))
        }))
    }

    /// The items of every page, in order.
    pub fn items(self) -> PageStream<O::Item> {
        Box::pin(self.pages().flat_map(|page| {
            let items: Vec<Result<O::Item, Error>> = match page {
                Ok(answer) => O::into_items(answer).into_iter().map(Ok).collect(),
                Err(error) => vec![Err(error)],
            };
            stream::iter(items)
        }))
    }
}
