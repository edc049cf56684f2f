//! Command-line interface: clap derive types only, no behaviour.
//!
//! Doc comments are the `--help` text; every command carries examples in `after_help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Scaffold and check Rust applications built on the event-driven orchestrator pattern.
///
/// Job → Dispatcher → Executor → Event on a SignalBus → Orchestrator state.
#[derive(Debug, Parser)]
#[command(name = "orch", version, propagate_version = true, arg_required_else_help = true)]
#[command(after_help = "\
Examples:
  orch new project shop --feature cart     # a new project with one feature, ready to `cargo run`
  orch new feature auth                    # job, event, executor, orchestrator, tests; wired in
  orch add executor upload --feature files # one component (creates UploadJob too if missing)
  orch lint --format github                # check conventions in CI
  orch remove feature auth                 # exact undo of a generation")]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted by every command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Run as if orch was started in DIR instead of the current directory.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to use colours (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Never prompt; fail naming the missing value instead.
    #[arg(long, global = true)]
    pub no_input: bool,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Options shared by every command that generates or edits files.
#[derive(Debug, Args, Clone, Default)]
pub struct WriteArgs {
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Show edits to existing files as unified diffs.
    #[arg(long)]
    pub diff: bool,
    /// Overwrite files that already exist.
    #[arg(long, short = 'f')]
    pub force: bool,
    /// Output format of the summary / plan.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Output format for plans and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Short, coloured summary for people.
    #[default]
    Human,
    /// Machine-readable JSON on stdout.
    Json,
}

/// Every orch command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new project or feature.
    #[command(subcommand)]
    New(NewCommand),
    /// Adopt an existing cargo project: add orch.toml, folders and the runtime dependency.
    #[command(after_help = "\
Examples:
  orch init                      # in the root of an existing cargo project
  orch init --dry-run --diff     # show what would be added, change nothing
  orch init --runtime-version 0.1  # depend on orch-runtime from crates.io instead of vendoring")]
    Init(InitArgs),
    /// Add one component (job, event, executor, orchestrator, state) to a feature or to core.
    #[command(after_help = "\
Examples:
  orch add executor upload --feature files   # also creates UploadJob if missing, and registers it
  orch add job fetch-user                    # into the feature the current directory is inside, else src/shared
  orch add orchestrator cart --dry-run       # show the plan only")]
    Add(AddArgs),
    /// Remove a generated component or feature, unwiring it (exact undo of a generation).
    #[command(after_help = "\
Examples:
  orch remove feature auth                    # delete its files and the wiring lines orch added
  orch remove executor upload --feature files
  orch remove feature billing -o src/modules  # one created with `orch new feature billing -o src/modules`
  orch remove job login --force               # delete even if you edited the file since")]
    Remove(RemoveArgs),
    /// Check the project's conventions (for CI).
    #[command(after_help = "\
Examples:
  orch lint                              # all rules, human output
  orch lint src/features/auth            # only these paths (pre-commit hooks)
  orch lint --format github              # GitHub workflow annotations
  orch lint --format sarif > orch.sarif  # code scanning upload
  orch lint --fix --dry-run              # show the fixes a generator can make
  orch lint --explain pairing            # what a rule checks and why")]
    Lint(LintArgs),
    /// Check the project's setup (dependencies, config, wiring, runtime version).
    #[command(after_help = "\
Examples:
  orch doctor             # pass / warn / fail per check, with fix hints
  orch doctor --fix       # apply the safe fixes
  orch doctor --format json")]
    Doctor(DoctorArgs),
    /// List templates and the project's features and components.
    #[command(
        visible_alias = "ls",
        after_help = "\
Examples:
  orch list               # templates, then the project's features and components
  orch list -c            # custom templates only
  orch list -v            # with the files each template generates and its variables
  orch list --format json"
    )]
    List(ListArgs),
    /// Customise templates (copy built-ins to .orch/templates/, list overrides, check them).
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Print the project's job → executor → event → orchestrator flow as a diagram.
    #[command(after_help = "\
