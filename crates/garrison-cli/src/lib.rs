//! Garrison's command-line arguments: the clap definitions of every command and option, and
//! nothing else (as uv's `uv-cli`). The binary `garrison` parses them and wires each command to
//! the libraries; `--help` is generated from the doc comments here.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use garrison_report::{Confidence, Severity};

/// Garrison: security for the Scientific Python ecosystem.
///
/// Audits GitHub Actions workflows and SPEC 6/8 repository posture, offline, in milliseconds.
/// Exit codes: 0 no findings at or above the threshold, 1 findings, 2 usage or input error.
///
/// The first line of `--help` is the binary's package description, given by [`Cli::parse_about`].
#[derive(Debug, Parser)]
#[command(name = "garrison", version, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses the process's arguments, exiting with clap's message on a usage error (as
    /// [`Parser::parse`]); `about` is the program's description in `--help` (the binary passes
    /// its package description, `env!("CARGO_PKG_DESCRIPTION")`).
    pub fn parse_about(about: &'static str) -> Cli {
        let mut command = <Cli as CommandFactory>::command().about(about);
        let matches = command.get_matches_mut();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut command).exit())
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything that applies to a checkout: workflow audits, SPEC 6/8 posture and known
    /// vulnerabilities in dependencies.
    Scan(ScanArgs),
    /// GitHub Actions workflow audits only (fast; for pre-commit and CI).
    Actions(ScanArgs),
    /// SPEC 6 / SPEC 8 repository posture checks only.
    Posture(ScanArgs),
    /// Known vulnerabilities in dependencies (locks, requirements, pyproject, environments).
    Deps(DepsCommand),
    /// The local advisory database: import, sync, status.
    #[command(subcommand)]
    Db(DbCommand),
    /// A CycloneDX 1.5 JSON SBOM of the resolved dependencies of lock/requirements files.
    Sbom(SbomArgs),
    /// Contribution-risk review of a repository's history: ranked risky commits with their
    /// evidence, and a summary per author.
    History(HistoryArgs),
    /// Contribution-risk review of a pull request's commits (`BASE..HEAD`: the commits
    /// reachable from HEAD and not from BASE, as `git rev-list BASE..HEAD`), for CI. An empty
    /// range says "no commits to review" and exits 0.
    Review(ReviewArgs),
    /// Contributor profiles: tenure, activity, rights, habits, sensitive changes.
    Contributors(ContributorsArgs),
    /// Release integrity: check sdists and wheels.
    #[command(subcommand)]
    Release(ReleaseCommand),
    /// Sign files with an SSH key: writes FILE.sig, an SSH signature as `ssh-keygen -Y sign`
    /// makes it, which `garrison verify` and `ssh-keygen -Y verify` check. With --keyless, sign
    /// with Sigstore (an OIDC identity, e.g. CI's) and write FILE.sigstore.json.
    Sign(SignArgs),
    /// Verify a Sigstore bundle (or, with --pep740, a PyPI attestation) against the signed
    /// file and who must have signed it, offline with the embedded Sigstore trust roots; an
    /// SSH signature (`FILE.sig`) against an allowed_signers file or a public key; or, with
    /// --lock, a directory of dists against a lock and a publisher policy.
    Verify(VerifyArgs),
    /// List rules, or print one rule's documentation.
    Rules(RulesArgs),
    /// The ecosystem: the manifest of projects and SPEC adoption (see docs/ecosystem.md).
    #[command(subcommand)]
    Ecosystem(EcosystemCommand),
    /// The platform's web app: the public SPEC adoption dashboard, verified badges and the
    /// JSON/CSV report API, read from the ecosystem store (see docs/ecosystem.md).
    Serve(ServeArgs),
}

/// `garrison serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The store (it must exist: `garrison ecosystem scan` creates it).
    #[command(flatten)]
    pub db: DatabaseArg,
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8000")]
    pub bind: std::net::SocketAddr,
    /// The public URL of the site, used in the badge Markdown that project pages offer
    /// [default: http://ADDR:PORT].
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

