//! `cairn convert FILE|- -f FORMAT`: read a CycloneDX or SPDX document and write another.

use super::document;
use crate::cli::{ConvertArgs, Format};
use anyhow::Context;
use cairn_engine::Report;
use cairn_engine::bom::read::DocumentKind;
use cairn_engine::bom::read::read_document;
use cairn_engine::bom::{BomInput, render};
use std::io::Read;
use std::process::ExitCode;

pub fn run(args: ConvertArgs) -> anyhow::Result<ExitCode> {
    // What cannot be made from a document is refused before anything is read.
    match args.format {
        Format::Notice => {
            return Err(crate::exit::usage(
                "-f notice needs the license files of a source tree, which a document does not carry; \
                 scan the tree: cairn scan DIR --offline -f notice",
            ));
        }
        Format::Cbom => {
            return Err(crate::exit::usage(
                "-f cbom needs the cryptography found in source files, which an SBOM does not carry; \
                 scan the tree: cairn scan DIR --offline -f cbom",
            ));
        }
        Format::Table => {
            return Err(crate::exit::usage(
                "-f table shows a scan's findings; a converted document has none (cairn scan -f table)",
            ));
        }
        _ => {}
    }
    let timestamp = document::checked_timestamp(&args.document, args.format != Format::Json)?;
    let stdin = args.file.as_os_str() == "-";
    let shown = if stdin { "standard input".to_owned() } else { args.file.display().to_string() };
    let bytes = if stdin {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes).context("reading standard input")?;
        bytes
    } else {
        std::fs::read(&args.file).with_context(|| format!("reading {shown}"))?
    };
    let text = String::from_utf8(bytes).with_context(|| format!("{shown} is not UTF-8"))?;
    let origin = if stdin {
        "stdin".to_owned()
    } else {
        args.file.file_name().map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned())
    };
    let read = read_document(&text, &origin).with_context(|| format!("reading {shown}"))?;
    let name = args
        .document
        .name
        .clone()
        .or_else(|| read.name.clone())
        .unwrap_or_else(|| origin.split('.').next().unwrap_or(&origin).to_string());
    let doc = match args.format.document() {
        None => {
            let scan = cairn_engine::Scan {
                inventory: read.inventory.clone(),
                crypto: Vec::new(),
                crypto_material: Vec::new(),
                crypto_protocols: Vec::new(),
                stats: Default::default(),
            };
            Report::new(&origin, &scan).to_json()
        }
        Some(format) => {
            let mut input = BomInput::new(
                name,
                args.document.project_version.clone().or_else(|| read.version.clone()),
                timestamp.context("no creation time for a dated document")?,
                read.inventory.clone(),
            );
            input.licenses = read.licenses.clone();
            render(format, &input).with_context(|| format!("writing {format}"))?
        }
    };
    document::write(args.output.as_deref(), &doc)?;
    if !args.quiet {
        eprintln!(
            "cairn: read {} with {} components, {} edges; {} packages without a usable purl",
            kind_name(&read.kind),
            read.inventory.components.len(),
            read.inventory.edges.len(),
            read.unidentified.len()
        );
        for u in &read.unidentified {
            eprintln!("cairn: warning: {:?} {}: {}", u.name, u.version.as_deref().unwrap_or(""), u.reason);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The document's format and version as its users name it (`CycloneDX 1.6 JSON`).
fn kind_name(kind: &DocumentKind) -> String {
    match kind {
        DocumentKind::CycloneDxJson(v) => format!("CycloneDX {v} JSON"),
        DocumentKind::CycloneDxXml(v) => format!("CycloneDX {v} XML"),
        DocumentKind::Spdx2Json(v) => format!("{v} JSON"),
        DocumentKind::Spdx2Tag(v) => format!("{v} tag-value"),
        DocumentKind::Spdx3 => "SPDX 3.0.1 JSON-LD".to_owned(),
    }
}
