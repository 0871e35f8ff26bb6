//! Scanning: the engine over the obtained tree on a blocking thread, its progress forwarded to
//! the scan's events; an SBOM's inventory passes straight through.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use cairn_engine::crypto::quantum::{Readiness, readiness};
use cairn_engine::{Progress, ScanOptions, ScanSink, Step, scan_path};
use cairn_sdk::types::ScanStatus;
use tokio::sync::mpsc;

use super::{Stop, check};
use crate::jobs::progress::Reporter;
use crate::sources::Obtained;

/// The engine's result and the crypto readiness scored from it.
pub(super) struct Scanned {
    pub engine: cairn_engine::Scan,
    /// Scored by the engine (cairn-cbom-v1) from what the crypto stage found; none without it.
    pub readiness: Option<Readiness>,
    /// The NOTICE, rendered while the tree (its license files) still exists; none for an SBOM,
    /// which carries no license files.
    pub notice: Option<String>,
}

/// Scans what was obtained, reporting `scanning` and the engine's steps, then counts components,
/// diagnostics and licensed components.
pub(super) async fn scan(
    obtained: Obtained,
    name: &str,
    crypto: bool,
    cancel: &Arc<AtomicBool>,
    reporter: &mut Reporter,
) -> Result<Scanned, Stop> {
    let scanned_tree = matches!(obtained, Obtained::Tree { .. });
    let (engine_scan, notice) = match obtained {
        Obtained::Tree { root, workdir, revision, notes } => {
            let detail = match &revision {
                Some(rev) => format!("scanning the tree at commit {rev}"),
                None => "scanning the tree".into(),
            };
            reporter.state(ScanStatus::Scanning, Some("walking"), 5, Some(detail)).await?;
            let result = run_engine(root, name.to_owned(), crypto, cancel.clone(), reporter).await;
            drop(workdir);
            let (mut scanned, notice) = result?;
            // What obtaining left out (links, special files in an archive) is part of the record.
            scanned
                .inventory
                .diagnostics
                .extend(notes.into_iter().map(|n| cairn_engine::Diagnostic::warning("", None, n)));
            (scanned, Some(notice))
        }
        Obtained::Image { layout, workdir, platform, digest, .. } => {
            let detail = format!("reading image {digest}");
            reporter.state(ScanStatus::Scanning, Some("walking"), 5, Some(detail)).await?;
            let result = run_image(layout, platform, cancel.clone(), reporter).await;
            drop(workdir);
            // An image has no license files read for a NOTICE (its packages' are not inventoried).
            (result?, None)
        }
        Obtained::Sbom(read) => {
            // A document has no tree: its inventory goes straight to matching.
            (cairn_engine::Scan { inventory: read.inventory, ..Default::default() }, None)
        }
    };
    check(cancel)?;
    let readiness = (crypto && scanned_tree).then(|| readiness(&engine_scan.crypto));
    let inv = &engine_scan.inventory;
    reporter.counts.components = inv.components.len() as u64;
    reporter.counts.diagnostics = inv.diagnostics.len() as u64;
    reporter.counts.licensed_components =
        inv.components.iter().filter(|c| c.licenses.concluded.is_some()).count() as u64;
    Ok(Scanned { engine: engine_scan, readiness, notice })
}

/// The engine on a blocking thread, then the NOTICE from the same tree; the engine's progress
/// comes back over a channel and is written here.
async fn run_engine(
    root: std::path::PathBuf,
    name: String,
    crypto: bool,
    cancel: Arc<AtomicBool>,
    reporter: &mut Reporter,
) -> Result<(cairn_engine::Scan, String), Stop> {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Step, Option<u8>, String)>();
    let sink = ChannelSink { tx, cancel, last: Mutex::new(None) };
    let handle = tokio::task::spawn_blocking(move || {
        let opts = ScanOptions { crypto, ..ScanOptions::default() };
        let scan = scan_path(&root, &opts, &sink)?;
        let notice = notice(&root, &scan, &name, opts.walk.max_file_size);
        Ok::<_, cairn_engine::ScanError>((scan, notice))
    });
    while let Some((step, pct, detail)) = rx.recv().await {
        reporter.engine(step, pct, &detail).await?;
    }
    match handle.await {
        Ok(Ok(scan)) => Ok(scan),
        Ok(Err(cairn_engine::ScanError::Cancelled)) => Err(Stop::Cancelled),
        Ok(Err(e)) => Err(Stop::Failed(format!("scanning failed: {e}"))),
        Err(e) => Err(Stop::Failed(format!("scanning stopped unexpectedly: {e}"))),
    }
}

/// The engine over a pulled image's layout on a blocking thread (no crypto stage: images are
/// inventoried, their sources are not scanned).
async fn run_image(
    layout: std::path::PathBuf,
    platform: Option<cairn_engine::image::Platform>,
    cancel: Arc<AtomicBool>,
    reporter: &mut Reporter,
) -> Result<cairn_engine::Scan, Stop> {
    use cairn_engine::image::{ImageOptions, ImageScanError, scan_image};
    let (tx, mut rx) = mpsc::unbounded_channel::<(Step, Option<u8>, String)>();
    let sink = ChannelSink { tx, cancel, last: Mutex::new(None) };
    let handle = tokio::task::spawn_blocking(move || {
        scan_image(&layout, &ImageOptions { platform, ..ImageOptions::default() }, &sink)
    });
    while let Some((step, pct, detail)) = rx.recv().await {
        reporter.engine(step, pct, &detail).await?;
    }
    match handle.await {
        Ok(Ok(scanned)) => Ok(scanned.scan),
        Ok(Err(ImageScanError::Scan(cairn_engine::ScanError::Cancelled)))
        | Ok(Err(ImageScanError::Image(cairn_engine::image::ImageError::Cancelled))) => Err(Stop::Cancelled),
        Ok(Err(e)) => Err(Stop::Failed(format!("scanning the image failed: {e}"))),
        Err(e) => Err(Stop::Failed(format!("scanning stopped unexpectedly: {e}"))),
    }
}

/// The NOTICE of a scanned tree: license files are read again from it, confined to the root like
/// every read (a single scanned file's license files are those of its directory).
fn notice(root: &std::path::Path, scan: &cairn_engine::Scan, name: &str, max_file_size: u64) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let root =
        if root.is_file() { root.parent().map(std::path::Path::to_path_buf).unwrap_or(root) } else { root };
    let tree = cairn_engine::tree::FsTree::new(root, max_file_size, Vec::new());
    cairn_engine::license::notice::render(&scan.inventory, name, &tree)
}

/// Forwards engine progress (only changes) and answers the cancel flag.
struct ChannelSink {
    tx: mpsc::UnboundedSender<(Step, Option<u8>, String)>,
    cancel: Arc<AtomicBool>,
    last: Mutex<Option<(Step, Option<u8>)>>,
}

impl ScanSink for ChannelSink {
    fn progress(&self, p: &Progress<'_>) -> bool {
        let changed = match self.last.lock() {
            Ok(mut last) => {
                let now = Some((p.step, p.percent));
                let changed = *last != now;
                *last = now;
                changed
            }
            Err(_) => true,
        };
        if changed {
            let _ = self.tx.send((p.step, p.percent, p.detail.to_owned()));
        }
        !self.cancel.load(Ordering::SeqCst)
    }
}