/// `garrison ecosystem`.
#[derive(Debug, Subcommand)]
pub enum EcosystemCommand {
    /// Read a checkout of scientific-python/specs (core-projects/*.md, spec-*/index.md) and
    /// print the manifest of core projects with their SPEC endorsements.
    ImportSpecs {
        /// The SPECs checkout.
        path: PathBuf,
        /// Write the manifest here instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The SPEC 6 / SPEC 8 items of one checkout: each item's verdict (holds, fails, not
    /// evaluated, not applicable) with the findings or missing data that decide it.
    Verdicts {
        /// The checkout [default: the current directory].
        path: Option<PathBuf>,
    },
    /// Scan every project of the manifest into the store: fetch each repository, skip those
    /// whose HEAD did not change since the last complete scan, evaluate the rest, and store a
    /// dated snapshot per project (its findings and the verdict of every SPEC item). A project
    /// that fails is recorded with its error; the run goes on.
    Scan {
        /// The manifest of projects [default: the core projects shipped with Garrison].
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        #[command(flatten)]
        database: DatabaseArg,
        /// Projects scanned at once [default: the number of CPUs].
        #[arg(long, short = 'j', value_name = "N")]
        jobs: Option<usize>,
        /// Seconds one project may take (fetch and analysis) before it is recorded as timed
        /// out.
        #[arg(long, value_name = "SECONDS", default_value_t = 600)]
        timeout: u64,
        /// Evaluate every project, even those whose HEAD did not change.
        #[arg(long)]
        force: bool,
        /// Queue the run and return at once: `garrison ecosystem worker` processes (on this or
        /// other machines sharing the PostgreSQL database) do the work.
        #[arg(long)]
        queue_only: bool,
    },
    /// Replay each project's history: the SPEC items a tree decides, at monthly points read
    /// from git objects (no checkout). The state at a month is the tree of the last
    /// first-parent commit of the default branch before the 1st of that month (UTC). Months
    /// already stored are not computed again.
    Replay {
        /// The manifest of projects [default: the core projects shipped with Garrison].
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
        #[command(flatten)]
        database: DatabaseArg,
        /// The interval between points.
        #[arg(long, value_enum, default_value_t = Every::Month)]
        every: Every,
        /// The first month, YYYY-MM.
        #[arg(long, value_name = "YYYY-MM")]
        since: String,
        /// Seconds fetching one repository may take.
        #[arg(long, value_name = "SECONDS", default_value_t = 600)]
        timeout: u64,
    },
    /// Work on queued scan jobs of a shared PostgreSQL store; run as many as you like, on as
    /// many machines. A job whose worker died is taken over when its lease runs out.
    Worker {
        #[command(flatten)]
        database: DatabaseArg,
        /// Exit when no job is queued or running instead of waiting for new runs.
        #[arg(long)]
        until_idle: bool,
        /// Seconds one project may take before it is recorded as timed out.
        #[arg(long, value_name = "SECONDS", default_value_t = 600)]
        timeout: u64,
        /// Seconds a claim lasts without renewal (renewed every third of it while working).
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        lease: u64,
        /// Projects worked on at once.
        #[arg(long, short = 'j', value_name = "N", default_value_t = 1)]
        jobs: usize,
    },
    /// Print the latest verdicts of every project (or, with --history, the monthly timeline)
    /// from the store.
    Report {
        #[command(flatten)]
        database: DatabaseArg,
        /// The monthly timeline instead of the latest verdicts.
        #[arg(long)]
        history: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
        format: ReportFormat,
        /// Write the report here instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// `--database`.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArg {
    /// The store: `sqlite:PATH` or `postgres://USER@HOST/DATABASE` [default: garrison.db in
    /// the user data directory, or $GARRISON_DATA_DIR].
    #[arg(long, value_name = "URL", env = "GARRISON_DATABASE")]
    pub database: Option<String>,
}

/// Intervals of `garrison ecosystem replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Every {
    /// The state on the 1st of every month.
    Month,
}

/// Formats of `garrison ecosystem report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Versioned JSON (docs/ecosystem-json.md).
    Json,
    /// One row per project and item (or project, month and item).
    Csv,
    /// Tables per SPEC.
    Markdown,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable, grouped by file, with source snippets.
    Text,
    /// Versioned JSON (docs/json-format.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// Markdown, for pull-request comments.
    Markdown,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments shared by the scanning commands.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The repository checkout to scan (or a single workflow file for `actions`; for `deps`,
    /// any number of checkouts and dependency files).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub deps: DepsOptions,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Only run these rules (ids, families like `workflow`, or bare names); repeatable.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not report these rules (ids, families or bare names); repeatable.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Report only findings at or above this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,

    /// Report only findings at or above this confidence.
    #[arg(long, value_name = "CONFIDENCE")]
    pub min_confidence: Option<Confidence>,

    /// Exit with 1 when a reported finding is at or above this severity [default: low].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Hide findings recorded in this baseline file (matched by fingerprint).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record every current finding in this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Configuration file (default: garrison.toml, or [tool.garrison] in pyproject.toml, in PATH).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Ignore configuration files.
    #[arg(long)]
    pub isolated: bool,

    /// `scan` only: how much recent git history to review for risky commits (`90d`, `26w`,
    /// `6m`, `1y`, `all`, `off`) [default: 90d, or `history-window` in the configuration].
    #[arg(long, value_name = "WINDOW")]
    pub history_window: Option<String>,
}

/// Output options.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `garrison rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// A rule id (or bare name) to document; all rules are listed when absent.
    pub rule: Option<String>,

