//! The export dialog: a format (CycloneDX 1.6 first), a file prefilled from the scan (or the image
//! version) and format; `enter` starts it, progress shows while bytes arrive, then the result. An
//! image version's SBOM is its latest completed scan's document.

use std::path::PathBuf;

use cairn_sdk::types::{BomFormat, ProjectId, ScanId, VersionId};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::dialog::Dialog;
use super::{Ctx, Outcome, bar, failure_text, popup, tail};
use crate::dash::keys::{Action, KeyMap};
use crate::dash::msg::{Cmd, Failure, Msg};
use crate::dash::widgets::input::Input;

/// Where an export stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Not started.
    Ready,
    /// Bytes are arriving.
    Running {
        /// Written so far.
        written: u64,
        /// The total, when known.
        total: Option<u64>,
    },
    /// Written.
    Done {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
    },
    /// Failed.
    Failed(Failure),
}

/// A format's name as the list shows it.
pub fn format_label(f: BomFormat) -> &'static str {
    match f {
        BomFormat::CycloneDx => "CycloneDX 1.6",
        BomFormat::CycloneDx15 => "CycloneDX 1.5",
        BomFormat::CycloneDx17 => "CycloneDX 1.7",
        BomFormat::Spdx => "SPDX 3.0",
        BomFormat::Spdx23 => "SPDX 2.3",
        BomFormat::OpenVex => "OpenVEX",
        BomFormat::Sarif => "SARIF",
        BomFormat::Cbom => "CBOM (CycloneDX)",
    }
}

/// What is exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A scan's document.
    Scan(ScanId),
    /// An image version's SBOM (its latest completed scan's document).
    Version {
        /// The image project.
        project: ProjectId,
        /// The version.
        version: VersionId,
        /// `image:tag`, for the title and the file name.
        label: String,
    },
}

/// The file an export of `scan` in `format` is written to unless the user says otherwise.
pub fn default_file(scan: ScanId, format: BomFormat) -> String {
    named_file(&format!("scan-{}", tail(&scan)), format)
}

fn named_file(stem: &str, format: BomFormat) -> String {
    match format {
        BomFormat::Sarif => format!("./{stem}.sarif"),
        f => format!("./{stem}.{}.json", f.as_str()),
    }
}

/// A file name's stem for `image:tag`: its last path segment, with what a file name should not
/// hold (`:`, `@`, `/`) as `-` (`ghcr.io/acme/app:1.2` is `app-1.2`).
fn version_stem(label: &str) -> String {
    let last = label.rsplit('/').next().unwrap_or(label);
    last.chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' })
        .collect()
}

impl Target {
    fn file(&self, format: BomFormat) -> String {
        match self {
            Target::Scan(scan) => default_file(*scan, format),
            Target::Version { label, .. } => named_file(&version_stem(label), format),
        }
    }

    fn cmd(&self, format: BomFormat, path: PathBuf) -> Cmd {
        match self {
            Target::Scan(scan) => Cmd::Export { scan: *scan, format, path },
            Target::Version { project, version, .. } => {
                Cmd::DownloadSbom { project: *project, version: *version, format, path }
            }
        }
    }
}

/// The dialog's state.
#[derive(Debug)]
pub struct ExportDialog {
    /// What is exported.
    pub target: Target,
    format: usize,
    /// 0 = formats, 1 = file.
    focus: usize,
    file: Input,
    /// The user typed a file name: changing the format keeps it.
    file_edited: bool,
    /// Where it stands.
    pub progress: Progress,
    /// The key hint, from the key table.
    hint: String,
}

impl ExportDialog {
    /// A dialog for `scan`; its hint names `keys`' keys.
    pub fn new(scan: ScanId, keys: &KeyMap) -> Self {
        Self::of(Target::Scan(scan), keys)
    }

    /// A dialog for `target`; its hint names `keys`' keys.
    pub fn of(target: Target, keys: &KeyMap) -> Self {
        let hint = keys.hint(&[
            (Action::Confirm, "export"),
            (Action::NextField, "file"),
            (Action::Down, "format"),
            (Action::Cancel, "close"),
        ]);
        ExportDialog {
            hint,
            format: 0,
            focus: 0,
            file: Input::new(target.file(BomFormat::ALL[0])),
            target,
            file_edited: false,
            progress: Progress::Ready,
        }
    }

    fn selected(&self) -> BomFormat {
        BomFormat::ALL.get(self.format).copied().unwrap_or(BomFormat::CycloneDx)
    }

    fn pick(&mut self, by: isize) {
        let n = BomFormat::ALL.len();
        self.format = (self.format + n).saturating_add_signed(by) % n;
        if !self.file_edited {
            self.file = Input::new(self.target.file(self.selected()));
        }
    }
}