Examples:
  orch graph                     # Mermaid, for READMEs and GitHub
  orch graph --format dot | dot -Tsvg > flow.svg
  orch graph --feature auth")]
    Graph(GraphArgs),
    /// Print a shell completion script to stdout (never edits rc files).
    #[command(after_help = "\
Examples:
  orch completions bash > ~/.local/share/bash-completion/completions/orch
  orch completions fish > ~/.config/fish/completions/orch.fish
  orch completions zsh > ~/.zfunc/_orch")]
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout.
    #[command(hide = true)]
    Man,
}

/// `orch new ...`
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Create a new cargo project in the orchestrator layout, runtime vendored, ready to run.
    #[command(after_help = "\
Examples:
  orch new project hello                         # then: cd hello && cargo run
  orch new project shop --feature cart --feature auth
  orch new project app --runtime-path ../orch/crates/orch-runtime
  orch new project cart --name example-cart     # directory `cart`, package `example-cart`")]
    Project(NewProjectArgs),
    /// Create a feature: job, event, executor, orchestrator + state, tests; wired in.
    #[command(after_help = "\
Examples:
  orch new feature auth
  orch new feature fetch-user --no-orchestrator
  orch new feature billing --dry-run --diff")]
    Feature(NewFeatureArgs),
}

/// Where generated projects get `orch-runtime` from.
#[derive(Debug, Args, Clone, Default)]
#[group(multiple = false)]
pub struct RuntimeSourceArgs {
    /// Depend on orch-runtime at this path instead of vendoring it.
    #[arg(long, value_name = "PATH")]
    pub runtime_path: Option<PathBuf>,
    /// Depend on this crates.io version of orch-runtime instead of vendoring it.
    #[arg(long, value_name = "VERSION")]
    pub runtime_version: Option<String>,
}

/// Arguments of `orch new project`.
#[derive(Debug, Args)]
pub struct NewProjectArgs {
    /// Project (and crate) name; a directory of that name is created.
    pub name: Option<String>,
    /// Package (crate) name, when it differs from the directory's (like `cargo new --name`).
    #[arg(long = "name", value_name = "PACKAGE")]
    pub package: Option<String>,
    /// Add this feature at creation (repeatable).
    #[arg(long = "feature", value_name = "NAME")]
    pub features: Vec<String>,
    /// Where the runtime comes from.
    #[command(flatten)]
    pub runtime: RuntimeSourceArgs,
    /// Ask for missing values interactively.
    #[arg(short, long)]
    pub interactive: bool,
    /// Write options.
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Arguments of `orch new feature`.
#[derive(Debug, Args)]
pub struct NewFeatureArgs {
    /// Feature name (`FetchUser`, `fetch-user` and `fetch_user` are the same).
    pub name: Option<String>,
    /// Skip the job.
    #[arg(long)]
    pub no_job: bool,
    /// Skip the domain event.
    #[arg(long)]
    pub no_event: bool,
    /// Skip the executor.
    #[arg(long)]
    pub no_executor: bool,
    /// Skip the orchestrator and its state.
    #[arg(long)]
    pub no_orchestrator: bool,
    /// Put the feature in this directory (relative to the project root) instead of the
    /// configured features directory.
    #[arg(short = 'o', long = "path", value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Ask for missing values interactively.
    #[arg(short, long)]
    pub interactive: bool,
    /// Write options.
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Arguments of `orch init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where the runtime comes from.
    #[command(flatten)]
    pub runtime: RuntimeSourceArgs,
    /// In a library, declare the generated modules `pub` (part of its API); by default they are
    /// `pub(crate)`.
    #[arg(long)]
    pub public: bool,
    /// Write options.
    #[command(flatten)]
    pub write: WriteArgs,
}

/// The kinds of component orch generates one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ComponentKind {
    /// `jobs/<name>.rs`: `<Name>Job`.
    Job,
    /// `events/<name>.rs`: `<Name>Event`.
    Event,
    /// `executors/<name>.rs`: `<Name>Executor`, registered.
    Executor,
    /// `orchestrators/<name>.rs`: `<Name>Orchestrator` and `<Name>State`.
    Orchestrator,
    /// `orchestrators/<name>_state.rs`: a standalone `<Name>State`.
    State,
}

/// Arguments of `orch add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// What to add.
    #[arg(value_enum)]
    pub kind: Option<ComponentKind>,
    /// Its name (`FetchUser`, `fetch-user` and `fetch_user` are the same).
    pub name: Option<String>,
    /// Add into this feature (default: the feature the current directory is inside, else core).
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,
    /// Ask for missing values interactively.
    #[arg(short, long)]
    pub interactive: bool,
    /// Write options.
    #[command(flatten)]
    pub write: WriteArgs,
}

/// What `orch remove` can remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RemoveKind {
    /// A whole feature.
    Feature,
    /// A job.
    Job,
    /// A domain event.
    Event,
    /// An executor (and its registration).
    Executor,
    /// An orchestrator.
    Orchestrator,
    /// A standalone state.
    State,
}

