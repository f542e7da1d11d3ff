use std::process::ExitCode;

fn main() -> ExitCode {
    edgetop::commands::main()
}
