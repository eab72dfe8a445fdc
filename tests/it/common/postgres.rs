//! A throwaway PostgreSQL server for tests: Debian's own binaries, a cluster in a temporary folder,
//! a free port on 127.0.0.1, stopped (and deleted) when the test ends. `initdb` refuses to run as
//! root, so as root the server runs as the `postgres` user that Debian's package creates.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PostgresServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl PostgresServer {
    pub fn start() -> Self {
        let bin = binaries();
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown to postgres failed");
        }
        let port = free_port();
        let server = Self { dir, bin, port };
        server.run(
            "initdb",
            &[
                "-D",
                server.data().to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "frontdesk",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        server.resume();
        server
    }

    /// `postgresql://…` of the test database, without TLS.
    pub fn url(&self) -> String {
        format!(
            "postgresql://frontdesk@127.0.0.1:{}/postgres?sslmode=disable",
            self.port
        )
    }

    /// Stops the server at once, as a crash or a network cut would look to a kiosk.
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &[
                "stop",
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
            ],
        );
    }

    /// Starts (again) on the same port and data.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        self.run(
            "pg_ctl",
            &[
                "start",
                "-D",
                self.data().to_str().unwrap(),
                "-o",
                &options,
                "-l",
                self.dir.path().join("server.log").to_str().unwrap(),
                "-w",
            ],
        );
    }

    /// Runs one SQL query with `psql`; returns its unaligned output.
    pub fn query(&self, sql: &str) -> String {
        let output = self
            .command("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "frontdesk",
            ])
            .args(["-d", "postgres", "-At", "-c", sql])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let output = self.command(program).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "{program} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args([
                "stop",
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "immediate",
            ])
            .output();
    }
}

/// The newest installed server's binaries (`packaging/setup-dev.sh` installs Debian's `postgresql`).
fn binaries() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("PostgreSQL is not installed ({e}); run packaging/setup-dev.sh"))
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("no PostgreSQL server under /usr/lib/postgresql")
        .1
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