    /// Output format for the list: text, json or markdown (the full documentation of every rule).
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Options of the dependency audit (used by `deps` and `scan`).
#[derive(Debug, Args, Clone)]
pub struct DepsOptions {
    /// Advisory database file [default: $GARRISON_DB, else the user data directory]; when it
    /// does not exist, the advisory snapshot built into Garrison is used.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// Only report entries whose environment markers may apply to this Python version (`3.11`).
    #[arg(long, value_name = "VERSION")]
    pub python_version: Option<String>,

    /// Only report entries whose environment markers may apply on this platform
    /// (`linux`, `macos`/`darwin`, `windows`/`win32`).
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,

    /// Do not report declared ranges that admit vulnerable versions (library mode).
    #[arg(long)]
    pub no_declared: bool,
}

/// `garrison deps`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DepsCommand {
    /// `impact`: which projects an advisory reaches.
    #[command(subcommand)]
    pub action: Option<DepsAction>,

    #[command(flatten)]
    pub scan: ScanArgs,
}

/// Subcommands of `garrison deps`.
#[derive(Debug, Subcommand)]
pub enum DepsAction {
    /// Every project of a set whose declared requirements or locks admit versions affected by
    /// an advisory, directly or through other projects of the set.
    Impact(ImpactArgs),
}

/// `garrison deps impact`.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// An advisory id or alias (PYSEC-…, GHSA-…, CVE-…) in the database, or an OSV file
    /// (`.json`, `.yaml`).
    pub advisory: String,

    /// A directory of project checkouts (each subdirectory is a project), or one checkout.
    #[arg(long, value_name = "DIR")]
    pub projects: PathBuf,

    /// Advisory database file [default: $GARRISON_DB, else the user data directory].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `garrison db`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import advisories from a pypa/advisory-database checkout, a directory of OSV JSON files,
    /// or an OSV export zip (`PyPI/all.zip`).
    Import {
        /// What to import.
        path: PathBuf,
        /// Database file to write [default: $GARRISON_DB, else the user data directory].
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
    },
    /// Download the OSV PyPI export and import it (needs the network).
    Sync {
        /// Database file to write [default: $GARRISON_DB, else the user data directory].
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Where to download from.
        #[arg(
            long,
            default_value = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
        )]
        url: String,
    },
    /// Write the advisory snapshot Garrison embeds (a release step, RELEASING.md): the PyPI
    /// advisories of a source as one compressed file dated by its newest record. The same
    /// source gives the same bytes.
    Snapshot {
        /// A pypa/advisory-database checkout, a directory of OSV JSON files, or an OSV export
        /// zip (`PyPI/all.zip`).
        #[arg(long, value_name = "PATH")]
        from: PathBuf,
        /// The snapshot file to write
        /// (crates/garrison-advisories/data/pypi-advisories.snapshot).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: PathBuf,
    },
    /// Show the database's source, size and age (or the embedded snapshot's, without one).
    Status {
        /// Database file [default: $GARRISON_DB, else the user data directory].
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
    },
}

