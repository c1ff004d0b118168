fn main() -> std::process::ExitCode {
    chanwiz::cli::main()
}
