//! `cairn scans cancel ID`: exit 0 when the scan is cancelled (a queued one at once) or asked to
//! stop (a running one stops at its next step), exit 3 when it had already ended, saying how.

use std::process::ExitCode;

use cairn_sdk::Client;
use cairn_sdk::types::{Scan, ScanId, ScanStatus};

use crate::table::print_json;

pub async fn cancel(client: &Client, id: ScanId, json: bool) -> anyhow::Result<ExitCode> {
    let read = |e: cairn_sdk::Error| super::lookup::explain(e, &format!("reading scan {id}"), false);
    let before = client.scan(id).await.map_err(read)?;
    // The daemon answers an ended scan unchanged, so "already ended" is told from the scan read
    // first (or from the answer, when the scan ended between the two requests).
    let (scan, cancelled_now) = if before.status.is_terminal() {
        (before, false)
    } else {
        let after = client
            .cancel_scan(id)
            .await
            .map_err(|e| super::lookup::explain(e, &format!("cancelling scan {id}"), false))?;
        let ours = !after.status.is_terminal() || after.status == ScanStatus::Cancelled;
        (after, ours)
    };
    if json {
        print_json(&scan)?;
    }
    if cancelled_now {
        if !json {
            crate::outln!("{}", message(&scan));
        }
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("cairn: {}", ended(&scan));
    Ok(ExitCode::from(crate::exit::FAILURE))
}

fn message(scan: &Scan) -> String {
    if scan.status == ScanStatus::Cancelled {
        format!("scan {} cancelled", scan.id)
    } else {
        format!("scan {} asked to stop; it was {} and stops at its next step", scan.id, scan.status.as_str())
    }
}

/// Why nothing was cancelled.
fn ended(scan: &Scan) -> String {
    let mut why = format!("scan {} already ended {}; nothing to cancel", scan.id, scan.status.as_str());
    if let Some(at) = scan.finished_at {
        why.push_str(&format!(" (at {} UTC)", super::scans::date(at)));
    }
    if let Some(e) = &scan.error {
        why.push_str(&format!(": {e}"));
    }
    why
}
