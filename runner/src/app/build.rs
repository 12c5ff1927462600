//! `build` / `up --build`: runs each component's `[component.<id>.build]`
//! commands like `spin build` does: in manifest order, each through `sh -c`,
//! in the app dir (or `workdir` below it), output passed through, stopping at
//! the first failure.

use crate::app::manifest::App;
use anyhow::{bail, Context, Result};
use std::process::{Command, Stdio};

/// Runs every build command; prints progress lines like Spin.
pub fn build_all(app: &App) -> Result<()> {
    if app.components.iter().all(|c| c.build.is_none()) {
        println!("None of the components have a build command.");
        return Ok(());
    }
    for c in &app.components {
        let Some(build) = &c.build else { continue };
        let workdir = match &build.workdir {
            Some(w) => app.dir.join(w),
            None => app.dir.clone(),
        };
        if build.workdir.is_some() && !workdir.is_dir() {
            bail!(
                "component `{}`: build workdir {} does not exist",
                c.id,
                workdir.display()
            );
        }
        let steps = build.commands.len();
        for (i, command) in build.commands.iter().enumerate() {
            if steps > 1 {
                println!(
                    "Running build step {}/{steps} for component {} with '{command}'",
                    i + 1,
                    c.id
                );
            } else {
                println!("Building component {} with `{command}`", c.id);
            }
            if build.workdir.is_some() {
                println!("Working directory: {:?}", workdir.display().to_string());
            }
            let status = Command::new("sh")
                .arg("-c")
                .arg(command)
                .current_dir(&workdir)
                .stdin(Stdio::null())
                .status()
                .with_context(|| {
                    format!("cannot start `sh` for the build of component `{}`", c.id)
                })?;
            if !status.success() {
                bail!(
                    "build command for component `{}` failed ({status}): {command}",
                    c.id
                );
            }
        }
    }
    println!("Finished building all Spin components");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::manifest::parse;

    fn app(dir: &std::path::Path, build: &str) -> App {
        let text = format!(
            "spin_manifest_version = 2\n[application]\nname = \"t\"\n[[trigger.http]]\nroute = \"/\"\ncomponent = \"c\"\n[component.c]\nsource = \"c.wasm\"\n{build}"
        );
        parse(&text, dir.to_path_buf()).unwrap()
    }

    #[test]
    fn commands_run_in_order_in_the_workdir() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        let a = app(d.path(), "[component.c.build]\ncommand = [\"echo one > out\", \"echo two >> out\"]\nworkdir = \"sub\"\n");
        build_all(&a).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.path().join("sub/out")).unwrap(),
            "one\ntwo\n"
        );
    }

    #[test]
    fn failing_command_stops_with_the_component_named() {
        let d = tempfile::tempdir().unwrap();
        let a = app(
            d.path(),
            "[component.c.build]\ncommand = [\"exit 3\", \"touch never\"]\n",
        );
        let e = format!("{:#}", build_all(&a).unwrap_err());
        assert!(
            e.contains("component `c` failed") && e.contains("exit 3"),
            "{e}"
        );
        assert!(!d.path().join("never").exists());
    }

    #[test]
    fn missing_workdir_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let a = app(
            d.path(),
            "[component.c.build]\ncommand = \"true\"\nworkdir = \"nope\"\n",
        );
        assert!(format!("{:#}", build_all(&a).unwrap_err()).contains("does not exist"));
    }

    #[test]
    fn no_build_commands_is_fine() {
        let d = tempfile::tempdir().unwrap();
        build_all(&app(d.path(), "")).unwrap();
    }
}
