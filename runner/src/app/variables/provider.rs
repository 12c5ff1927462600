//! Where variable values come from, as Spin 4.0.2's default environment
//! provider: `SPIN_VARIABLE_<NAME>` (name upper-cased) from the process
//! environment, else the same key in a dotenv file `.env` in the working
//! directory (read once, only when some variable is not in the environment;
//! a missing file is no values).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Prefix of the environment variables that set application variables.
pub const ENV_PREFIX: &str = "SPIN_VARIABLE_";

/// The dotenv file Spin reads by default (relative to the working directory).
pub const DOTENV_FILE: &str = ".env";

/// `SPIN_VARIABLE_<NAME>` for variable `name`.
pub fn env_name(name: &str) -> String {
    format!("{ENV_PREFIX}{}", name.to_ascii_uppercase())
}

/// The environment provider.
pub struct EnvProvider {
    dotenv_path: PathBuf,
    dotenv: Option<HashMap<String, String>>,
}

impl Default for EnvProvider {
    fn default() -> Self {
        EnvProvider::new(DOTENV_FILE)
    }
}

impl EnvProvider {
    /// A provider reading `dotenv_path` as its dotenv file.
    pub fn new(dotenv_path: impl Into<PathBuf>) -> Self {
        EnvProvider {
            dotenv_path: dotenv_path.into(),
            dotenv: None,
        }
    }

    /// The value of variable `name`, if the environment or the dotenv file has one.
    pub fn get(&mut self, name: &str) -> Result<Option<String>, String> {
        let key = env_name(name);
        match std::env::var(&key) {
            Ok(v) => return Ok(Some(v)),
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(format!("environment variable {key} is not valid UTF-8"))
            }
            Err(std::env::VarError::NotPresent) => {}
        }
        if self.dotenv.is_none() {
            self.dotenv = Some(read_dotenv(&self.dotenv_path)?);
        }
        Ok(self.dotenv.as_ref().and_then(|d| d.get(&key)).cloned())
    }
}

/// Every `KEY=VALUE` of a dotenv file; a missing file is empty. Errors name
/// the file but never quote its lines (they may hold secrets).
fn read_dotenv(path: &Path) -> Result<HashMap<String, String>, String> {
    let Ok(iter) = dotenvy::from_path_iter(path) else {
        return Ok(HashMap::new());
    };
    iter.map(|item| {
        item.map_err(|e| match e {
            dotenvy::Error::LineParse(_, at) => format!(
                "cannot read {}: a line is not dotenv syntax (KEY=VALUE) at character {at}",
                path.display()
            ),
            dotenvy::Error::Io(e) => format!("cannot read {}: {e}", path.display()),
            _ => format!("cannot read {}: not a dotenv file", path.display()),
        })
    })
    .collect()
}
