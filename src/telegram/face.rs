//! Who reads a remedy. The same check or diagnosis is shown by the wizard
//! (full-screen and accessible), which names its own actions and fields
//! ("Register", "Public webhook address"), and by the CLI, which names its
//! commands and flags (`chanwiz webhook set`, `--public-url`): each text
//! that tells the admin what to do next asks its [`Face`] for the words.

/// The face a text is shown on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Face {
    /// The full-screen wizard and the accessible mode.
    #[default]
    Wizard,
    /// A `chanwiz` command.
    Cli,
}

impl Face {
    /// Register the webhook again.
    pub fn register_again(self) -> &'static str {
        match self {
            Face::Wizard => "Register again",
            Face::Cli => "run `chanwiz webhook set` again",
        }
    }

    /// Give a bot token and register.
    pub fn register_with_a_token(self) -> &'static str {
        match self {
            Face::Wizard => "type the token from @BotFather and Register",
            Face::Cli => "give the token from @BotFather to `chanwiz webhook set --bot-token-file FILE`",
        }
    }

    /// Set a public webhook address like `example`, `which` (e.g. " that
    /// forwards to the backend").
    pub fn set_public_address(self, example: &str, which: &str) -> String {
        match self {
            Face::Wizard => format!("set a public webhook address ({example}){which}"),
            Face::Cli => format!("give a public webhook address{which} with `--public-url {example}`"),
        }
    }
}
