//! A list's view state: cursor, scroll offset, marks and a filter over lowercase haystacks
//! computed once when the data arrives; drawing builds rows for the visible window only.

use std::collections::BTreeSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use crate::dash::theme::Theme;

/// Cursor, scroll, marks and filter of one list.
#[derive(Debug, Default)]
pub struct ListState {
    /// The cursor, as a position in `matches`.
    selected: usize,
    /// The first visible position in `matches`.
    offset: usize,
    /// One lowercase haystack per item.
    hay: Vec<String>,
    /// Items the filter keeps, in order.
    matches: Vec<usize>,
    /// The filter text.
    filter: String,
    /// The filter is being typed.
    pub editing: bool,
    /// Items marked with `space`.
    marked: BTreeSet<usize>,
    /// For a tree: each item's parent item. A filter then keeps the path to each match.
    parents: Vec<Option<usize>>,
    /// Rows the last draw had room for.
    height: usize,
    /// Where the last draw put the rows (for mouse clicks).
    body: Rect,
}

impl ListState {
    /// New items (their haystacks, lowercased here): filter again, keep the cursor in range,
    /// forget marks (they named the old items).
    pub fn set_items(&mut self, hay: Vec<String>) {
        self.hay = hay.into_iter().map(|h| h.to_lowercase()).collect();
        self.marked.clear();
        self.refilter(false);
    }

    /// The items form a tree (`parents[i]` is item `i`'s parent): a filter keeps each match's
    /// ancestors too, so a match is shown where it sits.
    pub fn set_parents(&mut self, parents: Vec<Option<usize>>) {
        self.parents = parents;
        self.refilter(false);
    }

    /// Replace one item's haystack (an item changed in place); the filter is not re-run.
    pub fn update_item(&mut self, index: usize, hay: &str) {
        if let Some(h) = self.hay.get_mut(index) {
            *h = hay.to_lowercase();
        }
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.hay.len()
    }

    /// True when there are no items.
    pub fn is_empty(&self) -> bool {
        self.hay.is_empty()
    }

    /// How many items the filter keeps.
    pub fn shown(&self) -> usize {
        self.matches.len()
    }

    /// The filter text.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Type a character into the filter: only the current matches need checking.
    pub fn push_filter(&mut self, c: char) {
        self.filter.push(c);
        self.refilter(true);
    }

    /// Delete the filter's last character.
    pub fn pop_filter(&mut self) {
        if self.filter.pop().is_some() {
            self.refilter(false);
        }
    }

    /// Add pasted text to the filter.
    pub fn paste_filter(&mut self, text: &str) {
        self.filter.extend(text.chars().filter(|c| !c.is_control()));
        self.refilter(true);
    }

    /// Drop the filter.
    pub fn clear_filter(&mut self) {
        self.filter.clear();
        self.editing = false;
        self.refilter(false);
    }

    fn refilter(&mut self, narrowing: bool) {
        let needle = self.filter.to_lowercase();
        let keep = |i: &usize| self.hay.get(*i).is_some_and(|h| h.contains(needle.as_str()));
        if needle.is_empty() {
            self.matches = (0..self.hay.len()).collect();
        } else if !self.parents.is_empty() {
            // Ancestors of a match stay although they do not match: filter the whole tree again.
            let mut kept = vec![false; self.hay.len()];
            for i in (0..self.hay.len()).filter(keep) {
                let mut at = Some(i);
                while let Some(j) = at {
                    match kept.get_mut(j) {
                        Some(k) if !*k => *k = true,
                        _ => break,
                    }
                    at = self.parents.get(j).copied().flatten();
                }
            }
            self.matches = (0..kept.len()).filter(|i| kept[*i]).collect();
        } else if narrowing {
            let old = std::mem::take(&mut self.matches);
            self.matches = old.into_iter().filter(keep).collect();
        } else {
            self.matches = (0..self.hay.len()).filter(keep).collect();
        }
        self.selected = self.selected.min(self.matches.len().saturating_sub(1));
        self.offset = self.offset.min(self.selected);
    }

    /// The item under the cursor.
    pub fn current(&self) -> Option<usize> {
        self.matches.get(self.selected).copied()
    }

    /// Move the cursor by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.matches.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// First row.
    pub fn top(&mut self) {
        self.selected = 0;
    }

    /// Last row.
    pub fn bottom(&mut self) {
        self.selected = self.matches.len().saturating_sub(1);
    }

    /// Half the visible height (at least one row).
    pub fn half_page(&self) -> isize {
        isize::try_from((self.height / 2).max(1)).unwrap_or(1)
    }

    /// Mark or unmark the item under the cursor, and move down.
    pub fn toggle_mark(&mut self) {
        if let Some(i) = self.current() {
            if !self.marked.remove(&i) {
                self.marked.insert(i);
            }
            self.move_by(1);
        }
    }

    /// The marked items.
    pub fn marked(&self) -> &BTreeSet<usize> {
        &self.marked
    }

    /// Forget the marks.
    pub fn clear_marks(&mut self) {
        self.marked.clear();
    }