/// `garrison sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// Lock, requirements or environment files, or checkouts.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// Write the SBOM to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options shared by the history commands.
#[derive(Debug, Args)]
pub struct MiningArgs {
    /// Mine at most this many commits (newest first).
    #[arg(long, value_name = "N")]
    pub max_commits: Option<usize>,

    /// Do not read or write the history cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Cache directory [default: $GARRISON_CACHE_DIR, else the user cache directory].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Worker threads for diffing (0 = one per CPU).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// `garrison history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The repository (a work tree, a directory inside one, or a bare git directory; found
    /// upward like git), optionally followed by a revision range `BASE..HEAD` to report on
    /// (the commits of `git rev-list BASE..HEAD`; the range alone means the current directory).
    #[arg(default_value = ".", num_args = 1..=2, value_name = "PATH [RANGE]")]
    pub args: Vec<String>,

    /// Report commits made since this date (`2024-01-31`, `@UNIX-SECONDS`) or within this
    /// duration (`90d`, `26w`, `6m`, `1y`); the whole history still calibrates the model.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Show the N riskiest commits in text output (0 = all).
    #[arg(long, default_value_t = 20)]
    pub top: usize,

    #[command(flatten)]
    pub mining: MiningArgs,

    #[command(flatten)]
    pub filter: HistoryFilter,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Finding filters of the history commands.
#[derive(Debug, Args)]
pub struct HistoryFilter {
    /// Report only commits at or above this severity [default: info for text, low otherwise].
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,

    /// Exit with 1 when a reported commit is at or above this severity [default: high for
    /// `history`, medium for `review`].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Hide commits recorded in this baseline file (matched by fingerprint).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Configuration file (default: garrison.toml, or [tool.garrison] in pyproject.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `garrison review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The commits under review, `BASE..HEAD` (e.g. `origin/main..HEAD`): reachable from HEAD
    /// and not from BASE, exactly as `git rev-list BASE..HEAD`, whatever the two ends' relation
    /// (equal ends, or a BASE ahead of HEAD, leave nothing to review). In a shallow clone both
    /// ends must be fetched (`fetch-depth: 0` in actions/checkout).
    pub range: String,

    /// The repository, or a directory inside it (found upward like git).
    #[arg(default_value = ".")]
    pub path: PathBuf,

    #[command(flatten)]
    pub mining: MiningArgs,

    #[command(flatten)]
    pub filter: HistoryFilter,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `garrison contributors`.
#[derive(Debug, Args)]
pub struct ContributorsArgs {
    /// The repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Show the profile of the people whose name or email contains this text.
    #[arg(long, value_name = "TEXT")]
    pub author: Option<String>,

    /// List the N most active contributors (0 = all).
    #[arg(long, default_value_t = 30)]
    pub top: usize,

    /// Output format (profiles are not findings: no SARIF or Markdown).
    #[arg(long, short = 'f', value_enum, default_value_t = ProfileFormat::Text)]
    pub format: ProfileFormat,

    #[command(flatten)]
    pub mining: MiningArgs,
}

/// Output formats of `garrison contributors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileFormat {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
}

/// `garrison verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The Sigstore bundle (`.sigstore`, `.sigstore.json`), or a PEP 740 attestation with
    /// `--pep740` (not with `--lock`).
    #[arg(required_unless_present = "lock", conflicts_with = "lock")]
    pub bundle: Option<PathBuf>,

    /// The signed file.
    #[arg(long, value_name = "FILE", conflicts_with = "digest")]
    pub artifact: Option<PathBuf>,

    /// The signed file's digest instead of the file (`sha256:HEX`).
    #[arg(long, value_name = "DIGEST")]
    pub digest: Option<String>,

    /// The signer's certificate identity, exactly (an email, or a workflow URI).
    #[arg(long, value_name = "IDENTITY")]
    pub certificate_identity: Option<String>,