/// Arguments of `orch remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// What to remove.
    #[arg(value_enum)]
    pub kind: RemoveKind,
    /// Its name.
    pub name: String,
    /// The feature it is in (default: the feature the current directory is inside, else core).
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,
    /// For `remove feature`: the directory the feature was created in with
    /// `orch new feature -o/--path` (default: the configured features directory).
    #[arg(short = 'o', long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Write options (`--force` deletes files edited since they were generated).
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Output formats of `orch lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LintFormat {
    /// rustc-like, coloured on a terminal.
    #[default]
    Human,
    /// JSON array of findings.
    Json,
    /// GitHub workflow command annotations.
    Github,
    /// SARIF 2.1.0.
    Sarif,
}

/// Arguments of `orch lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Lint only these files or directories (default: the whole project).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Apply the fixes a generator can make (missing executor, registration, `mod` line).
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the fix plan and write nothing.
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
    /// With --fix: show edits as unified diffs.
    #[arg(long, requires = "fix")]
    pub diff: bool,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Explain a rule and exit.
    #[arg(long, value_name = "RULE", conflicts_with_all = ["list_rules", "fix"])]
    pub explain: Option<String>,
    /// List the rules with their default severity and exit.
    #[arg(long, conflicts_with = "fix")]
    pub list_rules: bool,
}

/// Arguments of `orch doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Apply the safe fixes (create folders, vendor or update the runtime, add missing wiring).
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the plan and write nothing.
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
    /// With --fix: show edits as unified diffs.
    #[arg(long, requires = "fix")]
    pub diff: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Arguments of `orch list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only custom (overridden) templates.
    #[arg(short, long)]
    pub custom: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `orch template ...`
#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Copy built-in templates into .orch/templates/ for editing.
    #[command(after_help = "\
Examples:
  orch template init               # all templates
  orch template init -t executor   # only the executor templates
  orch template init -t job -f     # overwrite an existing copy")]
    Init(TemplateInitArgs),
    /// List templates and which are overridden by .orch/templates/.
    List(TemplateListArgs),
    /// Render every template into a scratch project and `cargo check` it.
    Check(TemplateCheckArgs),
}

/// Arguments of `orch template init`.
#[derive(Debug, Args)]
pub struct TemplateInitArgs {
    /// Only the templates of this kind (job, event, executor, orchestrator, state, feature, project).
    #[arg(short = 't', long = "kind", value_name = "KIND")]
    pub kind: Option<String>,
    /// Overwrite existing copies.
    #[arg(short, long)]
    pub force: bool,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `orch template list`.
#[derive(Debug, Args)]
pub struct TemplateListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Arguments of `orch template check`.
#[derive(Debug, Args)]
pub struct TemplateCheckArgs {
    /// Keep the scratch project at this path instead of a temporary directory.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// Diagram formats of `orch graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum GraphFormat {
    /// Mermaid flowchart.
    #[default]
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// Arguments of `orch graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Only this feature.
    #[arg(long, value_name = "FEATURE")]
    pub feature: Option<String>,
    /// Diagram format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

/// Shells with completion scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
    /// Elvish.
    Elvish,
}

/// Arguments of `orch completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: Shell,
}
