//! Applies triage decisions from a CSV file, each with `If-Match` (re-read and retried once when
//! someone changed the finding meanwhile); prints a summary and exits non-zero when a row failed.
//!
//! ```text
//! CAIRN_URL=http://127.0.0.1:8440 CAIRN_API_KEY=crn_live_… \
//!   cargo run -p cairn-sdk --features client --example triage-from-csv -- decisions.csv
//! ```
//!
//! Columns (a header row names them): `finding` (a finding id) or `project`, `vulnerability` and
//! `purl` (every current finding they match, through the `findings` filters); then `state`,
//! `justification`, `response`, `note`. An empty cell keeps the finding's value, `-` clears it.

use std::io::Read;

use cairn_sdk::types::{Finding, Justification, TriageResponse, TriageState, TriageUpdate};
use cairn_sdk::{Client, ListQuery};
use futures_util::TryStreamExt;
use serde::Deserialize;

/// One CSV row.
#[derive(Debug, Deserialize)]
pub struct Row {
    #[serde(default)]
    finding: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    vulnerability: String,
    #[serde(default)]
    purl: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    justification: String,
    #[serde(default)]
    response: String,
    #[serde(default)]
    note: String,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Findings triaged.
    pub applied: usize,
    /// Of those, after a retry on 412.
    pub retried: usize,
    /// Rows that failed, with the reason (line number first).
    pub failed: Vec<String>,
}

/// Empty = keep, `-` = clear, else parsed.
fn cell<T: std::str::FromStr<Err = String>>(v: &str) -> Result<Option<Option<T>>, String> {
    match v.trim() {
        "" => Ok(None),
        "-" => Ok(Some(None)),
        s => s.parse().map(|t| Some(Some(t))),
    }
}

fn update_of(row: &Row) -> Result<TriageUpdate, String> {
    let state = match row.state.trim() {
        "" => None,
        s => Some(s.parse::<TriageState>().map_err(|e| e.to_string())?),
    };
    Ok(TriageUpdate {
        state,
        justification: cell::<Justification>(&row.justification)?,
        response: cell::<TriageResponse>(&row.response)?,
        note: match row.note.trim() {
            "" => None,
            "-" => Some(None),
            n => Some(Some(n.to_owned())),
        },
    })
}

/// The findings a row names.
async fn targets(client: &Client, row: &Row) -> Result<Vec<Finding>, String> {
    if !row.finding.trim().is_empty() {
        return Ok(vec![client.finding(row.finding.trim()).await.map_err(|e| e.to_string())?]);
    }
    if row.project.trim().is_empty() || row.vulnerability.trim().is_empty() || row.purl.trim().is_empty() {
        return Err("name a `finding`, or a `project`, `vulnerability` and `purl`".into());
    }
    let q = ListQuery::limit(100)
        .filter("project", row.project.trim())
        .filter("vulnerability", row.vulnerability.trim())
        .filter("purl", row.purl.trim());
    let found: Vec<Finding> = client.findings(q).try_collect().await.map_err(|e| e.to_string())?;
    if found.is_empty() {
        return Err("no current finding matches".into());
    }
    Ok(found)
}

/// Triage with the version read; on 412 read again and retry once. Whether it was retried.
async fn apply(client: &Client, finding: &Finding, update: &TriageUpdate) -> Result<bool, String> {
    let id = &finding.finding.id;
    match client.triage_finding(id, finding.etag_version(), update).await {
        Ok(_) => Ok(false),
        Err(e) if e.is_precondition_failed() => {
            let fresh = client.finding(id).await.map_err(|e| e.to_string())?;
            client.triage_finding(id, fresh.etag_version(), update).await.map_err(|e| e.to_string())?;
            Ok(true)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Applies every row of `csv` (with its header).
pub async fn apply_csv(client: &Client, csv: impl Read) -> Summary {
    let mut summary = Summary::default();
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(csv);
    for (i, record) in reader.deserialize::<Row>().enumerate() {
        let line = i + 2;
        let row = match record {
            Ok(r) => r,
            Err(e) => {
                summary.failed.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let result = async {
            let update = update_of(&row)?;
            let mut retried = 0;
            let found = targets(client, &row).await?;
            for f in &found {
                retried += usize::from(apply(client, f, &update).await?);
            }
            Ok::<_, String>((found.len(), retried))
        }
        .await;
        match result {
            Ok((n, r)) => {
                summary.applied += n;
                summary.retried += r;
            }
            Err(e) => summary.failed.push(format!("line {line}: {e}")),
        }
    }
    summary
}

#[allow(dead_code)] // a test includes this file for `apply_csv`
const USAGE: &str = "usage: triage-from-csv FILE.csv

Applies triage decisions from FILE.csv (columns: finding, or project + vulnerability + purl;
then state, justification, response, note; empty keeps, `-` clears).
Reads CAIRN_URL and CAIRN_API_KEY (scope finding:triage).
Exit status: 0 every row applied, 1 a row failed, 2 usage or connection error.";

#[allow(dead_code)] // a test includes this file for `apply_csv`
#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return;
    }
    let [path] = args.as_slice() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let (client, file) = match (Client::from_env(), std::fs::File::open(path)) {
        (Ok(c), Ok(f)) => (c, f),
        (Err(e), _) => {
            eprintln!("triage-from-csv: {e}");
            std::process::exit(2);
        }
        (_, Err(e)) => {
            eprintln!("triage-from-csv: {path}: {e}");
            std::process::exit(2);
        }
    };
    let summary = apply_csv(&client, file).await;
    for f in &summary.failed {
        eprintln!("{f}");
    }
    println!(
        "{} findings triaged ({} after a retry), {} rows failed",
        summary.applied,
        summary.retried,
        summary.failed.len()
    );
    if !summary.failed.is_empty() {
        std::process::exit(1);
    }
}
