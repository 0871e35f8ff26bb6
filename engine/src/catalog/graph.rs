//! Dependency-graph helpers shared by catalogers.

use crate::inventory::Scope;
use std::collections::VecDeque;

/// Gives every package reachable from a root the strongest scope of the roots that reach it.
/// `adj[i]` lists the packages `i` depends on; `roots` are the direct dependencies with the scope
/// the project declares them with. Unreached packages get `None`.
pub(crate) fn propagate_scopes(adj: &[Vec<usize>], roots: &[(usize, Scope)]) -> Vec<Option<Scope>> {
    let mut scope: Vec<Option<Scope>> = vec![None; adj.len()];
    for level in [Scope::Required, Scope::Optional, Scope::Dev, Scope::Test] {
        let mut queue: VecDeque<usize> = VecDeque::new();
        for &(r, s) in roots {
            if s == level && r < adj.len() && scope[r].is_none() {
                scope[r] = Some(level);
                queue.push_back(r);
            }
        }
        while let Some(i) = queue.pop_front() {
            for &j in adj.get(i).map(Vec::as_slice).unwrap_or_default() {
                if j < adj.len() && scope[j].is_none() {
                    scope[j] = Some(level);
                    queue.push_back(j);
                }
            }
        }
    }
    scope
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_propagate_strongest_first() {
        let adj = vec![vec![2], vec![2, 3], vec![], vec![]];
        let s = propagate_scopes(&adj, &[(1, Scope::Dev), (0, Scope::Required)]);
        assert_eq!(s, vec![Some(Scope::Required), Some(Scope::Dev), Some(Scope::Required), Some(Scope::Dev)]);
    }
}
