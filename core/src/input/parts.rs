//! Part tables: the keys of a map a reader takes, each with its kind, whether it must be
//! given, and its doc — what bindings write their docs and types from. The guard's limit and
//! wrong-code rule are read by these tables' names ([`LIMIT_PARTS`], [`WRONG_CODE_PARTS`]); the
//! signing helpers' tables are in [`super::sign`].

/// What a key of a map holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    /// Text.
    Text,
    /// Text that is a secret (never shown in errors).
    Secret,
    /// Name/value pairs: a map of texts or a list of `[name, value]` texts.
    Pairs,
    /// Text or bytes.
    TextOrBytes,
    /// A whole number ≥ 0.
    Unsigned,
    /// `true` or `false`.
    Bool,
    /// A list of texts.
    Texts,
}

/// One key of a map a reader takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    /// Its snake-case name (a binding spells it in its [`Style`](super::Style)).
    pub name: &'static str,
    /// What it holds.
    pub kind: PartKind,
    /// It must be given.
    pub required: bool,
    /// The doc.
    pub doc: &'static str,
}

pub(crate) const fn part(name: &'static str, kind: PartKind, required: bool, doc: &'static str) -> Part {
    Part { name, kind, required, doc }
}

/// The keys of one guard limit, `{ max, window_seconds }` (a [`Style::tuples`](super::Style)
/// style takes them as a tuple in this order).
pub const LIMIT_PARTS: [Part; 2] = [
    part("max", PartKind::Unsigned, true, "The most sends allowed in the window, 1 to 1000000."),
    part("window_seconds", PartKind::Unsigned, true, "The window in seconds, 1 to 2678400 (31 days)."),
];

/// The keys of the guard's wrong-code rule (a key left out keeps its default).
pub const WRONG_CODE_PARTS: [Part; 3] = [
    part(
        "max_wrong",
        PartKind::Unsigned,
        false,
        "Wrong codes allowed before the lock (the last of them still gets its answer); 0 turns\n\
         the rule off. Default 5.",
    ),
    part("window_seconds", PartKind::Unsigned, false, "How long a wrong code counts, in seconds. Default 3600."),
    part("lockout_seconds", PartKind::Unsigned, false, "How long the lock lasts, in seconds. Default 900."),
];