    /// The signer's certificate identity as a glob (`*`, `?`).
    #[arg(long, value_name = "GLOB", conflicts_with = "certificate_identity")]
    pub certificate_identity_pattern: Option<String>,

    /// The OIDC issuer (`https://token.actions.githubusercontent.com`).
    #[arg(long, value_name = "URL")]
    pub certificate_oidc_issuer: Option<String>,

    /// GitHub repository that must have built it (`owner/name`); with --pep740, the Trusted
    /// Publisher's repository.
    #[arg(long, value_name = "OWNER/NAME")]
    pub repository: Option<String>,

    /// Workflow that must have built it (`.github/workflows/release.yml`; with --pep740 the
    /// workflow file name, or the GitLab CI file path).
    #[arg(long, value_name = "PATH")]
    pub workflow: Option<String>,

    /// Git ref the workflow ran on (`refs/tags/v1.2.0`).
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,

    /// Event that triggered the workflow (`push`, `release`, `workflow_dispatch`).
    #[arg(long, value_name = "EVENT")]
    pub trigger: Option<String>,

    /// Treat BUNDLE as a PEP 740 attestation for the artifact, checked against the Trusted
    /// Publisher given by --repository and --workflow.
    #[arg(long)]
    pub pep740: bool,

    /// With --pep740: the publisher is on GitLab (default GitHub).
    #[arg(long, requires = "pep740")]
    pub gitlab: bool,

    /// With --pep740 and --digest: the distribution's file name.
    #[arg(long, value_name = "NAME")]
    pub filename: Option<String>,

    /// Use Sigstore's staging trust root instead of production.
    #[arg(long)]
    pub staging: bool,

    /// Use this trusted root (`trusted_root.json`) instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,

    /// Output format: text or json (with --lock also sarif and markdown).
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// The signer's certificate identity as a regular expression matched against the whole
    /// identity (`https://github\.com/numpy/.*`).
    #[arg(
        long,
        value_name = "REGEX",
        conflicts_with_all = ["certificate_identity", "certificate_identity_pattern"]
    )]
    pub certificate_identity_regexp: Option<String>,

    /// SSH signatures: who may sign, in OpenSSH allowed_signers format (`PRINCIPALS [OPTIONS]
    /// KEY` per line); needs --identity.
    #[arg(
        long,
        value_name = "FILE",
        requires = "identity",
        conflicts_with = "public_key"
    )]
    pub allowed_signers: Option<PathBuf>,

    /// SSH signatures: the principal that must have signed (an email or user name listed in
    /// --allowed-signers).
    #[arg(long, value_name = "PRINCIPAL", requires = "allowed_signers")]
    pub identity: Option<String>,

    /// SSH signatures: the signer's public key (`id_ed25519.pub`), instead of --allowed-signers.
    #[arg(long, value_name = "KEY.pub")]
    pub public_key: Option<PathBuf>,

    /// SSH signatures: the namespace the signature must be for [default: file].
    #[arg(long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Lock mode: verify every distribution in --dists against this lock (uv.lock,
    /// pylock.toml, or a requirements file with --hash) and their attestations against
    /// --policy (docs/verify-lock.md).
    #[arg(long, value_name = "FILE", requires = "dists")]
    pub lock: Option<PathBuf>,

    /// With --lock: the directory of wheels and sdists to verify (not searched recursively).
    #[arg(long, value_name = "DIR", requires = "lock")]
    pub dists: Option<PathBuf>,

    /// With --lock: the publisher policy (TOML: `[publishers]`, `require-attestations`).
    #[arg(long, value_name = "FILE", requires = "lock")]
    pub policy: Option<PathBuf>,

    /// With --lock: another directory holding `DIST.publish.attestation`, `DIST.attestation`
    /// or `DIST.provenance` files; repeatable.
    #[arg(long, value_name = "DIR", requires = "lock")]
    pub attestations: Vec<PathBuf>,

    /// With --lock: trust on first use; record each package's publisher in FILE (JSON,
    /// created if absent) and flag a changed or vanished publisher later.
    #[arg(long, value_name = "FILE", requires = "lock")]
    pub tofu: Option<PathBuf>,

    /// With --tofu: accept changed or vanished publishers and rewrite their records.
    #[arg(long, requires = "tofu")]
    pub tofu_update: bool,

    /// With --lock: a locked package with none of its files in --dists fails the run.
    #[arg(long, requires = "lock")]
    pub require_all: bool,
}