    /// A click at a screen cell: put the cursor on that row. True when it hit a row.
    pub fn click(&mut self, column: u16, row: u16) -> bool {
        let b = self.body;
        if column < b.x
            || column >= b.x.saturating_add(b.width)
            || row < b.y
            || row >= b.y.saturating_add(b.height)
        {
            return false;
        }
        let pos = self.offset.saturating_add(usize::from(row - b.y));
        if pos < self.matches.len() {
            self.selected = pos;
            true
        } else {
            false
        }
    }

    /// Fit the scroll offset to `height` rows around the cursor; the visible items.
    fn window(&mut self, height: usize) -> &[usize] {
        self.height = height;
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if height > 0 && self.selected >= self.offset.saturating_add(height) {
            self.offset = self.selected.saturating_add(1).saturating_sub(height);
        }
        let end = self.offset.saturating_add(height).min(self.matches.len());
        self.matches.get(self.offset..end).unwrap_or(&[])
    }
}

/// A table's title, column headers and widths.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'c> {
    /// The block's title.
    pub title: &'c str,
    /// One header per column.
    pub header: &'c [&'c str],
    /// One width per column.
    pub widths: &'c [Constraint],
}

/// Draw `list` as a bordered table, building cells only for the visible rows.
pub fn draw_table<'a>(
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
    list: &mut ListState,
    columns: Columns<'_>,
    mut row: impl FnMut(usize) -> Vec<Cell<'a>>,
) {
    let Columns { title, header, widths } = columns;
    let mut block_title = vec![Span::styled(format!(" {title} "), theme.title())];
    block_title.push(Span::styled(format!("{}/{} ", list.shown(), list.len()), theme.dim()));
    if list.editing || !list.filter.is_empty() {
        block_title.push(Span::styled(format!("filter: {}", list.filter), theme.warn()));
        if list.editing {
            block_title.push(Span::styled("_", theme.warn()));
        }
        block_title.push(Span::raw(" "));
    }
    if !list.marked.is_empty() {
        block_title.push(Span::styled(format!("{} marked ", list.marked.len()), theme.marked()));
    }
    let block = Block::default().borders(Borders::ALL).title(Line::from(block_title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // One line of header; the rest are rows.
    let height = usize::from(inner.height.saturating_sub(1));
    list.body = Rect { y: inner.y.saturating_add(1), height: inner.height.saturating_sub(1), ..inner };
    let selected = list.current();
    let marked_style = theme.marked();
    let selected_style = theme.selected();
    let visible: Vec<usize> = list.window(height).to_vec();
    let rows: Vec<Row> = visible
        .into_iter()
        .map(|i| {
            let mark = if list.marked.contains(&i) { "*" } else { " " };
            let mut cells = vec![Cell::from(mark)];
            cells.extend(row(i));
            let mut r = Row::new(cells);
            if list.marked.contains(&i) {
                r = r.style(marked_style);
            }
            if Some(i) == selected {
                r = r.style(selected_style);
            }
            r
        })
        .collect();
    let mut all_widths = vec![Constraint::Length(1)];
    all_widths.extend_from_slice(widths);
    let mut head = vec![Cell::from("")];
    head.extend(header.iter().map(|h| Cell::from((*h).to_owned())));
    let table = Table::new(rows, all_widths).header(Row::new(head).style(theme.header())).column_spacing(1);
    frame.render_widget(table, inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize) -> ListState {
        let mut l = ListState::default();
        l.set_items((0..n).map(|i| format!("Item {i}")).collect());
        l
    }

    #[test]
    fn filter_narrows_and_widens() {
        let mut l = list(30);
        l.push_filter('1');
        assert_eq!(l.shown(), 12); // 1, 10-19, 21
        l.push_filter('0');
        assert_eq!(l.shown(), 1);
        l.pop_filter();
        assert_eq!(l.shown(), 12);
        l.clear_filter();
        assert_eq!(l.shown(), 30);
    }

    #[test]
    fn a_tree_filter_keeps_the_path_to_each_match() {
        // root > a > needle, root > b; other > c
        let mut l = ListState::default();
        l.set_items(["root", "a", "needle", "b", "other", "c"].map(str::to_owned).to_vec());
        l.set_parents(vec![None, Some(0), Some(1), Some(0), None, Some(4)]);
        for c in "needle".chars() {
            l.push_filter(c);
        }
        assert_eq!(l.matches, vec![0, 1, 2]);
        l.clear_filter();
        assert_eq!(l.shown(), 6);
    }

    #[test]
    fn cursor_is_clamped() {
        let mut l = list(3);
        l.move_by(-5);
        assert_eq!(l.current(), Some(0));
        l.move_by(50);
        assert_eq!(l.current(), Some(2));
        l.set_items(Vec::new());
        assert_eq!(l.current(), None);
        l.toggle_mark();
        l.bottom();
        assert!(l.marked().is_empty());
    }

    #[test]
    fn window_follows_cursor() {
        let mut l = list(100);
        l.bottom();
        assert_eq!(l.window(10), &(90..100).collect::<Vec<_>>()[..]);
        l.top();
        assert_eq!(l.window(10)[0], 0);
    }
}
