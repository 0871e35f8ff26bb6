//! `cairn` with no subcommand: the terminal dashboard on the active target (the profile's server,
//! else the local daemon, started on demand).

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;

use crate::connect::Target;
use crate::dash::keys::KeyMap;
use crate::dirs::Dirs;
use crate::profile::ConfigFile;

/// Opens the dashboard; exit 2 when standard output is not a terminal. A `[keys]` entry in
/// config.toml that cannot be used is an error before anything starts.
pub fn run(dirs: &Dirs, profile: Option<&str>, readonly: bool) -> anyhow::Result<ExitCode> {
    let file = dirs.config_file();
    let keys = KeyMap::with_overrides(&ConfigFile::load(&file)?.keys)
        .with_context(|| format!("reading the dashboard's keys in {}", file.display()))?;
    if !std::io::stdout().is_terminal() {
        eprintln!("cairn: the dashboard needs a terminal; for scripts, see the commands in `cairn --help`");
        return Ok(ExitCode::from(2));
    }
    let target = Target::resolve(dirs, profile)?;
    super::runtime()?.block_on(async {
        let client = target.client(dirs).await?;
        crate::dash::run::run(client, target.is_local(), readonly, keys).await
    })?;
    Ok(ExitCode::SUCCESS)
}