/// `garrison sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Files to sign; each signature is written next to its file as FILE.sig (FILE.sigstore.json
    /// with --keyless).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    /// OpenSSH private key (Ed25519, ECDSA P-256 or RSA), e.g. `~/.ssh/id_ed25519`. An
    /// encrypted key is decrypted with the passphrase in the GARRISON_SSH_PASSPHRASE
    /// environment variable.
    #[arg(long, value_name = "PATH", required_unless_present = "keyless")]
    pub key: Option<PathBuf>,

    /// Keyless Sigstore signing: an ephemeral key certified by Fulcio for an OIDC identity and
    /// logged in Rekor; writes FILE.sigstore.json (a v0.3 bundle). The identity token comes
    /// from --identity-token or, in GitHub Actions, from the job's OIDC token (needs
    /// `permissions: id-token: write`).
    #[arg(long, conflicts_with = "key")]
    pub keyless: bool,

    /// With --keyless: the OIDC identity token (a JWT) to sign with.
    #[arg(long, value_name = "TOKEN", requires = "keyless")]
    pub identity_token: Option<String>,

    /// With --keyless: Fulcio's URL [default: `https://fulcio.sigstore.dev`].
    #[arg(long, value_name = "URL", requires = "keyless")]
    pub fulcio_url: Option<String>,

    /// With --keyless: Rekor's URL [default: `https://rekor.sigstore.dev`].
    #[arg(long, value_name = "URL", requires = "keyless")]
    pub rekor_url: Option<String>,

    /// With --keyless: use Sigstore's staging instance (verify with `garrison verify
    /// --staging`).
    #[arg(long, requires = "keyless")]
    pub staging: bool,

    /// The SSH signature's namespace (its purpose): `file` for release files, as `ssh-keygen
    /// -Y sign -n file` (Sigstore bundles have none, so not with --keyless).
    #[arg(
        long,
        value_name = "NAMESPACE",
        default_value = "file",
        conflicts_with = "keyless"
    )]
    pub namespace: String,

    /// Overwrite existing signature files.
    #[arg(long)]
    pub force: bool,
}

/// `garrison release`.
#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// Read sdists and wheels in memory under size, count and path limits (no extraction; path
    /// traversal, link escapes and decompression bombs are findings), verify every wheel's
    /// RECORD hashes and sizes and its dist-info, and with --source compare each with the git
    /// tree at its release tag: files not in the source (or hidden by .gitignore), files that
    /// differ (with a diff), modules left out, METADATA vs pyproject.toml. Files build backends
    /// generate are allowed by content, each with the reason.
    Verify(ReleaseVerifyArgs),
}

/// `garrison release verify`.
#[derive(Debug, Args)]
pub struct ReleaseVerifyArgs {
    /// Distribution files (`.tar.gz`, `.zip` sdists, `.whl` wheels).
    #[arg(required = true)]
    pub dists: Vec<PathBuf>,

    /// The source to compare with: a git repository, read at the tag that names each
    /// distribution's version (`v1.2.0`, `1.2.0`, `name-1.2.0`, ...), or at `PATH@REF` (a tag,
    /// branch or commit); a directory that is not a git repository is compared as it is.
    #[arg(long, value_name = "PATH[@REF]")]
    pub source: Option<String>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Configuration file (`garrison.toml` or a `pyproject.toml` with `[tool.garrison]`);
    /// by default the one found in the --source directory. `ignore` paths match the path
    /// inside the distribution (`{ rule = "release/file-not-in-source", path =
    /// "numpy/_core/include/numpy/__*_api.*", reason = "..." }`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Report only findings at or above this severity [default: info].
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,

    /// Exit with 1 when a finding is at or above this severity [default: low].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// clap's own consistency checks of the definitions (conflicts, requirements and defaults
    /// that name existing arguments, no duplicate flags), which otherwise only fire when a
    /// command is parsed.
    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
