//! The dependency tree: edges flattened depth-first into indented rows, each node expanded once
//! (a node met again, or a cycle, is shown but not expanded again).

use std::collections::{BTreeMap, HashSet};

use cairn_sdk::types::ScanEdge;

/// One row of the flattened tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    /// Depth (roots are 0).
    pub depth: usize,
    /// The node's id.
    pub node: String,
    /// Its children were shown higher up (or it closes a cycle).
    pub repeated: bool,
    /// How many direct dependencies it has.
    pub children: usize,
    /// The row of the node it was reached from (none for roots): a filter keeps the path to
    /// each match through these.
    pub parent: Option<usize>,
}

/// Flatten `edges` into rows: roots (nodes nothing depends on) first, in name order; nodes only
/// reachable through cycles are added as roots at the end.
pub fn flatten(edges: &[ScanEdge]) -> Vec<TreeRow> {
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut has_parent: HashSet<&str> = HashSet::new();
    for e in edges {
        children.entry(e.from.as_str()).or_default().push(e.to.as_str());
        children.entry(e.to.as_str()).or_default();
        has_parent.insert(e.to.as_str());
    }
    for kids in children.values_mut() {
        kids.sort_unstable();
        kids.dedup();
    }
    let mut rows = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let roots: Vec<&str> = children.keys().copied().filter(|n| !has_parent.contains(n)).collect();
    for root in roots {
        walk(root, &children, &mut seen, &mut rows);
    }
    let rest: Vec<&str> = children.keys().copied().filter(|n| !seen.contains(n)).collect();
    for node in rest {
        if !seen.contains(node) {
            walk(node, &children, &mut seen, &mut rows);
        }
    }
    rows
}

fn walk<'a>(
    root: &'a str,
    children: &BTreeMap<&'a str, Vec<&'a str>>,
    seen: &mut HashSet<&'a str>,
    rows: &mut Vec<TreeRow>,
) {
    // An explicit stack: dependency chains can be deep enough to overflow recursion.
    let mut stack = vec![(root, 0usize, None)];
    while let Some((node, depth, parent)) = stack.pop() {
        let kids = children.get(node).map_or(&[][..], Vec::as_slice);
        let repeated = !seen.insert(node);
        let row = rows.len();
        rows.push(TreeRow { depth, node: node.to_owned(), repeated, children: kids.len(), parent });
        if !repeated {
            for kid in kids.iter().rev() {
                stack.push((kid, depth.saturating_add(1), Some(row)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(from: &str, to: &str) -> ScanEdge {
        ScanEdge { from: from.into(), to: to.into() }
    }

    #[test]
    fn flattens_with_repeats_and_cycles() {
        let rows =
            flatten(&[e("app", "a"), e("app", "b"), e("a", "c"), e("b", "c"), e("x", "y"), e("y", "x")]);
        let shown: Vec<(usize, &str, bool)> =
            rows.iter().map(|r| (r.depth, r.node.as_str(), r.repeated)).collect();
        assert_eq!(
            shown,
            vec![
                (0, "app", false),
                (1, "a", false),
                (2, "c", false),
                (1, "b", false),
                (2, "c", true),
                (0, "x", false),
                (1, "y", false),
                (2, "x", true),
            ]
        );
        let parents: Vec<Option<usize>> = rows.iter().map(|r| r.parent).collect();
        assert_eq!(parents, vec![None, Some(0), Some(1), Some(0), Some(3), None, Some(5), Some(6)]);
        assert!(flatten(&[]).is_empty());
    }
}