impl Dialog for ExportDialog {
    fn key(&mut self, action: Action) -> Outcome {
        if matches!(self.progress, Progress::Running { .. }) {
            // The download runs on; esc only hides the dialog, the result arrives as a toast.
            return if action == Action::Cancel { Outcome::Close } else { Outcome::Stay };
        }
        match action {
            Action::Cancel => return Outcome::Close,
            Action::NextField | Action::PrevField => self.focus = 1 - self.focus.min(1),
            Action::Confirm => {
                let path = self.file.value().trim();
                if path.is_empty() {
                    self.progress = Progress::Failed(Failure::message("File is required"));
                    return Outcome::Stay;
                }
                let cmd = self.target.cmd(self.selected(), PathBuf::from(path));
                self.progress = Progress::Running { written: 0, total: None };
                return Outcome::Cmds(vec![cmd]);
            }
            Action::FieldDown | Action::Down if self.focus == 0 => self.pick(1),
            Action::FieldUp | Action::Up if self.focus == 0 => self.pick(-1),
            other if self.focus == 1 && self.file.act(other) => self.file_edited = true,
            _ => {}
        }
        Outcome::Stay
    }

    fn paste(&mut self, text: &str) {
        if self.focus == 1 {
            self.file.paste(text);
            self.file_edited = true;
        }
    }

    fn text_focus(&self) -> bool {
        self.focus == 1
    }

    fn update(&mut self, msg: &Msg) -> Option<Outcome> {
        let scan = |s: &ScanId| self.target == Target::Scan(*s);
        let version = |v: &VersionId| matches!(&self.target, Target::Version { version, .. } if version == v);
        match msg {
            Msg::ExportProgress { scan: s, written, total } if scan(s) => {
                self.progress = Progress::Running { written: *written, total: *total };
                Some(Outcome::Stay)
            }
            Msg::SbomProgress { version: v, written, total } if version(v) => {
                self.progress = Progress::Running { written: *written, total: *total };
                Some(Outcome::Stay)
            }
            Msg::Exported { scan: s, result } if scan(s) => {
                self.progress = match result {
                    Ok((path, bytes)) => Progress::Done { path: path.clone(), bytes: *bytes },
                    Err(f) => Progress::Failed(f.clone()),
                };
                Some(Outcome::Stay)
            }
            Msg::SbomDownloaded { version: v, result } if version(v) => {
                self.progress = match result {
                    Ok((path, bytes)) => Progress::Done { path: path.clone(), bytes: *bytes },
                    Err(f) => Progress::Failed(f.clone()),
                };
                Some(Outcome::Stay)
            }
            _ => None,
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let (title, what) = match &self.target {
            Target::Scan(scan) => (" Export ", format!("Scan {scan}")),
            Target::Version { label, .. } => {
                (" Download the SBOM ", format!("{label}: the document of its latest completed scan"))
            }
        };
        let mut lines = vec![Line::styled(what, t.dim()), Line::styled("Format", t.header())];
        for (i, f) in BomFormat::ALL.iter().enumerate() {
            let marker = if i == self.format { "> " } else { "  " };
            let style = match (i == self.format, self.focus == 0) {
                (true, true) => t.focused(),
                (true, false) => t.selected(),
                _ => t.text(),
            };
            lines.push(Line::from(vec![
                Span::raw(marker),
                Span::styled(format!("{:<18}", format_label(*f)), style),
                Span::styled(f.as_str(), t.dim()),
            ]));
        }
        let mut file = vec![Span::styled("File  ", if self.focus == 1 { t.focused() } else { t.header() })];
        file.extend(self.file.spans(self.focus == 1, t));
        lines.push(Line::from(file));
        lines.push(match &self.progress {
            Progress::Ready => Line::styled(self.hint.clone(), t.dim()),
            Progress::Running { written, total: Some(total) } if *total > 0 => {
                let pct = u8::try_from(written.saturating_mul(100) / total).unwrap_or(100).min(100);
                Line::styled(format!("Exporting {} {written} of {total} bytes", bar(pct, 20)), t.warn())
            }
            Progress::Running { written, .. } => {
                Line::styled(format!("Exporting… {written} bytes"), t.warn())
            }
            Progress::Done { path, bytes } => {
                Line::styled(format!("Exported {bytes} bytes to {}", path.display()), t.good())
            }
            Progress::Failed(f) => {
                Line::styled(format!("Export failed: {} (enter to retry)", failure_text(f)), t.bad())
            }
        });
        let block = Block::default().borders(Borders::ALL).title(Span::styled(title, t.title()));
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(3);
        let r = popup(frame, area, 76, height);
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
    }
}
