//! `cairn convert FILE -f FORMAT`: read a CycloneDX or SPDX document and write another.

use super::document;
use crate::cli::ConvertArgs;
use anyhow::Context;
use cairn_engine::Report;
use cairn_engine::bom::read::read_document;
use cairn_engine::bom::{BomInput, render};
use std::process::ExitCode;

pub fn run(args: ConvertArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", args.file.display()))?;
    let origin = args
        .file
        .file_name()
        .map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let read = read_document(&text, &origin).with_context(|| format!("reading {}", args.file.display()))?;
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
                document::timestamp(&args.document)?,
                read.inventory.clone(),
            );
            input.licenses = read.licenses.clone();
            render(format, &input).with_context(|| format!("writing {format}"))?
        }
    };
    document::write(args.output.as_deref(), &doc)?;
    if !args.quiet {
        eprintln!(
            "cairn: read {:?} with {} components, {} edges; {} packages without a usable purl",
            read.kind,
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
