//! Findings over time as text: a one-line sparkline for a list row and a bar chart of several rows
//! for a screen. A point with no value (a scan not matched against vulnerability data: not looked)
//! is a gap, never a zero bar.

/// Eighth-block levels, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value: a block scaled to the largest value (a zero is the lowest block), a
/// space for a missing value.
pub fn sparkline(values: &[Option<u64>]) -> String {
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(n) => {
                let i = n.saturating_mul(7).checked_div(max).map_or(0, |i| usize::try_from(i).unwrap_or(7));
                LEVELS[i.min(7)]
            }
        })
        .collect()
}

/// `height` rows of text, top first, one column per value: a bar scaled to the largest value in
/// eighths of a row, nothing for a missing value. A zero value is a single lowest block so it
/// reads apart from a gap.
pub fn bars(values: &[Option<u64>], height: usize) -> Vec<String> {
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    let eighths: Vec<Option<u64>> = values
        .iter()
        // A zero maximum (every value zero) draws each as the lowest block.
        .map(|v| v.map(|n| n.saturating_mul(height as u64 * 8).checked_div(max).map_or(1, |e| e.max(1))))
        .collect();
    (0..height)
        .map(|row| {
            // Rows counted from the bottom: this row covers eighths [base, base + 8).
            let base = ((height - 1 - row) * 8) as u64;
            eighths
                .iter()
                .map(|e| match e {
                    None => ' ',
                    Some(e) if *e >= base + 8 => '█',
                    Some(e) if *e > base => LEVELS[usize::try_from(e - base - 1).unwrap_or(0).min(7)],
                    Some(_) => ' ',
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_is_a_gap_and_a_zero_is_the_lowest_block() {
        assert_eq!(sparkline(&[Some(0), None, Some(7), Some(14)]), "▁ ▄█");
        assert_eq!(sparkline(&[None, None]), "  ");
        assert_eq!(sparkline(&[Some(0), Some(0)]), "▁▁");
    }

    #[test]
    fn bars_fill_from_the_bottom_and_leave_gaps_blank() {
        assert_eq!(bars(&[Some(2), None, Some(1), Some(0)], 2), ["█   ", "█ █▁"]);
    }
}
